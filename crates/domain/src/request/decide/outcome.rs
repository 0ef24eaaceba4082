//! How a request ends and starts again: resolving, closing, reopening and feedback.

use crate::access::{require_staff, Refusal};
use crate::context::CommandContext;
use crate::ids::PersonId;
use crate::request::event::{
    CloseReason, FeedbackGiven, RequestClosed, RequestReopened, RequestResolved, ResolvedBy,
};
use crate::request::state::{RequestState, RequestStatus};
use crate::request::{CloseRequest, GiveFeedback, ReopenRequest, RequestError, ResolveRequest};
use crate::role::Role;

use super::{about, ensure_open, is_requester, Decision};

/// Someone involved resolves the request, crediting who solved it.
pub(super) fn resolve(state: &RequestState, ctx: &CommandContext, c: &ResolveRequest) -> Decision {
    ensure_open(state)?;
    let involved = is_requester(state, ctx)
        || state.matched.contains(&ctx.actor_id)
        || ctx.role.is_staff()
        || (ctx.role == Role::Partner && state.referral_active());
    if !involved {
        return Err(RequestError::NotInvolved);
    }
    let mut credited = c.helpers_credited.clone();
    credited.sort();
    credited.dedup();
    let organisation_credited = match c.resolution {
        ResolvedBy::Neighbour => {
            if credited.is_empty() {
                return Err(RequestError::NoHelperCredited);
            }
            if let Some(h) = credited.iter().find(|h| !state.matched.contains(h)) {
                return Err(RequestError::CreditedHelperNotMatched(*h));
            }
            None
        }
        ResolvedBy::Professional => {
            if !credited.is_empty() {
                return Err(RequestError::HelpersOnlyForNeighbour);
            }
            let referral = state
                .referral
                .as_ref()
                .filter(|r| r.is_active())
                .ok_or(RequestError::ProfessionalNeedsReferral)?;
            Some(referral.organisation_id)
        }
        ResolvedBy::Requester => {
            if !credited.is_empty() {
                return Err(RequestError::HelpersOnlyForNeighbour);
            }
            None
        }
    };
    Ok(vec![RequestResolved {
        request_id: c.request_id,
        resolved_by: ctx.actor_id,
        resolution: c.resolution,
        helpers_credited: credited,
        organisation_credited,
        minutes_given: c.minutes_given,
        compensation: c.compensation,
    }
    .into()])
}

/// The requester or a connector closes the request; an ambassador may close a duplicate.
pub(super) fn close(state: &RequestState, ctx: &CommandContext, c: &CloseRequest) -> Decision {
    ensure_open(state)?;
    let allowed = is_requester(state, ctx)
        || ctx.role.is_staff()
        || (ctx.role == Role::Ambassador && c.reason == CloseReason::Duplicate);
    if !allowed {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "close someone else's request",
        }
        .into());
    }
    Ok(vec![RequestClosed {
        request_id: c.request_id,
        reason: c.reason,
        closed_by: ctx.actor_id,
    }
    .into()])
}

/// A connector reopens a closed or resolved request.
pub(super) fn reopen(state: &RequestState, ctx: &CommandContext, c: &ReopenRequest) -> Decision {
    require_staff(ctx, "reopen a request")?;
    match state.status {
        RequestStatus::Closed | RequestStatus::Resolved => {}
        RequestStatus::NotPosted => return Err(RequestError::NotPosted),
        RequestStatus::Voided => return Err(RequestError::Voided),
        RequestStatus::Open => return Err(RequestError::NotReopenable),
    }
    Ok(vec![RequestReopened {
        request_id: c.request_id,
        reopened_by: ctx.actor_id,
    }
    .into()])
}

/// The requester or a matched helper (the context's subject) rates a resolved request once.
pub(super) fn give_feedback(
    state: &RequestState,
    ctx: &CommandContext,
    c: &GiveFeedback,
) -> Decision {
    match state.status {
        RequestStatus::Resolved => {}
        RequestStatus::NotPosted => return Err(RequestError::NotPosted),
        RequestStatus::Voided => return Err(RequestError::Voided),
        RequestStatus::Closed | RequestStatus::Open => return Err(RequestError::NotResolved),
    }
    let giver: PersonId = ctx.subject();
    if giver != ctx.actor_id && !ctx.role.may_act_on_behalf() {
        return Err(Refusal::OnlyForYourself {
            action: "give feedback",
        }
        .into());
    }
    if state.requester != Some(giver) && !state.matched.contains(&giver) {
        return Err(RequestError::FeedbackNotAllowed);
    }
    if state.feedback_from.contains(&giver) {
        return Err(RequestError::FeedbackAlreadyGiven);
    }
    Ok(vec![FeedbackGiven {
        request_id: c.request_id,
        given_by: giver,
        rating: c.rating,
        comment: about(&c.comment, giver, c.request_id),
    }
    .into()])
}
