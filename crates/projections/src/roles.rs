//! Roles: who holds which role over which scope, granted by whom and when, and the history of
//! every grant and revocation, folded from `RoleGranted`, `RoleRevoked` and `PersonErased`.
//!
//! This is the model the policy reads to answer "may this caller do this here" (a connector's
//! neighbourhoods, a partner's organisation), and the audit trail's answer to "who gave whom
//! which rights, when". Only people who were ever granted a role are kept: staff, a small
//! share of a tenant's persons, so [`Roles::holders`] scans them instead of keeping a second
//! index. An erased person holds no role any more; their history stays (it holds no personal
//! data) and ends with one `erased` entry per grant the erasure ended.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use noaber_domain::person::{PersonEvent, RevocationReason};
use noaber_domain::{AnyEvent, PersonId, Role, RoleScope, TenantId};
use serde::{Deserialize, Serialize};

use crate::model::{Envelope, ReadModel};

/// A role a person holds now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CurrentGrant {
    /// The role.
    pub role: Role,
    /// What it holds over.
    pub scope: RoleScope,
    /// Who granted it.
    pub granted_by: PersonId,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
}

/// A holder of a role in a tenant, as [`Roles::holders`] lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The person holding the role.
    pub person_id: PersonId,
    /// What it holds over.
    pub scope: RoleScope,
    /// Who granted it.
    pub granted_by: PersonId,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
}

/// What happened to a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The role was granted.
    Granted,
    /// The role was revoked.
    Revoked,
    /// The grant ended because the person was erased.
    Erased,
}

/// One entry of a person's role history: a grant, a revocation, or a grant ended by erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoleChange {
    /// What happened.
    pub change: Change,
    /// The role.
    pub role: Role,
    /// The scope of the grant.
    pub scope: RoleScope,
    /// Who granted, revoked or erased.
    pub by: PersonId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Why a revocation happened, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RevocationReason>,
    /// The event's global position in the log.
    pub position: i64,
}

/// The roles of one person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRoles {
    /// The tenant the person belongs to.
    pub tenant: Option<TenantId>,
    /// The roles held now, in the order they were granted.
    pub current: Vec<CurrentGrant>,
    /// Every grant, revocation and erasure, in log order.
    pub history: Vec<RoleChange>,
}

/// Every person's roles, current and past.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Roles {
    persons: BTreeMap<PersonId, PersonRoles>,
}

impl Roles {
    /// The roles `person` holds now (empty when none, or when the person is unknown).
    pub fn grants_of(&self, person: PersonId) -> &[CurrentGrant] {
        self.persons
            .get(&person)
            .map_or(&[], |p| p.current.as_slice())
    }

    /// Every grant, revocation and erasure of `person`'s roles, in log order.
    pub fn history_of(&self, person: PersonId) -> &[RoleChange] {
        self.persons
            .get(&person)
            .map_or(&[], |p| p.history.as_slice())
    }

    /// Who in `tenant` holds `role` now, with the scope of each grant, by person id (a person
    /// holding the role over two scopes is listed twice).
    pub fn holders(&self, tenant: TenantId, role: Role) -> Vec<Holder> {
        self.persons
            .iter()
            .filter(|(_, p)| p.tenant == Some(tenant))
            .flat_map(|(id, p)| {
                p.current
                    .iter()
                    .filter(move |g| g.role == role)
                    .map(move |g| Holder {
                        person_id: *id,
                        scope: g.scope.clone(),
                        granted_by: g.granted_by,
                        granted_at: g.granted_at,
                    })
            })
            .collect()
    }

    /// Who in any tenant holds `role` now, with their tenant, by person id.
    pub fn all_holders(&self, role: Role) -> Vec<(TenantId, Holder)> {
        self.persons
            .iter()
            .filter_map(|(id, p)| p.tenant.map(|t| (id, p, t)))
            .flat_map(|(id, p, tenant)| {
                p.current
                    .iter()
                    .filter(move |g| g.role == role)
                    .map(move |g| {
                        (
                            tenant,
                            Holder {
                                person_id: *id,
                                scope: g.scope.clone(),
                                granted_by: g.granted_by,
                                granted_at: g.granted_at,
                            },
                        )
                    })
            })
            .collect()
    }

    /// How many persons were ever granted a role.
    pub fn len(&self) -> usize {
        self.persons.len()
    }

    /// True when nobody was ever granted a role.
    pub fn is_empty(&self) -> bool {
        self.persons.is_empty()
    }
}

impl ReadModel for Roles {
    const NAME: &'static str = "roles";
    const SNAPSHOT_VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope<'_>) {
        let AnyEvent::Person(event) = env.event else {
            return;
        };
        let at = env.raw.occurred_at;
        let position = env.raw.position;
        match event {
            PersonEvent::RoleGranted(e) => {
                let person = self.persons.entry(e.person_id).or_default();
                person.tenant = Some(TenantId::new(env.raw.tenant_id));
                person.current.push(CurrentGrant {
                    role: e.role,
                    scope: e.scope.clone(),
                    granted_by: e.granted_by,
                    granted_at: at,
                });
                person.history.push(RoleChange {
                    change: Change::Granted,
                    role: e.role,
                    scope: e.scope.clone(),
                    by: e.granted_by,
                    at,
                    reason: None,
                    position,
                });
            }
            PersonEvent::RoleRevoked(e) => {
                let Some(person) = self.persons.get_mut(&e.person_id) else {
                    return;
                };
                person
                    .current
                    .retain(|g| !(g.role == e.role && g.scope == e.scope));
                person.history.push(RoleChange {
                    change: Change::Revoked,
                    role: e.role,
                    scope: e.scope.clone(),
                    by: e.revoked_by,
                    at,
                    reason: e.reason,
                    position,
                });
            }
            PersonEvent::PersonErased(e) => {
                let Some(person) = self.persons.get_mut(&e.person_id) else {
                    return;
                };
                for grant in std::mem::take(&mut person.current) {
                    person.history.push(RoleChange {
                        change: Change::Erased,
                        role: grant.role,
                        scope: grant.scope,
                        by: e.erased_by,
                        at,
                        reason: None,
                        position,
                    });
                }
            }
            PersonEvent::PersonRegistered(_)
            | PersonEvent::ProfileUpdated(_)
            | PersonEvent::SkillsDeclared(_)
            | PersonEvent::HelperOptedIn(_)
            | PersonEvent::HelperOptedOut(_)
            // A suspension ends the helper role, which is a fact of its own, not a grant
            // (ADR 0028): granted roles stay until an admin revokes them.
            | PersonEvent::ScreeningRecorded(_)
            | PersonEvent::ScreeningWithdrawn(_)
            | PersonEvent::HelperSuspended(_)
            | PersonEvent::SuspensionLifted(_)
            | PersonEvent::ContactSharingChosen(_) => {}
        }
    }
}
