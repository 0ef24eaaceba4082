//! A person's choice to let matched people read their contact detail: given/when/then tests of
//! who may make it and what it records, and a property test that the state always holds the
//! last choice made, with one event per change and none for a choice that changes nothing.

use crate::common::*;
use noaber_domain::person::*;
use noaber_domain::values::*;
use noaber_domain::{Decider, PersonId, Personal, Refusal, Role};
use proptest::prelude::*;

fn registered(person: PersonId) -> PersonEvent {
    PersonRegistered {
        person_id: person,
        name: Personal::clear(person, "Anna de Vries"),
        contact: Some(Personal::clear(person, "06-12345678")),
        address: None,
        neighbourhood_id: HOOD,
        location: None,
        precise_location: None,
        languages: Vec::new(),
        digital_access: DigitalAccess::Digital,
        registered_by: person,
        self_registered: true,
        consent: None,
    }
    .into()
}

fn choose(person: PersonId, share: bool) -> ChooseContactSharing {
    ChooseContactSharing {
        person_id: person,
        share_with_matched: share,
    }
}

fn chosen(person: PersonId, share: bool) -> PersonEvent {
    ContactSharingChosen {
        person_id: person,
        share_with_matched: share,
    }
    .into()
}

#[test]
fn nothing_is_shared_until_the_person_chooses_so() {
    let state = Person::fold([registered(ANNA)].iter());
    assert!(!state.shares_contact_with_matched);
}

#[test]
fn a_person_chooses_to_share_their_contact_with_the_people_they_are_matched_to() {
    given::<Person>([registered(ANNA)])
        .when(&anna(), choose(ANNA, true))
        .then(vec![chosen(ANNA, true)]);
}

#[test]
fn a_person_stops_sharing_their_contact() {
    given::<Person>([registered(ANNA), chosen(ANNA, true)])
        .when(&anna(), choose(ANNA, false))
        .then(vec![chosen(ANNA, false)]);
}

#[test]
fn choosing_what_already_holds_records_nothing() {
    given::<Person>([registered(ANNA)])
        .when(&anna(), choose(ANNA, false))
        .then(vec![]);
    given::<Person>([registered(ANNA), chosen(ANNA, true)])
        .when(&anna(), choose(ANNA, true))
        .then(vec![]);
}

#[test]
fn nobody_chooses_for_someone_else_not_even_their_connector_or_an_admin() {
    let only_yourself = PersonError::Access(Refusal::OnlyForYourself {
        action: "choose whether to share contact details",
    });
    for ctx in [
        gus(),
        ben(),
        dirk(),
        ctx(ADA, Role::Admin),
        eva().acting_for(ANNA),
        dirk().acting_for(ANNA),
    ] {
        given::<Person>([registered(ANNA)])
            .when(&ctx, choose(ANNA, true))
            .then_err(only_yourself.clone());
    }
}

#[test]
fn a_funder_chooses_nothing_even_for_themselves() {
    given::<Person>([registered(FEMKE)])
        .when(&femke(), choose(FEMKE, true))
        .then_err(PersonError::Access(Refusal::FunderCannotAct));
}

#[test]
fn an_erased_person_shares_nothing_and_can_choose_nothing() {
    let history = [
        registered(ANNA),
        chosen(ANNA, true),
        PersonErased {
            person_id: ANNA,
            erased_by: ANNA,
        }
        .into(),
    ];
    assert!(!Person::fold(history.iter()).shares_contact_with_matched);
    given::<Person>(history)
        .when(&anna(), choose(ANNA, true))
        .then_err(PersonError::Erased);
}

#[test]
fn an_unregistered_person_cannot_choose() {
    given::<Person>([])
        .when(&anna(), choose(ANNA, true))
        .then_err(PersonError::NotRegistered);
}

#[test]
fn the_choice_holds_no_personal_data() {
    let (t, v, payload) = PersonEvent::from(ContactSharingChosen {
        person_id: ANNA,
        share_with_matched: true,
    })
    .encode();
    assert_eq!((t, v), ("ContactSharingChosen", 1));
    assert_eq!(
        payload,
        serde_json::json!({"person_id": ANNA.to_string(), "share_with_matched": true})
    );
}

proptest! {
    #[test]
    fn the_state_holds_the_last_choice_with_one_event_per_change(
        choices in proptest::collection::vec(any::<bool>(), 0..20)
    ) {
        let mut history = vec![registered(ANNA)];
        let mut changes = 0;
        let mut previous = false;
        for share in &choices {
            let state = Person::fold(history.iter());
            let events = Person::decide(&state, &anna(), &choose(ANNA, *share).into())
                .expect("the person may always choose for themselves");
            if *share == previous {
                prop_assert!(events.is_empty());
            } else {
                prop_assert_eq!(&events, &vec![chosen(ANNA, *share)]);
                changes += 1;
            }
            previous = *share;
            history.extend(events);
        }
        let state = Person::fold(history.iter());
        prop_assert_eq!(state.shares_contact_with_matched, choices.last().copied().unwrap_or(false));
        prop_assert_eq!(history.len() - 1, changes);
    }
}
