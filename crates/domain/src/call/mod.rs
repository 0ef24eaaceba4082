//! The call aggregate (stream `call-<id>`): an organisation asks for many hands at once in one,
//! several or all neighbourhoods, with structured answers.

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::CallError;
pub use event::*;
pub use state::{CallState, CallStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::{Decider, Reference};
use crate::neighbourhood::Neighbourhood;
use crate::organisation::Organisation;

/// The stream category of calls.
pub const CATEGORY: &str = "call";

/// The call decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Call;

impl Decider for Call {
    type State = CallState;
    type Command = CallCommand;
    type Event = CallEvent;
    type Error = CallError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &CallCommand) -> Uuid {
        command.call_id().as_uuid()
    }

    /// Publishing names the organisation behind the call, if any, and the neighbourhoods it
    /// goes to (none when it goes to all): a call to a place that does not exist reaches nobody.
    ///
    /// Answers name nobody else: the answering person is the context's subject, and may be
    /// someone a connector answers for who never registered.
    fn references(command: &CallCommand) -> Vec<Reference> {
        match command {
            CallCommand::Publish(c) => {
                let mut refs: Vec<Reference> = c
                    .organisation_id
                    .map(Reference::to::<Organisation>)
                    .into_iter()
                    .collect();
                if let CallScope::Neighbourhoods(list) = &c.scope {
                    refs.extend(list.iter().copied().map(Reference::to::<Neighbourhood>));
                }
                refs
            }
            CallCommand::Answer(_) | CallCommand::Close(_) => Vec::new(),
        }
    }

    fn decide(
        state: &CallState,
        ctx: &CommandContext,
        command: &CallCommand,
    ) -> Result<Vec<CallEvent>, CallError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: CallState, event: &CallEvent) -> CallState {
        decide::evolve(state, event)
    }
}
