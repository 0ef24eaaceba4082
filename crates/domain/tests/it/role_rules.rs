//! Given/when/then tests for roles as facts: who grants and revokes which role, over which
//! scope, and what the person's state keeps; and a property that any sequence of an admin's
//! grants and revocations folds to the grants a plain set model expects.

use std::collections::BTreeSet;

use crate::common::*;
use noaber_domain::neighbourhood::{Neighbourhood, NeighbourhoodCommand, RegisterNeighbourhood};
use noaber_domain::person::*;
use noaber_domain::values::{ApproxLocation, DigitalAccess, DisplayName, Distance};
use noaber_domain::{
    Decider, NeighbourhoodError, NeighbourhoodId, Neighbourhoods, OrganisationId, Personal,
    Reference, Refusal, Role, RoleScope, ScopeKind,
};
use proptest::prelude::*;
use uuid::Uuid;

const OTHER_HOOD: NeighbourhoodId = NeighbourhoodId::new(Uuid::from_u128(0x201));
const OTHER_ORG: OrganisationId = OrganisationId::new(Uuid::from_u128(0x301));

fn admin() -> noaber_domain::CommandContext {
    ctx(ADA, Role::Admin)
}

fn auditor() -> noaber_domain::CommandContext {
    ctx(FEMKE, Role::Auditor)
}

fn hoods(ids: &[NeighbourhoodId]) -> RoleScope {
    RoleScope::Neighbourhoods(Neighbourhoods::new(ids.iter().copied()).expect("not empty"))
}

/// Gus, registered by himself.
fn registered() -> PersonEvent {
    PersonRegistered {
        person_id: GUS,
        name: Personal::clear(GUS, "Gus"),
        contact: None,
        address: None,
        neighbourhood_id: HOOD,
        location: None,
        precise_location: None,
        languages: vec![],
        digital_access: DigitalAccess::Offline,
        registered_by: GUS,
        self_registered: true,
        consent: None,
    }
    .into()
}

fn grant(role: Role, scope: RoleScope) -> GrantRole {
    GrantRole {
        person_id: GUS,
        role,
        scope,
    }
}

fn revoke(role: Role, scope: Option<RoleScope>) -> RevokeRole {
    RevokeRole {
        person_id: GUS,
        role,
        scope,
        reason: None,
    }
}

fn granted(role: Role, scope: RoleScope, by: noaber_domain::PersonId) -> PersonEvent {
    RoleGranted {
        person_id: GUS,
        role,
        scope,
        granted_by: by,
    }
    .into()
}

fn revoked(role: Role, scope: RoleScope, reason: Option<RevocationReason>) -> PersonEvent {
    RoleRevoked {
        person_id: GUS,
        role,
        scope,
        revoked_by: ADA,
        reason,
    }
    .into()
}

/// A scope that fits `role` (it must be one that is granted).
fn fitting(role: Role) -> RoleScope {
    match role.scope_kind().expect("a granted role") {
        ScopeKind::Tenant => RoleScope::Tenant,
        ScopeKind::Neighbourhoods => hoods(&[HOOD]),
        ScopeKind::Organisation => RoleScope::Organisation(ORG),
    }
}

const GRANTED: [Role; 6] = [
    Role::Connector,
    Role::Partner,
    Role::Ambassador,
    Role::Funder,
    Role::Auditor,
    Role::Admin,
];

#[test]
fn an_admin_grants_a_connector_over_neighbourhoods() {
    given::<Person>([registered()])
        .when(&admin(), grant(Role::Connector, hoods(&[HOOD, OTHER_HOOD])))
        .then(vec![granted(
            Role::Connector,
            hoods(&[HOOD, OTHER_HOOD]),
            ADA,
        )]);
}

#[test]
fn an_admin_grants_every_role_that_is_granted_with_its_scope() {
    for role in GRANTED {
        given::<Person>([registered()])
            .when(&admin(), grant(role, fitting(role)))
            .then(vec![granted(role, fitting(role), ADA)]);
    }
}

#[test]
fn a_connector_grants_and_revokes_an_ambassador() {
    let history = given::<Person>([registered()])
        .when(&dirk(), grant(Role::Ambassador, hoods(&[HOOD])))
        .history();
    assert_eq!(
        history[1],
        granted(Role::Ambassador, hoods(&[HOOD]), DIRK),
        "the connector is recorded as the granter"
    );
    let events = given::<Person>(history)
        .when(&dirk(), revoke(Role::Ambassador, None))
        .events();
    assert!(
        matches!(&events[..], [PersonEvent::RoleRevoked(r)] if r.revoked_by == DIRK && r.role == Role::Ambassador)
    );
}

