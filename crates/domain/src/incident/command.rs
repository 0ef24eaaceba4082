//! The commands an incident accepts.

use serde::{Deserialize, Serialize};

use crate::ids::{IncidentId, PersonId, RequestId};
use crate::personal::Personal;

use super::event::{IncidentKind, IncidentOutcome};

/// What someone asks of an incident aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum IncidentCommand {
    /// Report an incident or complaint (anyone signed in).
    Report(ReportIncident),
    /// A connector acknowledges the report: someone is looking into it.
    Acknowledge(AcknowledgeIncident),
    /// A connector closes the report with its outcome.
    Close(CloseIncident),
}

/// Report an incident or complaint about a request, a person, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportIncident {
    /// The new report's id (made by the caller).
    pub incident_id: IncidentId,
    /// An incident or a complaint.
    pub kind: IncidentKind,
    /// The request it is about, if any.
    pub request_id: Option<RequestId>,
    /// The person it is about, if any.
    pub person_id: Option<PersonId>,
    /// What happened, in the reporter's words (recorded as the reporter's personal data).
    pub description: Personal,
}

/// A connector acknowledges the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcknowledgeIncident {
    /// The report.
    pub incident_id: IncidentId,
}

/// A connector closes the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseIncident {
    /// The report.
    pub incident_id: IncidentId,
    /// How it ended.
    pub outcome: IncidentOutcome,
}

impl IncidentCommand {
    /// The report the command is about.
    pub fn incident_id(&self) -> IncidentId {
        match self {
            IncidentCommand::Report(ReportIncident { incident_id, .. })
            | IncidentCommand::Acknowledge(AcknowledgeIncident { incident_id })
            | IncidentCommand::Close(CloseIncident { incident_id, .. }) => *incident_id,
        }
    }
}

crate::macros::command_from!(IncidentCommand {
    Report(ReportIncident),
    Acknowledge(AcknowledgeIncident),
    Close(CloseIncident),
});
