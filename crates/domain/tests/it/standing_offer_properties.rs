//! Property tests of the standing offer: random command sequences from random actors in random
//! roles never change a withdrawn offer, never let anyone but its helper, who may act for them,
//! or a moderating ambassador change it, keep its words the helper's, and folding the events
//! gives back the state every decision was made on.

use chrono::Duration;
use noaber_domain::offer::*;
use noaber_domain::values::Availability;
use noaber_domain::{CommandContext, Decider, PersonId, Personal, Refusal, Role};
use proptest::prelude::*;

use crate::common::*;
use crate::standing_offer_rules::{publish, skill, today, OFFER, OTHER_HOOD};

const PEOPLE: [PersonId; 8] = [ANNA, BEN, CAS, DIRK, EVA, FEMKE, GUS, AMBER];

/// One random step: actor, role, on-behalf-of (index 8 = nobody), command kind, target person,
/// small parameter.
type Step = (usize, usize, usize, usize, usize, usize);

fn steps(len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            0..8usize,
            0..8usize,
            0..9usize,
            0..5usize,
            0..8usize,
            0..8usize,
        ),
        len,
    )
}

fn command(kind: usize, target: PersonId, x: usize) -> StandingOfferCommand {
    match kind {
        0 => PublishStandingOffer {
            title: Personal::clear(target, if x == 7 { " " } else { "Een ladder te leen" }),
            neighbourhoods: if x == 0 { vec![] } else { vec![HOOD] },
            until: (x == 6).then(|| today() - Duration::days(1)),
            ..publish(target)
        }
        .into(),
        1 => {
            let mut c = UpdateStandingOffer::of(OFFER);
            match x {
                0 => c.title = Some(Personal::clear(target, "Op dinsdag")),
                1 => c.description = Some(None),
                2 => c.description = Some(Some(Personal::clear(target, "Met de auto"))),
                3 => c.category = Some(category("errands")),
                4 => c.skills = Some(vec![skill("driving_errands")]),
                5 => c.neighbourhoods = Some(vec![OTHER_HOOD, HOOD]),
                6 => c.until = Some(Some(today() + Duration::days(7))),
                _ => c.availability = Some(Availability::always()),
            }
            c.into()
        }
        2 => PauseStandingOffer {
            standing_offer_id: OFFER,
        }
        .into(),
        3 => ResumeStandingOffer {
            standing_offer_id: OFFER,
        }
        .into(),
        _ => WithdrawStandingOffer {
            standing_offer_id: OFFER,
            reason: WithdrawReason::ALL[x % WithdrawReason::ALL.len()],
        }
        .into(),
    }
}

/// Whether `ctx` may change an offer of `helper`: the helper, someone who may act for them, or
/// an ambassador taking it out of the feed.
fn may_change(ctx: &CommandContext, helper: PersonId, event: &StandingOfferEvent) -> bool {
    let moderating = ctx.role == Role::Ambassador
        && matches!(event, StandingOfferEvent::StandingOfferWithdrawn(w) if w.reason == WithdrawReason::Moderated);
    ctx.actor_id == helper
        || ctx.role.is_staff()
        || (ctx.role.may_act_on_behalf() && ctx.on_behalf_of == Some(helper))
        || moderating
}

fn check_event(
    before: &StandingOfferState,
    ctx: &CommandContext,
    event: &StandingOfferEvent,
) -> Result<(), TestCaseError> {
    prop_assert!(
        !ctx.role.is_read_only(),
        "a {} caused {:?}",
        ctx.role,
        event
    );
    prop_assert_ne!(
        before.status,
        StandingOfferStatus::Withdrawn,
        "a withdrawn offer changed"
    );
    let words_of = |p: &Personal, helper| p.subject == helper;
    match event {
        StandingOfferEvent::StandingOfferPublished(p) => {
            prop_assert_eq!(before.status, StandingOfferStatus::NotPublished);
            prop_assert!(words_of(&p.title, p.helper));
            prop_assert!(p.description.iter().all(|d| words_of(d, p.helper)));
            prop_assert!(!p.neighbourhoods.is_empty());
        }
        other => {
            let helper = before.helper.expect("a published offer has a helper");
            prop_assert!(
                may_change(ctx, helper, other),
                "{:?} changed {:?} of someone else",
                ctx,
                other
            );
            match other {
                StandingOfferEvent::StandingOfferUpdated(u) => {
                    prop_assert!(u.title.iter().all(|t| words_of(t, helper)));
                    prop_assert!(u.description.iter().flatten().all(|d| words_of(d, helper)));
                    let something = u.title.is_some()
                        || u.description.is_some()
                        || u.category.is_some()
                        || u.skills.is_some()
                        || u.neighbourhoods.is_some()
                        || u.availability.is_some()
                        || u.until.is_some();
                    prop_assert!(something, "an update that changes nothing");
                }
                StandingOfferEvent::StandingOfferPaused(_) => {
                    prop_assert_eq!(before.status, StandingOfferStatus::Open);
                }
                StandingOfferEvent::StandingOfferResumed(_) => {
                    prop_assert_eq!(before.status, StandingOfferStatus::Paused);
                }
                _ => {}
            }
        }
    }
    Ok(())
}

