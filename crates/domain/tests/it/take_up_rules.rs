//! Given/when/then tests for taking up a standing offer: the request is posted and the offer's
//! helper matched in one decision, or nothing is written at all.

use chrono::Duration;
use noaber_domain::offer::{StandingOfferFacts, StandingOfferStatus};
use noaber_domain::person::Standing;
use noaber_domain::request::*;
use noaber_domain::values::Channel;
use noaber_domain::{Decider, Fact, Reference, Refusal, Requirement};

use crate::common::*;
use crate::standing_offer_rules::{today, OFFER, OTHER_HOOD};

/// Ben's open offer, offered in Anna's neighbourhood.
fn open_offer() -> StandingOfferFacts {
    StandingOfferFacts {
        status: StandingOfferStatus::Open,
        helper: BEN,
        neighbourhoods: vec![HOOD],
        until: None,
    }
}

/// Anna takes up `offer` with her shopping request.
fn take_up(offer: Option<StandingOfferFacts>) -> TakeUpStandingOffer {
    TakeUpStandingOffer {
        post: post(ANNA),
        standing_offer_id: OFFER,
        offer,
    }
}

fn with_status(status: StandingOfferStatus) -> Option<StandingOfferFacts> {
    Some(StandingOfferFacts {
        status,
        ..open_offer()
    })
}

#[test]
fn taking_up_an_open_offer_posts_the_request_and_matches_its_helper_in_one_decision() {
    let posting = given::<HelpRequest>([]).when(&anna(), post(ANNA)).events();
    let mut expected = posting;
    expected.push(
        StandingOfferTakenUp {
            request_id: REQ,
            standing_offer_id: OFFER,
            helper: BEN,
        }
        .into(),
    );
    expected.push(
        HelperMatched {
            request_id: REQ,
            helper: BEN,
            matched_by: ANNA,
            direct: false,
        }
        .into(),
    );
    given::<HelpRequest>([])
        .when(&anna(), take_up(Some(open_offer())))
        .then(expected);
}

#[test]
fn a_request_taken_up_is_matched_and_needs_no_other_helper() {
    let history = given::<HelpRequest>([])
        .when(&anna(), take_up(Some(open_offer())))
        .history();
    let state = HelpRequest::fold(history.iter());
    assert_eq!(state.status, RequestStatus::Open);
    assert!(state.matched.contains(&BEN));
    given::<HelpRequest>(history)
        .when(
            &cas(),
            OfferHelp {
                request_id: REQ,
                helper: CAS,
                message: None,
            },
        )
        .then_err(RequestError::AllHandsMatched(1));
}

#[test]
fn a_connector_takes_up_an_offer_for_a_resident_on_the_phone() {
    let cmd = TakeUpStandingOffer {
        post: post_command(ANNA, Channel::Phone, 1),
        ..take_up(Some(open_offer()))
    };
    let events = given::<HelpRequest>([])
        .when(&dirk().acting_for(ANNA), cmd)
        .events();
    assert!(matches!(
        events.last(),
        Some(RequestEvent::HelperMatched(m)) if m.matched_by == DIRK && m.helper == BEN && !m.direct
    ));
}

#[test]
fn a_resident_takes_up_an_offer_for_themselves_only() {
    given::<HelpRequest>([])
        .when(&gus(), take_up(Some(open_offer())))
        .then_err(RequestError::Access(Refusal::OnlyForYourself {
            action: "post a request",
        }));
}

#[test]
fn an_offer_not_known_here_is_refused() {
    given::<HelpRequest>([])
        .when(&anna(), take_up(None))
        .then_err(RequestError::UnknownStandingOffer);
}

#[test]
fn a_paused_or_withdrawn_offer_cannot_be_taken_up() {
    given::<HelpRequest>([])
        .when(&anna(), take_up(with_status(StandingOfferStatus::Paused)))
        .then_err(RequestError::StandingOfferPaused);
    given::<HelpRequest>([])
        .when(
            &anna(),
            take_up(with_status(StandingOfferStatus::Withdrawn)),
        )
        .then_err(RequestError::StandingOfferWithdrawn);
}

