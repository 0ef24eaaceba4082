//! `noaber bench http`: reads over real HTTP with personal data opened, beside the same reads
//! without opening anything, measured in one run with the load generator on the same machine.
//!
//! The server is the real application on a local socket over a fresh embedded log holding one
//! tenant: a connector of its neighbourhood with a bearer token, residents, and open requests
//! with descriptions. Each case runs `concurrency` clients for `seconds`, each sending its next
//! read as soon as the last one answered; it prints reads per second, the median and the 99th
//! percentile latency, and for the opened reads the access-log rows written per second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use noaber_api::http::{self, AppState, HttpConfig};
use noaber_api::identity::bootstrap::{bootstrap, Plan};
use noaber_domain::{PersonId, Role};
use noaber_store::identity::CredentialKind;
use serde_json::json;
use uuid::Uuid;

/// What to measure.
#[derive(Debug, Clone)]
pub struct HttpBenchOptions {
    /// Open requests in the neighbourhood.
    pub requests: usize,
    /// Clients reading at the same time.
    pub concurrency: usize,
    /// Seconds each case runs.
    pub seconds: u64,
}

impl Default for HttpBenchOptions {
    fn default() -> Self {
        Self {
            requests: 500,
            concurrency: 32,
            seconds: 5,
        }
    }
}

/// One measured case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HttpCase {
    /// The case's name.
    pub name: String,
    /// Reads answered per second.
    pub reads_per_second: f64,
    /// Median latency in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: f64,
    /// Access-log rows written per second during the case.
    pub access_rows_per_second: f64,
    /// Reads that did not answer 200.
    pub failures: u64,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A served application with a tenant in it, ready to be read.
pub(crate) struct Setup {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base: String,
    /// The connector's bearer token (the administrator's while setting up).
    pub(crate) token: String,
    /// The administrator's bearer token.
    pub(crate) admin: String,
    /// The neighbourhood everything is in.
    pub(crate) neighbourhood: Uuid,
    /// The connector.
    pub(crate) connector: Uuid,
    /// The open requests.
    pub(crate) requests: Vec<Uuid>,
    /// The served state.
    pub(crate) state: AppState,
    _dir: Option<tempfile::TempDir>,
}

async fn post(
    client: &reqwest::Client,
    setup: &Setup,
    path: &str,
    body: serde_json::Value,
) -> Result<Uuid, BoxError> {
    let response = client
        .post(format!("{}{path}", setup.base))
        .bearer_auth(&setup.token)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let body: serde_json::Value = response.json().await?;
    if !status.is_success() {
        return Err(format!("POST {path}: {status} {body}").into());
    }
    Ok(body["id"].as_str().unwrap_or_default().parse()?)
}

async fn set_up(opts: &HttpBenchOptions) -> Result<Setup, BoxError> {
    let dir = tempfile::tempdir()?;
    let store =
        Arc::new(noaber_store::sqlite::SqliteStore::open(&dir.path().join("bench.db")).await?);
    set_up_over(store, Some(dir), opts.requests).await
}

