//! Given events, then the roles model: the current grants of a person with who granted them
//! and when, the holders of a role per tenant, the history kept for the audit trail, erasure
//! ending every grant, and a snapshot that restores the same answers.

use chrono::{DateTime, Utc};
use noaber_domain::person::{RevocationReason, RoleGranted, RoleRevoked};
use noaber_domain::{
    AnyEvent, Neighbourhoods, OrganisationId, PersonId, Role, RoleScope, TenantId,
};
use noaber_projections::roles::{Change, Roles};
use noaber_projections::{fold_all, snapshot, ReadModel};
use noaber_store::Checkpoint;
use uuid::Uuid;

use crate::support::*;

fn admin() -> PersonId {
    person(900)
}

fn hoods(ns: &[u32]) -> RoleScope {
    RoleScope::Neighbourhoods(Neighbourhoods::new(ns.iter().map(|n| hood(*n))).unwrap())
}

fn org() -> RoleScope {
    RoleScope::Organisation(OrganisationId::new(Uuid::from_u128(0x5000)))
}

fn granted(p: u32, role: Role, scope: RoleScope, by: PersonId) -> AnyEvent {
    AnyEvent::Person(
        RoleGranted {
            person_id: person(p),
            role,
            scope,
            granted_by: by,
        }
        .into(),
    )
}

fn revoked(p: u32, role: Role, scope: RoleScope, reason: Option<RevocationReason>) -> AnyEvent {
    AnyEvent::Person(
        RoleRevoked {
            person_id: person(p),
            role,
            scope,
            revoked_by: admin(),
            reason,
        }
        .into(),
    )
}

fn at(h: u32) -> DateTime<Utc> {
    day(2025, 4, 1) + chrono::Duration::hours(i64::from(h))
}

/// Person 1 a connector over neighbourhoods 0 and 1, person 2 a partner, person 3 an
/// ambassador granted by person 1; each registered first.
fn base() -> History {
    let mut h = History::new();
    h.at(at(0));
    for p in 1..=3 {
        h.push(registered(p, 0, None));
    }
    h.at(at(1))
        .push(granted(1, Role::Connector, hoods(&[0, 1]), admin()));
    h.at(at(2)).push(granted(2, Role::Partner, org(), admin()));
    h.at(at(3))
        .push(granted(3, Role::Ambassador, hoods(&[0]), person(1)));
    h
}

fn tenant_id() -> TenantId {
    TenantId::new(tenant())
}

#[test]
fn a_persons_grants_say_the_scope_who_granted_them_and_when() {
    let models = fold_all(&base().events);
    let grants = models.roles.grants_of(person(3));
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].role, Role::Ambassador);
    assert_eq!(grants[0].scope, hoods(&[0]));
    assert_eq!(grants[0].granted_by, person(1));
    assert_eq!(grants[0].granted_at, at(3));
    assert!(
        models.roles.grants_of(person(42)).is_empty(),
        "unknown person"
    );
}

#[test]
fn the_holders_of_a_role_are_listed_per_tenant() {
    let mut h = base();
    // A connector of another tenant is not a holder here.
    h.at(at(4))
        .push(granted(7, Role::Connector, hoods(&[5]), admin()));
    let other = Uuid::from_u128(0x0bad);
    if let Some(last) = h.events.last_mut() {
        last.tenant_id = other;
    }
    let models = fold_all(&h.events);
    let connectors = models.roles.holders(tenant_id(), Role::Connector);
    assert_eq!(connectors.len(), 1);
    assert_eq!(connectors[0].person_id, person(1));
    assert_eq!(connectors[0].scope, hoods(&[0, 1]));
    let theirs = models.roles.holders(TenantId::new(other), Role::Connector);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].person_id, person(7));
    assert!(models.roles.holders(tenant_id(), Role::Admin).is_empty());
}

#[test]
fn a_revocation_ends_one_grant_and_the_history_keeps_both() {
    let mut h = base();
    h.at(at(5))
        .push(granted(1, Role::Connector, hoods(&[2]), admin()));
    h.at(at(6)).push(revoked(
        1,
        Role::Connector,
        hoods(&[0, 1]),
        Some(RevocationReason::Left),
    ));
    let models = fold_all(&h.events);
    let grants = models.roles.grants_of(person(1));
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].scope, hoods(&[2]));
    let history = models.roles.history_of(person(1));
    let changes: Vec<(Change, RoleScope)> = history
        .iter()
        .map(|c| (c.change, c.scope.clone()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (Change::Granted, hoods(&[0, 1])),
            (Change::Granted, hoods(&[2])),
            (Change::Revoked, hoods(&[0, 1])),
        ]
    );
    let last = &history[2];
    assert_eq!(last.by, admin());
    assert_eq!(last.at, at(6));
    assert_eq!(last.reason, Some(RevocationReason::Left));
    assert!(history.windows(2).all(|w| w[0].position < w[1].position));
}

#[test]
fn an_erased_person_holds_no_role_but_the_trail_says_what_ended() {
    let mut h = base();
    h.at(at(7)).push(erased(2));
    let models = fold_all(&h.events);
    assert!(models.roles.grants_of(person(2)).is_empty());
    assert!(models.roles.holders(tenant_id(), Role::Partner).is_empty());
    let history = models.roles.history_of(person(2));
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].change, Change::Erased);
    assert_eq!(history[1].role, Role::Partner);
    assert_eq!(history[1].at, at(7));
}

#[test]
fn persons_never_granted_a_role_are_not_kept() {
    let mut h = History::new();
    h.push(registered(1, 0, None)).push(erased(1));
    let models = fold_all(&h.events);
    assert!(models.roles.is_empty());
}

#[test]
fn a_snapshot_restores_the_same_grants_and_history() {
    let models = fold_all(&base().events);
    let taken = snapshot::take(&models.roles, Checkpoint { tx: 0, position: 6 }).unwrap();
    assert_eq!(taken.name, Roles::NAME);
    let (restored, at) = snapshot::restore::<Roles>(&taken).unwrap().unwrap();
    assert_eq!(at.position, 6);
    for p in 1..=3 {
        assert_eq!(
            restored.grants_of(person(p)),
            models.roles.grants_of(person(p))
        );
        assert_eq!(
            restored.history_of(person(p)),
            models.roles.history_of(person(p))
        );
    }
}