#[test]
fn a_connector_grants_no_role_but_ambassador() {
    for role in GRANTED.into_iter().filter(|r| *r != Role::Ambassador) {
        let refusal = given::<Person>([registered()])
            .when(&dirk(), grant(role, fitting(role)))
            .result_err();
        assert!(
            matches!(
                refusal,
                PersonError::Access(Refusal::AdminOnly {
                    role: Role::Connector,
                    ..
                })
            ),
            "{role}: {refusal:?}"
        );
        assert_eq!(
            refusal.to_string(),
            format!("a connector may not grant or revoke the {role} role; ask an admin")
        );
    }
}

#[test]
fn a_connector_cannot_revoke_a_connector() {
    given::<Person>([registered(), granted(Role::Connector, hoods(&[HOOD]), ADA)])
        .when(&dirk(), revoke(Role::Connector, None))
        .then_err(PersonError::Access(Refusal::AdminOnly {
            role: Role::Connector,
            action: "grant or revoke the connector role",
        }));
}

#[test]
fn residents_helpers_partners_and_ambassadors_grant_nothing() {
    for (actor, role) in [
        (ANNA, Role::Resident),
        (BEN, Role::Helper),
        (EVA, Role::Partner),
        (AMBER, Role::Ambassador),
    ] {
        given::<Person>([registered()])
            .when(&ctx(actor, role), grant(Role::Ambassador, hoods(&[HOOD])))
            .then_err(PersonError::Access(Refusal::NotAllowed {
                role,
                action: "grant or revoke roles",
            }));
    }
    given::<Person>([registered()])
        .when(
            &ctx(GUS, Role::Resident),
            grant(Role::Admin, RoleScope::Tenant),
        )
        .then_err(PersonError::Access(Refusal::NotAllowed {
            role: Role::Resident,
            action: "grant or revoke roles",
        }));
}

#[test]
fn funders_and_auditors_grant_and_revoke_nothing() {
    let history = [registered(), granted(Role::Admin, RoleScope::Tenant, ADA)];
    given::<Person>(history.clone())
        .when(&femke(), grant(Role::Auditor, RoleScope::Tenant))
        .then_err(PersonError::Access(Refusal::FunderCannotAct));
    given::<Person>(history.clone())
        .when(&auditor(), grant(Role::Auditor, RoleScope::Tenant))
        .then_err(PersonError::Access(Refusal::AuditorCannotAct));
    given::<Person>(history)
        .when(&auditor(), revoke(Role::Admin, None))
        .then_err(PersonError::Access(Refusal::AuditorCannotAct));
}

#[test]
fn an_auditor_can_cause_no_event_in_any_aggregate() {
    given::<Person>([registered()])
        .when(&auditor(), OptInAsHelper { person_id: GUS })
        .then_err(PersonError::Access(Refusal::AuditorCannotAct));
    given::<noaber_domain::request::HelpRequest>([])
        .when(&auditor(), post(FEMKE))
        .then_err(noaber_domain::RequestError::Access(
            Refusal::AuditorCannotAct,
        ));
    given::<Neighbourhood>([])
        .when(
            &auditor(),
            NeighbourhoodCommand::Register(RegisterNeighbourhood {
                neighbourhood_id: HOOD,
                name: DisplayName::parse("Brugse Poort").expect("ok"),
                centroid: ApproxLocation::new(51.0577, 3.7069).expect("on earth"),
                radius: Distance::from_metres(900).expect("ok"),
            }),
        )
        .then_err(NeighbourhoodError::Access(Refusal::AuditorCannotAct));
}

#[test]
fn resident_and_helper_are_facts_of_their_own_and_never_granted_or_revoked() {
    for role in [Role::Resident, Role::Helper] {
        given::<Person>([registered()])
            .when(&admin(), grant(role, RoleScope::Tenant))
            .then_err(PersonError::RoleNotGrantable(role));
        given::<Person>([registered()])
            .when(&admin(), revoke(role, None))
            .then_err(PersonError::RoleNotGrantable(role));
    }
}

#[test]
fn the_scope_must_fit_the_role() {
    let scopes = [
        RoleScope::Tenant,
        hoods(&[HOOD]),
        RoleScope::Organisation(ORG),
    ];
    for role in GRANTED {
        let needs = role.scope_kind().expect("granted");
        for scope in scopes.iter().filter(|s| s.kind() != needs) {
            given::<Person>([registered()])
                .when(&admin(), grant(role, scope.clone()))
                .then_err(PersonError::ScopeDoesNotFit { role, needs });
        }
    }
    assert_eq!(
        PersonError::ScopeDoesNotFit {
            role: Role::Partner,
            needs: ScopeKind::Organisation
        }
        .to_string(),
        "a partner is granted for one organisation"
    );
}

