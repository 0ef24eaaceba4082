//! Property tests: random command sequences from random actors in random roles never break an
//! invariant, and folding the produced events always gives back the state decisions were made on.

use crate::common::*;
use noaber_domain::offer::{StandingOfferFacts, StandingOfferStatus};
use noaber_domain::organisation::OrganisationStatus;
use noaber_domain::request::*;
use noaber_domain::values::*;
use noaber_domain::{CommandContext, Decider, PersonId, Personal, Refusal, Role};
use proptest::prelude::*;

const PEOPLE: [PersonId; 8] = [ANNA, BEN, CAS, DIRK, EVA, FEMKE, GUS, AMBER];

/// One random step: actor, role, on-behalf-of (index 8 = nobody), command kind, target person,
/// small parameter.
type Step = (usize, usize, usize, usize, usize, usize);

fn command(kind: usize, target: PersonId, x: usize, state: &RequestState) -> RequestCommand {
    let request_id = REQ;
    match kind {
        0 => post_command(
            target,
            Channel::ALL[x % Channel::ALL.len()],
            (x % 3 + 1) as u32,
        )
        .into(),
        1 => RequestCommand::Triage(TriageRequest {
            request_id,
            route: TriageRoute::ALL[x % 2],
            note: None,
        }),
        2 => RequestCommand::Offer(OfferHelp {
            request_id,
            helper: target,
            message: Some(Personal::clear(target, "ik help graag")),
        }),
        3 => RequestCommand::WithdrawOffer(WithdrawOffer {
            request_id,
            helper: target,
        }),
        4 => RequestCommand::Match(MatchHelper {
            request_id,
            helper: target,
        }),
        5 => RequestCommand::CancelMatch(CancelMatch {
            request_id,
            helper: target,
            reason: CancelReason::ALL[x % CancelReason::ALL.len()],
        }),
        6 => RequestCommand::Refer(ReferRequest {
            request_id,
            organisation_id: ORG,
            organisation_status: OrganisationStatus::ALL[x % 3],
            reason: None,
        }),
        7 => RequestCommand::RecordReferralOutcome(RecordReferralOutcome {
            request_id,
            outcome: ReferralOutcome::ALL[x % ReferralOutcome::ALL.len()],
            note: None,
        }),
        8 => {
            // Half the time credit the helpers actually matched, otherwise a random person.
            let helpers = match x % 4 {
                0 => state.matched.iter().copied().collect(),
                1 => vec![target],
                _ => vec![],
            };
            RequestCommand::Resolve(ResolveRequest {
                request_id,
                resolution: ResolvedBy::ALL[x % 3],
                helpers_credited: helpers,
                minutes_given: None,
                compensation: Compensation::None,
            })
        }
        9 => RequestCommand::Close(CloseRequest {
            request_id,
            reason: CloseReason::ALL[x % CloseReason::ALL.len()],
        }),
        10 => RequestCommand::Reopen(ReopenRequest { request_id }),
        11 => RequestCommand::GiveFeedback(GiveFeedback {
            request_id,
            rating: Rating::new(1 + (x % 5) as u32).expect("in range"),
            comment: None,
        }),
        12 => RequestCommand::Correct(CorrectRequest {
            request_id,
            category: Some(category(
                ["errands", "transport", "garden", "digital"][x % 4],
            )),
            target_group: None,
            neighbourhood_id: None,
            urgency: Some(Urgency::ALL[x % Urgency::ALL.len()]),
            channel: None,
        }),
        14 => RequestCommand::TakeUp(TakeUpStandingOffer {
            post: post_command(target, Channel::ALL[x % Channel::ALL.len()], 1),
            standing_offer_id: crate::standing_offer_rules::OFFER,
            // Mostly an open offer in the request's neighbourhood, by someone of the cast.
            offer: (x != 5).then(|| StandingOfferFacts {
                status: [
                    StandingOfferStatus::Open,
                    StandingOfferStatus::Open,
                    StandingOfferStatus::Paused,
                    StandingOfferStatus::Withdrawn,
                ][x % 4],
                helper: PEOPLE[(x + 1) % 8],
                neighbourhoods: vec![if x == 7 {
                    crate::standing_offer_rules::OTHER_HOOD
                } else {
                    HOOD
                }],
                until: None,
            }),
        }),
        _ => RequestCommand::Void(VoidRequest { request_id }),
    }
}

/// Checks one event of a decision, `taken_up` naming the helper of a standing offer taken up
/// earlier in the same decision (whose match needs no offer on the request).
fn check_event(
    before: &RequestState,
    ctx: &CommandContext,
    event: &RequestEvent,
    taken_up: Option<PersonId>,
) -> Result<(), TestCaseError> {
    prop_assert!(
        !ctx.role.is_read_only(),
        "a {} caused {:?}",
        ctx.role,
        event
    );
    if before.status == RequestStatus::Voided {
        prop_assert!(
            matches!(event, RequestEvent::RequestCorrected(_)),
            "a voided request accepted {:?}",
            event
        );
    }
    if before.status == RequestStatus::Closed {
        prop_assert!(
            matches!(
                event,
                RequestEvent::RequestCorrected(_) | RequestEvent::RequestReopened(_)
            ),
            "a closed request accepted {:?}",
            event
        );
    }
    match event {
        RequestEvent::HelpOffered(o) => {
            prop_assert_ne!(
                Some(o.helper),
                before.requester,
                "an offer by the requester"
            );
        }
        RequestEvent::HelperMatched(m) => {
            prop_assert_ne!(Some(m.helper), before.requester, "the requester matched");
            prop_assert!(
                m.direct || before.offers.contains(&m.helper) || taken_up == Some(m.helper),
                "a non-direct match without an offer"
            );
            prop_assert!(
                !m.direct || ctx.role.is_staff(),
                "a direct match by a non-connector"
            );
        }
        RequestEvent::RequestResolved(r) => match r.resolution {
            ResolvedBy::Neighbour => {
                prop_assert!(
                    !r.helpers_credited.is_empty(),
                    "resolved with nobody credited"
                );
                for h in &r.helpers_credited {
                    prop_assert!(
                        before.matched.contains(h),
                        "credited a helper never matched"
                    );
                }
            }
            ResolvedBy::Professional => {
                prop_assert!(
                    r.organisation_credited.is_some(),
                    "no organisation credited"
                );
            }
            ResolvedBy::Requester => prop_assert!(r.helpers_credited.is_empty()),
        },
        _ => {}
    }
    Ok(())
}

