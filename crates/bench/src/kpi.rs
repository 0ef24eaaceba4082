//! `noaber bench kpi`: KPI queries on large synthetic request histories, in memory and without
//! a database, in the two shapes that matter: one tenant holding every request (the worst case
//! for a period query) and many small tenants like the demo log, where a query is about one
//! tenant among hundreds.
//!
//! The history is made of request events only (the KPI model reads nothing else): posts,
//! triage, offers, matches and cancellations, referrals, resolutions (some with hours),
//! closures, reopenings, corrections, voids, and entries recorded days after they happened. A
//! fixed generator seed gives the same history on every run.

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use noaber_domain::request::HelpRequest;
use noaber_domain::request::{
    CancelReason, CloseReason, Compensation, HelpOffered, HelperMatched, MatchCancelled,
    ReferredToProfessional, RequestClosed, RequestCorrected, RequestPosted, RequestReopened,
    RequestResolved, RequestTriaged, RequestVoided, ResolvedBy, TriageRoute,
};
use noaber_domain::values::{CategoryCode, Channel, HandsNeeded, Minutes, Urgency, Visibility};
use noaber_domain::{AnyEvent, Personal, RequestEvent};
use noaber_domain::{NeighbourhoodId, OrganisationId, PersonId, RequestId};
use noaber_projections::kpi::{Breakdown, Interval, KpiQuery, Kpis};
use noaber_projections::model::{Envelope, ReadModel};
use noaber_store::{Checkpoint, Metadata, RecordedEvent, StreamId};
use uuid::Uuid;

use crate::projections::Case;

/// What the benchmark runs with.
#[derive(Clone, Copy, Debug)]
pub struct KpiBenchOptions {
    /// Requests in each synthetic history (110,000 make about 0.8 million events).
    pub requests: usize,
    /// How often each query runs; the fastest and the median time are reported.
    pub runs: usize,
}

impl Default for KpiBenchOptions {
    fn default() -> Self {
        Self {
            requests: 110_000,
            runs: 30,
        }
    }
}

/// The simulated period: 18 months from the start of 2024.
const DAYS: i64 = 548;

/// The two shapes measured: a name and the number of tenants.
const SHAPES: [(&str, usize); 2] = [("one_tenant", 1), ("275_tenants", 275)];

/// Builds both histories, folds them and times four query shapes on each.
pub fn run(opts: &KpiBenchOptions) -> Vec<Case> {
    let mut cases = Vec::new();
    for (shape, tenants) in SHAPES {
        let events = synthetic(opts.requests, tenants);
        let started = Instant::now();
        let mut kpis = Kpis::default();
        for (raw, event) in &events {
            kpis.apply(&Envelope { raw, event });
        }
        let folded = started.elapsed().as_secs_f64();
        cases.push(Case::new(
            &format!("{shape}/fold"),
            if folded > 0.0 {
                events.len() as f64 / folded
            } else {
                0.0
            },
            "events/s",
        ));
        let last = events.last().map_or_else(start, |(raw, _)| raw.recorded_at);
        drop(events);
        for (query, q) in queries(tenant(0), last) {
            let (min, median) = time_ms(opts.runs, || {
                std::hint::black_box(kpis.query(&q));
            });
            cases.push(Case::new(&format!("{shape}/{query}_min"), min, "ms"));
            cases.push(Case::new(&format!("{shape}/{query}_median"), median, "ms"));
        }
    }
    cases
}

/// The queries asked of each history: a year by neighbourhood, the same with a monthly series
/// by category, the year as of halfway through the recorded time, and the last twelve months
/// by channel.
fn queries(tenant: Uuid, last_recorded: DateTime<Utc>) -> Vec<(&'static str, KpiQuery)> {
    let from = start();
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
    vec![
        ("kpi_year_breakdown", year),
        ("kpi_monthly_series", series),
        ("kpi_as_of", as_of),
        ("kpi_by_channel", later),
    ]
}

/// Runs `f` `runs` times; the fastest and the median time in milliseconds.
fn time_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2])
}

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

fn start() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        .unwrap_or_default()
}

fn tenant(n: usize) -> Uuid {
    Uuid::from_u128(0x7e4a_1000_0000_0000_0000_0000_0000_0000 + n as u128)
}

fn person(n: usize) -> PersonId {
    PersonId::new(Uuid::from_u128(
        0x9e50_0000_0000_0000_0000_0000_0000_0000 + n as u128,
    ))
}

/// The connector who triages, matches, refers and closes.
fn connector() -> PersonId {
    person(usize::MAX >> 8)
}

