//! The tenant aggregate (stream `tenant-<id>`): the organisation or municipality that runs
//! Noaber for its area. Everything else belongs to exactly one tenant.

mod command;
mod error;
mod event;
mod state;

pub use command::TenantCommand;
pub use error::TenantError;
pub use event::*;
pub use state::TenantState;

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;
use crate::role::Role;

/// The stream category of tenants.
pub const CATEGORY: &str = "tenant";

/// The tenant decider.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tenant;

impl Decider for Tenant {
    type State = TenantState;
    type Command = TenantCommand;
    type Event = TenantEvent;
    type Error = TenantError;
    const CATEGORY: &'static str = CATEGORY;

    fn aggregate_id(command: &TenantCommand) -> Uuid {
        command.tenant_id().as_uuid()
    }

    fn decide(
        state: &TenantState,
        ctx: &CommandContext,
        command: &TenantCommand,
    ) -> Result<Vec<TenantEvent>, TenantError> {
        match ctx.role {
            Role::Admin => {}
            Role::Funder => return Err(TenantError::FunderCannotAct),
            other => return Err(TenantError::NotAllowed(other)),
        }
        if command.tenant_id() != ctx.tenant_id {
            return Err(TenantError::OtherTenant);
        }
        let event: TenantEvent = match command {
            TenantCommand::Register {
                tenant_id,
                name,
                default_language,
            } => {
                if state.tenant_id.is_some() {
                    return Err(TenantError::AlreadyRegistered);
                }
                TenantRegistered {
                    tenant_id: *tenant_id,
                    name: name.clone(),
                    default_language: default_language.clone(),
                    registered_by: ctx.actor_id,
                }
                .into()
            }
            TenantCommand::ChangeSettings {
                tenant_id,
                name,
                default_language,
            } => {
                if state.tenant_id.is_none() {
                    return Err(TenantError::NotRegistered);
                }
                let name = name.clone().filter(|n| state.name.as_ref() != Some(n));
                let default_language = default_language
                    .clone()
                    .filter(|l| state.default_language.as_ref() != Some(l));
                if name.is_none() && default_language.is_none() {
                    return Err(TenantError::NothingChanged);
                }
                TenantSettingsChanged {
                    tenant_id: *tenant_id,
                    name,
                    default_language,
                }
                .into()
            }
        };
        Ok(vec![event])
    }

    fn evolve(mut state: TenantState, event: &TenantEvent) -> TenantState {
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
            }
        }
        state
    }
}
