//! The neighbourhood aggregate (stream `neighbourhood-<id>`): a named area with an approximate
//! centre and radius.

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::NeighbourhoodError;
pub use event::*;
pub use state::NeighbourhoodState;

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;

/// The stream category of neighbourhoods.
pub const CATEGORY: &str = "neighbourhood";

/// The neighbourhood decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Neighbourhood;

impl Decider for Neighbourhood {
    type State = NeighbourhoodState;
    type Command = NeighbourhoodCommand;
    type Event = NeighbourhoodEvent;
    type Error = NeighbourhoodError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &NeighbourhoodCommand) -> Uuid {
        command.neighbourhood_id().as_uuid()
    }

    fn decide(
        state: &NeighbourhoodState,
        ctx: &CommandContext,
        command: &NeighbourhoodCommand,
    ) -> Result<Vec<NeighbourhoodEvent>, NeighbourhoodError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: NeighbourhoodState, event: &NeighbourhoodEvent) -> NeighbourhoodState {
        decide::evolve(state, event)
    }
}
