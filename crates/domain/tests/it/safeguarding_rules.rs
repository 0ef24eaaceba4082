//! Given/when/then tests for safeguarding: a helper's screening and suspension on the person,
//! the tenant's sensitive categories, incidents and complaints, and the rule every offer and
//! match passes; and a property that no sequence of commands matches (or records an offer of)
//! a suspended helper, or an unscreened one in a sensitive category.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use noaber_domain::incident::*;
use noaber_domain::person::*;
use noaber_domain::request::*;
use noaber_domain::tenant::{SetSensitiveCategories, Tenant, TenantEvent, TenantSettingsChanged};
use noaber_domain::values::{CategoryCode, DigitalAccess, DisplayName, Language};
use noaber_domain::{
    CommandContext, Decider, Fact, IncidentId, PersonId, Personal, Reference, Refusal, Requirement,
    Role, RoleScope, TenantError,
};
use proptest::prelude::*;
use uuid::Uuid;

use crate::common::*;

const INCIDENT: IncidentId = IncidentId::new(Uuid::from_u128(0x500));

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

/// The day of [`now`].
fn today() -> NaiveDate {
    now().date_naive()
}

fn admin() -> CommandContext {
    ctx(ADA, Role::Admin)
}

/// Ben, registered by himself and opted in as a helper.
fn ben_helping() -> Vec<PersonEvent> {
    vec![
        PersonRegistered {
            person_id: BEN,
            name: Personal::clear(BEN, "Ben"),
            contact: None,
            address: None,
            neighbourhood_id: HOOD,
            location: None,
            precise_location: None,
            languages: vec![],
            digital_access: DigitalAccess::Digital,
            registered_by: BEN,
            self_registered: true,
            consent: None,
        }
        .into(),
        HelperOptedIn { person_id: BEN }.into(),
    ]
}

fn record(issued_on: NaiveDate, valid_until: NaiveDate) -> RecordScreening {
    RecordScreening {
        person_id: BEN,
        kind: ScreeningKind::Vog,
        issued_on,
        valid_until,
    }
}

fn recorded(issued_on: NaiveDate, valid_until: NaiveDate) -> PersonEvent {
    ScreeningRecorded {
        person_id: BEN,
        kind: ScreeningKind::Vog,
        issued_on,
        valid_until,
        recorded_by: DIRK,
    }
    .into()
}

fn suspend(reason: SuspensionReason) -> SuspendHelper {
    SuspendHelper {
        person_id: BEN,
        reason,
        note: None,
        incident_id: None,
    }
}

fn suspended() -> PersonEvent {
    HelperSuspended {
        person_id: BEN,
        reason: SuspensionReason::Conduct,
        note: None,
        incident_id: None,
        suspended_by: DIRK,
    }
    .into()
}

// ---- screening ----

#[test]
fn a_connector_records_a_screening_a_helper_showed_them() {
    given::<Person>(ben_helping())
        .when(&dirk(), record(day(2025, 2, 1), day(2028, 1, 31)))
        .then(vec![recorded(day(2025, 2, 1), day(2028, 1, 31))]);
}

#[test]
fn the_screening_recorded_is_what_the_persons_standing_holds() {
    let mut history = ben_helping();
    history.push(recorded(day(2025, 2, 1), day(2028, 1, 31)));
    let state = Person::fold(history.iter());
    let screening = state.standing.screening.expect("a screening");
    assert_eq!(screening.kind, ScreeningKind::Vog);
    assert!(screening.valid_on(today()));
    assert!(!screening.valid_on(day(2028, 2, 1)));
    assert!(!screening.valid_on(day(2025, 1, 31)));
    assert!(!state.standing.suspended);
}

