//! The PostgreSQL back-end: the production event log, safe for many writers and readers.
//!
//! - Appends go through one server-side function (`noaber_append`, see the migrations) in one
//!   round trip: it checks the expected version, finishes the hash chain with `sha256()` and
//!   inserts the batch. The writer computes each event's content hash (see [`crate::hash`]).
//! - Readers of the global order read only below the oldest transaction still open, ordered by
//!   (transaction id, position), so an event that commits late is never skipped (ADR 0003).
//! - Subscriptions catch up in pages, then wait for a wake-up: an append in this process, a
//!   `NOTIFY noaber_events` from another process, or a poll every half second.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures::{stream, StreamExt, TryStreamExt};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions, PgRow};
use tokio::sync::{mpsc, watch};
use uuid::Uuid;

use crate::envelope::{
    AppendOutcome, Checkpoint, EventFilter, ExpectedVersion, NewEvent, RecordedEvent, StreamId,
};
use crate::error::{StoreError, StoreErrorKind};
use crate::hash::{self, HashInput};
use crate::{EventStore, EventStream, KeyStore, SubjectKey};

mod decode;

use decode::COLUMNS;

/// The channel on which appends announce themselves (`LISTEN noaber_events`).
pub const NOTIFY_CHANNEL: &str = "noaber_events";

/// The most events one append may carry.
pub const MAX_BATCH: usize = 1000;

/// The connection pool size of [`PgStore::connect`].
pub const DEFAULT_MAX_CONNECTIONS: u32 = 16;

/// How long a session may sit idle inside a transaction before the server ends it: readers of
/// the global order wait for the oldest open transaction, so one stuck client must not stall
/// them for long.
pub const IDLE_IN_TRANSACTION_TIMEOUT: &str = "30s";

/// Rows per page of the global order (`read_all`, `subscribe`): large enough to amortise the
/// round trip and the read horizon (about 0.5 ms a page), small enough that a reader holds
/// little: a page of typical events is about 3 MB of undecoded rows, and a reader holds at most
/// three (the one it decodes, one waiting, one being fetched).
const PAGE: usize = 5000;

/// Rows per page of one stream: most streams are short, so pages stay small.
const STREAM_PAGE: usize = 1000;

/// How often a subscriber looks for new events when nothing wakes it.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// How long the notifier waits after a NOTIFY before sending the next, so that a burst of
/// appends costs one notification, not one each.
const NOTIFY_COALESCE: Duration = Duration::from_millis(10);

/// How often a concurrent append with [`ExpectedVersion::Any`] is retried after losing a race
/// for the stream's next version.
const ANY_RETRIES: usize = 20;

/// The event log on PostgreSQL. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    inner: Arc<Inner>,
}

