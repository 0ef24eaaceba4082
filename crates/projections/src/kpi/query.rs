//! The KPI query: which requests, which period, as of when, broken down how; and the one pass
//! over the model's compact per-request facts that answers it.
//!
//! Every fact carries the recorded time of the event that established it, so "as of" is a
//! filter on those stamps rather than a replay of the log: an as-of query costs the same as a
//! current one.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::report::{
    BreakdownRow, KpiComparison, KpiFigures, KpiReport, ReportScope, SeriesPoint, TimeFigures,
};
use super::{Fact, FactKind, Kpis, RequestFacts, ResolvedBy};

/// How a report is broken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    /// One row per neighbourhood.
    Neighbourhood,
    /// One row per request category (after corrections).
    Category,
    /// One row per channel the request came in through.
    Channel,
}

impl Breakdown {
    /// The lowercase name used on the command line and in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Neighbourhood => "neighbourhood",
            Self::Category => "category",
            Self::Channel => "channel",
        }
    }
}

/// The step of a time series. Steps are calendar weeks (Monday to Monday), months or quarters
/// in UTC, clipped to the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// Calendar weeks, starting on Monday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters (January, April, July, October).
    Quarter,
}

impl Interval {
    /// The lowercase name used on the command line and in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
        }
    }

    /// The start of the step that contains `t`.
    fn floor(self, t: DateTime<Utc>) -> DateTime<Utc> {
        let d = t.date_naive();
        let start = match self {
            Self::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
            Self::Month => d.with_day(1).unwrap_or(d),
            Self::Quarter => {
                let m = (d.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(d.year(), m, 1).unwrap_or(d)
            }
        };
        midnight(start)
    }

    /// The start of the step after the one starting at `start`.
    fn next(self, start: DateTime<Utc>) -> DateTime<Utc> {
        let d = start.date_naive();
        let next = match self {
            Self::Week => d + Duration::days(7),
            Self::Month => d.checked_add_months(chrono::Months::new(1)).unwrap_or(d),
            Self::Quarter => d.checked_add_months(chrono::Months::new(3)).unwrap_or(d),
        };
        if next <= d {
            // Only at the very end of the calendar: end the series rather than loop.
            return DateTime::<Utc>::MAX_UTC;
        }
        midnight(next)
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN))
}

/// A question to the KPI model: see docs/kpis.md for the definition of every figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiQuery {
    /// The tenant (organisation, municipality) whose requests are counted.
    pub tenant: Uuid,
    /// Start of the period, inclusive, compared with the time requests were posted (occurred).
    pub from: DateTime<Utc>,
    /// End of the period, exclusive.
    pub to: DateTime<Utc>,
    /// Answer as the log knew it at this recorded time: events recorded later are ignored,
    /// back-dated ones included. `None`: everything recorded so far.
    pub as_of: Option<DateTime<Utc>>,
    /// Statuses (resolved, matched, open, ...) and times count what happened up to this date.
    pub report_date: DateTime<Utc>,
    /// Only requests in these neighbourhoods (empty: all).
    pub neighbourhoods: Vec<Uuid>,
    /// Only requests in these categories, by code, after corrections (empty: all).
    pub categories: Vec<String>,
    /// Only requests that came in through these channels (empty: all).
    pub channels: Vec<String>,
    /// A breakdown, if wanted.
    pub by: Option<Breakdown>,
    /// A time series, if wanted.
    pub series: Option<Interval>,
}

impl KpiQuery {
    /// A query for the whole tenant over [from, to), statuses taken at `report_date`.
    pub fn new(
        tenant: Uuid,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        report_date: DateTime<Utc>,
    ) -> Self {
        Self {
            tenant,
            from,
            to,
            as_of: None,
            report_date,
            neighbourhoods: Vec::new(),
            categories: Vec::new(),
            channels: Vec::new(),
            by: None,
            series: None,
        }
    }

    fn scope(&self) -> ReportScope {
        ReportScope {
            tenant: self.tenant,
            from: self.from,
            to: self.to,
            as_of: self.as_of,
            report_date: self.report_date,
            neighbourhoods: self.neighbourhoods.iter().map(Uuid::to_string).collect(),
            categories: self.categories.clone(),
            channels: self.channels.clone(),
            by: self.by.map(|b| b.as_str().to_owned()),
            series: self.series.map(|s| s.as_str().to_owned()),
        }
    }
}

pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// What one request looks like at the report date, as of the query's recorded time.
struct View {
    neighbourhood: u32,
    category: u32,
    channel: u8,
    voided: bool,
    first_response: Option<i64>,
    referred: bool,
    status: Status,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Resolved {
        at: i64,
        by: ResolvedBy,
        minutes: Option<u32>,
    },
    Closed,
}

/// A match as it stands at the report date.
#[derive(Clone, Copy)]
struct MatchView {
    helper: u32,
    at: i64,
    cancelled: bool,
}

/// Folds one request's facts: only those recorded by `as_of`; lifecycle facts only when they
/// happened by `report`. Corrections and voids fix the record and apply whenever they happened.
fn view(r: &RequestFacts, as_of: i64, report: i64, matches: &mut Vec<MatchView>) -> View {
    matches.clear();
    let mut v = View {
        neighbourhood: r.neighbourhood,
        category: r.category,
        channel: r.channel,
        voided: false,
        first_response: None,
        referred: false,
        status: Status::Open,
    };
    for Fact { rec, occ, kind } in r.facts.iter().copied() {
        if rec > as_of {
            continue;
        }
        match kind {
            FactKind::Corrected {
                neighbourhood,
                category,
                channel,
            } => {
                v.neighbourhood = neighbourhood.unwrap_or(v.neighbourhood);
                v.category = category.unwrap_or(v.category);
                v.channel = channel.unwrap_or(v.channel);
                continue;
            }
            FactKind::Voided => {
                v.voided = true;
                continue;
            }
            _ => {}
        }
        if occ > report {
            continue;
        }
        match kind {
            FactKind::Response => respond(&mut v, occ),
            FactKind::Matched { helper } => {
                respond(&mut v, occ);
                matches.push(MatchView {
                    helper,
                    at: occ,
                    cancelled: false,
                });
            }
            FactKind::MatchCancelled { helper } => {
                if let Some(m) = matches
                    .iter_mut()
                    .rev()
                    .find(|m| m.helper == helper && !m.cancelled)
                {
                    m.cancelled = true;
                }
            }
            FactKind::Referred => {
                respond(&mut v, occ);
                v.referred = true;
            }
            FactKind::Resolved { by, minutes } => {
                v.status = Status::Resolved {
                    at: occ,
                    by,
                    minutes,
                }
            }
            FactKind::Closed => v.status = Status::Closed,
            FactKind::Reopened => v.status = Status::Open,
            FactKind::Corrected { .. } | FactKind::Voided => {}
        }
    }
    v
}

fn group_id(by: Breakdown, v: &View) -> u32 {
    match by {
        Breakdown::Neighbourhood => v.neighbourhood,
        Breakdown::Category => v.category,
        Breakdown::Channel => u32::from(v.channel),
    }
}

fn respond(v: &mut View, occ: i64) {
    v.first_response = Some(v.first_response.map_or(occ, |f| f.min(occ)));
}

/// A set of interned persons as a bit set: counting distinct persons without sorting.
#[derive(Default)]
struct PersonSet {
    words: Vec<u64>,
}

impl PersonSet {
    fn insert(&mut self, person: u32) {
        let (word, bit) = ((person / 64) as usize, person % 64);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        if let Some(w) = self.words.get_mut(word) {
            *w |= 1 << bit;
        }
    }

    fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            let w = *w;
            (0..64u32)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| i as u32 * 64 + b)
        })
    }
}

/// Running totals for one group of requests.
#[derive(Default)]
struct Acc {
    from: i64,
    requests: u64,
    requesters: PersonSet,
    helpers: PersonSet,
    matched: u64,
    resolved: u64,
    by_neighbour: u64,
    by_professional: u64,
    by_requester: u64,
    referred: u64,
    open: u64,
    closed: u64,
    on_behalf: u64,
    with_hours: u64,
    minutes: u64,
    response: Vec<i64>,
    to_match: Vec<i64>,
    to_resolution: Vec<i64>,
}

fn seconds(from: i64, to: i64) -> i64 {
    (to - from).max(0) / 1_000_000
}

