//! The KPI model checked against an oracle: a second, deliberately plain computation of every
//! figure straight from the raw event list (no code shared with the model), on generated
//! histories with back-dated entries, corrections, voids, reopenings and erasures.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::support::kpi::*;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use noaber_domain::request::ResolvedBy;
use noaber_domain::{AnyEvent, RequestEvent};
use noaber_projections::kpi::{Breakdown, Interval, KpiFigures, KpiQuery, TimeFigures};
use noaber_store::RecordedEvent;
use proptest::prelude::*;
use uuid::Uuid;

/// What the oracle is asked: the same as a [`KpiQuery`] without breakdown or series.
struct Ask<'a> {
    tenant: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: Option<DateTime<Utc>>,
    report: DateTime<Utc>,
    /// Which requests (by their corrected neighbourhood, category and channel) count.
    keep: &'a dyn Fn(Uuid, &str, &str) -> bool,
}

/// One request as the oracle sees it.
struct Plain {
    requester: Uuid,
    on_behalf: bool,
    posted_at: DateTime<Utc>,
    neighbourhood: Uuid,
    category: String,
    channel: String,
    voided: bool,
    /// The events after the posting, in log order, with their times.
    later: Vec<(RequestEvent, DateTime<Utc>)>,
}

fn requests_known(events: &[(RecordedEvent, AnyEvent)], ask: &Ask<'_>) -> Vec<Plain> {
    let mut by_id: BTreeMap<Uuid, Plain> = BTreeMap::new();
    let mut order: Vec<Uuid> = Vec::new();
    for (raw, event) in events {
        if raw.tenant_id != ask.tenant {
            continue;
        }
        if let Some(as_of) = ask.as_of {
            if raw.recorded_at > as_of {
                continue;
            }
        }
        let AnyEvent::Request(event) = event else {
            continue;
        };
        let id = event.aggregate_id();
        match event {
            RequestEvent::RequestPosted(p) => {
                if by_id.contains_key(&id) {
                    continue;
                }
                order.push(id);
                by_id.insert(
                    id,
                    Plain {
                        requester: p.requester.as_uuid(),
                        on_behalf: p.on_behalf,
                        posted_at: raw.occurred_at,
                        neighbourhood: p.neighbourhood_id.as_uuid(),
                        category: p.category.as_str().to_string(),
                        channel: p.channel.as_str().to_string(),
                        voided: false,
                        later: vec![],
                    },
                );
            }
            RequestEvent::RequestCorrected(c) => {
                if let Some(r) = by_id.get_mut(&id) {
                    if let Some(n) = c.neighbourhood_id {
                        r.neighbourhood = n.as_uuid();
                    }
                    if let Some(cat) = &c.category {
                        r.category = cat.as_str().to_string();
                    }
                    if let Some(ch) = c.channel {
                        r.channel = ch.as_str().to_string();
                    }
                }
            }
            RequestEvent::RequestVoided(_) => {
                if let Some(r) = by_id.get_mut(&id) {
                    r.voided = true;
                }
            }
            other => {
                if let Some(r) = by_id.get_mut(&id) {
                    r.later.push((other.clone(), raw.occurred_at));
                }
            }
        }
    }
    order
        .into_iter()
        .filter_map(|id| by_id.remove(&id))
        .filter(|r| !r.voided)
        .collect()
}

