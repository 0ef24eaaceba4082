//! The embedded default back-end: the whole event log in one SQLite file, so that Noaber runs
//! on a fresh machine with no database server (ADR 0004).
//!
//! It keeps the same guarantees as PostgreSQL by serialising writes: one writer connection
//! behind a mutex, each append one `begin immediate` transaction (which also serialises
//! writers in other processes that open the same file). Positions are therefore taken in
//! commit order, a reader can never be overtaken by a late commit, and every
//! [`Checkpoint::tx`] is 0. Readers use a small pool of their own connections; in WAL mode
//! they never wait for the writer.

use std::collections::VecDeque;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, QueryBuilder, Row, Sqlite};
use tokio::sync::{watch, Mutex};
use uuid::Uuid;

use crate::envelope::{
    AppendOutcome, Checkpoint, EventFilter, ExpectedVersion, Metadata, NewEvent, RecordedEvent,
    StreamId,
};
use crate::error::{StoreError, StoreErrorKind};
use crate::hash::{self, HashInput};
use crate::{EventStore, EventStream, KeyStore, SubjectKey};

/// How many rows a reader fetches per query: large enough to amortise the query, small enough
/// that a reader never holds much of the log in memory.
const PAGE: usize = 512;

/// How often a subscriber looks for events written by another process, which the in-process
/// wake-up cannot see.
const POLL: Duration = Duration::from_millis(250);

/// How long a connection waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reader connections: enough for a few subscribers and API requests at once.
const READERS: u32 = 4;

/// The columns of a recorded event, in the order [`decode`] expects.
const COLUMNS: &str = "position, tenant_id, stream_id, stream_version, event_id, event_type, \
                       schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash";

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

    /// Reads up to `limit` events matching `filter` after `after`, and how far the log was
    /// scanned: the position to continue after, which passes events the filter skipped.
    async fn page(
        &self,
        after: i64,
        filter: &EventFilter,
        limit: usize,
    ) -> Result<(Vec<Result<RecordedEvent, StoreError>>, i64), StoreError> {
        // The head first: writes are serialised and positions grow in commit order, so no
        // event at or below it can still appear, and the scan may safely move up to it.
        let head: Option<i64> = sqlx::query_scalar("select max(position) from events")
            .fetch_one(&self.inner.readers)
            .await
            .map_err(db_error)?;
        let head = head.unwrap_or(0);
        if head <= after {
            return Ok((Vec::new(), after));
        }
        let mut query = QueryBuilder::<Sqlite>::new("select ");
        query
            .push(COLUMNS)
            .push(" from events where position > ")
            .push_bind(after)
            .push(" and position <= ")
            .push_bind(head);
        if let Some(tenant) = filter.tenant_id {
            query.push(" and tenant_id = ").push_bind(tenant);
        }
        if !filter.categories.is_empty() {
            query.push(" and category in (");
            let mut list = query.separated(", ");
            for category in &filter.categories {
                list.push_bind(category.clone());
            }
            list.push_unseparated(")");
        }
        if !filter.event_types.is_empty() {
            query.push(" and event_type in (");
            let mut list = query.separated(", ");
            for event_type in &filter.event_types {
                list.push_bind(event_type.clone());
            }
            list.push_unseparated(")");
        }
        query
            .push(" order by position limit ")
            .push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
        let rows = query
            .build()
            .fetch_all(&self.inner.readers)
            .await
            .map_err(db_error)?;
        let scanned_to = if rows.len() < limit {
            head
        } else {
            match rows.last() {
                Some(row) => row.try_get("position").map_err(db_error)?,
                None => after,
            }
        };
        Ok((rows.iter().map(decode).collect(), scanned_to))
    }

    /// Reads one page of a stream from `from_version` on.
    async fn stream_page(
        &self,
        stream: &StreamId,
        from_version: i64,
    ) -> Result<Vec<Result<RecordedEvent, StoreError>>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from events where stream_id = ? and stream_version >= ? \
             order by stream_version limit ?"
        );
        let rows = sqlx::query(&sql)
            .bind(stream.as_str())
            .bind(from_version)
            .bind(PAGE as i64)
            .fetch_all(&self.inner.readers)
            .await
            .map_err(db_error)?;
        Ok(rows.iter().map(decode).collect())
    }

    /// A stream of the log in global order after `after`: at most `limit` events, or, when
    /// `follow` is set, without end, waiting for new appends once it has caught up.
    fn reader(
        &self,
        after: Checkpoint,
        limit: usize,
        filter: EventFilter,
        follow: bool,
    ) -> EventStream<'static> {
        let state = Reader {
            store: self.clone(),
            filter,
            after: after.position,
            remaining: limit,
            buffered: VecDeque::new(),
            wake: follow.then(|| self.inner.appended.subscribe()),
            finished: false,
        };
        futures::stream::unfold(state, |mut st| async move {
            loop {
                if let Some(item) = st.buffered.pop_front() {
                    if item.is_err() {
                        // A reader must not step over an event it cannot read.
                        st.finished = true;
                        st.buffered.clear();
                    }
                    return Some((item, st));
                }
                if st.finished || st.remaining == 0 {
                    return None;
                }
                if let Some(wake) = st.wake.as_mut() {
                    // Marked before the query, so an append that commits after it is never
                    // missed: it either shows in the query or wakes the wait below.
                    wake.borrow_and_update();
                }
                let want = st.remaining.min(PAGE);
                match st.store.page(st.after, &st.filter, want).await {
                    Ok((items, scanned_to)) => {
                        st.after = scanned_to;
                        st.remaining = st.remaining.saturating_sub(items.len());
                        if items.is_empty() {
                            match st.wake.as_mut() {
                                Some(wake) => {
                                    tokio::select! {
                                        _ = wake.changed() => {}
                                        _ = tokio::time::sleep(POLL) => {}
                                    }
                                    continue;
                                }
                                None => return None,
                            }
                        }
                        if st.wake.is_none() && items.len() < want {
                            st.finished = true;
                        }
                        st.buffered.extend(items);
                    }
                    Err(e) => {
                        st.finished = true;
                        return Some((Err(e), st));
                    }
                }
            }
        })
        .boxed()
    }
}

