//! The state of a standing offer, and the facts a take-up needs of it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, PersonId, StandingOfferId};
use crate::values::{Availability, CategoryCode, SkillCode};

/// Where a standing offer is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StandingOfferStatus {
    /// Not published.
    #[default]
    NotPublished,
    /// Offered: listed, and can be taken up.
    Open,
    /// Paused by the helper: not listed, cannot be taken up, can be resumed.
    Paused,
    /// Withdrawn for good.
    Withdrawn,
}

/// The state of one standing offer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandingOfferState {
    /// Status.
    pub status: StandingOfferStatus,
    /// Its id, once published.
    pub standing_offer_id: Option<StandingOfferId>,
    /// Who offers the help.
    pub helper: Option<PersonId>,
    /// The category of help.
    pub category: Option<CategoryCode>,
    /// The skills it takes.
    pub skills: Vec<SkillCode>,
    /// Where it is offered.
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// When the helper is available.
    pub availability: Availability,
    /// The last day it is offered.
    pub until: Option<NaiveDate>,
    /// Whether it has a description.
    pub described: bool,
}

impl StandingOfferState {
    /// What a take-up needs to know of this offer; `None` when it was never published.
    pub fn facts(&self) -> Option<StandingOfferFacts> {
        Some(StandingOfferFacts {
            status: self.status,
            helper: self.helper?,
            neighbourhoods: self.neighbourhoods.clone(),
            until: self.until,
        })
    }
}

/// What the application layer found of a standing offer in the caller's tenant when a resident
/// takes it up: the request's decider cannot look at another aggregate, so these are handed to
/// it with the command (like an organisation's status with a referral).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingOfferFacts {
    /// Whether it is open, paused or withdrawn.
    pub status: StandingOfferStatus,
    /// Who offers the help.
    pub helper: PersonId,
    /// Where it is offered.
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// The last day it is offered.
    pub until: Option<NaiveDate>,
}
