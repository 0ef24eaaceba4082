//! A benchmark, not a test: folds a generated log of about a million events into every read
//! model and prints the throughput and the memory held per request. Ignored by default; run
//! it with `cargo test --release -p noaber-projections --test runner_throughput -- --ignored
//! --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod runner_support;

use std::time::Instant;

use chrono::Duration;
use noaber_domain::request::TriageRoute;
use noaber_projections::runner::{decode, fold_all, fold_decoded};
use runner_support::*;

/// Resident set size of this process in bytes (Linux), or 0 elsewhere.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

fn generated(requests: u32) -> History {
    let mut h = History::new();
    let start = day(2024, 1, 1);
    h.at(start);
    for n in 0..40 {
        h.push(neighbourhood_registered(n));
    }
    let persons = requests / 4;
    for p in 0..persons {
        h.push(registered(p, p % 40, Some(place(f64::from(p % 50) * 0.1))));
        if p % 3 == 0 {
            h.push(skills_declared(
                p,
                &["grocery_shopping", "cooking"],
                weekday_mornings(),
                5,
            ));
            h.push(opted_in(p));
        }
    }
    for r in 0..requests {
        let requester = r % persons;
        let helper = (r * 7 + 3) % persons / 3 * 3;
        let n = requester % 40;
        h.at(start + Duration::minutes(i64::from(r)));
        h.push(posted_with(r, requester, n, |p| p.anonymous = r % 5 == 0));
        h.push(triaged(r, TriageRoute::Informal));
        h.push(offered(r, helper));
        if r % 10 < 8 {
            h.push(matched(r, helper));
            if r % 10 < 6 {
                h.push(resolved(r, &[helper]));
            }
        }
    }
    h
}

#[test]
#[ignore = "a benchmark: run it in release mode with --ignored --nocapture"]
fn rebuild_throughput_and_memory_per_request() {
    let requests = 200_000;
    let h = generated(requests);
    let events = h.events;
    let n = events.len();
    let decoded: Vec<_> = events.iter().map(|e| decode(e).unwrap()).collect();

    let before = rss_bytes();
    let t = Instant::now();
    let models = fold_decoded(events.iter().zip(decoded.iter()));
    let fold_secs = t.elapsed().as_secs_f64();
    let after = rss_bytes();
    assert_eq!(models.stats().applied, n as u64);
    println!(
        "fold of decoded events: {n} events in {fold_secs:.3} s = {:.0} events/s",
        n as f64 / fold_secs
    );
    println!(
        "memory held by all read models (KPIs included): {:.0} bytes per request ({} requests, RSS +{} MB)",
        (after.saturating_sub(before)) as f64 / f64::from(requests),
        requests,
        after.saturating_sub(before) / 1_000_000
    );
    drop(models);

    let t = Instant::now();
    let models = fold_all(&events);
    let all_secs = t.elapsed().as_secs_f64();
    assert_eq!(models.stats().decode_failures, 0);
    println!(
        "decode + fold of stored events: {n} events in {all_secs:.3} s = {:.0} events/s",
        n as f64 / all_secs
    );
    let t = Instant::now();
    let page = models
        .feed
        .page(
            hood(3),
            noaber_projections::feed::Audience::Resident,
            None,
            20,
        )
        .unwrap();
    println!("feed page: {} items in {:?}", page.items.len(), t.elapsed());
    let t = Instant::now();
    let items = models.queue.items(
        &[hood(3), hood(4)],
        day(2024, 6, 1),
        &noaber_projections::queue::QueueConfig::default(),
    );
    println!("queue: {} items in {:?}", items.len(), t.elapsed());
    let t = Instant::now();
    let s = models
        .directory
        .suggest(request(requests - 1), day(2024, 6, 1), 10);
    println!("suggestions: {:?} in {:?}", s.map(|s| s.len()), t.elapsed());
}
