//! Builders of standing offer events (*aanbod*) and of their take-up, for the read-model tests.

use chrono::NaiveDate;
use noaber_domain::offer::{
    StandingOfferEvent, StandingOfferPaused, StandingOfferPublished, StandingOfferResumed,
    StandingOfferUpdated, StandingOfferWithdrawn, WithdrawReason,
};
use noaber_domain::request::StandingOfferTakenUp;
use noaber_domain::values::Availability;
use noaber_domain::{AnyEvent, Personal, StandingOfferId};
use uuid::Uuid;

use super::{category, connector, hood, person, request, skill};

pub fn standing_offer(o: u32) -> StandingOfferId {
    StandingOfferId::new(Uuid::from_u128(0x0c00_0000 + u128::from(o)))
}

/// Helper `helper` offers rides to the hospital in neighbourhoods `hoods`; adjust the rest in
/// the closure.
pub fn offer_published_with(
    o: u32,
    helper: u32,
    hoods: &[u32],
    adjust: impl FnOnce(&mut StandingOfferPublished),
) -> AnyEvent {
    let mut p = StandingOfferPublished {
        standing_offer_id: standing_offer(o),
        helper: person(helper),
        published_by: person(helper),
        title: Personal::clear(person(helper), "Ik rijd op dinsdag naar het ziekenhuis"),
        description: None,
        category: category("transport"),
        skills: vec![skill("driving_medical")],
        neighbourhoods: hoods.iter().map(|n| hood(*n)).collect(),
        availability: Availability::none(),
        until: None,
    };
    adjust(&mut p);
    AnyEvent::StandingOffer(p.into())
}

pub fn offer_published(o: u32, helper: u32, hoods: &[u32]) -> AnyEvent {
    offer_published_with(o, helper, hoods, |_| {})
}

/// A change of offer `o` that changes what the closure sets.
pub fn offer_updated(o: u32, adjust: impl FnOnce(&mut StandingOfferUpdated)) -> AnyEvent {
    let mut u = StandingOfferUpdated {
        standing_offer_id: standing_offer(o),
        updated_by: connector(),
        title: None,
        description: None,
        category: None,
        skills: None,
        neighbourhoods: None,
        availability: None,
        until: None,
    };
    adjust(&mut u);
    AnyEvent::StandingOffer(u.into())
}

pub fn offer_moved(o: u32, hoods: &[u32]) -> AnyEvent {
    offer_updated(o, |u| {
        u.neighbourhoods = Some(hoods.iter().map(|n| hood(*n)).collect());
    })
}

pub fn offer_ends(o: u32, until: Option<NaiveDate>) -> AnyEvent {
    offer_updated(o, |u| u.until = Some(until))
}

pub fn offer_paused(o: u32) -> AnyEvent {
    AnyEvent::StandingOffer(StandingOfferEvent::from(StandingOfferPaused {
        standing_offer_id: standing_offer(o),
        paused_by: connector(),
    }))
}

pub fn offer_resumed(o: u32) -> AnyEvent {
    AnyEvent::StandingOffer(StandingOfferEvent::from(StandingOfferResumed {
        standing_offer_id: standing_offer(o),
        resumed_by: connector(),
    }))
}

pub fn offer_withdrawn(o: u32) -> AnyEvent {
    AnyEvent::StandingOffer(StandingOfferEvent::from(StandingOfferWithdrawn {
        standing_offer_id: standing_offer(o),
        withdrawn_by: connector(),
        reason: WithdrawReason::NoLongerOffered,
    }))
}

/// Request `r` takes up offer `o` of `helper` (written between its posting and the match).
pub fn taken_up(r: u32, o: u32, helper: u32) -> AnyEvent {
    AnyEvent::Request(
        StandingOfferTakenUp {
            request_id: request(r),
            standing_offer_id: standing_offer(o),
            helper: person(helper),
        }
        .into(),
    )
}
