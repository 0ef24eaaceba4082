//! Given/when/then tests for the standing offer (*aanbod*): publishing one in the helper's own
//! words, changing, pausing, resuming and withdrawing it, who may do each, and the safeguarding
//! rule a helper passes before offering help in a category.

use chrono::{Duration, NaiveDate};
use noaber_domain::offer::*;
use noaber_domain::person::Standing;
use noaber_domain::values::{Availability, SkillCode};
use noaber_domain::{
    Decider, Fact, NeighbourhoodId, Personal, Reference, Refusal, Role, StandingOfferId,
};
use uuid::Uuid;

use crate::common::*;

pub const OFFER: StandingOfferId = StandingOfferId::new(Uuid::from_u128(0x600));
pub const OTHER_HOOD: NeighbourhoodId = NeighbourhoodId::new(Uuid::from_u128(0x201));

pub fn skill(code: &str) -> SkillCode {
    SkillCode::parse(code).expect("a known skill")
}

pub fn today() -> NaiveDate {
    now().date_naive()
}

/// Ben offers to drive to the hospital on Tuesdays, in Anna's neighbourhood.
pub fn publish(helper: noaber_domain::PersonId) -> PublishStandingOffer {
    PublishStandingOffer {
        standing_offer_id: OFFER,
        helper,
        title: Personal::clear(helper, "Ik rijd op dinsdag naar het ziekenhuis"),
        description: Some(Personal::clear(helper, "Plek voor één, rolstoel past niet")),
        category: category("transport"),
        skills: vec![skill("driving_medical")],
        neighbourhoods: vec![HOOD],
        availability: Availability::none(),
        until: None,
    }
}

/// Ben's offer as published, written out rather than made by the `decide` under test.
pub fn published() -> StandingOfferEvent {
    StandingOfferPublished {
        standing_offer_id: OFFER,
        helper: BEN,
        published_by: BEN,
        title: Personal::clear(BEN, "Ik rijd op dinsdag naar het ziekenhuis"),
        description: Some(Personal::clear(BEN, "Plek voor één, rolstoel past niet")),
        category: category("transport"),
        skills: vec![skill("driving_medical")],
        neighbourhoods: vec![HOOD],
        availability: Availability::none(),
        until: None,
    }
    .into()
}

pub fn paused() -> StandingOfferEvent {
    StandingOfferPaused {
        standing_offer_id: OFFER,
        paused_by: BEN,
    }
    .into()
}

pub fn withdrawn() -> StandingOfferEvent {
    StandingOfferWithdrawn {
        standing_offer_id: OFFER,
        withdrawn_by: BEN,
        reason: WithdrawReason::NoLongerOffered,
    }
    .into()
}

fn change() -> UpdateStandingOffer {
    UpdateStandingOffer::of(OFFER)
}

fn withdraw(reason: WithdrawReason) -> WithdrawStandingOffer {
    WithdrawStandingOffer {
        standing_offer_id: OFFER,
        reason,
    }
}

fn standing(standing: Standing, sensitive: bool) -> impl Fn(&noaber_domain::Requirement) -> Fact {
    move |r| match r {
        noaber_domain::Requirement::HelperStanding { helper, category } => Fact::HelperStanding {
            helper: *helper,
            category: category.clone(),
            standing,
            sensitive,
        },
    }
}

fn ambassador() -> noaber_domain::CommandContext {
    ctx(AMBER, Role::Ambassador)
}

// ---- publishing ----

#[test]
fn a_helper_publishes_a_standing_offer_in_their_own_words() {
    given::<StandingOffer>([])
        .when(&ben(), publish(BEN))
        .then(vec![published()]);
}

#[test]
fn skills_and_neighbourhoods_are_kept_sorted_without_repeats() {
    let cmd = PublishStandingOffer {
        skills: vec![
            skill("driving_medical"),
            skill("driving_errands"),
            skill("driving_medical"),
        ],
        neighbourhoods: vec![OTHER_HOOD, HOOD, OTHER_HOOD],
        ..publish(BEN)
    };
    let events = given::<StandingOffer>([]).when(&ben(), cmd).events();
    let StandingOfferEvent::StandingOfferPublished(p) = &events[0] else {
        panic!("expected StandingOfferPublished");
    };
    assert_eq!(p.neighbourhoods, vec![HOOD, OTHER_HOOD]);
    assert_eq!(p.skills.len(), 2);
}

