//! `noaber bench store`: throughput of the event log against the raw ceiling of the same work.
//!
//! Every append case runs beside its ceiling: plain INSERTs of the same rows into an identical
//! table with no store logic (no version check, no hash chain), with the same number of writers
//! and the same batch size, so that the ratio says what the log's guarantees cost on this
//! machine. The read cases compare `read_all` and a subscription's catch-up with a raw read of
//! the same rows. PostgreSQL cases run in a fresh database (`noaber_bench_<uuid>`) that is
//! dropped at the end, so real data is never touched; SQLite cases run in a fresh directory.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::StreamExt;
use noaber_store::postgres::PgStore;
use noaber_store::sqlite::SqliteStore;
use noaber_store::{
    Checkpoint, EventFilter, EventStore, ExpectedVersion, Metadata, NewEvent, StoreErrorKind,
    StreamId,
};
use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use uuid::Uuid;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One measured case of the benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct BenchCase {
    /// What was measured (`append`, `append_hot`, `read_all`, `subscribe_catch_up`).
    pub case: String,
    /// The back-end (`postgres`, `sqlite`).
    pub backend: String,
    /// Concurrent writers (or readers).
    pub writers: usize,
    /// Events per append (or 0 for reads).
    pub batch: usize,
    /// Events per second through the store.
    pub events_per_s: f64,
    /// Events per second of the raw ceiling of the same work, when there is one.
    pub ceiling_events_per_s: Option<f64>,
    /// `events_per_s / ceiling_events_per_s`.
    pub ratio: Option<f64>,
    /// Anything else worth knowing about the case (e.g. the conflict rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What to run the benchmark against.
#[derive(Debug, Clone)]
pub struct StoreBenchOptions {
    /// The PostgreSQL server (any database on it; the bench creates its own). Without it only
    /// the SQLite cases run.
    pub database_url: Option<String>,
    /// How many events the read cases read.
    pub events: u64,
    /// Where the SQLite cases put their scratch files (removed at the end).
    pub data_dir: PathBuf,
}

/// How long each append case (and its ceiling) runs.
const WRITE_CASE: Duration = Duration::from_secs(5);
/// Writer counts and batch sizes of the append cases.
const WRITERS: [usize; 3] = [1, 8, 32];
const BATCHES: [usize; 2] = [1, 10];
/// Streams each writer cycles through (each writer has its own).
const STREAMS_PER_WRITER: usize = 10;
/// Hot streams shared by the contending writers.
const HOT_STREAMS: usize = 10;
const HOT_WRITERS: usize = 8;
/// Events per append when filling the log for the read cases.
const FILL_BATCH: usize = 1000;

/// Which cases run: all by default; `NOABER_BENCH_ONLY` narrows them to a comma-separated
/// list of kinds (`append`, `read`) and back-ends (`postgres`, `sqlite`), e.g.
/// `NOABER_BENCH_ONLY=postgres,read` for the PostgreSQL read cases alone.
#[derive(Debug, Clone, Copy)]
struct Only {
    append: bool,
    read: bool,
    postgres: bool,
    sqlite: bool,
}

impl Only {
    fn from_env() -> Result<Self, BoxError> {
        let raw = std::env::var("NOABER_BENCH_ONLY").unwrap_or_default();
        let words: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .collect();
        if let Some(bad) = words
            .iter()
            .find(|w| !matches!(**w, "append" | "read" | "postgres" | "sqlite"))
        {
            return Err(format!(
                "NOABER_BENCH_ONLY may name append, read, postgres and sqlite; {bad:?} is none of them"
            )
            .into());
        }
        let has = |w: &str| words.contains(&w);
        let any_kind = has("append") || has("read");
        let any_backend = has("postgres") || has("sqlite");
        Ok(Self {
            append: !any_kind || has("append"),
            read: !any_kind || has("read"),
            postgres: !any_backend || has("postgres"),
            sqlite: !any_backend || has("sqlite"),
        })
    }
}

/// Runs every case (or those `NOABER_BENCH_ONLY` names) and returns the figures.
pub async fn run(opts: &StoreBenchOptions) -> Result<Vec<BenchCase>, BoxError> {
    let only = Only::from_env()?;
    let mut cases = Vec::new();
    if only.postgres {
        match opts.database_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => cases.extend(postgres_cases(url, opts.events, only).await?),
            None => eprintln!(
                "note: the PostgreSQL cases need a PostgreSQL server (--database-url or DATABASE_URL); running the SQLite cases only"
            ),
        }
    }
    if only.sqlite {
        cases.extend(sqlite_cases(&opts.data_dir, opts.events, only).await?);
    }
    Ok(cases)
}

