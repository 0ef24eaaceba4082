//! The stored envelope: what the log keeps around every event, and the small value types of the
//! log's API (stream ids, expected versions, checkpoints, filters).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{StoreError, StoreErrorKind};

/// The id of a stream: `<category>-<id>`, e.g. `request-0190...`. The category is the part
/// before the first `-` and is what `read_all` filters on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamId(String);

impl StreamId {
    /// The longest stream id accepted.
    pub const MAX_LEN: usize = 200;

    /// Parses a stream id: `<category>-<rest>`, the category made of lowercase ASCII letters,
    /// digits and `_`, the whole at most [`Self::MAX_LEN`] bytes of printable ASCII.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let bad = |why: &str| {
            StoreError::new(
                StoreErrorKind::InvalidInput,
                format!("stream id {raw:?} is not valid: {why}"),
            )
        };
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err(bad("it must be 1 to 200 characters long"));
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad("it may hold printable ASCII only"));
        }
        let Some((category, rest)) = raw.split_once('-') else {
            return Err(bad("it must look like <category>-<id>"));
        };
        if category.is_empty()
            || rest.is_empty()
            || !category
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(bad(
                "the category must be lowercase letters, digits or _, followed by - and an id",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The stream id for an aggregate: `<category>-<id>`.
    pub fn for_aggregate(category: &str, id: Uuid) -> Self {
        Self(format!("{category}-{id}"))
    }

    /// The stream of aggregate `id` of decider `D`, e.g. `StreamId::of::<HelpRequest>(id)`: the
    /// category comes from the type, so it cannot be misspelt.
    pub fn of<D: noaber_domain::Decider>(id: impl Into<Uuid>) -> Self {
        Self::for_aggregate(D::CATEGORY, id.into())
    }

    /// The category: the part before the first `-`.
    pub fn category(&self) -> &str {
        self.0.split_once('-').map_or(self.0.as_str(), |(c, _)| c)
    }

    /// The aggregate's id: the part after the first `-`, when it is a UUID.
    pub fn aggregate_id(&self) -> Option<Uuid> {
        self.0.split_once('-').and_then(|(_, id)| id.parse().ok())
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StreamId {
    type Error = StoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StreamId> for String {
    fn from(value: StreamId) -> Self {
        value.0
    }
}

impl FromStr for StreamId {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// What the writer expects of the stream's current version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// Append whatever the version is.
    Any,
    /// The stream must have no events yet.
    NoStream,
    /// The stream must be exactly at this version (its last event has this version).
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `actual` satisfies this expectation.
    pub fn admits(self, actual: u64) -> bool {
        match self {
            Self::Any => true,
            Self::NoStream => actual == 0,
            Self::Exact(v) => actual == v,
        }
    }
}

/// Who caused an event, for whom, and as part of what. Every field is optional in the log
/// (a system event has no actor), but the domain's commands always fill actor and role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// The person or system account that caused the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<Uuid>,
    /// The actor's role when they caused it (`resident`, `connector`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_role: Option<String>,
    /// The person on whose behalf the actor acted, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<Uuid>,
    /// Groups the events of one user intention across streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    /// The event or command that caused this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// The client-supplied id of the command that produced the event (idempotent commands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<Uuid>,
}

/// An event as a writer hands it to [`crate::EventStore::append`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Unique id of the event, chosen by the writer; a retry reuses it.
    pub event_id: Uuid,
    /// The tenant (organisation, municipality) the event belongs to.
    pub tenant_id: Uuid,
    /// The event type, e.g. `RequestPosted`.
    pub event_type: String,
    /// The schema version of the payload's shape, for upcasting.
    pub schema_version: u32,
    /// The payload as JSON.
    pub payload: serde_json::Value,
    /// Who did it, for whom, as part of what.
    pub metadata: Metadata,
    /// When it happened; may be earlier than when it is recorded.
    pub occurred_at: DateTime<Utc>,
}

/// An event as the log holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Where the event sits in the log's global order; readers resume after it.
    pub checkpoint: Checkpoint,
    /// The global position (a sequence number, unique, increasing in append order).
    pub position: i64,
    /// The tenant the event belongs to.
    pub tenant_id: Uuid,
    /// The stream it belongs to.
    pub stream_id: StreamId,
    /// Its version within the stream, 1 for the first event.
    pub stream_version: u64,
    /// The writer's id for the event.
    pub event_id: Uuid,
    /// The event type.
    pub event_type: String,
    /// The schema version of the payload.
    pub schema_version: u32,
    /// The payload as stored.
    pub payload: serde_json::Value,
    /// Who did it, for whom, as part of what.
    pub metadata: Metadata,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the log learned it (set by the store).
    pub recorded_at: DateTime<Utc>,
    /// The hash of the previous event of the same stream (zeros for the first).
    pub prev_hash: [u8; 32],
    /// This event's hash: over `prev_hash` and its own stored bytes (see [`crate::hash`]).
    pub hash: [u8; 32],
}

/// A reader's place in the log's global order. Opaque to callers: compare, store and pass it
/// back. On PostgreSQL the order is (transaction id, position); on SQLite the transaction
/// part is always 0 because writes are serialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The committing transaction's id (PostgreSQL `xid8`), or 0.
    pub tx: i64,
    /// The global position.
    pub position: i64,
}

impl Checkpoint {
    /// Before the first event.
    pub const START: Checkpoint = Checkpoint { tx: 0, position: 0 };
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.tx, self.position)
    }
}

impl FromStr for Checkpoint {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            StoreError::new(
                StoreErrorKind::InvalidInput,
                format!(
                    "checkpoint {s:?} is not valid: expected <tx>:<position>, two whole numbers"
                ),
            )
        };
        let (tx, pos) = s.split_once(':').ok_or_else(bad)?;
        Ok(Self {
            tx: tx.parse().map_err(|_| bad())?,
            position: pos.parse().map_err(|_| bad())?,
        })
    }
}

/// Which events `read_all` and `subscribe` return. Empty lists mean "all".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Only events of this tenant.
    pub tenant_id: Option<Uuid>,
    /// Only events whose stream is in one of these categories.
    pub categories: Vec<String>,
    /// Only events of these types.
    pub event_types: Vec<String>,
}

impl EventFilter {
    /// Everything.
    pub fn all() -> Self {
        Self::default()
    }

    /// Whether `event` passes the filter (used by back-ends that filter in memory, and tests).
    pub fn matches(&self, event: &RecordedEvent) -> bool {
        self.tenant_id.is_none_or(|t| t == event.tenant_id)
            && (self.categories.is_empty()
                || self
                    .categories
                    .iter()
                    .any(|c| c == event.stream_id.category()))
            && (self.event_types.is_empty() || self.event_types.contains(&event.event_type))
    }
}

/// What an append wrote (or, for a retry, had written the first time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendOutcome {
    /// The global positions of the written events, in batch order.
    pub positions: Vec<i64>,
    /// The stream's version after the batch (the version of its last event).
    pub next_version: u64,
    /// True when this call was recognised as a retry and wrote nothing.
    pub was_retry: bool,
    /// Where the batch's last event stands in the global order: a reader that has applied
    /// this checkpoint has seen the whole batch.
    pub last: Checkpoint,
}