#[test]
fn only_a_connector_or_admin_records_a_screening() {
    for (who, role) in [
        (BEN, Role::Helper),
        (ANNA, Role::Resident),
        (EVA, Role::Partner),
        (AMBER, Role::Ambassador),
    ] {
        given::<Person>(ben_helping())
            .when(&ctx(who, role), record(day(2025, 2, 1), day(2028, 1, 31)))
            .then_err(PersonError::Access(Refusal::NotAllowed {
                role,
                action: "record a screening",
            }));
    }
    given::<Person>(ben_helping())
        .when(&femke(), record(day(2025, 2, 1), day(2028, 1, 31)))
        .then_err(PersonError::Access(Refusal::FunderCannotAct));
    given::<Person>(ben_helping())
        .when(&admin(), record(day(2025, 2, 1), day(2028, 1, 31)))
        .events();
}

#[test]
fn a_screening_issued_after_the_day_it_is_recorded_is_refused() {
    let tomorrow = today() + Duration::days(1);
    given::<Person>(ben_helping())
        .when(&dirk(), record(tomorrow, day(2028, 1, 31)))
        .then_err(PersonError::ScreeningIssuedInFuture(tomorrow));
    // Recorded as having happened earlier, the day that counts is that earlier day.
    let last_week = dirk().happened_at(now() - Duration::days(7));
    given::<Person>(ben_helping())
        .when(&last_week, record(today(), day(2028, 1, 31)))
        .then_err(PersonError::ScreeningIssuedInFuture(today()));
}

#[test]
fn a_screening_valid_until_before_it_was_issued_is_refused() {
    given::<Person>(ben_helping())
        .when(&dirk(), record(day(2025, 2, 1), day(2025, 1, 31)))
        .then_err(PersonError::ScreeningEndsBeforeIssued);
}

#[test]
fn recording_the_screening_that_counts_again_is_refused_but_a_renewal_replaces_it() {
    let mut history = ben_helping();
    history.push(recorded(day(2022, 2, 1), day(2025, 1, 31)));
    given::<Person>(history.clone())
        .when(&dirk(), record(day(2022, 2, 1), day(2025, 1, 31)))
        .then_err(PersonError::ScreeningAlreadyRecorded);
    let history = given::<Person>(history)
        .when(&dirk(), record(day(2025, 2, 1), day(2028, 1, 31)))
        .history();
    let state = Person::fold(history.iter());
    assert_eq!(
        state.standing.screening.map(|s| s.valid_until),
        Some(day(2028, 1, 31))
    );
}

#[test]
fn no_screening_is_recorded_for_someone_unregistered_or_erased() {
    given::<Person>([])
        .when(&dirk(), record(day(2025, 2, 1), day(2028, 1, 31)))
        .then_err(PersonError::NotRegistered);
    let mut history = ben_helping();
    history.push(
        PersonErased {
            person_id: BEN,
            erased_by: DIRK,
        }
        .into(),
    );
    given::<Person>(history)
        .when(&dirk(), record(day(2025, 2, 1), day(2028, 1, 31)))
        .then_err(PersonError::Erased);
}

#[test]
fn a_withdrawn_screening_no_longer_counts_and_none_cannot_be_withdrawn() {
    let withdraw = WithdrawScreening {
        person_id: BEN,
        reason: ScreeningWithdrawal::Revoked,
    };
    given::<Person>(ben_helping())
        .when(&dirk(), withdraw.clone())
        .then_err(PersonError::NoScreening);
    let mut history = ben_helping();
    history.push(recorded(day(2025, 2, 1), day(2028, 1, 31)));
    let history = given::<Person>(history)
        .when(&dirk(), withdraw.clone())
        .history();
    assert_eq!(
        history.last(),
        Some(
            &ScreeningWithdrawn {
                person_id: BEN,
                reason: ScreeningWithdrawal::Revoked,
                withdrawn_by: DIRK,
            }
            .into()
        )
    );
    assert_eq!(Person::fold(history.iter()).standing.screening, None);
    given::<Person>(history)
        .when(&ben(), withdraw)
        .then_err(PersonError::Access(Refusal::NotAllowed {
            role: Role::Helper,
            action: "withdraw a screening",
        }));
}

// ---- suspension ----

#[test]
fn a_connector_suspends_a_helper_which_ends_their_helper_role() {
    let history = given::<Person>(ben_helping())
        .when(&dirk(), suspend(SuspensionReason::Conduct))
        .history();
    assert_eq!(history.last(), Some(&suspended()));
    let state = Person::fold(history.iter());
    assert!(state.standing.suspended);
    assert!(!state.helper);
}