#[test]
fn an_offer_is_taken_up_until_its_last_day_and_not_after() {
    let ends = |until| {
        Some(StandingOfferFacts {
            until: Some(until),
            ..open_offer()
        })
    };
    given::<HelpRequest>([])
        .when(&anna(), take_up(ends(today())))
        .events();
    let yesterday = today() - Duration::days(1);
    given::<HelpRequest>([])
        .when(&anna(), take_up(ends(yesterday)))
        .then_err(RequestError::StandingOfferExpired(yesterday));
}

#[test]
fn nobody_takes_up_their_own_offer() {
    let own = Some(StandingOfferFacts {
        helper: ANNA,
        ..open_offer()
    });
    given::<HelpRequest>([])
        .when(&anna(), take_up(own))
        .then_err(RequestError::OwnStandingOffer);
}

#[test]
fn an_offer_is_taken_up_only_in_a_neighbourhood_it_is_offered_in() {
    let elsewhere = Some(StandingOfferFacts {
        neighbourhoods: vec![OTHER_HOOD],
        ..open_offer()
    });
    given::<HelpRequest>([])
        .when(&anna(), take_up(elsewhere))
        .then_err(RequestError::StandingOfferElsewhere);
}

#[test]
fn the_posting_rules_come_first() {
    given::<HelpRequest>([posted()])
        .when(&anna(), take_up(Some(open_offer())))
        .then_err(RequestError::AlreadyPosted);
    let blank = TakeUpStandingOffer {
        post: PostRequest {
            description: noaber_domain::Personal::clear(ANNA, " "),
            ..post(ANNA)
        },
        ..take_up(Some(open_offer()))
    };
    given::<HelpRequest>([])
        .when(&anna(), blank)
        .then_err(RequestError::EmptyDescription);
    given::<HelpRequest>([])
        .when(&femke(), take_up(Some(open_offer())))
        .then_err(RequestError::Access(Refusal::FunderCannotAct));
}

#[test]
fn a_suspended_helpers_offer_is_not_taken_up() {
    given::<HelpRequest>([])
        .knowing(|r| match r {
            Requirement::HelperStanding { helper, category } => Fact::HelperStanding {
                helper: *helper,
                category: category.clone(),
                standing: Standing {
                    suspended: true,
                    ..Standing::default()
                },
                sensitive: false,
            },
        })
        .when(&anna(), take_up(Some(open_offer())))
        .then_err(RequestError::HelperSuspended);
}

#[test]
fn in_a_sensitive_category_only_a_screened_helpers_offer_is_taken_up() {
    given::<HelpRequest>([])
        .knowing(|r| match r {
            Requirement::HelperStanding { helper, category } => Fact::HelperStanding {
                helper: *helper,
                category: category.clone(),
                standing: Standing::default(),
                sensitive: true,
            },
        })
        .when(&anna(), take_up(Some(open_offer())))
        .then_err(RequestError::HelperNotScreened(category("errands")));
}

#[test]
fn a_take_up_names_the_neighbourhood_the_offer_and_its_helper_and_asks_how_the_helper_stands() {
    let cmd: RequestCommand = take_up(Some(open_offer())).into();
    assert_eq!(
        HelpRequest::references(&cmd),
        vec![
            Reference {
                category: "neighbourhood",
                id: HOOD.as_uuid()
            },
            Reference {
                category: "standing_offer",
                id: OFFER.as_uuid()
            },
            Reference {
                category: "person",
                id: BEN.as_uuid()
            },
        ]
    );
    assert_eq!(
        HelpRequest::requirements(&RequestState::default(), &cmd),
        vec![Requirement::HelperStanding {
            helper: BEN,
            category: category("errands"),
        }]
    );
    let unknown: RequestCommand = take_up(None).into();
    assert!(HelpRequest::requirements(&RequestState::default(), &unknown).is_empty());
}

#[test]
fn a_back_dated_take_up_of_an_existing_request_id_is_already_posted_like_any_posting() {
    let mut earlier = anna();
    earlier.occurred_at = Some(now() - Duration::days(2));
    given::<HelpRequest>([posted()])
        .at(now() - Duration::days(1))
        .when(&earlier, take_up(Some(open_offer())))
        .then_err(RequestError::AlreadyPosted);
}
