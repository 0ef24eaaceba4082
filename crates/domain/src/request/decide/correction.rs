//! Putting mistakes right: correcting a request's facts and voiding one posted in error.

use crate::access::require_staff;
use crate::context::CommandContext;
use crate::request::event::{RequestCorrected, RequestVoided};
use crate::request::state::{RequestState, RequestStatus};
use crate::request::{CorrectRequest, RequestError, VoidRequest};

use super::Decision;

/// A connector corrects facts of the request; only the fields that really differ change.
pub(super) fn correct(state: &RequestState, ctx: &CommandContext, c: &CorrectRequest) -> Decision {
    require_staff(ctx, "correct a request")?;
    if state.status == RequestStatus::NotPosted {
        return Err(RequestError::NotPosted);
    }
    // Only what really differs is recorded, so a report shows real corrections only.
    let category = c
        .category
        .clone()
        .filter(|x| state.category.as_ref() != Some(x));
    let target_group = c
        .target_group
        .clone()
        .filter(|t| state.target_group.as_ref() != Some(t));
    let neighbourhood_id = c
        .neighbourhood_id
        .filter(|n| state.neighbourhood_id != Some(*n));
    let urgency = c.urgency.filter(|u| state.urgency != Some(*u));
    let channel = c.channel.filter(|x| state.channel != Some(*x));
    if category.is_none()
        && target_group.is_none()
        && neighbourhood_id.is_none()
        && urgency.is_none()
        && channel.is_none()
    {
        return Err(RequestError::NothingToCorrect);
    }
    Ok(vec![RequestCorrected {
        request_id: c.request_id,
        corrected_by: ctx.actor_id,
        category,
        target_group,
        neighbourhood_id,
        urgency,
        channel,
    }
    .into()])
}

/// A connector voids a request posted in error.
pub(super) fn void(state: &RequestState, ctx: &CommandContext, c: &VoidRequest) -> Decision {
    require_staff(ctx, "void a request")?;
    // A closed request accepts only a reopen or a correction; reopen it first.
    match state.status {
        RequestStatus::NotPosted => return Err(RequestError::NotPosted),
        RequestStatus::Voided => return Err(RequestError::Voided),
        RequestStatus::Closed => return Err(RequestError::Closed),
        RequestStatus::Open | RequestStatus::Resolved => {}
    }
    Ok(vec![RequestVoided {
        request_id: c.request_id,
        voided_by: ctx.actor_id,
    }
    .into()])
}