#[test]
fn a_suspended_person_opts_in_again_only_after_the_suspension_is_lifted() {
    let opt_in = OptInAsHelper { person_id: BEN };
    let mut history = ben_helping();
    history.push(suspended());
    given::<Person>(history.clone())
        .when(&ben(), opt_in.clone())
        .then_err(PersonError::HelperSuspended);
    let history = given::<Person>(history)
        .when(&dirk(), LiftSuspension { person_id: BEN })
        .history();
    assert_eq!(
        history.last(),
        Some(
            &SuspensionLifted {
                person_id: BEN,
                lifted_by: DIRK,
            }
            .into()
        )
    );
    // Lifting does not make them a helper again: they opt in themselves.
    assert!(!Person::fold(history.iter()).helper);
    given::<Person>(history)
        .when(&ben(), opt_in)
        .then(vec![HelperOptedIn { person_id: BEN }.into()]);
}

#[test]
fn opting_out_first_does_not_escape_a_suspension() {
    let mut history = ben_helping();
    history.push(HelperOptedOut { person_id: BEN }.into());
    let history = given::<Person>(history)
        .when(&dirk(), suspend(SuspensionReason::IncidentUnderReview))
        .history();
    given::<Person>(history)
        .when(&ben(), OptInAsHelper { person_id: BEN })
        .then_err(PersonError::HelperSuspended);
}

#[test]
fn suspending_twice_and_lifting_what_is_not_suspended_are_refused() {
    let mut history = ben_helping();
    given::<Person>(history.clone())
        .when(&dirk(), LiftSuspension { person_id: BEN })
        .then_err(PersonError::NotSuspended);
    history.push(suspended());
    given::<Person>(history)
        .when(&dirk(), suspend(SuspensionReason::Other))
        .then_err(PersonError::AlreadySuspended);
}

#[test]
fn only_a_connector_or_admin_suspends_or_lifts() {
    for (who, role) in [
        (ANNA, Role::Resident),
        (BEN, Role::Helper),
        (EVA, Role::Partner),
        (AMBER, Role::Ambassador),
    ] {
        given::<Person>(ben_helping())
            .when(&ctx(who, role), suspend(SuspensionReason::Conduct))
            .then_err(PersonError::Access(Refusal::NotAllowed {
                role,
                action: "suspend a helper",
            }));
        let mut history = ben_helping();
        history.push(suspended());
        given::<Person>(history)
            .when(&ctx(who, role), LiftSuspension { person_id: BEN })
            .then_err(PersonError::Access(Refusal::NotAllowed {
                role,
                action: "lift a suspension",
            }));
    }
}

#[test]
fn a_suspension_note_is_recorded_as_about_the_suspended_person() {
    let events = given::<Person>(ben_helping())
        .when(
            &dirk(),
            SuspendHelper {
                note: Some(Personal::clear(DIRK, "klacht van mevrouw, gesprek volgt")),
                incident_id: Some(INCIDENT),
                ..suspend(SuspensionReason::IncidentUnderReview)
            },
        )
        .events();
    let [PersonEvent::HelperSuspended(e)] = events.as_slice() else {
        panic!("one suspension, got {events:?}");
    };
    assert_eq!(e.note.as_ref().map(|n| n.subject), Some(BEN));
    assert_eq!(e.incident_id, Some(INCIDENT));
}

#[test]
fn a_suspension_names_the_incident_that_led_to_it() {
    let with = PersonCommand::from(SuspendHelper {
        incident_id: Some(INCIDENT),
        ..suspend(SuspensionReason::IncidentUnderReview)
    });
    assert_eq!(
        Person::references(&with),
        vec![Reference {
            category: "incident",
            id: INCIDENT.as_uuid(),
        }]
    );
    let without = PersonCommand::from(suspend(SuspensionReason::Conduct));
    assert_eq!(Person::references(&without), vec![]);
}

