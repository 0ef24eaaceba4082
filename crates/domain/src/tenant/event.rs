//! The events of a tenant: the organisation or municipality that runs Noaber for its area.

use serde::{Deserialize, Serialize};

use crate::ids::{PersonId, TenantId};
use crate::macros::event_enum;
use crate::values::{DisplayName, Language};

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

/// A tenant's name or default language changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettingsChanged {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The new name, if changed.
    pub name: Option<DisplayName>,
    /// The new default language, if changed.
    pub default_language: Option<Language>,
}

event_enum!(
    /// Everything that can happen to a tenant.
    TenantEvent (id: tenant_id) {
        /// See [`TenantRegistered`].
        TenantRegistered = 1,
        /// See [`TenantSettingsChanged`].
        TenantSettingsChanged = 1,
    }
);
