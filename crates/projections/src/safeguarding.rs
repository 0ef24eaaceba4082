//! Safeguarding: how each helper stands (suspended, screened until when) and which categories
//! each tenant marks sensitive, folded from `ScreeningRecorded`, `ScreeningWithdrawn`,
//! `HelperSuspended`, `SuspensionLifted` and `TenantSettingsChanged`.
//!
//! This is what the executor asks, through [`crate::Projections`]' implementation of the
//! store's [`noaber_store::exec::Safeguards`], before an offer or a match is decided (ADR
//! 0028). Only persons ever screened or suspended are kept: a small share of a tenant's
//! persons. Everyone else stands as the default: not suspended, no screening.

use std::collections::BTreeSet;

use noaber_domain::person::{PersonEvent, Screening, Standing};
use noaber_domain::tenant::TenantEvent;
use noaber_domain::values::CategoryCode;
use noaber_domain::{AnyEvent, PersonId, TenantId};
use serde::{Deserialize, Serialize};

use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};

/// A person's standing in their tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    tenant: TenantId,
    standing: Standing,
}

/// Every screened or suspended person's standing, and every tenant's sensitive categories.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Safeguarding {
    persons: FastMap<PersonId, Entry>,
    sensitive: FastMap<TenantId, BTreeSet<CategoryCode>>,
}

impl Safeguarding {
    /// How `person` of `tenant` stands as a helper (the default when never screened nor
    /// suspended, or when the person belongs to another tenant).
    pub fn standing(&self, tenant: TenantId, person: PersonId) -> Standing {
        self.persons
            .get(&person)
            .filter(|e| e.tenant == tenant)
            .map(|e| e.standing)
            .unwrap_or_default()
    }

    /// The categories `tenant` requires a helper's valid screening for.
    pub fn sensitive_categories(&self, tenant: TenantId) -> BTreeSet<CategoryCode> {
        self.sensitive.get(&tenant).cloned().unwrap_or_default()
    }

    /// Whether `tenant` requires a helper's valid screening for help in `category`.
    pub fn is_sensitive(&self, tenant: TenantId, category: &CategoryCode) -> bool {
        self.sensitive
            .get(&tenant)
            .is_some_and(|set| set.contains(category))
    }

    fn with_standing(
        &mut self,
        person: PersonId,
        tenant: TenantId,
        change: impl FnOnce(&mut Standing),
    ) {
        let entry = self.persons.entry(person).or_insert_with(|| Entry {
            tenant,
            standing: Standing::default(),
        });
        change(&mut entry.standing);
    }
}

impl ReadModel for Safeguarding {
    const NAME: &'static str = "safeguarding";
    // 2: a standing says whether the person was erased.
    const SNAPSHOT_VERSION: u32 = 2;

    fn apply(&mut self, env: &Envelope<'_>) {
        let tenant = TenantId::new(env.raw.tenant_id);
        match env.event {
            AnyEvent::Person(PersonEvent::ScreeningRecorded(e)) => {
                self.with_standing(e.person_id, tenant, |s| {
                    s.screening = Some(Screening {
                        kind: e.kind,
                        issued_on: e.issued_on,
                        valid_until: e.valid_until,
                    });
                });
            }
            AnyEvent::Person(PersonEvent::ScreeningWithdrawn(e)) => {
                self.with_standing(e.person_id, tenant, |s| s.screening = None);
            }
            AnyEvent::Person(PersonEvent::HelperSuspended(e)) => {
                self.with_standing(e.person_id, tenant, |s| s.suspended = true);
            }
            AnyEvent::Person(PersonEvent::SuspensionLifted(e)) => {
                self.with_standing(e.person_id, tenant, |s| s.suspended = false);
            }
            AnyEvent::Person(PersonEvent::PersonErased(e)) => {
                self.with_standing(e.person_id, tenant, |s| s.erased = true);
            }
            AnyEvent::Tenant(TenantEvent::TenantSettingsChanged(e)) => {
                if let Some(categories) = &e.sensitive_categories {
                    self.sensitive.insert(e.tenant_id, categories.clone());
                }
            }
            _ => {}
        }
    }
}
