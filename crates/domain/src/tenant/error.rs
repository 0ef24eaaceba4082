//! Why a tenant refused a command.

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};

/// Why a command on a tenant was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
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

impl DomainError for TenantError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::OtherTenant => "other-tenant",
            Self::AlreadyRegistered => "tenant-already-registered",
            Self::NotRegistered => "tenant-not-registered",
            Self::NothingChanged => "tenant-unchanged",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Access(refusal) => refusal.kind(),
            // Nobody acts on another tenant: who asks is the problem, not what they ask.
            Self::OtherTenant => ErrorKind::Forbidden,
            Self::NotRegistered => ErrorKind::NotFound,
            Self::AlreadyRegistered => ErrorKind::Conflict,
            Self::NothingChanged => ErrorKind::Rule,
        }
    }
}