fn check_state(state: &RequestState) -> Result<(), TestCaseError> {
    prop_assert!(state.offers.is_disjoint(&state.matched));
    if let Some(r) = state.requester {
        prop_assert!(!state.offers.contains(&r) && !state.matched.contains(&r));
    }
    prop_assert!(state.matched.len() as u32 <= state.hands_needed.max(1));
    if state.status == RequestStatus::NotPosted {
        prop_assert!(state.offers.is_empty() && state.matched.is_empty());
    }
    Ok(())
}

/// A take-up is written whole: the posting, the take-up and the match of the offer's helper,
/// who is not the requester. Answers the helper of a take-up in `events`, if there is one.
fn check_take_up(
    before: &RequestState,
    events: &[RequestEvent],
) -> Result<Option<PersonId>, TestCaseError> {
    let Some(taken) = events.iter().find_map(|e| match e {
        RequestEvent::StandingOfferTakenUp(t) => Some(t),
        _ => None,
    }) else {
        return Ok(None);
    };
    prop_assert_eq!(before.status, RequestStatus::NotPosted);
    prop_assert_eq!(events.len(), 3);
    let RequestEvent::RequestPosted(posted) = &events[0] else {
        return Err(TestCaseError::fail("a take-up without its posting"));
    };
    prop_assert_ne!(posted.requester, taken.helper, "one's own offer taken up");
    prop_assert!(
        matches!(&events[2], RequestEvent::HelperMatched(m) if m.helper == taken.helper && !m.direct),
        "a take-up without the match of its helper"
    );
    Ok(Some(taken.helper))
}

fn run(first: Step, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut state = RequestState::default();
    let mut history: Vec<RequestEvent> = Vec::new();
    // Start most runs with a post so the rest of the life cycle is reached.
    let mut all = vec![(first.0, 0, 8, 0, first.0, first.5)];
    all.extend(steps);
    for (actor, role, behalf, kind, target, x) in all {
        let mut ctx = ctx(PEOPLE[actor % 8], Role::ALL[role % Role::ALL.len()]);
        if behalf < 8 {
            ctx = ctx.acting_for(PEOPLE[behalf]);
        }
        let cmd = command(kind, PEOPLE[target % 8], x, &state);
        match HelpRequest::decide(&state, &ctx, &cmd) {
            Ok(events) => {
                prop_assert!(!events.is_empty());
                let taken_up = check_take_up(&state, &events)?;
                for event in &events {
                    check_event(&state, &ctx, event, taken_up)?;
                    // Every produced event survives the stored encoding unchanged.
                    let (t, v, payload) = event.encode();
                    prop_assert_eq!(
                        &RequestEvent::decode(t, v, payload).expect("decodes"),
                        event
                    );
                    state = HelpRequest::evolve(state, event);
                    check_state(&state)?;
                }
                history.extend(events);
            }
            Err(e) => {
                // A refusal has a message for a person, and a funder is always refused.
                prop_assert!(!e.to_string().is_empty());
            }
        }
        prop_assert_eq!(&HelpRequest::fold(history.iter()), &state);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_command_sequences_never_break_an_invariant(
        first in (0..8usize, 0..8usize, 0..9usize, 0..15usize, 0..8usize, 0..8usize),
        steps in prop::collection::vec((0..8usize, 0..8usize, 0..9usize, 0..15usize, 0..8usize, 0..8usize), 0..60),
    ) {
        run(first, steps)?;
    }

    #[test]
    fn a_funder_or_auditor_is_refused_whatever_the_state(
        steps in prop::collection::vec((0..8usize, 0..8usize, 0..9usize, 0..15usize, 0..8usize, 0..8usize), 0..30),
        kind in 0..15usize,
        x in 0..8usize,
    ) {
        let mut state = RequestState::default();
        for (actor, role, _, k, target, y) in steps {
            let ctx = ctx(PEOPLE[actor % 8], Role::ALL[role % Role::ALL.len()]);
            if let Ok(events) = HelpRequest::decide(&state, &ctx, &command(k, PEOPLE[target % 8], y, &state)) {
                state = events.iter().fold(state, HelpRequest::evolve);
            }
        }
        let cmd = command(kind, FEMKE, x, &state);
        prop_assert_eq!(HelpRequest::decide(&state, &femke(), &cmd), Err(RequestError::Access(Refusal::FunderCannotAct)));
        let auditor = ctx(FEMKE, Role::Auditor);
        prop_assert_eq!(HelpRequest::decide(&state, &auditor, &cmd), Err(RequestError::Access(Refusal::AuditorCannotAct)));
    }
}
