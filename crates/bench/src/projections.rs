//! `noaber bench projections`: generates the demo log (a million events at `--scale large`)
//! on a fresh PostgreSQL database and measures the read models on it: rebuilding them in memory
//! and from PostgreSQL (against the raw read ceiling of the same rows, and beside reading the
//! rows through the store with and without decoding them, so the rebuild's overhead shows where
//! it comes from), KPI queries of four shapes, a feed page, the connector queue, match
//! suggestions, and the memory the models take per request.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use futures::{StreamExt, TryStreamExt};
use noaber_demo::{self as demo, period_start, Scale, TenantSize};
use noaber_domain::{AnyEvent, NeighbourhoodEvent, NeighbourhoodId, RequestEvent, RequestId};
use noaber_projections::feed::Audience;
use noaber_projections::kpi::{Breakdown, Interval, KpiQuery};
use noaber_projections::queue::QueueConfig;
use noaber_projections::runner::{fold_decoded, rebuild_from, ReadModels};
use noaber_store::exec::Executor;
use noaber_store::postgres::{url_with_database as with_database, PgStore};
use noaber_store::privacy::{MasterKey, Privacy};
use noaber_store::{Checkpoint, EventFilter, EventStore, KeyStore, RecordedEvent};
use serde::Serialize;
use uuid::Uuid;

/// What the benchmark runs with.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// The PostgreSQL server (its database part is replaced by a fresh one).
    pub database_url: String,
    /// The demo history's seed.
    pub seed: u64,
    /// How much history to generate.
    pub scale: Scale,
    /// Demo tenants written at the same time.
    pub concurrency: usize,
    /// Where the long steps report how far they are (the command line draws bars).
    pub progress: Arc<dyn Progress>,
    /// An existing database whose log is measured instead of generating one.
    pub reuse_database: Option<String>,
}

/// Where the benchmark reports its long steps (writing the log, rebuilding from it), so that
/// a person waiting sees them move; how they are shown is the caller's business.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// A step begins: what it does, and how many events it will take when that is known.
    fn start(&self, what: &str, events: Option<u64>);
    /// Events done so far in the current step.
    fn set(&self, done: u64);
    /// The current step is over.
    fn finish(&self);
    /// A line worth telling the person running the benchmark.
    fn note(&self, text: &str);
}

