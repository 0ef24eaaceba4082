//! The glue every command endpoint shares: building the domain's [`CommandContext`] from the
//! caller, running a command through the executor, mapping its errors to problem documents,
//! and the response body that names what was written.
//!
//! A handler extracts (identity, idempotency key, path, body), converts the body into a domain
//! command with `TryFrom`, calls [`execute`], and responds: nothing else.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use noaber_domain::{CommandContext, Decider, DomainError, ErrorKind, PersonId, TenantId};
use noaber_store::exec::{ExecError, Executed, StoredEvent};
use noaber_store::privacy::PrivacyError;
use noaber_store::StreamId;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Actor, ApiError, AppState, CommandId};

/// How the caller acts, beside who they are: optional fields every command body may carry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Acting {
    /// The resident a connector or partner acts for.
    #[serde(default)]
    pub on_behalf_of: Option<PersonId>,
    /// When it really happened, when earlier than now (a home visit recorded the next day).
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
}

/// The domain's context for a command given by `actor` now.
pub fn context(actor: &Actor, command_id: CommandId, acting: &Acting) -> CommandContext {
    let mut ctx = CommandContext::new(
        actor.tenant,
        actor.actor,
        actor.role,
        Utc::now(),
        command_id.0,
    );
    if let Some(person) = acting.on_behalf_of {
        ctx = ctx.acting_for(person);
    }
    if let Some(at) = acting.occurred_at {
        ctx = ctx.happened_at(at);
    }
    ctx
}

/// What a command wrote, as the client receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// Runs `command` for `actor` and answers with what it wrote.
///
/// Commands on an existing aggregate first check that the aggregate belongs to the caller's
/// tenant; one of another tenant is reported as not found, never changed.
pub async fn execute<D>(
    state: &AppState,
    ctx: &CommandContext,
    kind: Kind,
    command: D::Command,
) -> Result<CommandResponse, ApiError>
where
    D: Decider,
    D::Event: StoredEvent,
    D::Error: 'static,
{
    let id = D::aggregate_id(&command);
    ensure_same_tenant(state, D::CATEGORY, id, ctx.tenant_id).await?;
    let executed = state
        .executor
        .execute::<D>(ctx, &command)
        .await
        .map_err(exec_error)?;
    Ok(respond(id, kind, executed))
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
        },
    }
}

/// Refuses to touch an aggregate that another tenant owns (404: its existence is not revealed).
pub async fn ensure_same_tenant(
    state: &AppState,
    category: &str,
    id: Uuid,
    tenant: TenantId,
) -> Result<(), ApiError> {
    let stream = StreamId::for_aggregate(category, id);
    let mut events = state.store.read_stream(&stream, 1);
    match events.next().await {
        Some(Ok(first)) if first.tenant_id != tenant.as_uuid() => Err(ApiError::NotFound(format!(
            "there is no {category} {id} here"
        ))),
        Some(Err(e)) => Err(e.into()),
        _ => Ok(()),
    }
}

/// Maps the executor's errors to the API's.
///
/// A domain refusal maps by its kind: a role that may not act is 403, a missing aggregate 404,
/// any other broken rule 422.
pub fn exec_error<E: DomainError + 'static>(err: ExecError<E>) -> ApiError {
    match err {
        ExecError::Domain(e) => match e.kind() {
            ErrorKind::Forbidden => ApiError::Forbidden(e.to_string()),
            ErrorKind::NotFound => ApiError::NotFound(e.to_string()),
            // Creating what exists stays 422 as it always was: the API's 409 tells a client
            // to retry after someone else's change, which would not help here.
            ErrorKind::Conflict | ErrorKind::Rule => ApiError::RuleViolation(e.to_string()),
        },
        e @ ExecError::Conflict { .. } => ApiError::Conflict(e.to_string()),
        e @ ExecError::NotHere { .. } => ApiError::NotFound(e.to_string()),
        e @ ExecError::UnknownReference { .. } => ApiError::RuleViolation(e.to_string()),
        ExecError::Privacy(PrivacyError::SubjectErased(_)) => ApiError::RuleViolation(
            "this person was erased; personal data about them can no longer be recorded".into(),
        ),
        ExecError::Privacy(PrivacyError::Store(e)) | ExecError::Store(e) => e.into(),
        e @ (ExecError::Decode { .. } | ExecError::Privacy(_)) => {
            ApiError::Internal(format!("{e:?}"))
        }
    }
}

/// A path parameter whose rejection is a 400 problem document (axum's is plain text).
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ApiError::BadInput(
                format!("the address is not valid: {}", e.body_text()),
            )),
            Err(other) => Err(ApiError::Internal(format!("path extraction: {other}"))),
        }
    }
}

/// The id of a new aggregate: the client's own when it sent one; otherwise the command id, so
/// that a retried creation with the same idempotency key names the same aggregate.
pub fn new_id(given: Option<Uuid>, command_id: CommandId) -> Uuid {
    given.unwrap_or(command_id.0)
}
