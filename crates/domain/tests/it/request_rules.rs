//! Given/when/then tests for every rule of the help request life cycle, including every
//! rejected transition.

use crate::common::*;
use noaber_domain::organisation::OrganisationStatus;
use noaber_domain::request::*;
use noaber_domain::values::*;
use noaber_domain::{Decider, Personal, Refusal, Role};

type R = HelpRequest;

fn offer(helper: noaber_domain::PersonId) -> RequestCommand {
    RequestCommand::Offer(OfferHelp {
        request_id: REQ,
        helper,
        message: None,
    })
}

fn match_cmd(helper: noaber_domain::PersonId) -> RequestCommand {
    RequestCommand::Match(MatchHelper {
        request_id: REQ,
        helper,
    })
}

fn refer(status: OrganisationStatus) -> RequestCommand {
    RequestCommand::Refer(ReferRequest {
        request_id: REQ,
        organisation_id: ORG,
        organisation_status: status,
        reason: None,
    })
}

fn outcome(outcome: ReferralOutcome) -> RequestCommand {
    RequestCommand::RecordReferralOutcome(RecordReferralOutcome {
        request_id: REQ,
        outcome,
        note: None,
    })
}

fn feedback() -> RequestCommand {
    RequestCommand::GiveFeedback(GiveFeedback {
        request_id: REQ,
        rating: Rating::new(5).expect("in range"),
        comment: None,
    })
}

fn close(reason: CloseReason) -> RequestCommand {
    RequestCommand::Close(CloseRequest {
        request_id: REQ,
        reason,
    })
}

fn correct_category(code: &str) -> RequestCommand {
    RequestCommand::Correct(CorrectRequest {
        request_id: REQ,
        category: Some(category(code)),
        target_group: None,
        neighbourhood_id: None,
        urgency: None,
        channel: None,
    })
}

// ---- posting ----

#[test]
fn a_resident_posts_a_request_for_herself_through_the_app() {
    let events = given::<R>([]).when(&anna(), post(ANNA)).events();
    let RequestEvent::RequestPosted(p) = &events[0] else {
        panic!("expected RequestPosted, got {events:?}");
    };
    assert_eq!(events.len(), 1);
    assert_eq!(p.requester, ANNA);
    assert_eq!(p.posted_by, ANNA);
    assert!(!p.on_behalf);
    assert_eq!(p.channel, Channel::App);
    assert_eq!(p.description.subject, ANNA);
}

#[test]
fn a_connector_posts_on_behalf_of_a_resident_after_a_home_visit() {
    let events = given::<R>([])
        .when(&dirk(), post_command(ANNA, Channel::HomeVisit, 1))
        .events();
    let RequestEvent::RequestPosted(p) = &events[0] else {
        panic!("expected RequestPosted");
    };
    assert_eq!(p.requester, ANNA);
    assert_eq!(p.posted_by, DIRK);
    assert!(p.on_behalf);
    assert_eq!(p.channel, Channel::HomeVisit);
}

#[test]
fn someone_posting_for_a_resident_must_say_on_which_basis_it_is_recorded() {
    given::<R>([])
        .when(
            &dirk(),
            PostRequest {
                consent: None,
                ..post_command(ANNA, Channel::HomeVisit, 1)
            },
        )
        .then_err(RequestError::ConsentBasisRequired);
}

#[test]
fn the_basis_is_recorded_with_who_took_it_and_how() {
    let events = given::<R>([])
        .when(
            &dirk(),
            PostRequest {
                consent: Some(ConsentBasis::CareProvision),
                ..post_command(ANNA, Channel::HomeVisit, 1)
            },
        )
        .events();
    let RequestEvent::RequestPosted(p) = &events[0] else {
        panic!("expected RequestPosted");
    };
    assert_eq!(
        p.consent,
        Some(ConsentRecord {
            basis: ConsentBasis::CareProvision,
            taken_by: DIRK,
            channel: Some(Channel::HomeVisit),
        })
    );
}