#[test]
fn a_suspension_leaves_granted_roles_alone() {
    let mut history = ben_helping();
    history.push(
        RoleGranted {
            person_id: BEN,
            role: Role::Partner,
            scope: RoleScope::Organisation(ORG),
            granted_by: ADA,
        }
        .into(),
    );
    let events = given::<Person>(history.clone())
        .when(&dirk(), suspend(SuspensionReason::Conduct))
        .events();
    assert_eq!(events, vec![suspended()]);
    history.extend(events);
    assert!(Person::fold(history.iter()).holds(Role::Partner));
}

// ---- the tenant's sensitive categories ----

fn sensitive(codes: &[&str]) -> BTreeSet<CategoryCode> {
    codes.iter().map(|c| category(c)).collect()
}

fn set_sensitive(codes: &[&str]) -> SetSensitiveCategories {
    SetSensitiveCategories {
        tenant_id: TENANT,
        categories: sensitive(codes),
    }
}

#[test]
fn an_admin_marks_categories_sensitive_even_before_the_tenant_is_registered() {
    given::<Tenant>([])
        .when(&admin(), set_sensitive(&["care_support", "company"]))
        .then(vec![TenantSettingsChanged {
            tenant_id: TENANT,
            name: None,
            default_language: None,
            sensitive_categories: Some(sensitive(&["care_support", "company"])),
            retention: None,
        }
        .into()]);
}

#[test]
fn the_sensitive_categories_are_replaced_as_a_whole_and_the_same_set_is_refused() {
    let history = given::<Tenant>([])
        .when(&admin(), set_sensitive(&["care_support", "company"]))
        .history();
    given::<Tenant>(history.clone())
        .when(&admin(), set_sensitive(&["company", "care_support"]))
        .then_err(TenantError::NothingChanged);
    let history = given::<Tenant>(history)
        .when(&admin(), set_sensitive(&["children"]))
        .history();
    assert_eq!(
        Tenant::fold(history.iter()).sensitive_categories,
        sensitive(&["children"])
    );
    let cleared = given::<Tenant>(history)
        .when(&admin(), set_sensitive(&[]))
        .history();
    assert!(Tenant::fold(cleared.iter()).sensitive_categories.is_empty());
}

#[test]
fn a_name_change_keeps_the_sensitive_categories() {
    let mut history: Vec<TenantEvent> = given::<Tenant>([])
        .when(&admin(), set_sensitive(&["company"]))
        .history();
    history.push(
        noaber_domain::tenant::TenantRegistered {
            tenant_id: TENANT,
            name: DisplayName::parse("Gent").expect("ok"),
            default_language: Language::parse("nl").expect("ok"),
            registered_by: ADA,
        }
        .into(),
    );
    history.push(
        TenantSettingsChanged {
            tenant_id: TENANT,
            name: Some(DisplayName::parse("Stad Gent").expect("ok")),
            default_language: None,
            sensitive_categories: None,
            retention: None,
        }
        .into(),
    );
    assert_eq!(
        Tenant::fold(history.iter()).sensitive_categories,
        sensitive(&["company"])
    );
}

#[test]
fn only_the_tenants_admin_marks_categories_sensitive() {
    given::<Tenant>([])
        .when(&dirk(), set_sensitive(&["company"]))
        .then_err(TenantError::Access(Refusal::AdminOnly {
            role: Role::Connector,
            action: "manage the tenant",
        }));
    given::<Tenant>([])
        .when(
            &admin(),
            SetSensitiveCategories {
                tenant_id: noaber_domain::TenantId::new(Uuid::from_u128(0x7f)),
                categories: sensitive(&["company"]),
            },
        )
        .then_err(TenantError::OtherTenant);
}

// ---- incidents and complaints ----

fn report(by: PersonId) -> ReportIncident {
    ReportIncident {
        incident_id: INCIDENT,
        kind: IncidentKind::Complaint,
        request_id: Some(REQ),
        person_id: Some(BEN),
        description: Personal::clear(by, "Hij kwam niet opdagen en was onbeleefd aan de telefoon"),
    }
}

