//! The rules of a neighbourhood, which only an admin manages: `decide` hands each command to
//! the small function that holds its rule, `evolve` folds an event into the state.

use crate::access::require_admin;
use crate::context::CommandContext;

use super::command::*;
use super::event::*;
use super::state::NeighbourhoodState;
use super::NeighbourhoodError;

/// What deciding one command gives: the event, or why it was refused.
type Decision = Result<Vec<NeighbourhoodEvent>, NeighbourhoodError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &NeighbourhoodState,
    ctx: &CommandContext,
    command: &NeighbourhoodCommand,
) -> Decision {
    require_admin(ctx, "manage neighbourhoods")?;
    match command {
        NeighbourhoodCommand::Register(c) => register(state, ctx, c),
        NeighbourhoodCommand::Rename(c) => rename(state, c),
        NeighbourhoodCommand::ChangeBoundary(c) => change_boundary(state, c),
    }
}

/// Registers a new neighbourhood.
fn register(
    state: &NeighbourhoodState,
    ctx: &CommandContext,
    c: &RegisterNeighbourhood,
) -> Decision {
    if state.is_registered() {
        return Err(NeighbourhoodError::AlreadyRegistered);
    }
    Ok(vec![NeighbourhoodRegistered {
        neighbourhood_id: c.neighbourhood_id,
        name: c.name.clone(),
        centroid: c.centroid,
        radius: c.radius,
        registered_by: ctx.actor_id,
    }
    .into()])
}

/// Renames a neighbourhood to a new name.
fn rename(state: &NeighbourhoodState, c: &RenameNeighbourhood) -> Decision {
    if !state.is_registered() {
        return Err(NeighbourhoodError::NotRegistered);
    }
    if state.name.as_ref() == Some(&c.name) {
        return Err(NeighbourhoodError::NothingChanged);
    }
    Ok(vec![NeighbourhoodRenamed {
        neighbourhood_id: c.neighbourhood_id,
        name: c.name.clone(),
    }
    .into()])
}

/// Moves a neighbourhood's centre or changes its radius.
fn change_boundary(state: &NeighbourhoodState, c: &ChangeBoundary) -> Decision {
    if !state.is_registered() {
        return Err(NeighbourhoodError::NotRegistered);
    }
    if state.centroid == Some(c.centroid) && state.radius == Some(c.radius) {
        return Err(NeighbourhoodError::NothingChanged);
    }
    Ok(vec![NeighbourhoodBoundaryChanged {
        neighbourhood_id: c.neighbourhood_id,
        centroid: c.centroid,
        radius: c.radius,
    }
    .into()])
}

/// Folds one event into the state.
pub(super) fn evolve(
    mut state: NeighbourhoodState,
    event: &NeighbourhoodEvent,
) -> NeighbourhoodState {
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
