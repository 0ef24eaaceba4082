//! Owners: which tenant owns each aggregate, so that a command naming a neighbourhood, person,
//! organisation, call, incident or standing offer, and every read that names one, is checked in
//! memory instead of with a round trip to the log.
//!
//! An aggregate's tenant is fixed by the first event of its stream and never changes, so the
//! model only looks at first events. [`crate::Projections`] implements the store's
//! [`noaber_store::exec::Owners`] over it; an id it does not know yet is looked up again after
//! the models caught up with the log, so a command right after a creation is not refused.

use noaber_domain::{
    call, incident, neighbourhood, offer, organisation, person, request, tenant, TenantId,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};

/// The stream categories whose owners are kept, in a fixed order (the index into the maps).
const CATEGORIES: [&str; 8] = [
    person::CATEGORY,
    request::CATEGORY,
    call::CATEGORY,
    organisation::CATEGORY,
    neighbourhood::CATEGORY,
    tenant::CATEGORY,
    incident::CATEGORY,
    offer::CATEGORY,
];

fn index_of(category: &str) -> Option<usize> {
    CATEGORIES.iter().position(|c| *c == category)
}

/// The owning tenant of every aggregate, per stream category.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Owners {
    by_category: [FastMap<Uuid, TenantId>; CATEGORIES.len()],
}

impl Owners {
    /// The tenant owning aggregate `id` of `category`, or `None` when no such aggregate is known
    /// (or the category is not one of the domain's).
    pub fn owner(&self, category: &str, id: Uuid) -> Option<TenantId> {
        self.by_category[index_of(category)?].get(&id).copied()
    }
}

impl ReadModel for Owners {
    const NAME: &'static str = "owners";
    // 2: incidents are kept too; 3: standing offers too.
    const SNAPSHOT_VERSION: u32 = 3;

    #[inline]
    fn apply(&mut self, env: &Envelope<'_>) {
        if env.raw.stream_version != 1 {
            return;
        }
        let Some(index) = index_of(env.event.category()) else {
            return;
        };
        self.by_category[index]
            .entry(env.event.aggregate_id())
            .or_insert_with(|| TenantId::new(env.raw.tenant_id));
    }
}
