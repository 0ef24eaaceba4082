//! The embedded default back-end: the whole event log in one SQLite file, so that Noaber runs
//! on a fresh machine with no database server (ADR 0004).
//!
//! It keeps the same guarantees as PostgreSQL by serialising writes: one writer connection
//! behind a mutex, each append one `begin immediate` transaction (which also serialises
//! writers in other processes that open the same file). Positions are therefore taken in
//! commit order, a reader can never be overtaken by a late commit, and every
//! [`Checkpoint::tx`] is 0. Readers use a small pool of their own connections; in WAL mode
//! they never wait for the writer.
//!
//! This module holds the store itself (opening the file, the connections) and the
//! [`EventStore`] impl, which delegates each job to the module that does it: `append`, `read`,
//! `keys` (the [`KeyStore`](crate::KeyStore) impl) and `decode` (rows back into events).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::Connection;
use tokio::sync::{watch, Mutex};

use crate::envelope::{
    AppendOutcome, Checkpoint, EventFilter, ExpectedVersion, NewEvent, StreamId,
};
use crate::error::{StoreError, StoreErrorKind};
use crate::{EventStore, EventStream};

mod append;
mod decode;
mod identity;
mod keys;
mod read;

/// How long a connection waits for another process's write lock (or a reader for a pooled
/// connection) before the call fails as unavailable (503), rather than hanging.
const BUSY_TIMEOUT: Duration = crate::UNAVAILABLE_AFTER;

/// Reader connections: enough for a few subscribers and API requests at once.
const READERS: u32 = 4;

/// The event log in a single SQLite file. Cheap to clone: clones share the connections.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    /// The one connection that writes; holding the lock is holding the right to write.
    writer: Mutex<SqliteConnection>,
    /// Connections for reads.
    readers: SqlitePool,
    /// Bumped after every committed append, to wake this process's subscribers.
    appended: watch::Sender<u64>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// The most events one append may carry.
    pub const MAX_BATCH: usize = 1000;

    /// Opens the log in the SQLite file at `path`, creating the file and its parent
    /// directories if they are missing, and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent).await.map_err(|e| {
                StoreError::new(
                    StoreErrorKind::Unavailable,
                    format!(
                        "the data directory {} cannot be created: {e}",
                        parent.display()
                    ),
                )
                .with_source(e)
            })?;
        }
        let cannot_open = |e: sqlx::Error| {
            StoreError::new(
                StoreErrorKind::Unavailable,
                format!(
                    "the event log file {} cannot be opened: {e}",
                    path.display()
                ),
            )
            .with_source(e)
        };
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // an acknowledged append must survive a power cut, so every commit is synced.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            // an erased key is overwritten on disk, not merely unlinked from the b-tree.
            .pragma("secure_delete", "on");
        let mut writer = SqliteConnection::connect_with(&options)
            .await
            .map_err(cannot_open)?;
        sqlx::migrate!("../../migrations/sqlite")
            .run(&mut writer)
            .await
            .map_err(|e| {
                StoreError::new(
                    StoreErrorKind::Database,
                    format!(
                        "the event log file {} could not be brought up to date: {e}",
                        path.display()
                    ),
                )
                .with_source(e)
            })?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(0)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options.create_if_missing(false))
            .await
            .map_err(cannot_open)?;
        let (appended, _) = watch::channel(0);
        Ok(Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers,
                appended,
            }),
        })
    }

    /// The file the log lives in.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    #[tracing::instrument(
        skip_all,
        fields(backend = "sqlite", stream = %stream, expected = ?expected, events = events.len())
    )]
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        self.append_events(stream, expected, events).await
    }

    fn read_stream<'a>(&'a self, stream: &'a StreamId, from_version: u64) -> EventStream<'a> {
        // An instrumented fn would close its span before the first row is read: the stream
        // carries the span instead, so the reads themselves are timed and attributed.
        let span = tracing::info_span!(
            "read_stream",
            backend = "sqlite",
            stream = %stream,
            from_version
        );
        crate::traced::in_span(span, self.stream_events(stream, from_version))
    }

    fn read_all<'a>(
        &'a self,
        after: Checkpoint,
        limit: usize,
        filter: &'a EventFilter,
    ) -> EventStream<'a> {
        self.reader(after, limit, filter.clone(), false)
    }

    fn subscribe(&self, after: Checkpoint, filter: EventFilter) -> EventStream<'static> {
        self.reader(after, usize::MAX, filter, true)
    }

    #[tracing::instrument(skip_all, fields(backend = "sqlite", stream = %stream))]
    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        self.last_version(stream).await
    }

    #[tracing::instrument(skip_all, fields(backend = "sqlite"))]
    async fn head(&self) -> Result<Checkpoint, StoreError> {
        self.last_checkpoint().await
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

/// Maps an sqlx error, telling "another process holds the file's write lock" apart from
/// other database errors.
fn db_error(err: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
        let busy = db
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6));
        if busy {
            let message = format!(
                "the event log file is busy: another process kept it locked for too long ({err}); try again"
            );
            return StoreError::new(StoreErrorKind::Unavailable, message).with_source(err);
        }
    }
    StoreError::from(err)
}
