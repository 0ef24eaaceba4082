//! Given/when/then tests for the person, call, organisation, neighbourhood and tenant rules.

use crate::common::*;
use chrono::Duration;
use noaber_domain::call::*;
use noaber_domain::neighbourhood::*;
use noaber_domain::organisation::*;
use noaber_domain::person::*;
use noaber_domain::tenant::*;
use noaber_domain::values::*;
use noaber_domain::{Personal, Refusal, Role};

// ---- person ----

fn register(person: noaber_domain::PersonId) -> RegisterPerson {
    RegisterPerson {
        person_id: person,
        name: Personal::clear(person, "Anna"),
        contact: Some(Personal::clear(person, "0470 00 00 00")),
        address: None,
        neighbourhood_id: HOOD,
        location: Some(ApproxLocation::new(51.05, 3.72).expect("on earth")),
        languages: vec![Language::parse("nl").expect("ok")],
        digital_access: DigitalAccess::Offline,
        consent: Some(ConsentBasis::ExplicitConsent),
        channel: Some(Channel::HomeVisit),
    }
}

fn registered(person: noaber_domain::PersonId, by: noaber_domain::PersonId) -> PersonEvent {
    let RegisterPerson {
        person_id,
        name,
        contact,
        address,
        neighbourhood_id,
        location,
        languages,
        digital_access,
        consent,
        channel,
    } = register(person);
    PersonRegistered {
        person_id,
        name,
        contact,
        address,
        neighbourhood_id,
        location: location.map(|l| l.area()),
        precise_location: location.map(|l| Personal::clear(person, l.to_string())),
        languages,
        digital_access,
        registered_by: by,
        self_registered: by == person,
        consent: Some(ConsentRecord {
            basis: consent.unwrap_or(ConsentBasis::ExplicitConsent),
            taken_by: by,
            channel: if by == person {
                Some(Channel::App)
            } else {
                channel
            },
        }),
    }
    .into()
}

#[test]
fn registering_someone_else_must_say_on_which_basis() {
    given::<Person>([])
        .when(
            &dirk(),
            RegisterPerson {
                consent: None,
                ..register(ANNA)
            },
        )
        .then_err(PersonError::ConsentBasisRequired);
}

#[test]
fn a_resident_registers_herself() {
    given::<Person>([])
        .when(&anna(), register(ANNA))
        .then(vec![registered(ANNA, ANNA)]);
}

#[test]
fn a_connector_registers_an_offline_resident() {
    given::<Person>([])
        .when(&dirk(), register(ANNA))
        .then(vec![registered(ANNA, DIRK)]);
}

#[test]
fn a_resident_cannot_register_someone_else() {
    given::<Person>([])
        .when(&gus(), register(ANNA))
        .then_err(PersonError::Access(Refusal::OnlyForYourself {
            action: "register",
        }));
}

#[test]
fn a_funder_cannot_register_anyone() {
    given::<Person>([])
        .when(&femke(), register(FEMKE))
        .then_err(PersonError::Access(Refusal::FunderCannotAct));
}

#[test]
fn a_person_is_registered_once() {
    given::<Person>([registered(ANNA, ANNA)])
        .when(&anna(), register(ANNA))
        .then_err(PersonError::AlreadyRegistered);
}

#[test]
fn personal_data_in_a_profile_must_be_about_that_person() {
    let cmd = RegisterPerson {
        contact: Some(Personal::clear(BEN, "ben@example.org")),
        ..register(ANNA)
    };
    given::<Person>([])
        .when(&anna(), cmd)
        .then_err(PersonError::WrongSubject);
}

#[test]
fn a_resident_declares_skills_and_opts_in_as_helper() {
    let skills = vec![
        SkillCode::parse("grocery_shopping").expect("known"),
        SkillCode::parse("dog_walking").expect("known"),
    ];
    let events = given::<Person>([registered(BEN, BEN)])
        .when(
            &ctx(BEN, Role::Resident),
            PersonCommand::DeclareSkills(DeclareSkills {
                person_id: BEN,
                skills,
                availability: Availability::always(),
                max_distance: Distance::from_km(2).expect("ok"),
                available_for_calls: true,
            }),
        )
        .events();
    assert!(matches!(&events[0], PersonEvent::SkillsDeclared(s) if s.skills.len() == 2));
    given::<Person>([registered(BEN, BEN)])
        .when(
            &ctx(BEN, Role::Resident),
            PersonCommand::OptIn(OptInAsHelper { person_id: BEN }),
        )
        .then(vec![HelperOptedIn { person_id: BEN }.into()]);
}

