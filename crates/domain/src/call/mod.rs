//! The call aggregate (stream `call-<id>`): an organisation asks for many hands at once in one,
//! several or all neighbourhoods, with structured answers.

mod command;
mod error;
mod event;
mod state;

pub use command::CallCommand;
pub use error::CallError;
pub use event::*;
pub use state::{CallState, CallStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;
use crate::role::Role;

/// The stream category of calls.
pub const CATEGORY: &str = "call";

/// The call decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Call;

fn may_manage(role: Role) -> bool {
    matches!(role, Role::Connector | Role::Partner | Role::Admin)
}

impl Decider for Call {
    type State = CallState;
    type Command = CallCommand;
    type Event = CallEvent;
    type Error = CallError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &CallCommand) -> Uuid {
        command.call_id().as_uuid()
    }

    fn decide(
        state: &CallState,
        ctx: &CommandContext,
        command: &CallCommand,
    ) -> Result<Vec<CallEvent>, CallError> {
        if ctx.role == Role::Funder {
            return Err(CallError::FunderCannotAct);
        }
        let event: CallEvent = match command {
            CallCommand::Publish {
                call_id,
                organisation_id,
                title,
                description,
                category,
                scope,
                fields_asked,
                hands_needed,
                deadline,
                skills_wanted,
            } => {
                if !may_manage(ctx.role) {
                    return Err(CallError::NotAllowed {
                        role: ctx.role,
                        action: "publish a call",
                    });
                }
                if state.status != CallStatus::NotPublished {
                    return Err(CallError::AlreadyPublished);
                }
                if title.is_blank() {
                    return Err(CallError::EmptyTitle);
                }
                if matches!(scope, CallScope::Neighbourhoods(list) if list.is_empty()) {
                    return Err(CallError::NoNeighbourhoods);
                }
                if *deadline <= ctx.now {
                    return Err(CallError::DeadlineNotInFuture);
                }
                let mut fields = fields_asked.clone();
                fields.sort();
                fields.dedup();
                let scope = match scope {
                    CallScope::All => CallScope::All,
                    CallScope::Neighbourhoods(list) => {
                        let mut list = list.clone();
                        list.sort();
                        list.dedup();
                        CallScope::Neighbourhoods(list)
                    }
                };
                CallPublished {
                    call_id: *call_id,
                    published_by: ctx.actor_id,
                    organisation_id: *organisation_id,
                    // Free text of the call is personal data of the one who wrote it.
                    title: title.clone().about(ctx.actor_id),
                    description: description.clone().map(|d| d.about(ctx.actor_id)),
                    category: category.clone(),
                    scope,
                    fields_asked: fields,
                    hands_needed: *hands_needed,
                    deadline: *deadline,
                    skills_wanted: skills_wanted.clone(),
                }
                .into()
            }
            CallCommand::Answer {
                call_id,
                name,
                contact,
                availability,
            } => {
                match state.status {
                    CallStatus::NotPublished => return Err(CallError::NotPublished),
                    CallStatus::Closed => return Err(CallError::Closed),
                    CallStatus::Open => {}
                }
                if state.deadline.is_some_and(|d| ctx.now > d) {
                    return Err(CallError::DeadlinePassed);
                }
                let person = ctx.subject();
                if person != ctx.actor_id && !ctx.role.may_act_on_behalf() {
                    return Err(CallError::NotAllowed {
                        role: ctx.role,
                        action: "answer a call for someone else",
                    });
                }
                if state.answered_by.contains(&person) {
                    return Err(CallError::AlreadyAnswered);
                }
                for field in &state.fields_asked {
                    let given = match field {
                        CallField::Name => name.as_ref().is_some_and(|n| !n.is_blank()),
                        CallField::Contact => contact.as_ref().is_some_and(|c| !c.is_blank()),
                        CallField::Availability => availability.is_some(),
                    };
                    if !given {
                        return Err(CallError::MissingField(*field));
                    }
                }
                if [name, contact]
                    .into_iter()
                    .flatten()
                    .any(|p| p.subject != person)
                {
                    return Err(CallError::WrongSubject);
                }
                CallAnswered {
                    call_id: *call_id,
                    answered_by: person,
                    name: name.clone(),
                    contact: contact.clone(),
                    availability: availability.clone(),
                }
                .into()
            }
            CallCommand::Close { call_id, reason } => {
                if !may_manage(ctx.role) {
                    return Err(CallError::NotAllowed {
                        role: ctx.role,
                        action: "close a call",
                    });
                }
                match state.status {
                    CallStatus::NotPublished => return Err(CallError::NotPublished),
                    CallStatus::Closed => return Err(CallError::Closed),
                    CallStatus::Open => {}
                }
                CallClosed {
                    call_id: *call_id,
                    closed_by: ctx.actor_id,
                    reason: *reason,
                }
                .into()
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: CallState, event: &CallEvent) -> CallState {
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
}
