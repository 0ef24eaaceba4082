//! The person aggregate (stream `person-<id>`): residents, helpers and staff, their profile,
//! talents, helper opt-in and erasure.

mod command;
mod error;
mod event;
mod state;

pub use command::PersonCommand;
pub use error::PersonError;
pub use event::*;
pub use state::{PersonState, PersonStatus};

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;
use crate::ids::PersonId;
use crate::personal::Personal;
use crate::role::Role;

/// The stream category of persons.
pub const CATEGORY: &str = "person";

/// The person decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person;

fn subjects_ok<'a>(
    person: PersonId,
    fields: impl IntoIterator<Item = Option<&'a Personal>>,
) -> bool {
    fields.into_iter().flatten().all(|p| p.subject == person)
}

fn authorise(
    ctx: &CommandContext,
    person: PersonId,
    action: &'static str,
) -> Result<(), PersonError> {
    if ctx.may_act_for(person) {
        Ok(())
    } else {
        Err(PersonError::OnlyForYourself { action })
    }
}

fn registered(state: &PersonState) -> Result<(), PersonError> {
    match state.status {
        PersonStatus::Unregistered => Err(PersonError::NotRegistered),
        PersonStatus::Erased => Err(PersonError::Erased),
        PersonStatus::Active => Ok(()),
    }
}

impl Decider for Person {
    type State = PersonState;
    type Command = PersonCommand;
    type Event = PersonEvent;
    type Error = PersonError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &PersonCommand) -> Uuid {
        command.person_id().as_uuid()
    }

    fn decide(
        state: &PersonState,
        ctx: &CommandContext,
        command: &PersonCommand,
    ) -> Result<Vec<PersonEvent>, PersonError> {
        if ctx.role == Role::Funder {
            return Err(PersonError::FunderCannotAct);
        }
        let event: PersonEvent = match command {
            PersonCommand::Register {
                person_id,
                name,
                contact,
                address,
                neighbourhood_id,
                location,
                languages,
                digital_access,
            } => {
                match state.status {
                    PersonStatus::Unregistered => {}
                    PersonStatus::Active => return Err(PersonError::AlreadyRegistered),
                    PersonStatus::Erased => return Err(PersonError::Erased),
                }
                let self_registered = ctx.actor_id == *person_id;
                if !self_registered
                    && !matches!(
                        ctx.role,
                        Role::Connector | Role::Partner | Role::Ambassador | Role::Admin
                    )
                {
                    return Err(PersonError::OnlyForYourself { action: "register" });
                }
                if name.is_blank() {
                    return Err(PersonError::EmptyName);
                }
                if !subjects_ok(*person_id, [Some(name), contact.as_ref(), address.as_ref()]) {
                    return Err(PersonError::WrongSubject);
                }
                PersonRegistered {
                    person_id: *person_id,
                    name: name.clone(),
                    contact: contact.clone(),
                    address: address.clone(),
                    neighbourhood_id: *neighbourhood_id,
                    location: *location,
                    languages: languages.clone(),
                    digital_access: *digital_access,
                    registered_by: ctx.actor_id,
                    self_registered,
                }
                .into()
            }
            PersonCommand::UpdateProfile {
                person_id,
                name,
                contact,
                address,
                neighbourhood_id,
                location,
                languages,
                digital_access,
            } => {
                registered(state)?;
                authorise(ctx, *person_id, "update a profile")?;
                if name.is_none()
                    && contact.is_none()
                    && address.is_none()
                    && neighbourhood_id.is_none()
                    && location.is_none()
                    && languages.is_none()
                    && digital_access.is_none()
                {
                    return Err(PersonError::NothingToUpdate);
                }
                if name.as_ref().is_some_and(Personal::is_blank) {
                    return Err(PersonError::EmptyName);
                }
                if !subjects_ok(
                    *person_id,
                    [name.as_ref(), contact.as_ref(), address.as_ref()],
                ) {
                    return Err(PersonError::WrongSubject);
                }
                ProfileUpdated {
                    person_id: *person_id,
                    name: name.clone(),
                    contact: contact.clone(),
                    address: address.clone(),
                    neighbourhood_id: *neighbourhood_id,
                    location: *location,
                    languages: languages.clone(),
                    digital_access: *digital_access,
                }
                .into()
            }
            PersonCommand::DeclareSkills {
                person_id,
                skills,
                availability,
                max_distance,
                available_for_calls,
            } => {
                registered(state)?;
                authorise(ctx, *person_id, "declare skills")?;
                if skills.is_empty() {
                    return Err(PersonError::NoSkills);
                }
                let mut skills = skills.clone();
                skills.sort();
                skills.dedup();
                SkillsDeclared {
                    person_id: *person_id,
                    skills,
                    availability: availability.clone(),
                    max_distance: *max_distance,
                    available_for_calls: *available_for_calls,
                }
                .into()
            }
            PersonCommand::OptIn { person_id } => {
                registered(state)?;
                authorise(ctx, *person_id, "opt in as helper")?;
                if state.helper {
                    return Err(PersonError::AlreadyHelper);
                }
                HelperOptedIn {
                    person_id: *person_id,
                }
                .into()
            }
            PersonCommand::OptOut { person_id } => {
                registered(state)?;
                authorise(ctx, *person_id, "opt out as helper")?;
                if !state.helper {
                    return Err(PersonError::NotHelper);
                }
                HelperOptedOut {
                    person_id: *person_id,
                }
                .into()
            }
            PersonCommand::Erase { person_id } => {
                registered(state)?;
                if ctx.actor_id != *person_id && !ctx.role.is_staff() {
                    return Err(PersonError::NotAllowed {
                        role: ctx.role,
                        action: "erase someone else",
                    });
                }
                PersonErased {
                    person_id: *person_id,
                    erased_by: ctx.actor_id,
                }
                .into()
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: PersonState, event: &PersonEvent) -> PersonState {
        match event {
            PersonEvent::PersonRegistered(e) => {
                state.status = PersonStatus::Active;
                state.person_id = Some(e.person_id);
                state.neighbourhood_id = Some(e.neighbourhood_id);
            }
            PersonEvent::ProfileUpdated(e) => {
                if let Some(n) = e.neighbourhood_id {
                    state.neighbourhood_id = Some(n);
                }
            }
            PersonEvent::SkillsDeclared(e) => state.skills = e.skills.clone(),
            PersonEvent::HelperOptedIn(_) => state.helper = true,
            PersonEvent::HelperOptedOut(_) => state.helper = false,
            PersonEvent::PersonErased(_) => {
                state.status = PersonStatus::Erased;
                state.helper = false;
                state.skills.clear();
            }
        }
        state
    }
}
