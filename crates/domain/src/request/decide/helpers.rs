//! Helpers on a request: offering, withdrawing an offer, matching and cancelling a match, and
//! the safeguarding rule every offer and match passes.

use chrono::NaiveDate;

use crate::access::Refusal;
use crate::context::CommandContext;
use crate::person::{Standing, Unfit};
use crate::request::event::{HelpOffered, HelperMatched, MatchCancelled, OfferWithdrawn};
use crate::request::state::RequestState;
use crate::request::{CancelMatch, MatchHelper, OfferHelp, RequestError, WithdrawOffer};
use crate::role::Role;
use crate::values::CategoryCode;

use super::{about, ensure_open, is_requester, Decision};

/// Whether a helper who stands as `standing` may offer or be matched, on `day`, for help in
/// `category`, which the tenant marks `sensitive` (or not): never while suspended; in a
/// sensitive category only with a screening valid that day.
///
/// The facts come from other aggregates (the helper's stream, the tenant's), so the request's
/// `decide` cannot see them; the executor finds them for [`crate::Decider::requirements`] and
/// this rule judges them in [`crate::Decider::check`].
pub(in crate::request) fn may_help(
    standing: &Standing,
    category: &CategoryCode,
    sensitive: bool,
    day: NaiveDate,
) -> Result<(), RequestError> {
    standing
        .fit_to_help(sensitive, day)
        .map_err(|unfit| match unfit {
            Unfit::Erased => RequestError::Erased,
            Unfit::Suspended => RequestError::HelperSuspended,
            Unfit::NotScreened => RequestError::HelperNotScreened(category.clone()),
            Unfit::ScreeningExpired(on) => RequestError::ScreeningExpired(on),
        })
}

/// A helper offers help; a connector may record the offer for them.
pub(super) fn offer(state: &RequestState, ctx: &CommandContext, c: &OfferHelp) -> Decision {
    ensure_open(state)?;
    if c.helper == ctx.actor_id {
        if ctx.role != Role::Helper && !ctx.role.is_staff() {
            return Err(Refusal::NotAllowed {
                role: ctx.role,
                action: "offer help (opt in as helper first)",
            }
            .into());
        }
    } else if !ctx.may_act_for(c.helper) {
        return Err(Refusal::OnlyForYourself {
            action: "offer help",
        }
        .into());
    }
    if state.requester == Some(c.helper) {
        return Err(RequestError::OwnRequest);
    }
    if state.matched.contains(&c.helper) {
        return Err(RequestError::AlreadyMatched);
    }
    if state.offers.contains(&c.helper) {
        return Err(RequestError::AlreadyOffered);
    }
    if state.referral_active() {
        return Err(RequestError::WithProfessional);
    }
    if state.fully_matched() {
        return Err(RequestError::AllHandsMatched(state.hands_needed));
    }
    Ok(vec![HelpOffered {
        request_id: c.request_id,
        helper: c.helper,
        message: about(&c.message, c.helper, c.request_id),
    }
    .into()])
}

/// A helper withdraws an offer that is not matched yet.
pub(super) fn withdraw_offer(
    state: &RequestState,
    ctx: &CommandContext,
    c: &WithdrawOffer,
) -> Decision {
    ensure_open(state)?;
    if !ctx.may_act_for(c.helper) {
        return Err(Refusal::OnlyForYourself {
            action: "withdraw an offer",
        }
        .into());
    }
    if state.matched.contains(&c.helper) {
        return Err(RequestError::OfferAlreadyMatched);
    }
    if !state.offers.contains(&c.helper) {
        return Err(RequestError::NoOffer);
    }
    Ok(vec![OfferWithdrawn {
        request_id: c.request_id,
        helper: c.helper,
    }
    .into()])
}

/// The requester accepts an offer, or a connector matches (directly if the helper did not offer).
pub(super) fn match_helper(
    state: &RequestState,
    ctx: &CommandContext,
    c: &MatchHelper,
) -> Decision {
    ensure_open(state)?;
    if !is_requester(state, ctx) && !ctx.role.is_staff() {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "match a helper to someone else's request",
        }
        .into());
    }
    if state.requester == Some(c.helper) {
        return Err(RequestError::OwnRequest);
    }
    if state.matched.contains(&c.helper) {
        return Err(RequestError::AlreadyMatched);
    }
    if state.referral_active() {
        return Err(RequestError::WithProfessional);
    }
    if state.fully_matched() {
        return Err(RequestError::AllHandsMatched(state.hands_needed));
    }
    let direct = !state.offers.contains(&c.helper);
    if direct && !ctx.role.is_staff() {
        return Err(RequestError::DirectMatchNeedsConnector);
    }
    Ok(vec![HelperMatched {
        request_id: c.request_id,
        helper: c.helper,
        matched_by: ctx.actor_id,
        direct,
    }
    .into()])
}

/// The requester or the matched helper cancels a match, which reopens the request to offers.
pub(super) fn cancel_match(
    state: &RequestState,
    ctx: &CommandContext,
    c: &CancelMatch,
) -> Decision {
    ensure_open(state)?;
    if !state.matched.contains(&c.helper) {
        return Err(RequestError::NotMatched(c.helper));
    }
    if !is_requester(state, ctx) && !ctx.may_act_for(c.helper) {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "cancel someone else's match",
        }
        .into());
    }
    Ok(vec![MatchCancelled {
        request_id: c.request_id,
        helper: c.helper,
        cancelled_by: ctx.actor_id,
        reason: c.reason,
    }
    .into()])
}