struct Inner {
    /// Bumped whenever new events may be visible; subscribers of this process wait on it.
    wake: watch::Sender<u64>,
    /// Whether the task that turns other processes' NOTIFYs into wake-ups is running.
    listening: AtomicBool,
    /// Wakes the task that sends NOTIFY after appends (started on the first append).
    notifier: OnceLock<mpsc::Sender<()>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool_size", &self.pool.size())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to the database at `url` with a pool of [`DEFAULT_MAX_CONNECTIONS`].
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, DEFAULT_MAX_CONNECTIONS).await
    }

    /// Connects with a pool of at most `max_connections`. Every connection names itself
    /// `noaber` and ends idle transactions after [`IDLE_IN_TRANSACTION_TIMEOUT`].
    pub async fn connect_with(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            StoreError::new(
                StoreErrorKind::InvalidInput,
                format!("the PostgreSQL database URL is not valid: {e}"),
            )
        })?;
        Self::connect_with_options(options, max_connections).await
    }

    /// Connects with already parsed options and a pool of at most `max_connections`; the
    /// application name and the idle-transaction bound are added to `options`.
    pub async fn connect_with_options(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let options = options.application_name("noaber").options([(
            "idle_in_transaction_session_timeout",
            IDLE_IN_TRANSACTION_TIMEOUT,
        )]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(Self::from_pool(pool))
    }

    /// Wraps an existing pool (its connections should be set up as [`Self::connect_with`] does).
    pub fn from_pool(pool: PgPool) -> Self {
        Self {
            pool,
            inner: Arc::new(Inner {
                wake: watch::Sender::new(0),
                listening: AtomicBool::new(false),
                notifier: OnceLock::new(),
            }),
        }
    }

    /// The connection pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies the migrations in `migrations/postgres` that this database has not seen yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("../../migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|e| {
                StoreError::new(
                    StoreErrorKind::Database,
                    format!("the event log's database schema could not be brought up to date: {e}"),
                )
                .with_source(e)
            })
    }

    /// Wakes this process's subscribers and, through a NOTIFY, those of other processes.
    fn announce(&self) {
        self.inner.wake.send_modify(|n| *n = n.wrapping_add(1));
        let sender = self.inner.notifier.get_or_init(|| {
            let (tx, mut rx) = mpsc::channel::<()>(1);
            let pool = self.pool.clone();
            tokio::spawn(async move {
                // Ends when the store (the only sender) is dropped.
                while rx.recv().await.is_some() {
                    if let Err(e) = sqlx::query("select pg_notify($1, '')")
                        .bind(NOTIFY_CHANNEL)
                        .execute(&pool)
                        .await
                    {
                        tracing::debug!(error = %e, "could not notify subscribers; they will poll");
                    }
                    tokio::time::sleep(NOTIFY_COALESCE).await;
                }
            });
            tx
        });
        // A full channel means a notification is already due: this append rides along.
        let _ = sender.try_send(());
    }

    /// Starts the task that turns NOTIFYs from other processes into wake-ups, unless it runs.
    fn ensure_listening(&self) {
        if self.inner.listening.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = Arc::clone(&self.inner);
        let options = (*self.pool.connect_options()).clone();
        tokio::spawn(async move {
            loop {
                listen_until_unwatched(&inner, options.clone()).await;
                inner.listening.store(false, Ordering::Release);
                // A subscriber may have arrived while this task was stopping.
                if inner.wake.receiver_count() == 0 || inner.listening.swap(true, Ordering::AcqRel)
                {
                    return;
                }
            }
        });
    }

    async fn call_append(
        &self,
        batch: &Batch,
        expected: Option<i64>,
    ) -> Result<Vec<(Option<i64>, i64)>, sqlx::Error> {
        sqlx::query_as::<_, (Option<i64>, i64)>(
            "select out_position, out_version from noaber_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&batch.stream)
        .bind(&batch.category)
        .bind(expected)
        .bind(&batch.tenants)
        .bind(&batch.ids)
        .bind(&batch.types)
        .bind(&batch.schema_versions)
        .bind(&batch.payloads)
        .bind(&batch.metadata)
        .bind(&batch.occurred)
        .bind(&batch.contents)
        .fetch_all(&self.pool)
        .await
    }

    /// When every event id of `batch` is already in the log with the same content, the outcome
    /// of the append that wrote them; `None` when none of them is. Anything in between is
    /// [`StoreErrorKind::EventIdReused`].
    async fn earlier_append(&self, batch: &Batch) -> Result<Option<AppendOutcome>, StoreError> {
        let rows = sqlx::query_as::<
            _,
            (
                Uuid,
                Uuid,
                String,
                String,
                i32,
                String,
                String,
                DateTime<Utc>,
                i64,
                i64,
            ),
        >(
            "select event_id, tenant_id, stream_id, event_type, schema_version, payload::text, \
             metadata::text, occurred_at, position, stream_version \
             from events where event_id = any($1)",
        )
        .bind(&batch.ids)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let reused = || {
            StoreError::new(
                StoreErrorKind::EventIdReused,
                format!(
                    "some event ids of this append to {} were already used for other events; \
                     a retry must send exactly the same events",
                    batch.stream
                ),
            )
        };
        if rows.len() != batch.ids.len() {
            return Err(reused());
        }
        let mut stored = HashMap::with_capacity(rows.len());
        for (id, tenant, stream, ty, schema, payload, metadata, occurred, position, version) in rows
        {
            let content = hash::content_hash(&HashInput {
                tenant_id: tenant,
                stream_id: &stream,
                version: 0,
                event_id: id,
                event_type: &ty,
                schema_version: u32::try_from(schema).unwrap_or(u32::MAX),
                payload: payload.as_bytes(),
                metadata: metadata.as_bytes(),
                occurred_at_us: hash::to_micros(occurred),
                recorded_at_us: 0,
            });
            stored.insert(id, (content, position, version));
        }
        let mut positions = Vec::with_capacity(batch.ids.len());
        let mut next_version = 0i64;
        for (id, content) in batch.ids.iter().zip(&batch.contents) {
            match stored.get(id) {
                Some((c, position, version)) if c.as_slice() == content.as_slice() => {
                    positions.push(*position);
                    next_version = next_version.max(*version);
                }
                _ => return Err(reused()),
            }
        }
        Ok(Some(AppendOutcome {
            positions,
            next_version: u64::try_from(next_version).unwrap_or(0),
            was_retry: true,
        }))
    }

    /// One page of the global order after `after`, below the read horizon, not yet decoded.
    async fn page(
        pool: &PgPool,
        after: Checkpoint,
        limit: usize,
        filter: &EventFilter,
    ) -> Result<Vec<PgRow>, sqlx::Error> {
        // Only the filters in use appear in the SQL: with `($n is null or ...)` clauses a
        // generic (prepared) plan misjudges them and sorts the whole log for every page.
        let mut sql = format!(
            "select {COLUMNS} from events \
             where (tx_id, position) > ($1::bigint::text::xid8, $2) \
               and tx_id < (select noaber_read_horizon())"
        );
        let mut n = 3;
        if filter.tenant_id.is_some() {
            sql.push_str(&format!(" and tenant_id = ${n}"));
            n += 1;
        }
        if !filter.categories.is_empty() {
            sql.push_str(&format!(" and category = any(${n})"));
            n += 1;
        }
        if !filter.event_types.is_empty() {
            sql.push_str(&format!(" and event_type = any(${n})"));
            n += 1;
        }
        sql.push_str(&format!(
            " order by events.tx_id, events.position limit ${n}"
        ));
        let mut query = sqlx::query(&sql).bind(after.tx).bind(after.position);
        if let Some(tenant) = filter.tenant_id {
            query = query.bind(tenant);
        }
        if !filter.categories.is_empty() {
            query = query.bind(&filter.categories);
        }
        if !filter.event_types.is_empty() {
            query = query.bind(&filter.event_types);
        }
        query
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await
    }

    /// The global order after `after` as a stream: a task fetches pages of raw rows (the next
    /// one while the reader decodes the current one, row by row as it consumes them) and, with
    /// `follow`, keeps waiting for new events once it has caught up. Without `follow` it stops
    /// after `limit` events or at the end.
    fn pages(
        &self,
        after: Checkpoint,
        limit: usize,
        filter: EventFilter,
        follow: bool,
    ) -> EventStream<'static> {
        // One page in the channel and one being fetched: the reader never waits for a round
        // trip while it has rows to decode, and at most about three pages are in memory.
        let (tx, rx) = mpsc::channel::<Result<Vec<PgRow>, StoreError>>(1);
        let mut wake = self.inner.wake.subscribe();
        if follow {
            self.ensure_listening();
        }
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut after = after;
            let mut remaining = limit;
            loop {
                if remaining == 0 {
                    return;
                }
                wake.borrow_and_update();
                let want = remaining.min(PAGE);
                match Self::page(&pool, after, want, &filter).await {
                    Ok(rows) => {
                        let full = rows.len() == want;
                        if let Some(last) = rows.last() {
                            after = match decode::checkpoint(last) {
                                Ok(checkpoint) => checkpoint,
                                Err(e) => {
                                    let _ = tx.send(Err(e)).await;
                                    return;
                                }
                            };
                            if !follow {
                                remaining -= rows.len();
                            }
                            if tx.send(Ok(rows)).await.is_err() {
                                return;
                            }
                        }
                        if full {
                            continue;
                        }
                        if !follow {
                            return;
                        }
                    }
                    Err(e) => {
                        let e = StoreError::from(e);
                        if follow && *e.kind() == StoreErrorKind::Unavailable {
                            tracing::warn!(error = %e, "a subscription lost the event log's database; retrying");
                            tokio::select! {
                                () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                                () = tx.closed() => return,
                            }
                        }
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                }
                tokio::select! {
                    changed = wake.changed() => {
                        if changed.is_err() {
                            // The store is gone: keep polling for as long as anyone listens.
                            tokio::select! {
                                () = tokio::time::sleep(POLL_INTERVAL) => {}
                                () = tx.closed() => return,
                            }
                        }
                    }
                    () = tokio::time::sleep(POLL_INTERVAL) => {}
                    () = tx.closed() => return,
                }
            }
        });
        RowPages {
            pages: rx,
            rows: Vec::new().into_iter(),
            failed: false,
        }
        .boxed()
    }
}

