//! The audit view: the whole history of one request or one person, in log order, as recorded.
//!
//! Not an in-memory model: an auditor's question is rare and must show exactly what the log
//! holds, so it is answered by reading the streams concerned from the store (`read_stream` is
//! indexed by stream). Keeping every event's metadata in memory would cost more than all the
//! other read models together. The one thing memory adds is which requests a person was part
//! of (as requester or helper), which the helper directory already knows.
//!
//! Entries carry who did it, in which role, on whose behalf, when it happened and when it was
//! recorded, and the event type; never the payload, so personal data stays out of the view.

use chrono::{DateTime, Utc};
use futures::StreamExt;
use noaber_domain::person::Person;
use noaber_domain::request::HelpRequest;
use noaber_domain::{PersonId, RequestId};
use noaber_store::{Checkpoint, EventStore, RecordedEvent, StoreError, StreamId};
use serde::Serialize;
use uuid::Uuid;

/// One event in a history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// The event's place in the log's global order.
    #[schema(value_type = CheckpointShape)]
    pub checkpoint: Checkpoint,
    /// The event's global position.
    pub position: i64,
    /// The stream the event belongs to.
    pub stream_id: String,
    /// The event's version within its stream.
    pub stream_version: u64,
    /// The writer's id for the event.
    pub event_id: Uuid,
    /// What happened, e.g. `HelperMatched`.
    pub event_type: String,
    /// The schema version it was stored with.
    pub schema_version: u32,
    /// Who did it (absent for system events).
    pub actor_id: Option<Uuid>,
    /// The actor's role at the time.
    pub actor_role: Option<String>,
    /// The person on whose behalf the actor acted.
    pub on_behalf_of: Option<Uuid>,
    /// The command that produced it.
    pub command_id: Option<Uuid>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the log learned it.
    pub recorded_at: DateTime<Utc>,
    /// The event's hash in its stream's chain, hex-encoded, so an auditor can check it.
    pub hash: String,
}

/// How a [`Checkpoint`] reads in JSON (the store's type has no schema of its own).
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = Checkpoint)]
pub struct CheckpointShape {
    /// The committing transaction's id (PostgreSQL), or 0 (the embedded store).
    pub tx: i64,
    /// The global position.
    pub position: i64,
}

impl From<&RecordedEvent> for AuditEntry {
    fn from(e: &RecordedEvent) -> Self {
        Self {
            checkpoint: e.checkpoint,
            position: e.position,
            stream_id: e.stream_id.as_str().to_owned(),
            stream_version: e.stream_version,
            event_id: e.event_id,
            event_type: e.event_type.clone(),
            schema_version: e.schema_version,
            actor_id: e.metadata.actor_id,
            actor_role: e.metadata.actor_role.clone(),
            on_behalf_of: e.metadata.on_behalf_of,
            command_id: e.metadata.command_id,
            occurred_at: e.occurred_at,
            recorded_at: e.recorded_at,
            hash: noaber_store::hash::to_hex(&e.hash),
        }
    }
}

/// Why a history could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The event log could not be read.
    #[error("the history could not be read from the event log: {0}")]
    Store(#[from] StoreError),
    /// Nothing was ever recorded about what was asked for.
    #[error("nothing has been recorded about {0}")]
    NotFound(String),
}

async fn read_whole(
    store: &dyn EventStore,
    stream: &StreamId,
) -> Result<Vec<AuditEntry>, AuditError> {
    let mut events = store.read_stream(stream, 1);
    let mut out = Vec::new();
    while let Some(event) = events.next().await {
        out.push(AuditEntry::from(&event?));
    }
    Ok(out)
}

/// The whole history of one request, in order.
pub async fn request_history(
    store: &dyn EventStore,
    request: RequestId,
) -> Result<Vec<AuditEntry>, AuditError> {
    let stream = StreamId::of::<HelpRequest>(request);
    let entries = read_whole(store, &stream).await?;
    if entries.is_empty() {
        return Err(AuditError::NotFound(format!("request {request}")));
    }
    Ok(entries)
}

/// The whole history of one person: their own stream and every request they took part in (as
/// requester or helper, given by `involved`, e.g. from
/// [`crate::directory::Directory::requests_of`]), merged in log order.
pub async fn person_history(
    store: &dyn EventStore,
    person: PersonId,
    involved: &[RequestId],
) -> Result<Vec<AuditEntry>, AuditError> {
    let own = StreamId::of::<Person>(person);
    let mut entries = read_whole(store, &own).await?;
    for request in involved {
        let stream = StreamId::of::<HelpRequest>(*request);
        entries.extend(read_whole(store, &stream).await?);
    }
    if entries.is_empty() {
        return Err(AuditError::NotFound(format!("person {person}")));
    }
    entries.sort_by_key(|e| e.checkpoint);
    entries.dedup_by_key(|e| e.checkpoint);
    Ok(entries)
}
