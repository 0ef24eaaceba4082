//! The worked example of docs/kpis.md as a test (so the document stays true), suppression of
//! small counts for funders, and the comparison of two periods.

use crate::support::kpi::*;
use chrono::{DateTime, Duration, Utc};
use noaber_domain::request::ResolvedBy;
use noaber_projections::kpi::{
    Breakdown, FigureChange, KpiComparison, KpiFigures, KpiQuery, Kpis, Shown, TimeFigures,
    DEFAULT_SUPPRESSION_THRESHOLD,
};

const NOORD: usize = 0;
const ZUID: usize = 1;
const ERRANDS: usize = 0;
const TRANSPORT: usize = 1;
const ODD_JOBS: usize = 4;
const GARDEN: usize = 5;
const PAPERWORK: usize = 8;
const APP: usize = 0;
const HOME_VISIT: usize = 2;
const PHONE: usize = 3;
const ANNA: usize = 0;
const CARLA: usize = 1;
const EVA: usize = 2;
const FRANK: usize = 3;
const GINA: usize = 4;
const IRIS: usize = 5;
const BEN: usize = 10;
const DIRK: usize = 11;
const HANS: usize = 12;

fn t(y: i32, m: u32, d: u32, h: i64) -> DateTime<Utc> {
    day(y, m, d) + Duration::hours(h)
}

/// The history of docs/kpis.md, "A worked example".
fn worked_example() -> History {
    let mut h = History::default();
    let at = |h: &mut History, e, when: DateTime<Utc>| h.push(tenant(), e, when, when);
    // R7: December, Iris; Hans is matched in January.
    at(
        &mut h,
        posted(7, IRIS, false, APP, ERRANDS, NOORD),
        t(2024, 12, 20, 10),
    );
    at(&mut h, matched(7, HANS), t(2025, 1, 3, 10));
    at(
        &mut h,
        resolved(7, ResolvedBy::Neighbour, &[HANS], None),
        t(2025, 1, 4, 10),
    );
    // R1: Anna posts herself; Ben offers, is matched and helps for 90 minutes.
    at(
        &mut h,
        posted(1, ANNA, false, APP, ERRANDS, NOORD),
        t(2025, 1, 6, 9),
    );
    at(&mut h, offered(1, BEN), t(2025, 1, 6, 10));
    at(&mut h, matched(1, BEN), t(2025, 1, 6, 12));
    at(
        &mut h,
        resolved(1, ResolvedBy::Neighbour, &[BEN], Some(90)),
        t(2025, 1, 8, 9),
    );
    // R2: a connector posts for Carla by phone; Dirk is matched directly.
    at(
        &mut h,
        posted(2, CARLA, true, PHONE, TRANSPORT, NOORD),
        t(2025, 1, 10, 14),
    );
    at(&mut h, matched(2, DIRK), t(2025, 1, 11, 14));
    at(
        &mut h,
        resolved(2, ResolvedBy::Neighbour, &[DIRK], None),
        t(2025, 1, 13, 14),
    );
    // R3: a home visit on 15 January, recorded on 20 January; referred, solved by a professional.
    let recorded = t(2025, 1, 20, 9);
    h.push(
        tenant(),
        posted(3, EVA, true, HOME_VISIT, PAPERWORK, ZUID),
        t(2025, 1, 15, 10),
        recorded,
    );
    h.push(
        tenant(),
        referred(3),
        t(2025, 1, 16, 10),
        recorded + Duration::minutes(5),
    );
    at(
        &mut h,
        resolved(3, ResolvedBy::Professional, &[], None),
        t(2025, 1, 25, 10),
    );
    // R4: Anna again; Ben is matched, the match is cancelled, the request closed.
    at(
        &mut h,
        posted(4, ANNA, false, APP, ERRANDS, ZUID),
        t(2025, 1, 20, 9),
    );
    at(&mut h, matched(4, BEN), t(2025, 1, 21, 9));
    at(&mut h, cancelled(4, BEN), t(2025, 1, 22, 9));
    at(&mut h, closed(4), t(2025, 1, 28, 9));
    // R5: posted in error and voided.
    at(
        &mut h,
        posted(5, FRANK, false, APP, ERRANDS, ZUID),
        t(2025, 1, 25, 9),
    );
    at(&mut h, voided(5), t(2025, 1, 26, 9));
    // R6: Gina's request, filed under odd jobs, corrected to garden; an offer in February.
    at(
        &mut h,
        posted(6, GINA, false, APP, ODD_JOBS, NOORD),
        t(2025, 1, 29, 12),
    );
    at(
        &mut h,
        corrected(6, Some(GARDEN), None, None),
        t(2025, 1, 30, 9),
    );
    at(&mut h, offered(6, DIRK), t(2025, 2, 3, 12));
    h
}

