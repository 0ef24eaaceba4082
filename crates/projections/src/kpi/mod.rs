//! Funder KPIs (DESIGN section 6, docs/kpis.md): a read model of compact per-request facts,
//! each stamped with the recorded time of the event that established it, so that any period,
//! breakdown, time series or "as of" moment is answered from memory without replaying the log.
//!
//! The fold ([`Kpis::apply`]) only records facts; every rule about what counts (voids,
//! corrections, cancellations, reopenings, the report date) lives in the query (`query.rs`),
//! which is what makes "as of" a cheap filter. Suppression for funders lives in `report.rs`.

mod query;
mod report;

use std::collections::HashMap;

use noaber_domain::request::ResolvedBy as DomainResolvedBy;
use noaber_domain::values::Channel;
use noaber_domain::{AnyEvent, RequestEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Envelope, ReadModel};

pub use query::{Breakdown, Interval, KpiQuery};
pub use report::{
    nearest_rank, share, BreakdownRow, FigureChange, FigureValue, FunderComparison, FunderFigures,
    FunderReport, FunderTimes, KpiComparison, KpiFigures, KpiReport, ReportScope, SeriesPoint,
    Shown, TimeFigures, DEFAULT_SUPPRESSION_THRESHOLD, FIGURE_NAMES,
};

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

/// The funder KPI read model: see the module documentation and docs/kpis.md.
///
/// Persons, neighbourhoods, categories and tenants are interned to small numbers so that a
/// request costs a few dozen bytes plus about 24 bytes per later event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    requests: Vec<RequestFacts>,
    request_index: HashMap<Uuid, u32>,
    tenants: Vec<Uuid>,
    persons: Vec<Uuid>,
    person_index: HashMap<Uuid, u32>,
    neighbourhoods: Vec<Uuid>,
    neighbourhood_index: HashMap<Uuid, u32>,
    categories: Vec<String>,
}

/// The small number standing for a channel in the model.
pub(crate) fn channel_code(name: &str) -> Option<u8> {
    let channel: Channel = name.parse().ok()?;
    channel_index(channel)
}

fn channel_index(channel: Channel) -> Option<u8> {
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
        if let Some(i) = self.request_index.get(&request) {
            if let Some(r) = self.requests.get_mut(*i as usize) {
                r.facts.push(Fact { rec, occ, kind });
            }
        }
    }
}

impl ReadModel for Kpis {
    const NAME: &'static str = "kpis";
    const SNAPSHOT_VERSION: u32 = 1;

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
                let facts = RequestFacts {
                    id: request,
                    tenant: self.tenant(tenant),
                    requester: self.person(p.requester.as_uuid()),
                    posted_occ: occ,
                    posted_rec: rec,
                    neighbourhood: self.neighbourhood(p.neighbourhood_id.as_uuid()),
                    category: self.category(p.category.as_str()),
                    channel: channel_index(p.channel).unwrap_or(u8::MAX),
                    on_behalf: p.on_behalf,
                    facts: Vec::new(),
                };
                let index = u32::try_from(self.requests.len()).unwrap_or(u32::MAX);
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
            | RequestEvent::FeedbackGiven(_) => return,
        };
        self.push_fact(request, rec, occ, kind);
    }
}
