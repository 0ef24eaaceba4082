//! The rules of an organisation: `decide` hands each command to the small function that holds
//! its rule, `evolve` folds an event into the state.

use crate::access::{refuse_read_only, require_staff, Refusal};
use crate::context::CommandContext;
use crate::role::Role;

use super::command::*;
use super::event::*;
use super::state::{OrganisationState, OrganisationStatus};
use super::OrganisationError;

/// What deciding one command gives: the event, or why it was refused.
type Decision = Result<Vec<OrganisationEvent>, OrganisationError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &OrganisationState,
    ctx: &CommandContext,
    command: &OrganisationCommand,
) -> Decision {
    refuse_read_only(ctx)?;
    match command {
        OrganisationCommand::Register(c) => register(state, ctx, c),
        OrganisationCommand::OfferServices(c) => offer_services(state, ctx, c),
        OrganisationCommand::Deactivate(c) => deactivate(state, ctx, c),
    }
}

/// Refuses an organisation that is not registered or no longer active.
fn ensure_active(state: &OrganisationState) -> Result<(), OrganisationError> {
    match state.status {
        OrganisationStatus::Unknown => Err(OrganisationError::NotRegistered),
        OrganisationStatus::Inactive => Err(OrganisationError::Inactive),
        OrganisationStatus::Active => Ok(()),
    }
}

/// A connector or admin registers an organisation.
fn register(state: &OrganisationState, ctx: &CommandContext, c: &RegisterOrganisation) -> Decision {
    require_staff(ctx, "register an organisation")?;
    if state.status != OrganisationStatus::Unknown {
        return Err(OrganisationError::AlreadyRegistered);
    }
    Ok(vec![OrganisationRegistered {
        organisation_id: c.organisation_id,
        name: c.name.clone(),
        kind: c.kind,
        registered_by: ctx.actor_id,
    }
    .into()])
}

/// A connector, admin or the organisation's partner staff records the services it offers.
fn offer_services(state: &OrganisationState, ctx: &CommandContext, c: &OfferServices) -> Decision {
    if !ctx.role.is_staff() && ctx.role != Role::Partner {
        return Err(Refusal::NotAllowed {
            role: ctx.role,
            action: "record an organisation's services",
        }
        .into());
    }
    ensure_active(state)?;
    if c.categories.is_empty() {
        return Err(OrganisationError::NoCategories);
    }
    let mut categories = c.categories.clone();
    categories.sort();
    categories.dedup();
    let mut neighbourhoods = c.neighbourhoods.clone();
    neighbourhoods.sort();
    neighbourhoods.dedup();
    Ok(vec![ServicesOffered {
        organisation_id: c.organisation_id,
        categories,
        neighbourhoods,
        recorded_by: ctx.actor_id,
    }
    .into()])
}

/// A connector or admin stops the organisation taking referrals.
fn deactivate(
    state: &OrganisationState,
    ctx: &CommandContext,
    c: &DeactivateOrganisation,
) -> Decision {
    require_staff(ctx, "deactivate an organisation")?;
    ensure_active(state)?;
    Ok(vec![OrganisationDeactivated {
        organisation_id: c.organisation_id,
        deactivated_by: ctx.actor_id,
    }
    .into()])
}

/// Folds one event into the state.
pub(super) fn evolve(mut state: OrganisationState, event: &OrganisationEvent) -> OrganisationState {
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
