//! Regression (issue 12): an offer, match or resolution dated before its request was posted
//! was accepted, and the KPIs then turned the negative durations into 0. Every fact about a
//! posted request now happens at or after its posting.

use chrono::Duration;
use noaber_domain::request::*;
use noaber_domain::Decider;
use proptest::prelude::*;

use crate::common::*;

type R = HelpRequest;

fn offer(helper: noaber_domain::PersonId) -> OfferHelp {
    OfferHelp {
        request_id: REQ,
        helper,
        message: None,
    }
}

fn match_(helper: noaber_domain::PersonId) -> MatchHelper {
    MatchHelper {
        request_id: REQ,
        helper,
    }
}

fn an_hour_before_posting() -> chrono::DateTime<chrono::Utc> {
    now() - Duration::hours(1)
}

#[test]
fn dated_before_posting_an_offer_is_refused() {
    given::<R>([posted()])
        .at(now())
        .when(&ben().happened_at(an_hour_before_posting()), offer(BEN))
        .then_err(RequestError::BeforePosted(an_hour_before_posting(), now()));
}

#[test]
fn dated_before_posting_a_match_is_refused() {
    given::<R>([posted(), offered(BEN)])
        .at(now())
        .when(&dirk().happened_at(an_hour_before_posting()), match_(BEN))
        .then_err(RequestError::BeforePosted(an_hour_before_posting(), now()));
}

#[test]
fn dated_before_posting_a_resolution_is_refused() {
    given::<R>([posted(), offered(BEN), matched(BEN)])
        .at(now())
        .when(
            &dirk().happened_at(an_hour_before_posting()),
            resolve(ResolvedBy::Neighbour, vec![BEN]),
        )
        .then_err(RequestError::BeforePosted(an_hour_before_posting(), now()));
}

#[test]
fn dated_before_posting_a_closing_is_refused() {
    let refusal = given::<R>([posted()])
        .at(now())
        .when(
            &dirk().happened_at(an_hour_before_posting()),
            CloseRequest {
                request_id: REQ,
                reason: CloseReason::NoLongerNeeded,
            },
        )
        .result_err();
    assert!(
        matches!(refusal, RequestError::BeforePosted(..)),
        "{refusal:?}"
    );
}

#[test]
fn a_fact_back_dated_to_the_posting_itself_is_accepted() {
    let posted_at = now() - Duration::days(2);
    let events = given::<R>([posted()])
        .at(posted_at)
        .when(&ben().happened_at(posted_at), offer(BEN))
        .events();
    assert_eq!(events, vec![offered(BEN)]);
}

#[test]
fn posting_again_with_an_earlier_date_is_still_a_second_posting() {
    given::<R>([posted()])
        .at(now())
        .when(&anna().happened_at(an_hour_before_posting()), post(ANNA))
        .then_err(RequestError::AlreadyPosted);
}

#[test]
fn the_posting_time_is_kept_only_from_the_posting() {
    let posted_at = now() - Duration::days(3);
    let state = [(posted(), posted_at), (offered(BEN), now())]
        .iter()
        .fold(RequestState::default(), |s, (e, at)| {
            R::evolve_at(s, e, *at)
        });
    assert_eq!(state.posted_at, Some(posted_at));
}

proptest! {
    #[test]
    fn a_fact_is_refused_exactly_when_it_is_dated_before_the_posting(
        offset_minutes in -100_000i64..100_000,
    ) {
        let at = now() + Duration::minutes(offset_minutes);
        let ctx = ben().happened_at(at);
        let state = R::evolve_at(RequestState::default(), &posted(), now());
        let decided = R::decide(&state, &ctx, &RequestCommand::Offer(offer(BEN)));
        if offset_minutes < 0 {
            prop_assert_eq!(decided, Err(RequestError::BeforePosted(at, now())));
        } else {
            prop_assert_eq!(decided, Ok(vec![offered(BEN)]));
        }
    }
}