#[test]
fn posting_for_oneself_is_ones_own_explicit_consent() {
    let events = given::<R>([])
        .when(
            &anna(),
            PostRequest {
                consent: None,
                ..post(ANNA)
            },
        )
        .events();
    let RequestEvent::RequestPosted(p) = &events[0] else {
        panic!("expected RequestPosted");
    };
    assert_eq!(
        p.consent,
        Some(ConsentRecord {
            basis: ConsentBasis::ExplicitConsent,
            taken_by: ANNA,
            channel: Some(Channel::App),
        })
    );
}

#[test]
fn a_partner_posts_a_referral_naming_the_referring_organisation() {
    let cmd = PostRequest {
        referred_by: Some(ORG),
        ..post_command(ANNA, Channel::PartnerReferral, 1)
    };
    let events = given::<R>([]).when(&eva(), cmd).events();
    let RequestEvent::RequestPosted(p) = &events[0] else {
        panic!("expected RequestPosted");
    };
    assert_eq!(p.referred_by, Some(ORG));
    assert!(p.on_behalf);
}

#[test]
fn the_description_always_belongs_to_the_requester_whoever_typed_it() {
    let cmd = PostRequest {
        description: Personal::clear(DIRK, "Mevrouw heeft hulp nodig"),
        ..post_command(ANNA, Channel::Phone, 1)
    };
    let events = given::<R>([]).when(&dirk(), cmd).events();
    let RequestEvent::RequestPosted(p) = &events[0] else {
        panic!("expected RequestPosted");
    };
    assert_eq!(p.description.subject, ANNA);
}

#[test]
fn notes_and_messages_are_personal_data_of_the_person_they_are_about() {
    let events = given::<R>([posted()])
        .when(
            &dirk(),
            RequestCommand::Offer(OfferHelp {
                request_id: REQ,
                helper: BEN,
                message: Some(Personal::clear(DIRK, "Ben kan dinsdag")),
            }),
        )
        .events();
    assert!(matches!(&events[0], RequestEvent::HelpOffered(o)
        if o.message.as_ref().map(|m| m.subject) == Some(BEN)));
    let events = given::<R>([posted()])
        .when(
            &dirk(),
            RequestCommand::Triage(TriageRequest {
                request_id: REQ,
                route: TriageRoute::Professional,
                note: Some(Personal::clear(DIRK, "woont alleen, slecht te been")),
            }),
        )
        .events();
    assert!(matches!(&events[0], RequestEvent::RequestTriaged(t)
        if t.note.as_ref().map(|n| n.subject) == Some(ANNA)));
}

#[test]
fn a_resident_cannot_post_on_behalf_of_someone_else() {
    given::<R>([])
        .when(&gus(), post(ANNA))
        .then_err(RequestError::Access(Refusal::OnlyForYourself {
            action: "post a request",
        }));
}

#[test]
fn a_connector_acting_for_one_resident_cannot_post_for_another() {
    given::<R>([])
        .when(
            &dirk().acting_for(GUS),
            post_command(ANNA, Channel::Phone, 1),
        )
        .then_err(RequestError::OnBehalfMismatch);
}

#[test]
fn a_phone_request_must_be_posted_on_the_residents_behalf() {
    given::<R>([])
        .when(&anna(), post_command(ANNA, Channel::Phone, 1))
        .then_err(RequestError::ChannelNeedsOnBehalf(Channel::Phone));
}

#[test]
fn only_a_partner_referral_names_a_referring_organisation() {
    let cmd = PostRequest {
        referred_by: Some(ORG),
        ..post(ANNA)
    };
    given::<R>([])
        .when(&anna(), cmd)
        .then_err(RequestError::ReferrerWithoutPartnerChannel);
}

#[test]
fn an_empty_description_is_refused() {
    let cmd = PostRequest {
        description: Personal::clear(ANNA, "   "),
        ..post(ANNA)
    };
    given::<R>([])
        .when(&anna(), cmd)
        .then_err(RequestError::EmptyDescription);
}

#[test]
fn a_needed_by_date_before_the_request_is_refused() {
    let cmd = PostRequest {
        needed_by: Some(now() - chrono::Duration::days(1)),
        ..post(ANNA)
    };
    given::<R>([])
        .when(&anna(), cmd)
        .then_err(RequestError::NeededByInThePast);
}