#[test]
fn a_connector_publishes_for_a_neighbour_whose_words_they_stay() {
    // The connector types the words; they are still the helper's, sealed with Ben's key.
    let cmd = PublishStandingOffer {
        title: Personal::clear(DIRK, "Een ladder te leen"),
        description: None,
        ..publish(BEN)
    };
    let events = given::<StandingOffer>([])
        .when(&dirk().acting_for(BEN), cmd)
        .events();
    let StandingOfferEvent::StandingOfferPublished(p) = &events[0] else {
        panic!("expected StandingOfferPublished");
    };
    assert_eq!(p.title, Personal::clear(BEN, "Een ladder te leen"));
    assert_eq!((p.helper, p.published_by), (BEN, DIRK));
}

#[test]
fn a_resident_cannot_publish_an_offer_for_someone_else() {
    given::<StandingOffer>([])
        .when(&gus(), publish(BEN))
        .then_err(StandingOfferError::Access(Refusal::OnlyForYourself {
            action: "publish a standing offer",
        }));
}

#[test]
fn funders_and_auditors_publish_nothing() {
    given::<StandingOffer>([])
        .when(&ctx(BEN, Role::Funder), publish(BEN))
        .then_err(StandingOfferError::Access(Refusal::FunderCannotAct));
    given::<StandingOffer>([])
        .when(&ctx(BEN, Role::Auditor), publish(BEN))
        .then_err(StandingOfferError::Access(Refusal::AuditorCannotAct));
}

#[test]
fn an_offer_without_a_title_is_refused() {
    let cmd = PublishStandingOffer {
        title: Personal::clear(BEN, "  "),
        ..publish(BEN)
    };
    given::<StandingOffer>([])
        .when(&ben(), cmd)
        .then_err(StandingOfferError::EmptyTitle);
}

#[test]
fn a_blank_description_is_left_out() {
    let cmd = PublishStandingOffer {
        description: Some(Personal::clear(BEN, "")),
        ..publish(BEN)
    };
    let events = given::<StandingOffer>([]).when(&ben(), cmd).events();
    assert!(
        matches!(&events[0], StandingOfferEvent::StandingOfferPublished(p) if p.description.is_none())
    );
}

#[test]
fn an_offer_in_no_neighbourhood_is_refused() {
    let cmd = PublishStandingOffer {
        neighbourhoods: vec![],
        ..publish(BEN)
    };
    given::<StandingOffer>([])
        .when(&ben(), cmd)
        .then_err(StandingOfferError::NoNeighbourhoods);
}

#[test]
fn an_offer_whose_last_day_has_passed_is_refused_but_today_is_fine() {
    let yesterday = today() - Duration::days(1);
    given::<StandingOffer>([])
        .when(
            &ben(),
            PublishStandingOffer {
                until: Some(yesterday),
                ..publish(BEN)
            },
        )
        .then_err(StandingOfferError::UntilInThePast(yesterday));
    given::<StandingOffer>([])
        .when(
            &ben(),
            PublishStandingOffer {
                until: Some(today()),
                ..publish(BEN)
            },
        )
        .events();
}

#[test]
fn publishing_the_same_offer_twice_is_a_conflict() {
    given::<StandingOffer>([published()])
        .when(&ben(), publish(BEN))
        .then_err(StandingOfferError::AlreadyPublished);
}

#[test]
fn a_suspended_helper_offers_nothing() {
    let suspended = Standing {
        suspended: true,
        ..Standing::default()
    };
    given::<StandingOffer>([])
        .knowing(standing(suspended, false))
        .when(&ben(), publish(BEN))
        .then_err(StandingOfferError::HelperSuspended);
}

#[test]
fn an_erased_person_offers_nothing() {
    let erased = Standing {
        erased: true,
        ..Standing::default()
    };
    given::<StandingOffer>([])
        .knowing(standing(erased, false))
        .when(&dirk().acting_for(BEN), publish(BEN))
        .then_err(StandingOfferError::Erased);
}

#[test]
fn help_in_a_sensitive_category_is_offered_by_a_screened_helper_only() {
    given::<StandingOffer>([])
        .knowing(standing(Standing::default(), true))
        .when(&ben(), publish(BEN))
        .then_err(StandingOfferError::HelperNotScreened(category("transport")));
}

#[test]
fn publishing_names_the_helper_and_every_neighbourhood() {
    let cmd = PublishStandingOffer {
        neighbourhoods: vec![HOOD, OTHER_HOOD],
        ..publish(BEN)
    };
    assert_eq!(
        StandingOffer::references(&cmd.into()),
        vec![
            Reference {
                category: "person",
                id: BEN.as_uuid()
            },
            Reference {
                category: "neighbourhood",
                id: HOOD.as_uuid()
            },
            Reference {
                category: "neighbourhood",
                id: OTHER_HOOD.as_uuid()
            },
        ]
    );
}

