//! The KPI query: which requests, which period, as of when, broken down how; and the one pass
//! over the model's compact per-request facts that answers it.
//!
//! Every fact carries the recorded time of the event that established it, so "as of" is a
//! filter on those stamps rather than a replay of the log: an as-of query costs the same as a
//! current one.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use noaber_domain::values::{CategoryCode, Channel};
use noaber_domain::NeighbourhoodId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::report::{
    BreakdownRow, KpiComparison, KpiFigures, KpiReport, ReportScope, SeriesPoint, TimeFigures,
};
use super::{Fact, FactKind, Kpis, RequestFacts, ResolvedBy, Settled};

/// How a report is broken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
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
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// Only requests in these categories, after corrections (empty: all). Codes are parsed
    /// against the taxonomy before they get here, so an unknown one cannot give silent zeros.
    pub categories: Vec<CategoryCode>,
    /// Only requests that came in through these channels (empty: all).
    pub channels: Vec<Channel>,
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
            neighbourhoods: self
                .neighbourhoods
                .iter()
                .map(ToString::to_string)
                .collect(),
            categories: self
                .categories
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            channels: self
                .channels
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            by: self.by.map(|b| b.as_str().to_owned()),
            series: self.series.map(|s| s.as_str().to_owned()),
        }
    }
}

pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// What one request looks like at the report date, as of the query's recorded time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct View {
    neighbourhood: u32,
    category: u32,
    channel: u8,
    voided: bool,
    first_response: Option<i64>,
    /// The earliest standing (not cancelled) match.
    first_match: Option<i64>,
    referred: bool,
    status: Status,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