/// Reports nothing: for tests and scripts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _what: &str, _events: Option<u64>) {}
    fn set(&self, _done: u64) {}
    fn finish(&self) {}
    fn note(&self, _text: &str) {}
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// No server was named.
    #[error("the projections benchmark needs a PostgreSQL server: pass --database-url or set DATABASE_URL")]
    NoDatabase,
    /// The server or the fresh database failed.
    #[error("the benchmark database failed: {0}")]
    Database(String),
    /// The event log failed.
    #[error(transparent)]
    Store(#[from] noaber_store::StoreError),
    /// Writing the demo history failed.
    #[error(transparent)]
    Demo(#[from] demo::DemoError),
    /// Rebuilding the read models failed.
    #[error(transparent)]
    Runner(#[from] noaber_projections::runner::RunnerError),
    /// The log holds nothing to query (the demo wrote no request).
    #[error("the demo log holds no request to query")]
    Empty,
    /// The JSON file could not be written.
    #[error("the results could not be written to {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}
/// One measured case, as printed and as written to the JSON file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Case {
    /// The case's name, e.g. `rebuild_in_memory`.
    pub case: String,
    /// The measured figure.
    pub value: f64,
    /// Its unit: `events/s`, `ms` or `bytes`.
    pub unit: String,
    /// For `rebuild_from_postgres`: the raw read ceiling of the same rows, events/s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ceiling_events_per_s: Option<f64>,
    /// For `rebuild_from_postgres`: value divided by the ceiling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
}

impl Case {
    /// A case without a ceiling.
    pub(crate) fn new(case: &str, value: f64, unit: &str) -> Self {
        Self {
            case: case.to_owned(),
            value,
            unit: unit.to_owned(),
            ceiling_events_per_s: None,
            ratio: None,
        }
    }
}

/// Renders the cases as a plain-text table.
pub fn print_table(cases: &[Case]) -> String {
    // At least 24 wide, so that the table of `bench projections` keeps its layout.
    let w = cases
        .iter()
        .map(|c| c.case.len())
        .max()
        .unwrap_or(0)
        .max(24);
    let mut out = format!("{:<w$} {:>16} {:<9} {}\n", "case", "value", "unit", "notes");
    for c in cases {
        let notes = match (c.ceiling_events_per_s, c.ratio) {
            (Some(ceiling), Some(ratio)) => {
                format!("ceiling {ceiling:.0} events/s, ratio {ratio:.2}")
            }
            _ => String::new(),
        };
        let value = if c.unit == "ms" {
            format!("{:.3}", c.value)
        } else {
            format!("{:.0}", c.value)
        };
        out.push_str(&format!(
            "{:<w$} {:>16} {:<9} {}\n",
            c.case, value, c.unit, notes
        ));
    }
    out
}

/// The resident set size of this process in bytes, from `/proc/self/statm` (Linux), or `None`
/// where that file does not exist.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Every Linux platform Noaber targets uses 4 KiB pages.
    Some(pages * 4096)
}

/// Writes the cases as a JSON array of `{"case","value","unit"}` objects.
pub fn write_json(cases: &[Case], path: &Path) -> Result<(), BenchError> {
    let text = serde_json::to_string_pretty(cases).unwrap_or_else(|_| "[]".to_owned());
    std::fs::write(path, text + "\n").map_err(|source| BenchError::Json {
        path: path.to_owned(),
        source,
    })
}

async fn fresh_database(url: &str) -> Result<String, BenchError> {
    use sqlx::Connection;
    let name = format!("noaber_bench_{}", Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .map_err(|e| BenchError::Database(e.to_string()))?;
    sqlx::query(&format!("create database {name}"))
        .execute(&mut conn)
        .await
        .map_err(|e| BenchError::Database(e.to_string()))?;
    let _ = conn.close().await;
    Ok(with_database(url, &name))
}

/// Milliseconds per call of `f`, averaged over `rounds` calls (after one warm-up call).
fn time_ms<T>(rounds: u32, mut f: impl FnMut() -> T) -> f64 {
    std::hint::black_box(f());
    let started = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(f());
    }
    started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds.max(1))
}

/// The raw read ceiling: the same rows streamed with `copy ... to stdout`, nothing decoded.
async fn raw_read_rows(url: &str) -> Result<(u64, f64), BenchError> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| BenchError::Database(e.to_string()))?;
    let driver = tokio::spawn(connection);
    let started = Instant::now();
    let copy = client
        .copy_out("copy (select * from events order by tx_id, position) to stdout")
        .await
        .map_err(|e| BenchError::Database(e.to_string()))?;
    futures::pin_mut!(copy);
    let mut rows = 0u64;
    while let Some(chunk) = copy.next().await {
        let chunk = chunk.map_err(|e| BenchError::Database(e.to_string()))?;
        // In COPY's text format every row ends with a newline and newlines inside values are
        // escaped, so counting newlines counts rows.
        rows += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(client);
    driver.abort();
    Ok((rows, seconds))
}

fn per_second(n: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        n as f64 / seconds
    } else {
        0.0
    }
}

