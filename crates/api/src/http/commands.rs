//! The glue every command endpoint shares: building the domain's [`CommandContext`] from the
//! caller, running a command through the executor, and the response body that names what was
//! written.
//!
//! A handler extracts (identity, idempotency key, typed path ids, body), converts the body into
//! a domain command, calls [`execute`], and responds; errors travel by `?` into
//! [`ApiError`](super::ApiError). Tenancy and the aggregates a command names are the
//! executor's to check (ADR 0022), so no handler reads the log before a command.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, TimeDelta, Utc};
use noaber_domain::{CommandContext, Decider, DomainError, PersonId};
use noaber_store::exec::Executed;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Actor, ApiError, AppState, CommandId};

/// How the caller acts, beside who they are: optional fields every command body may carry.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct Acting {
    /// The resident a connector or partner acts for.
    #[serde(default)]
    pub on_behalf_of: Option<PersonId>,
    /// When it really happened, when earlier than now (a home visit recorded the next day);
    /// not before 2000, and not later than now by more than five minutes.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
}

/// How far a client's clock may run ahead of the server's: an `occurred_at` later than now by
/// more than this is refused.
pub const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// The earliest `occurred_at` accepted: no fact of neighbourhood help recorded here happened
/// before 2000, and every store can hold any time from then on.
pub const EARLIEST_OCCURRED_AT: &str = "2000-01-01T00:00:00Z";

/// The domain's context for a command given by `actor` now; 400 when `occurred_at` lies
/// before [`EARLIEST_OCCURRED_AT`] or later than now by more than [`CLOCK_SKEW`].
pub fn context(
    actor: &Actor,
    command_id: CommandId,
    acting: &Acting,
) -> Result<CommandContext, ApiError> {
    let now = Utc::now();
    let mut ctx = CommandContext::new(actor.tenant, actor.actor, actor.role, now, command_id.0);
    if let Some(person) = acting.on_behalf_of {
        ctx = ctx.acting_for(person);
    }
    if let Some(at) = acting.occurred_at {
        check_occurred_at(at, now)?;
        ctx = ctx.happened_at(at);
    }
    Ok(ctx)
}

/// Refuses an `occurred_at` outside [[`EARLIEST_OCCURRED_AT`], `now` + [`CLOCK_SKEW`]].
pub fn check_occurred_at(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ApiError> {
    let earliest = EARLIEST_OCCURRED_AT
        .parse::<DateTime<Utc>>()
        .map_err(ApiError::internal)?;
    if at < earliest {
        return Err(ApiError::BadInput(format!(
            "occurred_at {at} lies before {earliest}, the earliest time Noaber records"
        )));
    }
    if at > now + CLOCK_SKEW {
        return Err(ApiError::BadInput(format!(
            "occurred_at {at} lies in the future (it is now {now}): occurred_at says when something already happened"
        )));
    }
    Ok(())
}

/// What a command wrote, as the client receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id": "0193a1b2-7c4d-7e8f-9a0b-9f8e7d6c5b4a",
    "stream": "request-0193a1b2-7c4d-7e8f-9a0b-9f8e7d6c5b4a",
    "version": 2,
    "positions": [1042],
    "events": ["HelpOffered"],
    "retry": false
}))]
pub struct Written {
    /// The id of the aggregate the command was about (new for a creation).
    pub id: Uuid,
    /// Its stream in the log.
    pub stream: String,
    /// The stream's version after the command.
    pub version: u64,
    /// The global positions written; a reader can wait until its read models reach them.
    pub positions: Vec<i64>,
    /// The types of the events written.
    pub events: Vec<String>,
    /// True when the idempotency key was seen before: the first outcome, nothing written again.
    pub retry: bool,
    /// The position token of the write: give it to any read as `?after=` to read after it
    /// (the read waits until the read models show this write).
    pub position: String,
}

/// The response of a command: 201 for a creation, 200 otherwise.
#[derive(Debug)]
pub struct CommandResponse {
    status: StatusCode,
    body: Written,
}

impl IntoResponse for CommandResponse {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// Whether a command creates its aggregate (answered 201) or changes one (200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A new aggregate.
    Create,
    /// A change to an existing one.
    Change,
}

/// Runs `command` for the caller of `ctx` and answers with what it wrote. The executor loads
/// the command's own stream once, refuses another tenant's aggregate as not found, and checks
/// that every other aggregate the command names exists in the caller's tenant.
pub async fn execute<D>(
    state: &AppState,
    ctx: &CommandContext,
    kind: Kind,
    command: D::Command,
) -> Result<CommandResponse, ApiError>
where
    D: Decider,
    D::Error: DomainError + Send + Sync + 'static,
{
    let id = D::aggregate_id(&command);
    match state.executor.execute::<D>(ctx, &command).await {
        Ok(executed) => {
            let outcome = if executed.was_retry {
                "retry"
            } else {
                "written"
            };
            super::metrics::command(D::CATEGORY, outcome);
            Ok(respond(id, kind, executed))
        }
        Err(e) => {
            super::metrics::command(D::CATEGORY, "refused");
            Err(e.into())
        }
    }
}

/// The response for an executed command.
pub fn respond(id: Uuid, kind: Kind, executed: Executed) -> CommandResponse {
    CommandResponse {
        status: match kind {
            Kind::Create => StatusCode::CREATED,
            Kind::Change => StatusCode::OK,
        },
        body: Written {
            id,
            stream: executed.stream.to_string(),
            version: executed.version,
            positions: executed.positions,
            events: executed.event_types,
            retry: executed.was_retry,
            position: executed.last.to_string(),
        },
    }
}

/// The id of a new aggregate: the client's own when it sent one; otherwise the command id, so
/// that a retried creation with the same idempotency key names the same aggregate.
pub fn new_id(given: Option<Uuid>, command_id: CommandId) -> Uuid {
    given.unwrap_or(command_id.0)
}
