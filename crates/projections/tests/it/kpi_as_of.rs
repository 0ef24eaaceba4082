//! "As of" and incremental folding of the KPI model: figures asked as of T never change when
//! later events (back-dated ones included) are appended, and folding in any split of batches,
//! with a snapshot round-trip at every split, gives the model rebuilt from scratch.

use crate::support::kpi::*;
use chrono::{DateTime, Duration, Utc};
use noaber_projections::kpi::{Breakdown, Interval, KpiQuery, Kpis};
use proptest::prelude::*;

fn at_hour(h: i64) -> DateTime<Utc> {
    start() + Duration::hours(h)
}

fn year_query(report: DateTime<Utc>) -> KpiQuery {
    let mut q = KpiQuery::new(tenant(), at_hour(-500), at_hour(6000), report);
    q.by = Some(Breakdown::Category);
    q.series = Some(Interval::Quarter);
    q
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn figures_as_of_a_moment_do_not_change_when_later_events_arrive(
        steps in steps(60),
        cut in 0usize..60,
        report_h in 0i64..5000,
    ) {
        let history = history(&steps);
        let cut = cut.min(history.events.len());
        // T: the recorded time of the last event before the cut (or before everything).
        let as_of = history.events[..cut]
            .last()
            .map_or(start() - Duration::hours(1), |(raw, _)| raw.recorded_at);

        let mut q = year_query(at_hour(report_h));
        q.as_of = Some(as_of);
        let then = fold(&history.events[..cut]).query(&q);
        let later = history.fold().query(&q);
        prop_assert_eq!(then, later);
    }

    #[test]
    fn folding_in_any_split_of_batches_equals_rebuilding_from_scratch(
        steps in steps(60),
        splits in prop::collection::vec(0usize..60, 0..6),
        report_h in 0i64..5000,
    ) {
        let history = history(&steps);
        let mut cuts: Vec<usize> = splits.into_iter().map(|s| s.min(history.events.len())).collect();
        cuts.sort_unstable();
        cuts.push(history.events.len());

        let mut model = Kpis::default();
        let mut done = 0;
        for cut in cuts {
            apply(&mut model, &history.events[done..cut]);
            done = cut;
            // A snapshot and a restart at every split.
            let snapshot = serde_json::to_string(&model).expect("the model serialises");
            model = serde_json::from_str(&snapshot).expect("a snapshot restores");
        }
        let scratch = history.fold();
        prop_assert_eq!(&model, &scratch);
        let q = year_query(at_hour(report_h));
        prop_assert_eq!(model.query(&q), scratch.query(&q));
    }
}

#[test]
fn a_baseline_published_as_of_its_date_survives_a_back_dated_entry() {
    // Arrange: January has one request when the baseline is published on 1 February.
    let mut h = History::default();
    let jan = day(2025, 1, 10);
    h.push(tenant(), posted(0, 0, false, 0, 0, 0), jan, jan);
    h.push(
        tenant(),
        matched(0, 10),
        jan + Duration::hours(2),
        jan + Duration::hours(2),
    );
    let published = day(2025, 2, 1);
    let mut q = KpiQuery::new(tenant(), day(2025, 1, 1), day(2025, 2, 1), published);
    q.as_of = Some(published);
    let baseline = h.fold().query(&q);

    // Act: in March a connector records a home visit from 20 January.
    let march = day(2025, 3, 3);
    h.push(
        tenant(),
        posted(1, 1, true, 2, 0, 0),
        day(2025, 1, 20),
        march,
    );
    h.push(tenant(), matched(1, 11), day(2025, 1, 21), march);
    let kpis = h.fold();

    // Assert: the baseline as of its date is unchanged; today's view counts the late entry.
    assert_eq!(kpis.query(&q), baseline);
    assert_eq!(baseline.total.requests, 1);
    let mut now = q.clone();
    now.as_of = None;
    now.report_date = march;
    let current = kpis.query(&now).total;
    assert_eq!(
        (
            current.requests,
            current.distinct_helpers,
            current.on_behalf
        ),
        (2, 2, 1)
    );
}