/// Generates the demo log and measures every case. See the module documentation.
pub async fn run(opts: &BenchOptions) -> Result<Vec<Case>, BenchError> {
    let reuse = opts.reuse_database.as_deref();
    let url = match reuse {
        Some(name) => with_database(&opts.database_url, name),
        None => fresh_database(&opts.database_url).await?,
    };
    let store = Arc::new(PgStore::connect(&url).await?);
    store.migrate().await?;
    let log: Arc<dyn EventStore> = store.clone();
    let keys: Arc<dyn KeyStore> = store.clone();
    let executor = Executor::new(
        log.clone(),
        Arc::new(Privacy::new(MasterKey::generate(), keys)),
    );

    // 1. The log, written through the domain's commands (unless an earlier run's is reused).
    let events_in_log = if reuse.is_some() {
        let count: i64 = sqlx::query_scalar("select count(*) from events")
            .fetch_one(store.pool())
            .await
            .map_err(|e| BenchError::Database(e.to_string()))?;
        u64::try_from(count).unwrap_or(0)
    } else {
        let expected = match opts.scale {
            Scale::Small => None,
            Scale::Large => Some(Scale::LARGE_EVENTS),
        };
        opts.progress.start("writing the demo log", expected);
        let progress = |n: u64| opts.progress.set(n);
        let summary = demo::run(
            &executor,
            opts.seed,
            opts.scale,
            opts.concurrency,
            &progress,
        )
        .await?;
        opts.progress.finish();
        summary.events
    };
    let name = url.rsplit('/').next().unwrap_or_default();
    opts.progress.note(&format!(
        "demo log: {events_in_log} events in database {name} (reuse it with --reuse-database {name})"
    ));

    // 2. End to end from PostgreSQL.
    opts.progress
        .start("rebuilding from PostgreSQL", Some(events_in_log));
    let started = Instant::now();
    let models = rebuild_from(log.as_ref(), Checkpoint::START, 10_000, |n| {
        opts.progress.set(n)
    })
    .await?;
    let pg_seconds = started.elapsed().as_secs_f64();
    opts.progress.finish();
    let folded = models.stats().applied + models.stats().decode_failures;
    let (raw_rows, raw_seconds) = raw_read_rows(&url).await?;
    let pg_rate = per_second(folded, pg_seconds);
    let ceiling = per_second(raw_rows, raw_seconds);
    let read_rate = store_read_rate(log.as_ref()).await?;

    // 3. In memory: every event read and decoded first, then only the fold is timed.
    let filter = EventFilter::all();
    let mut decoded: Vec<(RecordedEvent, AnyEvent)> =
        Vec::with_capacity(usize::try_from(events_in_log).unwrap_or(0));
    let mut requests = 0u64;
    let mut tenants_with_time: Option<(Uuid, DateTime<Utc>, DateTime<Utc>)> = None;
    let mut first_recorded: Option<DateTime<Utc>> = None;
    let mut last_recorded: Option<DateTime<Utc>> = None;
    let mut hoods: std::collections::HashMap<Uuid, Vec<NeighbourhoodId>> =
        std::collections::HashMap::new();
    let mut last_request: Option<RequestId> = None;
    let reading_started = Instant::now();
    {
        let mut events = log.read_all(Checkpoint::START, usize::MAX, &filter);
        while let Some(mut raw) = events.try_next().await? {
            let Ok(event) = noaber_projections::runner::decode(&raw) else {
                continue;
            };
            if let AnyEvent::Request(RequestEvent::RequestPosted(posted)) = &event {
                requests += 1;
                if tenants_with_time.is_none() {
                    tenants_with_time = Some((raw.tenant_id, raw.occurred_at, raw.recorded_at));
                }
                if tenants_with_time.is_some_and(|(t, _, _)| t == raw.tenant_id) {
                    last_request = Some(posted.request_id);
                }
            }
            if let AnyEvent::Neighbourhood(NeighbourhoodEvent::NeighbourhoodRegistered(n)) = &event
            {
                hoods
                    .entry(raw.tenant_id)
                    .or_default()
                    .push(n.neighbourhood_id);
            }
            first_recorded = first_recorded.or(Some(raw.recorded_at));
            last_recorded = Some(raw.recorded_at);
            // The models read the decoded event; the stored payload is not needed any more.
            raw.payload = serde_json::Value::Null;
            decoded.push((raw, event));
        }
    }
    let read_decode_rate = per_second(
        decoded.len() as u64,
        reading_started.elapsed().as_secs_f64(),
    );
    let started = Instant::now();
    // The memory the models keep: resident-set growth while they are folded from events that
    // are already in memory, so no read buffer or second thread's allocator arena is counted.
    // Approximate both ways: it counts the allocator's slack, and not memory the allocator
    // hands out again after earlier steps freed it (docs/benchmarks.md gives both readings).
    let rss_before = resident_bytes();
    let in_memory = fold_decoded(decoded.iter().map(|(raw, event)| (raw, event)));
    let rss_after = resident_bytes();
    let memory_seconds = started.elapsed().as_secs_f64();
    let memory_rate = per_second(decoded.len() as u64, memory_seconds);
    drop(in_memory);
    drop(decoded);

    // 4. Queries on the models rebuilt from PostgreSQL.
    let (tenant, _, _) = tenants_with_time.ok_or(BenchError::Empty)?;
    let hoods = hoods.remove(&tenant).unwrap_or_default();
    let request = last_request.ok_or(BenchError::Empty)?;
    let cases_q = queries(
        &models,
        tenant,
        &hoods,
        request,
        first_recorded,
        last_recorded,
    )?;

    let bytes = match (rss_before, rss_after) {
        (Some(b), Some(a)) if requests > 0 => a.saturating_sub(b) as f64 / requests as f64,
        _ => 0.0,
    };
    let mut cases = vec![Case::new("rebuild_in_memory", memory_rate, "events/s")];
    let mut pg = Case::new("rebuild_from_postgres", pg_rate, "events/s");
    pg.ceiling_events_per_s = Some(ceiling);
    pg.ratio = Some(if ceiling > 0.0 {
        pg_rate / ceiling
    } else {
        0.0
    });
    cases.push(pg);
    cases.push(Case::new("read_from_postgres", read_rate, "events/s"));
    cases.push(Case::new(
        "read_decode_from_postgres",
        read_decode_rate,
        "events/s",
    ));
    cases.extend(cases_q);
    cases.push(Case::new("bytes_per_request", bytes, "bytes"));
    Ok(cases)
}