fn reported(by: PersonId, subject: PersonId) -> IncidentEvent {
    IncidentReported {
        incident_id: INCIDENT,
        kind: IncidentKind::Complaint,
        request_id: Some(REQ),
        person_id: Some(BEN),
        description: Personal::clear(
            subject,
            "Hij kwam niet opdagen en was onbeleefd aan de telefoon",
        ),
        reported_by: by,
    }
    .into()
}

#[test]
fn a_resident_reports_a_complaint_as_their_own_words() {
    given::<Incident>([])
        .when(&anna(), report(ANNA))
        .then(vec![reported(ANNA, ANNA)]);
}

#[test]
fn anyone_signed_in_reports_but_a_funder_or_auditor_does_not() {
    for (who, role) in [
        (BEN, Role::Helper),
        (EVA, Role::Partner),
        (AMBER, Role::Ambassador),
        (GUS, Role::Resident),
        (DIRK, Role::Connector),
    ] {
        given::<Incident>([])
            .when(&ctx(who, role), report(who))
            .then(vec![reported(who, who)]);
    }
    given::<Incident>([])
        .when(&femke(), report(FEMKE))
        .then_err(IncidentError::Access(Refusal::FunderCannotAct));
    given::<Incident>([])
        .when(&ctx(FEMKE, Role::Auditor), report(FEMKE))
        .then_err(IncidentError::Access(Refusal::AuditorCannotAct));
}

#[test]
fn a_connector_reporting_for_a_resident_records_the_residents_words() {
    given::<Incident>([])
        .when(&dirk().acting_for(ANNA), report(DIRK))
        .then(vec![reported(DIRK, ANNA)]);
    given::<Incident>([])
        .when(&gus().acting_for(ANNA), report(GUS))
        .then_err(IncidentError::Access(Refusal::OnlyForYourself {
            action: "report an incident",
        }));
}

#[test]
fn a_report_about_nothing_or_without_words_is_refused() {
    given::<Incident>([])
        .when(
            &anna(),
            ReportIncident {
                request_id: None,
                person_id: None,
                ..report(ANNA)
            },
        )
        .then_err(IncidentError::AboutNothing);
    given::<Incident>([])
        .when(
            &anna(),
            ReportIncident {
                description: Personal::clear(ANNA, "   "),
                ..report(ANNA)
            },
        )
        .then_err(IncidentError::EmptyReport);
    given::<Incident>([reported(ANNA, ANNA)])
        .when(&anna(), report(ANNA))
        .then_err(IncidentError::AlreadyReported);
}

#[test]
fn a_report_names_the_request_and_the_person_it_is_about() {
    let both = IncidentCommand::from(report(ANNA));
    assert_eq!(
        Incident::references(&both),
        vec![
            Reference {
                category: "request",
                id: REQ.as_uuid(),
            },
            Reference {
                category: "person",
                id: BEN.as_uuid(),
            },
        ]
    );
    let acknowledge = IncidentCommand::from(AcknowledgeIncident {
        incident_id: INCIDENT,
    });
    assert_eq!(Incident::references(&acknowledge), vec![]);
}

#[test]
fn a_connector_acknowledges_once_and_closes_with_an_outcome() {
    let acknowledge = AcknowledgeIncident {
        incident_id: INCIDENT,
    };
    let close = CloseIncident {
        incident_id: INCIDENT,
        outcome: IncidentOutcome::Resolved,
    };
    let history = given::<Incident>([reported(ANNA, ANNA)])
        .when(&dirk(), acknowledge.clone())
        .history();
    given::<Incident>(history.clone())
        .when(&dirk(), acknowledge.clone())
        .then_err(IncidentError::AlreadyAcknowledged);
    let history = given::<Incident>(history)
        .when(&admin(), close.clone())
        .history();
    assert_eq!(
        history.last(),
        Some(
            &IncidentClosed {
                incident_id: INCIDENT,
                outcome: IncidentOutcome::Resolved,
                closed_by: ADA,
            }
            .into()
        )
    );
    given::<Incident>(history.clone())
        .when(&dirk(), close)
        .then_err(IncidentError::Closed);
    given::<Incident>(history)
        .when(&dirk(), acknowledge)
        .then_err(IncidentError::Closed);
}

