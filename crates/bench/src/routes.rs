//! `noaber bench routes`: every read route of the API over real HTTP, on the embedded store
//! and on PostgreSQL in the same run, with each route's ratio of PostgreSQL to the embedded
//! store; and `noaber bench stream`: how long an event takes to reach a thousand open live
//! update streams.
//!
//! Both stores are filled alike (see [`http::set_up_over`]) and read by the same clients on the
//! same cores as the server, one store after the other.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::str::FromStr;

use noaber_store::postgres::PgStore;
use serde_json::json;
use sqlx::postgres::PgConnectOptions;
use sqlx::ConnectOptions;
use uuid::Uuid;

use crate::http::{self, HttpBenchOptions, HttpCase, Setup};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What to measure.
#[derive(Debug, Clone)]
pub struct RoutesBenchOptions {
    /// Requests, clients and seconds per route.
    pub http: HttpBenchOptions,
    /// A PostgreSQL server to measure beside the embedded store (a scratch database is
    /// created in it and dropped afterwards); the embedded store alone when absent.
    pub database_url: Option<String>,
}

/// One route on each store.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RouteCase {
    /// The route, as documented.
    pub route: String,
    /// On the embedded store.
    pub embedded: HttpCase,
    /// On PostgreSQL, when measured.
    pub postgres: Option<HttpCase>,
}

/// Every read route with the addresses it is read at, and whether the administrator reads it
/// (otherwise the connector of the neighbourhood).
fn routes(setup: &Setup) -> Vec<(&'static str, bool, Vec<String>)> {
    let n = setup.neighbourhood;
    let c = setup.connector;
    let each = |f: &dyn Fn(&Uuid) -> String| setup.requests.iter().map(f).collect::<Vec<_>>();
    let today = chrono::Utc::now().date_naive();
    let year_ago = today - chrono::Days::new(365);
    vec![
        ("GET /v1/me", false, vec!["/v1/me".into()]),
        ("GET /v1/taxonomy", false, vec!["/v1/taxonomy".into()]),
        (
            "GET /v1/requests/{id}",
            false,
            each(&|id| format!("/v1/requests/{id}")),
        ),
        (
            "GET /v1/requests/{id}/history",
            false,
            each(&|id| format!("/v1/requests/{id}/history")),
        ),
        (
            "GET /v1/requests/{id}/suggestions",
            false,
            each(&|id| format!("/v1/requests/{id}/suggestions")),
        ),
        (
            "GET /v1/neighbourhoods/{id}/feed",
            false,
            vec![format!("/v1/neighbourhoods/{n}/feed?limit=20")],
        ),
        (
            "GET /v1/queue",
            false,
            vec![format!("/v1/queue?neighbourhoods={n}")],
        ),
        (
            "GET /v1/helpers",
            false,
            vec![format!("/v1/helpers?neighbourhood={n}")],
        ),
        (
            "GET /v1/signals",
            false,
            vec![format!("/v1/signals?from={year_ago}&to={today}")],
        ),
        (
            "GET /v1/kpis",
            true,
            vec![format!("/v1/kpis?from={year_ago}&to={today}")],
        ),
        (
            "GET /v1/neighbourhoods",
            false,
            vec!["/v1/neighbourhoods".into()],
        ),
        (
            "GET /v1/organisations",
            false,
            vec!["/v1/organisations".into()],
        ),
        ("GET /v1/calls", false, vec!["/v1/calls".into()]),
        ("GET /v1/me/requests", false, vec!["/v1/me/requests".into()]),
        ("GET /v1/me/offers", false, vec!["/v1/me/offers".into()]),
        ("GET /v1/me/matches", false, vec!["/v1/me/matches".into()]),
        ("GET /v1/me/tokens", false, vec!["/v1/me/tokens".into()]),
        (
            "GET /v1/me/access-log",
            false,
            vec!["/v1/me/access-log".into()],
        ),
        (
            "GET /v1/me/contact-sharing",
            false,
            vec!["/v1/me/contact-sharing".into()],
        ),
        (
            "GET /v1/persons/{id}/history",
            true,
            vec![format!("/v1/persons/{c}/history")],
        ),
        (
            "GET /v1/persons/{id}/roles",
            true,
            vec![format!("/v1/persons/{c}/roles")],
        ),
        (
            "GET /v1/tenant/retention",
            true,
            vec!["/v1/tenant/retention".into()],
        ),
    ]
}

