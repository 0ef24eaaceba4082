//! Retention: each tenant's retention period and the ended requests waiting for it to run out,
//! folded from `TenantSettingsChanged` and the ends of requests (ADR 0033).
//!
//! A request is waiting from the moment it was resolved, closed or voided (the time the fact
//! happened) until it is reopened or its personal data expired. [`Retention::due`] lists those
//! whose period is over at a given moment, for the schedule that records `PersonalDataExpired`.

use chrono::{DateTime, Duration, Utc};
use noaber_domain::request::RequestEvent;
use noaber_domain::tenant::TenantEvent;
use noaber_domain::values::RetentionDays;
use noaber_domain::{AnyEvent, RequestId, TenantId};
use serde::{Deserialize, Serialize};

use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};

/// An ended request whose personal data is still kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Ended {
    tenant: TenantId,
    at: DateTime<Utc>,
}

/// One request whose retention period is over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    /// Its tenant.
    pub tenant: TenantId,
    /// The request.
    pub request: RequestId,
    /// When it was resolved, closed or voided.
    pub ended_at: DateTime<Utc>,
    /// The tenant's retention period.
    pub days: RetentionDays,
}

/// Every tenant's retention period, and every ended request whose data is still kept.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Retention {
    periods: FastMap<TenantId, RetentionDays>,
    ended: FastMap<RequestId, Ended>,
}

impl Retention {
    /// The retention period `tenant` keeps the data of ended requests for, if it set one.
    pub fn period(&self, tenant: TenantId) -> Option<RetentionDays> {
        self.periods.get(&tenant).copied()
    }

    /// The ended requests whose tenant's period is over at `now`, oldest end first, at most
    /// `limit` of them.
    pub fn due(&self, now: DateTime<Utc>, limit: usize) -> Vec<Due> {
        let mut due: Vec<Due> = self
            .ended
            .iter()
            .filter_map(|(request, ended)| {
                let days = self.period(ended.tenant)?;
                let ends = ended.at + Duration::days(i64::from(days.get()));
                (ends <= now).then_some(Due {
                    tenant: ended.tenant,
                    request: *request,
                    ended_at: ended.at,
                    days,
                })
            })
            .collect();
        due.sort_by_key(|d| (d.ended_at, d.request));
        due.truncate(limit);
        due
    }
}

impl ReadModel for Retention {
    const NAME: &'static str = "retention";
    const SNAPSHOT_VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope<'_>) {
        let tenant = TenantId::new(env.raw.tenant_id);
        match env.event {
            AnyEvent::Tenant(TenantEvent::TenantSettingsChanged(e)) => {
                if let Some(retention) = e.retention {
                    match retention.closed_request_days {
                        Some(days) => self.periods.insert(e.tenant_id, days),
                        None => self.periods.remove(&e.tenant_id),
                    };
                }
            }
            AnyEvent::Request(event) => match event {
                RequestEvent::RequestResolved(e) => self.end(tenant, e.request_id, env),
                RequestEvent::RequestClosed(e) => self.end(tenant, e.request_id, env),
                RequestEvent::RequestVoided(e) => self.end(tenant, e.request_id, env),
                RequestEvent::RequestReopened(e) => {
                    self.ended.remove(&e.request_id);
                }
                RequestEvent::PersonalDataExpired(e) => {
                    self.ended.remove(&e.request_id);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

impl Retention {
    fn end(&mut self, tenant: TenantId, request: RequestId, env: &Envelope<'_>) {
        self.ended.insert(
            request,
            Ended {
                tenant,
                at: env.raw.occurred_at,
            },
        );
    }
}