#[test]
fn a_report_can_be_closed_without_being_acknowledged_but_not_before_it_exists() {
    let close = CloseIncident {
        incident_id: INCIDENT,
        outcome: IncidentOutcome::Unfounded,
    };
    given::<Incident>([reported(ANNA, ANNA)])
        .when(&dirk(), close.clone())
        .events();
    given::<Incident>([])
        .when(&dirk(), close)
        .then_err(IncidentError::NotReported);
}

#[test]
fn only_a_connector_or_admin_handles_a_report() {
    for (who, role) in [
        (ANNA, Role::Resident),
        (BEN, Role::Helper),
        (EVA, Role::Partner),
    ] {
        given::<Incident>([reported(ANNA, ANNA)])
            .when(
                &ctx(who, role),
                AcknowledgeIncident {
                    incident_id: INCIDENT,
                },
            )
            .then_err(IncidentError::Access(Refusal::NotAllowed {
                role,
                action: "acknowledge an incident",
            }));
    }
}

// ---- the rule every offer and match passes ----

/// A world where the tenant marks `sensitive` categories and helpers stand as `standings`
/// (anyone else: never suspended, never screened).
fn world(
    sensitive: BTreeSet<CategoryCode>,
    standings: BTreeMap<PersonId, Standing>,
) -> impl Fn(&Requirement) -> Fact + 'static {
    move |r: &Requirement| match r {
        Requirement::HelperStanding { helper, category } => Fact::HelperStanding {
            helper: *helper,
            category: category.clone(),
            standing: standings.get(helper).copied().unwrap_or_default(),
            sensitive: sensitive.contains(category),
        },
    }
}

fn screened(issued_on: NaiveDate, valid_until: NaiveDate) -> Standing {
    Standing {
        suspended: false,
        screening: Some(Screening {
            kind: ScreeningKind::CriminalRecordExtract,
            issued_on,
            valid_until,
        }),
        erased: false,
    }
}

/// Anna's request for company at home.
fn company_posted() -> RequestEvent {
    let RequestEvent::RequestPosted(posted) = posted() else {
        unreachable!("posted() is a RequestPosted");
    };
    RequestPosted {
        category: category("company"),
        ..posted
    }
    .into()
}

fn offer(helper: PersonId) -> OfferHelp {
    OfferHelp {
        request_id: REQ,
        helper,
        message: None,
    }
}

fn match_(helper: PersonId) -> MatchHelper {
    MatchHelper {
        request_id: REQ,
        helper,
    }
}

#[test]
fn an_unscreened_helper_neither_offers_nor_is_matched_in_a_sensitive_category() {
    let company = || world(sensitive(&["company"]), BTreeMap::new());
    given::<HelpRequest>([company_posted()])
        .knowing(company())
        .when(&ben(), offer(BEN))
        .then_err(RequestError::HelperNotScreened(category("company")));
    given::<HelpRequest>([company_posted()])
        .knowing(company())
        .when(&dirk(), match_(BEN))
        .then_err(RequestError::HelperNotScreened(category("company")));
}

#[test]
fn an_unscreened_helper_is_matched_in_a_category_that_is_not_sensitive() {
    given::<HelpRequest>([posted()])
        .knowing(world(sensitive(&["company"]), BTreeMap::new()))
        .when(&dirk(), match_(BEN))
        .events();
}

#[test]
fn a_helper_screened_until_the_match_day_is_matched_in_a_sensitive_category() {
    let standings = BTreeMap::from([(BEN, screened(day(2022, 3, 14), today()))]);
    given::<HelpRequest>([company_posted(), offered(BEN)])
        .knowing(world(sensitive(&["company"]), standings))
        .when(&anna(), match_(BEN))
        .then(vec![HelperMatched {
            request_id: REQ,
            helper: BEN,
            matched_by: ANNA,
            direct: false,
        }
        .into()]);
}

