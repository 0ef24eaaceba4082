//! Given events, then what the read models make of safeguarding: the standing the executor asks
//! about, a suspended helper's open matches back in the connector queue, incidents and
//! complaints in the queue (and never in a resident's feed), and a suspended helper gone from
//! the directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use chrono::{Duration, NaiveDate};
use noaber_domain::incident::IncidentKind;
use noaber_domain::request::TriageRoute;
use noaber_domain::TenantId;
use noaber_projections::directory::HelperQuery;
use noaber_projections::feed::Audience;
use noaber_projections::fold_all;
use noaber_projections::queue::{QueueConfig, QueueItem, QueueReason, QueueSubject};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Two neighbourhoods; persons 0–5 live in the first, 6 in the second; 1 and 2 are helpers.
fn base() -> History {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    h.push(neighbourhood_registered(0));
    h.push(neighbourhood_registered(1));
    for p in 0..6 {
        h.push(registered(p, 0, Some(place(f64::from(p)))));
    }
    h.push(registered(6, 1, Some(place(6.0))));
    for p in [1, 2] {
        h.push(skills_declared(
            p,
            &["grocery_shopping"],
            weekday_mornings(),
            10,
        ));
        h.push(opted_in(p));
    }
    h
}

fn queue_at(h: &History, hood_n: u32, hours_later: i64) -> Vec<QueueItem> {
    let models = fold_all(&h.events);
    models.queue.items(
        &[hood(hood_n)],
        day(2025, 3, 3) + Duration::hours(hours_later),
        &QueueConfig::default(),
    )
}

fn reasons_of(items: &[QueueItem], subject: QueueSubject) -> Vec<QueueReason> {
    items
        .iter()
        .find(|i| i.subject == subject)
        .map(|i| i.reasons.clone())
        .unwrap_or_default()
}

// ---- standing and sensitive categories ----

#[test]
fn the_standing_follows_screenings_and_suspensions() {
    let mut h = base();
    h.push(screened(1, date(2025, 1, 10), date(2028, 1, 9)));
    let models = fold_all(&h.events);
    let standing = models
        .safeguarding
        .standing(TenantId::new(tenant()), person(1));
    assert!(!standing.suspended);
    assert!(standing.screening.unwrap().valid_on(date(2025, 3, 3)));

    h.push(suspended(1)).push(screening_withdrawn(1));
    let models = fold_all(&h.events);
    let standing = models
        .safeguarding
        .standing(TenantId::new(tenant()), person(1));
    assert!(standing.suspended);
    assert_eq!(standing.screening, None);

    h.push(suspension_lifted(1));
    let models = fold_all(&h.events);
    assert!(
        !models
            .safeguarding
            .standing(TenantId::new(tenant()), person(1))
            .suspended
    );
}

#[test]
fn another_tenant_learns_nothing_of_a_persons_standing() {
    let mut h = base();
    h.push(suspended(1));
    let models = fold_all(&h.events);
    let other = TenantId::new(uuid::Uuid::from_u128(0xbad));
    assert!(!models.safeguarding.standing(other, person(1)).suspended);
    assert!(
        models
            .safeguarding
            .standing(TenantId::new(tenant()), person(1))
            .suspended
    );
}

#[test]
fn the_sensitive_categories_are_the_latest_set_of_the_tenant() {
    let mut h = base();
    let own = TenantId::new(tenant());
    assert!(!fold_all(&h.events)
        .safeguarding
        .is_sensitive(own, &category("household")));
    h.push(sensitive(&["household", "meals"]));
    let models = fold_all(&h.events);
    assert!(models
        .safeguarding
        .is_sensitive(own, &category("household")));
    assert!(!models.safeguarding.is_sensitive(own, &category("errands")));
    let other = TenantId::new(uuid::Uuid::from_u128(0xbad));
    assert!(!models
        .safeguarding
        .is_sensitive(other, &category("household")));
    h.push(sensitive(&["errands"]));
    let models = fold_all(&h.events);
    assert_eq!(
        models.safeguarding.sensitive_categories(own),
        [category("errands")].into()
    );
}

// ---- suspended helpers' matches ----