fn january() -> KpiQuery {
    KpiQuery::new(tenant(), day(2025, 1, 1), day(2025, 2, 1), day(2025, 3, 1))
}

fn december() -> KpiQuery {
    KpiQuery::new(tenant(), day(2024, 12, 1), day(2025, 1, 1), day(2025, 3, 1))
}

const HOUR: i64 = 3600;

#[test]
fn the_worked_example_of_the_kpi_document_gives_its_figures() {
    let kpis = worked_example().fold();
    let f = kpis.query(&january()).total;
    let expected = KpiFigures {
        requests: 5,
        distinct_requesters: 4,
        distinct_helpers: 3,
        new_helpers: 3,
        matched: 2,
        resolved: 3,
        resolved_by_neighbour: 2,
        resolved_by_professional: 1,
        resolved_by_requester: 0,
        referred: 1,
        open: 1,
        closed_unresolved: 1,
        on_behalf: 2,
        requests_with_hours: 1,
        hours: 1.5,
        resolution_rate: Some(0.6),
        informal_share: Some(0.4),
        referral_rate: Some(0.2),
        on_behalf_share: Some(0.4),
        time_to_first_response: TimeFigures {
            count: 5,
            median_seconds: Some(24 * HOUR),
            p90_seconds: Some(120 * HOUR),
        },
        time_to_match: TimeFigures {
            count: 2,
            median_seconds: Some(3 * HOUR),
            p90_seconds: Some(24 * HOUR),
        },
        time_to_resolution: TimeFigures {
            count: 3,
            median_seconds: Some(72 * HOUR),
            p90_seconds: Some(240 * HOUR),
        },
    };
    assert_eq!(f, expected);
}

#[test]
fn the_worked_example_breaks_down_by_corrected_category() {
    let kpis = worked_example().fold();
    let mut q = january();
    q.by = Some(Breakdown::Category);
    let rows: Vec<(String, u64, u64)> = kpis
        .query(&q)
        .breakdown
        .into_iter()
        .map(|r| (r.key, r.figures.requests, r.figures.distinct_helpers))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("errands".to_string(), 2, 2),
            ("garden".to_string(), 1, 0),
            ("paperwork".to_string(), 1, 0),
            ("transport".to_string(), 1, 1),
        ]
    );
}

#[test]
fn the_worked_example_as_of_18_january_knows_only_what_was_recorded_by_then() {
    let kpis = worked_example().fold();
    let mut q = january();
    q.as_of = Some(day(2025, 1, 18));
    q.report_date = day(2025, 1, 18);
    let f = kpis.query(&q).total;
    assert_eq!(
        (
            f.requests,
            f.distinct_requesters,
            f.distinct_helpers,
            f.resolved,
            f.open
        ),
        (2, 2, 3, 2, 0)
    );
}

