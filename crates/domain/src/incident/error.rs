//! Why an incident refused a command.

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};

/// Why a command on an incident or complaint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
    /// A report with this id exists already.
    #[error("this incident was already reported")]
    AlreadyReported,
    /// There is no such report.
    #[error("this incident does not exist")]
    NotReported,
    /// The report names neither a request nor a person.
    #[error("say which request or person the report is about")]
    AboutNothing,
    /// The description is empty.
    #[error("please describe what happened")]
    EmptyReport,
    /// A connector already acknowledged it.
    #[error("this incident was already acknowledged")]
    AlreadyAcknowledged,
    /// The report is closed.
    #[error("this incident is closed")]
    Closed,
}

impl DomainError for IncidentError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::AlreadyReported => "incident-already-reported",
            Self::NotReported => "incident-not-reported",
            Self::AboutNothing => "incident-about-nothing",
            Self::EmptyReport => "empty-report",
            Self::AlreadyAcknowledged => "incident-already-acknowledged",
            Self::Closed => "incident-closed",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Access(refusal) => refusal.kind(),
            Self::NotReported => ErrorKind::NotFound,
            Self::AlreadyReported => ErrorKind::Conflict,
            Self::AboutNothing | Self::EmptyReport | Self::AlreadyAcknowledged | Self::Closed => {
                ErrorKind::Rule
            }
        }
    }
}
