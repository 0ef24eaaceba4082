//! Funder KPIs (DESIGN section 6, docs/kpis.md): a read model of compact per-request facts,
//! each stamped with the recorded time of the event that established it, so that any period,
//! breakdown, time series or "as of" moment is answered from memory without replaying the log.
//!
//! The fold ([`Kpis::apply`]) only records facts; every rule about what counts (voids,
//! corrections, cancellations, reopenings, the report date) lives in the query (`query.rs`),
//! which is what makes "as of" a cheap filter. Suppression for funders lives in `report.rs`.

mod query;
mod report;
mod time;

use std::collections::HashMap;

use noaber_domain::request::ResolvedBy as DomainResolvedBy;
use noaber_domain::values::Channel;
use noaber_domain::{AnyEvent, RequestEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Envelope, ReadModel};

pub use query::{Breakdown, Interval, KpiQuery};
pub use report::{
    nearest_rank, share, BreakdownRow, Figure, FigureChange, FigureValue, FunderComparison,
    FunderFigures, FunderReport, FunderTimes, KpiComparison, KpiFigures, KpiReport, ReportScope,
    SeriesPoint, Shown, TimeFigures, DEFAULT_SUPPRESSION_THRESHOLD,
};
pub use time::{ReportTime, ReportTimeError};

/// Who a resolution credits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ResolvedBy {
    /// A neighbour (informal help).
    Neighbour,
    /// A professional.
    Professional,
    /// The requester solved it themselves.
    Requester,
}

/// What one event established about a request. Small and `Copy`: a request keeps a list of
/// these in log order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum FactKind {
    /// Someone offered help (a response, not a match).
    Response,
    /// A helper (interned person) was matched.
    Matched { helper: u32 },
    /// The helper's latest match was cancelled.
    MatchCancelled { helper: u32 },
    /// Referred to a professional.
    Referred,
    /// Resolved, crediting `by`, with the minutes of help given if recorded.
    Resolved {
        by: ResolvedBy,
        minutes: Option<u32>,
    },
    /// Closed without resolution.
    Closed,
    /// Reopened after a resolution or closure.
    Reopened,
    /// The record was corrected: the new values (interned), where they changed.
    Corrected {
        neighbourhood: Option<u32>,
        category: Option<u32>,
        channel: Option<u8>,
    },
    /// Voided: posted in error; no longer counted.
    Voided,
}

/// One fact with its two times, in microseconds since the epoch: `rec` when the log learned it
/// (for "as of"), `occ` when it happened (for periods, the report date and durations).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fact {
    pub(crate) rec: i64,
    pub(crate) occ: i64,
    pub(crate) kind: FactKind,
}

/// What the model keeps of one request: the posting, then every later fact in log order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RequestFacts {
    pub(crate) id: Uuid,
    pub(crate) tenant: u32,
    pub(crate) requester: u32,
    pub(crate) posted_occ: i64,
    pub(crate) posted_rec: i64,
    pub(crate) neighbourhood: u32,
    pub(crate) category: u32,
    pub(crate) channel: u8,
    pub(crate) on_behalf: bool,
    pub(crate) facts: Vec<Fact>,
}

/// A request's view with every fact counted, kept up to date by the fold so that a query
/// whose as-of moment and report date lie after all of a request's facts (the usual case)
/// reads it instead of walking the facts again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Settled {
    /// The requester (interned).
    pub(crate) requester: u32,
    /// When the request was posted (occurred), for durations.
    pub(crate) posted_occ: i64,
    /// Posted on behalf of someone else.
    pub(crate) on_behalf: bool,
    /// The latest recorded time of the posting and every fact: an as-of moment at or after
    /// it filters nothing out.
    pub(crate) last_rec: i64,
    /// The latest occurred time of the lifecycle facts (the ones the report date filters):
    /// a report date at or after it filters nothing out.
    pub(crate) last_occ: i64,
    /// The view with nothing filtered out.
    pub(crate) view: query::View,
    /// How many matches stand (not cancelled), counted up to two.
    pub(crate) standing: u8,
    /// The standing match when there is exactly one: helper and time.
    pub(crate) sole_match: Option<(u32, i64)>,
}

/// One match fact, for the indexes by time: when it happened and on which request.
pub(crate) type MatchAt = (i64, u32);

/// Per tenant: its requests in order of posting time, and its match facts in order of time,
/// so that a period query visits only the requests and matches of that period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TenantIndex {
    /// (posted occurred time, request), sorted by time; equal times keep log order.
    pub(crate) posts: Vec<(i64, u32)>,
    /// Every match fact of the tenant's requests, sorted by occurred time.
    pub(crate) matches: Vec<MatchAt>,
}