/// The state of a `read_all` or `subscribe` stream.
struct Reader {
    store: SqliteStore,
    filter: EventFilter,
    after: i64,
    remaining: usize,
    buffered: VecDeque<Result<RecordedEvent, StoreError>>,
    wake: Option<watch::Receiver<u64>>,
    finished: bool,
}

/// An event of a batch, in the bytes the log stores and hashes.
struct Prepared<'a> {
    event: &'a NewEvent,
    payload: Vec<u8>,
    metadata: Vec<u8>,
    occurred_at_us: i64,
}

impl<'a> Prepared<'a> {
    fn new(event: &'a NewEvent) -> Self {
        Self {
            event,
            payload: hash::canonical_json(&event.payload),
            metadata: hash::canonical_metadata(&event.metadata),
            occurred_at_us: hash::to_micros(event.occurred_at),
        }
    }
}

/// An event id of the batch as the log already holds it.
struct Known {
    position: i64,
    stream_id: String,
    stream_version: i64,
    same_content: bool,
}

/// Refuses batches that no store could write.
fn check_batch(events: &[NewEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::new(
            StoreErrorKind::EmptyBatch,
            "an append needs at least one event",
        ));
    }
    if events.len() > SqliteStore::MAX_BATCH {
        return Err(StoreError::new(
            StoreErrorKind::InvalidInput,
            format!(
                "a batch of {} events is too large: at most {} events can be appended at once",
                events.len(),
                SqliteStore::MAX_BATCH
            ),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(events.len());
    for event in events {
        if !seen.insert(event.event_id) {
            return Err(StoreError::new(
                StoreErrorKind::InvalidInput,
                format!(
                    "event id {} appears twice in one batch: every event needs its own id",
                    event.event_id
                ),
            ));
        }
        if event.event_type.is_empty() {
            return Err(StoreError::new(
                StoreErrorKind::InvalidInput,
                format!("event {} has no event type", event.event_id),
            ));
        }
    }
    Ok(())
}

/// Decides a batch whose ids were (partly) written before: the original outcome when it is a
/// faithful retry of events recorded together in `stream`, [`StoreErrorKind::EventIdReused`]
/// otherwise.
fn settle_retry(
    stream: &StreamId,
    batch: &[Prepared<'_>],
    known: &[Option<Known>],
) -> Result<AppendOutcome, StoreError> {
    let reused = |message: String| StoreError::new(StoreErrorKind::EventIdReused, message);
    let mut positions = Vec::with_capacity(known.len());
    let mut next_version = 0u64;
    let mut first_version = None;
    for (i, (prepared, known)) in batch.iter().zip(known).enumerate() {
        let id = prepared.event.event_id;
        let Some(known) = known else {
            return Err(reused(format!(
                "event {id} was never recorded but other events of its batch were: a retry must resend exactly the batch that was sent before"
            )));
        };
        if known.stream_id != stream.as_str() {
            return Err(reused(format!(
                "event id {id} is already used by an event of another stream; choose a new id"
            )));
        }
        if !known.same_content {
            return Err(reused(format!(
                "event id {id} is already used by an event with different content; choose a new id"
            )));
        }
        let first = *first_version.get_or_insert(known.stream_version);
        if known.stream_version != first + i as i64 {
            return Err(reused(format!(
                "event {id} was recorded, but not in this order or together with these events: a retry must resend exactly the batch that was sent before"
            )));
        }
        positions.push(known.position);
        next_version = u64::try_from(known.stream_version).unwrap_or(0);
    }
    Ok(AppendOutcome {
        positions,
        next_version,
        was_retry: true,
    })
}

/// Converts a version the log stores (an SQLite integer) into the API's `u64`.
fn stored_version(v: i64, position: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("the event at position {position} has a negative stream version ({v})"),
        )
    })
}