impl Acc {
    fn starting(from: i64) -> Self {
        Self {
            from,
            ..Self::default()
        }
    }

    fn add_request(&mut self, r: &RequestFacts, v: &View, first_match: Option<i64>) {
        self.requests += 1;
        self.requesters.insert(r.requester);
        if r.on_behalf {
            self.on_behalf += 1;
        }
        if let Some(at) = v.first_response {
            self.response.push(seconds(r.posted_occ, at));
        }
        if let Some(at) = first_match {
            self.matched += 1;
            self.to_match.push(seconds(r.posted_occ, at));
        }
        if v.referred {
            self.referred += 1;
        }
        match v.status {
            Status::Open => self.open += 1,
            Status::Closed => self.closed += 1,
            Status::Resolved { at, by, minutes } => {
                self.resolved += 1;
                match by {
                    ResolvedBy::Neighbour => self.by_neighbour += 1,
                    ResolvedBy::Professional => self.by_professional += 1,
                    ResolvedBy::Requester => self.by_requester += 1,
                }
                if let Some(m) = minutes {
                    self.with_hours += 1;
                    self.minutes += u64::from(m);
                }
                self.to_resolution.push(seconds(r.posted_occ, at));
            }
        }
    }

    fn finish(mut self, first_match_of_helper: &[i64]) -> KpiFigures {
        let new_helpers = self
            .helpers
            .iter()
            .filter(|h| {
                first_match_of_helper
                    .get(*h as usize)
                    .is_some_and(|first| *first >= self.from)
            })
            .count() as u64;
        let mut f = KpiFigures {
            requests: self.requests,
            distinct_requesters: self.requesters.len(),
            distinct_helpers: self.helpers.len(),
            new_helpers,
            matched: self.matched,
            resolved: self.resolved,
            resolved_by_neighbour: self.by_neighbour,
            resolved_by_professional: self.by_professional,
            resolved_by_requester: self.by_requester,
            referred: self.referred,
            open: self.open,
            closed_unresolved: self.closed,
            on_behalf: self.on_behalf,
            requests_with_hours: self.with_hours,
            hours: self.minutes as f64 / 60.0,
            time_to_first_response: TimeFigures::from_samples(&mut self.response),
            time_to_match: TimeFigures::from_samples(&mut self.to_match),
            time_to_resolution: TimeFigures::from_samples(&mut self.to_resolution),
            ..KpiFigures::default()
        };
        f.finish_shares();
        f
    }
}

