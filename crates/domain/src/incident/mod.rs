//! The incident aggregate (stream `incident-<id>`): an incident or complaint about a request or
//! a person, reported by anyone signed in and handled by a connector.
//!
//! Incidents are for connectors only: the read models put them in the connector queue and
//! never in a resident's feed. The report's description is personal data of the one who
//! reported it.

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::IncidentError;
pub use event::*;
pub use state::{IncidentState, IncidentStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::{Decider, Reference};
use crate::person::Person;
use crate::request::HelpRequest;

/// The stream category of incidents.
pub const CATEGORY: &str = "incident";

/// The incident decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Incident;

impl Decider for Incident {
    type State = IncidentState;
    type Command = IncidentCommand;
    type Event = IncidentEvent;
    type Error = IncidentError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &IncidentCommand) -> Uuid {
        command.incident_id().as_uuid()
    }

    /// A report names the request and the person it is about, which must exist in the
    /// caller's tenant: nobody can file a report against another tenant's resident.
    fn references(command: &IncidentCommand) -> Vec<Reference> {
        match command {
            IncidentCommand::Report(c) => {
                let mut refs: Vec<Reference> = c
                    .request_id
                    .map(Reference::to::<HelpRequest>)
                    .into_iter()
                    .collect();
                refs.extend(c.person_id.map(Reference::to::<Person>));
                refs
            }
            IncidentCommand::Acknowledge(_) | IncidentCommand::Close(_) => Vec::new(),
        }
    }

    fn decide(
        state: &IncidentState,
        ctx: &CommandContext,
        command: &IncidentCommand,
    ) -> Result<Vec<IncidentEvent>, IncidentError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: IncidentState, event: &IncidentEvent) -> IncidentState {
        decide::evolve(state, event)
    }
}