// ---- changing ----

#[test]
fn a_change_records_only_what_really_changed() {
    let cmd = UpdateStandingOffer {
        category: Some(category("transport")),
        skills: Some(vec![skill("driving_errands"), skill("driving_medical")]),
        until: Some(Some(today() + Duration::days(30))),
        ..change()
    };
    given::<StandingOffer>([published()])
        .when(&ben(), cmd)
        .then(vec![StandingOfferUpdated {
            standing_offer_id: OFFER,
            updated_by: BEN,
            title: None,
            description: None,
            category: None,
            skills: Some(vec![skill("driving_errands"), skill("driving_medical")]),
            neighbourhoods: None,
            availability: None,
            until: Some(Some(today() + Duration::days(30))),
        }
        .into()]);
}

#[test]
fn a_change_that_changes_nothing_is_refused() {
    let cmd = UpdateStandingOffer {
        neighbourhoods: Some(vec![HOOD, HOOD]),
        until: Some(None),
        ..change()
    };
    given::<StandingOffer>([published()])
        .when(&ben(), cmd)
        .then_err(StandingOfferError::NothingToUpdate);
}

#[test]
fn the_description_is_taken_away_with_null_once() {
    let take_away = UpdateStandingOffer {
        description: Some(None),
        ..change()
    };
    let history = given::<StandingOffer>([published()])
        .when(&ben(), take_away.clone())
        .history();
    assert!(matches!(
        history.last(),
        Some(StandingOfferEvent::StandingOfferUpdated(u)) if u.description == Some(None)
    ));
    given::<StandingOffer>(history)
        .when(&ben(), take_away)
        .then_err(StandingOfferError::NothingToUpdate);
}

#[test]
fn a_new_title_stays_the_helpers_words_even_when_a_connector_types_it() {
    let cmd = UpdateStandingOffer {
        title: Some(Personal::clear(DIRK, "Ladder en trapje te leen")),
        ..change()
    };
    let events = given::<StandingOffer>([published()])
        .when(&dirk(), cmd)
        .events();
    assert!(matches!(
        &events[0],
        StandingOfferEvent::StandingOfferUpdated(u)
            if u.title == Some(Personal::clear(BEN, "Ladder en trapje te leen"))
    ));
}

#[test]
fn a_neighbour_cannot_change_someone_elses_offer() {
    let cmd = UpdateStandingOffer {
        category: Some(category("errands")),
        ..change()
    };
    given::<StandingOffer>([published()])
        .when(&gus(), cmd)
        .then_err(StandingOfferError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "change someone else's standing offer",
        }));
}

#[test]
fn moving_an_offer_to_a_sensitive_category_needs_a_screening() {
    let cmd = UpdateStandingOffer {
        category: Some(category("errands")),
        ..change()
    };
    given::<StandingOffer>([published()])
        .knowing(standing(Standing::default(), true))
        .when(&ben(), cmd)
        .then_err(StandingOfferError::HelperNotScreened(category("errands")));
}

#[test]
fn changing_only_the_words_asks_nothing_of_the_helpers_standing() {
    let cmd = UpdateStandingOffer {
        title: Some(Personal::clear(BEN, "Op dinsdag en donderdag")),
        ..change()
    };
    let state = StandingOffer::fold([published()].iter());
    assert!(StandingOffer::requirements(&state, &cmd.into()).is_empty());
}

#[test]
fn an_empty_title_or_no_neighbourhood_is_refused_in_a_change_too() {
    given::<StandingOffer>([published()])
        .when(
            &ben(),
            UpdateStandingOffer {
                title: Some(Personal::clear(BEN, "")),
                ..change()
            },
        )
        .then_err(StandingOfferError::EmptyTitle);
    given::<StandingOffer>([published()])
        .when(
            &ben(),
            UpdateStandingOffer {
                neighbourhoods: Some(vec![]),
                ..change()
            },
        )
        .then_err(StandingOfferError::NoNeighbourhoods);
}

// ---- pausing and resuming ----

#[test]
fn a_helper_pauses_and_resumes_their_offer() {
    given::<StandingOffer>([published()])
        .when(
            &ben(),
            PauseStandingOffer {
                standing_offer_id: OFFER,
            },
        )
        .then(vec![paused()]);
    given::<StandingOffer>([published(), paused()])
        .when(
            &ben(),
            ResumeStandingOffer {
                standing_offer_id: OFFER,
            },
        )
        .then(vec![StandingOfferResumed {
            standing_offer_id: OFFER,
            resumed_by: BEN,
        }
        .into()]);
}