enum Status {
    #[default]
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
/// Leaves the standing matches (not cancelled) in `matches`, in log order.
fn view(r: &RequestFacts, as_of: i64, report: i64, matches: &mut Vec<MatchView>) -> View {
    matches.clear();
    let mut v = View {
        neighbourhood: r.neighbourhood,
        category: r.category,
        channel: r.channel,
        ..View::default()
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
    matches.retain(|m| !m.cancelled);
    v.first_match = matches.iter().map(|m| m.at).min();
    v
}

/// The request with nothing filtered out, and the stamps that say when that may be used
/// instead of [`view`]. Called by the fold after every fact, so it is always current.
pub(crate) fn settle(r: &RequestFacts) -> Settled {
    let mut matches = Vec::new();
    let view = view(r, i64::MAX, i64::MAX, &mut matches);
    let last_rec = r.facts.iter().map(|f| f.rec).fold(r.posted_rec, i64::max);
    let last_occ = r
        .facts
        .iter()
        .filter(|f| !matches!(f.kind, FactKind::Corrected { .. } | FactKind::Voided))
        .map(|f| f.occ)
        .fold(i64::MIN, i64::max);
    let sole_match = match matches.as_slice() {
        [only] => Some((only.helper, only.at)),
        _ => None,
    };
    Settled {
        requester: r.requester,
        posted_occ: r.posted_occ,
        on_behalf: r.on_behalf,
        last_rec,
        last_occ,
        view,
        standing: u8::try_from(matches.len().min(2)).unwrap_or(2),
        sole_match,
    }
}

/// Whether `s` gives the request's view as of `as_of` at `report`, matches included.
fn settled_applies(s: &Settled, as_of: i64, report: i64) -> bool {
    s.last_rec <= as_of && s.last_occ <= report && s.standing < 2
}

/// [`view`], read from the settled view when the as-of moment and the report date filter none
/// of the request's facts (the same answer, without walking the facts).
fn resolve(
    r: &RequestFacts,
    s: &Settled,
    as_of: i64,
    report: i64,
    matches: &mut Vec<MatchView>,
) -> View {
    if settled_applies(s, as_of, report) {
        return resolve_settled(s, matches);
    }
    view(r, as_of, report, matches)
}

/// The settled view and its standing match, when [`settled_applies`].
fn resolve_settled(s: &Settled, matches: &mut Vec<MatchView>) -> View {
    matches.clear();
    if let Some((helper, at)) = s.sole_match {
        matches.push(MatchView {
            helper,
            at,
            cancelled: false,
        });
    }
    s.view
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
///
/// Persons are interned for all tenants together, but one tenant's persons mostly sit close
/// together, so the set only spans the words between the lowest and highest person it holds.
#[derive(Default)]
struct PersonSet {
    /// The word number of `words[0]`.
    base: usize,
    words: Vec<u64>,
}

impl PersonSet {
    /// Makes the set span word number `word` and gives its position in `words`.
    fn cover(&mut self, word: usize) -> usize {
        if self.words.is_empty() {
            self.base = word;
        } else if word < self.base {
            let grow = self.base - word;
            self.words.splice(0..0, std::iter::repeat_n(0, grow));
            self.base = word;
        }
        let at = word - self.base;
        if at >= self.words.len() {
            self.words.resize(at + 1, 0);
        }
        at
    }

    fn insert(&mut self, person: u32) {
        let at = self.cover((person / 64) as usize);
        if let Some(w) = self.words.get_mut(at) {
            *w |= 1 << (person % 64);
        }
    }

    /// Adds every person of `other`.
    fn union(&mut self, other: &PersonSet) {
        if other.words.is_empty() {
            return;
        }
        self.cover(other.base);
        self.cover(other.base + other.words.len() - 1);
        let offset = other.base - self.base;
        for (w, o) in self.words.iter_mut().skip(offset).zip(&other.words) {
            *w |= *o;
        }
    }

    fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// The persons in ascending order.
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let base = self.base;
        self.words.iter().enumerate().flat_map(move |(i, w)| {
            let mut w = *w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let b = w.trailing_zeros();
                    w &= w - 1;
                    ((base + i) * 64) as u32 + b
                })
            })
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

    fn add_request(&mut self, r: &Settled, v: &View) {
        self.requests += 1;
        self.requesters.insert(r.requester);
        if r.on_behalf {
            self.on_behalf += 1;
        }
        if let Some(at) = v.first_response {
            self.response.push(seconds(r.posted_occ, at));
        }
        if let Some(at) = v.first_match {
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

    /// Adds the requests and helpers of `other`, a disjoint part of the same period.
    fn merge(&mut self, other: &Acc) {
        self.requests += other.requests;
        self.requesters.union(&other.requesters);
        self.helpers.union(&other.helpers);
        self.matched += other.matched;
        self.resolved += other.resolved;
        self.by_neighbour += other.by_neighbour;
        self.by_professional += other.by_professional;
        self.by_requester += other.by_requester;
        self.referred += other.referred;
        self.open += other.open;
        self.closed += other.closed;
        self.on_behalf += other.on_behalf;
        self.with_hours += other.with_hours;
        self.minutes += other.minutes;
        self.response.extend_from_slice(&other.response);
        self.to_match.extend_from_slice(&other.to_match);
        self.to_resolution.extend_from_slice(&other.to_resolution);
    }

    /// The figures; `first_match_of_helper` holds (helper, first standing match) for every
    /// counted helper, sorted by helper.
    fn finish(mut self, first_match_of_helper: &[(u32, i64)]) -> KpiFigures {
        let new_helpers = self
            .helpers
            .iter()
            .filter(|h| {
                first_match_of_helper
                    .binary_search_by_key(h, |(helper, _)| *helper)
                    .ok()
                    .and_then(|i| first_match_of_helper.get(i))
                    .is_some_and(|(_, first)| *first >= self.from)
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

/// Which accumulators a request is added to directly (see [`Kpis::query`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The breakdown's groups.
    Group,
    /// The series' steps.
    Step,
    /// The total itself.
    Total,
}

/// The accumulators of a breakdown's groups, found by group id without hashing.
#[derive(Default)]
struct Groups {
    /// Position in `accs` of each group id, `u32::MAX` when the group has none yet.
    slot_of: Vec<u32>,
    accs: Vec<(u32, Acc)>,
}

impl Groups {
    fn acc(&mut self, id: u32, from: i64) -> &mut Acc {
        let at = id as usize;
        if self.slot_of.len() <= at {
            self.slot_of.resize(at + 1, u32::MAX);
        }
        let slot = match self.slot_of.get(at).copied() {
            Some(slot) if slot != u32::MAX => slot as usize,
            _ => {
                self.accs.push((id, Acc::starting(from)));
                let slot = self.accs.len() - 1;
                if let Some(s) = self.slot_of.get_mut(at) {
                    *s = u32::try_from(slot).unwrap_or(u32::MAX);
                }
                slot
            }
        };
        &mut self.accs[slot].1
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
                .filter_map(|n| self.neighbourhood_index(n.as_uuid()))
                .collect()
        });
        let categories: Option<Vec<u32>> = (!q.categories.is_empty()).then(|| {
            q.categories
                .iter()
                .filter_map(|c| self.category_index(c.as_str()))
                .collect()
        });
        let channels: Option<Vec<u8>> = (!q.channels.is_empty()).then(|| {
            q.channels
                .iter()
                .filter_map(|c| super::channel_index(*c))
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
        let selected = |v: &View| {
            neighbourhoods
                .as_ref()
                .is_none_or(|n| n.contains(&v.neighbourhood))
                && categories.as_ref().is_none_or(|c| c.contains(&v.category))
                && channels.as_ref().is_none_or(|c| c.contains(&v.channel))
        };

        // Only the period's postings and the period's matches are visited: both are kept in
        // order of time per tenant.
        let index = self.by_tenant.get(tenant as usize);
        let in_range = |list: &'_ [(i64, u32)]| -> std::ops::Range<usize> {
            let lo = list.partition_point(|(t, _)| *t < from);
            let hi = list.partition_point(|(t, _)| *t < to);
            lo..hi.max(lo)
        };
        let posts = index.map_or(&[][..], |i| &i.posts[in_range(&i.posts)]);
        let window = index.map_or(&[][..], |i| &i.matches[in_range(&i.matches)]);

        // Each request and helper is added once: to its group when there is a breakdown, else
        // to its series step when there is a series (both split the period), else to the
        // total. The total is then the merge of the parts.
        let part = if q.by.is_some() {
            Part::Group
        } else if !steps.is_empty() {
            Part::Step
        } else {
            Part::Total
        };
        let mut total = Acc::starting(from);
        let mut groups = Groups::default();
        let mut series: Vec<Acc> = steps.iter().map(|(s, _)| Acc::starting(*s)).collect();
        let mut matches = Vec::new();

        // Requests posted in the period, in order of posting, so the series step only advances.
        let mut step = 0;
        for &(posted, i) in posts {
            let Some(s) = self.settled.get(i as usize) else {
                continue;
            };
            let v = if settled_applies(s, as_of, report) {
                resolve_settled(s, &mut matches)
            } else {
                match self.requests.get(i as usize) {
                    Some(r) if r.posted_rec <= as_of => view(r, as_of, report, &mut matches),
                    _ => continue,
                }
            };
            if v.voided || !selected(&v) {
                continue;
            }
            while steps.get(step).is_some_and(|(_, end)| *end <= posted) {
                step += 1;
            }
            let mut group = q.by.map(|b| groups.acc(group_id(b, &v), from));
            if part == Part::Total {
                total.add_request(s, &v);
            }
            if let Some(acc) = group.as_mut() {
                acc.add_request(s, &v);
            }
            if let Some(acc) = series.get_mut(step) {
                acc.add_request(s, &v);
            }
            for m in matches.iter().filter(|m| m.at >= from && m.at < to) {
                if part == Part::Total {
                    total.helpers.insert(m.helper);
                }
                if let Some(acc) = group.as_mut() {
                    acc.helpers.insert(m.helper);
                }
                if let Some(acc) = step_of(m.at).and_then(|k| series.get_mut(k)) {
                    acc.helpers.insert(m.helper);
                }
            }
        }

        // Matches in the period on requests posted outside it: their helpers count too.
        for &(at, i) in window {
            let Some(r) = self.requests.get(i as usize) else {
                continue;
            };
            let Some(s) = self.settled.get(i as usize) else {
                continue;
            };
            if (r.posted_occ >= from && r.posted_occ < to) || r.posted_rec > as_of {
                continue;
            }
            let v = resolve(r, s, as_of, report, &mut matches);
            if v.voided || !selected(&v) || !matches.iter().any(|m| m.at == at) {
                continue;
            }
            let mut group = q.by.map(|b| groups.acc(group_id(b, &v), from));
            for m in matches.iter().filter(|m| m.at == at) {
                if part == Part::Total {
                    total.helpers.insert(m.helper);
                }
                if let Some(acc) = group.as_mut() {
                    acc.helpers.insert(m.helper);
                }
                if let Some(acc) = step_of(at).and_then(|k| series.get_mut(k)) {
                    acc.helpers.insert(m.helper);
                }
            }
        }

        let parts: Vec<&Acc> = match part {
            Part::Total => Vec::new(),
            Part::Step => series.iter().collect(),
            Part::Group => groups.accs.iter().map(|(_, acc)| acc).collect(),
        };
        total
            .response
            .reserve(parts.iter().map(|p| p.response.len()).sum());
        total
            .to_match
            .reserve(parts.iter().map(|p| p.to_match.len()).sum());
        total
            .to_resolution
            .reserve(parts.iter().map(|p| p.to_resolution.len()).sum());
        for acc in parts {
            total.merge(acc);
        }

        // New helpers: each counted helper's first standing match in the tenant.
        // The set iterates in ascending order, so the table is sorted by helper.
        let first_match_of_helper: Vec<(u32, i64)> = total
            .helpers
            .iter()
            .map(|h| {
                let first = self.first_standing_match(tenant, h, as_of, report, &mut matches);
                (h, first)
            })
            .collect();

        let mut breakdown: Vec<BreakdownRow<KpiFigures>> = groups
            .accs
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

    /// When `helper` was first matched on a request of `tenant` (a match standing at the
    /// report date, as of `as_of`, on a request not voided), or `i64::MAX` if never. Walks the
    /// helper's matches in order of time and stops at the first that stands.
    fn first_standing_match(
        &self,
        tenant: u32,
        helper: u32,
        as_of: i64,
        report: i64,
        matches: &mut Vec<MatchView>,
    ) -> i64 {
        let Some(list) = self.helper_matches.get(helper as usize) else {
            return i64::MAX;
        };
        for &(at, i) in list {
            if at > report {
                break;
            }
            let Some(r) = self.requests.get(i as usize) else {
                continue;
            };
            let Some(s) = self.settled.get(i as usize) else {
                continue;
            };
            if r.tenant != tenant || r.posted_rec > as_of {
                continue;
            }
            let v = resolve(r, s, as_of, report, matches);
            if !v.voided && matches.iter().any(|m| m.helper == helper && m.at == at) {
                return at;
            }
        }
        i64::MAX
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