/// Prints the figures as a table.
pub fn print_table(cases: &[BenchCase]) {
    println!(
        "{:<20} {:<9} {:>7} {:>5} {:>12} {:>12} {:>6}  note",
        "case", "backend", "writers", "batch", "events/s", "ceiling/s", "ratio"
    );
    for c in cases {
        let ceiling = c
            .ceiling_events_per_s
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
        let ratio = c
            .ratio
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
        println!(
            "{:<20} {:<9} {:>7} {:>5} {:>12.0} {:>12} {:>6}  {}",
            c.case,
            c.backend,
            c.writers,
            c.batch,
            c.events_per_s,
            ceiling,
            ratio,
            c.note.as_deref().unwrap_or("")
        );
    }
}

fn case(
    name: &str,
    backend: &str,
    writers: usize,
    batch: usize,
    events_per_s: f64,
    ceiling: Option<f64>,
    note: Option<String>,
) -> BenchCase {
    BenchCase {
        case: name.to_owned(),
        backend: backend.to_owned(),
        writers,
        batch,
        events_per_s,
        ceiling_events_per_s: ceiling,
        ratio: ceiling.filter(|c| *c > 0.0).map(|c| events_per_s / c),
        note,
    }
}

/// A typical small event: a posted request with a sealed description.
fn sample_event(n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: Uuid::nil(),
        event_type: "RequestPosted".to_owned(),
        schema_version: 1,
        payload: serde_json::json!({
            "n": n,
            "category": "groceries",
            "channel": "app",
            "urgency": "this_week",
            "description": {"$sealed": {"subject": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "ct": "q7bZb2l0aGVyIGJ1bmNoIG9mIGJ5dGVz"}}
        }),
        metadata: Metadata {
            actor_id: Some(Uuid::nil()),
            actor_role: Some("resident".to_owned()),
            ..Metadata::default()
        },
        occurred_at: Utc::now(),
    }
}

fn stream_id(raw: String) -> Result<StreamId, BoxError> {
    Ok(StreamId::parse(&raw)?)
}

/// Runs `writers` tasks of `work` until the deadline; returns events per second, events, and
/// the sum of the tasks' second counter.
async fn timed<F, Fut>(writers: usize, work: F) -> Result<(f64, u64, u64), BoxError>
where
    F: Fn(usize, Instant) -> Fut,
    Fut: std::future::Future<Output = Result<(u64, u64), BoxError>> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + WRITE_CASE;
    let tasks: Vec<_> = (0..writers)
        .map(|w| tokio::spawn(work(w, deadline)))
        .collect();
    let (mut events, mut extra) = (0u64, 0u64);
    for t in tasks {
        let (e, x) = t.await??;
        events += e;
        extra += x;
    }
    let secs = started.elapsed().as_secs_f64();
    Ok((events as f64 / secs, events, extra))
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

fn with_database(url: &str, db: &str) -> Result<PgConnectOptions, BoxError> {
    Ok(PgConnectOptions::from_str(url)?.database(db))
}