/// Events per second read through the store, nothing decoded or kept: what the rebuild pays for
/// the store's paging and row mapping on top of the raw ceiling.
async fn store_read_rate(log: &dyn EventStore) -> Result<f64, BenchError> {
    let filter = EventFilter::all();
    let started = Instant::now();
    let mut n = 0u64;
    let mut events = log.read_all(Checkpoint::START, usize::MAX, &filter);
    while let Some(event) = events.try_next().await? {
        std::hint::black_box(&event);
        n += 1;
    }
    Ok(per_second(n, started.elapsed().as_secs_f64()))
}

fn queries(
    models: &ReadModels,
    tenant: Uuid,
    hoods: &[NeighbourhoodId],
    request: RequestId,
    first_recorded: Option<DateTime<Utc>>,
    last_recorded: Option<DateTime<Utc>>,
) -> Result<Vec<Case>, BenchError> {
    // The first full year of the simulated period, broken down by neighbourhood.
    let from = period_start();
    let to = from + Duration::days(365);
    let report_date = from + Duration::days(TenantSize::SMALL.days);
    let mut year = KpiQuery::new(tenant, from, to, report_date);
    year.by = Some(Breakdown::Neighbourhood);
    let kpi_year = time_ms(50, || models.kpis.query(&year));

    // As of halfway through the time the log was written.
    let mut as_of = year.clone();
    as_of.as_of = match (first_recorded, last_recorded) {
        (Some(a), Some(b)) => Some(a + (b - a) / 2),
        _ => None,
    };
    let kpi_as_of = time_ms(10, || models.kpis.query(&as_of));

    // The same year by category with a monthly series, and the last twelve months by channel.
    let mut series = KpiQuery::new(tenant, from, to, report_date);
    series.by = Some(Breakdown::Category);
    series.series = Some(Interval::Month);
    let kpi_series = time_ms(50, || models.kpis.query(&series));
    let mut by_channel =
        KpiQuery::new(tenant, from + Duration::days(180), report_date, report_date);
    by_channel.by = Some(Breakdown::Channel);
    let kpi_channel = time_ms(50, || models.kpis.query(&by_channel));

    // A neighbourhood of that tenant: the one with the most feed items for a resident.
    let hood: NeighbourhoodId = hoods
        .iter()
        .copied()
        .max_by_key(|n| models.feed.len(*n, Audience::Resident))
        .ok_or(BenchError::Empty)?;
    let feed_ms = time_ms(1000, || {
        models.feed.page(hood, Audience::Resident, None, 20)
    });
    let queue_ms = time_ms(1000, || {
        models
            .queue
            .items(hoods, report_date, &QueueConfig::default())
    });
    // Match suggestions for the tenant's last request, as a connector asks for them.
    let suggestions_ms = time_ms(100, || models.directory.suggest(request, report_date, 10));
    Ok(vec![
        Case::new("kpi_year_breakdown", kpi_year, "ms"),
        Case::new("kpi_as_of", kpi_as_of, "ms"),
        Case::new("kpi_monthly_series", kpi_series, "ms"),
        Case::new("kpi_by_channel", kpi_channel, "ms"),
        Case::new("feed_page", feed_ms, "ms"),
        Case::new("queue", queue_ms, "ms"),
        Case::new("suggestions", suggestions_ms, "ms"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_every_case_and_the_ceiling() {
        let mut pg = Case::new("rebuild_from_postgres", 700_000.0, "events/s");
        pg.ceiling_events_per_s = Some(1_000_000.0);
        pg.ratio = Some(0.7);
        let table = print_table(&[Case::new("feed_page", 0.012, "ms"), pg]);
        assert!(table.contains("feed_page"));
        assert!(table.contains("0.012"));
        assert!(table.contains("ratio 0.70"));
    }

    #[test]
    fn json_has_ceiling_and_ratio_only_where_measured() {
        let mut pg = Case::new("rebuild_from_postgres", 1.0, "events/s");
        pg.ceiling_events_per_s = Some(2.0);
        pg.ratio = Some(0.5);
        let json = serde_json::to_value([Case::new("queue", 0.5, "ms"), pg]).expect("serialises");
        assert_eq!(json[0]["case"], "queue");
        assert!(json[0].get("ratio").is_none());
        assert_eq!(json[1]["ratio"], 0.5);
        assert_eq!(json[1]["ceiling_events_per_s"], 2.0);
    }

    #[test]
    fn a_database_url_gets_its_database_replaced() {
        assert_eq!(
            with_database("postgres://u@h:5433/postgres?sslmode=disable", "x"),
            "postgres://u@h:5433/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:5433", "x"),
            "postgres://u@h:5433/x"
        );
    }

    /// Runs the whole benchmark on the small demo history (the large one is for the command).
    #[tokio::test]
    async fn the_benchmark_measures_every_case_on_a_small_log() {
        let url = std::env::var("NOABER_TEST_DATABASE_URL")
            .or_else(|_| std::env::var("DATABASE_URL"))
            .ok()
            .filter(|u| !u.is_empty());
        let Some(url) = url else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but no PostgreSQL is configured"
            );
            eprintln!("note: no DATABASE_URL set; skipping the projections benchmark test");
            return;
        };
        let opts = BenchOptions {
            database_url: url,
            seed: 7,
            scale: Scale::Small,
            concurrency: 2,
            progress: Arc::new(Quiet),
            reuse_database: None,
        };
        let cases = run(&opts).await.expect("the benchmark runs");
        let names: Vec<&str> = cases.iter().map(|c| c.case.as_str()).collect();
        assert_eq!(
            names,
            [
                "rebuild_in_memory",
                "rebuild_from_postgres",
                "read_from_postgres",
                "read_decode_from_postgres",
                "kpi_year_breakdown",
                "kpi_as_of",
                "kpi_monthly_series",
                "kpi_by_channel",
                "feed_page",
                "queue",
                "suggestions",
                "bytes_per_request"
            ]
        );
        for c in &cases[..2] {
            assert!(c.value > 0.0, "{} measured nothing", c.case);
        }
        assert!(cases[1].ceiling_events_per_s.is_some_and(|c| c > 0.0));
        println!("{}", print_table(&cases));
    }
}
