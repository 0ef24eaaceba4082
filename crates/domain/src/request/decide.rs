//! The rules of a help request: `decide` checks a command against the state and the actor's
//! role, `evolve` folds an event into the state.

use crate::context::CommandContext;
use crate::ids::PersonId;
use crate::personal::Personal;
use crate::role::Role;

use super::event::*;
use super::state::{Referral, RequestState, RequestStatus};
use super::{RequestCommand, RequestError};

type Decision = Result<Vec<RequestEvent>, RequestError>;

/// Refuses anything but an open request, with the reason a connector understands.
fn open(state: &RequestState) -> Result<(), RequestError> {
    match state.status {
        RequestStatus::NotPosted => Err(RequestError::NotPosted),
        RequestStatus::Open => Ok(()),
        RequestStatus::Resolved => Err(RequestError::Resolved),
        RequestStatus::Closed => Err(RequestError::Closed),
        RequestStatus::Voided => Err(RequestError::Voided),
    }
}

fn staff(ctx: &CommandContext, action: &'static str) -> Result<(), RequestError> {
    if ctx.role.is_staff() {
        Ok(())
    } else {
        Err(RequestError::NotAllowed {
            role: ctx.role,
            action,
        })
    }
}

fn is_requester(state: &RequestState, ctx: &CommandContext) -> bool {
    state.requester.is_some_and(|r| {
        ctx.actor_id == r || (ctx.on_behalf_of == Some(r) && ctx.role.may_act_on_behalf())
    })
}

/// Personal text given with a command, re-tagged as about `subject` (see [`Personal::about`]).
fn about(value: &Option<Personal>, subject: PersonId) -> Option<Personal> {
    value.clone().map(|v| v.about(subject))
}

/// The requester of a posted request.
fn requester_of(state: &RequestState) -> Result<PersonId, RequestError> {
    state.requester.ok_or(RequestError::NotPosted)
}