#[test]
fn a_screening_that_expired_before_the_match_day_is_refused_with_its_date() {
    let yesterday = today() - Duration::days(1);
    let standings = BTreeMap::from([(BEN, screened(day(2022, 3, 14), yesterday))]);
    // The offer was made while the screening held; accepting it now is refused.
    given::<HelpRequest>([company_posted(), offered(BEN)])
        .knowing(world(sensitive(&["company"]), standings.clone()))
        .when(&anna(), match_(BEN))
        .then_err(RequestError::ScreeningExpired(yesterday));
    // A match recorded as made last week, when it was still valid, stands.
    given::<HelpRequest>([company_posted()])
        .knowing(world(sensitive(&["company"]), standings))
        .when(&dirk().happened_at(now() - Duration::days(7)), match_(BEN))
        .events();
}

#[test]
fn a_screening_issued_after_the_match_day_does_not_count_for_it() {
    let standings = BTreeMap::from([(BEN, screened(today(), day(2028, 3, 13)))]);
    given::<HelpRequest>([company_posted()])
        .knowing(world(sensitive(&["company"]), standings))
        .when(&dirk().happened_at(now() - Duration::days(2)), match_(BEN))
        .then_err(RequestError::HelperNotScreened(category("company")));
}

#[test]
fn a_suspended_helper_neither_offers_nor_is_matched_in_any_category() {
    let suspended = Standing {
        suspended: true,
        ..screened(day(2024, 1, 1), day(2027, 1, 1))
    };
    let standings = BTreeMap::from([(BEN, suspended)]);
    for request in [posted(), company_posted()] {
        given::<HelpRequest>([request.clone()])
            .knowing(world(sensitive(&["company"]), standings.clone()))
            .when(&ben(), offer(BEN))
            .then_err(RequestError::HelperSuspended);
        given::<HelpRequest>([request, offered(BEN)])
            .knowing(world(sensitive(&["company"]), standings.clone()))
            .when(&anna(), match_(BEN))
            .then_err(RequestError::HelperSuspended);
    }
}

#[test]
fn the_rules_of_the_request_answer_before_the_helpers_standing() {
    // A resident matching on someone else's request hears that, not about screening.
    given::<HelpRequest>([company_posted()])
        .knowing(world(sensitive(&["company"]), BTreeMap::new()))
        .when(&gus(), match_(BEN))
        .then_err(RequestError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "match a helper to someone else's request",
        }));
}

#[test]
fn an_offer_and_a_match_require_the_helpers_standing_in_the_current_category() {
    let corrected: RequestEvent = RequestCorrected {
        request_id: REQ,
        corrected_by: DIRK,
        category: Some(category("care_support")),
        target_group: None,
        neighbourhood_id: None,
        urgency: None,
        channel: None,
    }
    .into();
    let state = HelpRequest::fold([posted(), corrected].iter());
    let wanted = vec![Requirement::HelperStanding {
        helper: CAS,
        category: category("care_support"),
    }];
    assert_eq!(
        HelpRequest::requirements(&state, &offer(CAS).into()),
        wanted
    );
    assert_eq!(
        HelpRequest::requirements(&state, &match_(CAS).into()),
        wanted
    );
    let others = [
        RequestCommand::WithdrawOffer(WithdrawOffer {
            request_id: REQ,
            helper: CAS,
        }),
        RequestCommand::Reopen(ReopenRequest { request_id: REQ }),
    ];
    for command in others {
        assert_eq!(HelpRequest::requirements(&state, &command), vec![]);
    }
    assert_eq!(
        HelpRequest::requirements(&RequestState::default(), &offer(CAS).into()),
        vec![]
    );
}

// ---- the property ----

const HELPERS: [PersonId; 4] = [BEN, CAS, GUS, AMBER];
const CATEGORIES: [&str; 3] = ["errands", "company", "care_support"];