fn request(n: usize) -> RequestId {
    RequestId::new(Uuid::from_u128(
        0x5e90_0000_0000_0000_0000_0000_0000_0000 + n as u128,
    ))
}

fn neighbourhood(n: usize) -> NeighbourhoodId {
    NeighbourhoodId::new(Uuid::from_u128(
        0xb0b0_0000_0000_0000_0000_0000_0000_0000 + n as u128,
    ))
}

fn organisation() -> OrganisationId {
    OrganisationId::new(Uuid::from_u128(77))
}

/// The n-th category of the taxonomy (wrapping around).
fn category(n: usize) -> CategoryCode {
    let all = noaber_domain::taxonomy::taxonomy().categories();
    let code = all[n % all.len()].code;
    CategoryCode::parse(code).expect("the taxonomy's own codes parse")
}

fn channel(n: usize) -> Channel {
    Channel::ALL[n % Channel::ALL.len()]
}

/// One event to be recorded: recorded time, sequence (for ties), tenant, event, occurred time.
type Planned = (DateTime<Utc>, usize, Uuid, RequestEvent, DateTime<Utc>);

/// `requests` requests spread over `tenants` tenants and 18 months, in recorded order, as the
/// KPI model receives them (decoded, with the stored payload dropped).
fn synthetic(requests: usize, tenants: usize) -> Vec<(RecordedEvent, AnyEvent)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let begin = start();
    let span = Duration::days(DAYS).num_minutes() as u64;
    let mut planned: Vec<Planned> = Vec::with_capacity(requests * 9);
    let minutes = Duration::minutes;
    let tenants = tenants.max(1);
    for r in 0..requests {
        let tenant_id = tenant(r % tenants);
        let base = (r % tenants) * 100_000;
        let posted_at = begin + minutes((r as u64 * span / requests.max(1) as u64) as i64);
        // One entry in twenty is recorded up to a week after it happened (a home visit typed
        // in later), which is what "as of" queries must see through.
        let late = if rng.chance(5) {
            Duration::days(rng.below(6) as i64 + 1)
        } else {
            Duration::zero()
        };
        let mut push = |occurred: DateTime<Utc>, event: RequestEvent| {
            let recorded = occurred.max(posted_at + late);
            let seq = planned.len();
            planned.push((recorded, seq, tenant_id, event, occurred));
        };
        let requester = base + rng.below(3_000) as usize;
        let on_behalf = rng.chance(30);
        push(
            posted_at,
            RequestEvent::RequestPosted(RequestPosted {
                request_id: request(r),
                requester: person(requester),
                posted_by: if on_behalf {
                    connector()
                } else {
                    person(requester)
                },
                on_behalf,
                channel: channel(rng.below(6) as usize),
                category: category(rng.below(12) as usize),
                target_group: None,
                neighbourhood_id: neighbourhood(rng.below(20) as usize),
                location: None,
                precise_location: None,
                description: Personal::clear(person(requester), "help with the shopping"),
                urgency: Urgency::Normal,
                needed_by: None,
                anonymous: false,
                visibility: Visibility::Neighbourhood,
                hands_needed: HandsNeeded::ONE,
                skills_wanted: Vec::new(),
                referred_by: None,
                consent: None,
            }),
        );
        push(
            posted_at + minutes(30),
            RequestEvent::RequestTriaged(RequestTriaged {
                request_id: request(r),
                route: TriageRoute::Informal,
                triaged_by: connector(),
                note: None,
            }),
        );
        if rng.chance(4) {
            push(
                posted_at + minutes(60),
                RequestEvent::RequestCorrected(RequestCorrected {
                    request_id: request(r),
                    corrected_by: connector(),
                    category: Some(category(rng.below(12) as usize)),
                    target_group: None,
                    neighbourhood_id: None,
                    urgency: None,
                    channel: None,
                }),
            );
        }
        if rng.chance(1) {
            push(
                posted_at + Duration::days(1),
                RequestEvent::RequestVoided(RequestVoided {
                    request_id: request(r),
                    voided_by: connector(),
                }),
            );
            continue;
        }
        for o in 0..1 + rng.below(6) {
            let helper = base + 50_000 + rng.below(1_500) as usize;
            push(
                posted_at + minutes(90 + 60 * o as i64),
                RequestEvent::HelpOffered(HelpOffered {
                    request_id: request(r),
                    helper: person(helper),
                    message: None,
                }),
            );
        }
        let mut t = posted_at + minutes(rng.below(3 * 24 * 60) as i64 + 120);
        if rng.chance(10) {
            push(
                t,
                RequestEvent::ReferredToProfessional(ReferredToProfessional {
                    request_id: request(r),
                    organisation_id: organisation(),
                    referred_by: connector(),
                    reason: None,
                }),
            );
            t += Duration::days(3);
        }
        if rng.chance(70) {
            let helper = base + 50_000 + rng.below(1_500) as usize;
            push(t, matched(r, helper));
            if rng.chance(5) {
                t += minutes(300);
                push(
                    t,
                    RequestEvent::MatchCancelled(MatchCancelled {
                        request_id: request(r),
                        helper: person(helper),
                        cancelled_by: connector(),
                        reason: CancelReason::HelperUnavailable,
                    }),
                );
                t += minutes(300);
                push(t, matched(r, base + 50_000 + rng.below(1_500) as usize));
            }
        }
        t += minutes(rng.below(7 * 24 * 60) as i64 + 60);
        let outcome = rng.below(100);
        if outcome < 65 {
            let by = ResolvedBy::ALL[rng.below(3) as usize];
            let given = rng.chance(50).then(|| 30 + rng.below(200) as u32);
            push(t, resolved(r, by, given));
            if rng.chance(3) {
                t += Duration::days(2);
                push(
                    t,
                    RequestEvent::RequestReopened(RequestReopened {
                        request_id: request(r),
                        reopened_by: connector(),
                    }),
                );
                t += Duration::days(5);
                push(t, resolved(r, by, None));
            }
        } else if outcome < 80 {
            push(
                t,
                RequestEvent::RequestClosed(RequestClosed {
                    request_id: request(r),
                    reason: CloseReason::NoLongerNeeded,
                    closed_by: connector(),
                }),
            );
        }
    }
    planned.sort_by_key(|(recorded, seq, ..)| (*recorded, *seq));
    planned
        .into_iter()
        .enumerate()
        .map(|(i, (recorded_at, _, tenant_id, event, occurred_at))| {
            stored(i as i64 + 1, tenant_id, event, occurred_at, recorded_at)
        })
        .collect()
}