/// Converts a stored 32-byte hash.
fn stored_hash(bytes: &[u8], what: &str, position: i64) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!(
                "the event at position {position} has a {what} of {} bytes instead of 32",
                bytes.len()
            ),
        )
    })
}

/// Reads a recorded event back from a row of [`COLUMNS`].
fn decode(row: &SqliteRow) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.try_get("position").map_err(db_error)?;
    let corrupt = |what: String| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("the event at position {position} can no longer be read: {what}"),
        )
    };
    let uuid = |column: &str| -> Result<Uuid, StoreError> {
        let bytes: &[u8] = row.try_get(column).map_err(db_error)?;
        Uuid::from_slice(bytes).map_err(|_| corrupt(format!("its {column} is not a valid id")))
    };
    let time = |column: &str| -> Result<DateTime<Utc>, StoreError> {
        let micros: i64 = row.try_get(column).map_err(db_error)?;
        DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| corrupt(format!("its {column} is out of range")))
    };
    let tenant_id = uuid("tenant_id")?;
    let event_id = uuid("event_id")?;
    let stream: String = row.try_get("stream_id").map_err(db_error)?;
    let stream_id = StreamId::parse(&stream)
        .map_err(|e| corrupt(format!("its stream id is not valid ({e})")))?;
    let stream_version =
        stored_version(row.try_get("stream_version").map_err(db_error)?, position)?;
    let event_type: String = row.try_get("event_type").map_err(db_error)?;
    let schema_version: i64 = row.try_get("schema_version").map_err(db_error)?;
    let schema_version = u32::try_from(schema_version).map_err(|_| {
        corrupt(format!(
            "its schema version {schema_version} is out of range"
        ))
    })?;
    let payload: &[u8] = row.try_get("payload").map_err(db_error)?;
    let payload: serde_json::Value = serde_json::from_slice(payload)
        .map_err(|e| corrupt(format!("its payload is not valid JSON ({e})")))?;
    let metadata: &[u8] = row.try_get("metadata").map_err(db_error)?;
    let metadata: Metadata = serde_json::from_slice(metadata)
        .map_err(|e| corrupt(format!("its metadata does not parse ({e})")))?;
    let prev_hash: &[u8] = row.try_get("prev_hash").map_err(db_error)?;
    let hash: &[u8] = row.try_get("hash").map_err(db_error)?;
    Ok(RecordedEvent {
        checkpoint: Checkpoint { tx: 0, position },
        position,
        tenant_id,
        stream_id,
        stream_version,
        event_id,
        event_type,
        schema_version,
        payload,
        metadata,
        occurred_at: time("occurred_at")?,
        recorded_at: time("recorded_at")?,
        prev_hash: stored_hash(prev_hash, "previous hash", position)?,
        hash: stored_hash(hash, "hash", position)?,
    })
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

