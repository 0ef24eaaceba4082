//! The partner organisation aggregate (stream `organisation-<id>`).

mod command;
mod error;
mod event;
mod state;

pub use command::OrganisationCommand;
pub use error::OrganisationError;
pub use event::*;
pub use state::{OrganisationState, OrganisationStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;
use crate::role::Role;

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

    fn decide(
        state: &OrganisationState,
        ctx: &CommandContext,
        command: &OrganisationCommand,
    ) -> Result<Vec<OrganisationEvent>, OrganisationError> {
        if ctx.role == Role::Funder {
            return Err(OrganisationError::FunderCannotAct);
        }
        let event: OrganisationEvent = match command {
            OrganisationCommand::Register {
                organisation_id,
                name,
                kind,
            } => {
                if !ctx.role.is_staff() {
                    return Err(OrganisationError::NotAllowed {
                        role: ctx.role,
                        action: "register an organisation",
                    });
                }
                if state.status != OrganisationStatus::Unknown {
                    return Err(OrganisationError::AlreadyRegistered);
                }
                OrganisationRegistered {
                    organisation_id: *organisation_id,
                    name: name.clone(),
                    kind: *kind,
                    registered_by: ctx.actor_id,
                }
                .into()
            }
            OrganisationCommand::OfferServices {
                organisation_id,
                categories,
                neighbourhoods,
            } => {
                if !ctx.role.is_staff() && ctx.role != Role::Partner {
                    return Err(OrganisationError::NotAllowed {
                        role: ctx.role,
                        action: "record an organisation's services",
                    });
                }
                match state.status {
                    OrganisationStatus::Unknown => return Err(OrganisationError::NotRegistered),
                    OrganisationStatus::Inactive => return Err(OrganisationError::Inactive),
                    OrganisationStatus::Active => {}
                }
                if categories.is_empty() {
                    return Err(OrganisationError::NoCategories);
                }
                let mut categories = categories.clone();
                categories.sort();
                categories.dedup();
                let mut neighbourhoods = neighbourhoods.clone();
                neighbourhoods.sort();
                neighbourhoods.dedup();
                ServicesOffered {
                    organisation_id: *organisation_id,
                    categories,
                    neighbourhoods,
                    recorded_by: ctx.actor_id,
                }
                .into()
            }
            OrganisationCommand::Deactivate { organisation_id } => {
                if !ctx.role.is_staff() {
                    return Err(OrganisationError::NotAllowed {
                        role: ctx.role,
                        action: "deactivate an organisation",
                    });
                }
                match state.status {
                    OrganisationStatus::Unknown => return Err(OrganisationError::NotRegistered),
                    OrganisationStatus::Inactive => return Err(OrganisationError::Inactive),
                    OrganisationStatus::Active => {}
                }
                OrganisationDeactivated {
                    organisation_id: *organisation_id,
                    deactivated_by: ctx.actor_id,
                }
                .into()
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: OrganisationState, event: &OrganisationEvent) -> OrganisationState {
        match event {
            OrganisationEvent::OrganisationRegistered(e) => {
                state.status = OrganisationStatus::Active;
                state.organisation_id = Some(e.organisation_id);
            }
            OrganisationEvent::ServicesOffered(_) => {}
            OrganisationEvent::OrganisationDeactivated(_) => {
                state.status = OrganisationStatus::Inactive;
            }
        }
        state
    }
}