#[test]
fn a_suspended_helpers_open_matches_come_back_to_the_queue_at_once() {
    let mut h = base();
    h.push(posted(1, 0, 0))
        .push(triaged(1, TriageRoute::Informal))
        .push(matched(1, 1));
    h.push(posted(2, 3, 0))
        .push(triaged(2, TriageRoute::Informal))
        .push(matched(2, 1));
    h.push(posted(3, 4, 0))
        .push(triaged(3, TriageRoute::Informal))
        .push(matched(3, 2));
    assert!(queue_at(&h, 0, 1).is_empty());

    h.at(day(2025, 3, 4)).push(suspended(1));
    let items = queue_at(&h, 0, 25);
    for r in [1, 2] {
        assert_eq!(
            reasons_of(&items, QueueSubject::Request(request(r))),
            vec![QueueReason::HelperSuspended],
            "request {r}"
        );
    }
    assert_eq!(
        reasons_of(&items, QueueSubject::Request(request(3))),
        vec![]
    );
}

#[test]
fn the_reason_leaves_when_the_match_is_cancelled_or_the_suspension_lifted() {
    let mut h = base();
    for r in [1, 2] {
        h.push(posted(r, 0, 0))
            .push(triaged(r, TriageRoute::Informal))
            .push(matched(r, 1));
    }
    h.push(suspended(1));
    h.push(cancelled(1, 1));
    let items = queue_at(&h, 0, 1);
    assert_eq!(
        reasons_of(&items, QueueSubject::Request(request(1))),
        vec![]
    );
    assert_eq!(
        reasons_of(&items, QueueSubject::Request(request(2))),
        vec![QueueReason::HelperSuspended]
    );
    h.push(suspension_lifted(1));
    assert!(queue_at(&h, 0, 1).is_empty());
}

#[test]
fn a_match_recorded_after_the_suspension_is_flagged_too() {
    let mut h = base();
    h.push(suspended(2));
    h.push(posted(1, 0, 0))
        .push(triaged(1, TriageRoute::Informal))
        .push(matched(1, 2));
    assert_eq!(
        reasons_of(&queue_at(&h, 0, 1), QueueSubject::Request(request(1))),
        vec![QueueReason::HelperSuspended]
    );
}

#[test]
fn a_resolved_request_of_a_suspended_helper_needs_nobody() {
    let mut h = base();
    h.push(posted(1, 0, 0))
        .push(triaged(1, TriageRoute::Informal))
        .push(matched(1, 1))
        .push(resolved(1, &[1]));
    h.push(suspended(1));
    assert!(queue_at(&h, 0, 1).is_empty());
}

#[test]
fn a_suspended_match_outranks_an_untriaged_request() {
    let mut h = base();
    h.push(posted(1, 0, 0))
        .push(triaged(1, TriageRoute::Informal))
        .push(matched(1, 1));
    h.push(posted(2, 3, 0));
    h.push(suspended(1));
    let items = queue_at(&h, 0, 1);
    assert_eq!(items[0].subject, QueueSubject::Request(request(1)));
    assert_eq!(items[1].subject, QueueSubject::Request(request(2)));
}

// ---- incidents and complaints ----

#[test]
fn an_incident_about_a_request_reaches_the_queue_of_its_neighbourhood_with_its_age() {
    let mut h = base();
    h.push(posted(1, 0, 0))
        .push(triaged(1, TriageRoute::Informal));
    h.at(day(2025, 3, 4))
        .push(incident_reported(1, IncidentKind::Incident, Some(1), None));
    let items = queue_at(&h, 0, 24 + 13);
    let item = items
        .iter()
        .find(|i| i.subject == QueueSubject::Incident(incident(1)))
        .expect("the incident is in the queue");
    assert_eq!(item.reasons, vec![QueueReason::IncidentReported]);
    assert_eq!(item.neighbourhood, hood(0));
    assert_eq!(item.since, day(2025, 3, 4));
    assert_eq!(item.age_hours, 13);
    assert_eq!(item.urgency, None);
    assert!(queue_at(&h, 1, 24 + 13).is_empty());
}

#[test]
fn a_complaint_about_a_person_goes_to_the_neighbourhood_they_live_in() {
    let mut h = base();
    h.push(incident_reported(2, IncidentKind::Complaint, None, Some(6)));
    assert!(queue_at(&h, 0, 1).is_empty());
    assert_eq!(
        reasons_of(&queue_at(&h, 1, 1), QueueSubject::Incident(incident(2))),
        vec![QueueReason::IncidentReported]
    );
}