async fn postgres_cases(url: &str, events: u64, only: Only) -> Result<Vec<BenchCase>, BoxError> {
    let name = format!("noaber_bench_{}", Uuid::new_v4().simple());
    let admin_options = PgConnectOptions::from_str(url)?;
    let mut admin = admin_options.connect().await?;
    sqlx::query(&format!("create database {name}"))
        .execute(&mut admin)
        .await?;
    eprintln!("bench: PostgreSQL cases in the scratch database {name}");
    let result = postgres_cases_in(url, &name, events, only).await;
    if let Err(e) = sqlx::query(&format!("drop database if exists {name} with (force)"))
        .execute(&mut admin)
        .await
    {
        eprintln!("bench: could not drop the scratch database {name}: {e}");
    }
    result
}

async fn postgres_cases_in(
    url: &str,
    db: &str,
    events: u64,
    only: Only,
) -> Result<Vec<BenchCase>, BoxError> {
    let store = PgStore::connect_with_options(with_database(url, db)?, 40).await?;
    store.migrate().await?;
    // The ceiling's table: the same columns, defaults and indexes, none of the store's logic.
    sqlx::query("create table raw_events (like events including all)")
        .execute(store.pool())
        .await?;
    let mut cases = Vec::new();

    for writers in WRITERS.into_iter().filter(|_| only.append) {
        for batch in BATCHES {
            let (ceiling, _, _) = {
                let pool = store.pool().clone();
                timed(writers, move |w, deadline| {
                    raw_pg_writer(pool.clone(), writers, w, batch, deadline)
                })
                .await?
            };
            let (rate, _, _) = {
                let store = store.clone();
                timed(writers, move |w, deadline| {
                    store_writer(Arc::new(store.clone()), "pg", writers, w, batch, deadline)
                })
                .await?
            };
            eprintln!(
                "bench: postgres append {writers}x{batch}: {rate:.0}/s (ceiling {ceiling:.0}/s)"
            );
            cases.push(case(
                "append",
                "postgres",
                writers,
                batch,
                rate,
                Some(ceiling),
                None,
            ));
        }
    }
    if only.append {
        cases.push(hot_case(Arc::new(store.clone()), "postgres").await?);
    }
    if !only.read {
        store.pool().close().await;
        return Ok(cases);
    }

    fill(Arc::new(store.clone()), events).await?;
    let n = events;
    let ceiling = raw_pg_read(store.pool(), n).await?;
    let rate = store_read_all(&store, n).await?;
    eprintln!("bench: postgres read_all: {rate:.0}/s (raw {ceiling:.0}/s)");
    cases.push(case(
        "read_all",
        "postgres",
        1,
        0,
        rate,
        Some(ceiling),
        Some(format!("{n} events")),
    ));
    let rate = store_catch_up(&store, n).await?;
    eprintln!("bench: postgres subscribe catch-up: {rate:.0}/s");
    cases.push(case(
        "subscribe_catch_up",
        "postgres",
        1,
        0,
        rate,
        Some(ceiling),
        Some(format!("{n} events")),
    ));
    store.pool().close().await;
    Ok(cases)
}

/// One writer of the store's append cases: its own streams, an exact expected version.
async fn store_writer(
    store: Arc<dyn EventStore>,
    tag: &'static str,
    writers: usize,
    w: usize,
    batch: usize,
    deadline: Instant,
) -> Result<(u64, u64), BoxError> {
    let run = Uuid::new_v4().simple().to_string();
    let streams: Vec<StreamId> = (0..STREAMS_PER_WRITER)
        .map(|k| stream_id(format!("bench{tag}-{writers}x{batch}w{w}s{k}{run}")))
        .collect::<Result<_, _>>()?;
    let mut versions = vec![0u64; streams.len()];
    let mut written = 0u64;
    let mut i = 0usize;
    while Instant::now() < deadline {
        let k = i % streams.len();
        let events: Vec<NewEvent> = (0..batch)
            .map(|j| sample_event((i * batch + j) as u64))
            .collect();
        let expected = if versions[k] == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(versions[k])
        };
        let outcome = store.append(&streams[k], expected, events).await?;
        versions[k] = outcome.next_version;
        written += batch as u64;
        i += 1;
    }
    Ok((written, 0))
}

