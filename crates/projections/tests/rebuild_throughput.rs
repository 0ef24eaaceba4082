//! A benchmark, not a test: rebuilds every read model from an existing PostgreSQL event log and
//! compares the rate with the raw read ceiling of the same rows (`copy ... to stdout`, nothing
//! decoded), so the rebuild's overhead over reading the bytes is visible. It only reads: point
//! `NOABER_BENCH_DATABASE_URL` at a database holding a log (e.g. one written by
//! `noaber bench projections`) and run `cargo test --release -p noaber-projections --test
//! rebuild_throughput -- --ignored --nocapture`. Without that variable it prints a note and
//! does nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use futures::StreamExt;
use noaber_projections::runner::{decode, rebuild_from, ReadModels};
use noaber_store::postgres::PgStore;
use noaber_store::{Checkpoint, EventFilter, EventStore};
use sqlx::Connection;

/// CPU seconds this process has used so far (user, system; all threads; Linux), or zeros
/// elsewhere.
fn cpu_seconds() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0.0, 0.0);
    };
    // The fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th of them, in clock ticks of (on Linux) 1/100 s.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return (0.0, 0.0);
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// Prints one measured case: events, wall time, rate and the CPU time used meanwhile.
fn report(what: &str, n: u64, secs: f64, cpu_before: (f64, f64)) -> f64 {
    let (user, sys) = cpu_seconds();
    let rate = per_second(n, secs);
    println!(
        "{what}: {n} events in {secs:.2} s = {rate:.0} events/s (cpu {:.2} s user + {:.2} s system)",
        user - cpu_before.0,
        sys - cpu_before.1
    );
    rate
}

/// Rebuilds with `runner::rebuild_from` (the pipelined rebuild) and prints the figures.
async fn pipelined(store: &dyn EventStore, what: &str) -> f64 {
    let cpu = cpu_seconds();
    let started = Instant::now();
    let models = rebuild_from(store, Checkpoint::START, 10_000, |_| {})
        .await
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let stats = models.stats();
    let rate = report(
        &format!("{what} ({} undecodable)", stats.decode_failures),
        stats.applied + stats.decode_failures,
        secs,
        cpu,
    );
    drop(models);
    rate
}

fn per_second(n: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        n as f64 / seconds
    } else {
        0.0
    }
}

/// Streams every row of the log with `copy ... to stdout` and counts them: (rows, seconds).
async fn raw_ceiling(url: &str) -> (u64, f64) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let started = Instant::now();
    let mut copy = conn
        .copy_out_raw("copy (select * from events order by tx_id, position) to stdout")
        .await
        .unwrap();
    let mut rows = 0u64;
    while let Some(chunk) = copy.next().await {
        // In COPY's text format every row ends with a newline and newlines inside values are
        // escaped, so counting newlines counts rows.
        rows += chunk.unwrap().iter().filter(|b| **b == b'\n').count() as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(copy);
    let _ = conn.close().await;
    (rows, seconds)
}

/// Reads every event through the store (rows to `RecordedEvent`s, nothing decoded or folded),
/// and optionally decodes the payloads as well: (events, seconds).
async fn store_read(store: &dyn EventStore, decode_too: bool) -> (u64, f64) {
    let filter = EventFilter::all();
    let started = Instant::now();
    let mut events = store.read_all(Checkpoint::START, usize::MAX, &filter);
    let mut n = 0u64;
    while let Some(event) = events.next().await {
        let event = event.unwrap();
        if decode_too {
            std::hint::black_box(decode(&event).ok());
        }
        std::hint::black_box(&event);
        n += 1;
    }
    (n, started.elapsed().as_secs_f64())
}

/// The rebuild as it was before it was pipelined, for comparison: read, decode and fold one
/// event after the other on this task: (models, seconds).
async fn serial_rebuild(store: &dyn EventStore) -> (ReadModels, f64) {
    let filter = EventFilter::all();
    let started = Instant::now();
    let mut models = ReadModels::default();
    let mut events = store.read_all(Checkpoint::START, usize::MAX, &filter);
    while let Some(event) = events.next().await {
        models.apply_recorded(&event.unwrap());
    }
    (models, started.elapsed().as_secs_f64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it in release mode with --ignored --nocapture"]
async fn rebuild_from_postgres_against_the_raw_read_ceiling() {
    let Some(url) = std::env::var("NOABER_BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("note: NOABER_BENCH_DATABASE_URL is not set; nothing to measure");
        return;
    };
    let store = PgStore::connect(&url).await.unwrap();

    // Warms the server's cache so the first timed case is not penalised.
    let (rows, _) = raw_ceiling(&url).await;
    println!("log: {rows} events");

    let (rows, raw_secs) = raw_ceiling(&url).await;
    let ceiling = per_second(rows, raw_secs);
    println!(
        "raw read ceiling (copy to stdout): {rows} rows in {raw_secs:.2} s = {ceiling:.0} rows/s"
    );

    let cpu = cpu_seconds();
    let (n, secs) = store_read(&store, false).await;
    report("store read, nothing decoded", n, secs, cpu);
    let cpu = cpu_seconds();
    let (n, secs) = store_read(&store, true).await;
    report("store read + decode (serial, no fold)", n, secs, cpu);

    let rate = pipelined(&store, "rebuild_from").await;
    let cpu = cpu_seconds();
    let (models, secs) = serial_rebuild(&store).await;
    let n = models.stats().applied + models.stats().decode_failures;
    drop(models);
    report("serial read + decode + fold, for comparison", n, secs, cpu);
    pipelined(&store, "rebuild_from, again").await;
    println!(
        "ratio rebuild_from / raw ceiling: {:.2}",
        if ceiling > 0.0 { rate / ceiling } else { 0.0 }
    );
}