/// Serves the application over `store` and fills it: a connector of the first neighbourhood
/// and `requests` residents with an open request each.
pub(crate) async fn set_up_over<S>(
    store: Arc<S>,
    dir: Option<tempfile::TempDir>,
    requests: usize,
) -> Result<Setup, BoxError>
where
    S: noaber_store::EventStore
        + noaber_store::identity::IdentityStore
        + noaber_store::KeyStore
        + 'static,
{
    let privacy = Arc::new(noaber_store::privacy::Privacy::new(
        noaber_store::privacy::MasterKey::generate(),
        store.clone(),
    ));
    let state = AppState::start(
        store.clone(),
        store.clone(),
        privacy,
        Arc::new(noaber_projections::snapshot::MemorySnapshotStore::new()),
        noaber_projections::runner::RunnerConfig::default(),
    )
    .await;
    let done = bootstrap(
        &state.executor,
        &state.identity,
        &Plan::first_run(),
        Utc::now(),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let served = state.clone();
    tokio::spawn(async move {
        let _ = http::serve(
            listener,
            served,
            &HttpConfig::default(),
            std::future::pending(),
        )
        .await;
    });
    state.projections.catch_up(Duration::from_secs(30)).await?;
    let admin = issue(&state, done.tenant, done.admin, Role::Admin).await?;
    let mut setup = Setup {
        base,
        token: admin.clone(),
        admin,
        neighbourhood: done.neighbourhood.as_uuid(),
        connector: Uuid::nil(),
        requests: Vec::new(),
        state,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    let n = setup.neighbourhood;
    let connector = post(
        &client,
        &setup,
        "/v1/persons",
        json!({"person_id": Uuid::now_v7(), "name": "Carla Verbinder", "consent": "explicit_consent",
        "neighbourhood_id": n, "digital_access": "digital"}),
    )
    .await?;
    post(
        &client,
        &setup,
        &format!("/v1/persons/{connector}/roles"),
        json!({"role": "connector", "scope": {"neighbourhoods": [n]}}),
    )
    .await?;
    setup.connector = connector;
    for i in 0..requests {
        let resident = post(
            &client,
            &setup,
            "/v1/persons",
            json!({"person_id": Uuid::now_v7(), "consent": "explicit_consent",
            "name": format!("Bewoner {i}"), "contact": format!("06-{i:08}"),
            "neighbourhood_id": n, "digital_access": "digital"}),
        )
        .await?;
        let request = post(&client, &setup, "/v1/requests", json!({"requester": resident,
            "category": "errands", "neighbourhood_id": n, "consent": "explicit_consent",
            "description": format!("Wie kan deze week boodschappen doen voor nummer {i}? Liefst op dinsdag.")})).await?;
        setup.requests.push(request);
    }
    setup
        .state
        .projections
        .catch_up(Duration::from_secs(60))
        .await?;
    setup.token = issue(
        &setup.state,
        done.tenant,
        PersonId::new(connector),
        Role::Connector,
    )
    .await?;
    Ok(setup)
}

async fn issue(
    state: &AppState,
    tenant: noaber_domain::TenantId,
    person: PersonId,
    role: Role,
) -> Result<String, BoxError> {
    Ok(state
        .identity
        .issue(
            CredentialKind::Bearer,
            tenant,
            person,
            Some(role),
            Some("bench".into()),
            chrono::Duration::days(1),
            Utc::now(),
        )
        .await?
        .token)
}

/// Reads `paths` (round robin) with `concurrency` clients for `seconds`.
pub(crate) async fn measure(
    setup: &Setup,
    token: &str,
    opts: &HttpBenchOptions,
    name: &str,
    paths: Arc<Vec<String>>,
) -> HttpCase {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.concurrency)
        .build()
        .unwrap_or_default();
    let written_before = setup.state.identity.access_log().written();
    let started = Instant::now();
    let until = started + Duration::from_secs(opts.seconds);
    let mut tasks = Vec::new();
    for worker in 0..opts.concurrency {
        let client = client.clone();
        let paths = paths.clone();
        let base = setup.base.clone();
        let token = token.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0u64;
            let mut i = worker;
            while Instant::now() < until {
                let path = &paths[i % paths.len()];
                i += 7;
                let t = Instant::now();
                let ok = match client
                    .get(format!("{base}{path}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                latencies.push(t.elapsed().as_micros() as u64);
                if !ok {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        if let Ok((l, f)) = task.await {
            latencies.extend(l);
            failures += f;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    setup.state.identity.access_log().flush().await;
    let written = setup.state.identity.access_log().written() - written_before;
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p).round() as usize)
            .map_or(0.0, |us| *us as f64 / 1000.0)
    };
    HttpCase {
        name: name.to_owned(),
        reads_per_second: latencies.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        access_rows_per_second: written as f64 / elapsed,
        failures,
    }
}

/// Runs every case and returns them in order: each opened read right after its plain twin.
pub async fn run(opts: &HttpBenchOptions) -> Result<Vec<HttpCase>, BoxError> {
    let setup = set_up(opts).await?;
    let n = setup.neighbourhood;
    let feed = |open: bool| {
        Arc::new(vec![format!(
            "/v1/neighbourhoods/{n}/feed?limit=20&open={open}"
        )])
    };
    let request = |open: bool| {
        Arc::new(
            setup
                .requests
                .iter()
                .map(|id| format!("/v1/requests/{id}?open={open}"))
                .collect::<Vec<_>>(),
        )
    };
    let mut cases = Vec::new();
    // A short warm-up, so that keys are cached and connections open as in steady use.
    let _ = measure(
        &setup,
        &setup.token,
        &HttpBenchOptions {
            seconds: 1,
            ..opts.clone()
        },
        "warm-up",
        request(true),
    )
    .await;
    cases.push(
        measure(
            &setup,
            &setup.token,
            opts,
            "feed page of 20, nothing opened",
            feed(false),
        )
        .await,
    );
    cases.push(
        measure(
            &setup,
            &setup.token,
            opts,
            "feed page of 20, descriptions opened",
            feed(true),
        )
        .await,
    );
    cases.push(
        measure(
            &setup,
            &setup.token,
            opts,
            "request, nothing opened",
            request(false),
        )
        .await,
    );
    cases.push(
        measure(
            &setup,
            &setup.token,
            opts,
            "request as a connector sees it",
            request(true),
        )
        .await,
    );
    Ok(cases)
}

/// The table of cases, with the ratio of each opened read to its plain twin.
pub fn print_table(cases: &[HttpCase]) -> String {
    let mut out = format!(
        "{:<40} {:>10} {:>8} {:>8} {:>12} {:>8} {:>6}\n",
        "case", "reads/s", "p50 ms", "p99 ms", "access/s", "ratio", "fail"
    );
    for (i, c) in cases.iter().enumerate() {
        let ratio = if i % 2 == 1 {
            format!(
                "{:.2}",
                c.reads_per_second / cases[i - 1].reads_per_second.max(1e-9)
            )
        } else {
            "-".to_owned()
        };
        out.push_str(&format!(
            "{:<40} {:>10.0} {:>8.2} {:>8.2} {:>12.0} {:>8} {:>6}\n",
            c.name,
            c.reads_per_second,
            c.p50_ms,
            c.p99_ms,
            c.access_rows_per_second,
            ratio,
            c.failures
        ));
    }
    out
}