#[test]
fn an_incident_stays_until_closed_and_is_open_once_acknowledged() {
    let mut h = base();
    h.push(incident_reported(1, IncidentKind::Incident, None, Some(1)));
    h.push(incident_acknowledged(1));
    assert_eq!(
        reasons_of(&queue_at(&h, 0, 1), QueueSubject::Incident(incident(1))),
        vec![QueueReason::IncidentOpen]
    );
    h.push(incident_closed(1));
    assert!(queue_at(&h, 0, 1).is_empty());
}

#[test]
fn an_incident_outranks_a_complaint_and_both_outrank_routine_work() {
    let mut h = base();
    h.push(posted(1, 0, 0));
    h.push(incident_reported(1, IncidentKind::Complaint, None, Some(3)));
    h.push(incident_reported(2, IncidentKind::Incident, None, Some(4)));
    let items = queue_at(&h, 0, 1);
    let order: Vec<QueueSubject> = items.iter().map(|i| i.subject).collect();
    assert_eq!(
        order,
        vec![
            QueueSubject::Incident(incident(2)),
            QueueSubject::Incident(incident(1)),
            QueueSubject::Request(request(1)),
        ]
    );
}

#[test]
fn an_incident_about_a_voided_request_stays_where_it_was_reported() {
    let mut h = base();
    h.push(posted(1, 0, 1));
    h.push(incident_reported(1, IncidentKind::Incident, Some(1), None));
    h.push(voided(1));
    assert_eq!(
        reasons_of(&queue_at(&h, 1, 1), QueueSubject::Incident(incident(1))),
        vec![QueueReason::IncidentReported]
    );
}

#[test]
fn an_incident_follows_its_request_to_another_neighbourhood() {
    let mut h = base();
    h.push(posted(1, 0, 0));
    h.push(incident_reported(1, IncidentKind::Incident, Some(1), None));
    h.push(corrected(1, None, Some(1)));
    assert!(reasons_of(&queue_at(&h, 0, 1), QueueSubject::Incident(incident(1))).is_empty());
    assert_eq!(
        reasons_of(&queue_at(&h, 1, 1), QueueSubject::Incident(incident(1))),
        vec![QueueReason::IncidentReported]
    );
}

#[test]
fn an_incident_never_reaches_a_residents_feed() {
    let mut h = base();
    h.push(posted(1, 0, 0));
    let before = fold_all(&h.events);
    let page_before = before
        .feed
        .page(hood(0), Audience::Resident, None, 50)
        .unwrap();
    h.push(incident_reported(
        1,
        IncidentKind::Incident,
        Some(1),
        Some(1),
    ));
    h.push(incident_reported(2, IncidentKind::Complaint, None, Some(2)));
    let after = fold_all(&h.events);
    for audience in [Audience::Resident, Audience::Connector] {
        let page = after.feed.page(hood(0), audience, None, 50).unwrap();
        let json = serde_json::to_string(&page).unwrap();
        assert!(!json.contains(&incident(1).to_string()), "{json}");
        assert!(!json.contains(&incident(2).to_string()), "{json}");
        assert!(!json.contains("Er ging iets mis"), "{json}");
    }
    let page_after = after
        .feed
        .page(hood(0), Audience::Resident, None, 50)
        .unwrap();
    assert_eq!(
        serde_json::to_value(&page_after.items).unwrap(),
        serde_json::to_value(&page_before.items).unwrap()
    );
}

// ---- the directory and the feed's standing offers ----

#[test]
fn a_suspended_helper_leaves_the_directory_until_they_opt_in_again() {
    let mut h = base();
    h.push(suspended(1));
    let listed = |h: &History| -> Vec<_> {
        fold_all(&h.events)
            .directory
            .helpers(&HelperQuery::default())
            .unwrap()
            .iter()
            .map(|hit| hit.person)
            .collect()
    };
    assert_eq!(listed(&h), vec![person(2)]);
    h.push(suspension_lifted(1));
    assert_eq!(listed(&h), vec![person(2)]);
    h.push(opted_in(1));
    assert_eq!(listed(&h), vec![person(1), person(2)]);
}
