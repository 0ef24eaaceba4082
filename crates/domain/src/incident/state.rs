//! The state of an incident or complaint.

use crate::ids::IncidentId;

/// Where a report is in its handling.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IncidentStatus {
    /// Nothing reported yet.
    #[default]
    NotReported,
    /// Reported; no connector acknowledged it yet.
    Reported,
    /// A connector is looking into it.
    Acknowledged,
    /// Closed with an outcome.
    Closed,
}

/// The state of one report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentState {
    /// Where it is.
    pub status: IncidentStatus,
    /// Its id, once reported.
    pub incident_id: Option<IncidentId>,
}
