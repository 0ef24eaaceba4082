//! Signals: how many requests of each category were posted in each neighbourhood per week or
//! month, to pass on to partners (a rise in loneliness requests, in paperwork help, ...).
//!
//! Counted by the posting's `occurred_at` (when it happened), as corrected: a corrected
//! category or neighbourhood moves the request, a voided one leaves the counts. Counts below a
//! threshold can be suppressed so that no one can be singled out.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use noaber_domain::request::RequestEvent;
use noaber_domain::{AnyEvent, NeighbourhoodId, RequestId};
use serde::{Deserialize, Serialize};

use crate::codes::Category;
use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};

/// The length of one period of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// ISO weeks, starting on Monday.
    Week,
    /// Calendar months.
    Month,
}

/// One count of a series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignalRow {
    /// The neighbourhood.
    pub neighbourhood: NeighbourhoodId,
    /// The first day of the week or month.
    pub period_start: NaiveDate,
    /// The request category code.
    pub category: &'static str,
    /// The number of requests; absent when suppressed.
    pub requests: Option<u32>,
    /// True when the count was below the threshold and is not shown.
    pub suppressed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Fact {
    neighbourhood: NeighbourhoodId,
    category: Category,
    day: i32,
}

/// Requests per category per neighbourhood per day, aggregated into weeks or months on query.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Signals {
    requests: FastMap<RequestId, Fact>,
    /// Per neighbourhood: (day << 16 | category index) -> count.
    counts: FastMap<NeighbourhoodId, BTreeMap<u64, u32>>,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn day_of(at: DateTime<Utc>) -> i32 {
    i32::try_from(at.timestamp().div_euclid(86_400)).unwrap_or(0)
}

fn date_of(day: i32) -> NaiveDate {
    epoch() + Duration::days(i64::from(day))
}

/// Days are stored offset so the key stays unsigned and ordered.
const DAY_OFFSET: i64 = 1 << 31;

fn key(day: i32, category: Category) -> u64 {
    let d = u64::try_from(i64::from(day) + DAY_OFFSET).unwrap_or(0);
    (d << 16) | u64::from(category.index())
}

fn unkey(k: u64) -> (i32, u16) {
    let day = i64::try_from(k >> 16).unwrap_or(0) - DAY_OFFSET;
    (i32::try_from(day).unwrap_or(0), (k & 0xffff) as u16)
}

impl Signals {
    fn add(&mut self, f: Fact, delta: i32) {
        let counts = self.counts.entry(f.neighbourhood).or_default();
        let k = key(f.day, f.category);
        let entry = counts.entry(k).or_insert(0);
        *entry = entry.saturating_add_signed(delta);
        if *entry == 0 {
            counts.remove(&k);
        }
    }

    fn move_request(&mut self, id: RequestId, change: impl FnOnce(&mut Fact)) {
        let Some(fact) = self.requests.get_mut(&id) else {
            return;
        };
        let before = *fact;
        change(fact);
        let after = *fact;
        if before != after {
            self.add(before, -1);
            self.add(after, 1);
        }
    }

    /// Request counts for `neighbourhoods` per period and category, for periods overlapping
    /// [`from`, `to`), in period order. Counts below `suppress_below` are marked suppressed
    /// (pass 0 to show everything). Periods with no request are left out.
    pub fn series(
        &self,
        neighbourhoods: &[NeighbourhoodId],
        granularity: Granularity,
        from: NaiveDate,
        to: NaiveDate,
        suppress_below: u32,
    ) -> Vec<SignalRow> {
        let start = period_start(from, granularity);
        let (lo, hi) = (
            day_index(start),
            day_index(to).saturating_sub(1).max(day_index(start)),
        );
        let categories = noaber_domain::taxonomy::taxonomy().categories();
        let mut rows = Vec::new();
        for n in neighbourhoods {
            let Some(counts) = self.counts.get(n) else {
                continue;
            };
            let mut periods: BTreeMap<(NaiveDate, u16), u32> = BTreeMap::new();
            for (k, count) in counts.range(key_lo(lo)..key_lo(hi + 1)) {
                let (day, cat) = unkey(*k);
                let p = period_start(date_of(day), granularity);
                *periods.entry((p, cat)).or_insert(0) += count;
            }
            for ((period_start, cat), count) in periods {
                let suppressed = count < suppress_below;
                rows.push(SignalRow {
                    neighbourhood: *n,
                    period_start,
                    category: categories
                        .get(usize::from(cat))
                        .map_or("unknown", |c| c.code),
                    requests: (!suppressed).then_some(count),
                    suppressed,
                });
            }
        }
        rows.sort_by(|a, b| {
            (a.period_start, a.category, a.neighbourhood).cmp(&(
                b.period_start,
                b.category,
                b.neighbourhood,
            ))
        });
        rows
    }
}

fn key_lo(day: i32) -> u64 {
    u64::try_from(i64::from(day) + DAY_OFFSET).unwrap_or(0) << 16
}

fn day_index(d: NaiveDate) -> i32 {
    i32::try_from((d - epoch()).num_days()).unwrap_or(0)
}

fn period_start(d: NaiveDate, g: Granularity) -> NaiveDate {
    match g {
        Granularity::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
        Granularity::Month => d.with_day(1).unwrap_or(d),
    }
}

impl ReadModel for Signals {
    const NAME: &'static str = "signals";
    const SNAPSHOT_VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope<'_>) {
        let AnyEvent::Request(event) = env.event else {
            return;
        };
        match event {
            RequestEvent::RequestPosted(p) => {
                let fact = Fact {
                    neighbourhood: p.neighbourhood_id,
                    category: Category::of(&p.category),
                    day: day_of(env.raw.occurred_at),
                };
                if let Some(old) = self.requests.insert(p.request_id, fact) {
                    self.add(old, -1);
                }
                self.add(fact, 1);
            }
            RequestEvent::RequestCorrected(c) => self.move_request(c.request_id, |f| {
                if let Some(cat) = &c.category {
                    f.category = Category::of(cat);
                }
                if let Some(n) = c.neighbourhood_id {
                    f.neighbourhood = n;
                }
            }),
            RequestEvent::RequestVoided(v) => {
                if let Some(old) = self.requests.remove(&v.request_id) {
                    self.add(old, -1);
                }
            }
            _ => {}
        }
    }
}
