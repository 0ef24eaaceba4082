//! The stored shape of events: encoding, decoding, upcasting old shapes, and the JSON forms of
//! personal data.

use crate::common::*;
use noaber_domain::request::*;
use noaber_domain::values::ApproxLocation;
use noaber_domain::{AnyEvent, DecodeError, DomainEvent, Personal, PersonalValue};
use serde_json::json;

#[test]
fn personal_clear_text_has_the_agreed_json_form_and_round_trips() {
    let p = Personal::clear(ANNA, "Anna Peeters");
    let v = serde_json::to_value(&p).expect("serialises");
    assert_eq!(
        v,
        json!({"$pii": {"subject": ANNA.to_string(), "text": "Anna Peeters"}})
    );
    let back: Personal = serde_json::from_value(v).expect("deserialises");
    assert_eq!(back, p);
    assert_eq!(back.text(), Some("Anna Peeters"));
}

#[test]
fn personal_erased_has_the_agreed_json_form_and_round_trips() {
    let p = Personal::erased(ANNA);
    let v = serde_json::to_value(&p).expect("serialises");
    assert_eq!(
        v,
        json!({"$pii": {"subject": ANNA.to_string(), "erased": true}})
    );
    let back: Personal = serde_json::from_value(v).expect("deserialises");
    assert!(back.is_erased());
    assert_eq!(back.text(), None);
}

#[test]
fn personal_sealed_keeps_its_opaque_object_unchanged() {
    let stored =
        json!({"$sealed": {"subject": ANNA.to_string(), "alg": "x", "nonce": "abc", "ct": "zzz"}});
    let p: Personal = serde_json::from_value(stored.clone()).expect("deserialises");
    assert_eq!(p.subject, ANNA);
    assert!(matches!(p.value, PersonalValue::Sealed(_)));
    assert_eq!(serde_json::to_value(&p).expect("serialises"), stored);
}

#[test]
fn debug_never_prints_the_clear_text() {
    let p = Personal::clear(ANNA, "Kerkstraat 12");
    let event: RequestEvent = RequestTriaged {
        request_id: REQ,
        route: TriageRoute::Informal,
        triaged_by: DIRK,
        note: Some(p.clone()),
    }
    .into();
    assert!(!format!("{p:?}").contains("Kerkstraat"));
    assert!(!format!("{event:?}").contains("Kerkstraat"));
    assert!(format!("{p:?}").contains("<personal>"));
}

#[test]
fn personal_data_without_a_subject_is_refused() {
    let r: Result<Personal, _> = serde_json::from_value(json!({"$pii": {"text": "x"}}));
    assert!(r.is_err());
    let r: Result<Personal, _> = serde_json::from_value(json!("plain text"));
    assert!(r.is_err());
}

#[test]
fn an_event_is_stored_as_its_type_version_and_bare_fields() {
    let (event_type, version, payload) = posted().encode();
    assert_eq!(event_type, "RequestPosted");
    assert_eq!(version, 3);
    assert_eq!(payload["requester"], json!(ANNA.to_string()));
    assert!(payload.get("type").is_none() && payload.get("data").is_none());
    assert_eq!(
        payload["description"]["$pii"]["subject"],
        json!(ANNA.to_string())
    );
}

#[test]
fn every_request_event_round_trips_through_any_event() {
    let events: Vec<AnyEvent> = vec![
        posted().into(),
        offered(BEN).into(),
        matched(BEN).into(),
        referred().into(),
        resolved_by_neighbour(BEN).into(),
        closed(CloseReason::Duplicate).into(),
        voided().into(),
    ];
    for event in events {
        let (t, v, payload) = event.encode();
        let back = AnyEvent::decode(t, v, payload).expect("decodes");
        assert_eq!(back, event);
        assert_eq!(back.event_type(), t);
        assert_eq!(back.stream_id(), format!("request-{}", REQ));
    }
}

