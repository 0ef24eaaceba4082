//! The professional route: triage, referral to an organisation and the referral's outcome.

use crate::access::{require_staff, Refusal};
use crate::context::CommandContext;
use crate::organisation::OrganisationStatus;
use crate::request::event::{ReferralOutcomeRecorded, ReferredToProfessional, RequestTriaged};
use crate::request::state::RequestState;
use crate::request::{RecordReferralOutcome, ReferRequest, RequestError, TriageRequest};
use crate::role::Role;

use super::{about, ensure_open, requester_of, Decision};

/// A connector triages the request as informal or professional.
pub(super) fn triage(state: &RequestState, ctx: &CommandContext, c: &TriageRequest) -> Decision {
    require_staff(ctx, "triage a request")?;
    ensure_open(state)?;
    if state.triage == Some(c.route) {
        return Err(RequestError::AlreadyTriaged(c.route));
    }
    Ok(vec![RequestTriaged {
        request_id: c.request_id,
        route: c.route,
        triaged_by: ctx.actor_id,
        note: about(&c.note, requester_of(state)?, c.request_id),
    }
    .into()])
}

/// A connector refers the request to an active organisation.
pub(super) fn refer(state: &RequestState, ctx: &CommandContext, c: &ReferRequest) -> Decision {
    require_staff(ctx, "refer a request to a professional")?;
    ensure_open(state)?;
    match c.organisation_status {
        OrganisationStatus::Active => {}
        OrganisationStatus::Unknown => return Err(RequestError::UnknownOrganisation),
        OrganisationStatus::Inactive => return Err(RequestError::OrganisationInactive),
    }
    if state.referral_active() {
        return Err(RequestError::AlreadyReferred);
    }
    Ok(vec![ReferredToProfessional {
        request_id: c.request_id,
        organisation_id: c.organisation_id,
        referred_by: ctx.actor_id,
        reason: about(&c.reason, requester_of(state)?, c.request_id),
    }
    .into()])
}

/// The organisation (partner) or a connector records what became of the running referral.
pub(super) fn record_outcome(
    state: &RequestState,
    ctx: &CommandContext,
    c: &RecordReferralOutcome,
) -> Decision {
    if !ctx.role.is_staff() && ctx.role != Role::Partner {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "record a referral's outcome",
        }
        .into());
    }
    ensure_open(state)?;
    let referral = state
        .referral
        .as_ref()
        .filter(|r| r.is_active())
        .ok_or(RequestError::NoReferral)?;
    Ok(vec![ReferralOutcomeRecorded {
        request_id: c.request_id,
        organisation_id: referral.organisation_id,
        outcome: c.outcome,
        recorded_by: ctx.actor_id,
        note: about(&c.note, requester_of(state)?, c.request_id),
    }
    .into()])
}