#[test]
fn a_back_dated_home_visit_may_need_help_by_a_date_before_today() {
    let cmd = PostRequest {
        needed_by: Some(now() - chrono::Duration::hours(2)),
        ..post_command(ANNA, Channel::HomeVisit, 1)
    };
    let ctx = dirk().happened_at(now() - chrono::Duration::days(1));
    assert_eq!(given::<R>([]).when(&ctx, cmd).events().len(), 1);
}

#[test]
fn a_request_cannot_be_posted_twice() {
    given::<R>([posted()])
        .when(&anna(), post(ANNA))
        .then_err(RequestError::AlreadyPosted);
}

#[test]
fn a_funder_cannot_post_or_do_anything_else() {
    given::<R>([])
        .when(&femke(), post(FEMKE))
        .then_err(RequestError::Access(Refusal::FunderCannotAct));
    given::<R>([posted()])
        .when(&femke(), close(CloseReason::Duplicate))
        .then_err(RequestError::Access(Refusal::FunderCannotAct));
}

#[test]
fn an_anonymous_request_carries_the_flag_for_read_models_to_enforce() {
    let cmd = PostRequest {
        anonymous: true,
        ..post(ANNA)
    };
    let events = given::<R>([]).when(&anna(), cmd).events();
    assert!(matches!(&events[0], RequestEvent::RequestPosted(p) if p.anonymous));
}

#[test]
fn nothing_can_happen_to_a_request_that_was_never_posted() {
    given::<R>([])
        .when(&ben(), offer(BEN))
        .then_err(RequestError::NotPosted);
}

// ---- triage ----

#[test]
fn a_connector_triages_a_request_as_informal() {
    given::<R>([posted()])
        .when(
            &dirk(),
            RequestCommand::Triage(TriageRequest {
                request_id: REQ,
                route: TriageRoute::Informal,
                note: None,
            }),
        )
        .then(vec![RequestTriaged {
            request_id: REQ,
            route: TriageRoute::Informal,
            triaged_by: DIRK,
            note: None,
        }
        .into()]);
}

#[test]
fn a_resident_cannot_triage() {
    given::<R>([posted()])
        .when(
            &anna(),
            RequestCommand::Triage(TriageRequest {
                request_id: REQ,
                route: TriageRoute::Informal,
                note: None,
            }),
        )
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "triage a request",
        }));
}

#[test]
fn triaging_the_same_way_twice_is_refused() {
    let triaged = RequestTriaged {
        request_id: REQ,
        route: TriageRoute::Professional,
        triaged_by: DIRK,
        note: None,
    };
    given::<R>([posted(), triaged.into()])
        .when(
            &dirk(),
            RequestCommand::Triage(TriageRequest {
                request_id: REQ,
                route: TriageRoute::Professional,
                note: None,
            }),
        )
        .then_err(RequestError::AlreadyTriaged(TriageRoute::Professional));
}

// ---- offers ----

#[test]
fn a_helper_offers_help() {
    given::<R>([posted()])
        .when(&ben(), offer(BEN))
        .then(vec![offered(BEN)]);
}

#[test]
fn a_resident_who_did_not_opt_in_cannot_offer() {
    given::<R>([posted()])
        .when(&gus(), offer(GUS))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "offer help (opt in as helper first)",
        }));
}

#[test]
fn a_requester_cannot_offer_help_on_her_own_request() {
    let anna_as_helper = ctx(ANNA, Role::Helper);
    given::<R>([posted()])
        .when(&anna_as_helper, offer(ANNA))
        .then_err(RequestError::OwnRequest);
}

#[test]
fn a_connector_cannot_record_an_offer_by_the_requester_either() {
    given::<R>([posted()])
        .when(&dirk(), offer(ANNA))
        .then_err(RequestError::OwnRequest);
}

#[test]
fn a_helper_cannot_offer_twice_on_the_same_request() {
    given::<R>([posted(), offered(BEN)])
        .when(&ben(), offer(BEN))
        .then_err(RequestError::AlreadyOffered);
}