/// One writer of the PostgreSQL ceiling: the same rows, plain INSERTs into `raw_events`.
async fn raw_pg_writer(
    pool: PgPool,
    writers: usize,
    w: usize,
    batch: usize,
    deadline: Instant,
) -> Result<(u64, u64), BoxError> {
    let run = Uuid::new_v4().simple().to_string();
    let streams: Vec<String> = (0..STREAMS_PER_WRITER)
        .map(|k| format!("benchraw-{writers}x{batch}w{w}s{k}{run}"))
        .collect();
    let mut versions = vec![0i64; streams.len()];
    let zeros = vec![0u8; 32];
    let mut written = 0u64;
    let mut i = 0usize;
    while Instant::now() < deadline {
        let k = i % streams.len();
        let events: Vec<NewEvent> = (0..batch)
            .map(|j| sample_event((i * batch + j) as u64))
            .collect();
        let n = events.len();
        let now = Utc::now();
        let mut cols = RawColumns::with_capacity(n);
        for (j, e) in events.iter().enumerate() {
            cols.tenant.push(e.tenant_id);
            cols.version.push(versions[k] + 1 + j as i64);
            cols.id.push(e.event_id);
            cols.ty.push(e.event_type.clone());
            cols.schema.push(e.schema_version as i32);
            cols.payload.push(serde_json::to_string(&e.payload)?);
            cols.metadata.push(serde_json::to_string(&e.metadata)?);
            cols.occurred.push(e.occurred_at);
            cols.recorded.push(now);
            cols.prev.push(zeros.clone());
            cols.hash.push(zeros.clone());
        }
        if n == 1 {
            sqlx::query(
                "insert into raw_events (tenant_id, stream_id, category, stream_version, event_id, \
                 event_type, schema_version, payload, metadata, occurred_at, recorded_at, \
                 prev_hash, hash) values ($1, $2, 'benchraw', $3, $4, $5, $6, $7::json, $8::json, \
                 $9, $10, $11, $12)",
            )
            .bind(cols.tenant[0])
            .bind(&streams[k])
            .bind(cols.version[0])
            .bind(cols.id[0])
            .bind(&cols.ty[0])
            .bind(cols.schema[0])
            .bind(&cols.payload[0])
            .bind(&cols.metadata[0])
            .bind(cols.occurred[0])
            .bind(cols.recorded[0])
            .bind(&cols.prev[0])
            .bind(&cols.hash[0])
            .execute(&pool)
            .await?;
        } else {
            sqlx::query(
                "insert into raw_events (tenant_id, stream_id, category, stream_version, event_id, \
                 event_type, schema_version, payload, metadata, occurred_at, recorded_at, \
                 prev_hash, hash) \
                 select t, $2, 'benchraw', v, i, ty, sv, p::json, m::json, o, r, ph, h \
                 from unnest($1::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::int[], \
                             $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], \
                             $11::bytea[], $12::bytea[]) as u(t, v, i, ty, sv, p, m, o, r, ph, h)",
            )
            .bind(&cols.tenant)
            .bind(&streams[k])
            .bind(&cols.version)
            .bind(&cols.id)
            .bind(&cols.ty)
            .bind(&cols.schema)
            .bind(&cols.payload)
            .bind(&cols.metadata)
            .bind(&cols.occurred)
            .bind(&cols.recorded)
            .bind(&cols.prev)
            .bind(&cols.hash)
            .execute(&pool)
            .await?;
        }
        versions[k] += n as i64;
        written += n as u64;
        i += 1;
    }
    Ok((written, 0))
}

struct RawColumns {
    tenant: Vec<Uuid>,
    version: Vec<i64>,
    id: Vec<Uuid>,
    ty: Vec<String>,
    schema: Vec<i32>,
    payload: Vec<String>,
    metadata: Vec<String>,
    occurred: Vec<chrono::DateTime<Utc>>,
    recorded: Vec<chrono::DateTime<Utc>>,
    prev: Vec<Vec<u8>>,
    hash: Vec<Vec<u8>>,
}

