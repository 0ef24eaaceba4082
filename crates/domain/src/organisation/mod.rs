//! The partner organisation aggregate (stream `organisation-<id>`).

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::OrganisationError;
pub use event::*;
pub use state::{OrganisationState, OrganisationStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::{Decider, Reference};
use crate::neighbourhood::Neighbourhood;

/// The stream category of organisations.
pub const CATEGORY: &str = "organisation";

/// The organisation decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Organisation;

impl Decider for Organisation {
    type State = OrganisationState;
    type Command = OrganisationCommand;
    type Event = OrganisationEvent;
    type Error = OrganisationError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &OrganisationCommand) -> Uuid {
        command.organisation_id().as_uuid()
    }

    /// The services an organisation offers name the neighbourhoods it serves (none: all of
    /// them), which must exist for a referral to find it there.
    fn references(command: &OrganisationCommand) -> Vec<Reference> {
        match command {
            OrganisationCommand::OfferServices(c) => c
                .neighbourhoods
                .iter()
                .copied()
                .map(Reference::to::<Neighbourhood>)
                .collect(),
            OrganisationCommand::Register(_) | OrganisationCommand::Deactivate(_) => Vec::new(),
        }
    }

    fn decide(
        state: &OrganisationState,
        ctx: &CommandContext,
        command: &OrganisationCommand,
    ) -> Result<Vec<OrganisationEvent>, OrganisationError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: OrganisationState, event: &OrganisationEvent) -> OrganisationState {
        decide::evolve(state, event)
    }
}