#[test]
fn a_helper_cannot_offer_in_someone_elses_name() {
    given::<R>([posted()])
        .when(&ben(), offer(CAS))
        .then_err(RequestError::Access(Refusal::OnlyForYourself {
            action: "offer help",
        }));
}

#[test]
fn a_matched_helper_cannot_offer_again() {
    given::<R>([posted_with(2), offered(BEN), matched(BEN)])
        .when(&ben(), offer(BEN))
        .then_err(RequestError::AlreadyMatched);
}

#[test]
fn no_offers_are_taken_once_every_hand_is_matched() {
    given::<R>([posted(), offered(BEN), matched(BEN)])
        .when(&cas(), offer(CAS))
        .then_err(RequestError::AllHandsMatched(1));
}

#[test]
fn no_offers_are_taken_while_a_professional_has_the_request() {
    given::<R>([posted(), referred()])
        .when(&ben(), offer(BEN))
        .then_err(RequestError::WithProfessional);
}

#[test]
fn a_helper_withdraws_an_offer_that_was_not_matched() {
    given::<R>([posted(), offered(BEN)])
        .when(
            &ben(),
            RequestCommand::WithdrawOffer(WithdrawOffer {
                request_id: REQ,
                helper: BEN,
            }),
        )
        .then(vec![OfferWithdrawn {
            request_id: REQ,
            helper: BEN,
        }
        .into()]);
}

#[test]
fn an_offer_cannot_be_withdrawn_once_matched() {
    given::<R>([posted(), offered(BEN), matched(BEN)])
        .when(
            &ben(),
            RequestCommand::WithdrawOffer(WithdrawOffer {
                request_id: REQ,
                helper: BEN,
            }),
        )
        .then_err(RequestError::OfferAlreadyMatched);
}

#[test]
fn withdrawing_without_an_offer_is_refused() {
    given::<R>([posted()])
        .when(
            &ben(),
            RequestCommand::WithdrawOffer(WithdrawOffer {
                request_id: REQ,
                helper: BEN,
            }),
        )
        .then_err(RequestError::NoOffer);
}

#[test]
fn a_helper_cannot_withdraw_someone_elses_offer() {
    given::<R>([posted(), offered(CAS)])
        .when(
            &ben(),
            RequestCommand::WithdrawOffer(WithdrawOffer {
                request_id: REQ,
                helper: CAS,
            }),
        )
        .then_err(RequestError::Access(Refusal::OnlyForYourself {
            action: "withdraw an offer",
        }));
}

// ---- matching ----

#[test]
fn the_requester_accepts_an_offer() {
    given::<R>([posted(), offered(BEN)])
        .when(&anna(), match_cmd(BEN))
        .then(vec![matched(BEN)]);
}

#[test]
fn a_connector_matches_a_helper_who_did_not_offer_recorded_as_direct() {
    given::<R>([posted()])
        .when(&dirk(), match_cmd(BEN))
        .then(vec![HelperMatched {
            request_id: REQ,
            helper: BEN,
            matched_by: DIRK,
            direct: true,
        }
        .into()]);
}

#[test]
fn the_requester_cannot_match_a_helper_who_did_not_offer() {
    given::<R>([posted()])
        .when(&anna(), match_cmd(BEN))
        .then_err(RequestError::DirectMatchNeedsConnector);
}

#[test]
fn an_uninvolved_resident_cannot_match() {
    given::<R>([posted(), offered(BEN)])
        .when(&gus(), match_cmd(BEN))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "match a helper to someone else's request",
        }));
}

#[test]
fn the_requester_cannot_be_matched_to_her_own_request() {
    given::<R>([posted()])
        .when(&dirk(), match_cmd(ANNA))
        .then_err(RequestError::OwnRequest);
}

#[test]
fn a_request_needing_several_hands_gets_several_helpers() {
    let history = given::<R>([posted_with(2), offered(BEN), offered(CAS)])
        .when(&anna(), match_cmd(BEN))
        .history();
    let history = given::<R>(history).when(&anna(), match_cmd(CAS)).history();
    let state = R::fold(history.iter());
    assert_eq!(state.matched.len(), 2);
    assert!(state.fully_matched());
}

