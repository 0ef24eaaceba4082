//! A measurement, not a check: builds synthetic request histories of about a million events
//! and prints how long KPI queries take on them. Ignored by default; run it in release mode:
//!
//! `cargo test --release -p noaber-projections --test kpi_throughput -- --ignored --nocapture`
//!
//! Two shapes are measured: one tenant with all requests (the worst case for a period query)
//! and many small tenants like the `noaber bench projections` demo log, where a query is about
//! one tenant among hundreds.

mod kpi_support;

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use kpi_support::*;
use noaber_domain::request::ResolvedBy;
use noaber_domain::RequestEvent;
use noaber_projections::kpi::{Breakdown, Interval, KpiQuery, Kpis};
use uuid::Uuid;

/// A small deterministic generator (xorshift), so every run measures the same history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const DAYS: i64 = 548;

fn tenant_number(n: usize) -> Uuid {
    Uuid::from_u128(0x7e4a_1000_0000_0000_0000_0000_0000_0000 + n as u128)
}

/// One event to be written: recorded time, sequence (for ties), tenant, event, occurred time.
type Planned = (DateTime<Utc>, usize, Uuid, RequestEvent, DateTime<Utc>);

/// `requests` requests spread over `tenants` tenants and 18 months, with offers, matches,
/// cancellations, referrals, resolutions, closures, reopenings, corrections, voids and
/// back-dated home visits, in recorded order.
fn synthetic(requests: usize, tenants: usize) -> History {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = day(2024, 1, 1);
    let span = Duration::days(DAYS).num_minutes() as u64;
    let mut planned: Vec<Planned> = Vec::with_capacity(requests * 9);
    let minutes = Duration::minutes;
    for r in 0..requests {
        let tenant = if tenants == 1 {
            tenant()
        } else {
            tenant_number(r % tenants)
        };
        let base = (r % tenants.max(1)) * 100_000;
        let posted_at = start + minutes((r as u64 * span / requests as u64) as i64);
        let late = if rng.chance(5) {
            Duration::days(rng.below(6) as i64 + 1)
        } else {
            Duration::zero()
        };
        let mut push = |occ: DateTime<Utc>, event: RequestEvent| {
            let rec = if occ < posted_at + late {
                posted_at + late
            } else {
                occ
            };
            let seq = planned.len();
            planned.push((rec, seq, tenant, event, occ));
        };
        let requester = base + rng.below(3_000) as usize;
        push(
            posted_at,
            posted(
                r,
                requester,
                rng.chance(30),
                rng.below(6) as usize,
                rng.below(12) as usize,
                rng.below(20) as usize,
            ),
        );
        push(posted_at + minutes(30), triaged(r));
        if rng.chance(4) {
            push(
                posted_at + minutes(60),
                corrected(r, Some(rng.below(12) as usize), None, None),
            );
        }
        if rng.chance(1) {
            push(posted_at + Duration::days(1), voided(r));
            continue;
        }
        let offers = 1 + rng.below(6);
        for o in 0..offers {
            let h = base + 50_000 + rng.below(1_500) as usize;
            push(posted_at + minutes(90 + 60 * o as i64), offered(r, h));
        }
        let mut t = posted_at + minutes(rng.below(3 * 24 * 60) as i64 + 120);
        if rng.chance(10) {
            push(t, referred(r));
            t += Duration::days(3);
        }
        if rng.chance(70) {
            let h = base + 50_000 + rng.below(1_500) as usize;
            push(t, matched(r, h));
            if rng.chance(5) {
                t += minutes(300);
                push(t, cancelled(r, h));
                t += minutes(300);
                push(t, matched(r, base + 50_000 + rng.below(1_500) as usize));
            }
        }
        t += minutes(rng.below(7 * 24 * 60) as i64 + 60);
        let outcome = rng.below(100);
        if outcome < 65 {
            let by = ResolvedBy::ALL[rng.below(3) as usize];
            let given = rng.chance(50).then(|| 30 + rng.below(200) as u32);
            push(t, resolved(r, by, &[], given));
            if rng.chance(3) {
                t += Duration::days(2);
                push(t, reopened(r));
                t += Duration::days(5);
                push(t, resolved(r, by, &[], None));
            }
        } else if outcome < 80 {
            push(t, closed(r));
        }
    }
    planned.sort_by_key(|(rec, seq, ..)| (*rec, *seq));
    let mut h = History::default();
    for (rec, _, tenant, event, occ) in planned {
        h.push(tenant, event, occ, rec);
    }
    h
}

/// Runs `f` `runs` times and gives the fastest and the median time in milliseconds.
fn time_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2])
}

/// How often each query runs: 30, or `KPI_THROUGHPUT_RUNS` (more, for profiling).
fn runs() -> usize {
    std::env::var("KPI_THROUGHPUT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .max(1)
}

fn measure(name: &str, kpis: &Kpis, tenant: Uuid, last_recorded: DateTime<Utc>) {
    let from = day(2024, 1, 1);
    let to = from + Duration::days(365);
    let report = from + Duration::days(DAYS);
    let mut year = KpiQuery::new(tenant, from, to, report);
    year.by = Some(Breakdown::Neighbourhood);
    let mut series = KpiQuery::new(tenant, from, to, report);
    series.by = Some(Breakdown::Category);
    series.series = Some(Interval::Month);
    let mut as_of = year.clone();
    as_of.as_of = Some(from + (last_recorded - from) / 2);
    let mut later = KpiQuery::new(tenant, from + Duration::days(180), report, report);
    later.by = Some(Breakdown::Channel);
    let requests = kpis.query(&year).total.requests;
    println!("{name}: a year holds {requests} requests of the tenant");
    for (label, q) in [
        ("year by neighbourhood", &year),
        ("year by category, monthly series", &series),
        ("year by neighbourhood, as of", &as_of),
        ("last 12 months by channel", &later),
    ] {
        let (min, median) = time_ms(runs(), || {
            std::hint::black_box(kpis.query(q));
        });
        println!("  {label:<34} min {min:>7.3} ms   median {median:>7.3} ms");
    }
}

#[test]
#[ignore = "a measurement: run with --release -- --ignored --nocapture"]
fn kpi_queries_on_a_million_event_log_print_their_times() {
    for (name, tenants) in [("one tenant", 1usize), ("275 tenants", 275)] {
        let started = Instant::now();
        let history = synthetic(110_000, tenants);
        let built = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let kpis = history.fold();
        let folded = started.elapsed().as_secs_f64();
        let last = history
            .events
            .last()
            .map(|(raw, _)| raw.recorded_at)
            .expect("the history has events");
        println!(
            "{name}: {} events, {} requests (built in {built:.1} s, folded in {folded:.2} s, {:.2}M events/s)",
            history.events.len(),
            kpis.request_count(),
            history.events.len() as f64 / folded / 1e6,
        );
        let tenant = if tenants == 1 {
            tenant()
        } else {
            tenant_number(0)
        };
        measure(name, &kpis, tenant, last);
    }
}
