//! The commands a tenant accepts (admin only).

use serde::{Deserialize, Serialize};

use crate::ids::TenantId;
use crate::values::{DisplayName, Language};

/// What an admin asks of a tenant aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum TenantCommand {
    /// Register the tenant.
    Register {
        /// The tenant (must be the context's tenant).
        tenant_id: TenantId,
        /// Its name.
        name: DisplayName,
        /// Its default language.
        default_language: Language,
    },
    /// Change its settings.
    ChangeSettings {
        /// The tenant.
        tenant_id: TenantId,
        /// New name.
        name: Option<DisplayName>,
        /// New default language.
        default_language: Option<Language>,
    },
}

impl TenantCommand {
    /// The tenant the command is about.
    pub fn tenant_id(&self) -> TenantId {
        match self {
            TenantCommand::Register { tenant_id, .. }
            | TenantCommand::ChangeSettings { tenant_id, .. } => *tenant_id,
        }
    }
}
