//! The rules of a standing offer: `decide` hands each command to the small function that holds
//! its rule, `evolve` folds an event into the state.

use chrono::NaiveDate;

use crate::access::{refuse_read_only, Refusal};
use crate::context::CommandContext;
use crate::ids::PersonId;
use crate::person::Unfit;
use crate::role::Role;
use crate::values::CategoryCode;

use super::command::*;
use super::event::*;
use super::state::{StandingOfferState, StandingOfferStatus};
use super::StandingOfferError;

/// What deciding one command gives: the events, or why it was refused.
type Decision = Result<Vec<StandingOfferEvent>, StandingOfferError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &StandingOfferState,
    ctx: &CommandContext,
    command: &StandingOfferCommand,
) -> Decision {
    refuse_read_only(ctx)?;
    match command {
        StandingOfferCommand::Publish(c) => publish(state, ctx, c),
        StandingOfferCommand::Update(c) => update(state, ctx, c),
        StandingOfferCommand::Pause(c) => pause(state, ctx, c),
        StandingOfferCommand::Resume(c) => resume(state, ctx, c),
        StandingOfferCommand::Withdraw(c) => withdraw(state, ctx, c),
    }
}

/// The helper of a published offer that is not withdrawn.
fn live_helper(state: &StandingOfferState) -> Result<PersonId, StandingOfferError> {
    match (state.status, state.helper) {
        (StandingOfferStatus::Withdrawn, _) => Err(StandingOfferError::Withdrawn),
        (StandingOfferStatus::NotPublished, _) | (_, None) => Err(StandingOfferError::NotPublished),
        (_, Some(helper)) => Ok(helper),
    }
}

/// Only the helper changes their offer, or someone who may act for them: a connector or
/// administrator, or a partner acting on their behalf.
fn may_change(
    ctx: &CommandContext,
    helper: PersonId,
    action: &'static str,
) -> Result<(), StandingOfferError> {
    if ctx.may_act_for(helper) {
        Ok(())
    } else {
        Err(Refusal::NotAllowed {
            role: ctx.role,
            action,
        }
        .into())
    }
}

/// The day the command happens on, which a last day may not lie before.
fn today(ctx: &CommandContext) -> NaiveDate {
    ctx.occurred_at().date_naive()
}

fn sorted<T: Ord + Clone>(list: &[T]) -> Vec<T> {
    let mut list = list.to_vec();
    list.sort();
    list.dedup();
    list
}

/// Publishes a new offer with a title, a category and at least one neighbourhood.
fn publish(state: &StandingOfferState, ctx: &CommandContext, c: &PublishStandingOffer) -> Decision {
    if state.status != StandingOfferStatus::NotPublished {
        return Err(StandingOfferError::AlreadyPublished);
    }
    if !ctx.may_act_for(c.helper) {
        return Err(Refusal::OnlyForYourself {
            action: "publish a standing offer",
        }
        .into());
    }
    if c.title.is_blank() {
        return Err(StandingOfferError::EmptyTitle);
    }
    if c.neighbourhoods.is_empty() {
        return Err(StandingOfferError::NoNeighbourhoods);
    }
    if let Some(until) = c.until.filter(|u| *u < today(ctx)) {
        return Err(StandingOfferError::UntilInThePast(until));
    }
    Ok(vec![StandingOfferPublished {
        standing_offer_id: c.standing_offer_id,
        helper: c.helper,
        published_by: ctx.actor_id,
        // The offer's words are the helper's, whoever typed them.
        title: c.title.clone().about(c.helper),
        description: c
            .description
            .clone()
            .filter(|d| !d.is_blank())
            .map(|d| d.about(c.helper)),
        category: c.category.clone(),
        skills: sorted(&c.skills),
        neighbourhoods: sorted(&c.neighbourhoods),
        availability: c.availability.clone(),
        until: c.until,
    }
    .into()])
}