#[test]
fn declaring_no_skills_is_refused() {
    given::<Person>([registered(BEN, BEN)])
        .when(
            &ben(),
            PersonCommand::DeclareSkills(DeclareSkills {
                person_id: BEN,
                skills: vec![],
                availability: Availability::none(),
                max_distance: Distance::ZERO,
                available_for_calls: false,
            }),
        )
        .then_err(PersonError::NoSkills);
}

#[test]
fn opting_in_twice_or_out_without_opting_in_is_refused() {
    given::<Person>([
        registered(BEN, BEN),
        HelperOptedIn { person_id: BEN }.into(),
    ])
    .when(
        &ben(),
        PersonCommand::OptIn(OptInAsHelper { person_id: BEN }),
    )
    .then_err(PersonError::AlreadyHelper);
    given::<Person>([registered(BEN, BEN)])
        .when(
            &ben(),
            PersonCommand::OptOut(OptOutAsHelper { person_id: BEN }),
        )
        .then_err(PersonError::NotHelper);
}

#[test]
fn a_resident_cannot_change_someone_elses_profile() {
    given::<Person>([registered(ANNA, ANNA)])
        .when(
            &gus(),
            PersonCommand::OptIn(OptInAsHelper { person_id: ANNA }),
        )
        .then_err(PersonError::Access(Refusal::OnlyForYourself {
            action: "opt in as helper",
        }));
}

#[test]
fn an_empty_profile_update_is_refused() {
    given::<Person>([registered(ANNA, ANNA)])
        .when(
            &anna(),
            PersonCommand::UpdateProfile(UpdateProfile {
                person_id: ANNA,
                name: None,
                contact: None,
                address: None,
                neighbourhood_id: None,
                location: None,
                languages: None,
                digital_access: None,
            }),
        )
        .then_err(PersonError::NothingToUpdate);
}

#[test]
fn erasing_a_person_records_no_personal_data_and_ends_everything() {
    let events = given::<Person>([registered(ANNA, ANNA)])
        .when(
            &anna(),
            PersonCommand::Erase(ErasePerson { person_id: ANNA }),
        )
        .history();
    let (_, _, payload) = events[1].encode();
    assert_eq!(payload.as_object().map(|m| m.len()), Some(2));
    given::<Person>(events)
        .when(
            &dirk(),
            PersonCommand::OptIn(OptInAsHelper { person_id: ANNA }),
        )
        .then_err(PersonError::Erased);
}

#[test]
fn a_resident_cannot_erase_someone_else() {
    given::<Person>([registered(ANNA, ANNA)])
        .when(
            &gus(),
            PersonCommand::Erase(ErasePerson { person_id: ANNA }),
        )
        .then_err(PersonError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "erase someone else",
        }));
}

#[test]
fn nothing_can_be_recorded_about_an_unregistered_person() {
    given::<Person>([])
        .when(
            &anna(),
            PersonCommand::OptIn(OptInAsHelper { person_id: ANNA }),
        )
        .then_err(PersonError::NotRegistered);
}

// ---- call ----

fn publish(scope: CallScope, fields: Vec<CallField>) -> PublishCall {
    PublishCall {
        call_id: CALL,
        organisation_id: Some(ORG),
        title: Personal::clear(DIRK, "Sneeuw ruimen rond het dienstencentrum"),
        description: None,
        category: Some(category("community")),
        scope,
        fields_asked: fields,
        hands_needed: HandsNeeded::new(12).expect("ok"),
        deadline: now() + Duration::days(3),
        skills_wanted: vec![],
    }
}

fn published(fields: Vec<CallField>) -> CallEvent {
    <Call as noaber_domain::Decider>::decide(
        &CallState::default(),
        &dirk(),
        &publish(CallScope::All, fields).into(),
    )
    .expect("a connector may publish")
    .remove(0)
}

fn answer(
    name: Option<&str>,
    contact: Option<&str>,
    avail: bool,
    who: noaber_domain::PersonId,
) -> CallCommand {
    CallCommand::Answer(AnswerCall {
        call_id: CALL,
        name: name.map(|n| Personal::clear(who, n)),
        contact: contact.map(|c| Personal::clear(who, c)),
        availability: avail.then(Availability::always),
    })
}

#[test]
fn a_connector_publishes_a_call_to_several_neighbourhoods() {
    let other = noaber_domain::NeighbourhoodId::new(uuid::Uuid::from_u128(0x201));
    let events = given::<Call>([])
        .when(
            &dirk(),
            publish(
                CallScope::Neighbourhoods(vec![other, HOOD, HOOD]),
                vec![CallField::Name, CallField::Contact, CallField::Name],
            ),
        )
        .events();
    let CallEvent::CallPublished(p) = &events[0] else {
        panic!("expected CallPublished");
    };
    assert_eq!(p.scope, CallScope::Neighbourhoods(vec![HOOD, other]));
    assert_eq!(p.fields_asked, vec![CallField::Name, CallField::Contact]);
    assert!(p.scope.includes(HOOD));
}

