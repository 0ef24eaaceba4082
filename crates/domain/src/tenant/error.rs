//! Why a tenant refused a command.

use crate::role::Role;

/// Why a command on a tenant was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    /// Funders see figures only and cannot change anything.
    #[error("a funder can only look at figures and cannot change anything")]
    FunderCannotAct,
    /// Only admins manage the tenant.
    #[error("a {0} may not manage the tenant; ask an admin")]
    NotAllowed(Role),
    /// The command names another tenant than the context.
    #[error("this command is about another tenant")]
    OtherTenant,
    /// Already registered.
    #[error("this tenant is already registered")]
    AlreadyRegistered,
    /// Not registered.
    #[error("this tenant is not registered")]
    NotRegistered,
    /// Nothing changes.
    #[error("this change changes nothing")]
    NothingChanged,
}
