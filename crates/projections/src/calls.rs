//! Calls to the volunteer list: each call's publisher, organisation, neighbourhoods, deadline,
//! hands needed and answers so far, and whether it is still open, folded from the call events,
//! so a connector's desk and a neighbour's app can list them (`GET /v1/calls`). Titles and
//! answers stay in the log, sealed; the call view opens them for those allowed.

use chrono::{DateTime, Utc};
use noaber_domain::call::{CallEvent, CallScope};
use noaber_domain::values::CategoryCode;
use noaber_domain::{AnyEvent, CallId, OrganisationId, PersonId, TenantId};
use serde::{Deserialize, Serialize};

use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};

/// One call as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CallEntry {
    /// The call.
    pub call_id: CallId,
    /// Who published it.
    pub published_by: PersonId,
    /// The organisation it is for, if any.
    pub organisation_id: Option<OrganisationId>,
    /// Where it goes.
    pub scope: CallScope,
    /// Its category of help, if said.
    pub category: Option<CategoryCode>,
    /// Until when answers are taken.
    pub deadline: DateTime<Utc>,
    /// How many helpers it needs.
    pub hands_needed: u32,
    /// How many answered.
    pub answers: u32,
    /// Whether it still takes answers (not closed; the deadline is the reader's to compare).
    pub open: bool,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// Every tenant's calls.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Calls {
    calls: FastMap<CallId, (TenantId, CallEntry)>,
}

impl Calls {
    /// The calls of `tenant` that `keep` accepts, newest first.
    pub fn of(&self, tenant: TenantId, keep: impl Fn(&CallEntry) -> bool) -> Vec<CallEntry> {
        let mut out: Vec<CallEntry> = self
            .calls
            .values()
            .filter(|(t, c)| *t == tenant && keep(c))
            .map(|(_, c)| c.clone())
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse((c.published_at, c.call_id)));
        out
    }
}

impl Calls {
    /// One call of `tenant`.
    pub fn get(&self, tenant: TenantId, id: CallId) -> Option<&CallEntry> {
        self.calls
            .get(&id)
            .filter(|(t, _)| *t == tenant)
            .map(|(_, c)| c)
    }
}

impl ReadModel for Calls {
    const NAME: &'static str = "calls";
    const SNAPSHOT_VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope<'_>) {
        let AnyEvent::Call(event) = env.event else {
            return;
        };
        match event {
            CallEvent::CallPublished(e) => {
                self.calls.insert(
                    e.call_id,
                    (
                        TenantId::new(env.raw.tenant_id),
                        CallEntry {
                            call_id: e.call_id,
                            published_by: e.published_by,
                            organisation_id: e.organisation_id,
                            scope: e.scope.clone(),
                            category: e.category.clone(),
                            deadline: e.deadline,
                            hands_needed: e.hands_needed.get(),
                            answers: 0,
                            open: true,
                            published_at: env.raw.occurred_at,
                        },
                    ),
                );
            }
            CallEvent::CallAnswered(e) => {
                if let Some((_, c)) = self.calls.get_mut(&e.call_id) {
                    c.answers += 1;
                }
            }
            CallEvent::CallClosed(e) => {
                if let Some((_, c)) = self.calls.get_mut(&e.call_id) {
                    c.open = false;
                }
            }
        }
    }
}