#[test]
fn a_resident_cannot_publish_a_call() {
    given::<Call>([])
        .when(&anna(), publish(CallScope::All, vec![]))
        .then_err(CallError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "publish a call",
        }));
}

#[test]
fn a_call_to_no_neighbourhood_is_refused() {
    given::<Call>([])
        .when(&dirk(), publish(CallScope::Neighbourhoods(vec![]), vec![]))
        .then_err(CallError::NoNeighbourhoods);
}

#[test]
fn a_call_with_a_past_deadline_is_refused() {
    let cmd = PublishCall {
        deadline: now() - Duration::hours(1),
        ..publish(CallScope::All, vec![])
    };
    given::<Call>([])
        .when(&dirk(), cmd)
        .then_err(CallError::DeadlineNotInFuture);
}

#[test]
fn a_resident_answers_a_call_with_the_fields_asked() {
    given::<Call>([published(vec![CallField::Name, CallField::Availability])])
        .when(&gus(), answer(Some("Gus"), None, true, GUS))
        .then(vec![CallAnswered {
            call_id: CALL,
            answered_by: GUS,
            name: Some(Personal::clear(GUS, "Gus")),
            contact: None,
            availability: Some(Availability::always()),
        }
        .into()]);
}

#[test]
fn an_answer_missing_an_asked_field_is_refused() {
    given::<Call>([published(vec![CallField::Name, CallField::Contact])])
        .when(&gus(), answer(Some("Gus"), None, false, GUS))
        .then_err(CallError::MissingField(CallField::Contact));
}

#[test]
fn an_answer_holding_someone_elses_details_is_refused() {
    given::<Call>([published(vec![CallField::Name])])
        .when(&gus(), answer(Some("Anna"), None, false, ANNA))
        .then_err(CallError::WrongSubject);
}

#[test]
fn a_person_answers_a_call_once() {
    let history = given::<Call>([published(vec![])])
        .when(&gus(), answer(None, None, false, GUS))
        .history();
    given::<Call>(history)
        .when(&gus(), answer(None, None, false, GUS))
        .then_err(CallError::AlreadyAnswered);
}

#[test]
fn a_connector_answers_for_an_offline_resident() {
    let events = given::<Call>([published(vec![CallField::Name])])
        .when(
            &dirk().acting_for(ANNA),
            answer(Some("Anna"), None, false, ANNA),
        )
        .events();
    assert!(matches!(&events[0], CallEvent::CallAnswered(a) if a.answered_by == ANNA));
}

#[test]
fn a_resident_cannot_answer_for_someone_else() {
    given::<Call>([published(vec![])])
        .when(&gus().acting_for(ANNA), answer(None, None, false, ANNA))
        .then_err(CallError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "answer a call for someone else",
        }));
}

#[test]
fn answers_after_the_deadline_are_refused() {
    let mut late = gus();
    late.now = now() + Duration::days(4);
    given::<Call>([published(vec![])])
        .when(&late, answer(None, None, false, GUS))
        .then_err(CallError::DeadlinePassed);
}

#[test]
fn a_closed_call_takes_no_answers_and_cannot_close_again() {
    let closed = CallClosed {
        call_id: CALL,
        closed_by: DIRK,
        reason: CallCloseReason::Filled,
    };
    given::<Call>([published(vec![])])
        .when(
            &dirk(),
            CallCommand::Close(CloseCall {
                call_id: CALL,
                reason: CallCloseReason::Filled,
            }),
        )
        .then(vec![closed.clone().into()]);
    given::<Call>([published(vec![]), closed.clone().into()])
        .when(&gus(), answer(None, None, false, GUS))
        .then_err(CallError::Closed);
    given::<Call>([published(vec![]), closed.into()])
        .when(
            &dirk(),
            CallCommand::Close(CloseCall {
                call_id: CALL,
                reason: CallCloseReason::Cancelled,
            }),
        )
        .then_err(CallError::Closed);
}

#[test]
fn a_funder_cannot_answer_a_call() {
    given::<Call>([published(vec![])])
        .when(&femke(), answer(None, None, false, FEMKE))
        .then_err(CallError::Access(Refusal::FunderCannotAct));
}

#[test]
fn answering_a_call_that_does_not_exist_is_refused() {
    given::<Call>([])
        .when(&gus(), answer(None, None, false, GUS))
        .then_err(CallError::NotPublished);
}

// ---- organisation ----

fn register_org() -> OrganisationCommand {
    OrganisationCommand::Register(RegisterOrganisation {
        organisation_id: ORG,
        name: DisplayName::parse("Sociaal Huis").expect("ok"),
        kind: OrganisationKind::SocialService,
    })
}