/// The matches of a request still standing at the report date: (helper, when).
fn standing_matches(r: &Plain, report: DateTime<Utc>) -> Vec<(Uuid, DateTime<Utc>)> {
    let mut list: Vec<(Uuid, DateTime<Utc>, bool)> = vec![];
    for (e, at) in &r.later {
        if *at > report {
            continue;
        }
        match e {
            RequestEvent::HelperMatched(m) => list.push((m.helper.as_uuid(), *at, false)),
            RequestEvent::MatchCancelled(c) => {
                // The latest match of that helper not cancelled yet.
                let mut i = list.len();
                while i > 0 {
                    i -= 1;
                    if list[i].0 == c.helper.as_uuid() && !list[i].2 {
                        list[i].2 = true;
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    list.into_iter()
        .filter(|m| !m.2)
        .map(|m| (m.0, m.1))
        .collect()
}

fn pct(mut v: Vec<i64>) -> TimeFigures {
    v.sort();
    let n = v.len();
    if n == 0 {
        return TimeFigures::default();
    }
    TimeFigures {
        count: n as u64,
        median_seconds: Some(v[n.div_ceil(2) - 1]),
        p90_seconds: Some(v[(9 * n).div_ceil(10) - 1]),
    }
}

fn secs(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(0)
}

fn oracle(events: &[(RecordedEvent, AnyEvent)], ask: &Ask<'_>) -> KpiFigures {
    let all = requests_known(events, ask);
    let mut f = KpiFigures::default();

    // First standing match of every helper anywhere in the tenant, for "new helpers".
    let mut first_match: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for r in &all {
        for (h, at) in standing_matches(r, ask.report) {
            let e = first_match.entry(h).or_insert(at);
            if at < *e {
                *e = at;
            }
        }
    }

    let chosen: Vec<&Plain> = all
        .iter()
        .filter(|r| (ask.keep)(r.neighbourhood, &r.category, &r.channel))
        .collect();
    let mut requesters = BTreeSet::new();
    let mut helpers = BTreeSet::new();
    let (mut response, mut to_match, mut to_resolution) = (vec![], vec![], vec![]);
    let mut minutes: u64 = 0;

    for r in &chosen {
        for (h, at) in standing_matches(r, ask.report) {
            if at >= ask.from && at < ask.to {
                helpers.insert(h);
            }
        }
        if r.posted_at < ask.from || r.posted_at >= ask.to {
            continue;
        }
        f.requests += 1;
        requesters.insert(r.requester);
        if r.on_behalf {
            f.on_behalf += 1;
        }
        let happened: Vec<&(RequestEvent, DateTime<Utc>)> =
            r.later.iter().filter(|(_, at)| *at <= ask.report).collect();
        let responses: Vec<DateTime<Utc>> = happened
            .iter()
            .filter(|(e, _)| {
                matches!(
                    e,
                    RequestEvent::HelpOffered(_)
                        | RequestEvent::HelperMatched(_)
                        | RequestEvent::ReferredToProfessional(_)
                )
            })
            .map(|(_, at)| *at)
            .collect();
        if let Some(first) = responses.iter().min() {
            response.push(secs(r.posted_at, *first));
        }
        let standing = standing_matches(r, ask.report);
        if let Some(first) = standing.iter().map(|m| m.1).min() {
            f.matched += 1;
            to_match.push(secs(r.posted_at, first));
        }
        if happened
            .iter()
            .any(|(e, _)| matches!(e, RequestEvent::ReferredToProfessional(_)))
        {
            f.referred += 1;
        }
        let last_state_change = happened.iter().rev().find(|(e, _)| {
            matches!(
                e,
                RequestEvent::RequestResolved(_)
                    | RequestEvent::RequestClosed(_)
                    | RequestEvent::RequestReopened(_)
            )
        });
        match last_state_change {
            Some((RequestEvent::RequestResolved(res), at)) => {
                f.resolved += 1;
                match res.resolution {
                    ResolvedBy::Neighbour => f.resolved_by_neighbour += 1,
                    ResolvedBy::Professional => f.resolved_by_professional += 1,
                    ResolvedBy::Requester => f.resolved_by_requester += 1,
                }
                if let Some(m) = res.minutes_given {
                    f.requests_with_hours += 1;
                    minutes += u64::from(m.get());
                }
                to_resolution.push(secs(r.posted_at, *at));
            }
            Some((RequestEvent::RequestClosed(_), _)) => f.closed_unresolved += 1,
            _ => f.open += 1,
        }
    }
    f.distinct_requesters = requesters.len() as u64;
    f.distinct_helpers = helpers.len() as u64;
    f.new_helpers = helpers
        .iter()
        .filter(|h| first_match.get(h).is_some_and(|first| *first >= ask.from))
        .count() as u64;
    f.hours = minutes as f64 / 60.0;
    let rate = |n: u64| (f.requests > 0).then(|| n as f64 / f.requests as f64);
    f.resolution_rate = rate(f.resolved);
    f.informal_share = rate(f.resolved_by_neighbour);
    f.referral_rate = rate(f.referred);
    f.on_behalf_share = rate(f.on_behalf);
    f.time_to_first_response = pct(response);
    f.time_to_match = pct(to_match);
    f.time_to_resolution = pct(to_resolution);
    f
}

/// Calendar months overlapping [from, to), clipped to it.
fn months(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = vec![];
    let mut y = from.year();
    let mut m = from.month();
    loop {
        let start = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).unwrap();
        if start >= to {
            break;
        }
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let end = Utc.with_ymd_and_hms(ny, nm, 1, 0, 0, 0).unwrap();
        out.push((start.max(from), end.min(to)));
        y = ny;
        m = nm;
    }
    out
}

fn at_hour(h: i64) -> DateTime<Utc> {
    start() + Duration::hours(h)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn every_figure_matches_a_plain_computation_over_the_raw_events(
        steps in steps(70),
        from_h in -200i64..1500,
        len_h in 1i64..3000,
        report_h in 0i64..4000,
        as_of_h in prop::option::of(0i64..4000),
        filter in 0usize..4,
    ) {
        let history = history(&steps);
        let kpis = history.fold();
        let (from, to) = (at_hour(from_h), at_hour(from_h + len_h));
        let report = at_hour(report_h);
        let as_of = as_of_h.map(at_hour);
        let wanted_category = category(1).as_str().to_string();
        let wanted_neighbourhood = neighbourhood(0).as_uuid();
        let keep_all = |_: Uuid, _: &str, _: &str| true;
        let keep_category = |_: Uuid, c: &str, _: &str| c == wanted_category;
        let keep_neighbourhood = |n: Uuid, _: &str, _: &str| n == wanted_neighbourhood;
        let keep_phone = |_: Uuid, _: &str, ch: &str| ch == "phone";

        let mut q = KpiQuery::new(tenant(), from, to, report);
        q.as_of = as_of;
        let keep: &dyn Fn(Uuid, &str, &str) -> bool = match filter {
            0 => &keep_all,
            1 => { q.categories = vec![category(1)]; &keep_category }
            2 => { q.neighbourhoods = vec![neighbourhood(0)]; &keep_neighbourhood }
            _ => { q.channels = vec![noaber_domain::values::Channel::Phone]; &keep_phone }
        };
        q.by = Some(match filter { 0 => Breakdown::Category, 1 => Breakdown::Neighbourhood, _ => Breakdown::Channel });
        q.series = Some(Interval::Month);
        let report_got = kpis.query(&q);

        let ask = Ask { tenant: tenant(), from, to, as_of, report, keep };
        prop_assert_eq!(&report_got.total, &oracle(&history.events, &ask));

        // Series: one point per calendar month, each computed like a period of its own.
        let steps_expected = months(from, to);
        prop_assert_eq!(report_got.series.len(), steps_expected.len());
        for (point, (s, e)) in report_got.series.iter().zip(steps_expected) {
            prop_assert_eq!((point.from, point.to), (s, e));
            let ask = Ask { tenant: tenant(), from: s, to: e, as_of, report, keep };
            prop_assert_eq!(&point.figures, &oracle(&history.events, &ask));
        }

        // Breakdown: one row per group with requests or helpers, each as if filtered on it.
        let mut expected_rows = BTreeMap::new();
        let keys: Vec<String> = match q.by {
            Some(Breakdown::Category) => (0..6).map(|i| category(i).as_str().to_string()).collect(),
            Some(Breakdown::Neighbourhood) => (0..2).map(|i| neighbourhood(i).as_uuid().to_string()).collect(),
            _ => (0..6).map(|i| channel(i).as_str().to_string()).collect(),
        };
        for key in keys {
            let by = q.by;
            let group = |n: Uuid, c: &str, ch: &str| {
                keep(n, c, ch) && match by {
                    Some(Breakdown::Category) => c == key,
                    Some(Breakdown::Neighbourhood) => n.to_string() == key,
                    _ => ch == key,
                }
            };
            let ask = Ask { tenant: tenant(), from, to, as_of, report, keep: &group };
            let f = oracle(&history.events, &ask);
            if f.requests > 0 || f.distinct_helpers > 0 {
                expected_rows.insert(key.clone(), f);
            }
        }
        let got_rows: BTreeMap<String, KpiFigures> = report_got
            .breakdown
            .iter()
            .map(|r| (r.key.clone(), r.figures.clone()))
            .collect();
        prop_assert_eq!(got_rows, expected_rows);
    }

    #[test]
    fn statuses_always_add_up_to_the_requests_counted(steps in steps(60), report_h in 0i64..4000) {
        let kpis = history(&steps).fold();
        let q = KpiQuery::new(tenant(), at_hour(-1000), at_hour(5000), at_hour(report_h));
        let f = kpis.query(&q).total;
        prop_assert_eq!(f.open + f.resolved + f.closed_unresolved, f.requests);
        prop_assert_eq!(
            f.resolved_by_neighbour + f.resolved_by_professional + f.resolved_by_requester,
            f.resolved
        );
        prop_assert!(f.new_helpers <= f.distinct_helpers);
        prop_assert!(f.distinct_requesters <= f.requests);
    }
}

#[test]
fn the_other_tenants_requests_are_never_counted() {
    let mut h = History::default();
    let t0 = day(2024, 3, 1);
    h.push(tenant(), posted(0, 0, false, 0, 0, 0), t0, t0);
    h.push(other_tenant(), posted(1, 1, false, 0, 0, 0), t0, t0);
    h.push(other_tenant(), matched(1, 10), t0, t0);
    let kpis = h.fold();
    let q = KpiQuery::new(tenant(), day(2024, 1, 1), day(2025, 1, 1), day(2025, 1, 1));
    let f = kpis.query(&q).total;
    assert_eq!((f.requests, f.distinct_helpers), (1, 0));
    let q = KpiQuery::new(
        Uuid::nil(),
        day(2024, 1, 1),
        day(2025, 1, 1),
        day(2025, 1, 1),
    );
    assert_eq!(kpis.query(&q).total.requests, 0);
}
