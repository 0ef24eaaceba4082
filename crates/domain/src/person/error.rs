//! Why a person refused a command.

use crate::role::Role;

/// Why a command on a person was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
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
    /// A resident tried to change someone else.
    #[error("you can only {action} for yourself")]
    OnlyForYourself {
        /// What was attempted.
        action: &'static str,
    },
    /// The person is already registered.
    #[error("this person is already registered")]
    AlreadyRegistered,
    /// The person is not registered.
    #[error("this person is not registered")]
    NotRegistered,
    /// The person was erased.
    #[error("this person was erased; nothing more can be recorded about them")]
    Erased,
    /// The name is empty.
    #[error("please give a name")]
    EmptyName,
    /// Personal data about someone else.
    #[error("personal data in a profile must be about that person")]
    WrongSubject,
    /// Nothing changes.
    #[error("this update changes nothing")]
    NothingToUpdate,
    /// No skills declared.
    #[error("please choose at least one skill")]
    NoSkills,
    /// Already a helper.
    #[error("this person is already a helper")]
    AlreadyHelper,
    /// Not a helper.
    #[error("this person is not a helper")]
    NotHelper,
}
