//! Why a neighbourhood refused a command.

use crate::role::Role;

/// Why a command on a neighbourhood was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NeighbourhoodError {
    /// Funders see figures only and cannot change anything.
    #[error("a funder can only look at figures and cannot change anything")]
    FunderCannotAct,
    /// Only admins manage neighbourhoods.
    #[error("a {0} may not manage neighbourhoods; ask an admin")]
    NotAllowed(Role),
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
