//! Given events, then the standing offers (*aanbod*): where the open ones are listed, in the
//! standing offers model and in the resident feed beside the skill-based offers; pausing,
//! withdrawing, a helper's suspension or erasure taking them out; take-ups counted and never
//! listed as requests; and the models as they stood at an earlier point of the log.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate};
use noaber_domain::offer::StandingOfferStatus;
use noaber_domain::StandingOfferId;
use noaber_projections::feed::{Audience, FeedKind, OfferOrigin, PostedBy};
use noaber_projections::fold_all;
use noaber_projections::runner::ReadModels;
use noaber_projections::standing_offers::OfferQuery;

use crate::support::offers::*;
use crate::support::*;

fn base() -> History {
    let mut h = History::new();
    h.at(day(2025, 3, 3));
    h.push(neighbourhood_registered(0));
    h.push(neighbourhood_registered(1));
    for p in 0..6 {
        h.push(registered(p, p % 2, Some(place(f64::from(p)))));
    }
    h
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 20).unwrap()
}

/// The ids of the offers listed in neighbourhood `n` by the standing offers model.
fn listed_in(models: &ReadModels, n: u32) -> Vec<StandingOfferId> {
    let hoods = [hood(n)];
    models
        .standing_offers
        .listed(&OfferQuery {
            tenant: noaber_domain::TenantId::new(tenant()),
            neighbourhoods: Some(&hoods),
            category: None,
            skill: None,
            today: today(),
        })
        .into_iter()
        .map(|o| o.standing_offer_id)
        .collect()
}

/// The ids of the published offers in neighbourhood `n`'s feed.
fn in_feed(models: &ReadModels, n: u32) -> Vec<uuid::Uuid> {
    models
        .feed
        .page(hood(n), Audience::Resident, None, 100)
        .unwrap()
        .items
        .into_iter()
        .filter(|i| i.origin == Some(OfferOrigin::Published))
        .map(|i| i.id)
        .collect()
}

#[test]
fn a_published_offer_is_listed_in_every_neighbourhood_it_is_offered_in_until_withdrawn() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0, 1]));
    let models = fold_all(&h.events);
    for n in 0..2 {
        assert_eq!(listed_in(&models, n), vec![standing_offer(1)]);
        assert_eq!(in_feed(&models, n), vec![standing_offer(1).as_uuid()]);
    }
    let page = models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap();
    let item = &page.items[0];
    assert_eq!(item.kind, FeedKind::StandingOffer);
    assert_eq!(item.person, Some(person(2)));
    assert_eq!(item.category, Some("transport"));
    assert_eq!(item.skills, vec!["driving_medical"]);
    assert_eq!(item.posted_by, PostedBy::Resident);
    let json = serde_json::to_value(item).unwrap();
    assert_eq!(json["kind"], "standing_offer");
    assert_eq!(json["origin"], "published");
    assert!(
        json.get("sealed_title").is_none() && json.get("title").is_none(),
        "{json}"
    );

    h.push(offer_withdrawn(1));
    let models = fold_all(&h.events);
    for n in 0..2 {
        assert!(listed_in(&models, n).is_empty());
        assert!(in_feed(&models, n).is_empty());
    }
    let kept = models
        .standing_offers
        .get(noaber_domain::TenantId::new(tenant()), standing_offer(1))
        .unwrap();
    assert_eq!(kept.status, StandingOfferStatus::Withdrawn);
}

#[test]
fn skill_based_offers_stay_in_the_feed_beside_published_ones() {
    let mut h = base();
    h.push(skills_declared(4, &["cooking"], weekday_mornings(), 3));
    h.push(opted_in(4));
    h.push(offer_published(1, 2, &[0]));
    let models = fold_all(&h.events);
    let page = models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap();
    let origins: Vec<_> = page
        .items
        .iter()
        .map(|i| (i.kind, i.origin, i.id))
        .collect();
    assert_eq!(
        origins,
        vec![
            (
                FeedKind::StandingOffer,
                Some(OfferOrigin::Published),
                standing_offer(1).as_uuid()
            ),
            (
                FeedKind::StandingOffer,
                Some(OfferOrigin::Skills),
                person(4).as_uuid()
            ),
        ]
    );
}

#[test]
fn a_paused_offer_leaves_the_lists_until_it_is_resumed() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0]));
    h.push(offer_paused(1));
    let models = fold_all(&h.events);
    assert!(listed_in(&models, 0).is_empty());
    assert!(in_feed(&models, 0).is_empty());
    h.push(offer_resumed(1));
    let models = fold_all(&h.events);
    assert_eq!(listed_in(&models, 0), vec![standing_offer(1)]);
    assert_eq!(in_feed(&models, 0), vec![standing_offer(1).as_uuid()]);
}

#[test]
fn a_suspended_helpers_offers_leave_until_the_suspension_is_lifted_and_an_erased_ones_for_good() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0]));
    h.push(offer_published(2, 2, &[1]));
    h.push(offer_published(3, 3, &[0]));
    h.push(suspended(2));
    let models = fold_all(&h.events);
    assert_eq!(listed_in(&models, 0), vec![standing_offer(3)]);
    assert!(listed_in(&models, 1).is_empty());
    assert_eq!(in_feed(&models, 0), vec![standing_offer(3).as_uuid()]);
    assert!(in_feed(&models, 1).is_empty());
    // A pause while suspended is still there when the suspension is lifted.
    h.push(offer_paused(2));
    h.push(suspension_lifted(2));
    let models = fold_all(&h.events);
    assert_eq!(
        listed_in(&models, 0),
        vec![standing_offer(3), standing_offer(1)]
    );
    assert!(in_feed(&models, 1).is_empty());
    h.push(erased(3));
    let models = fold_all(&h.events);
    assert_eq!(listed_in(&models, 0), vec![standing_offer(1)]);
    assert_eq!(in_feed(&models, 0), vec![standing_offer(1).as_uuid()]);
}