/// Changes what an offer that is not withdrawn says; only what really changes is recorded.
fn update(state: &StandingOfferState, ctx: &CommandContext, c: &UpdateStandingOffer) -> Decision {
    let helper = live_helper(state)?;
    may_change(ctx, helper, "change someone else's standing offer")?;
    if c.title.as_ref().is_some_and(|t| t.is_blank()) {
        return Err(StandingOfferError::EmptyTitle);
    }
    if c.neighbourhoods.as_ref().is_some_and(Vec::is_empty) {
        return Err(StandingOfferError::NoNeighbourhoods);
    }
    if let Some(until) = c.until.flatten().filter(|u| *u < today(ctx)) {
        return Err(StandingOfferError::UntilInThePast(until));
    }
    // A blank description takes the description away.
    let description = c
        .description
        .clone()
        .map(|d| d.filter(|d| !d.is_blank()).map(|d| d.about(helper)))
        .filter(|d| d.is_some() || state.described);
    let changed = StandingOfferUpdated {
        standing_offer_id: c.standing_offer_id,
        updated_by: ctx.actor_id,
        title: c.title.clone().map(|t| t.about(helper)),
        description,
        category: c
            .category
            .clone()
            .filter(|cat| state.category.as_ref() != Some(cat)),
        skills: c
            .skills
            .as_deref()
            .map(sorted)
            .filter(|s| *s != state.skills),
        neighbourhoods: c
            .neighbourhoods
            .as_deref()
            .map(sorted)
            .filter(|n| *n != state.neighbourhoods),
        availability: c.availability.clone().filter(|a| *a != state.availability),
        until: c.until.filter(|u| *u != state.until),
    };
    let nothing = changed.title.is_none()
        && changed.description.is_none()
        && changed.category.is_none()
        && changed.skills.is_none()
        && changed.neighbourhoods.is_none()
        && changed.availability.is_none()
        && changed.until.is_none();
    if nothing {
        return Err(StandingOfferError::NothingToUpdate);
    }
    Ok(vec![changed.into()])
}

/// Pauses an open offer.
fn pause(state: &StandingOfferState, ctx: &CommandContext, c: &PauseStandingOffer) -> Decision {
    let helper = live_helper(state)?;
    may_change(ctx, helper, "pause someone else's standing offer")?;
    if state.status == StandingOfferStatus::Paused {
        return Err(StandingOfferError::AlreadyPaused);
    }
    Ok(vec![StandingOfferPaused {
        standing_offer_id: c.standing_offer_id,
        paused_by: ctx.actor_id,
    }
    .into()])
}

/// Offers a paused offer again.
fn resume(state: &StandingOfferState, ctx: &CommandContext, c: &ResumeStandingOffer) -> Decision {
    let helper = live_helper(state)?;
    may_change(ctx, helper, "resume someone else's standing offer")?;
    if state.status != StandingOfferStatus::Paused {
        return Err(StandingOfferError::NotPaused);
    }
    Ok(vec![StandingOfferResumed {
        standing_offer_id: c.standing_offer_id,
        resumed_by: ctx.actor_id,
    }
    .into()])
}

/// Withdraws an offer for good: the helper or who may act for them; an ambassador only takes
/// one out of the feed they moderate.
fn withdraw(
    state: &StandingOfferState,
    ctx: &CommandContext,
    c: &WithdrawStandingOffer,
) -> Decision {
    let helper = live_helper(state)?;
    let moderating = ctx.role == Role::Ambassador && c.reason == WithdrawReason::Moderated;
    if !moderating {
        may_change(ctx, helper, "withdraw someone else's standing offer")?;
    }
    Ok(vec![StandingOfferWithdrawn {
        standing_offer_id: c.standing_offer_id,
        withdrawn_by: ctx.actor_id,
        reason: c.reason,
    }
    .into()])
}

/// Why a helper who is not fit to help may not offer it in `category`.
pub(super) fn unfit(unfit: Unfit, category: &CategoryCode) -> StandingOfferError {
    match unfit {
        Unfit::Erased => StandingOfferError::Erased,
        Unfit::Suspended => StandingOfferError::HelperSuspended,
        Unfit::NotScreened => StandingOfferError::HelperNotScreened(category.clone()),
        Unfit::ScreeningExpired(on) => StandingOfferError::ScreeningExpired(on),
    }
}

/// Folds one event into the state.
pub(super) fn evolve(
    mut state: StandingOfferState,
    event: &StandingOfferEvent,
) -> StandingOfferState {
    match event {
        StandingOfferEvent::StandingOfferPublished(e) => {
            state.status = StandingOfferStatus::Open;
            state.standing_offer_id = Some(e.standing_offer_id);
            state.helper = Some(e.helper);
            state.category = Some(e.category.clone());
            state.skills = e.skills.clone();
            state.neighbourhoods = e.neighbourhoods.clone();
            state.availability = e.availability.clone();
            state.until = e.until;
            state.described = e.description.is_some();
        }
        StandingOfferEvent::StandingOfferUpdated(e) => {
            if let Some(d) = &e.description {
                state.described = d.is_some();
            }
            if let Some(c) = &e.category {
                state.category = Some(c.clone());
            }
            if let Some(s) = &e.skills {
                state.skills = s.clone();
            }
            if let Some(n) = &e.neighbourhoods {
                state.neighbourhoods = n.clone();
            }
            if let Some(a) = &e.availability {
                state.availability = a.clone();
            }
            if let Some(u) = e.until {
                state.until = u;
            }
        }
        StandingOfferEvent::StandingOfferPaused(_) => state.status = StandingOfferStatus::Paused,
        StandingOfferEvent::StandingOfferResumed(_) => state.status = StandingOfferStatus::Open,
        StandingOfferEvent::StandingOfferWithdrawn(_) => {
            state.status = StandingOfferStatus::Withdrawn;
        }
    }
    state
}