#[test]
fn a_scope_names_at_least_one_neighbourhood_in_a_stable_order() {
    assert!(Neighbourhoods::new([]).is_err());
    assert_eq!(
        Neighbourhoods::new([OTHER_HOOD, HOOD, OTHER_HOOD]).expect("two"),
        Neighbourhoods::new([HOOD, OTHER_HOOD]).expect("two")
    );
    let empty: Result<RoleScope, _> = serde_json::from_str(r#"{"neighbourhoods": []}"#);
    assert!(empty.is_err(), "an empty list never reaches decide");
    let tenant: RoleScope = serde_json::from_str(r#""tenant""#).expect("tenant");
    assert_eq!(tenant, RoleScope::Tenant);
    let org: RoleScope = serde_json::from_value(serde_json::json!({ "organisation": ORG }))
        .expect("an organisation");
    assert_eq!(org, RoleScope::Organisation(ORG));
}

#[test]
fn granting_the_same_role_and_scope_again_is_refused_but_another_scope_is_a_second_grant() {
    let history = [
        registered(),
        granted(Role::Partner, RoleScope::Organisation(ORG), ADA),
    ];
    given::<Person>(history.clone())
        .when(&admin(), grant(Role::Partner, RoleScope::Organisation(ORG)))
        .then_err(PersonError::RoleAlreadyGranted(Role::Partner));
    given::<Person>(history)
        .when(
            &admin(),
            grant(Role::Partner, RoleScope::Organisation(OTHER_ORG)),
        )
        .then(vec![granted(
            Role::Partner,
            RoleScope::Organisation(OTHER_ORG),
            ADA,
        )]);
}

#[test]
fn the_same_neighbourhoods_named_in_another_order_are_the_same_grant() {
    given::<Person>([
        registered(),
        granted(Role::Connector, hoods(&[HOOD, OTHER_HOOD]), ADA),
    ])
    .when(&admin(), grant(Role::Connector, hoods(&[OTHER_HOOD, HOOD])))
    .then_err(PersonError::RoleAlreadyGranted(Role::Connector));
}

#[test]
fn revoking_a_role_the_person_does_not_hold_is_refused() {
    given::<Person>([registered()])
        .when(&admin(), revoke(Role::Admin, None))
        .then_err(PersonError::RoleNotGranted(Role::Admin));
    given::<Person>([registered(), granted(Role::Connector, hoods(&[HOOD]), ADA)])
        .when(
            &admin(),
            revoke(Role::Connector, Some(hoods(&[OTHER_HOOD]))),
        )
        .then_err(PersonError::RoleNotGranted(Role::Connector));
    given::<Person>([
        registered(),
        granted(Role::Admin, RoleScope::Tenant, ADA),
        revoked(Role::Admin, RoleScope::Tenant, None),
    ])
    .when(&admin(), revoke(Role::Admin, None))
    .then_err(PersonError::RoleNotGranted(Role::Admin));
}

#[test]
fn revoking_with_a_scope_that_does_not_fit_the_role_is_refused() {
    given::<Person>([registered(), granted(Role::Connector, hoods(&[HOOD]), ADA)])
        .when(&admin(), revoke(Role::Connector, Some(RoleScope::Tenant)))
        .then_err(PersonError::ScopeDoesNotFit {
            role: Role::Connector,
            needs: ScopeKind::Neighbourhoods,
        });
}

#[test]
fn revoking_one_scope_keeps_the_others_and_revoking_the_role_ends_every_grant() {
    let history = vec![
        registered(),
        granted(Role::Connector, hoods(&[HOOD]), ADA),
        granted(Role::Connector, hoods(&[OTHER_HOOD]), ADA),
        granted(Role::Auditor, RoleScope::Tenant, ADA),
    ];
    let one = RevokeRole {
        reason: Some(RevocationReason::Left),
        ..revoke(Role::Connector, Some(hoods(&[HOOD])))
    };
    let after = given::<Person>(history.clone())
        .when(&admin(), one)
        .history();
    assert_eq!(
        after.last(),
        Some(&revoked(
            Role::Connector,
            hoods(&[HOOD]),
            Some(RevocationReason::Left)
        ))
    );
    let state = Person::fold(after.iter());
    assert!(state.holds(Role::Connector) && state.holds(Role::Auditor));

    given::<Person>(history)
        .when(&admin(), revoke(Role::Connector, None))
        .then(vec![
            revoked(Role::Connector, hoods(&[HOOD]), None),
            revoked(Role::Connector, hoods(&[OTHER_HOOD]), None),
        ]);
}

#[test]
fn an_unregistered_person_cannot_be_granted_a_role() {
    given::<Person>([])
        .when(&admin(), grant(Role::Admin, RoleScope::Tenant))
        .then_err(PersonError::NotRegistered);
}

#[test]
fn an_erased_person_holds_no_roles_and_cannot_be_granted_one() {
    let history = vec![
        registered(),
        granted(Role::Admin, RoleScope::Tenant, ADA),
        PersonErased {
            person_id: GUS,
            erased_by: GUS,
        }
        .into(),
    ];
    assert!(Person::fold(history.iter()).grants.is_empty());
    given::<Person>(history.clone())
        .when(&admin(), grant(Role::Admin, RoleScope::Tenant))
        .then_err(PersonError::Erased);
    given::<Person>(history)
        .when(&admin(), revoke(Role::Admin, None))
        .then_err(PersonError::Erased);
}

#[test]
fn role_events_hold_no_personal_data() {
    for event in [
        granted(Role::Connector, hoods(&[HOOD]), ADA),
        revoked(
            Role::Connector,
            hoods(&[HOOD]),
            Some(RevocationReason::Conduct),
        ),
    ] {
        let (_, _, payload) = event.encode();
        let keys: BTreeSet<String> = payload
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        assert!(
            keys.iter().all(|k| [
                "person_id",
                "role",
                "scope",
                "granted_by",
                "revoked_by",
                "reason"
            ]
            .contains(&k.as_str())),
            "{keys:?}"
        );
    }
}

#[test]
fn a_grant_names_the_neighbourhoods_or_organisation_of_its_scope_and_a_revocation_none() {
    let reference = |category, id: Uuid| Reference { category, id };
    assert_eq!(
        Person::references(&grant(Role::Connector, hoods(&[OTHER_HOOD, HOOD])).into()),
        vec![
            reference("neighbourhood", HOOD.as_uuid()),
            reference("neighbourhood", OTHER_HOOD.as_uuid())
        ]
    );
    assert_eq!(
        Person::references(&grant(Role::Partner, RoleScope::Organisation(ORG)).into()),
        vec![reference("organisation", ORG.as_uuid())]
    );
    assert!(Person::references(&grant(Role::Admin, RoleScope::Tenant).into()).is_empty());
    assert!(Person::references(&revoke(Role::Connector, Some(hoods(&[HOOD]))).into()).is_empty());
}

// ---- property ----

/// The scopes the property draws from: the tenant, two neighbourhood lists, two organisations.
fn scope_for(role: Role, x: usize) -> RoleScope {
    match role.scope_kind().expect("granted") {
        ScopeKind::Tenant => RoleScope::Tenant,
        ScopeKind::Neighbourhoods => [hoods(&[HOOD]), hoods(&[HOOD, OTHER_HOOD])][x % 2].clone(),
        ScopeKind::Organisation => [
            RoleScope::Organisation(ORG),
            RoleScope::Organisation(OTHER_ORG),
        ][x % 2]
            .clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_sequence_of_an_admins_grants_and_revocations_folds_to_the_set_a_plain_model_expects(
        steps in prop::collection::vec((0..3usize, 0..Role::ALL.len(), 0..2usize), 0..60),
    ) {
        let mut history = vec![registered()];
        let mut model: BTreeSet<(Role, RoleScope)> = BTreeSet::new();
        for (op, role, x) in steps {
            let role = Role::ALL[role];
            let state = Person::fold(history.iter());
            let scope = role.scope_kind().map(|_| scope_for(role, x));
            let command: PersonCommand = match op {
                0 => grant(role, scope.clone().unwrap_or(RoleScope::Tenant)).into(),
                1 => revoke(role, scope.clone()).into(),
                _ => revoke(role, None).into(),
            };
            let decided = Person::decide(&state, &admin(), &command);
            match (op, &scope) {
                (_, None) => prop_assert_eq!(decided, Err(PersonError::RoleNotGrantable(role))),
                (0, Some(scope)) => {
                    if model.insert((role, scope.clone())) {
                        prop_assert!(decided.is_ok(), "{:?}", decided);
                    } else {
                        prop_assert_eq!(decided, Err(PersonError::RoleAlreadyGranted(role)));
                    }
                }
                (1, Some(scope)) => {
                    if model.remove(&(role, scope.clone())) {
                        prop_assert!(decided.is_ok(), "{:?}", decided);
                    } else {
                        prop_assert_eq!(decided, Err(PersonError::RoleNotGranted(role)));
                    }
                }
                _ => {
                    let before = model.len();
                    model.retain(|(r, _)| *r != role);
                    if model.len() < before {
                        let events = decided.clone().unwrap_or_default();
                        prop_assert_eq!(events.len(), before - model.len());
                    } else {
                        prop_assert_eq!(decided.clone(), Err(PersonError::RoleNotGranted(role)));
                    }
                }
            }
            if let Ok(events) = Person::decide(&state, &admin(), &command) {
                history.extend(events);
            }
            let folded: BTreeSet<(Role, RoleScope)> = Person::fold(history.iter())
                .grants
                .into_iter()
                .map(|g| (g.role, g.scope))
                .collect();
            prop_assert_eq!(&folded, &model);
        }
    }
}
