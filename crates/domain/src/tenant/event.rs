//! The events of a tenant: the organisation or municipality that runs Noaber for its area.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::{PersonId, TenantId};
use crate::macros::event_enum;
use crate::values::{CategoryCode, DisplayName, Language, Retention};

/// A tenant was registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRegistered {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its public name.
    pub name: DisplayName,
    /// The language its labels default to.
    pub default_language: Language,
    /// Who registered it.
    pub registered_by: PersonId,
}

/// A tenant's settings changed; only the settings present changed.
///
/// Version 2 added `sensitive_categories`; a version 1 payload is read with it absent (no
/// change), see `upcast.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettingsChanged {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The new name, if changed.
    pub name: Option<DisplayName>,
    /// The new default language, if changed.
    pub default_language: Option<Language>,
    /// The new set of categories that require a helper's valid screening, if changed (the
    /// whole set: it replaces the previous one).
    #[serde(default)]
    pub sensitive_categories: Option<BTreeSet<CategoryCode>>,
    /// The new retention policy, if changed (the whole policy: it replaces the previous one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
}

event_enum!(
    /// Everything that can happen to a tenant.
    TenantEvent (id: tenant_id) {
        /// See [`TenantRegistered`].
        TenantRegistered = 1,
        /// See [`TenantSettingsChanged`].
        TenantSettingsChanged = 3,
    }
);