async fn measure_all(setup: &Setup, opts: &HttpBenchOptions) -> Vec<(String, HttpCase)> {
    let warm = HttpBenchOptions {
        seconds: 1,
        ..opts.clone()
    };
    let mut cases = Vec::new();
    for (route, admin, paths) in routes(setup) {
        let token = if admin { &setup.admin } else { &setup.token };
        let paths = Arc::new(paths);
        let _ = http::measure(setup, token, &warm, route, paths.clone()).await;
        eprintln!("bench: {route}");
        cases.push((
            route.to_owned(),
            http::measure(setup, token, opts, route, paths).await,
        ));
    }
    cases
}

/// A scratch database on the server at `url`, dropped when [`Scratch::drop_now`] is called.
struct Scratch {
    admin: PgConnectOptions,
    name: String,
    url: PgConnectOptions,
}

impl Scratch {
    async fn create(url: &str) -> Result<Self, BoxError> {
        let admin = PgConnectOptions::from_str(url)?;
        let name = format!("noaber_bench_{}", Uuid::new_v4().simple());
        let mut conn = admin.connect().await?;
        sqlx::query(&format!("create database {name}"))
            .execute(&mut conn)
            .await?;
        eprintln!("bench: PostgreSQL cases in the scratch database {name}");
        let url = admin.clone().database(&name);
        Ok(Self { admin, name, url })
    }

    async fn drop_now(self) {
        let dropped = async {
            let mut conn = self.admin.connect().await?;
            sqlx::query(&format!(
                "drop database if exists {} with (force)",
                self.name
            ))
            .execute(&mut conn)
            .await?;
            Ok::<_, BoxError>(())
        };
        if let Err(e) = dropped.await {
            eprintln!(
                "bench: could not drop the scratch database {}: {e}",
                self.name
            );
        }
    }
}

/// Measures every read route on the embedded store, then on PostgreSQL when a server is given.
pub async fn run(opts: &RoutesBenchOptions) -> Result<Vec<RouteCase>, BoxError> {
    let embedded = {
        let dir = tempfile::tempdir()?;
        let store =
            Arc::new(noaber_store::sqlite::SqliteStore::open(&dir.path().join("bench.db")).await?);
        let setup = http::set_up_over(store, Some(dir), opts.http.requests).await?;
        measure_all(&setup, &opts.http).await
    };
    let postgres = match &opts.database_url {
        Some(url) => {
            let scratch = Scratch::create(url).await?;
            let measured = async {
                let store = Arc::new(PgStore::connect_with_options(scratch.url.clone(), 20).await?);
                store.migrate().await?;
                let setup = http::set_up_over(store, None, opts.http.requests).await?;
                Ok::<_, BoxError>(measure_all(&setup, &opts.http).await)
            }
            .await;
            scratch.drop_now().await;
            Some(measured?)
        }
        None => None,
    };
    Ok(embedded
        .into_iter()
        .enumerate()
        .map(|(i, (route, embedded))| RouteCase {
            route,
            embedded,
            postgres: postgres.as_ref().map(|p| p[i].1.clone()),
        })
        .collect())
}