#[test]
fn an_offer_moved_to_another_neighbourhood_moves_in_the_feed_and_keeps_its_place() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0]));
    h.at(day(2025, 3, 5));
    h.push(posted(7, 1, 1));
    h.push(offer_moved(1, &[1]));
    let models = fold_all(&h.events);
    assert!(in_feed(&models, 0).is_empty());
    let page = models
        .feed
        .page(hood(1), Audience::Resident, None, 10)
        .unwrap();
    // Still ordered by when it was published: before the request of two days later.
    let ids: Vec<_> = page.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![request(7).as_uuid(), standing_offer(1).as_uuid()]);
}

#[test]
fn the_list_filters_by_neighbourhood_category_and_skill_and_leaves_out_offers_that_ended() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0]));
    h.push(offer_published_with(2, 3, &[0], |o| {
        o.category = category("odd_jobs");
        o.skills = vec![];
    }));
    h.push(offer_published_with(3, 4, &[0], |o| {
        o.until = Some(today() - Duration::days(1));
    }));
    h.push(offer_published_with(4, 5, &[0], |o| {
        o.until = Some(today())
    }));
    let models = fold_all(&h.events);
    let tenant = noaber_domain::TenantId::new(tenant());
    let query = |category: Option<&str>, skill_code: Option<&str>| {
        let category = category.map(crate::support::category);
        let skill_code = skill_code.map(skill);
        let mut ids: Vec<_> = models
            .standing_offers
            .listed(&OfferQuery {
                tenant,
                neighbourhoods: None,
                category: category.as_ref(),
                skill: skill_code.as_ref(),
                today: today(),
            })
            .into_iter()
            .map(|o| o.standing_offer_id)
            .collect();
        ids.sort();
        ids
    };
    // The offer that ended yesterday is left out; the one ending today is still offered.
    assert_eq!(
        query(None, None),
        vec![standing_offer(1), standing_offer(2), standing_offer(4)]
    );
    assert_eq!(query(Some("odd_jobs"), None), vec![standing_offer(2)]);
    assert_eq!(
        query(None, Some("driving_medical")),
        vec![standing_offer(1), standing_offer(4)]
    );
    assert!(listed_in(&models, 1).is_empty());
    // Another tenant sees none of them.
    let elsewhere = models.standing_offers.listed(&OfferQuery {
        tenant: noaber_domain::TenantId::new(uuid::Uuid::from_u128(9)),
        neighbourhoods: None,
        category: None,
        skill: None,
        today: today(),
    });
    assert!(elsewhere.is_empty());
}

#[test]
fn take_ups_are_counted_and_the_request_taken_up_never_shows_in_the_feed() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0]));
    h.at(day(2025, 3, 10));
    for r in 0..2 {
        h.push(posted(r, 1, 0));
        h.push(taken_up(r, 1, 2));
        h.push(matched(r, 2));
    }
    let models = fold_all(&h.events);
    let offer = models
        .standing_offers
        .get(noaber_domain::TenantId::new(tenant()), standing_offer(1))
        .unwrap();
    assert_eq!(offer.taken_up, 2);
    assert_eq!(offer.last_taken_up_at, Some(day(2025, 3, 10)));
    let page = models
        .feed
        .page(hood(0), Audience::Resident, None, 10)
        .unwrap();
    assert!(page.items.iter().all(|i| i.kind != FeedKind::Request));
    // The helper is matched to both, as any match.
    assert_eq!(models.directory.requests_of(person(2)).len(), 2);
}

#[test]
fn a_helpers_own_offers_are_listed_whatever_their_status_newest_first() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0]));
    h.at(day(2025, 3, 4));
    h.push(offer_published(2, 2, &[1]));
    h.push(offer_published(3, 3, &[1]));
    h.push(offer_withdrawn(1));
    let models = fold_all(&h.events);
    let own: Vec<_> = models
        .standing_offers
        .of_helper(noaber_domain::TenantId::new(tenant()), person(2))
        .into_iter()
        .map(|o| (o.standing_offer_id, o.status))
        .collect();
    assert_eq!(
        own,
        vec![
            (standing_offer(2), StandingOfferStatus::Open),
            (standing_offer(1), StandingOfferStatus::Withdrawn),
        ]
    );
}

#[test]
fn the_models_as_of_an_earlier_point_show_the_offer_as_it_stood_then() {
    let mut h = base();
    h.push(offer_published(1, 2, &[0]));
    let published_at = h.events.len();
    h.at(day(2025, 3, 12));
    h.push(posted(1, 1, 0));
    h.push(taken_up(1, 1, 2));
    h.push(matched(1, 2));
    h.push(offer_withdrawn(1));
    let then = fold_all(&h.events[..published_at]);
    assert_eq!(listed_in(&then, 0), vec![standing_offer(1)]);
    assert_eq!(in_feed(&then, 0), vec![standing_offer(1).as_uuid()]);
    let now = fold_all(&h.events);
    assert!(listed_in(&now, 0).is_empty());
    let tenant = noaber_domain::TenantId::new(tenant());
    assert_eq!(
        then.standing_offers
            .get(tenant, standing_offer(1))
            .unwrap()
            .taken_up,
        0
    );
    assert_eq!(
        now.standing_offers
            .get(tenant, standing_offer(1))
            .unwrap()
            .taken_up,
        1
    );
}
