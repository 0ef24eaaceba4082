//! The rules of a help request: `decide` hands each command to the small function that holds
//! its rule, `evolve` folds an event into the state.
//!
//! The rules live in one file per stage of a request's life, so a rule and its refusals read
//! together: posting, the helpers (offers and matches), the professional route (triage and
//! referral), the outcome (resolve, close, reopen, feedback) and the corrections.

mod correction;
mod helpers;
mod outcome;
mod post;
mod professional;
mod retention;
mod take_up;

use crate::access::refuse_read_only;
use crate::context::CommandContext;
use crate::ids::{PersonId, RequestId};
use crate::personal::Personal;

use super::event::*;
use super::state::{Referral, RequestState, RequestStatus};
use super::{RequestCommand, RequestError};

pub(super) use helpers::may_help;

/// What deciding one command gives: the events, or why it was refused.
type Decision = Result<Vec<RequestEvent>, RequestError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &RequestState,
    ctx: &CommandContext,
    command: &RequestCommand,
) -> Decision {
    refuse_read_only(ctx)?;
    if state.data_expired {
        return Err(RequestError::DataExpired);
    }
    // Every fact about a posted request happens after its posting (a duration in the KPIs is
    // never negative); a back-dated fact may go back to the posting, not beyond it.
    if let Some(posted) = state.posted_at {
        let posting = matches!(command, RequestCommand::Post(_) | RequestCommand::TakeUp(_));
        if ctx.occurred_at() < posted && !posting {
            return Err(RequestError::BeforePosted(ctx.occurred_at(), posted));
        }
    }
    match command {
        RequestCommand::Post(c) => post::post(state, ctx, c),
        RequestCommand::TakeUp(c) => take_up::take_up(state, ctx, c),
        RequestCommand::Triage(c) => professional::triage(state, ctx, c),
        RequestCommand::Offer(c) => helpers::offer(state, ctx, c),
        RequestCommand::WithdrawOffer(c) => helpers::withdraw_offer(state, ctx, c),
        RequestCommand::Match(c) => helpers::match_helper(state, ctx, c),
        RequestCommand::CancelMatch(c) => helpers::cancel_match(state, ctx, c),
        RequestCommand::Refer(c) => professional::refer(state, ctx, c),
        RequestCommand::RecordReferralOutcome(c) => professional::record_outcome(state, ctx, c),
        RequestCommand::Resolve(c) => outcome::resolve(state, ctx, c),
        RequestCommand::Close(c) => outcome::close(state, ctx, c),
        RequestCommand::Reopen(c) => outcome::reopen(state, ctx, c),
        RequestCommand::GiveFeedback(c) => outcome::give_feedback(state, ctx, c),
        RequestCommand::Correct(c) => correction::correct(state, ctx, c),
        RequestCommand::Void(c) => correction::void(state, ctx, c),
        RequestCommand::ExpirePersonalData(c) => retention::expire(state, ctx, c),
    }
}

/// Refuses anything but an open request, with the reason a connector understands.
fn ensure_open(state: &RequestState) -> Result<(), RequestError> {
    match state.status {
        RequestStatus::NotPosted => Err(RequestError::NotPosted),
        RequestStatus::Open => Ok(()),
        RequestStatus::Resolved => Err(RequestError::Resolved),
        RequestStatus::Closed => Err(RequestError::Closed),
        RequestStatus::Voided => Err(RequestError::Voided),
    }
}

/// Whether the actor is the requester, or acts for them in a role that may.
fn is_requester(state: &RequestState, ctx: &CommandContext) -> bool {
    state.requester.is_some_and(|r| {
        ctx.actor_id == r || (ctx.on_behalf_of == Some(r) && ctx.role.may_act_on_behalf())
    })
}

/// Personal text given with a command, re-tagged as about `subject` (see [`Personal::about`])
/// and kept under the request's key scope, so it ends with the request's retention period.
fn about(value: &Option<Personal>, subject: PersonId, request: RequestId) -> Option<Personal> {
    value.clone().map(|v| v.about(subject).within(request))
}

/// The requester of a posted request.
fn requester_of(state: &RequestState) -> Result<PersonId, RequestError> {
    state.requester.ok_or(RequestError::NotPosted)
}

/// Folds one event into the state.
pub(super) fn evolve(mut state: RequestState, event: &RequestEvent) -> RequestState {
    match event {
        RequestEvent::RequestPosted(e) => {
            state.status = RequestStatus::Open;
            state.request_id = Some(e.request_id);
            state.requester = Some(e.requester);
            state.posted_by = Some(e.posted_by);
            state.category = Some(e.category.clone());
            state.target_group = e.target_group.clone();
            state.neighbourhood_id = Some(e.neighbourhood_id);
            state.urgency = Some(e.urgency);
            state.channel = Some(e.channel);
            state.anonymous = e.anonymous;
            state.hands_needed = e.hands_needed.get();
        }
        RequestEvent::RequestTriaged(e) => state.triage = Some(e.route),
        RequestEvent::HelpOffered(e) => {
            state.offers.insert(e.helper);
        }
        RequestEvent::OfferWithdrawn(e) => {
            state.offers.remove(&e.helper);
        }
        RequestEvent::HelperMatched(e) => {
            state.offers.remove(&e.helper);
            state.matched.insert(e.helper);
        }
        RequestEvent::MatchCancelled(e) => {
            state.matched.remove(&e.helper);
        }
        RequestEvent::ReferredToProfessional(e) => {
            state.referral = Some(Referral {
                organisation_id: e.organisation_id,
                outcome: None,
            });
        }
        RequestEvent::ReferralOutcomeRecorded(e) => {
            if let Some(r) = state.referral.as_mut() {
                r.outcome = Some(e.outcome);
            }
        }
        RequestEvent::RequestResolved(e) => {
            state.status = RequestStatus::Resolved;
            state.resolution = Some(e.resolution);
            state.helpers_credited = e.helpers_credited.clone();
            state.organisation_credited = e.organisation_credited;
            state.feedback_from.clear();
        }
        RequestEvent::RequestClosed(_) => state.status = RequestStatus::Closed,
        RequestEvent::RequestReopened(_) => {
            // A fresh round: earlier offers, matches, referral and resolution no longer count.
            state.status = RequestStatus::Open;
            state.offers.clear();
            state.matched.clear();
            state.referral = None;
            state.resolution = None;
            state.helpers_credited.clear();
            state.organisation_credited = None;
            state.feedback_from.clear();
        }
        RequestEvent::FeedbackGiven(e) => {
            state.feedback_from.insert(e.given_by);
        }
        RequestEvent::RequestCorrected(e) => {
            if let Some(c) = &e.category {
                state.category = Some(c.clone());
            }
            if let Some(t) = &e.target_group {
                state.target_group = Some(t.clone());
            }
            if let Some(n) = e.neighbourhood_id {
                state.neighbourhood_id = Some(n);
            }
            if let Some(u) = e.urgency {
                state.urgency = Some(u);
            }
            if let Some(c) = e.channel {
                state.channel = Some(c);
            }
        }
        RequestEvent::RequestVoided(_) => state.status = RequestStatus::Voided,
        RequestEvent::PersonalDataExpired(_) => state.data_expired = true,
        // The match written with it is what counts for the rules.
        RequestEvent::StandingOfferTakenUp(_) => {}
    }
    state
}
