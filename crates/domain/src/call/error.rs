//! Why a call refused a command.

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};

use super::event::CallField;

/// Why a command on a call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
    /// Already published.
    #[error("this call was already published")]
    AlreadyPublished,
    /// Not published.
    #[error("this call does not exist")]
    NotPublished,
    /// Closed.
    #[error("this call is closed")]
    Closed,
    /// The title is empty.
    #[error("please give the call a title")]
    EmptyTitle,
    /// No neighbourhood chosen.
    #[error("choose at least one neighbourhood, or all")]
    NoNeighbourhoods,
    /// The deadline is not in the future.
    #[error("the deadline must lie in the future")]
    DeadlineNotInFuture,
    /// The deadline passed.
    #[error("the deadline for this call has passed")]
    DeadlinePassed,
    /// The person already answered.
    #[error("you already answered this call")]
    AlreadyAnswered,
    /// An asked field is missing.
    #[error("this call asks for your {0}")]
    MissingField(CallField),
    /// Personal data about someone else than the answering person.
    #[error("an answer can only hold the answering person's own details")]
    WrongSubject,
}

impl DomainError for CallError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::AlreadyPublished => "call-already-published",
            Self::NotPublished => "call-not-published",
            Self::Closed => "call-closed",
            Self::EmptyTitle => "empty-title",
            Self::NoNeighbourhoods => "no-neighbourhoods",
            Self::DeadlineNotInFuture => "deadline-not-in-future",
            Self::DeadlinePassed => "deadline-passed",
            Self::AlreadyAnswered => "already-answered",
            Self::MissingField(_) => "missing-field",
            Self::WrongSubject => "answer-about-someone-else",
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