/// The reader's side of [`PgStore::pages`]: decodes the rows of each page as the caller asks
/// for them (so no page of decoded events is ever built), and ends after the first error.
struct RowPages {
    pages: mpsc::Receiver<Result<Vec<PgRow>, StoreError>>,
    rows: std::vec::IntoIter<PgRow>,
    failed: bool,
}

impl futures::Stream for RowPages {
    type Item = Result<RecordedEvent, StoreError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        if self.failed {
            return Poll::Ready(None);
        }
        loop {
            if let Some(row) = self.rows.next() {
                let event = decode::event(&row);
                self.failed = event.is_err();
                return Poll::Ready(Some(event));
            }
            match self.pages.poll_recv(cx) {
                Poll::Ready(Some(Ok(rows))) => self.rows = rows.into_iter(),
                Poll::Ready(Some(Err(e))) => {
                    self.failed = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Ends `events` after its first error: what follows a corrupt event is not read.
fn until_first_error<'a>(
    events: impl futures::Stream<Item = Result<RecordedEvent, StoreError>> + Send + 'a,
) -> EventStream<'a> {
    events
        .scan(false, |failed, item| {
            if *failed {
                return futures::future::ready(None);
            }
            *failed = item.is_err();
            futures::future::ready(Some(item))
        })
        .boxed()
}

/// Holds a `LISTEN` connection and bumps `inner.wake` on every notification (and whenever the
/// connection is lost, since notifications may have been missed), until no subscriber is left.
async fn listen_until_unwatched(inner: &Inner, options: PgConnectOptions) {
    let bump = || inner.wake.send_modify(|n| *n = n.wrapping_add(1));
    loop {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_lazy_with(options.clone());
        let listener = async {
            let mut l = PgListener::connect_with(&pool).await?;
            l.listen(NOTIFY_CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        let mut listener = tokio::select! {
            l = listener => l,
            () = inner.wake.closed() => return,
        };
        match &mut listener {
            Ok(listener) => loop {
                tokio::select! {
                    n = listener.try_recv() => match n {
                        Ok(Some(_)) => bump(),
                        Ok(None) => bump(),
                        Err(e) => {
                            tracing::warn!(error = %e, "lost the event log's notification channel; subscribers poll until it is back");
                            bump();
                            break;
                        }
                    },
                    () = inner.wake.closed() => return,
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for new events; subscribers poll until it works");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = inner.wake.closed() => return,
        }
    }
}

/// A batch ready for `noaber_append`: one array per column, plus content hashes.
struct Batch {
    stream: String,
    category: String,
    tenants: Vec<Uuid>,
    ids: Vec<Uuid>,
    types: Vec<String>,
    schema_versions: Vec<i32>,
    payloads: Vec<String>,
    metadata: Vec<String>,
    occurred: Vec<DateTime<Utc>>,
    contents: Vec<Vec<u8>>,
}

fn invalid(message: String) -> StoreError {
    StoreError::new(StoreErrorKind::InvalidInput, message)
}

impl Batch {
    fn new(stream: &StreamId, events: &[NewEvent]) -> Result<Self, StoreError> {
        if events.is_empty() {
            return Err(StoreError::new(
                StoreErrorKind::EmptyBatch,
                format!("an append to {stream} must carry at least one event"),
            ));
        }
        if events.len() > MAX_BATCH {
            return Err(invalid(format!(
                "an append may carry at most {MAX_BATCH} events; this one to {stream} has {}",
                events.len()
            )));
        }
        let n = events.len();
        let mut batch = Batch {
            stream: stream.as_str().to_owned(),
            category: stream.category().to_owned(),
            tenants: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            types: Vec::with_capacity(n),
            schema_versions: Vec::with_capacity(n),
            payloads: Vec::with_capacity(n),
            metadata: Vec::with_capacity(n),
            occurred: Vec::with_capacity(n),
            contents: Vec::with_capacity(n),
        };
        let mut seen = HashSet::with_capacity(n);
        for e in events {
            if !seen.insert(e.event_id) {
                return Err(invalid(format!(
                    "event id {} appears twice in one append to {stream}",
                    e.event_id
                )));
            }
            let schema_version = i32::try_from(e.schema_version).map_err(|_| {
                invalid(format!(
                    "schema version {} of event {} is too large",
                    e.schema_version, e.event_id
                ))
            })?;
            let occurred_us = hash::to_micros(e.occurred_at);
            let occurred = DateTime::from_timestamp_micros(occurred_us).ok_or_else(|| {
                invalid(format!(
                    "event {} occurred at an impossible time",
                    e.event_id
                ))
            })?;
            let payload = json_text(hash::canonical_json(&e.payload))?;
            let metadata = json_text(hash::canonical_metadata(&e.metadata))?;
            let content = hash::content_hash(&HashInput {
                tenant_id: e.tenant_id,
                stream_id: stream.as_str(),
                version: 0,
                event_id: e.event_id,
                event_type: &e.event_type,
                schema_version: e.schema_version,
                payload: payload.as_bytes(),
                metadata: metadata.as_bytes(),
                occurred_at_us: occurred_us,
                recorded_at_us: 0,
            });
            batch.tenants.push(e.tenant_id);
            batch.ids.push(e.event_id);
            batch.types.push(e.event_type.clone());
            batch.schema_versions.push(schema_version);
            batch.payloads.push(payload);
            batch.metadata.push(metadata);
            batch.occurred.push(occurred);
            batch.contents.push(content.to_vec());
        }
        Ok(batch)
    }
}

fn json_text(bytes: Vec<u8>) -> Result<String, StoreError> {
    String::from_utf8(bytes)
        .map_err(|e| invalid(format!("an event's JSON is not valid UTF-8: {e}")))
}

/// Which unique constraint a database error violated, if it is a unique violation.
fn unique_violation(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            Some(db.constraint().unwrap_or_default().to_owned())
        }
        _ => None,
    }
}

#[async_trait]
impl EventStore for PgStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        let batch = Batch::new(stream, &events)?;
        let expected_param =
            match expected {
                ExpectedVersion::Any => None,
                ExpectedVersion::NoStream => Some(0),
                ExpectedVersion::Exact(v) => Some(i64::try_from(v).map_err(|_| {
                    invalid(format!("expected version {v} of {stream} is too large"))
                })?),
            };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.call_append(&batch, expected_param).await {
                Ok(rows) => {
                    if let Some((None, actual)) = rows.first() {
                        // The stream is elsewhere: maybe because this very batch was written.
                        if let Some(outcome) = self.earlier_append(&batch).await? {
                            return Ok(outcome);
                        }
                        return Err(StoreError::conflict(
                            stream.as_str(),
                            expected,
                            u64::try_from(*actual).unwrap_or(0),
                        ));
                    }
                    let mut rows: Vec<(i64, i64)> = rows
                        .into_iter()
                        .filter_map(|(p, v)| Some((p?, v)))
                        .collect();
                    rows.sort_by_key(|&(_, v)| v);
                    let next_version = rows.last().map_or(0, |&(_, v)| v);
                    self.announce();
                    return Ok(AppendOutcome {
                        positions: rows.into_iter().map(|(p, _)| p).collect(),
                        next_version: u64::try_from(next_version).unwrap_or(0),
                        was_retry: false,
                    });
                }
                Err(err) => match unique_violation(&err).as_deref() {
                    Some("events_event_id_uq") => {
                        return match self.earlier_append(&batch).await? {
                            Some(outcome) => Ok(outcome),
                            // Written by a transaction that then rolled back: try again.
                            None if attempt < ANY_RETRIES => continue,
                            None => Err(err.into()),
                        };
                    }
                    Some("events_stream_version_uq") => {
                        // Another writer took the next version between our read and insert.
                        if let Some(outcome) = self.earlier_append(&batch).await? {
                            return Ok(outcome);
                        }
                        if expected == ExpectedVersion::Any && attempt < ANY_RETRIES {
                            continue;
                        }
                        let actual = self.stream_version(stream).await?;
                        return Err(StoreError::conflict(stream.as_str(), expected, actual));
                    }
                    _ => return Err(err.into()),
                },
            }
        }
    }

    fn read_stream<'a>(&'a self, stream: &'a StreamId, from_version: u64) -> EventStream<'a> {
        let from = i64::try_from(from_version.max(1)).unwrap_or(i64::MAX);
        let sql = format!(
            "select {COLUMNS} from events where stream_id = $1 and stream_version >= $2 \
             order by stream_version limit $3"
        );
        let events = stream::try_unfold(Some(from), move |from| {
            let sql = sql.clone();
            async move {
                let Some(from) = from else {
                    return Ok(None);
                };
                let rows = sqlx::query(&sql)
                    .bind(stream.as_str())
                    .bind(from)
                    .bind(STREAM_PAGE as i64)
                    .fetch_all(&self.pool)
                    .await?;
                let next = match rows.last() {
                    Some(last) if rows.len() == STREAM_PAGE => {
                        Some(decode::stream_version(last)?.saturating_add(1))
                    }
                    _ => None,
                };
                Ok::<_, StoreError>(Some((rows, next)))
            }
        })
        .map_ok(|rows| stream::iter(rows).map(|row| decode::event(&row)))
        .try_flatten();
        until_first_error(events)
    }

    fn read_all<'a>(
        &'a self,
        after: Checkpoint,
        limit: usize,
        filter: &'a EventFilter,
    ) -> EventStream<'a> {
        self.pages(after, limit, filter.clone(), false)
    }

    fn subscribe(&self, after: Checkpoint, filter: EventFilter) -> EventStream<'static> {
        self.pages(after, usize::MAX, filter, true)
    }

    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let version: i64 = sqlx::query_scalar(
            "select coalesce(max(stream_version), 0)::bigint from events where stream_id = $1",
        )
        .bind(stream.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(version).unwrap_or(0))
    }

    async fn head(&self) -> Result<Checkpoint, StoreError> {
        let head: Option<(i64, i64)> = sqlx::query_as(
            "select tx_id::text::bigint as tx, position from events \
             where tx_id < (select noaber_read_horizon()) \
             order by events.tx_id desc, events.position desc limit 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(head.map_or(Checkpoint::START, |(tx, position)| Checkpoint {
            tx,
            position,
        }))
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }
}

