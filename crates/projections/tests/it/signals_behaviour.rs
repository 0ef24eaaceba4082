//! Given events, then the signals: requests per category per neighbourhood per week or month,
//! following corrections and voids, with small counts suppressed on request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use chrono::NaiveDate;
use noaber_projections::fold_all;
use noaber_projections::signals::Granularity;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn requests_are_counted_per_category_and_week_by_when_they_happened() {
    let mut h = History::new();
    // Monday 3 and Wednesday 5 March share a week; Monday 10 March starts the next.
    h.at(day(2025, 3, 3)).push(posted(1, 1, 0));
    h.at(day(2025, 3, 5)).push(posted(2, 1, 0));
    h.at(day(2025, 3, 10))
        .push(posted_with(3, 1, 0, |p| p.category = category("meals")));
    let models = fold_all(&h.events);
    let rows = models.signals.series(
        &[hood(0)],
        Granularity::Week,
        date(2025, 3, 1),
        date(2025, 4, 1),
        0,
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.period_start, r.category, r.requests))
        .collect();
    assert_eq!(
        got,
        vec![
            (date(2025, 3, 3), "errands", Some(2)),
            (date(2025, 3, 10), "meals", Some(1)),
        ]
    );
    let months = models.signals.series(
        &[hood(0)],
        Granularity::Month,
        date(2025, 1, 1),
        date(2026, 1, 1),
        0,
    );
    assert_eq!(months.len(), 2);
    assert!(months.iter().all(|r| r.period_start == date(2025, 3, 1)));
}

#[test]
fn corrections_move_a_request_and_voids_remove_it() {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    h.push(posted(1, 1, 0))
        .push(posted(2, 1, 0))
        .push(posted(3, 1, 0));
    h.push(corrected(1, Some("transport"), None));
    h.push(corrected(2, None, Some(1)));
    h.push(voided(3));
    let models = fold_all(&h.events);
    let rows = models.signals.series(
        &[hood(0), hood(1)],
        Granularity::Month,
        date(2025, 3, 1),
        date(2025, 4, 1),
        0,
    );
    let got: Vec<_> = rows
        .iter()
        .map(|r| (r.neighbourhood, r.category, r.requests))
        .collect();
    assert_eq!(
        got,
        vec![
            (hood(1), "errands", Some(1)),
            (hood(0), "transport", Some(1))
        ]
    );
}

#[test]
fn counts_below_the_threshold_are_marked_suppressed_never_shown_as_zero() {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    for r in 0..5 {
        h.push(posted(r, 1, 0));
    }
    h.push(posted_with(9, 1, 0, |p| p.category = category("meals")));
    let models = fold_all(&h.events);
    let rows = models.signals.series(
        &[hood(0)],
        Granularity::Month,
        date(2025, 3, 1),
        date(2025, 4, 1),
        5,
    );
    let errands = rows.iter().find(|r| r.category == "errands").unwrap();
    assert_eq!((errands.requests, errands.suppressed), (Some(5), false));
    let meals = rows.iter().find(|r| r.category == "meals").unwrap();
    assert_eq!((meals.requests, meals.suppressed), (None, true));
}
