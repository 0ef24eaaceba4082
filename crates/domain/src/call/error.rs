//! Why a call refused a command.

use crate::role::Role;

use super::event::CallField;

/// Why a command on a call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Funders see figures only and cannot change anything.
    #[error("a funder can only look at figures and cannot change anything")]
    FunderCannotAct,
    /// The role may not do this.
    #[error("a {role} may not {action}")]
    NotAllowed {
        /// The actor's role.
        role: Role,
        /// What was attempted.
        action: &'static str,
    },
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
