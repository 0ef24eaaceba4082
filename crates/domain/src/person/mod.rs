//! The person aggregate (stream `person-<id>`): residents, helpers and staff, their profile,
//! talents, helper opt-in, the roles granted to them, their screening and suspension as a
//! helper (safeguarding), whether matched people may read their contact detail, and erasure.

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::PersonError;
pub use event::*;
pub use state::{Grant, PersonState, PersonStatus, Screening, Standing, Unfit};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::{Decider, Reference};
use crate::incident::Incident;
use crate::neighbourhood::Neighbourhood;
use crate::organisation::Organisation;
use crate::role::RoleScope;

/// The stream category of persons.
pub const CATEGORY: &str = "person";

/// The person decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person;

impl Decider for Person {
    type State = PersonState;
    type Command = PersonCommand;
    type Event = PersonEvent;
    type Error = PersonError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &PersonCommand) -> Uuid {
        command.person_id().as_uuid()
    }

    /// A profile update that moves the person names a neighbourhood that must exist.
    ///
    /// Registering does not: the first admin of a new tenant registers before any
    /// neighbourhood exists (they register the neighbourhoods next), naming the one they
    /// are about to create.
    ///
    /// A grant names the neighbourhoods or the organisation of its scope, which must exist in
    /// the caller's tenant: a connector of tenant A can never be granted B's neighbourhood. A
    /// revocation names none: it only matches grants already on this person's stream, which
    /// were checked when they were made, so naming another tenant's id finds nothing.
    ///
    /// A suspension names the incident that led to it, if any.
    fn references(command: &PersonCommand) -> Vec<Reference> {
        match command {
            PersonCommand::UpdateProfile(c) => c
                .neighbourhood_id
                .map(Reference::to::<Neighbourhood>)
                .into_iter()
                .collect(),
            PersonCommand::GrantRole(c) => match &c.scope {
                RoleScope::Tenant => Vec::new(),
                RoleScope::Neighbourhoods(hoods) => hoods
                    .ids()
                    .iter()
                    .map(|&id| Reference::to::<Neighbourhood>(id))
                    .collect(),
                RoleScope::Organisation(id) => vec![Reference::to::<Organisation>(*id)],
            },
            PersonCommand::Suspend(c) => c
                .incident_id
                .map(Reference::to::<Incident>)
                .into_iter()
                .collect(),
            PersonCommand::Register(_)
            | PersonCommand::DeclareSkills(_)
            | PersonCommand::RecordScreening(_)
            | PersonCommand::WithdrawScreening(_)
            | PersonCommand::LiftSuspension(_)
            | PersonCommand::OptIn(_)
            | PersonCommand::OptOut(_)
            | PersonCommand::Erase(_)
            | PersonCommand::RevokeRole(_)
            | PersonCommand::ChooseContactSharing(_) => Vec::new(),
        }
    }

    fn decide(
        state: &PersonState,
        ctx: &CommandContext,
        command: &PersonCommand,
    ) -> Result<Vec<PersonEvent>, PersonError> {
        decide::decide(state, ctx, command)
    }

    fn evolve(state: PersonState, event: &PersonEvent) -> PersonState {
        decide::evolve(state, event)
    }
}