#[test]
fn a_request_posted_v1_payload_is_upcast_to_the_current_shape() {
    // Version 1 called the description `text` and had no target group, visibility or hands.
    let v1 = json!({
        "request_id": REQ.to_string(),
        "requester": ANNA.to_string(),
        "posted_by": ANNA.to_string(),
        "on_behalf": false,
        "channel": "app",
        "category": "errands",
        "neighbourhood_id": HOOD.to_string(),
        "location": {"lat": 51.054, "lon": 3.717},
        "text": {"$pii": {"subject": ANNA.to_string(), "text": "Boodschappen"}},
        "urgency": "normal",
        "needed_by": null,
        "anonymous": true
    });
    let event = AnyEvent::decode("RequestPosted", 1, v1).expect("v1 upcasts");
    let AnyEvent::Request(RequestEvent::RequestPosted(p)) = event else {
        panic!("expected RequestPosted");
    };
    assert_eq!(p.description.text(), Some("Boodschappen"));
    assert_eq!(p.target_group, None);
    assert_eq!(p.hands_needed.get(), 1);
    assert!(p.anonymous);
    // The location of an old event is read as its area only.
    assert_eq!(
        p.location,
        Some(ApproxLocation::new(51.055, 3.715).expect("on earth"))
    );
    assert_eq!(p.precise_location, None);
    // Re-encoding gives the current version.
    assert_eq!(RequestEvent::RequestPosted(p).encode().1, 3);
}

#[test]
fn a_registration_or_profile_change_of_version_1_is_read_with_its_area_only() {
    use noaber_domain::person::*;
    let v1 = json!({
        "person_id": ANNA.to_string(),
        "name": {"$pii": {"subject": ANNA.to_string(), "text": "Anna"}},
        "contact": null,
        "address": null,
        "neighbourhood_id": HOOD.to_string(),
        "location": {"lat": 51.0543, "lon": 3.7174},
        "languages": ["nl"],
        "digital_access": "digital",
        "registered_by": ANNA.to_string(),
        "self_registered": true
    });
    let event = AnyEvent::decode("PersonRegistered", 1, v1).expect("v1 upcasts");
    let AnyEvent::Person(PersonEvent::PersonRegistered(p)) = event else {
        panic!("expected PersonRegistered, got {event:?}");
    };
    let area = ApproxLocation::new(51.055, 3.715).expect("on earth");
    assert_eq!((p.location, p.precise_location), (Some(area), None));
    let v1 = json!({
        "person_id": ANNA.to_string(),
        "name": null, "contact": null, "address": null, "neighbourhood_id": null,
        "location": {"lat": -33.9251, "lon": -18.4239},
        "languages": null, "digital_access": null
    });
    let event = AnyEvent::decode("ProfileUpdated", 1, v1).expect("v1 upcasts");
    let AnyEvent::Person(PersonEvent::ProfileUpdated(p)) = event else {
        panic!("expected ProfileUpdated, got {event:?}");
    };
    assert_eq!(
        p.location,
        Some(ApproxLocation::new(-33.925, -18.425).expect("on earth"))
    );
    let none = json!({
        "person_id": ANNA.to_string(),
        "name": null, "contact": null, "address": null, "neighbourhood_id": null,
        "location": null, "languages": null, "digital_access": "offline"
    });
    assert!(AnyEvent::decode("ProfileUpdated", 1, none).is_ok());
}

#[test]
fn an_unknown_event_type_is_an_error_not_a_panic() {
    assert_eq!(
        AnyEvent::decode("RequestTeleported", 1, json!({})),
        Err(DecodeError::UnknownType {
            event_type: "RequestTeleported".into()
        })
    );
}

#[test]
fn a_version_from_the_future_is_an_error() {
    assert!(matches!(
        AnyEvent::decode("HelpOffered", 9, json!({})),
        Err(DecodeError::UnsupportedVersion {
            schema_version: 9,
            current: 1,
            ..
        })
    ));
}

#[test]
fn a_payload_that_no_longer_parses_names_the_field() {
    let err = AnyEvent::decode("HelpOffered", 1, json!({"request_id": REQ.to_string()}))
        .expect_err("missing helper");
    let DecodeError::InvalidPayload { reason, .. } = &err else {
        panic!("expected InvalidPayload, got {err:?}");
    };
    assert!(reason.contains("helper"), "{reason}");
}

#[test]
fn a_stored_unknown_category_code_is_an_error() {
    let (t, v, mut payload) = posted().encode();
    payload["category"] = json!("astrology");
    assert!(matches!(
        AnyEvent::decode(t, v, payload),
        Err(DecodeError::InvalidPayload { .. })
    ));
}

#[test]
fn every_event_type_is_known_to_exactly_one_aggregate() {
    let mut types: Vec<&str> = AnyEvent::event_types().collect();
    let n = types.len();
    types.sort();
    types.dedup();
    assert_eq!(types.len(), n, "an event type name is used twice");
    assert!(n >= 30);
}