#[test]
fn a_third_helper_cannot_be_matched_when_two_hands_are_needed() {
    given::<R>([posted_with(2), matched(BEN), matched(CAS)])
        .when(&dirk(), match_cmd(GUS))
        .then_err(RequestError::AllHandsMatched(2));
}

#[test]
fn a_helper_cannot_be_matched_twice() {
    given::<R>([posted_with(2), matched(BEN)])
        .when(&dirk(), match_cmd(BEN))
        .then_err(RequestError::AlreadyMatched);
}

#[test]
fn a_cancelled_match_reopens_the_request_to_offers() {
    let cancelled = MatchCancelled {
        request_id: REQ,
        helper: BEN,
        cancelled_by: BEN,
        reason: CancelReason::HelperUnavailable,
    };
    given::<R>([posted(), offered(BEN), matched(BEN)])
        .when(
            &ben(),
            RequestCommand::CancelMatch(CancelMatch {
                request_id: REQ,
                helper: BEN,
                reason: CancelReason::HelperUnavailable,
            }),
        )
        .then(vec![cancelled.clone().into()]);
    given::<R>([posted(), offered(BEN), matched(BEN), cancelled.into()])
        .when(&cas(), offer(CAS))
        .then(vec![offered(CAS)]);
}

#[test]
fn cancelling_a_match_that_does_not_exist_is_refused() {
    given::<R>([posted()])
        .when(
            &dirk(),
            RequestCommand::CancelMatch(CancelMatch {
                request_id: REQ,
                helper: BEN,
                reason: CancelReason::Other,
            }),
        )
        .then_err(RequestError::NotMatched(BEN));
}

#[test]
fn an_uninvolved_helper_cannot_cancel_a_match() {
    given::<R>([posted(), matched(BEN)])
        .when(
            &cas(),
            RequestCommand::CancelMatch(CancelMatch {
                request_id: REQ,
                helper: BEN,
                reason: CancelReason::Other,
            }),
        )
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Helper,
            action: "cancel someone else's match",
        }));
}

// ---- referral ----

#[test]
fn a_connector_refers_to_an_organisation_of_the_tenant() {
    given::<R>([posted()])
        .when(&dirk(), refer(OrganisationStatus::Active))
        .then(vec![referred()]);
}

#[test]
fn a_referral_to_an_unknown_organisation_is_refused() {
    given::<R>([posted()])
        .when(&dirk(), refer(OrganisationStatus::Unknown))
        .then_err(RequestError::UnknownOrganisation);
}

#[test]
fn a_referral_to_an_inactive_organisation_is_refused() {
    given::<R>([posted()])
        .when(&dirk(), refer(OrganisationStatus::Inactive))
        .then_err(RequestError::OrganisationInactive);
}

#[test]
fn a_helper_cannot_refer() {
    given::<R>([posted()])
        .when(&ben(), refer(OrganisationStatus::Active))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Helper,
            action: "refer a request to a professional",
        }));
}

#[test]
fn a_request_cannot_be_referred_twice_at_once() {
    given::<R>([posted(), referred()])
        .when(&dirk(), refer(OrganisationStatus::Active))
        .then_err(RequestError::AlreadyReferred);
}

#[test]
fn the_organisation_records_the_referral_outcome() {
    given::<R>([posted(), referred()])
        .when(&eva(), outcome(ReferralOutcome::Accepted))
        .then(vec![ReferralOutcomeRecorded {
            request_id: REQ,
            organisation_id: ORG,
            outcome: ReferralOutcome::Accepted,
            recorded_by: EVA,
            note: None,
        }
        .into()]);
}

#[test]
fn a_declined_referral_opens_the_request_to_neighbours_again() {
    let declined = ReferralOutcomeRecorded {
        request_id: REQ,
        organisation_id: ORG,
        outcome: ReferralOutcome::Declined,
        recorded_by: DIRK,
        note: None,
    };
    given::<R>([posted(), referred(), declined.into()])
        .when(&ben(), offer(BEN))
        .then(vec![offered(BEN)]);
}

#[test]
fn an_outcome_without_a_referral_is_refused() {
    given::<R>([posted()])
        .when(&dirk(), outcome(ReferralOutcome::Helped))
        .then_err(RequestError::NoReferral);
}