fn context(actor: usize, role: usize, behalf: usize) -> CommandContext {
    let mut c = ctx(PEOPLE[actor % 8], Role::ALL[role % Role::ALL.len()]);
    if behalf < 8 {
        c = c.acting_for(PEOPLE[behalf]);
    }
    c
}

fn run(first: Step, rest: Vec<Step>) -> Result<(), TestCaseError> {
    let mut state = StandingOfferState::default();
    let mut history: Vec<StandingOfferEvent> = Vec::new();
    // Start most runs with a publication by the helper, so the rest of the life is reached.
    let mut all = vec![(first.0, 1, 8, 0, first.0, first.5)];
    all.extend(rest);
    for (actor, role, behalf, kind, target, x) in all {
        let ctx = context(actor, role, behalf);
        let cmd = command(kind, PEOPLE[target % 8], x);
        match StandingOffer::decide(&state, &ctx, &cmd) {
            Ok(events) => {
                prop_assert_eq!(events.len(), 1);
                for event in &events {
                    check_event(&state, &ctx, event)?;
                    let (t, v, payload) = event.encode();
                    prop_assert_eq!(
                        &StandingOfferEvent::decode(t, v, payload).expect("decodes"),
                        event
                    );
                    state = StandingOffer::evolve(state, event);
                    if state.status != StandingOfferStatus::NotPublished {
                        prop_assert!(state.helper.is_some() && !state.neighbourhoods.is_empty());
                    }
                }
                history.extend(events);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        prop_assert_eq!(&StandingOffer::fold(history.iter()), &state);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_command_sequences_never_break_an_invariant(
        first in (0..8usize, 0..8usize, 0..9usize, 0..5usize, 0..8usize, 1..6usize),
        rest in steps(0..40),
    ) {
        run(first, rest)?;
    }

    #[test]
    fn nothing_is_accepted_after_a_withdrawal(
        before in steps(0..20),
        after in steps(1..20),
    ) {
        let mut history = vec![StandingOffer::decide(&StandingOfferState::default(), &ben(), &publish(BEN).into())
            .expect("Ben publishes his offer")
            .remove(0)];
        let mut state = StandingOffer::fold(history.iter());
        for (actor, role, behalf, kind, target, x) in before {
            if let Ok(events) = StandingOffer::decide(&state, &context(actor, role, behalf), &command(kind, PEOPLE[target % 8], x)) {
                state = events.iter().fold(state, StandingOffer::evolve);
                history.extend(events);
            }
        }
        if state.status != StandingOfferStatus::Withdrawn {
            let withdraw = command(4, BEN, 0);
            let events = StandingOffer::decide(&state, &ben(), &withdraw).expect("the helper withdraws");
            state = events.iter().fold(state, StandingOffer::evolve);
        }
        for (actor, role, behalf, kind, target, x) in after {
            let result = StandingOffer::decide(&state, &context(actor, role, behalf), &command(kind, PEOPLE[target % 8], x));
            prop_assert!(result.is_err(), "accepted after withdrawal: {:?}", result);
        }
    }

    #[test]
    fn a_funder_or_auditor_is_refused_whatever_the_state(
        before in steps(0..20),
        kind in 0..5usize,
        x in 0..8usize,
    ) {
        let mut state = StandingOfferState::default();
        for (actor, role, behalf, k, target, y) in before {
            if let Ok(events) = StandingOffer::decide(&state, &context(actor, role, behalf), &command(k, PEOPLE[target % 8], y)) {
                state = events.iter().fold(state, StandingOffer::evolve);
            }
        }
        let cmd = command(kind, FEMKE, x);
        prop_assert_eq!(
            StandingOffer::decide(&state, &femke(), &cmd),
            Err(StandingOfferError::Access(Refusal::FunderCannotAct))
        );
        let auditor = ctx(FEMKE, Role::Auditor);
        prop_assert_eq!(
            StandingOffer::decide(&state, &auditor, &cmd),
            Err(StandingOfferError::Access(Refusal::AuditorCannotAct))
        );
    }
}
