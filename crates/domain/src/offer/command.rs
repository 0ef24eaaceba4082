//! The commands a standing offer accepts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, PersonId, StandingOfferId};
use crate::personal::Personal;
use crate::values::{Availability, CategoryCode, SkillCode};

use super::event::WithdrawReason;

/// What someone asks of a standing offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum StandingOfferCommand {
    /// Publish a standing offer, for oneself or (connector, admin) for a neighbour.
    Publish(PublishStandingOffer),
    /// Change what is offered, where or until when (only the fields given change).
    Update(UpdateStandingOffer),
    /// Pause it for a while.
    Pause(PauseStandingOffer),
    /// Offer it again after a pause.
    Resume(ResumeStandingOffer),
    /// Withdraw it for good.
    Withdraw(WithdrawStandingOffer),
}

/// Publish a standing offer, for oneself or (connector, admin) for a neighbour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishStandingOffer {
    /// The new offer's id (made by the caller).
    pub standing_offer_id: StandingOfferId,
    /// Who offers the help.
    pub helper: PersonId,
    /// A short title (subject: the helper).
    pub title: Personal,
    /// What is offered, in full (subject: the helper).
    pub description: Option<Personal>,
    /// The category of help.
    pub category: CategoryCode,
    /// The skills it takes.
    pub skills: Vec<SkillCode>,
    /// Where it is offered.
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// When the helper is available (empty: not said).
    pub availability: Availability,
    /// The last day it is offered, if it ends.
    pub until: Option<NaiveDate>,
}

/// Change a standing offer: only the fields given change; `description` and `until` given as
/// `Some(None)` are taken away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateStandingOffer {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// A new title (subject: the helper).
    pub title: Option<Personal>,
    /// A new description, or none any more.
    pub description: Option<Option<Personal>>,
    /// A new category.
    pub category: Option<CategoryCode>,
    /// New skills.
    pub skills: Option<Vec<SkillCode>>,
    /// New neighbourhoods.
    pub neighbourhoods: Option<Vec<NeighbourhoodId>>,
    /// A new availability.
    pub availability: Option<Availability>,
    /// A new last day, or no end any more.
    pub until: Option<Option<NaiveDate>>,
}

/// Pause a standing offer for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseStandingOffer {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
}

/// Offer a paused standing offer again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeStandingOffer {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
}

/// Withdraw a standing offer for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawStandingOffer {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// Why.
    pub reason: WithdrawReason,
}

impl UpdateStandingOffer {
    /// A change of `standing_offer_id` that changes nothing yet: set the fields that change.
    pub fn of(standing_offer_id: StandingOfferId) -> Self {
        Self {
            standing_offer_id,
            title: None,
            description: None,
            category: None,
            skills: None,
            neighbourhoods: None,
            availability: None,
            until: None,
        }
    }
}

impl StandingOfferCommand {
    /// The standing offer the command is about.
    pub fn standing_offer_id(&self) -> StandingOfferId {
        match self {
            StandingOfferCommand::Publish(PublishStandingOffer {
                standing_offer_id, ..
            })
            | StandingOfferCommand::Update(UpdateStandingOffer {
                standing_offer_id, ..
            })
            | StandingOfferCommand::Pause(PauseStandingOffer { standing_offer_id })
            | StandingOfferCommand::Resume(ResumeStandingOffer { standing_offer_id })
            | StandingOfferCommand::Withdraw(WithdrawStandingOffer {
                standing_offer_id, ..
            }) => *standing_offer_id,
        }
    }
}

crate::macros::command_from!(StandingOfferCommand {
    Publish(PublishStandingOffer),
    Update(UpdateStandingOffer),
    Pause(PauseStandingOffer),
    Resume(ResumeStandingOffer),
    Withdraw(WithdrawStandingOffer),
});
