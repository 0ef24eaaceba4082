//! The events of a standing offer (*aanbod*): a neighbour's own words for the help they offer
//! ("I drive to the hospital on Tuesdays", "a ladder to lend"), kept apart from requests.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use crate::ids::{NeighbourhoodId, PersonId, StandingOfferId};
use crate::macros::event_enum;
use crate::personal::Personal;
use crate::values::{name_enum, Availability, CategoryCode, SkillCode};

name_enum!(
    /// Why a standing offer was withdrawn (a fixed list: free text could hold personal data).
    WithdrawReason, "withdrawal reason" {
        /// The helper no longer offers it.
        NoLongerOffered = "no_longer_offered",
        /// It was published by mistake.
        PublishedInError = "published_in_error",
        /// A connector, administrator or ambassador took it out of the feed.
        Moderated = "moderated",
    }
);

/// A neighbour published a standing offer of help. Its words are personal data of the helper,
/// whoever typed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingOfferPublished {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// Who offers the help.
    pub helper: PersonId,
    /// Who wrote it down: the helper, or a connector for them.
    pub published_by: PersonId,
    /// A short title (subject: the helper).
    pub title: Personal,
    /// What is offered, in full (subject: the helper).
    pub description: Option<Personal>,
    /// The category of help.
    pub category: CategoryCode,
    /// The skills it takes, if any (a ladder to lend takes none).
    #[serde(default)]
    pub skills: Vec<SkillCode>,
    /// Where it is offered: at least one neighbourhood, kept sorted without repeats.
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// When the helper is available, in weekly slots (empty: not said).
    #[serde(default)]
    pub availability: Availability,
    /// The last day it is offered, if it ends.
    pub until: Option<NaiveDate>,
}

/// A standing offer was changed; only what changed is present. `description` and `until` are
/// present as `null` when they were taken away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingOfferUpdated {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// Who changed it.
    pub updated_by: PersonId,
    /// The new title (subject: the helper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Personal>,
    /// The new description (subject: the helper), or `null`: none any more.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub description: Option<Option<Personal>>,
    /// The new category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<CategoryCode>,
    /// The new skills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<SkillCode>>,
    /// The new neighbourhoods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbourhoods: Option<Vec<NeighbourhoodId>>,
    /// The new availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// The new last day, or `null`: it no longer ends.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub until: Option<Option<NaiveDate>>,
}

/// The helper paused a standing offer for a while: it leaves the feed and cannot be taken up
/// until resumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingOfferPaused {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// Who paused it.
    pub paused_by: PersonId,
}

/// A paused standing offer is offered again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingOfferResumed {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// Who resumed it.
    pub resumed_by: PersonId,
}

/// A standing offer was withdrawn for good: nothing more happens to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingOfferWithdrawn {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// Who withdrew it.
    pub withdrawn_by: PersonId,
    /// Why.
    pub reason: WithdrawReason,
}

event_enum!(
    /// Everything that can happen to a standing offer.
    StandingOfferEvent (id: standing_offer_id) {
        /// See [`StandingOfferPublished`].
        StandingOfferPublished = 1,
        /// See [`StandingOfferUpdated`].
        StandingOfferUpdated = 1,
        /// See [`StandingOfferPaused`].
        StandingOfferPaused = 1,
        /// See [`StandingOfferResumed`].
        StandingOfferResumed = 1,
        /// See [`StandingOfferWithdrawn`].
        StandingOfferWithdrawn = 1,
    }
);

/// Reads a field that is present as `Some`, even when it is `null`: with `#[serde(default)]`,
/// an absent field is `None` (unchanged), `null` is `Some(None)` (taken away) and a value is
/// `Some(Some(value))`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
