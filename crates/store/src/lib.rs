//! Noaber's event log: one append-only log of immutable events, behind one trait with two
//! interchangeable back-ends.
//!
//! - [`postgres::PgStore`]: the production log on PostgreSQL (sqlx), safe for many writers and
//!   readers; global order that never skips a late commit (see ADR 0003).
//! - [`sqlite::SqliteStore`]: the embedded default, a single file and no server, with the same
//!   API and guarantees.
//!
//! Both pass the same conformance suite (`testing::conformance`, behind the `testing` feature).
#![deny(missing_docs)]

// Callers name these modules: each is a back-end, a service over the log, or test support.
pub mod exec;
pub mod hash;
pub mod identity;
pub mod postgres;
pub mod privacy;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
pub mod verify;

// Everything public in these is re-exported below, so each item has one path: the crate root.
mod access_pack;
mod envelope;
mod error;
mod opened_cache;
mod traced;

use async_trait::async_trait;
use futures::stream::BoxStream;

pub use envelope::{
    AppendOutcome, Checkpoint, EventFilter, ExpectedVersion, Metadata, NewEvent, RecordedEvent,
    StreamId,
};
pub use error::{StoreError, StoreErrorKind};

/// How long a call waits for the database (a pooled connection, a connection being made, the
/// embedded file's write lock) before it fails as [`StoreErrorKind::Unavailable`].
pub const UNAVAILABLE_AFTER: std::time::Duration = std::time::Duration::from_secs(3);

/// A stream of recorded events, read lazily: a store never loads the whole log into memory.
pub type EventStream<'a> = BoxStream<'a, Result<RecordedEvent, StoreError>>;

/// The event log's API. Both back-ends implement it and pass one conformance suite, so callers
/// hold an `Arc<dyn EventStore>` and do not care which one they have.
#[async_trait]
pub trait EventStore: Send + Sync + std::fmt::Debug {
    /// Appends `events` to `stream` if the stream is at `expected`; the batch is written whole or
    /// not at all.
    ///
    /// Idempotent: when every event id of the batch was written before with the same content (a
    /// client's retry), the original outcome is returned and nothing is written. An event id
    /// reused with different content is [`StoreErrorKind::EventIdReused`]. An expected-version
    /// mismatch is [`StoreErrorKind::Conflict`], carrying the actual version. An empty batch is
    /// [`StoreErrorKind::EmptyBatch`].
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError>;

    /// Reads one stream in version order, starting at `from_version` (1 is the first event).
    /// A stream with no events yields nothing (it is not an error).
    fn read_stream<'a>(&'a self, stream: &'a StreamId, from_version: u64) -> EventStream<'a>;

    /// Reads the log in global order, strictly after `after`, at most `limit` events, matching
    /// `filter`. Only events that can no longer be preceded by a late commit are returned, so a
    /// reader that moves its checkpoint forward never skips one.
    fn read_all<'a>(
        &'a self,
        after: Checkpoint,
        limit: usize,
        filter: &'a EventFilter,
    ) -> EventStream<'a>;

    /// A live stream in global order: catches up from `after`, then follows new appends with low
    /// latency until the stream is dropped.
    fn subscribe(&self, after: Checkpoint, filter: EventFilter) -> EventStream<'static>;

    /// The current version of a stream (0 when it has no events).
    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError>;

    /// The checkpoint of the last event a reader can see now (the log's head), or
    /// [`Checkpoint::START`] when the log is empty.
    async fn head(&self) -> Result<Checkpoint, StoreError>;

    /// A short name of the back-end, for logs and benchmark output (`postgres`, `sqlite`).
    fn backend(&self) -> &'static str;
}

/// Where per-person encryption keys live: a table of its own beside the log, the one place
/// where something is ever deleted, so that erasing a person (destroying their key) leaves the
/// log itself untouched. Keys are stored wrapped (encrypted) by the master key; this trait only
/// moves the wrapped bytes.
#[async_trait]
pub trait KeyStore: Send + Sync + std::fmt::Debug {
    /// Stores `wrapped` as the key of `subject` unless the subject already has a key or was
    /// erased, and returns what the subject now has: the (possibly earlier) wrapped key, or
    /// [`SubjectKey::Erased`].
    async fn put_key_if_absent(
        &self,
        tenant_id: uuid::Uuid,
        subject: uuid::Uuid,
        wrapped: Vec<u8>,
    ) -> Result<SubjectKey, StoreError>;

    /// The subject's key, [`SubjectKey::Erased`], or `None` when the subject never had one.
    async fn get_key(&self, subject: uuid::Uuid) -> Result<Option<SubjectKey>, StoreError>;

    /// Destroys the subject's key for good, keeping only a tombstone (subject and time) so that
    /// no new key is ever made for them; a subject without a key gets a tombstone too. Returns
    /// false when there was no key to destroy.
    async fn erase_key(&self, subject: uuid::Uuid) -> Result<bool, StoreError>;

    /// Up to `limit` wrapped keys (erased subjects left out), by subject, after `after`: for
    /// rotating the master key. A store that cannot list its keys says so.
    async fn wrapped_keys(
        &self,
        after: Option<uuid::Uuid>,
        limit: u32,
    ) -> Result<Vec<(uuid::Uuid, Vec<u8>)>, StoreError> {
        let _ = (after, limit);
        Err(StoreError::new(
            StoreErrorKind::InvalidInput,
            "this key store cannot list its keys",
        ))
    }

    /// Replaces `subject`'s wrapped key `old` by `new` (the same key wrapped by another master
    /// key); false when the stored key is no longer `old` (erased, or replaced meanwhile).
    async fn replace_wrapped(
        &self,
        subject: uuid::Uuid,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        let _ = (subject, old, new);
        Err(StoreError::new(
            StoreErrorKind::InvalidInput,
            "this key store cannot replace its keys",
        ))
    }
}

/// A subject's key as the key store holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectKey {
    /// The key, wrapped by the master key.
    Wrapped(Vec<u8>),
    /// The key was destroyed at this time.
    Erased(chrono::DateTime<chrono::Utc>),
}