#[test]
fn a_helper_cannot_record_a_referral_outcome() {
    given::<R>([posted(), referred()])
        .when(&ben(), outcome(ReferralOutcome::Helped))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Helper,
            action: "record a referral's outcome",
        }));
}

// ---- resolution ----

#[test]
fn the_requester_resolves_crediting_the_matched_helper() {
    given::<R>([posted(), offered(BEN), matched(BEN)])
        .when(&anna(), resolve(ResolvedBy::Neighbour, vec![BEN]))
        .then(vec![resolved_by_neighbour(BEN)]);
}

#[test]
fn a_matched_helper_resolves_with_hours_and_expenses() {
    let cmd = RequestCommand::Resolve(ResolveRequest {
        request_id: REQ,
        resolution: ResolvedBy::Neighbour,
        helpers_credited: vec![BEN],
        minutes_given: Some(Minutes::new(90).expect("in range")),
        compensation: Compensation::Expenses,
    });
    let events = given::<R>([posted(), matched(BEN)])
        .when(&ben(), cmd)
        .events();
    assert!(matches!(&events[0], RequestEvent::RequestResolved(r)
        if r.resolved_by == BEN && r.minutes_given.map(|m| m.get()) == Some(90)
            && r.compensation == Compensation::Expenses));
}

#[test]
fn the_organisation_resolves_a_referral_crediting_itself() {
    let events = given::<R>([posted(), referred()])
        .when(&eva(), resolve(ResolvedBy::Professional, vec![]))
        .events();
    assert!(matches!(&events[0], RequestEvent::RequestResolved(r)
        if r.organisation_credited == Some(ORG) && r.helpers_credited.is_empty()));
}

#[test]
fn the_requester_may_have_solved_it_herself() {
    let events = given::<R>([posted()])
        .when(&anna(), resolve(ResolvedBy::Requester, vec![]))
        .events();
    assert!(
        matches!(&events[0], RequestEvent::RequestResolved(r) if r.resolution == ResolvedBy::Requester)
    );
}

#[test]
fn a_neighbour_resolution_must_credit_a_helper() {
    given::<R>([posted(), matched(BEN)])
        .when(&anna(), resolve(ResolvedBy::Neighbour, vec![]))
        .then_err(RequestError::NoHelperCredited);
}

#[test]
fn only_matched_helpers_can_be_credited() {
    given::<R>([posted(), matched(BEN)])
        .when(&anna(), resolve(ResolvedBy::Neighbour, vec![CAS]))
        .then_err(RequestError::CreditedHelperNotMatched(CAS));
}

#[test]
fn a_professional_resolution_needs_a_referral() {
    given::<R>([posted()])
        .when(&dirk(), resolve(ResolvedBy::Professional, vec![]))
        .then_err(RequestError::ProfessionalNeedsReferral);
}

#[test]
fn helpers_are_not_credited_when_the_requester_solved_it() {
    given::<R>([posted(), matched(BEN)])
        .when(&anna(), resolve(ResolvedBy::Requester, vec![BEN]))
        .then_err(RequestError::HelpersOnlyForNeighbour);
}

#[test]
fn an_uninvolved_resident_cannot_resolve() {
    given::<R>([posted(), matched(BEN)])
        .when(&gus(), resolve(ResolvedBy::Neighbour, vec![BEN]))
        .then_err(RequestError::NotInvolved);
}

#[test]
fn a_partner_cannot_resolve_a_request_that_was_not_referred() {
    given::<R>([posted(), matched(BEN)])
        .when(&eva(), resolve(ResolvedBy::Neighbour, vec![BEN]))
        .then_err(RequestError::NotInvolved);
}

#[test]
fn a_resolved_request_cannot_be_resolved_again() {
    given::<R>([posted(), matched(BEN), resolved_by_neighbour(BEN)])
        .when(&anna(), resolve(ResolvedBy::Requester, vec![]))
        .then_err(RequestError::Resolved);
}

// ---- closing and reopening ----

