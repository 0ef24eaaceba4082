//! The events of an incident or complaint.

use serde::{Deserialize, Serialize};

use crate::ids::{IncidentId, PersonId, RequestId};
use crate::macros::event_enum;
use crate::personal::Personal;
use crate::values::name_enum;

name_enum!(
    /// What kind of report it is.
    IncidentKind, "incident kind" {
        /// Something happened that put someone at risk or harmed them.
        Incident = "incident",
        /// Someone is unhappy with how they were helped or treated.
        Complaint = "complaint",
    }
);

name_enum!(
    /// How a report ended.
    IncidentOutcome, "incident outcome" {
        /// It was dealt with (a talk, a warning, a suspension, a new match).
        Resolved = "resolved",
        /// Looked into; nothing was found.
        Unfounded = "unfounded",
        /// Handed to professionals or the authorities.
        Referred = "referred",
        /// The reporter withdrew it.
        Withdrawn = "withdrawn",
    }
);

/// An incident or complaint was reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentReported {
    /// The report.
    pub incident_id: IncidentId,
    /// An incident or a complaint.
    pub kind: IncidentKind,
    /// The request it is about, if any.
    pub request_id: Option<RequestId>,
    /// The person it is about, if any.
    pub person_id: Option<PersonId>,
    /// What happened (subject: the one reporting, or the resident a connector reports for).
    pub description: Personal,
    /// Who reported it.
    pub reported_by: PersonId,
}

/// A connector acknowledged the report: someone is looking into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentAcknowledged {
    /// The report.
    pub incident_id: IncidentId,
    /// The connector or admin.
    pub acknowledged_by: PersonId,
}

/// A connector closed the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentClosed {
    /// The report.
    pub incident_id: IncidentId,
    /// How it ended.
    pub outcome: IncidentOutcome,
    /// The connector or admin.
    pub closed_by: PersonId,
}

event_enum!(
    /// Everything that can happen to an incident or complaint.
    IncidentEvent (id: incident_id) {
        /// See [`IncidentReported`].
        IncidentReported = 1,
        /// See [`IncidentAcknowledged`].
        IncidentAcknowledged = 1,
        /// See [`IncidentClosed`].
        IncidentClosed = 1,
    }
);
