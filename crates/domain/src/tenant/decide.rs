//! The rules of a tenant, which only its own admin manages: `decide` hands each command to the
//! small function that holds its rule, `evolve` folds an event into the state.

use crate::access::require_admin;
use crate::context::CommandContext;

use super::command::*;
use super::event::*;
use super::state::TenantState;
use super::TenantError;

/// What deciding one command gives: the event, or why it was refused.
type Decision = Result<Vec<TenantEvent>, TenantError>;

/// Decides a command by handing it to the rule for its kind.
pub(super) fn decide(
    state: &TenantState,
    ctx: &CommandContext,
    command: &TenantCommand,
) -> Decision {
    require_admin(ctx, "manage the tenant")?;
    if command.tenant_id() != ctx.tenant_id {
        return Err(TenantError::OtherTenant);
    }
    match command {
        TenantCommand::Register(c) => register(state, ctx, c),
        TenantCommand::ChangeSettings(c) => change_settings(state, c),
        TenantCommand::SetSensitiveCategories(c) => set_sensitive_categories(state, c),
        TenantCommand::SetRetention(c) => set_retention(state, c),
    }
}

/// Registers the tenant.
fn register(state: &TenantState, ctx: &CommandContext, c: &RegisterTenant) -> Decision {
    if state.tenant_id.is_some() {
        return Err(TenantError::AlreadyRegistered);
    }
    Ok(vec![TenantRegistered {
        tenant_id: c.tenant_id,
        name: c.name.clone(),
        default_language: c.default_language.clone(),
        registered_by: ctx.actor_id,
    }
    .into()])
}

/// Changes the tenant's settings; only what really differs is recorded.
fn change_settings(state: &TenantState, c: &ChangeTenantSettings) -> Decision {
    if state.tenant_id.is_none() {
        return Err(TenantError::NotRegistered);
    }
    let name = c.name.clone().filter(|n| state.name.as_ref() != Some(n));
    let default_language = c
        .default_language
        .clone()
        .filter(|l| state.default_language.as_ref() != Some(l));
    if name.is_none() && default_language.is_none() {
        return Err(TenantError::NothingChanged);
    }
    Ok(vec![TenantSettingsChanged {
        tenant_id: c.tenant_id,
        name,
        default_language,
        sensitive_categories: None,
        retention: None,
    }
    .into()])
}

/// Sets the categories that require a helper's valid screening; refused when it is the set
/// already in force.
///
/// Unlike the other settings this does not wait for the tenant's registration: a tenant is
/// known by its admins' sign-in before anything registers it, and its residents need the
/// protection from the start.
fn set_sensitive_categories(state: &TenantState, c: &SetSensitiveCategories) -> Decision {
    if state.sensitive_categories == c.categories {
        return Err(TenantError::NothingChanged);
    }
    Ok(vec![TenantSettingsChanged {
        tenant_id: c.tenant_id,
        name: None,
        default_language: None,
        sensitive_categories: Some(c.categories.clone()),
        retention: None,
    }
    .into()])
}

/// Sets how long personal data is kept; refused when it is the policy already in force. Like
/// the sensitive categories it does not wait for the tenant's registration.
fn set_retention(state: &TenantState, c: &SetRetention) -> Decision {
    if state.retention == c.retention {
        return Err(TenantError::NothingChanged);
    }
    Ok(vec![TenantSettingsChanged {
        tenant_id: c.tenant_id,
        name: None,
        default_language: None,
        sensitive_categories: None,
        retention: Some(c.retention),
    }
    .into()])
}

/// Folds one event into the state.
pub(super) fn evolve(mut state: TenantState, event: &TenantEvent) -> TenantState {
    match event {
        TenantEvent::TenantRegistered(e) => {
            state.tenant_id = Some(e.tenant_id);
            state.name = Some(e.name.clone());
            state.default_language = Some(e.default_language.clone());
        }
        TenantEvent::TenantSettingsChanged(e) => {
            if let Some(n) = &e.name {
                state.name = Some(n.clone());
            }
            if let Some(l) = &e.default_language {
                state.default_language = Some(l.clone());
            }
            if let Some(categories) = &e.sensitive_categories {
                state.sensitive_categories = categories.clone();
            }
            if let Some(retention) = e.retention {
                state.retention = retention;
            }
        }
    }
    state
}