impl RawColumns {
    fn with_capacity(n: usize) -> Self {
        Self {
            tenant: Vec::with_capacity(n),
            version: Vec::with_capacity(n),
            id: Vec::with_capacity(n),
            ty: Vec::with_capacity(n),
            schema: Vec::with_capacity(n),
            payload: Vec::with_capacity(n),
            metadata: Vec::with_capacity(n),
            occurred: Vec::with_capacity(n),
            recorded: Vec::with_capacity(n),
            prev: Vec::with_capacity(n),
            hash: Vec::with_capacity(n),
        }
    }
}

/// 8 writers on 10 hot streams, each append expecting the version it last saw.
async fn hot_case(store: Arc<dyn EventStore>, backend: &str) -> Result<BenchCase, BoxError> {
    let run = Uuid::new_v4().simple().to_string();
    let streams: Arc<Vec<StreamId>> = Arc::new(
        (0..HOT_STREAMS)
            .map(|k| stream_id(format!("hot-{k}{run}")))
            .collect::<Result<_, _>>()?,
    );
    let (rate, written, conflicts) = timed(HOT_WRITERS, |w, deadline| {
        let store = Arc::clone(&store);
        let streams = Arc::clone(&streams);
        async move {
            let mut versions = vec![0u64; streams.len()];
            let (mut written, mut conflicts) = (0u64, 0u64);
            // Each writer acts on a pseudo-random hot stream and, like the command executor,
            // retries the same stream at the version a conflict reports until it lands.
            let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (w as u64 + 1);
            let mut k = 0usize;
            let mut retrying = false;
            while Instant::now() < deadline {
                if !retrying {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    k = (seed % streams.len() as u64) as usize;
                }
                let expected = ExpectedVersion::Exact(versions[k]);
                match store
                    .append(&streams[k], expected, vec![sample_event(written)])
                    .await
                {
                    Ok(outcome) => {
                        versions[k] = outcome.next_version;
                        written += 1;
                        retrying = false;
                    }
                    Err(e) => match e.kind() {
                        StoreErrorKind::Conflict { actual, .. } => {
                            versions[k] = *actual;
                            conflicts += 1;
                            retrying = true;
                        }
                        _ => return Err(e.into()),
                    },
                }
            }
            Ok((written, conflicts))
        }
    })
    .await?;
    let attempts = (written + conflicts) as f64;
    let share = if attempts > 0.0 {
        100.0 * conflicts as f64 / attempts
    } else {
        0.0
    };
    eprintln!("bench: {backend} hot streams: {rate:.0}/s, {share:.1}% conflicts");
    Ok(case(
        "append_hot",
        backend,
        HOT_WRITERS,
        1,
        rate,
        None,
        Some(format!(
            "{HOT_STREAMS} hot streams, exact versions, retry on conflict: {share:.1}% of appends conflicted ({conflicts} conflicts)"
        )),
    ))
}

