//! Why a standing offer refused a command.

use chrono::NaiveDate;

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};
use crate::values::CategoryCode;

/// Why a command on a standing offer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StandingOfferError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
    /// Already published.
    #[error("this standing offer was already published")]
    AlreadyPublished,
    /// Not published.
    #[error("this standing offer does not exist")]
    NotPublished,
    /// Withdrawn: nothing more happens to it.
    #[error("this standing offer was withdrawn; publish a new one to offer help again")]
    Withdrawn,
    /// Paused already.
    #[error("this standing offer is already paused")]
    AlreadyPaused,
    /// Not paused, so not resumed either.
    #[error("this standing offer is not paused")]
    NotPaused,
    /// The title is empty.
    #[error("please give the standing offer a title")]
    EmptyTitle,
    /// No neighbourhood chosen.
    #[error("choose at least one neighbourhood")]
    NoNeighbourhoods,
    /// The last day lies in the past.
    #[error("the last day it is offered ({0}) lies in the past")]
    UntilInThePast(NaiveDate),
    /// A change that changes nothing.
    #[error("this change changes nothing")]
    NothingToUpdate,
    /// The helper is suspended.
    #[error("this person is suspended as a helper; a connector must lift the suspension first")]
    HelperSuspended,
    /// The category requires a valid screening the helper does not hold.
    #[error("help with {0} needs a helper with a valid screening (a VOG or an extract of the criminal record); this helper has none")]
    HelperNotScreened(CategoryCode),
    /// The category requires a valid screening and the helper's has expired.
    #[error("help with this category needs a helper with a valid screening; this helper's expired on {0}")]
    ScreeningExpired(NaiveDate),
    /// The helper was erased.
    #[error("this person was erased; nothing more can be recorded about them")]
    Erased,
}

impl DomainError for StandingOfferError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::AlreadyPublished => "standing-offer-already-published",
            Self::NotPublished => "standing-offer-not-published",
            Self::Withdrawn => "standing-offer-withdrawn",
            Self::AlreadyPaused => "standing-offer-already-paused",
            Self::NotPaused => "standing-offer-not-paused",
            Self::EmptyTitle => "empty-title",
            Self::NoNeighbourhoods => "no-neighbourhoods",
            Self::UntilInThePast(_) => "until-in-the-past",
            Self::NothingToUpdate => "nothing-to-update",
            Self::HelperSuspended => "helper-suspended",
            Self::HelperNotScreened(_) => "helper-not-screened",
            Self::ScreeningExpired(_) => "screening-expired",
            Self::Erased => "person-erased",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Access(refusal) => refusal.kind(),
            Self::NotPublished => ErrorKind::NotFound,
            Self::AlreadyPublished => ErrorKind::Conflict,
            _ => ErrorKind::Rule,
        }
    }
}