/// Decides a command.
pub(super) fn decide(
    state: &RequestState,
    ctx: &CommandContext,
    command: &RequestCommand,
) -> Decision {
    if ctx.role == Role::Funder {
        return Err(RequestError::FunderCannotAct);
    }
    match command {
        RequestCommand::Post {
            request_id,
            requester,
            channel,
            category,
            target_group,
            neighbourhood_id,
            location,
            description,
            urgency,
            needed_by,
            anonymous,
            visibility,
            hands_needed,
            skills_wanted,
            referred_by,
        } => {
            if state.status != RequestStatus::NotPosted {
                return Err(RequestError::AlreadyPosted);
            }
            if ctx.on_behalf_of.is_some_and(|p| p != *requester) {
                return Err(RequestError::OnBehalfMismatch);
            }
            let on_behalf = *requester != ctx.actor_id;
            if on_behalf && !ctx.role.may_act_on_behalf() {
                return Err(RequestError::OnlyForYourself {
                    action: "post a request",
                });
            }
            if channel.needs_someone_on_behalf() && !on_behalf {
                return Err(RequestError::ChannelNeedsOnBehalf(*channel));
            }
            if referred_by.is_some() && *channel != crate::values::Channel::PartnerReferral {
                return Err(RequestError::ReferrerWithoutPartnerChannel);
            }
            if description.is_blank() {
                return Err(RequestError::EmptyDescription);
            }
            if needed_by.is_some_and(|n| n < ctx.occurred_at()) {
                return Err(RequestError::NeededByInThePast);
            }
            let mut skills = skills_wanted.clone();
            skills.sort();
            skills.dedup();
            Ok(vec![RequestPosted {
                request_id: *request_id,
                requester: *requester,
                posted_by: ctx.actor_id,
                on_behalf,
                channel: *channel,
                category: category.clone(),
                target_group: target_group.clone(),
                neighbourhood_id: *neighbourhood_id,
                location: *location,
                // The description is always about the requester, whoever typed it.
                description: description.clone().about(*requester),
                urgency: *urgency,
                needed_by: *needed_by,
                anonymous: *anonymous,
                visibility: *visibility,
                hands_needed: *hands_needed,
                skills_wanted: skills,
                referred_by: *referred_by,
            }
            .into()])
        }
        RequestCommand::Triage {
            request_id,
            route,
            note,
        } => {
            staff(ctx, "triage a request")?;
            open(state)?;
            if state.triage == Some(*route) {
                return Err(RequestError::AlreadyTriaged(*route));
            }
            Ok(vec![RequestTriaged {
                request_id: *request_id,
                route: *route,
                triaged_by: ctx.actor_id,
                note: about(note, requester_of(state)?),
            }
            .into()])
        }
        RequestCommand::Offer {
            request_id,
            helper,
            message,
        } => {
            open(state)?;
            if *helper == ctx.actor_id {
                if ctx.role != Role::Helper && !ctx.role.is_staff() {
                    return Err(RequestError::NotAllowed {
                        role: ctx.role,
                        action: "offer help (opt in as helper first)",
                    });
                }
            } else if !ctx.may_act_for(*helper) {
                return Err(RequestError::OnlyForYourself {
                    action: "offer help",
                });
            }
            if state.requester == Some(*helper) {
                return Err(RequestError::OwnRequest);
            }
            if state.matched.contains(helper) {
                return Err(RequestError::AlreadyMatched);
            }
            if state.offers.contains(helper) {
                return Err(RequestError::AlreadyOffered);
            }
            if state.referral_active() {
                return Err(RequestError::WithProfessional);
            }
            if state.fully_matched() {
                return Err(RequestError::AllHandsMatched(state.hands_needed));
            }
            Ok(vec![HelpOffered {
                request_id: *request_id,
                helper: *helper,
                message: about(message, *helper),
            }
            .into()])
        }
        RequestCommand::WithdrawOffer { request_id, helper } => {
            open(state)?;
            if !ctx.may_act_for(*helper) {
                return Err(RequestError::OnlyForYourself {
                    action: "withdraw an offer",
                });
            }
            if state.matched.contains(helper) {
                return Err(RequestError::OfferAlreadyMatched);
            }
            if !state.offers.contains(helper) {
                return Err(RequestError::NoOffer);
            }
            Ok(vec![OfferWithdrawn {
                request_id: *request_id,
                helper: *helper,
            }
            .into()])
        }
        RequestCommand::Match { request_id, helper } => {
            open(state)?;
            let by_requester = is_requester(state, ctx);
            if !by_requester && !ctx.role.is_staff() {
                return Err(RequestError::NotAllowed {
                    role: ctx.role,
                    action: "match a helper to someone else's request",
                });
            }
            if state.requester == Some(*helper) {
                return Err(RequestError::OwnRequest);
            }
            if state.matched.contains(helper) {
                return Err(RequestError::AlreadyMatched);
            }
            if state.referral_active() {
                return Err(RequestError::WithProfessional);
            }
            if state.fully_matched() {
                return Err(RequestError::AllHandsMatched(state.hands_needed));
            }
            let direct = !state.offers.contains(helper);
            if direct && !ctx.role.is_staff() {
                return Err(RequestError::DirectMatchNeedsConnector);
            }
            Ok(vec![HelperMatched {
                request_id: *request_id,
                helper: *helper,
                matched_by: ctx.actor_id,
                direct,
            }
            .into()])
        }
        RequestCommand::CancelMatch {
            request_id,
            helper,
            reason,
        } => {
            open(state)?;
            if !state.matched.contains(helper) {
                return Err(RequestError::NotMatched(*helper));
            }
            if !is_requester(state, ctx) && !ctx.may_act_for(*helper) {
                return Err(RequestError::NotAllowed {
                    role: ctx.role,
                    action: "cancel someone else's match",
                });
            }
            Ok(vec![MatchCancelled {
                request_id: *request_id,
                helper: *helper,
                cancelled_by: ctx.actor_id,
                reason: *reason,
            }
            .into()])
        }
        RequestCommand::Refer {
            request_id,
            organisation_id,
            organisation_status,
            reason,
        } => {
            staff(ctx, "refer a request to a professional")?;
            open(state)?;
            match organisation_status {
                crate::organisation::OrganisationStatus::Active => {}
                crate::organisation::OrganisationStatus::Unknown => {
                    return Err(RequestError::UnknownOrganisation)
                }
                crate::organisation::OrganisationStatus::Inactive => {
                    return Err(RequestError::OrganisationInactive)
                }
            }
            if state.referral_active() {
                return Err(RequestError::AlreadyReferred);
            }
            Ok(vec![ReferredToProfessional {
                request_id: *request_id,
                organisation_id: *organisation_id,
                referred_by: ctx.actor_id,
                reason: about(reason, requester_of(state)?),
            }
            .into()])
        }
        RequestCommand::RecordReferralOutcome {
            request_id,
            outcome,
            note,
        } => {
            if !ctx.role.is_staff() && ctx.role != Role::Partner {
                return Err(RequestError::NotAllowed {
                    role: ctx.role,
                    action: "record a referral's outcome",
                });
            }
            open(state)?;
            let referral = state
                .referral
                .as_ref()
                .filter(|r| r.is_active())
                .ok_or(RequestError::NoReferral)?;
            Ok(vec![ReferralOutcomeRecorded {
                request_id: *request_id,
                organisation_id: referral.organisation_id,
                outcome: *outcome,
                recorded_by: ctx.actor_id,
                note: about(note, requester_of(state)?),
            }
            .into()])
        }
        RequestCommand::Resolve {
            request_id,
            resolution,
            helpers_credited,
            minutes_given,
            compensation,
        } => {
            open(state)?;
            let involved = is_requester(state, ctx)
                || state.matched.contains(&ctx.actor_id)
                || ctx.role.is_staff()
                || (ctx.role == Role::Partner && state.referral_active());
            if !involved {
                return Err(RequestError::NotInvolved);
            }
            let mut credited = helpers_credited.clone();
            credited.sort();
            credited.dedup();
            let organisation_credited = match resolution {
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
                request_id: *request_id,
                resolved_by: ctx.actor_id,
                resolution: *resolution,
                helpers_credited: credited,
                organisation_credited,
                minutes_given: *minutes_given,
                compensation: *compensation,
            }
            .into()])
        }
        RequestCommand::Close { request_id, reason } => {
            open(state)?;
            let allowed = is_requester(state, ctx)
                || ctx.role.is_staff()
                || (ctx.role == Role::Ambassador && *reason == CloseReason::Duplicate);
            if !allowed {
                return Err(RequestError::NotAllowed {
                    role: ctx.role,
                    action: "close someone else's request",
                });
            }
            Ok(vec![RequestClosed {
                request_id: *request_id,
                reason: *reason,
                closed_by: ctx.actor_id,
            }
            .into()])
        }
        RequestCommand::Reopen { request_id } => {
            staff(ctx, "reopen a request")?;
            match state.status {
                RequestStatus::Closed | RequestStatus::Resolved => {}
                RequestStatus::NotPosted => return Err(RequestError::NotPosted),
                RequestStatus::Voided => return Err(RequestError::Voided),
                RequestStatus::Open => return Err(RequestError::NotReopenable),
            }
            Ok(vec![RequestReopened {
                request_id: *request_id,
                reopened_by: ctx.actor_id,
            }
            .into()])
        }
        RequestCommand::GiveFeedback {
            request_id,
            rating,
            comment,
        } => {
            match state.status {
                RequestStatus::Resolved => {}
                RequestStatus::NotPosted => return Err(RequestError::NotPosted),
                RequestStatus::Voided => return Err(RequestError::Voided),
                RequestStatus::Closed | RequestStatus::Open => {
                    return Err(RequestError::NotResolved)
                }
            }
            let giver: PersonId = ctx.subject();
            if giver != ctx.actor_id && !ctx.role.may_act_on_behalf() {
                return Err(RequestError::OnlyForYourself {
                    action: "give feedback",
                });
            }
            if state.requester != Some(giver) && !state.matched.contains(&giver) {
                return Err(RequestError::FeedbackNotAllowed);
            }
            if state.feedback_from.contains(&giver) {
                return Err(RequestError::FeedbackAlreadyGiven);
            }
            Ok(vec![FeedbackGiven {
                request_id: *request_id,
                given_by: giver,
                rating: *rating,
                comment: about(comment, giver),
            }
            .into()])
        }
        RequestCommand::Correct {
            request_id,
            category,
            target_group,
            neighbourhood_id,
            urgency,
            channel,
        } => {
            staff(ctx, "correct a request")?;
            if state.status == RequestStatus::NotPosted {
                return Err(RequestError::NotPosted);
            }
            // Only what really differs is recorded, so a report shows real corrections only.
            let category = category
                .clone()
                .filter(|c| state.category.as_ref() != Some(c));
            let target_group = target_group
                .clone()
                .filter(|t| state.target_group.as_ref() != Some(t));
            let neighbourhood_id = neighbourhood_id.filter(|n| state.neighbourhood_id != Some(*n));
            let urgency = urgency.filter(|u| state.urgency != Some(*u));
            let channel = channel.filter(|c| state.channel != Some(*c));
            if category.is_none()
                && target_group.is_none()
                && neighbourhood_id.is_none()
                && urgency.is_none()
                && channel.is_none()
            {
                return Err(RequestError::NothingToCorrect);
            }
            Ok(vec![RequestCorrected {
                request_id: *request_id,
                corrected_by: ctx.actor_id,
                category,
                target_group,
                neighbourhood_id,
                urgency,
                channel,
            }
            .into()])
        }
        RequestCommand::Void { request_id } => {
            staff(ctx, "void a request")?;
            // A closed request accepts only a reopen or a correction; reopen it first.
            match state.status {
                RequestStatus::NotPosted => return Err(RequestError::NotPosted),
                RequestStatus::Voided => return Err(RequestError::Voided),
                RequestStatus::Closed => return Err(RequestError::Closed),
                RequestStatus::Open | RequestStatus::Resolved => {}
            }
            Ok(vec![RequestVoided {
                request_id: *request_id,
                voided_by: ctx.actor_id,
            }
            .into()])
        }
    }
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
    }
    state
}