/// Appends batches of [`FILL_BATCH`] until the log holds `events` events (two writers).
async fn fill(store: Arc<dyn EventStore>, events: u64) -> Result<(), BoxError> {
    let started = Instant::now();
    let mut have = 0u64;
    // Count what the append cases left.
    let filter = EventFilter::all();
    {
        let mut all = store.read_all(Checkpoint::START, usize::MAX, &filter);
        while let Some(e) = all.next().await {
            e?;
            have += 1;
        }
    }
    let missing = events.saturating_sub(have);
    let appends = missing.div_ceil(FILL_BATCH as u64);
    let tasks: Vec<_> = (0..2u64)
        .map(|t| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut k = t;
                while k < appends {
                    // Every append is full but the last, which takes what is left.
                    let n = (missing - k * FILL_BATCH as u64).min(FILL_BATCH as u64) as usize;
                    let s = stream_id(format!("fill-{k}"))?;
                    let batch = (0..n).map(|j| sample_event(j as u64)).collect();
                    store.append(&s, ExpectedVersion::NoStream, batch).await?;
                    k += 2;
                }
                Ok::<_, BoxError>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    eprintln!(
        "bench: filled {backend} with {missing} events in {:.1} s",
        started.elapsed().as_secs_f64(),
        backend = store.backend()
    );
    Ok(())
}

/// The raw read ceiling: the first `n` rows in the log's order, as COPY's raw bytes.
async fn raw_pg_read(pool: &PgPool, n: u64) -> Result<f64, BoxError> {
    let mut conn = pool.acquire().await?;
    let started = Instant::now();
    let mut out = conn
        .copy_out_raw(&format!(
            "copy (select * from events order by tx_id, position limit {n}) to stdout"
        ))
        .await?;
    let (mut rows, mut bytes) = (0u64, 0u64);
    while let Some(chunk) = out.next().await {
        let chunk = chunk?;
        bytes += chunk.len() as u64;
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!("bench: raw read of {rows} rows, {bytes} bytes");
    Ok(rows as f64 / secs)
}

async fn store_read_all(store: &dyn EventStore, n: u64) -> Result<f64, BoxError> {
    let filter = EventFilter::all();
    let started = Instant::now();
    let mut all = store.read_all(Checkpoint::START, n as usize, &filter);
    let mut read = 0u64;
    while let Some(e) = all.next().await {
        e?;
        read += 1;
    }
    Ok(read as f64 / started.elapsed().as_secs_f64())
}

async fn store_catch_up(store: &dyn EventStore, n: u64) -> Result<f64, BoxError> {
    let started = Instant::now();
    let mut sub = store.subscribe(Checkpoint::START, EventFilter::all());
    let mut read = 0u64;
    while read < n {
        match sub.next().await {
            Some(e) => {
                e?;
                read += 1;
            }
            None => break,
        }
    }
    Ok(read as f64 / started.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------------------------
// SQLite

async fn sqlite_cases(
    data_dir: &Path,
    events: u64,
    only: Only,
) -> Result<Vec<BenchCase>, BoxError> {
    let dir = data_dir.join(format!("noaber-bench-{}", Uuid::new_v4().simple()));
    tokio::fs::create_dir_all(&dir).await?;
    eprintln!("bench: SQLite cases in {}", dir.display());
    let result = sqlite_cases_in(&dir, events, only).await;
    if let Err(e) = tokio::fs::remove_dir_all(&dir).await {
        eprintln!("bench: could not remove {}: {e}", dir.display());
    }
    result
}

fn sqlite_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
}

async fn sqlite_cases_in(dir: &Path, events: u64, only: Only) -> Result<Vec<BenchCase>, BoxError> {
    let store_path = dir.join("store.db");
    let store = SqliteStore::open(&store_path).await?;
    // The ceiling's table: the store's own `create table` and indexes, in a file of its own.
    let mut source = SqliteConnection::connect_with(&sqlite_options(&store_path)).await?;
    let ddl: Vec<String> = sqlx::query_scalar(
        "select sql from sqlite_master where tbl_name = 'events' and type in ('table', 'index') \
         and sql is not null order by type desc",
    )
    .fetch_all(&mut source)
    .await?;
    source.close().await?;
    let raw = Arc::new(tokio::sync::Mutex::new(
        SqliteConnection::connect_with(&sqlite_options(&dir.join("raw.db"))).await?,
    ));
    for statement in &ddl {
        sqlx::query(statement)
            .execute(&mut *raw.lock().await)
            .await?;
    }

    let mut cases = Vec::new();
    for writers in WRITERS.into_iter().filter(|_| only.append) {
        for batch in BATCHES {
            let (ceiling, _, _) = {
                let raw = Arc::clone(&raw);
                timed(writers, move |w, deadline| {
                    raw_sqlite_writer(Arc::clone(&raw), writers, w, batch, deadline)
                })
                .await?
            };
            let (rate, _, _) = {
                let store = store.clone();
                timed(writers, move |w, deadline| {
                    store_writer(Arc::new(store.clone()), "sq", writers, w, batch, deadline)
                })
                .await?
            };
            eprintln!(
                "bench: sqlite append {writers}x{batch}: {rate:.0}/s (ceiling {ceiling:.0}/s)"
            );
            cases.push(case(
                "append",
                "sqlite",
                writers,
                batch,
                rate,
                Some(ceiling),
                None,
            ));
        }
    }
    if only.append {
        cases.push(hot_case(Arc::new(store.clone()), "sqlite").await?);
    }
    if !only.read {
        return Ok(cases);
    }

    fill(Arc::new(store.clone()), events).await?;
    let ceiling = {
        let mut conn = SqliteConnection::connect_with(&sqlite_options(&store_path)).await?;
        let started = Instant::now();
        let sql = format!("select * from events order by position limit {events}");
        let mut rows = sqlx::query(&sql).fetch(&mut conn);
        let mut read = 0u64;
        while let Some(row) = rows.next().await {
            row?;
            read += 1;
        }
        read as f64 / started.elapsed().as_secs_f64()
    };
    let rate = store_read_all(&store, events).await?;
    eprintln!("bench: sqlite read_all: {rate:.0}/s (raw {ceiling:.0}/s)");
    cases.push(case(
        "read_all",
        "sqlite",
        1,
        0,
        rate,
        Some(ceiling),
        Some(format!("{events} events")),
    ));
    let rate = store_catch_up(&store, events).await?;
    eprintln!("bench: sqlite subscribe catch-up: {rate:.0}/s");
    cases.push(case(
        "subscribe_catch_up",
        "sqlite",
        1,
        0,
        rate,
        Some(ceiling),
        Some(format!("{events} events")),
    ));
    Ok(cases)
}

/// One writer of the SQLite ceiling: plain INSERTs of the same rows through one connection
/// (SQLite has one writer at a time), one transaction per batch.
async fn raw_sqlite_writer(
    raw: Arc<tokio::sync::Mutex<SqliteConnection>>,
    writers: usize,
    w: usize,
    batch: usize,
    deadline: Instant,
) -> Result<(u64, u64), BoxError> {
    let run = Uuid::new_v4().simple().to_string();
    let streams: Vec<String> = (0..STREAMS_PER_WRITER)
        .map(|k| format!("benchraw-{writers}x{batch}w{w}s{k}{run}"))
        .collect();
    let mut versions = vec![0i64; streams.len()];
    let zeros = vec![0u8; 32];
    let mut written = 0u64;
    let mut i = 0usize;
    while Instant::now() < deadline {
        let k = i % streams.len();
        let events: Vec<NewEvent> = (0..batch)
            .map(|j| sample_event((i * batch + j) as u64))
            .collect();
        let now = Utc::now().timestamp_micros();
        let mut conn = raw.lock().await;
        let mut tx = conn.begin().await?;
        for (j, e) in events.iter().enumerate() {
            sqlx::query(
                "insert into events (tenant_id, stream_id, category, stream_version, event_id, \
                 event_type, schema_version, payload, metadata, occurred_at, recorded_at, \
                 prev_hash, hash) values (?, ?, 'benchraw', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.tenant_id.as_bytes().as_slice())
            .bind(&streams[k])
            .bind(versions[k] + 1 + j as i64)
            .bind(e.event_id.as_bytes().as_slice())
            .bind(&e.event_type)
            .bind(i64::from(e.schema_version))
            .bind(serde_json::to_vec(&e.payload)?)
            .bind(serde_json::to_vec(&e.metadata)?)
            .bind(e.occurred_at.timestamp_micros())
            .bind(now)
            .bind(zeros.as_slice())
            .bind(zeros.as_slice())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        drop(conn);
        versions[k] += events.len() as i64;
        written += events.len() as u64;
        i += 1;
    }
    Ok((written, 0))
}
