//! The commands a tenant accepts (admin only).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::values::{CategoryCode, DisplayName, Language, Retention};

/// What an admin asks of a tenant aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum TenantCommand {
    /// Register the tenant.
    Register(RegisterTenant),
    /// Change its settings.
    ChangeSettings(ChangeTenantSettings),
    /// Say which categories of help require a helper's valid screening.
    SetSensitiveCategories(SetSensitiveCategories),
    /// Say how long personal data is kept.
    SetRetention(SetRetention),
}

/// Register the tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterTenant {
    /// The tenant (must be the context's tenant).
    pub tenant_id: TenantId,
    /// Its name.
    pub name: DisplayName,
    /// Its default language.
    pub default_language: Language,
}

/// Change its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeTenantSettings {
    /// The tenant.
    pub tenant_id: TenantId,
    /// New name.
    pub name: Option<DisplayName>,
    /// New default language.
    pub default_language: Option<Language>,
}

/// Say which categories of help require a helper's valid screening (personal care, company at
/// home): the whole set, replacing the previous one; empty for none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetSensitiveCategories {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The categories a helper needs a valid screening for.
    pub categories: BTreeSet<CategoryCode>,
}

/// Say how long personal data is kept: the whole policy, replacing the previous one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetRetention {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The retention periods.
    pub retention: Retention,
}

impl TenantCommand {
    /// The tenant the command is about.
    pub fn tenant_id(&self) -> TenantId {
        match self {
            TenantCommand::Register(RegisterTenant { tenant_id, .. })
            | TenantCommand::ChangeSettings(ChangeTenantSettings { tenant_id, .. })
            | TenantCommand::SetSensitiveCategories(SetSensitiveCategories { tenant_id, .. })
            | TenantCommand::SetRetention(SetRetention { tenant_id, .. }) => *tenant_id,
        }
    }
}

crate::macros::command_from!(TenantCommand {
    Register(RegisterTenant),
    ChangeSettings(ChangeTenantSettings),
    SetSensitiveCategories(SetSensitiveCategories),
    SetRetention(SetRetention),
});