impl Kpis {
    /// Answers a KPI query with exact figures. Give funders [`KpiReport::for_funder`] of it.
    pub fn query(&self, q: &KpiQuery) -> KpiReport {
        let scope = q.scope();
        let Some(tenant) = self.tenant_index(q.tenant) else {
            return empty_report(q, scope);
        };
        let as_of = q.as_of.map_or(i64::MAX, micros);
        let report = micros(q.report_date);
        let (from, to) = (micros(q.from), micros(q.to));

        // Filters in the model's interned ids; a filter naming nothing known matches nothing.
        let neighbourhoods: Option<Vec<u32>> = (!q.neighbourhoods.is_empty()).then(|| {
            q.neighbourhoods
                .iter()
                .filter_map(|n| self.neighbourhood_index(*n))
                .collect()
        });
        let categories: Option<Vec<u32>> = (!q.categories.is_empty()).then(|| {
            q.categories
                .iter()
                .filter_map(|c| self.category_index(c))
                .collect()
        });
        let channels: Option<Vec<u8>> = (!q.channels.is_empty()).then(|| {
            q.channels
                .iter()
                .filter_map(|c| super::channel_code(c))
                .collect()
        });

        // Series steps over [from, to).
        let mut steps: Vec<(i64, i64)> = Vec::new();
        if let Some(interval) = q.series {
            let mut start = interval.floor(q.from);
            while start < q.to {
                let end = interval.next(start);
                steps.push((micros(start.max(q.from)), micros(end.min(q.to))));
                start = end;
            }
        }
        let step_of = |t: i64| -> Option<usize> {
            if t < from || t >= to {
                return None;
            }
            let i = steps.partition_point(|(_, end)| *end <= t);
            (i < steps.len()).then_some(i)
        };

        let mut total = Acc::starting(from);
        // The total sees every request of the period: reserve once rather than regrow.
        let bound = self.requests.len();
        total.response.reserve(bound);
        total.to_match.reserve(bound);
        total.to_resolution.reserve(bound);
        let mut groups: BTreeMap<u32, Acc> = BTreeMap::new();
        let mut series: Vec<Acc> = steps.iter().map(|(s, _)| Acc::starting(*s)).collect();
        let mut first_match_of_helper = vec![i64::MAX; self.persons.len()];
        let mut matches = Vec::new();

        for r in &self.requests {
            if r.tenant != tenant || r.posted_rec > as_of {
                continue;
            }
            let v = view(r, as_of, report, &mut matches);
            if v.voided {
                continue;
            }
            for m in matches.iter().filter(|m| !m.cancelled) {
                if let Some(first) = first_match_of_helper.get_mut(m.helper as usize) {
                    *first = (*first).min(m.at);
                }
            }
            let selected = neighbourhoods
                .as_ref()
                .is_none_or(|n| n.contains(&v.neighbourhood))
                && categories.as_ref().is_none_or(|c| c.contains(&v.category))
                && channels.as_ref().is_none_or(|c| c.contains(&v.channel));
            if !selected {
                continue;
            }
            let in_period = r.posted_occ >= from && r.posted_occ < to;
            let valid = || matches.iter().filter(|m| !m.cancelled);
            let in_window = |m: &&MatchView| m.at >= from && m.at < to;
            if !in_period && !valid().any(|m| in_window(&m)) {
                continue;
            }
            let mut group = q.by.map(|b| {
                groups
                    .entry(group_id(b, &v))
                    .or_insert_with(|| Acc::starting(from))
            });
            if in_period {
                let first_match = valid().map(|m| m.at).min();
                total.add_request(r, &v, first_match);
                if let Some(acc) = group.as_mut() {
                    acc.add_request(r, &v, first_match);
                }
                if let Some(i) = step_of(r.posted_occ) {
                    series[i].add_request(r, &v, first_match);
                }
            }
            for m in valid().filter(in_window) {
                total.helpers.insert(m.helper);
                if let Some(acc) = group.as_mut() {
                    acc.helpers.insert(m.helper);
                }
                if let Some(i) = step_of(m.at) {
                    series[i].helpers.insert(m.helper);
                }
            }
        }

        let mut breakdown: Vec<BreakdownRow<KpiFigures>> = groups
            .into_iter()
            .filter_map(|(id, acc)| {
                let by = q.by?;
                Some(BreakdownRow {
                    key: self.group_key(by, id),
                    figures: acc.finish(&first_match_of_helper),
                })
            })
            .collect();
        breakdown.sort_by(|a, b| a.key.cmp(&b.key));

        KpiReport {
            scope,
            total: total.finish(&first_match_of_helper),
            breakdown,
            series: steps
                .iter()
                .zip(series)
                .map(|((s, e), acc)| SeriesPoint {
                    from: DateTime::from_timestamp_micros(*s).unwrap_or(q.from),
                    to: DateTime::from_timestamp_micros(*e).unwrap_or(q.to),
                    figures: acc.finish(&first_match_of_helper),
                })
                .collect(),
        }
    }

    /// Two periods side by side: `a` is the baseline (*nulmeting*), `b` the later period. Both
    /// queries are answered in full; the change is given for every total figure.
    pub fn compare(&self, a: &KpiQuery, b: &KpiQuery) -> KpiComparison {
        KpiComparison::new(self.query(a), self.query(b))
    }
}

fn empty_report(q: &KpiQuery, scope: ReportScope) -> KpiReport {
    let mut total = KpiFigures::default();
    total.finish_shares();
    let mut series = Vec::new();
    if let Some(interval) = q.series {
        let mut start = interval.floor(q.from);
        while start < q.to {
            let end = interval.next(start);
            series.push(SeriesPoint {
                from: start.max(q.from),
                to: end.min(q.to),
                figures: total.clone(),
            });
            start = end;
        }
    }
    KpiReport {
        scope,
        total,
        breakdown: Vec::new(),
        series,
    }
}