fn subject_key(wrapped: Option<Vec<u8>>, erased_at: Option<DateTime<Utc>>) -> SubjectKey {
    match (wrapped, erased_at) {
        (Some(key), None) => SubjectKey::Wrapped(key),
        (_, Some(at)) => SubjectKey::Erased(at),
        // The table's check constraint rules this out; treat it as erased, never as a key.
        (None, None) => SubjectKey::Erased(DateTime::<Utc>::UNIX_EPOCH),
    }
}

#[async_trait]
impl KeyStore for PgStore {
    async fn put_key_if_absent(
        &self,
        tenant_id: Uuid,
        subject: Uuid,
        wrapped: Vec<u8>,
    ) -> Result<SubjectKey, StoreError> {
        let inserted = sqlx::query(
            "insert into subject_keys (subject, tenant_id, wrapped) values ($1, $2, $3) \
             on conflict (subject) do nothing",
        )
        .bind(subject)
        .bind(tenant_id)
        .bind(&wrapped)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(SubjectKey::Wrapped(wrapped));
        }
        self.get_key(subject).await?.ok_or_else(|| {
            StoreError::new(
                StoreErrorKind::Database,
                format!("the key of subject {subject} was neither stored nor found"),
            )
        })
    }

    async fn get_key(&self, subject: Uuid) -> Result<Option<SubjectKey>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<DateTime<Utc>>)> =
            sqlx::query_as("select wrapped, erased_at from subject_keys where subject = $1")
                .bind(subject)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(wrapped, erased_at)| subject_key(wrapped, erased_at)))
    }

    async fn erase_key(&self, subject: Uuid) -> Result<bool, StoreError> {
        let erased = sqlx::query(
            "update subject_keys set wrapped = null, erased_at = now() \
             where subject = $1 and erased_at is null",
        )
        .bind(subject)
        .execute(&self.pool)
        .await?;
        if erased.rows_affected() == 0 {
            // No key yet (nothing personal was ever sealed): leave a tombstone all the same, so
            // that no key can be made for this person afterwards. The tenant is unknown here.
            sqlx::query(
                "insert into subject_keys (subject, tenant_id, wrapped, erased_at) \
                 values ($1, $2, null, now()) on conflict (subject) do nothing",
            )
            .bind(subject)
            .bind(Uuid::nil())
            .execute(&self.pool)
            .await?;
        }
        Ok(erased.rows_affected() == 1)
    }
}

/// Replaces the database name of a PostgreSQL URL, keeping user, host, port and parameters:
/// how tests and benchmarks point at a scratch database on the same server.
pub fn url_with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    // postgres://user@host:port/dbname: keep everything up to the first '/' after the authority.
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}
