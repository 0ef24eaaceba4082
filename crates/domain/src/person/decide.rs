//! The rules of a person: `decide` hands each command to the small function that holds its
//! rule, `evolve` folds an event into the state.

use crate::access::{refuse_funder, Refusal};
use crate::context::CommandContext;
use crate::ids::PersonId;
use crate::personal::Personal;
use crate::role::Role;

use super::command::*;
use super::event::*;
use super::state::{PersonState, PersonStatus};
use super::PersonError;

/// What deciding one command gives: the event, or why it was refused.
type Decision = Result<Vec<PersonEvent>, PersonError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &PersonState,
    ctx: &CommandContext,
    command: &PersonCommand,
) -> Decision {
    refuse_funder(ctx)?;
    match command {
        PersonCommand::Register(c) => register(state, ctx, c),
        PersonCommand::UpdateProfile(c) => update_profile(state, ctx, c),
        PersonCommand::DeclareSkills(c) => declare_skills(state, ctx, c),
        PersonCommand::OptIn(c) => opt_in(state, ctx, c),
        PersonCommand::OptOut(c) => opt_out(state, ctx, c),
        PersonCommand::Erase(c) => erase(state, ctx, c),
    }
}

/// Whether every piece of personal data given is about `person`: a profile holds only its own
/// person's data, so erasing them erases all of it.
fn all_about<'a>(person: PersonId, fields: impl IntoIterator<Item = Option<&'a Personal>>) -> bool {
    fields.into_iter().flatten().all(|p| p.subject == person)
}

/// Requires the actor to be the person, or to act for them in a role that may.
fn require_self_or_on_behalf(
    ctx: &CommandContext,
    person: PersonId,
    action: &'static str,
) -> Result<(), Refusal> {
    if ctx.may_act_for(person) {
        Ok(())
    } else {
        Err(Refusal::OnlyForYourself { action })
    }
}

/// Refuses a person who is not registered, or who was erased.
fn ensure_registered(state: &PersonState) -> Result<(), PersonError> {
    match state.status {
        PersonStatus::Unregistered => Err(PersonError::NotRegistered),
        PersonStatus::Erased => Err(PersonError::Erased),
        PersonStatus::Active => Ok(()),
    }
}

/// Registers a person: oneself, or someone else as connector, partner, ambassador or admin.
fn register(state: &PersonState, ctx: &CommandContext, c: &RegisterPerson) -> Decision {
    match state.status {
        PersonStatus::Unregistered => {}
        PersonStatus::Active => return Err(PersonError::AlreadyRegistered),
        PersonStatus::Erased => return Err(PersonError::Erased),
    }
    let self_registered = ctx.actor_id == c.person_id;
    let may_register_others = matches!(
        ctx.role,
        Role::Connector | Role::Partner | Role::Ambassador | Role::Admin
    );
    if !self_registered && !may_register_others {
        return Err(Refusal::OnlyForYourself { action: "register" }.into());
    }
    if c.name.is_blank() {
        return Err(PersonError::EmptyName);
    }
    if !all_about(
        c.person_id,
        [Some(&c.name), c.contact.as_ref(), c.address.as_ref()],
    ) {
        return Err(PersonError::WrongSubject);
    }
    Ok(vec![PersonRegistered {
        person_id: c.person_id,
        name: c.name.clone(),
        contact: c.contact.clone(),
        address: c.address.clone(),
        neighbourhood_id: c.neighbourhood_id,
        location: c.location,
        languages: c.languages.clone(),
        digital_access: c.digital_access,
        registered_by: ctx.actor_id,
        self_registered,
    }
    .into()])
}

/// Changes part of a profile; fields left out stay as they are.
fn update_profile(state: &PersonState, ctx: &CommandContext, c: &UpdateProfile) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "update a profile")?;
    if c.name.is_none()
        && c.contact.is_none()
        && c.address.is_none()
        && c.neighbourhood_id.is_none()
        && c.location.is_none()
        && c.languages.is_none()
        && c.digital_access.is_none()
    {
        return Err(PersonError::NothingToUpdate);
    }
    if c.name.as_ref().is_some_and(Personal::is_blank) {
        return Err(PersonError::EmptyName);
    }
    if !all_about(
        c.person_id,
        [c.name.as_ref(), c.contact.as_ref(), c.address.as_ref()],
    ) {
        return Err(PersonError::WrongSubject);
    }
    Ok(vec![ProfileUpdated {
        person_id: c.person_id,
        name: c.name.clone(),
        contact: c.contact.clone(),
        address: c.address.clone(),
        neighbourhood_id: c.neighbourhood_id,
        location: c.location,
        languages: c.languages.clone(),
        digital_access: c.digital_access,
    }
    .into()])
}

/// Declares skills, availability and reach.
fn declare_skills(state: &PersonState, ctx: &CommandContext, c: &DeclareSkills) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "declare skills")?;
    if c.skills.is_empty() {
        return Err(PersonError::NoSkills);
    }
    let mut skills = c.skills.clone();
    skills.sort();
    skills.dedup();
    Ok(vec![SkillsDeclared {
        person_id: c.person_id,
        skills,
        availability: c.availability.clone(),
        max_distance: c.max_distance,
        available_for_calls: c.available_for_calls,
    }
    .into()])
}

/// Opts in as helper.
fn opt_in(state: &PersonState, ctx: &CommandContext, c: &OptInAsHelper) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "opt in as helper")?;
    if state.helper {
        return Err(PersonError::AlreadyHelper);
    }
    Ok(vec![HelperOptedIn {
        person_id: c.person_id,
    }
    .into()])
}

/// Opts out as helper.
fn opt_out(state: &PersonState, ctx: &CommandContext, c: &OptOutAsHelper) -> Decision {
    ensure_registered(state)?;
    require_self_or_on_behalf(ctx, c.person_id, "opt out as helper")?;
    if !state.helper {
        return Err(PersonError::NotHelper);
    }
    Ok(vec![HelperOptedOut {
        person_id: c.person_id,
    }
    .into()])
}

/// Erases a person: themselves, or anyone when a connector or admin does it.
fn erase(state: &PersonState, ctx: &CommandContext, c: &ErasePerson) -> Decision {
    ensure_registered(state)?;
    if ctx.actor_id != c.person_id && !ctx.role.is_staff() {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "erase someone else",
        }
        .into());
    }
    Ok(vec![PersonErased {
        person_id: c.person_id,
        erased_by: ctx.actor_id,
    }
    .into()])
}

/// Folds one event into the state.
pub(super) fn evolve(mut state: PersonState, event: &PersonEvent) -> PersonState {
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