#[test]
fn pausing_twice_or_resuming_an_open_offer_is_refused() {
    given::<StandingOffer>([published(), paused()])
        .when(
            &ben(),
            PauseStandingOffer {
                standing_offer_id: OFFER,
            },
        )
        .then_err(StandingOfferError::AlreadyPaused);
    given::<StandingOffer>([published()])
        .when(
            &ben(),
            ResumeStandingOffer {
                standing_offer_id: OFFER,
            },
        )
        .then_err(StandingOfferError::NotPaused);
}

#[test]
fn a_suspended_helper_cannot_resume_their_offer() {
    let suspended = Standing {
        suspended: true,
        ..Standing::default()
    };
    given::<StandingOffer>([published(), paused()])
        .knowing(standing(suspended, false))
        .when(
            &ben(),
            ResumeStandingOffer {
                standing_offer_id: OFFER,
            },
        )
        .then_err(StandingOfferError::HelperSuspended);
}

// ---- withdrawing ----

#[test]
fn a_helper_withdraws_their_offer() {
    given::<StandingOffer>([published()])
        .when(&ben(), withdraw(WithdrawReason::NoLongerOffered))
        .then(vec![withdrawn()]);
}

#[test]
fn a_connector_withdraws_an_offer_for_its_helper() {
    let events = given::<StandingOffer>([published()])
        .when(&dirk(), withdraw(WithdrawReason::PublishedInError))
        .events();
    assert!(matches!(
        &events[0],
        StandingOfferEvent::StandingOfferWithdrawn(w) if w.withdrawn_by == DIRK
    ));
}

#[test]
fn an_ambassador_withdraws_an_offer_only_to_moderate_the_feed() {
    given::<StandingOffer>([published()])
        .when(&ambassador(), withdraw(WithdrawReason::NoLongerOffered))
        .then_err(StandingOfferError::Access(Refusal::NotAllowed {
            role: Role::Ambassador,
            action: "withdraw someone else's standing offer",
        }));
    given::<StandingOffer>([published()])
        .when(&ambassador(), withdraw(WithdrawReason::Moderated))
        .events();
}

#[test]
fn a_neighbour_or_a_partner_not_acting_for_the_helper_cannot_withdraw_it() {
    given::<StandingOffer>([published()])
        .when(&gus(), withdraw(WithdrawReason::Moderated))
        .then_err(StandingOfferError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "withdraw someone else's standing offer",
        }));
    given::<StandingOffer>([published()])
        .when(&eva(), withdraw(WithdrawReason::NoLongerOffered))
        .then_err(StandingOfferError::Access(Refusal::NotAllowed {
            role: Role::Partner,
            action: "withdraw someone else's standing offer",
        }));
}

#[test]
fn nothing_happens_to_a_withdrawn_offer() {
    let history = [published(), withdrawn()];
    let commands: Vec<StandingOfferCommand> = vec![
        UpdateStandingOffer {
            category: Some(category("errands")),
            ..change()
        }
        .into(),
        PauseStandingOffer {
            standing_offer_id: OFFER,
        }
        .into(),
        ResumeStandingOffer {
            standing_offer_id: OFFER,
        }
        .into(),
        withdraw(WithdrawReason::NoLongerOffered).into(),
    ];
    for cmd in commands {
        given::<StandingOffer>(history.clone())
            .when(&ben(), cmd)
            .then_err(StandingOfferError::Withdrawn);
    }
    given::<StandingOffer>(history)
        .when(&ben(), publish(BEN))
        .then_err(StandingOfferError::AlreadyPublished);
}

#[test]
fn an_offer_never_published_does_not_exist() {
    given::<StandingOffer>([])
        .when(&ben(), withdraw(WithdrawReason::NoLongerOffered))
        .then_err(StandingOfferError::NotPublished);
    given::<StandingOffer>([])
        .when(
            &ben(),
            PauseStandingOffer {
                standing_offer_id: OFFER,
            },
        )
        .then_err(StandingOfferError::NotPublished);
}

#[test]
fn the_state_gives_a_take_up_what_it_needs_and_nothing_before_publication() {
    assert_eq!(StandingOffer::fold([].iter()).facts(), None);
    let facts = StandingOffer::fold([published(), paused()].iter())
        .facts()
        .expect("published");
    assert_eq!(
        facts,
        StandingOfferFacts {
            status: StandingOfferStatus::Paused,
            helper: BEN,
            neighbourhoods: vec![HOOD],
            until: None,
        }
    );
}
