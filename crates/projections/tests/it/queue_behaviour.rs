//! Given events, then the connector queue at a given `now`: each reason appears exactly when
//! its waiting time has passed, with its age and a priority that grows with urgency and age.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use chrono::Duration;
use noaber_domain::call::CallScope;
use noaber_domain::request::{ReferralOutcome, TriageRoute};
use noaber_domain::values::Urgency;
use noaber_projections::fold_all;
use noaber_projections::queue::{QueueConfig, QueueReason, QueueSubject};

fn base() -> History {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    h.push(neighbourhood_registered(0));
    h.push(neighbourhood_registered(1));
    h
}

fn reasons_of(h: &History, r: u32, hours_later: i64) -> Vec<QueueReason> {
    let models = fold_all(&h.events);
    let now = day(2025, 3, 3) + Duration::hours(hours_later);
    models
        .queue
        .items(&[hood(0)], now, &QueueConfig::default())
        .into_iter()
        .find(|i| i.subject == QueueSubject::Request(request(r)))
        .map(|i| i.reasons)
        .unwrap_or_default()
}

#[test]
fn a_new_request_is_untriaged_until_a_connector_triages_it() {
    let mut h = base();
    h.push(posted(1, 1, 0));
    assert_eq!(reasons_of(&h, 1, 1), vec![QueueReason::Untriaged]);
    h.push(triaged(1, TriageRoute::Informal));
    assert_eq!(reasons_of(&h, 1, 1), vec![]);
}

#[test]
fn a_request_without_offers_is_flagged_after_48_hours_and_not_before() {
    let mut h = base();
    h.push(posted(1, 1, 0))
        .push(triaged(1, TriageRoute::Informal));
    assert_eq!(reasons_of(&h, 1, 47), vec![]);
    assert_eq!(reasons_of(&h, 1, 48), vec![QueueReason::NoOffer]);
    h.push(offered(1, 2));
    assert_eq!(reasons_of(&h, 1, 48), vec![]);
}

#[test]
fn the_no_offer_time_can_be_configured() {
    let mut h = base();
    h.push(posted(1, 1, 0))
        .push(triaged(1, TriageRoute::Informal));
    let models = fold_all(&h.events);
    let config = QueueConfig {
        no_offer_after: Duration::hours(12),
        ..QueueConfig::default()
    };
    let items = models
        .queue
        .items(&[hood(0)], day(2025, 3, 3) + Duration::hours(13), &config);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].reasons, vec![QueueReason::NoOffer]);
    assert_eq!(items[0].age_hours, 13);
}

#[test]
fn a_match_not_resolved_after_seven_days_is_flagged() {
    let mut h = base();
    h.push(posted(1, 1, 0))
        .push(triaged(1, TriageRoute::Informal));
    h.at(day(2025, 3, 4)).push(matched(1, 2));
    assert_eq!(reasons_of(&h, 1, 24 * 7), vec![]);
    assert_eq!(reasons_of(&h, 1, 24 * 8), vec![QueueReason::MatchStalled]);
    h.push(resolved(1, &[2]));
    assert_eq!(reasons_of(&h, 1, 24 * 8), vec![]);
}

#[test]
fn a_referral_without_outcome_after_fourteen_days_is_flagged_until_an_outcome_is_recorded() {
    let mut h = base();
    h.push(posted(1, 1, 0))
        .push(triaged(1, TriageRoute::Professional));
    h.push(referred(1));
    assert_eq!(reasons_of(&h, 1, 24 * 14 - 1), vec![]);
    assert_eq!(
        reasons_of(&h, 1, 24 * 14),
        vec![QueueReason::ReferralWithoutOutcome]
    );
    h.push(outcome(1, ReferralOutcome::Accepted));
    assert_eq!(reasons_of(&h, 1, 24 * 14), vec![]);
}

#[test]
fn resolved_closed_and_voided_requests_never_need_a_human() {
    let mut h = base();
    for r in 1..=3 {
        h.push(posted(r, 1, 0));
    }
    h.push(resolved(1, &[])).push(closed(2)).push(voided(3));
    let models = fold_all(&h.events);
    let later = day(2025, 6, 1);
    assert!(models
        .queue
        .items(&[hood(0)], later, &QueueConfig::default())
        .is_empty());
}

#[test]
fn a_connector_sees_only_their_own_neighbourhoods() {
    let mut h = base();
    h.push(posted(1, 1, 0)).push(posted(2, 1, 1));
    let models = fold_all(&h.events);
    let items = models
        .queue
        .items(&[hood(1)], day(2025, 3, 4), &QueueConfig::default());
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].subject, QueueSubject::Request(request(2)));
}

#[test]
fn a_call_short_of_hands_shows_within_48_hours_of_its_deadline() {
    let mut h = base();
    let deadline = day(2025, 3, 10);
    h.push(call_published(
        1,
        CallScope::Neighbourhoods(vec![hood(0)]),
        3,
        deadline,
    ));
    h.push(call_answered(1, 5));
    let models = fold_all(&h.events);
    let config = QueueConfig::default();
    assert!(models
        .queue
        .items(&[hood(0)], deadline - Duration::hours(49), &config)
        .is_empty());
    let items = models
        .queue
        .items(&[hood(0)], deadline - Duration::hours(47), &config);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].reasons, vec![QueueReason::CallShortOfHands]);
    h.push(call_answered(1, 6)).push(call_answered(1, 7));
    let models = fold_all(&h.events);
    assert!(models
        .queue
        .items(&[hood(0)], deadline - Duration::hours(47), &config)
        .is_empty());
}

#[test]
fn priority_grows_with_urgency_and_with_age() {
    let mut h = base();
    h.push(posted_with(1, 1, 0, |p| p.urgency = Urgency::Urgent));
    h.push(posted_with(2, 1, 0, |p| p.urgency = Urgency::Low));
    h.at(day(2025, 3, 1))
        .push(posted_with(3, 1, 0, |p| p.urgency = Urgency::Low));
    let models = fold_all(&h.events);
    let items = models.queue.items(
        &[hood(0)],
        day(2025, 3, 3) + Duration::hours(1),
        &QueueConfig::default(),
    );
    let order: Vec<_> = items.iter().map(|i| i.subject).collect();
    assert_eq!(
        order,
        vec![
            QueueSubject::Request(request(1)),
            QueueSubject::Request(request(3)),
            QueueSubject::Request(request(2)),
        ]
    );
    assert!(items[0].priority > items[1].priority && items[1].priority > items[2].priority);
}

#[test]
fn a_reopened_request_counts_its_waiting_time_from_the_reopening() {
    let mut h = base();
    h.push(posted(1, 1, 0))
        .push(triaged(1, TriageRoute::Informal));
    h.push(offered(1, 2)).push(closed(1));
    h.at(day(2025, 3, 20)).push(reopened(1));
    let models = fold_all(&h.events);
    let config = QueueConfig::default();
    assert!(models
        .queue
        .items(&[hood(0)], day(2025, 3, 21), &config)
        .is_empty());
    let items = models.queue.items(&[hood(0)], day(2025, 3, 22), &config);
    assert_eq!(items[0].reasons, vec![QueueReason::NoOffer]);
}
