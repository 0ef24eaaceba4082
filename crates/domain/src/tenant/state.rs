//! The state of a tenant.

use std::collections::BTreeSet;

use crate::ids::TenantId;
use crate::values::{CategoryCode, DisplayName, Language, Retention};

/// The state of one tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantState {
    /// Its id, once registered.
    pub tenant_id: Option<TenantId>,
    /// Current name.
    pub name: Option<DisplayName>,
    /// Current default language.
    pub default_language: Option<Language>,
    /// The categories that require a helper's valid screening.
    pub sensitive_categories: BTreeSet<CategoryCode>,
    /// How long personal data is kept.
    pub retention: Retention,
}