#[test]
fn the_requester_withdraws_her_request() {
    given::<R>([posted()])
        .when(&anna(), close(CloseReason::Withdrawn))
        .then(vec![closed(CloseReason::Withdrawn)]);
}

#[test]
fn an_ambassador_closes_a_duplicate_but_nothing_else() {
    let amber = ctx(AMBER, Role::Ambassador);
    assert_eq!(
        given::<R>([posted()])
            .when(&amber, close(CloseReason::Duplicate))
            .events()
            .len(),
        1
    );
    given::<R>([posted()])
        .when(&amber, close(CloseReason::Unresolvable))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Ambassador,
            action: "close someone else's request",
        }));
}

#[test]
fn a_helper_cannot_close_someone_elses_request() {
    given::<R>([posted()])
        .when(&ben(), close(CloseReason::NoLongerNeeded))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Helper,
            action: "close someone else's request",
        }));
}

#[test]
fn a_closed_request_accepts_no_offer_match_or_resolution() {
    let history = [posted(), offered(BEN), closed(CloseReason::NoLongerNeeded)];
    given::<R>(history.clone())
        .when(&cas(), offer(CAS))
        .then_err(RequestError::Closed);
    given::<R>(history.clone())
        .when(&anna(), match_cmd(BEN))
        .then_err(RequestError::Closed);
    given::<R>(history.clone())
        .when(&anna(), resolve(ResolvedBy::Requester, vec![]))
        .then_err(RequestError::Closed);
    given::<R>(history)
        .when(&anna(), close(CloseReason::Withdrawn))
        .then_err(RequestError::Closed);
}

#[test]
fn a_connector_reopens_a_closed_request_for_a_fresh_round() {
    let reopened = RequestReopened {
        request_id: REQ,
        reopened_by: DIRK,
    };
    given::<R>([posted(), closed(CloseReason::NoLongerNeeded)])
        .when(
            &dirk(),
            RequestCommand::Reopen(ReopenRequest { request_id: REQ }),
        )
        .then(vec![reopened.clone().into()]);
    let state = R::fold(
        [
            posted(),
            offered(BEN),
            matched(BEN),
            closed(CloseReason::Unresolvable),
            reopened.into(),
        ]
        .iter(),
    );
    assert_eq!(state.status, RequestStatus::Open);
    assert!(state.matched.is_empty() && state.offers.is_empty());
}

#[test]
fn a_connector_reopens_a_resolved_request() {
    assert_eq!(
        given::<R>([posted(), matched(BEN), resolved_by_neighbour(BEN)])
            .when(
                &dirk(),
                RequestCommand::Reopen(ReopenRequest { request_id: REQ })
            )
            .events()
            .len(),
        1
    );
}

#[test]
fn the_requester_cannot_reopen() {
    given::<R>([posted(), closed(CloseReason::Withdrawn)])
        .when(
            &anna(),
            RequestCommand::Reopen(ReopenRequest { request_id: REQ }),
        )
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "reopen a request",
        }));
}

#[test]
fn an_open_request_cannot_be_reopened() {
    given::<R>([posted()])
        .when(
            &dirk(),
            RequestCommand::Reopen(ReopenRequest { request_id: REQ }),
        )
        .then_err(RequestError::NotReopenable);
}

// ---- feedback ----

#[test]
fn the_requester_gives_feedback_after_resolution() {
    given::<R>([posted(), matched(BEN), resolved_by_neighbour(BEN)])
        .when(&anna(), feedback())
        .then(vec![FeedbackGiven {
            request_id: REQ,
            given_by: ANNA,
            rating: Rating::new(5).expect("in range"),
            comment: None,
        }
        .into()]);
}

#[test]
fn a_matched_helper_gives_feedback_after_resolution() {
    assert_eq!(
        given::<R>([posted(), matched(BEN), resolved_by_neighbour(BEN)])
            .when(&ben(), feedback())
            .events()
            .len(),
        1
    );
}

#[test]
fn a_connector_records_feedback_on_behalf_of_an_offline_requester() {
    let events = given::<R>([posted(), matched(BEN), resolved_by_neighbour(BEN)])
        .when(&dirk().acting_for(ANNA), feedback())
        .events();
    assert!(matches!(&events[0], RequestEvent::FeedbackGiven(f) if f.given_by == ANNA));
}