#[test]
fn events_of_every_aggregate_round_trip_through_the_stored_shape() {
    use noaber_domain::call::*;
    use noaber_domain::neighbourhood::*;
    use noaber_domain::organisation::*;
    use noaber_domain::person::*;
    use noaber_domain::tenant::*;
    use noaber_domain::values::*;

    let events: Vec<AnyEvent> = vec![
        PersonEvent::from(SkillsDeclared {
            person_id: BEN,
            skills: vec![SkillCode::parse("dog_walking").expect("known")],
            availability: Availability::always(),
            max_distance: Distance::from_km(3).expect("ok"),
            available_for_calls: true,
        })
        .into(),
        PersonEvent::from(PersonErased {
            person_id: ANNA,
            erased_by: ANNA,
        })
        .into(),
        CallEvent::from(CallAnswered {
            call_id: CALL,
            answered_by: GUS,
            name: Some(Personal::clear(GUS, "Gus")),
            contact: None,
            availability: Some(Availability::none()),
        })
        .into(),
        CallEvent::from(CallClosed {
            call_id: CALL,
            closed_by: DIRK,
            reason: CallCloseReason::Filled,
        })
        .into(),
        OrganisationEvent::from(OrganisationRegistered {
            organisation_id: ORG,
            name: DisplayName::parse("Sociaal Huis").expect("ok"),
            kind: OrganisationKind::SocialService,
            registered_by: DIRK,
        })
        .into(),
        NeighbourhoodEvent::from(NeighbourhoodRegistered {
            neighbourhood_id: HOOD,
            name: DisplayName::parse("Brugse Poort").expect("ok"),
            centroid: ApproxLocation::new(51.058, 3.707).expect("on earth"),
            radius: Distance::from_metres(900).expect("ok"),
            registered_by: ADA,
        })
        .into(),
        TenantEvent::from(TenantRegistered {
            tenant_id: TENANT,
            name: DisplayName::parse("Gent").expect("ok"),
            default_language: Language::parse("nl").expect("ok"),
            registered_by: ADA,
        })
        .into(),
    ];
    for event in events {
        let (t, v, payload) = event.encode();
        assert_eq!(AnyEvent::decode(t, v, payload).expect("decodes"), event);
        assert!(event.stream_id().starts_with(event.category()));
    }
}

#[test]
fn safeguarding_events_round_trip_through_the_stored_shape() {
    use noaber_domain::incident::*;
    use noaber_domain::person::*;
    use noaber_domain::tenant::*;
    use noaber_domain::IncidentId;

    let incident = IncidentId::new(uuid::Uuid::from_u128(0x500));
    let issued_on = chrono::NaiveDate::from_ymd_opt(2025, 2, 1).expect("a day");
    let valid_until = chrono::NaiveDate::from_ymd_opt(2028, 1, 31).expect("a day");
    let events: Vec<AnyEvent> = vec![
        PersonEvent::from(ScreeningRecorded {
            person_id: BEN,
            kind: ScreeningKind::CriminalRecordExtract,
            issued_on,
            valid_until,
            recorded_by: DIRK,
        })
        .into(),
        PersonEvent::from(ScreeningWithdrawn {
            person_id: BEN,
            reason: ScreeningWithdrawal::RecordedInError,
            withdrawn_by: DIRK,
        })
        .into(),
        PersonEvent::from(HelperSuspended {
            person_id: BEN,
            reason: SuspensionReason::IncidentUnderReview,
            note: Some(Personal::clear(BEN, "gesprek volgt")),
            incident_id: Some(incident),
            suspended_by: DIRK,
        })
        .into(),
        PersonEvent::from(SuspensionLifted {
            person_id: BEN,
            lifted_by: DIRK,
        })
        .into(),
        TenantEvent::from(TenantSettingsChanged {
            tenant_id: TENANT,
            name: None,
            default_language: None,
            sensitive_categories: Some([category("company")].into()),
            retention: None,
        })
        .into(),
        IncidentEvent::from(IncidentReported {
            incident_id: incident,
            kind: IncidentKind::Incident,
            request_id: Some(REQ),
            person_id: None,
            description: Personal::clear(ANNA, "Er is geld weg"),
            reported_by: ANNA,
        })
        .into(),
        IncidentEvent::from(IncidentAcknowledged {
            incident_id: incident,
            acknowledged_by: DIRK,
        })
        .into(),
        IncidentEvent::from(IncidentClosed {
            incident_id: incident,
            outcome: IncidentOutcome::Referred,
            closed_by: DIRK,
        })
        .into(),
    ];
    for event in events {
        let (t, v, payload) = event.encode();
        assert_eq!(AnyEvent::decode(t, v, payload).expect("decodes"), event);
        assert!(event.stream_id().starts_with(event.category()));
    }
}

