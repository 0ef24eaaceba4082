//! The rules of a call: `decide` hands each command to the small function that holds its rule,
//! `evolve` folds an event into the state.

use crate::access::{refuse_read_only, Refusal};
use crate::context::CommandContext;
use crate::role::Role;

use super::command::*;
use super::event::*;
use super::state::{CallState, CallStatus};
use super::CallError;

/// What deciding one command gives: the event, or why it was refused.
type Decision = Result<Vec<CallEvent>, CallError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(state: &CallState, ctx: &CommandContext, command: &CallCommand) -> Decision {
    refuse_read_only(ctx)?;
    match command {
        CallCommand::Publish(c) => publish(state, ctx, c),
        CallCommand::Answer(c) => answer(state, ctx, c),
        CallCommand::Close(c) => close(state, ctx, c),
    }
}

/// Requires a role that publishes and closes calls: connector, partner or admin.
fn require_manager(ctx: &CommandContext, action: &'static str) -> Result<(), Refusal> {
    if matches!(ctx.role, Role::Connector | Role::Partner | Role::Admin) {
        Ok(())
    } else {
        Err(Refusal::NotAllowed {
            role: ctx.role,
            action,
        })
    }
}

/// Refuses anything but an open call.
fn ensure_open(state: &CallState) -> Result<(), CallError> {
    match state.status {
        CallStatus::NotPublished => Err(CallError::NotPublished),
        CallStatus::Closed => Err(CallError::Closed),
        CallStatus::Open => Ok(()),
    }
}

/// Publishes a call with a title, a scope and a deadline in the future.
fn publish(state: &CallState, ctx: &CommandContext, c: &PublishCall) -> Decision {
    require_manager(ctx, "publish a call")?;
    if state.status != CallStatus::NotPublished {
        return Err(CallError::AlreadyPublished);
    }
    if c.title.is_blank() {
        return Err(CallError::EmptyTitle);
    }
    if matches!(&c.scope, CallScope::Neighbourhoods(list) if list.is_empty()) {
        return Err(CallError::NoNeighbourhoods);
    }
    if c.deadline <= ctx.now {
        return Err(CallError::DeadlineNotInFuture);
    }
    let mut fields = c.fields_asked.clone();
    fields.sort();
    fields.dedup();
    let scope = match &c.scope {
        CallScope::All => CallScope::All,
        CallScope::Neighbourhoods(list) => {
            let mut list = list.clone();
            list.sort();
            list.dedup();
            CallScope::Neighbourhoods(list)
        }
    };
    Ok(vec![CallPublished {
        call_id: c.call_id,
        published_by: ctx.actor_id,
        organisation_id: c.organisation_id,
        // Free text of the call is personal data of the one who wrote it.
        title: c.title.clone().about(ctx.actor_id),
        description: c.description.clone().map(|d| d.about(ctx.actor_id)),
        category: c.category.clone(),
        scope,
        fields_asked: fields,
        hands_needed: c.hands_needed,
        deadline: c.deadline,
        skills_wanted: c.skills_wanted.clone(),
    }
    .into()])
}

/// Answers an open call before its deadline, once, with every field it asks for.
fn answer(state: &CallState, ctx: &CommandContext, c: &AnswerCall) -> Decision {
    ensure_open(state)?;
    if state.deadline.is_some_and(|d| ctx.now > d) {
        return Err(CallError::DeadlinePassed);
    }
    let person = ctx.subject();
    if person != ctx.actor_id && !ctx.role.may_act_on_behalf() {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "answer a call for someone else",
        }
        .into());
    }
    if state.answered_by.contains(&person) {
        return Err(CallError::AlreadyAnswered);
    }
    for field in &state.fields_asked {
        let given = match field {
            CallField::Name => c.name.as_ref().is_some_and(|n| !n.is_blank()),
            CallField::Contact => c.contact.as_ref().is_some_and(|x| !x.is_blank()),
            CallField::Availability => c.availability.is_some(),
        };
        if !given {
            return Err(CallError::MissingField(*field));
        }
    }
    if [&c.name, &c.contact]
        .into_iter()
        .flatten()
        .any(|p| p.subject != person)
    {
        return Err(CallError::WrongSubject);
    }
    Ok(vec![CallAnswered {
        call_id: c.call_id,
        answered_by: person,
        name: c.name.clone(),
        contact: c.contact.clone(),
        availability: c.availability.clone(),
    }
    .into()])
}

/// Closes an open call.
fn close(state: &CallState, ctx: &CommandContext, c: &CloseCall) -> Decision {
    require_manager(ctx, "close a call")?;
    ensure_open(state)?;
    Ok(vec![CallClosed {
        call_id: c.call_id,
        closed_by: ctx.actor_id,
        reason: c.reason,
    }
    .into()])
}

/// Folds one event into the state.
pub(super) fn evolve(mut state: CallState, event: &CallEvent) -> CallState {
    match event {
        CallEvent::CallPublished(e) => {
            state.status = CallStatus::Open;
            state.call_id = Some(e.call_id);
            state.fields_asked = e.fields_asked.clone();
            state.hands_needed = e.hands_needed.get();
            state.deadline = Some(e.deadline);
        }
        CallEvent::CallAnswered(e) => {
            state.answered_by.insert(e.answered_by);
        }
        CallEvent::CallClosed(_) => state.status = CallStatus::Closed,
    }
    state
}
