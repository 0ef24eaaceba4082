//! Given events, then the resident feed: anonymity, visibility, who posted, what leaves the
//! feed, standing offers, calls, and cursor pagination.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use chrono::Duration;
use noaber_domain::call::CallScope;
use noaber_domain::request::{ReferralOutcome, TriageRoute};
use noaber_domain::values::Visibility;
use noaber_projections::feed::{Audience, FeedError, FeedKind, PostedBy};
use noaber_projections::fold_all;

fn base() -> History {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    h.push(neighbourhood_registered(0));
    h.push(neighbourhood_registered(1));
    for p in 0..6 {
        h.push(registered(p, 0, Some(place(f64::from(p)))));
    }
    h
}

#[test]
fn an_anonymous_request_shows_neither_its_requester_nor_its_location() {
    let mut h = base();
    h.push(posted_with(1, 2, 0, |p| p.anonymous = true));
    h.push(posted(2, 3, 0));
    let models = fold_all(&h.events);
    let page = models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap();
    let anonymous = page
        .items
        .iter()
        .find(|i| i.id == request(1).as_uuid())
        .unwrap();
    assert_eq!(anonymous.person, None);
    assert_eq!(anonymous.location, None);
    let json = serde_json::to_string(&page).unwrap();
    assert!(
        !json.contains(&person(2).to_string()),
        "the requester id leaked: {json}"
    );
    let named = page
        .items
        .iter()
        .find(|i| i.id == request(2).as_uuid())
        .unwrap();
    assert_eq!(named.person, Some(person(3)));
}

#[test]
fn a_request_for_connectors_only_never_reaches_a_residents_feed() {
    let mut h = base();
    h.push(posted_with(1, 2, 0, |p| {
        p.visibility = Visibility::Connectors
    }));
    let models = fold_all(&h.events);
    assert!(models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap()
        .items
        .is_empty());
    let connector = models
        .feed
        .page(hood(0), Audience::Connector, None, 10)
        .unwrap();
    assert_eq!(connector.items.len(), 1);
}

#[test]
fn each_item_says_whether_a_resident_or_a_professional_posted_it() {
    let mut h = base();
    h.push(posted(1, 2, 0));
    h.push(posted_with(2, 3, 0, |p| {
        p.on_behalf = true;
        p.posted_by = connector();
    }));
    let models = fold_all(&h.events);
    let page = models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap();
    let by = |r: u32| {
        page.items
            .iter()
            .find(|i| i.id == request(r).as_uuid())
            .unwrap()
    };
    assert_eq!(by(1).posted_by, PostedBy::Resident);
    assert_eq!(by(2).posted_by, PostedBy::Professional);
    assert!(by(2).on_behalf);
}

#[test]
fn resolved_closed_voided_referred_and_fully_matched_requests_leave_the_feed() {
    let mut h = base();
    for r in 1..=6 {
        h.push(posted(r, 2, 0));
    }
    h.push(resolved(1, &[]));
    h.push(closed(2));
    h.push(voided(3));
    h.push(referred(4));
    h.push(matched(5, 4));
    h.push(triaged(6, TriageRoute::Professional));
    let models = fold_all(&h.events);
    assert_eq!(models.feed.len(hood(0), Audience::Connector), 0);
}

#[test]
fn a_request_comes_back_when_reopened_when_a_referral_is_declined_or_a_match_cancelled() {
    let mut h = base();
    for r in 1..=3 {
        h.push(posted(r, 2, 0));
    }
    h.push(closed(1)).push(reopened(1));
    h.push(referred(2))
        .push(outcome(2, ReferralOutcome::Declined));
    h.push(matched(3, 4)).push(cancelled(3, 4));
    let models = fold_all(&h.events);
    assert_eq!(models.feed.len(hood(0), Audience::Resident), 3);
}

#[test]
fn a_request_needing_two_hands_stays_until_both_are_matched() {
    let mut h = base();
    h.push(posted_with(1, 2, 0, |p| {
        p.hands_needed = noaber_domain::values::HandsNeeded::new(2).unwrap();
    }));
    h.push(matched(1, 4));
    let one = fold_all(&h.events);
    assert_eq!(one.feed.len(hood(0), Audience::Resident), 1);
    h.push(matched(1, 5));
    let two = fold_all(&h.events);
    assert_eq!(two.feed.len(hood(0), Audience::Resident), 0);
}

#[test]
fn a_corrected_neighbourhood_moves_the_request_to_the_other_feed() {
    let mut h = base();
    h.push(posted(1, 2, 0));
    h.push(corrected(1, None, Some(1)));
    let models = fold_all(&h.events);
    assert_eq!(models.feed.len(hood(0), Audience::Resident), 0);
    assert_eq!(models.feed.len(hood(1), Audience::Resident), 1);
}

#[test]
fn helpers_who_opted_in_appear_as_standing_offers_until_they_opt_out_or_are_erased() {
    let mut h = base();
    h.push(skills_declared(4, &["cooking"], weekday_mornings(), 3));
    h.push(opted_in(4));
    h.push(skills_declared(
        5,
        &["light_cleaning"],
        weekday_mornings(),
        3,
    ));
    h.push(opted_in(5));
    let models = fold_all(&h.events);
    let page = models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert!(page.items.iter().all(|i| i.kind == FeedKind::StandingOffer));
    assert_eq!(page.items[0].skills, vec!["light_cleaning"]);
    h.push(opted_out(4));
    h.push(erased(5));
    let models = fold_all(&h.events);
    assert_eq!(models.feed.len(hood(0), Audience::Resident), 0);
}

#[test]
fn an_open_call_to_all_neighbourhoods_shows_in_each_until_closed() {
    let mut h = base();
    h.push(call_published(1, CallScope::All, 10, day(2025, 3, 10)));
    h.push(call_answered(1, 3));
    let models = fold_all(&h.events);
    for n in 0..2 {
        let page = models
            .feed
            .page(hood(n), Audience::Resident, None, 10)
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].kind, FeedKind::Call);
        assert_eq!(page.items[0].hands_found, Some(1));
    }
    h.push(call_closed(1));
    let models = fold_all(&h.events);
    assert_eq!(models.feed.len(hood(0), Audience::Resident), 0);
}

#[test]
fn pages_are_newest_first_and_the_cursor_neither_repeats_nor_skips_items() {
    let mut h = base();
    let start = day(2025, 4, 1);
    for r in 0..25 {
        h.at(start + Duration::hours(i64::from(r)));
        h.push(posted(r, 2, 0));
    }
    let models = fold_all(&h.events);
    let first = models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap();
    assert_eq!(first.items[0].id, request(24).as_uuid());
    // New items arriving between pages must not shift the next page.
    h.at(start + Duration::days(3));
    h.push(posted(100, 3, 0));
    let models = fold_all(&h.events);
    let mut seen: Vec<_> = first.items.iter().map(|i| i.id).collect();
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let page = models
            .feed
            .page(hood(0), Audience::Resident, Some(&c), 10)
            .unwrap();
        seen.extend(page.items.iter().map(|i| i.id));
        cursor = page.next_cursor;
    }
    let expected: Vec<_> = (0..25).rev().map(|r| request(r).as_uuid()).collect();
    assert_eq!(seen, expected);
}

#[test]
fn a_cursor_that_was_not_handed_out_is_refused() {
    let models = fold_all(&base().events);
    assert_eq!(
        models
            .feed
            .page(hood(0), Audience::Resident, Some("not-a-cursor"), 10),
        Err(FeedError::BadCursor)
    );
}
