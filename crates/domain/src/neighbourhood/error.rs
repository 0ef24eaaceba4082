//! Why a neighbourhood refused a command.

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};

/// Why a command on a neighbourhood was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NeighbourhoodError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
    /// Already registered.
    #[error("this neighbourhood is already registered")]
    AlreadyRegistered,
    /// Not registered.
    #[error("this neighbourhood is not registered")]
    NotRegistered,
    /// Nothing changes.
    #[error("this change changes nothing")]
    NothingChanged,
}

impl DomainError for NeighbourhoodError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::AlreadyRegistered => "neighbourhood-already-registered",
            Self::NotRegistered => "neighbourhood-not-registered",
            Self::NothingChanged => "neighbourhood-unchanged",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Access(refusal) => refusal.kind(),
            Self::NotRegistered => ErrorKind::NotFound,
            Self::AlreadyRegistered => ErrorKind::Conflict,
            Self::NothingChanged => ErrorKind::Rule,
        }
    }
}