#[test]
fn a_connector_registers_an_organisation_that_then_takes_referrals() {
    let history = given::<Organisation>([])
        .when(&dirk(), register_org())
        .history();
    let state = <Organisation as noaber_domain::Decider>::fold(history.iter());
    assert_eq!(state.status, OrganisationStatus::Active);
    let history = given::<Organisation>(history)
        .when(
            &dirk(),
            OrganisationCommand::Deactivate(DeactivateOrganisation {
                organisation_id: ORG,
            }),
        )
        .history();
    let state = <Organisation as noaber_domain::Decider>::fold(history.iter());
    assert_eq!(state.status, OrganisationStatus::Inactive);
}

#[test]
fn a_partner_records_its_services_but_cannot_register_an_organisation() {
    given::<Organisation>([])
        .when(&eva(), register_org())
        .then_err(OrganisationError::Access(Refusal::NotAllowed {
            role: Role::Partner,
            action: "register an organisation",
        }));
    let history = given::<Organisation>([])
        .when(&dirk(), register_org())
        .history();
    let events = given::<Organisation>(history)
        .when(
            &eva(),
            OrganisationCommand::OfferServices(OfferServices {
                organisation_id: ORG,
                categories: vec![category("care_support")],
                neighbourhoods: vec![],
            }),
        )
        .events();
    assert_eq!(events.len(), 1);
}

#[test]
fn a_funder_cannot_touch_an_organisation_or_a_neighbourhood() {
    given::<Organisation>([])
        .when(&femke(), register_org())
        .then_err(OrganisationError::Access(Refusal::FunderCannotAct));
    given::<Neighbourhood>([])
        .when(
            &femke(),
            NeighbourhoodCommand::Rename(RenameNeighbourhood {
                neighbourhood_id: HOOD,
                name: DisplayName::parse("X").expect("ok"),
            }),
        )
        .then_err(NeighbourhoodError::Access(Refusal::FunderCannotAct));
}

#[test]
fn an_organisation_is_registered_once() {
    let history = given::<Organisation>([])
        .when(&dirk(), register_org())
        .history();
    given::<Organisation>(history)
        .when(&dirk(), register_org())
        .then_err(OrganisationError::AlreadyRegistered);
}

// ---- neighbourhood and tenant ----

#[test]
fn only_an_admin_registers_a_neighbourhood() {
    let cmd = NeighbourhoodCommand::Register(RegisterNeighbourhood {
        neighbourhood_id: HOOD,
        name: DisplayName::parse("Brugse Poort").expect("ok"),
        centroid: ApproxLocation::new(51.0577, 3.7069).expect("on earth"),
        radius: Distance::from_metres(900).expect("ok"),
    });
    given::<Neighbourhood>([])
        .when(&dirk(), cmd.clone())
        .then_err(NeighbourhoodError::Access(Refusal::AdminOnly {
            role: Role::Connector,
            action: "manage neighbourhoods",
        }));
    let history = given::<Neighbourhood>([])
        .when(&ctx(ADA, Role::Admin), cmd.clone())
        .history();
    given::<Neighbourhood>(history)
        .when(&ctx(ADA, Role::Admin), cmd)
        .then_err(NeighbourhoodError::AlreadyRegistered);
}

#[test]
fn an_admin_registers_the_tenant_and_changes_its_settings() {
    let admin = ctx(ADA, Role::Admin);
    let history = given::<Tenant>([])
        .when(
            &admin,
            TenantCommand::Register(RegisterTenant {
                tenant_id: TENANT,
                name: DisplayName::parse("Gent").expect("ok"),
                default_language: Language::parse("nl").expect("ok"),
            }),
        )
        .history();
    given::<Tenant>(history.clone())
        .when(
            &admin,
            TenantCommand::ChangeSettings(ChangeTenantSettings {
                tenant_id: TENANT,
                name: Some(DisplayName::parse("Gent").expect("ok")),
                default_language: None,
            }),
        )
        .then_err(TenantError::NothingChanged);
    given::<Tenant>(history)
        .when(
            &femke(),
            TenantCommand::ChangeSettings(ChangeTenantSettings {
                tenant_id: TENANT,
                name: None,
                default_language: None,
            }),
        )
        .then_err(TenantError::Access(Refusal::FunderCannotAct));
}

#[test]
fn an_admin_cannot_register_another_tenant() {
    let other = noaber_domain::TenantId::new(uuid::Uuid::from_u128(0x7f));
    given::<Tenant>([])
        .when(
            &ctx(ADA, Role::Admin),
            TenantCommand::Register(RegisterTenant {
                tenant_id: other,
                name: DisplayName::parse("Aalst").expect("ok"),
                default_language: Language::parse("nl").expect("ok"),
            }),
        )
        .then_err(TenantError::OtherTenant);
}
