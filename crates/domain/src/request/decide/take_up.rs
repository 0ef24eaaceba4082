//! Taking up a standing offer: the posting, the take-up and the match to the offer's helper,
//! decided together so they are appended together (ADR 0042).

use crate::context::CommandContext;
use crate::offer::StandingOfferStatus;
use crate::request::event::{HelperMatched, StandingOfferTakenUp};
use crate::request::state::RequestState;
use crate::request::{RequestError, TakeUpStandingOffer};

use super::{post, Decision};

/// Posts the request as any posting, then matches the helper of an open standing offer that is
/// offered in the request's neighbourhood, has not ended, and is not the requester's own.
pub(super) fn take_up(
    state: &RequestState,
    ctx: &CommandContext,
    c: &TakeUpStandingOffer,
) -> Decision {
    let mut events = post::post(state, ctx, &c.post)?;
    let offer = c.offer.as_ref().ok_or(RequestError::UnknownStandingOffer)?;
    match offer.status {
        StandingOfferStatus::Open => {}
        StandingOfferStatus::Paused => return Err(RequestError::StandingOfferPaused),
        StandingOfferStatus::Withdrawn => return Err(RequestError::StandingOfferWithdrawn),
        StandingOfferStatus::NotPublished => return Err(RequestError::UnknownStandingOffer),
    }
    if let Some(until) = offer.until.filter(|u| *u < ctx.occurred_at().date_naive()) {
        return Err(RequestError::StandingOfferExpired(until));
    }
    if offer.helper == c.post.requester {
        return Err(RequestError::OwnStandingOffer);
    }
    if !offer.neighbourhoods.contains(&c.post.neighbourhood_id) {
        return Err(RequestError::StandingOfferElsewhere);
    }
    let request_id = c.post.request_id;
    events.push(
        StandingOfferTakenUp {
            request_id,
            standing_offer_id: c.standing_offer_id,
            helper: offer.helper,
        }
        .into(),
    );
    // The helper offered first (publicly, in the offer), so the match is not a direct one.
    events.push(
        HelperMatched {
            request_id,
            helper: offer.helper,
            matched_by: ctx.actor_id,
            direct: false,
        }
        .into(),
    );
    Ok(events)
}