#[test]
fn feedback_before_resolution_is_refused() {
    given::<R>([posted(), matched(BEN)])
        .when(&anna(), feedback())
        .then_err(RequestError::NotResolved);
}

#[test]
fn an_uninvolved_resident_cannot_give_feedback() {
    given::<R>([posted(), matched(BEN), resolved_by_neighbour(BEN)])
        .when(&gus(), feedback())
        .then_err(RequestError::FeedbackNotAllowed);
}

#[test]
fn feedback_is_given_once_per_person() {
    let given_once = FeedbackGiven {
        request_id: REQ,
        given_by: ANNA,
        rating: Rating::new(4).expect("in range"),
        comment: None,
    };
    given::<R>([
        posted(),
        matched(BEN),
        resolved_by_neighbour(BEN),
        given_once.into(),
    ])
    .when(&anna(), feedback())
    .then_err(RequestError::FeedbackAlreadyGiven);
}

// ---- corrections and voids ----

#[test]
fn a_connector_corrects_the_category_with_an_event() {
    given::<R>([posted()])
        .when(&dirk(), correct_category("transport"))
        .then(vec![RequestCorrected {
            request_id: REQ,
            corrected_by: DIRK,
            category: Some(category("transport")),
            target_group: None,
            neighbourhood_id: None,
            urgency: None,
            channel: None,
        }
        .into()]);
}

#[test]
fn a_correction_that_changes_nothing_is_refused() {
    given::<R>([posted()])
        .when(&dirk(), correct_category("errands"))
        .then_err(RequestError::NothingToCorrect);
}

#[test]
fn a_resident_cannot_correct() {
    given::<R>([posted()])
        .when(&anna(), correct_category("transport"))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "correct a request",
        }));
}

#[test]
fn a_closed_request_can_still_be_corrected() {
    assert_eq!(
        given::<R>([posted(), closed(CloseReason::Duplicate)])
            .when(&dirk(), correct_category("transport"))
            .events()
            .len(),
        1
    );
}

#[test]
fn a_connector_voids_a_request_posted_in_error() {
    given::<R>([posted()])
        .when(
            &dirk(),
            RequestCommand::Void(VoidRequest { request_id: REQ }),
        )
        .then(vec![voided()]);
}

#[test]
fn a_voided_request_accepts_only_corrections() {
    let history = [posted(), offered(BEN), voided()];
    given::<R>(history.clone())
        .when(&cas(), offer(CAS))
        .then_err(RequestError::Voided);
    given::<R>(history.clone())
        .when(
            &dirk(),
            RequestCommand::Reopen(ReopenRequest { request_id: REQ }),
        )
        .then_err(RequestError::Voided);
    given::<R>(history.clone())
        .when(
            &dirk(),
            RequestCommand::Void(VoidRequest { request_id: REQ }),
        )
        .then_err(RequestError::Voided);
    given::<R>(history.clone())
        .when(&anna(), close(CloseReason::Withdrawn))
        .then_err(RequestError::Voided);
    assert_eq!(
        given::<R>(history)
            .when(&dirk(), correct_category("transport"))
            .events()
            .len(),
        1
    );
}

#[test]
fn a_closed_request_cannot_be_voided_without_reopening_it() {
    given::<R>([posted(), closed(CloseReason::Duplicate)])
        .when(
            &dirk(),
            RequestCommand::Void(VoidRequest { request_id: REQ }),
        )
        .then_err(RequestError::Closed);
}

#[test]
fn a_resident_cannot_void() {
    given::<R>([posted()])
        .when(
            &anna(),
            RequestCommand::Void(VoidRequest { request_id: REQ }),
        )
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "void a request",
        }));
}

#[test]
fn error_messages_speak_to_a_connector() {
    assert_eq!(
        RequestError::OwnRequest.to_string(),
        "you cannot offer help on your own request"
    );
    assert_eq!(
        RequestError::Access(Refusal::NotAllowed {
            role: Role::Helper,
            action: "void a request"
        })
        .to_string(),
        "a helper may not void a request"
    );
}