/// Inserts `item` into `list`, kept sorted by its time, after any equal times (log order).
/// Entries arrive almost in time order, so the insertion point is at or near the end.
fn insert_by_time(list: &mut Vec<(i64, u32)>, item: (i64, u32)) {
    let at = list.partition_point(|(t, _)| *t <= item.0);
    list.insert(at, item);
}

/// The funder KPI read model: see the module documentation and docs/kpis.md.
///
/// Persons, neighbourhoods, categories and tenants are interned to small numbers so that a
/// request costs a few dozen bytes plus about 24 bytes per later event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    requests: Vec<RequestFacts>,
    /// Per request (same positions as `requests`): its settled view, kept apart so that a
    /// query's hot loop reads only these compact records.
    settled: Vec<Settled>,
    request_index: HashMap<Uuid, u32>,
    tenants: Vec<Uuid>,
    persons: Vec<Uuid>,
    person_index: HashMap<Uuid, u32>,
    neighbourhoods: Vec<Uuid>,
    neighbourhood_index: HashMap<Uuid, u32>,
    categories: Vec<String>,
    /// Per tenant (by interned tenant): the indexes by time.
    by_tenant: Vec<TenantIndex>,
    /// Per person (by interned person): their match facts, sorted by occurred time, for
    /// finding a helper's first match without visiting the tenant's whole history.
    helper_matches: Vec<Vec<MatchAt>>,
}

/// The small number standing for a channel in the model.
pub(crate) fn channel_index(channel: Channel) -> Option<u8> {
    Channel::ALL
        .iter()
        .position(|c| *c == channel)
        .and_then(|i| u8::try_from(i).ok())
}

fn channel_name(code: u8) -> &'static str {
    Channel::ALL
        .get(usize::from(code))
        .map_or("unknown", |c| c.as_str())
}

fn intern(list: &mut Vec<Uuid>, index: &mut HashMap<Uuid, u32>, id: Uuid) -> u32 {
    *index.entry(id).or_insert_with(|| {
        list.push(id);
        // More than four billion distinct ids cannot occur in one process's memory.
        u32::try_from(list.len() - 1).unwrap_or(u32::MAX)
    })
}

impl Kpis {
    /// How many requests the model knows (voided ones included).
    pub fn request_count(&self) -> usize {
        self.requests.len()
    }

    fn tenant_index(&self, tenant: Uuid) -> Option<u32> {
        self.tenants
            .iter()
            .position(|t| *t == tenant)
            .and_then(|i| u32::try_from(i).ok())
    }

    fn neighbourhood_index(&self, id: Uuid) -> Option<u32> {
        self.neighbourhood_index.get(&id).copied()
    }

    fn category_index(&self, code: &str) -> Option<u32> {
        self.categories
            .iter()
            .position(|c| c == code)
            .and_then(|i| u32::try_from(i).ok())
    }

    fn group_key(&self, by: Breakdown, id: u32) -> String {
        match by {
            Breakdown::Neighbourhood => self
                .neighbourhoods
                .get(id as usize)
                .map_or_else(|| "unknown".to_owned(), Uuid::to_string),
            Breakdown::Category => self
                .categories
                .get(id as usize)
                .cloned()
                .unwrap_or_else(|| "unknown".to_owned()),
            Breakdown::Channel => u8::try_from(id).map_or("unknown", channel_name).to_owned(),
        }
    }

    fn person(&mut self, id: Uuid) -> u32 {
        intern(&mut self.persons, &mut self.person_index, id)
    }

    fn neighbourhood(&mut self, id: Uuid) -> u32 {
        intern(&mut self.neighbourhoods, &mut self.neighbourhood_index, id)
    }

    fn category(&mut self, code: &str) -> u32 {
        match self.category_index(code) {
            Some(i) => i,
            None => {
                self.categories.push(code.to_owned());
                u32::try_from(self.categories.len() - 1).unwrap_or(u32::MAX)
            }
        }
    }

    fn tenant(&mut self, id: Uuid) -> u32 {
        match self.tenant_index(id) {
            Some(i) => i,
            None => {
                self.tenants.push(id);
                u32::try_from(self.tenants.len() - 1).unwrap_or(u32::MAX)
            }
        }
    }

