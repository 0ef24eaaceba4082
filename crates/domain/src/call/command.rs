//! The commands a call accepts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CallId, OrganisationId};
use crate::personal::Personal;
use crate::values::{Availability, CategoryCode, HandsNeeded, SkillCode};

use super::event::{CallCloseReason, CallField, CallScope};

/// What someone asks of a call aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum CallCommand {
    /// Publish a call (connector, partner or admin).
    Publish {
        /// The new call's id.
        call_id: CallId,
        /// The organisation behind it.
        organisation_id: Option<OrganisationId>,
        /// Title (subject: the publisher).
        title: Personal,
        /// Description (subject: the publisher).
        description: Option<Personal>,
        /// Category.
        category: Option<CategoryCode>,
        /// Where it goes.
        scope: CallScope,
        /// Fields asked.
        fields_asked: Vec<CallField>,
        /// Hands needed.
        hands_needed: HandsNeeded,
        /// Deadline for answers.
        deadline: DateTime<Utc>,
        /// Skills that would help.
        skills_wanted: Vec<SkillCode>,
    },
    /// Answer the call, for oneself (or, as connector or partner, on someone's behalf: the
    /// context's `on_behalf_of`).
    Answer {
        /// The call.
        call_id: CallId,
        /// Name (subject: the answering person).
        name: Option<Personal>,
        /// Contact (subject: the answering person).
        contact: Option<Personal>,
        /// Availability.
        availability: Option<Availability>,
    },
    /// Close the call (connector, partner or admin).
    Close {
        /// The call.
        call_id: CallId,
        /// Why.
        reason: CallCloseReason,
    },
}

impl CallCommand {
    /// The call the command is about.
    pub fn call_id(&self) -> CallId {
        match self {
            CallCommand::Publish { call_id, .. }
            | CallCommand::Answer { call_id, .. }
            | CallCommand::Close { call_id, .. } => *call_id,
        }
    }
}
