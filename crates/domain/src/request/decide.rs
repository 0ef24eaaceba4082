//! The rules of a help request: `decide` and `evolve`.

use crate::context::CommandContext;

use super::{RequestCommand, RequestError, RequestEvent, RequestState};

/// Decides a command (rules follow).
pub(super) fn decide(
    _state: &RequestState,
    _ctx: &CommandContext,
    _command: &RequestCommand,
) -> Result<Vec<RequestEvent>, RequestError> {
    Err(RequestError::NotPosted)
}

/// Folds one event.
pub(super) fn evolve(state: RequestState, _event: &RequestEvent) -> RequestState {
    state
}