/// A version from the API as an SQLite integer.
fn as_i64(v: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| {
        StoreError::new(
            StoreErrorKind::InvalidInput,
            format!("{what} {v} is too large"),
        )
    })
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        check_batch(&events)?;
        let batch: Vec<Prepared<'_>> = events.iter().map(Prepared::new).collect();
        let count = batch.len();

        let mut writer = self.inner.writer.lock().await;
        // `begin immediate` takes the file's write lock now, so the checks below and the
        // inserts see one state that no other writer (in any process) can change in between.
        // Returning early drops `tx`, which rolls it back.
        let mut tx = writer
            .begin_with("begin immediate")
            .await
            .map_err(db_error)?;

        // A retry is recognised before the expected version is checked: the stream has moved
        // on since the first attempt, and the writer must get the original outcome.
        let mut known = Vec::with_capacity(count);
        for p in &batch {
            let row = sqlx::query(
                "select position, stream_id, stream_version, tenant_id, event_type, \
                 schema_version, payload, metadata, occurred_at from events where event_id = ?",
            )
            .bind(p.event.event_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            known.push(match row {
                None => None,
                Some(row) => {
                    let tenant: &[u8] = row.try_get("tenant_id").map_err(db_error)?;
                    let event_type: &str = row.try_get("event_type").map_err(db_error)?;
                    let schema_version: i64 = row.try_get("schema_version").map_err(db_error)?;
                    let payload: &[u8] = row.try_get("payload").map_err(db_error)?;
                    let metadata: &[u8] = row.try_get("metadata").map_err(db_error)?;
                    let occurred_at: i64 = row.try_get("occurred_at").map_err(db_error)?;
                    Some(Known {
                        position: row.try_get("position").map_err(db_error)?,
                        stream_id: row.try_get("stream_id").map_err(db_error)?,
                        stream_version: row.try_get("stream_version").map_err(db_error)?,
                        same_content: tenant == p.event.tenant_id.as_bytes()
                            && event_type == p.event.event_type
                            && schema_version == i64::from(p.event.schema_version)
                            && payload == p.payload.as_slice()
                            && metadata == p.metadata.as_slice()
                            && occurred_at == p.occurred_at_us,
                    })
                }
            });
        }
        if known.iter().any(Option::is_some) {
            return settle_retry(stream, &batch, &known);
        }

        let last = sqlx::query(
            "select stream_version, hash from events where stream_id = ? \
             order by stream_version desc limit 1",
        )
        .bind(stream.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let (actual, mut prev) = match last {
            None => (0u64, hash::GENESIS),
            Some(row) => {
                let version: i64 = row.try_get("stream_version").map_err(db_error)?;
                let hash: &[u8] = row.try_get("hash").map_err(db_error)?;
                (stored_version(version, -1)?, stored_hash(hash, "hash", -1)?)
            }
        };
        if !expected.admits(actual) {
            return Err(StoreError::conflict(stream.as_str(), expected, actual));
        }

        // recorded_at never goes backwards along the log, even if the clock does, so that a
        // replay "as of" a moment can stop at the first event recorded after it.
        let last_recorded: Option<i64> =
            sqlx::query_scalar("select recorded_at from events order by position desc limit 1")
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let recorded_at_us = hash::to_micros(Utc::now()).max(last_recorded.unwrap_or(i64::MIN));

        let mut positions = Vec::with_capacity(count);
        for (i, p) in batch.iter().enumerate() {
            let version = actual + 1 + i as u64;
            let hash = hash::event_hash(
                &prev,
                &HashInput {
                    tenant_id: p.event.tenant_id,
                    stream_id: stream.as_str(),
                    version,
                    event_id: p.event.event_id,
                    event_type: &p.event.event_type,
                    schema_version: p.event.schema_version,
                    payload: &p.payload,
                    metadata: &p.metadata,
                    occurred_at_us: p.occurred_at_us,
                    recorded_at_us,
                },
            );
            let done = sqlx::query(
                "insert into events (tenant_id, stream_id, category, stream_version, event_id, \
                 event_type, schema_version, payload, metadata, occurred_at, recorded_at, \
                 prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(p.event.tenant_id)
            .bind(stream.as_str())
            .bind(stream.category())
            .bind(as_i64(version, "stream version")?)
            .bind(p.event.event_id)
            .bind(p.event.event_type.as_str())
            .bind(i64::from(p.event.schema_version))
            .bind(p.payload.as_slice())
            .bind(p.metadata.as_slice())
            .bind(p.occurred_at_us)
            .bind(recorded_at_us)
            .bind(prev.as_slice())
            .bind(hash.as_slice())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            positions.push(done.last_insert_rowid());
            prev = hash;
        }
        tx.commit().await.map_err(db_error)?;
        drop(writer);
        self.inner.appended.send_modify(|n| *n = n.wrapping_add(1));
        Ok(AppendOutcome {
            positions,
            next_version: actual + count as u64,
            was_retry: false,
        })
    }

    fn read_stream<'a>(&'a self, stream: &'a StreamId, from_version: u64) -> EventStream<'a> {
        let start = i64::try_from(from_version.max(1)).unwrap_or(i64::MAX);
        let state = (
            start,
            VecDeque::<Result<RecordedEvent, StoreError>>::new(),
            false,
        );
        futures::stream::unfold(
            state,
            move |(mut next, mut buffered, mut finished)| async move {
                loop {
                    if let Some(item) = buffered.pop_front() {
                        if item.is_err() {
                            finished = true;
                            buffered.clear();
                        }
                        return Some((item, (next, buffered, finished)));
                    }
                    if finished {
                        return None;
                    }
                    match self.stream_page(stream, next).await {
                        Ok(items) => {
                            if items.is_empty() {
                                return None;
                            }
                            finished = items.len() < PAGE;
                            next = next.saturating_add(items.len() as i64);
                            buffered.extend(items);
                        }
                        Err(e) => return Some((Err(e), (next, buffered, true))),
                    }
                }
            },
        )
        .boxed()
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

    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let version: Option<i64> =
            sqlx::query_scalar("select max(stream_version) from events where stream_id = ?")
                .bind(stream.as_str())
                .fetch_one(&self.inner.readers)
                .await
                .map_err(db_error)?;
        version.map_or(Ok(0), |v| stored_version(v, -1))
    }

    async fn head(&self) -> Result<Checkpoint, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("select max(position) from events")
            .fetch_one(&self.inner.readers)
            .await
            .map_err(db_error)?;
        Ok(head.map_or(Checkpoint::START, |position| Checkpoint { tx: 0, position }))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

/// Reads a subject's row of `subject_keys`.
fn subject_key(wrapped: Option<Vec<u8>>, erased_at: Option<i64>) -> Result<SubjectKey, StoreError> {
    match (wrapped, erased_at) {
        (Some(key), _) => Ok(SubjectKey::Wrapped(key)),
        (None, Some(at)) => DateTime::from_timestamp_micros(at)
            .map(SubjectKey::Erased)
            .ok_or_else(|| {
                StoreError::new(
                    StoreErrorKind::Corrupt,
                    "a key's erasure time is out of range",
                )
            }),
        (None, None) => Err(StoreError::new(
            StoreErrorKind::Corrupt,
            "a subject's key row holds neither a key nor an erasure time",
        )),
    }
}

#[async_trait]
impl KeyStore for SqliteStore {
    async fn put_key_if_absent(
        &self,
        tenant_id: Uuid,
        subject: Uuid,
        wrapped: Vec<u8>,
    ) -> Result<SubjectKey, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let mut tx = writer
            .begin_with("begin immediate")
            .await
            .map_err(db_error)?;
        sqlx::query(
            "insert into subject_keys (subject_id, tenant_id, wrapped_key, created_at) \
             values (?, ?, ?, ?) on conflict (subject_id) do nothing",
        )
        .bind(subject)
        .bind(tenant_id)
        .bind(wrapped)
        .bind(hash::to_micros(Utc::now()))
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        let (key, erased_at): (Option<Vec<u8>>, Option<i64>) =
            sqlx::query_as("select wrapped_key, erased_at from subject_keys where subject_id = ?")
                .bind(subject)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        subject_key(key, erased_at)
    }

    async fn get_key(&self, subject: Uuid) -> Result<Option<SubjectKey>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<i64>)> =
            sqlx::query_as("select wrapped_key, erased_at from subject_keys where subject_id = ?")
                .bind(subject)
                .fetch_optional(&self.inner.readers)
                .await
                .map_err(db_error)?;
        row.map(|(key, erased_at)| subject_key(key, erased_at))
            .transpose()
    }

    async fn erase_key(&self, subject: Uuid) -> Result<bool, StoreError> {
        let mut writer = self.inner.writer.lock().await;
        let done = sqlx::query(
            "update subject_keys set wrapped_key = null, erased_at = ? \
             where subject_id = ? and wrapped_key is not null",
        )
        .bind(hash::to_micros(Utc::now()))
        .bind(subject)
        .execute(&mut *writer)
        .await
        .map_err(db_error)?;
        let erased = done.rows_affected() > 0;
        if !erased {
            // No key yet (nothing personal was ever sealed): leave a tombstone all the same, so
            // that no key can be made for this person afterwards. The tenant is unknown here.
            sqlx::query(
                "insert into subject_keys (subject_id, tenant_id, wrapped_key, created_at, erased_at) \
                 values (?, ?, null, ?, ?) on conflict (subject_id) do nothing",
            )
            .bind(subject)
            .bind(Uuid::nil())
            .bind(hash::to_micros(Utc::now()))
            .bind(hash::to_micros(Utc::now()))
            .execute(&mut *writer)
            .await
            .map_err(db_error)?;
        }
        if erased {
            // secure_delete zeroes the old key in the database file; the write-ahead log may
            // still hold a copy of the page until it is checkpointed and truncated. Best
            // effort: a reader in the middle of a read can keep the log from being truncated,
            // and the key is wrapped by the master key in any case.
            if let Err(e) = sqlx::query("pragma wal_checkpoint(truncate)")
                .execute(&mut *writer)
                .await
            {
                tracing::warn!(error = %e, "the write-ahead log could not be truncated after an erasure");
            }
        }
        Ok(erased)
    }
}
