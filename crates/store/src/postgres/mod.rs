//! The PostgreSQL back-end: the production event log, safe for many writers and readers.
//!
//! - Appends go through one server-side function (`noaber_append`, see the migrations) in one
//!   round trip: it checks the expected version, finishes the hash chain with `sha256()` and
//!   inserts the batch. The writer computes each event's content hash (see [`crate::hash`]).
//! - Readers of the global order read only below the oldest transaction still open, ordered by
//!   (transaction id, position), so an event that commits late is never skipped (ADR 0003).
//! - Subscriptions catch up in pages, then wait for a wake-up: an append in this process, a
//!   `NOTIFY noaber_events` from another process, or a poll every half second.
//!
//! This module holds the store itself (connecting, migrating) and the [`EventStore`] impl,
//! which delegates each job to the module that does it: `append`, `read`, `notify` (the
//! wake-ups), `keys` (the [`KeyStore`] impl) and `decode` (rows back into events).

use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use tokio::sync::{mpsc, watch};

use crate::envelope::{
    AppendOutcome, Checkpoint, EventFilter, ExpectedVersion, NewEvent, StreamId,
};
use crate::error::{StoreError, StoreErrorKind};
use crate::{EventStore, EventStream};

mod append;
mod decode;
mod identity;
mod keys;
mod notify;
mod read;

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

/// How long a request waits for a connection (which includes connecting) before it fails as
/// unavailable: while the database is down, requests are answered 503 at once instead of
/// hanging, and a load balancer can send them elsewhere.
pub const ACQUIRE_TIMEOUT: Duration = crate::UNAVAILABLE_AFTER;

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
            .acquire_timeout(ACQUIRE_TIMEOUT)
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
}

#[async_trait]
impl EventStore for PgStore {
    #[tracing::instrument(
        skip_all,
        fields(backend = "postgres", stream = %stream, expected = ?expected, events = events.len())
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
            backend = "postgres",
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
        self.pages(after, limit, filter.clone(), false)
    }

    fn subscribe(&self, after: Checkpoint, filter: EventFilter) -> EventStream<'static> {
        self.pages(after, usize::MAX, filter, true)
    }

    #[tracing::instrument(skip_all, fields(backend = "postgres", stream = %stream))]
    async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        self.last_version(stream).await
    }

    #[tracing::instrument(skip_all, fields(backend = "postgres"))]
    async fn head(&self) -> Result<Checkpoint, StoreError> {
        self.visible_head().await
    }

    fn backend(&self) -> &'static str {
        "postgres"
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