fn matched(r: usize, helper: usize) -> RequestEvent {
    RequestEvent::HelperMatched(HelperMatched {
        request_id: request(r),
        helper: person(helper),
        matched_by: connector(),
        direct: false,
    })
}

fn resolved(r: usize, by: ResolvedBy, minutes: Option<u32>) -> RequestEvent {
    RequestEvent::RequestResolved(RequestResolved {
        request_id: request(r),
        resolved_by: connector(),
        resolution: by,
        helpers_credited: Vec::new(),
        organisation_credited: (by == ResolvedBy::Professional).then(organisation),
        minutes_given: minutes.and_then(|m| Minutes::new(m).ok()),
        compensation: Compensation::None,
    })
}

/// The event as the runner hands it to a model: its stored envelope and its decoded form. The
/// payload is encoded and decoded once, like a stored event, then dropped to save memory (the
/// KPI model reads only the decoded event and the envelope's times and tenant).
fn stored(
    position: i64,
    tenant_id: Uuid,
    event: RequestEvent,
    occurred_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
) -> (RecordedEvent, AnyEvent) {
    let event = AnyEvent::Request(event);
    let (event_type, schema_version, payload) = event.encode();
    let decoded = AnyEvent::decode(event_type, schema_version, payload).unwrap_or(event);
    let raw = RecordedEvent {
        checkpoint: Checkpoint { tx: 0, position },
        position,
        tenant_id,
        stream_id: StreamId::of::<HelpRequest>(decoded.aggregate_id()),
        stream_version: 1,
        event_id: Uuid::from_u128(position as u128),
        event_type: event_type.to_owned(),
        schema_version,
        payload: serde_json::Value::Null,
        metadata: Metadata::default(),
        occurred_at,
        recorded_at,
        prev_hash: [0; 32],
        hash: [0; 32],
    };
    (raw, decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_run_measures_every_query_of_both_shapes() {
        let cases = run(&KpiBenchOptions {
            requests: 300,
            runs: 2,
        });
        // Per shape: the fold and four queries, each with a fastest and a median time.
        assert_eq!(cases.len(), SHAPES.len() * (1 + 4 * 2));
        assert!(cases.iter().all(|c| c.value >= 0.0));
    }

    #[test]
    fn the_same_history_is_generated_every_time() {
        let a = synthetic(50, 3);
        let b = synthetic(50, 3);
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x.1 == y.1));
    }
}