/// The table of routes: each store's reads per second, p99 and failures, and the ratio.
pub fn print_table(cases: &[RouteCase]) -> String {
    let mut out = format!(
        "{:<36} {:>10} {:>8} {:>6} {:>10} {:>8} {:>6} {:>7}\n",
        "route", "sqlite/s", "p99 ms", "fail", "pg/s", "p99 ms", "fail", "pg/sql"
    );
    for c in cases {
        let (pg, pg_p99, pg_fail, ratio) = match &c.postgres {
            Some(p) => (
                format!("{:.0}", p.reads_per_second),
                format!("{:.2}", p.p99_ms),
                p.failures.to_string(),
                format!(
                    "{:.2}",
                    p.reads_per_second / c.embedded.reads_per_second.max(1e-9)
                ),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        out.push_str(&format!(
            "{:<36} {:>10.0} {:>8.2} {:>6} {:>10} {:>8} {:>6} {:>7}\n",
            c.route,
            c.embedded.reads_per_second,
            c.embedded.p99_ms,
            c.embedded.failures,
            pg,
            pg_p99,
            pg_fail,
            ratio
        ));
    }
    out
}

/// What `noaber bench stream` measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StreamCase {
    /// Streams open.
    pub streams: usize,
    /// Writes made while they were open.
    pub writes: usize,
    /// Deliveries seen (one per stream per event).
    pub deliveries: usize,
    /// Deliveries expected.
    pub expected: usize,
    /// Median time from a write being sent to a stream receiving it, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile of the same.
    pub p99_ms: f64,
    /// The slowest delivery.
    pub max_ms: f64,
}

/// Opens `streams` live update streams as the connector on the embedded store, then makes
/// `writes` writes, one every 100 ms, and times how long each takes to reach every stream.
pub async fn run_stream(
    streams: usize,
    writes: usize,
    requests: usize,
) -> Result<StreamCase, BoxError> {
    let dir = tempfile::tempdir()?;
    let store =
        Arc::new(noaber_store::sqlite::SqliteStore::open(&dir.path().join("bench.db")).await?);
    let setup = http::set_up_over(store, Some(dir), requests).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(streams + 8)
        .build()?;
    // Each stream reports (request id, when it arrived) for every event it receives.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    let mut open = Vec::with_capacity(streams);
    for _ in 0..streams {
        let response = client
            .get(format!("{}/v1/stream", setup.base))
            .bearer_auth(&setup.token)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(format!("GET /v1/stream: {}", response.status()).into());
        }
        let tx = tx.clone();
        open.push(tokio::spawn(async move {
            let mut response = response;
            let mut pending = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                let now = Instant::now();
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find("\n\n") {
                    let frame: String = pending.drain(..end + 2).collect();
                    if let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data:")) {
                        let value: serde_json::Value =
                            serde_json::from_str(data.trim()).unwrap_or_default();
                        if let Some(id) = value["id"].as_str() {
                            let _ = tx.send((id.to_owned(), now));
                        }
                    }
                }
            }
        }));
    }
    drop(tx);
    // Let every stream reach its subscription before the first write.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut sent = std::collections::HashMap::new();
    for i in 0..writes {
        let id = Uuid::now_v7();
        let at = Instant::now();
        sent.insert(id.to_string(), at);
        let response = client
            .post(format!("{}/v1/requests", setup.base))
            .bearer_auth(&setup.admin)
            .json(&json!({"request_id": id, "requester": setup.connector,
                "category": "errands", "neighbourhood_id": setup.neighbourhood,
                "consent": "explicit_consent", "description": format!("Meting {i}")}))
            .send()
            .await?;
        if !response.status().is_success() {
            let status = response.status();
            return Err(format!("a write failed: {status} {}", response.text().await?).into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let expected = streams * writes;
    let mut latencies = Vec::with_capacity(expected);
    let deadline = Instant::now() + Duration::from_secs(10);
    while latencies.len() < expected {
        let Ok(Some((id, at))) = tokio::time::timeout_at(deadline.into(), rx.recv()).await else {
            break;
        };
        if let Some(write) = sent.get(&id) {
            latencies.push(at.saturating_duration_since(*write).as_secs_f64() * 1000.0);
        }
    }
    for task in open {
        task.abort();
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    Ok(StreamCase {
        streams,
        writes,
        deliveries: latencies.len(),
        expected,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
    })
}
