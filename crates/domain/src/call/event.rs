//! The events of a call (oproep): an organisation asking many hands at once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{CallId, NeighbourhoodId, OrganisationId, PersonId};
use crate::macros::event_enum;
use crate::personal::Personal;
use crate::values::{name_enum, Availability, CategoryCode, HandsNeeded, SkillCode};

/// Which neighbourhoods of the tenant a call goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallScope {
    /// Every neighbourhood of the tenant.
    All,
    /// One or several neighbourhoods.
    Neighbourhoods(Vec<NeighbourhoodId>),
}

impl CallScope {
    /// Whether the call reaches `neighbourhood`.
    pub fn includes(&self, neighbourhood: NeighbourhoodId) -> bool {
        match self {
            CallScope::All => true,
            CallScope::Neighbourhoods(list) => list.contains(&neighbourhood),
        }
    }

    /// The neighbourhoods named, or `None` for every one of the tenant.
    pub fn named(&self) -> Option<&[NeighbourhoodId]> {
        match self {
            CallScope::All => None,
            CallScope::Neighbourhoods(list) => Some(list),
        }
    }
}

name_enum!(
    /// A field the call asks every answer to fill in.
    CallField, "call field" {
        /// The answering person's name.
        Name = "name",
        /// A phone number or e-mail address.
        Contact = "contact",
        /// When they are available.
        Availability = "availability",
    }
);

name_enum!(
    /// Why a call was closed.
    CallCloseReason, "call close reason" {
        /// Enough hands answered.
        Filled = "filled",
        /// The deadline passed.
        DeadlinePassed = "deadline_passed",
        /// The call was called off.
        Cancelled = "cancelled",
    }
);

/// A call was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPublished {
    /// The call.
    pub call_id: CallId,
    /// Who published it.
    pub published_by: PersonId,
    /// The organisation behind it, if any.
    pub organisation_id: Option<OrganisationId>,
    /// A short title (free text; subject: the publisher).
    pub title: Personal,
    /// What is asked (free text; subject: the publisher).
    pub description: Option<Personal>,
    /// The category of help, if any.
    pub category: Option<CategoryCode>,
    /// Where it goes.
    pub scope: CallScope,
    /// The fields every answer must fill in.
    pub fields_asked: Vec<CallField>,
    /// How many hands are needed.
    pub hands_needed: HandsNeeded,
    /// Answers are accepted until then.
    pub deadline: DateTime<Utc>,
    /// Skills that would help.
    #[serde(default)]
    pub skills_wanted: Vec<SkillCode>,
}

/// Someone answered a call; the answers are personal data of the answering person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallAnswered {
    /// The call.
    pub call_id: CallId,
    /// Who answered.
    pub answered_by: PersonId,
    /// Their name, if asked (subject: the answering person).
    pub name: Option<Personal>,
    /// Their contact detail, if asked (subject: the answering person).
    pub contact: Option<Personal>,
    /// When they can help, if asked.
    pub availability: Option<Availability>,
}

/// A call was closed: no more answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallClosed {
    /// The call.
    pub call_id: CallId,
    /// Who closed it.
    pub closed_by: PersonId,
    /// Why.
    pub reason: CallCloseReason,
}

event_enum!(
    /// Everything that can happen to a call.
    CallEvent (id: call_id) {
        /// See [`CallPublished`].
        CallPublished = 1,
        /// See [`CallAnswered`].
        CallAnswered = 1,
        /// See [`CallClosed`].
        CallClosed = 1,
    }
);
