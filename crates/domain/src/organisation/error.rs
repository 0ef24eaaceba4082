//! Why an organisation refused a command.

use crate::role::Role;

/// Why a command on an organisation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganisationError {
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