fn standing_strategy() -> impl Strategy<Value = Standing> {
    (
        proptest::bool::weighted(0.2),
        proptest::option::weighted(0.8, (-60i64..10, 0i64..90)),
        0usize..2,
    )
        .prop_map(|(suspended, screening, kind)| Standing {
            suspended,
            screening: screening.map(|(issued, days)| {
                let issued_on = today() + Duration::days(issued);
                Screening {
                    kind: ScreeningKind::ALL[kind],
                    issued_on,
                    valid_until: issued_on + Duration::days(days),
                }
            }),
            erased: false,
        })
}

/// One step: command kind, helper, category, days before now it happened, who matches.
type Step = (usize, usize, usize, i64, bool);

fn step_strategy() -> impl Strategy<Value = Step> {
    (
        0usize..7,
        0usize..HELPERS.len(),
        0usize..CATEGORIES.len(),
        0i64..30,
        any::<bool>(),
    )
}

fn step_command(kind: usize, helper: PersonId, cat: usize) -> RequestCommand {
    match kind {
        0 => PostRequest {
            category: category(CATEGORIES[cat]),
            ..post(ANNA)
        }
        .into(),
        1 => offer(helper).into(),
        2 => match_(helper).into(),
        3 => CancelMatch {
            request_id: REQ,
            helper,
            reason: CancelReason::Other,
        }
        .into(),
        4 => CorrectRequest {
            request_id: REQ,
            category: Some(category(CATEGORIES[cat])),
            target_group: None,
            neighbourhood_id: None,
            urgency: None,
            channel: None,
        }
        .into(),
        5 => CloseRequest {
            request_id: REQ,
            reason: CloseReason::NoLongerNeeded,
        }
        .into(),
        _ => ReopenRequest { request_id: REQ }.into(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the helpers' standings, the tenant's sensitive categories and the order of
    /// commands, every offer and match that is decided (as the executor decides it) is of a
    /// helper who is not suspended and, in a category sensitive at that moment, holds a
    /// screening valid on the day it happened.
    #[test]
    fn no_sequence_of_commands_offers_or_matches_a_helper_who_may_not_help(
        standings in proptest::collection::vec(standing_strategy(), HELPERS.len()),
        marked in proptest::collection::btree_set(0usize..CATEGORIES.len(), 0..=CATEGORIES.len()),
        steps in proptest::collection::vec(step_strategy(), 1..40),
    ) {
        let standings: BTreeMap<PersonId, Standing> =
            HELPERS.iter().copied().zip(standings).collect();
        let sensitive: BTreeSet<CategoryCode> =
            marked.iter().map(|&i| category(CATEGORIES[i])).collect();
        let answer = world(sensitive.clone(), standings.clone());
        let mut history: Vec<RequestEvent> = Vec::new();
        for (kind, h, cat, days_ago, by_connector) in steps {
            let helper = HELPERS[h];
            let state = HelpRequest::fold(history.iter());
            let base = match kind {
                1 => ctx(helper, Role::Helper),
                2 if !by_connector => anna(),
                0 => anna(),
                _ => dirk(),
            };
            let ctx = base.happened_at(now() - Duration::days(days_ago));
            let command: RequestCommand = step_command(kind, helper, cat);
            let Ok(events) = HelpRequest::decide(&state, &ctx, &command) else {
                continue;
            };
            let facts: Vec<Fact> = HelpRequest::requirements(&state, &command)
                .iter()
                .map(&answer)
                .collect();
            if HelpRequest::check(&ctx, &facts).is_err() {
                continue;
            }
            let day = ctx.occurred_at().date_naive();
            for event in &events {
                let helper = match event {
                    RequestEvent::HelpOffered(e) => e.helper,
                    RequestEvent::HelperMatched(e) => e.helper,
                    _ => continue,
                };
                let standing = standings[&helper];
                prop_assert!(!standing.suspended, "{helper:?} is suspended: {event:?}");
                let category = state.category.clone().expect("a posted request");
                if sensitive.contains(&category) {
                    prop_assert!(
                        standing.screening.is_some_and(|s| s.valid_on(day)),
                        "{helper:?} is not screened on {day} for {category}: {event:?}"
                    );
                }
            }
            history.extend(events);
        }
    }
}
