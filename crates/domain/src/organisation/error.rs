//! Why an organisation refused a command.

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};

/// Why a command on an organisation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganisationError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
    /// Already registered.
    #[error("this organisation is already registered")]
    AlreadyRegistered,
    /// Not registered.
    #[error("this organisation is not registered")]
    NotRegistered,
    /// Already inactive.
    #[error("this organisation no longer takes referrals")]
    Inactive,
    /// No categories given.
    #[error("please choose at least one category of help")]
    NoCategories,
}

impl DomainError for OrganisationError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::AlreadyRegistered => "organisation-already-registered",
            Self::NotRegistered => "organisation-not-registered",
            Self::Inactive => "organisation-already-inactive",
            Self::NoCategories => "no-categories",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Access(refusal) => refusal.kind(),
            Self::NotRegistered => ErrorKind::NotFound,
            Self::AlreadyRegistered => ErrorKind::Conflict,
            Self::Inactive | Self::NoCategories => ErrorKind::Rule,
        }
    }
}
