//! Posting a request: for oneself, or on a resident's behalf by someone whose role allows it.

use crate::access::Refusal;
use crate::context::CommandContext;
use crate::personal::Personal;
use crate::request::event::RequestPosted;
use crate::request::state::{RequestState, RequestStatus};
use crate::request::PostRequest;
use crate::request::RequestError;
use crate::values::{Channel, ConsentBasis, ConsentRecord};

use super::Decision;

/// Posts a new request.
pub(super) fn post(state: &RequestState, ctx: &CommandContext, c: &PostRequest) -> Decision {
    if state.status != RequestStatus::NotPosted {
        return Err(RequestError::AlreadyPosted);
    }
    if ctx.on_behalf_of.is_some_and(|p| p != c.requester) {
        return Err(RequestError::OnBehalfMismatch);
    }
    let on_behalf = c.requester != ctx.actor_id;
    if on_behalf && !ctx.role.may_act_on_behalf() {
        return Err(Refusal::OnlyForYourself {
            action: "post a request",
        }
        .into());
    }
    if c.channel.needs_someone_on_behalf() && !on_behalf {
        return Err(RequestError::ChannelNeedsOnBehalf(c.channel));
    }
    if c.referred_by.is_some() && c.channel != Channel::PartnerReferral {
        return Err(RequestError::ReferrerWithoutPartnerChannel);
    }
    if c.description.is_blank() {
        return Err(RequestError::EmptyDescription);
    }
    if c.needed_by.is_some_and(|n| n < ctx.occurred_at()) {
        return Err(RequestError::NeededByInThePast);
    }
    // Care needs are special-category data: the basis is recorded with them. Posting for
    // oneself is one's own explicit consent; someone posting for a resident states it.
    let basis = match (c.consent, on_behalf) {
        (Some(basis), _) => basis,
        (None, false) => ConsentBasis::ExplicitConsent,
        (None, true) => return Err(RequestError::ConsentBasisRequired),
    };
    let mut skills = c.skills_wanted.clone();
    skills.sort();
    skills.dedup();
    Ok(vec![RequestPosted {
        request_id: c.request_id,
        requester: c.requester,
        posted_by: ctx.actor_id,
        on_behalf,
        channel: c.channel,
        category: c.category.clone(),
        target_group: c.target_group.clone(),
        neighbourhood_id: c.neighbourhood_id,
        location: c.location.map(|l| l.area()),
        precise_location: c
            .location
            .map(|l| Personal::clear(c.requester, l.to_string()).within(c.request_id)),
        // The description is always about the requester, whoever typed it.
        description: c
            .description
            .clone()
            .about(c.requester)
            .within(c.request_id),
        urgency: c.urgency,
        needed_by: c.needed_by,
        anonymous: c.anonymous,
        visibility: c.visibility,
        hands_needed: c.hands_needed,
        skills_wanted: skills,
        referred_by: c.referred_by,
        consent: Some(ConsentRecord {
            basis,
            taken_by: ctx.actor_id,
            channel: Some(c.channel),
        }),
    }
    .into()])
}
