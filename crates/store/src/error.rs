//! The store's one error type: a [`StoreErrorKind`] that callers match on, and a message a
//! person understands.

use std::fmt;

use crate::envelope::ExpectedVersion;

/// What went wrong, for callers to match on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The stream was not at the expected version; nothing was written.
    Conflict {
        /// What the writer expected.
        expected: ExpectedVersion,
        /// The stream's version when the append was tried.
        actual: u64,
    },
    /// An event id that was already written was sent again with different content.
    EventIdReused,
    /// An append with no events.
    EmptyBatch,
    /// An argument was not valid (a stream id, a checkpoint, a limit).
    InvalidInput,
    /// The stream has no events where some were required.
    StreamNotFound,
    /// A stored event no longer parses (a payload, metadata, or a hash of the wrong length).
    Corrupt,
    /// The connection to the database was lost or could not be made; the operation may be
    /// retried (appends are idempotent by event id).
    Unavailable,
    /// The hash chain of a stream does not verify: a stored event was changed.
    ChainBroken,
    /// Any other database error.
    Database,
}

/// An error of the event log, with a message for a person.
#[derive(Debug, thiserror::Error)]
pub struct StoreError {
    kind: StoreErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    /// An error of `kind` with a message for a person.
    pub fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// A conflict on `stream`.
    pub fn conflict(stream: &str, expected: ExpectedVersion, actual: u64) -> Self {
        let wanted = match expected {
            ExpectedVersion::Any => "any version".to_owned(),
            ExpectedVersion::NoStream => "no events yet".to_owned(),
            ExpectedVersion::Exact(v) => format!("version {v}"),
        };
        Self::new(
            StoreErrorKind::Conflict { expected, actual },
            format!(
                "stream {stream} was expected at {wanted} but is at version {actual}: someone else changed it first; reload and try again"
            ),
        )
    }

    /// What went wrong.
    pub fn kind(&self) -> &StoreErrorKind {
        &self.kind
    }

    /// The message for a person.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// True for a concurrency conflict.
    pub fn is_conflict(&self) -> bool {
        matches!(self.kind, StoreErrorKind::Conflict { .. })
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        use sqlx::Error as E;
        let (kind, message) = match &err {
            E::Io(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed | E::Tls(_) => (
                StoreErrorKind::Unavailable,
                format!("the event log's database cannot be reached: {err}"),
            ),
            E::Decode(_) | E::ColumnDecode { .. } => (
                StoreErrorKind::Corrupt,
                format!("a stored event could not be read back: {err}"),
            ),
            E::Database(db) if db.code().as_deref().is_some_and(|c| c.starts_with("08")) => (
                StoreErrorKind::Unavailable,
                format!("the connection to the event log's database was lost: {err}"),
            ),
            // 57P01..03: the server shut down or ended this session; 25P03: the server ended a
            // transaction left idle too long. The connection is gone either way; a retry may work.
            E::Database(db)
                if matches!(
                    db.code().as_deref(),
                    Some("57P01" | "57P02" | "57P03" | "25P03")
                ) =>
            {
                (
                    StoreErrorKind::Unavailable,
                    format!(
                        "the event log's database is shutting down or closed the connection: {err}"
                    ),
                )
            }
            _ => (
                StoreErrorKind::Database,
                format!("the event log's database reported an error: {err}"),
            ),
        };
        Self::new(kind, message).with_source(err)
    }
}