#[test]
fn a_screening_holds_dates_and_a_kind_and_no_certificate_or_personal_data() {
    use noaber_domain::person::*;
    let (t, v, payload) = PersonEvent::from(ScreeningRecorded {
        person_id: BEN,
        kind: ScreeningKind::Vog,
        issued_on: chrono::NaiveDate::from_ymd_opt(2025, 2, 1).expect("a day"),
        valid_until: chrono::NaiveDate::from_ymd_opt(2028, 1, 31).expect("a day"),
        recorded_by: DIRK,
    })
    .encode();
    assert_eq!((t, v), ("ScreeningRecorded", 1));
    assert_eq!(
        payload,
        json!({
            "person_id": BEN.to_string(),
            "kind": "vog",
            "issued_on": "2025-02-01",
            "valid_until": "2028-01-31",
            "recorded_by": DIRK.to_string(),
        })
    );
}

#[test]
fn an_incident_description_is_personal_data_of_the_reporter() {
    use noaber_domain::incident::*;
    let (_, _, payload) = IncidentEvent::from(IncidentReported {
        incident_id: noaber_domain::IncidentId::new(uuid::Uuid::from_u128(0x500)),
        kind: IncidentKind::Complaint,
        request_id: None,
        person_id: Some(BEN),
        description: Personal::clear(ANNA, "Hij was onbeleefd"),
        reported_by: ANNA,
    })
    .encode();
    assert_eq!(
        payload["description"],
        json!({"$pii": {"subject": ANNA.to_string(), "text": "Hij was onbeleefd"}})
    );
}

#[test]
fn a_tenant_settings_change_of_version_1_is_read_without_sensitive_categories() {
    use noaber_domain::tenant::*;
    let v1 =
        json!({"tenant_id": TENANT.to_string(), "name": "Stad Gent", "default_language": null});
    let event = AnyEvent::decode("TenantSettingsChanged", 1, v1).expect("v1 upcasts");
    let AnyEvent::Tenant(TenantEvent::TenantSettingsChanged(changed)) = event else {
        panic!("expected TenantSettingsChanged, got {event:?}");
    };
    assert_eq!(changed.sensitive_categories, None);
    assert_eq!(changed.name.as_ref().map(|n| n.as_str()), Some("Stad Gent"));
    assert_eq!(changed.retention, None);
    assert_eq!(TenantEvent::from(changed).encode().1, 3);
}

#[test]
fn standing_offer_events_round_trip_and_a_field_taken_away_is_told_from_one_unchanged() {
    use noaber_domain::offer::*;
    use noaber_domain::request::StandingOfferTakenUp;
    use noaber_domain::StandingOfferId;

    let offer = StandingOfferId::new(uuid::Uuid::from_u128(0x600));
    let published = crate::standing_offer_rules::published();
    let taken_away = StandingOfferUpdated {
        standing_offer_id: offer,
        updated_by: BEN,
        title: None,
        description: Some(None),
        category: None,
        skills: None,
        neighbourhoods: None,
        availability: None,
        until: Some(None),
    };
    let (_, _, payload) = StandingOfferEvent::from(taken_away.clone()).encode();
    // Taken away is `null`; unchanged is absent.
    assert_eq!(payload["description"], serde_json::Value::Null);
    assert!(payload.as_object().is_some_and(|m| m.contains_key("until")));
    assert!(payload
        .as_object()
        .is_some_and(|m| !m.contains_key("title")));
    let events: Vec<AnyEvent> = vec![
        published.into(),
        StandingOfferEvent::from(taken_away).into(),
        StandingOfferEvent::from(StandingOfferWithdrawn {
            standing_offer_id: offer,
            withdrawn_by: DIRK,
            reason: WithdrawReason::Moderated,
        })
        .into(),
        RequestEvent::from(StandingOfferTakenUp {
            request_id: REQ,
            standing_offer_id: offer,
            helper: BEN,
        })
        .into(),
    ];
    for event in events {
        let (t, v, payload) = event.encode();
        assert_eq!(v, 1, "{t}");
        assert_eq!(AnyEvent::decode(t, v, payload).expect("decodes"), event);
    }
    let (_, _, payload) = crate::standing_offer_rules::published().encode();
    assert_eq!(
        AnyEvent::from(crate::standing_offer_rules::published()).stream_id(),
        format!("standing_offer-{offer}")
    );
    // The helper's words are personal data about the helper, sealed by the store.
    assert_eq!(payload["title"]["$pii"]["subject"], BEN.to_string());
}
