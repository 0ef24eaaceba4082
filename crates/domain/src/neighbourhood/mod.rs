//! The neighbourhood aggregate (stream `neighbourhood-<id>`): a named area with an approximate
//! centre and radius.

mod command;
mod error;
mod event;
mod state;

pub use command::NeighbourhoodCommand;
pub use error::NeighbourhoodError;
pub use event::*;
pub use state::NeighbourhoodState;

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;
use crate::role::Role;

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
        match ctx.role {
            Role::Admin => {}
            Role::Funder => return Err(NeighbourhoodError::FunderCannotAct),
            other => return Err(NeighbourhoodError::NotAllowed(other)),
        }
        let event: NeighbourhoodEvent = match command {
            NeighbourhoodCommand::Register {
                neighbourhood_id,
                name,
                centroid,
                radius,
            } => {
                if state.is_registered() {
                    return Err(NeighbourhoodError::AlreadyRegistered);
                }
                NeighbourhoodRegistered {
                    neighbourhood_id: *neighbourhood_id,
                    name: name.clone(),
                    centroid: *centroid,
                    radius: *radius,
                    registered_by: ctx.actor_id,
                }
                .into()
            }
            NeighbourhoodCommand::Rename {
                neighbourhood_id,
                name,
            } => {
                if !state.is_registered() {
                    return Err(NeighbourhoodError::NotRegistered);
                }
                if state.name.as_ref() == Some(name) {
                    return Err(NeighbourhoodError::NothingChanged);
                }
                NeighbourhoodRenamed {
                    neighbourhood_id: *neighbourhood_id,
                    name: name.clone(),
                }
                .into()
            }
            NeighbourhoodCommand::ChangeBoundary {
                neighbourhood_id,
                centroid,
                radius,
            } => {
                if !state.is_registered() {
                    return Err(NeighbourhoodError::NotRegistered);
                }
                if state.centroid == Some(*centroid) && state.radius == Some(*radius) {
                    return Err(NeighbourhoodError::NothingChanged);
                }
                NeighbourhoodBoundaryChanged {
                    neighbourhood_id: *neighbourhood_id,
                    centroid: *centroid,
                    radius: *radius,
                }
                .into()
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: NeighbourhoodState, event: &NeighbourhoodEvent) -> NeighbourhoodState {
        match event {
            NeighbourhoodEvent::NeighbourhoodRegistered(e) => {
                state.neighbourhood_id = Some(e.neighbourhood_id);
                state.name = Some(e.name.clone());
                state.centroid = Some(e.centroid);
                state.radius = Some(e.radius);
            }
            NeighbourhoodEvent::NeighbourhoodRenamed(e) => state.name = Some(e.name.clone()),
            NeighbourhoodEvent::NeighbourhoodBoundaryChanged(e) => {
                state.centroid = Some(e.centroid);
                state.radius = Some(e.radius);
            }
        }
        state
    }
}
