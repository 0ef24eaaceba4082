//! The state of a call.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::ids::{CallId, PersonId};

use super::event::CallField;

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CallStatus {
    /// Not published.
    #[default]
    NotPublished,
    /// Open for answers (until the deadline).
    Open,
    /// Closed.
    Closed,
}

/// The state of one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallState {
    /// Status.
    pub status: CallStatus,
    /// Its id, once published.
    pub call_id: Option<CallId>,
    /// Fields every answer must fill in.
    pub fields_asked: Vec<CallField>,
    /// Hands needed.
    pub hands_needed: u32,
    /// The deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// Who answered.
    pub answered_by: BTreeSet<PersonId>,
}
