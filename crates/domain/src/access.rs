//! The refusal every aggregate shares when the actor, not the command, is the problem.
//!
//! Who may act is decided the same way everywhere (a funder or auditor never, a role only for what it is
//! for, a resident only for themselves), so the answer is one type that each aggregate's error
//! embeds, and a caller recognises it without knowing the aggregate.

use crate::context::CommandContext;
use crate::error::{DomainError, ErrorKind};
use crate::role::Role;

/// Why the actor may not give a command, whatever the aggregate's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Funders see figures only and cannot change anything.
    #[error("a funder can only look at figures and cannot change anything")]
    FunderCannotAct,
    /// Auditors receive exports and verify them; they cannot change anything.
    #[error("an auditor receives exports and verifies them, and cannot change anything")]
    AuditorCannotAct,
    /// The actor's role may not do this at all.
    #[error("a {role} may not {action}")]
    NotAllowed {
        /// The actor's role.
        role: Role,
        /// What was attempted.
        action: &'static str,
    },
    /// Only an admin may do this.
    #[error("a {role} may not {action}; ask an admin")]
    AdminOnly {
        /// The actor's role.
        role: Role,
        /// What was attempted.
        action: &'static str,
    },
    /// The actor tried to act for someone else without being allowed to.
    #[error("you can only {action} for yourself")]
    OnlyForYourself {
        /// What was attempted.
        action: &'static str,
    },
}

impl DomainError for Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::FunderCannotAct => "funder-cannot-act",
            Refusal::AuditorCannotAct => "auditor-cannot-act",
            Refusal::NotAllowed { .. } => "not-allowed",
            Refusal::AdminOnly { .. } => "admin-only",
            Refusal::OnlyForYourself { .. } => "only-for-yourself",
        }
    }

    fn kind(&self) -> ErrorKind {
        ErrorKind::Forbidden
    }
}

/// The refusal of a read-only role (funder, auditor), who may give no command at all.
fn read_only(role: Role) -> Option<Refusal> {
    match role {
        Role::Funder => Some(Refusal::FunderCannotAct),
        Role::Auditor => Some(Refusal::AuditorCannotAct),
        _ => None,
    }
}

/// Refuses any command from a funder or an auditor: they look (at figures, at exports) and
/// change nothing.
pub fn refuse_read_only(ctx: &CommandContext) -> Result<(), Refusal> {
    read_only(ctx.role).map_or(Ok(()), Err)
}

/// Requires a connector or admin, who manage requests and organisations for everyone.
pub fn require_staff(ctx: &CommandContext, action: &'static str) -> Result<(), Refusal> {
    if ctx.role.is_staff() {
        Ok(())
    } else {
        Err(Refusal::NotAllowed {
            role: ctx.role,
            action,
        })
    }
}

/// Requires an admin; a funder or auditor hears that they change nothing, anyone else to ask
/// an admin.
pub fn require_admin(ctx: &CommandContext, action: &'static str) -> Result<(), Refusal> {
    refuse_read_only(ctx)?;
    match ctx.role {
        Role::Admin => Ok(()),
        role => Err(Refusal::AdminOnly { role, action }),
    }
}