#[test]
fn a_funder_sees_small_counts_as_suppressed_and_never_as_zero() {
    let kpis = worked_example().fold();
    let funder = kpis
        .query(&january())
        .for_funder(DEFAULT_SUPPRESSION_THRESHOLD);
    let f = &funder.total;
    assert_eq!(f.requests, Shown::Value(5));
    assert!(f.distinct_requesters.is_suppressed());
    assert!(f.distinct_helpers.is_suppressed());
    assert!(
        f.resolved_by_requester.is_suppressed(),
        "a zero is a small count too"
    );
    assert!(
        f.resolution_rate.is_suppressed(),
        "a share of a suppressed count"
    );
    assert!(f.hours.is_suppressed(), "hours from one resolution");
    assert!(
        f.time_to_match.median_seconds.is_suppressed(),
        "two samples only"
    );
    assert_eq!(
        f.time_to_first_response.median_seconds,
        Shown::Value(24 * HOUR)
    );

    let json = serde_json::to_value(f).expect("figures serialise");
    assert_eq!(json["requests"], serde_json::json!(5));
    assert_eq!(
        json["distinct_helpers"],
        serde_json::json!({"suppressed": true})
    );
    assert_eq!(
        json["resolved_by_requester"],
        serde_json::json!({"suppressed": true})
    );
    let back: noaber_projections::kpi::FunderFigures =
        serde_json::from_value(json).expect("figures read back");
    assert_eq!(&back, f);
}

#[test]
fn a_threshold_of_one_shows_every_count_but_still_hides_empty_ones() {
    let kpis = worked_example().fold();
    let f = kpis.query(&january()).for_funder(1).total;
    assert_eq!(f.distinct_helpers, Shown::Value(3));
    assert_eq!(f.resolution_rate, Shown::Value(0.6));
    assert!(f.resolved_by_requester.is_suppressed());
}

#[test]
fn every_breakdown_row_and_series_point_is_suppressed_for_funders_too() {
    let kpis = worked_example().fold();
    let mut q = january();
    q.by = Some(Breakdown::Neighbourhood);
    q.series = Some(noaber_projections::kpi::Interval::Week);
    let funder = kpis.query(&q).for_funder(5);
    assert!(!funder.breakdown.is_empty() && !funder.series.is_empty());
    for row in &funder.breakdown {
        assert!(
            row.figures.requests.is_suppressed(),
            "{} has under 5 requests",
            row.key
        );
    }
    for point in &funder.series {
        assert!(point.figures.requests.is_suppressed());
    }
}

#[test]
fn compare_gives_absolute_and_relative_change_and_no_ratio_of_a_zero_base() {
    let kpis = worked_example().fold();
    let c: KpiComparison = kpis.compare(&december(), &january());
    let change = |name: &str| -> FigureChange {
        c.changes
            .iter()
            .find(|ch| ch.figure == name)
            .cloned()
            .expect("every figure has a change")
    };
    assert_eq!(c.a.total.requests, 1);
    assert_eq!(c.b.total.requests, 5);
    let requests = change("requests");
    assert_eq!(
        (requests.absolute, requests.relative),
        (Some(4.0), Some(4.0))
    );
    let helpers = change("distinct_helpers");
    assert_eq!((helpers.a, helpers.b), (Some(0.0), Some(3.0)));
    assert_eq!((helpers.absolute, helpers.relative), (Some(3.0), None));
    let resolved = change("resolution_rate");
    assert_eq!(resolved.a, Some(1.0));
    assert!(c
        .changes
        .iter()
        .all(|ch| ch.relative.is_none_or(f64::is_finite)));
}

#[test]
fn a_funder_comparison_gives_no_change_for_a_figure_suppressed_on_either_side() {
    let kpis = worked_example().fold();
    let c = kpis.compare(&december(), &january()).for_funder(5);
    let requests = c
        .changes
        .iter()
        .find(|ch| ch.figure == "requests")
        .expect("requests are compared");
    assert!(requests.suppressed, "December has a single request");
    assert_eq!((requests.a, requests.absolute), (None, None));
    let with_one = kpis.compare(&december(), &january()).for_funder(1);
    let requests = with_one
        .changes
        .iter()
        .find(|ch| ch.figure == "requests")
        .expect("requests are compared");
    assert_eq!((requests.absolute, requests.suppressed), (Some(4.0), false));
}

#[test]
fn an_empty_model_answers_with_zero_requests_and_no_shares() {
    let f = Kpis::default().query(&january()).total;
    assert_eq!(f.requests, 0);
    assert_eq!(f.resolution_rate, None);
    assert_eq!(f.time_to_match.median_seconds, None);
}
