//! The context every command carries: who acts, in which role, for which tenant, and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{PersonId, TenantId};
use crate::role::Role;

/// Who gives a command, in which role, for which tenant and at what time.
///
/// Every command is decided as `(CommandContext, Command)`: the command says what should happen,
/// the context says who asks and when. The executor copies the context into the metadata of
/// every event it writes (actor, role, on-behalf-of, command id, occurred-at).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandContext {
    /// The tenant the command belongs to.
    pub tenant_id: TenantId,
    /// The person giving the command (who is logged in).
    pub actor_id: PersonId,
    /// The role the actor acts in.
    pub role: Role,
    /// When the system received the command (passed in: the domain reads no clock).
    pub now: DateTime<Utc>,
    /// The client-supplied command id, for idempotent retries.
    pub command_id: Uuid,
    /// The resident the actor acts for, when a connector or partner acts on someone's behalf.
    pub on_behalf_of: Option<PersonId>,
    /// When the fact happened, if earlier than `now` (a connector recording yesterday's home visit).
    pub occurred_at: Option<DateTime<Utc>>,
}

impl CommandContext {
    /// A context with nobody acted for and the fact happening now.
    pub fn new(
        tenant_id: TenantId,
        actor_id: PersonId,
        role: Role,
        now: DateTime<Utc>,
        command_id: Uuid,
    ) -> Self {
        Self {
            tenant_id,
            actor_id,
            role,
            now,
            command_id,
            on_behalf_of: None,
            occurred_at: None,
        }
    }

    /// The same context acting on behalf of `person`.
    pub fn acting_for(mut self, person: PersonId) -> Self {
        self.on_behalf_of = Some(person);
        self
    }

    /// The same context for a fact that happened at `at`.
    pub fn happened_at(mut self, at: DateTime<Utc>) -> Self {
        self.occurred_at = Some(at);
        self
    }

    /// When the fact happened: `occurred_at` if given, else `now`.
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at.unwrap_or(self.now)
    }

    /// Whether the actor may act for `person`: it is themselves, they are a connector or admin,
    /// or they are a partner who states they act on that person's behalf.
    pub fn may_act_for(&self, person: PersonId) -> bool {
        self.actor_id == person
            || self.role.is_staff()
            || (self.role.may_act_on_behalf() && self.on_behalf_of == Some(person))
    }

    /// The person the command is for: `on_behalf_of` if given, else the actor.
    pub fn subject(&self) -> PersonId {
        self.on_behalf_of.unwrap_or(self.actor_id)
    }
}
