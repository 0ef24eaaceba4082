//! The tenant aggregate (stream `tenant-<id>`): the organisation or municipality that runs
//! Noaber for its area. Everything else belongs to exactly one tenant.

mod command;
mod decide;
mod error;
mod event;
mod state;

pub use command::*;
pub use error::TenantError;
pub use event::*;
pub use state::TenantState;

use uuid::Uuid;

use crate::context::CommandContext;
use crate::decider::Decider;

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
        decide::decide(state, ctx, command)
    }

    fn evolve(state: TenantState, event: &TenantEvent) -> TenantState {
        decide::evolve(state, event)
    }
}
