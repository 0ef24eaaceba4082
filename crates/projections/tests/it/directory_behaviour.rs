//! Given events, then the helper directory and suggestions: nearest first, travel distance and
//! availability filters, and suggestion reasons; nobody is matched by them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;
use noaber_projections::directory::{DirectoryError, HelperQuery, SuggestionReason};
use noaber_projections::fold_all;

/// Helpers 1..=4 at 1, 2, 3 and 8 km east; person 0 (the requester) at 0 km.
fn base() -> History {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    h.push(neighbourhood_registered(0));
    h.push(registered(0, 0, Some(place(0.0))));
    for (p, km) in [(1, 1.0), (2, 2.0), (3, 3.0), (4, 8.0)] {
        h.push(registered(p, 0, Some(place(km))));
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

#[test]
fn helpers_are_listed_nearest_first() {
    let models = fold_all(&base().events);
    let hits = models
        .directory
        .helpers(&HelperQuery {
            near: Some(place(2.9)),
            ..HelperQuery::default()
        })
        .unwrap();
    let order: Vec<_> = hits.iter().map(|h| h.person).collect();
    assert_eq!(order, vec![person(3), person(2), person(1), person(4)]);
    assert!(hits[0].distance_m.unwrap() < 500);
}

#[test]
fn helpers_who_will_not_travel_that_far_are_left_out() {
    let mut h = base();
    h.push(skills_declared(
        4,
        &["grocery_shopping"],
        weekday_mornings(),
        2,
    ));
    let models = fold_all(&h.events);
    let hits = models
        .directory
        .helpers(&HelperQuery {
            near: Some(place(0.0)),
            ..HelperQuery::default()
        })
        .unwrap();
    assert!(hits.iter().all(|hit| hit.person != person(4)));
    assert_eq!(hits.len(), 3);
}

#[test]
fn the_directory_filters_by_skill_and_by_availability() {
    let mut h = base();
    h.push(skills_declared(2, &["cooking"], saturday_evening(), 10));
    let models = fold_all(&h.events);
    let cooks = models
        .directory
        .helpers(&HelperQuery {
            skill: Some("cooking".into()),
            ..HelperQuery::default()
        })
        .unwrap();
    assert_eq!(cooks.len(), 1);
    assert_eq!(cooks[0].person, person(2));
    let saturday = models
        .directory
        .helpers(&HelperQuery {
            available: Some(saturday_evening()),
            ..HelperQuery::default()
        })
        .unwrap();
    assert_eq!(
        saturday.iter().map(|h| h.person).collect::<Vec<_>>(),
        vec![person(2)]
    );
    assert!(matches!(
        models.directory.helpers(&HelperQuery {
            skill: Some("juggling".into()),
            ..HelperQuery::default()
        }),
        Err(DirectoryError::UnknownSkill(_))
    ));
}

#[test]
fn opted_out_and_erased_helpers_are_not_listed() {
    let mut h = base();
    h.push(opted_out(1)).push(erased(2));
    let models = fold_all(&h.events);
    let hits = models.directory.helpers(&HelperQuery::default()).unwrap();
    let people: Vec<_> = hits.iter().map(|h| h.person).collect();
    assert_eq!(people, vec![person(3), person(4)]);
}

#[test]
fn suggestions_rank_an_offering_skilled_nearby_helper_first_and_say_why() {
    let mut h = base();
    h.push(posted(1, 0, 0));
    h.push(offered(1, 3));
    let models = fold_all(&h.events);
    let s = models
        .directory
        .suggest(request(1), day(2025, 3, 3), 0)
        .unwrap();
    assert_eq!(s[0].helper, person(3));
    assert!(s[0].reasons.contains(&SuggestionReason::Offered));
    assert!(s[0]
        .reasons
        .iter()
        .any(|r| matches!(r, SuggestionReason::SkillFit { skills } if skills == &vec!["grocery_shopping"])));
    assert!(s[0]
        .reasons
        .iter()
        .any(|r| matches!(r, SuggestionReason::Distance { .. })));
    // Without the offer, the nearest comes first.
    assert_eq!(s[1].helper, person(1));
    assert_eq!(s.last().unwrap().helper, person(4));
}

#[test]
fn suggestions_leave_out_the_requester_and_helpers_already_matched() {
    let mut h = base();
    h.push(skills_declared(
        0,
        &["grocery_shopping"],
        weekday_mornings(),
        10,
    ));
    h.push(opted_in(0));
    h.push(posted_with(1, 0, 0, |p| {
        p.hands_needed = noaber_domain::values::HandsNeeded::new(2).unwrap();
    }));
    h.push(matched(1, 1));
    let models = fold_all(&h.events);
    let s = models
        .directory
        .suggest(request(1), day(2025, 3, 3), 0)
        .unwrap();
    assert!(s
        .iter()
        .all(|x| x.helper != person(0) && x.helper != person(1)));
    assert_eq!(s.len(), 3);
}

#[test]
fn a_helper_with_open_matches_ranks_below_an_equal_helper_without() {
    let mut h = base();
    // Helper 5 is helper 1's equal: same place, same skills, same availability.
    h.push(registered(5, 0, Some(place(1.0))));
    h.push(skills_declared(
        5,
        &["grocery_shopping"],
        weekday_mornings(),
        10,
    ));
    h.push(opted_in(5));
    h.push(posted(1, 0, 0)).push(matched(1, 1));
    h.push(posted(2, 0, 0));
    let models = fold_all(&h.events);
    let s = models
        .directory
        .suggest(request(2), day(2025, 3, 3), 0)
        .unwrap();
    let one = s.iter().find(|x| x.helper == person(1)).unwrap();
    assert!(one
        .reasons
        .contains(&SuggestionReason::Load { open_matches: 1 }));
    assert_eq!(s[0].helper, person(5));
    assert!(s[0].score > one.score);
    // Once the first request is resolved, the load is gone.
    h.push(resolved(1, &[1]));
    let models = fold_all(&h.events);
    let s = models
        .directory
        .suggest(request(2), day(2025, 3, 3), 0)
        .unwrap();
    assert_eq!(s[0].helper, person(1));
}

#[test]
fn good_feedback_from_requesters_lifts_a_helper() {
    let mut h = base();
    h.push(posted(1, 0, 0))
        .push(matched(1, 2))
        .push(resolved(1, &[2]));
    h.push(feedback(1, 0, 5));
    h.push(posted(2, 0, 0));
    let models = fold_all(&h.events);
    let s = models
        .directory
        .suggest(request(2), day(2025, 3, 3), 0)
        .unwrap();
    let two = s.iter().find(|x| x.helper == person(2)).unwrap();
    assert!(two
        .reasons
        .iter()
        .any(|r| matches!(r, SuggestionReason::Feedback { ratings: 1, .. })));
    assert_eq!(s[0].helper, person(2));
}

#[test]
fn a_helper_not_available_before_the_needed_by_date_is_told_apart() {
    let mut h = base();
    h.push(skills_declared(
        1,
        &["grocery_shopping"],
        saturday_evening(),
        10,
    ));
    // 2025-03-03 is a Monday: needed by Tuesday, so Saturday evening does not fit.
    h.push(posted_with(1, 0, 0, |p| {
        p.needed_by = Some(day(2025, 3, 4))
    }));
    let models = fold_all(&h.events);
    let s = models
        .directory
        .suggest(request(1), day(2025, 3, 3), 0)
        .unwrap();
    let one = s.iter().find(|x| x.helper == person(1)).unwrap();
    assert!(one.reasons.contains(&SuggestionReason::NotAvailable));
    let two = s.iter().find(|x| x.helper == person(2)).unwrap();
    assert!(two
        .reasons
        .iter()
        .any(|r| matches!(r, SuggestionReason::Available { .. })));
}

#[test]
fn suggestions_for_an_unknown_or_closed_request_are_refused() {
    let mut h = base();
    h.push(posted(1, 0, 0)).push(closed(1));
    let models = fold_all(&h.events);
    assert_eq!(
        models.directory.suggest(request(9), day(2025, 3, 3), 0),
        Err(DirectoryError::UnknownRequest(request(9)))
    );
    assert_eq!(
        models.directory.suggest(request(1), day(2025, 3, 3), 0),
        Err(DirectoryError::RequestNotOpen(request(1)))
    );
}

#[test]
fn the_directory_knows_which_requests_a_person_took_part_in() {
    let mut h = base();
    h.push(posted(1, 0, 0))
        .push(offered(1, 1))
        .push(matched(1, 2));
    h.push(posted(2, 0, 0));
    let models = fold_all(&h.events);
    assert_eq!(
        models.directory.requests_of(person(0)),
        &[request(1), request(2)]
    );
    assert_eq!(models.directory.requests_of(person(1)), &[request(1)]);
    assert_eq!(models.directory.requests_of(person(2)), &[request(1)]);
}

/// Issue 9's defect: once a request named a skill, a helper with only that skill 110 m away
/// outranked every helper whose skills fit what the help is about.
#[test]
fn a_named_skill_adds_to_the_category_and_does_not_replace_it() {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    h.push(neighbourhood_registered(0));
    h.push(registered(0, 0, Some(place(0.0))));
    // 5: lawn mower next door; 6: paperwork 2 km away; 7: both, 3 km away.
    for (p, km, skills) in [
        (5, 0.1, &["lawn_mowing"][..]),
        (6, 2.0, &["paperwork"][..]),
        (7, 3.0, &["paperwork", "lawn_mowing"][..]),
    ] {
        h.push(registered(p, 0, Some(place(km))));
        h.push(skills_declared(p, skills, weekday_mornings(), 10));
        h.push(opted_in(p));
    }
    h.push(posted_with(1, 0, 0, |p| {
        p.category = category("paperwork");
        p.skills_wanted = vec!["lawn_mowing".parse().unwrap()];
    }));
    let models = fold_all(&h.events);
    let order: Vec<_> = models
        .directory
        .suggest(request(1), day(2025, 3, 3), 0)
        .unwrap()
        .iter()
        .map(|s| s.helper)
        .collect();
    assert_eq!(order, vec![person(7), person(6), person(5)]);
}
