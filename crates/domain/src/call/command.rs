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
    Publish(PublishCall),
    /// Answer the call, for oneself (or, as connector or partner, on someone's behalf: the
    /// context's `on_behalf_of`).
    Answer(AnswerCall),
    /// Close the call (connector, partner or admin).
    Close(CloseCall),
}

/// Publish a call (connector, partner or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishCall {
    /// The new call's id.
    pub call_id: CallId,
    /// The organisation behind it.
    pub organisation_id: Option<OrganisationId>,
    /// Title (subject: the publisher).
    pub title: Personal,
    /// Description (subject: the publisher).
    pub description: Option<Personal>,
    /// Category.
    pub category: Option<CategoryCode>,
    /// Where it goes.
    pub scope: CallScope,
    /// Fields asked.
    pub fields_asked: Vec<CallField>,
    /// Hands needed.
    pub hands_needed: HandsNeeded,
    /// Deadline for answers.
    pub deadline: DateTime<Utc>,
    /// Skills that would help.
    pub skills_wanted: Vec<SkillCode>,
}

/// Answer the call, for oneself (or, as connector or partner, on someone's behalf: the
/// context's `on_behalf_of`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerCall {
    /// The call.
    pub call_id: CallId,
    /// Name (subject: the answering person).
    pub name: Option<Personal>,
    /// Contact (subject: the answering person).
    pub contact: Option<Personal>,
    /// Availability.
    pub availability: Option<Availability>,
}

/// Close the call (connector, partner or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseCall {
    /// The call.
    pub call_id: CallId,
    /// Why.
    pub reason: CallCloseReason,
}

impl CallCommand {
    /// The call the command is about.
    pub fn call_id(&self) -> CallId {
        match self {
            CallCommand::Publish(PublishCall { call_id, .. })
            | CallCommand::Answer(AnswerCall { call_id, .. })
            | CallCommand::Close(CloseCall { call_id, .. }) => *call_id,
        }
    }
}

crate::macros::command_from!(CallCommand {
    Publish(PublishCall),
    Answer(AnswerCall),
    Close(CloseCall),
});