    fn push_fact(&mut self, request: Uuid, rec: i64, occ: i64, kind: FactKind) {
        let Some(index) = self.request_index.get(&request).copied() else {
            return;
        };
        let Some(r) = self.requests.get_mut(index as usize) else {
            return;
        };
        r.facts.push(Fact { rec, occ, kind });
        if let Some(s) = self.settled.get_mut(index as usize) {
            *s = query::settle(r);
        }
        if let FactKind::Matched { helper } = kind {
            if let Some(t) = self.by_tenant.get_mut(r.tenant as usize) {
                insert_by_time(&mut t.matches, (occ, index));
            }
            let helper = helper as usize;
            if self.helper_matches.len() <= helper {
                self.helper_matches.resize_with(helper + 1, Vec::new);
            }
            if let Some(list) = self.helper_matches.get_mut(helper) {
                insert_by_time(list, (occ, index));
            }
        }
    }
}

impl ReadModel for Kpis {
    const NAME: &'static str = "kpis";
    const SNAPSHOT_VERSION: u32 = 2;

    fn apply(&mut self, env: &Envelope<'_>) {
        let AnyEvent::Request(event) = env.event else {
            return;
        };
        let rec = query::micros(env.raw.recorded_at);
        let occ = query::micros(env.raw.occurred_at);
        self.apply_request(event, env.raw.tenant_id, rec, occ);
    }
}

impl Kpis {
    fn apply_request(&mut self, event: &RequestEvent, tenant: Uuid, rec: i64, occ: i64) {
        let request = event.aggregate_id();
        let kind = match event {
            RequestEvent::RequestPosted(p) => {
                if self.request_index.contains_key(&request) {
                    // A stream starts with its posting; a second one would be a store fault.
                    return;
                }
                let tenant = self.tenant(tenant);
                let facts = RequestFacts {
                    id: request,
                    tenant,
                    requester: self.person(p.requester.as_uuid()),
                    posted_occ: occ,
                    posted_rec: rec,
                    neighbourhood: self.neighbourhood(p.neighbourhood_id.as_uuid()),
                    category: self.category(p.category.as_str()),
                    channel: channel_index(p.channel).unwrap_or(u8::MAX),
                    on_behalf: p.on_behalf,
                    facts: Vec::new(),
                };
                self.settled.push(query::settle(&facts));
                let index = u32::try_from(self.requests.len()).unwrap_or(u32::MAX);
                if self.by_tenant.len() <= tenant as usize {
                    self.by_tenant
                        .resize_with(tenant as usize + 1, TenantIndex::default);
                }
                if let Some(t) = self.by_tenant.get_mut(tenant as usize) {
                    insert_by_time(&mut t.posts, (occ, index));
                }
                self.requests.push(facts);
                self.request_index.insert(request, index);
                return;
            }
            RequestEvent::HelpOffered(_) => FactKind::Response,
            RequestEvent::HelperMatched(m) => FactKind::Matched {
                helper: self.person(m.helper.as_uuid()),
            },
            RequestEvent::MatchCancelled(m) => FactKind::MatchCancelled {
                helper: self.person(m.helper.as_uuid()),
            },
            RequestEvent::ReferredToProfessional(_) => FactKind::Referred,
            RequestEvent::RequestResolved(r) => FactKind::Resolved {
                by: match r.resolution {
                    DomainResolvedBy::Neighbour => ResolvedBy::Neighbour,
                    DomainResolvedBy::Professional => ResolvedBy::Professional,
                    DomainResolvedBy::Requester => ResolvedBy::Requester,
                },
                minutes: r.minutes_given.map(|m| m.get()),
            },
            RequestEvent::RequestClosed(_) => FactKind::Closed,
            RequestEvent::RequestReopened(_) => FactKind::Reopened,
            RequestEvent::RequestCorrected(c) => {
                let neighbourhood = c.neighbourhood_id.map(|n| self.neighbourhood(n.as_uuid()));
                let category = c.category.as_ref().map(|code| self.category(code.as_str()));
                let channel = c.channel.and_then(channel_index);
                if neighbourhood.is_none() && category.is_none() && channel.is_none() {
                    // Only fields the KPIs do not use changed.
                    return;
                }
                FactKind::Corrected {
                    neighbourhood,
                    category,
                    channel,
                }
            }
            RequestEvent::RequestVoided(_) => FactKind::Voided,
            RequestEvent::RequestTriaged(_)
            | RequestEvent::OfferWithdrawn(_)
            | RequestEvent::ReferralOutcomeRecorded(_)
            | RequestEvent::FeedbackGiven(_)
            | RequestEvent::PersonalDataExpired(_)
            | RequestEvent::StandingOfferTakenUp(_) => return,
        };
        self.push_fact(request, rec, occ, kind);
    }
}
