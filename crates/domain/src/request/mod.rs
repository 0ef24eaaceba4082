//! The help request aggregate (stream `request-<id>`): posting, triage, offers, matches,
//! referrals, resolution, closing, reopening, feedback, corrections and voids.

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::RequestCommand;
pub use error::RequestError;
pub use event::*;
pub use state::{Referral, RequestState, RequestStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;

/// The stream category of help requests.
pub const CATEGORY: &str = "request";

/// The help request decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelpRequest;

impl Decider for HelpRequest {
    type State = RequestState;
    type Command = RequestCommand;
    type Event = RequestEvent;
    type Error = RequestError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &RequestCommand) -> Uuid {
        command.request_id().as_uuid()
    }

    fn decide(
        state: &RequestState,
        ctx: &CommandContext,
        command: &RequestCommand,
    ) -> Result<Vec<RequestEvent>, RequestError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: RequestState, event: &RequestEvent) -> RequestState {
        decide::evolve(state, event)
    }
}
