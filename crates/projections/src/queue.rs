//! The connector queue: what needs a human in a connector's neighbourhoods, with the reason,
//! the age and a priority.
//!
//! The fold keeps facts only (when a request was posted or reopened, triaged, offered, matched,
//! referred); whether something is overdue depends on `now` and on a [`QueueConfig`], both given
//! to the query, so the model never reads the clock and a rebuild gives the same state.
//!
//! Reasons:
//! - **untriaged**: an open request no connector has triaged yet;
//! - **no offer**: an open request (not routed to a professional) with no offer and no match
//!   `no_offer_after` (default 48 h) after it was posted or reopened;
//! - **match stalled**: a request with a helper matched `match_stalled_after` (default 7 days)
//!   ago and still not resolved;
//! - **referral without outcome**: referred to a professional `referral_without_outcome_after`
//!   (default 14 days) ago and no outcome recorded;
//! - **call short of hands**: an open call with fewer answers than hands needed and its
//!   deadline within `call_deadline_within` (default 48 h) or already past;
//! - **helper suspended**: a request with a helper matched who has since been suspended (or
//!   was suspended when the match was recorded): the connector cancels the match and finds
//!   someone else. Immediately, with no waiting time;
//! - **incident reported**: an incident or complaint no connector has acknowledged yet;
//! - **incident open**: an acknowledged incident or complaint that is not closed.
//!
//! Incidents and complaints are queue items of their own (`{"kind": "incident"}`), in the
//! neighbourhood of the request they are about, else of the person they are about. They reach
//! connectors here and nowhere else: the resident feed never shows them.
//!
//! Priority (higher first) = urgency points + age points + the largest reason's points
//! (+ 25 when the request's needed-by date is within 48 h or past; + 25 for an incident, as
//! opposed to a complaint):
//! urgency low 0, normal 10, high 25, urgent 50 (calls count as normal, incidents have none);
//! age 1 point per full 6 hours since the reason's clock started, at most 50;
//! reasons: incident reported 50, helper suspended 40, call short of hands 30, untriaged 20,
//! no offer 20, referral without outcome 10, match stalled 10, incident open 10.

use chrono::{DateTime, TimeDelta, Utc};
use noaber_domain::call::CallScope;
use noaber_domain::incident::{IncidentEvent, IncidentKind};
use noaber_domain::person::PersonEvent;
use noaber_domain::request::{RequestEvent, TriageRoute};
use noaber_domain::values::Urgency;
use noaber_domain::{
    AnyEvent, CallEvent, CallId, IncidentId, NeighbourhoodEvent, NeighbourhoodId, PersonId,
    RequestId,
};
use serde::{Deserialize, Serialize};

use crate::fastmap::{FastMap, FastSet};
use crate::model::{Envelope, ReadModel};

/// The waiting times after which something needs a human.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueConfig {
    /// An open request without any offer this long after posting needs a connector.
    pub no_offer_after: TimeDelta,
    /// A match not resolved this long after it was made needs a connector.
    pub match_stalled_after: TimeDelta,
    /// A referral without outcome this long after it was made needs a connector.
    pub referral_without_outcome_after: TimeDelta,
    /// An open call short of hands with its deadline this close needs a connector.
    pub call_deadline_within: TimeDelta,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            no_offer_after: TimeDelta::hours(48),
            match_stalled_after: TimeDelta::days(7),
            referral_without_outcome_after: TimeDelta::days(14),
            call_deadline_within: TimeDelta::hours(48),
        }
    }
}

/// Why an item is in the queue.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QueueReason {
    /// No connector has triaged the request yet.
    Untriaged,
    /// Nobody offered help in time.
    NoOffer,
    /// A helper was matched but the request is still not resolved.
    MatchStalled,
    /// The request was referred to a professional and no outcome was recorded.
    ReferralWithoutOutcome,
    /// The call has too few answers and its deadline is near or past.
    CallShortOfHands,
    /// A matched helper is suspended: the match needs a connector.
    HelperSuspended,
    /// An incident or complaint no connector has acknowledged yet.
    IncidentReported,
    /// An acknowledged incident or complaint that is not closed yet.
    IncidentOpen,
}

impl QueueReason {
    fn points(self) -> u32 {
        match self {
            QueueReason::IncidentReported => 50,
            QueueReason::HelperSuspended => 40,
            QueueReason::CallShortOfHands => 30,
            QueueReason::Untriaged | QueueReason::NoOffer => 20,
            QueueReason::ReferralWithoutOutcome
            | QueueReason::MatchStalled
            | QueueReason::IncidentOpen => 10,
        }
    }
}

/// What a queue item is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum QueueSubject {
    /// A help request.
    Request(RequestId),
    /// A call.
    Call(CallId),
    /// An incident or complaint.
    Incident(IncidentId),
}

/// One thing that needs a human.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    /// The request, call or incident.
    pub subject: QueueSubject,
    /// The neighbourhood it belongs to (for a call: the first of the connector's
    /// neighbourhoods it was sent to; for an incident: its request's, else its person's).
    pub neighbourhood: NeighbourhoodId,
    /// Every reason that applies, most pressing first.
    pub reasons: Vec<QueueReason>,
    /// When the request was posted (or last reopened), the call published or the incident
    /// reported.
    pub since: DateTime<Utc>,
    /// How long ago that was, in whole hours.
    pub age_hours: i64,
    /// The request's urgency (calls and incidents: none).
    pub urgency: Option<Urgency>,
    /// The priority: higher needs attention first (see the module documentation).
    pub priority: u32,
}

/// What the queue keeps of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Case {
    neighbourhood: NeighbourhoodId,
    urgency: Urgency,
    /// When it was posted or last reopened (occurred_at, microseconds).
    open_since: i64,
    needed_by: Option<i64>,
    triaged: bool,
    professional_route: bool,
    offers: u16,
    matched: u16,
    matched_since: Option<i64>,
    referred_since: Option<i64>,
    done: bool,
    /// The helpers matched now (to see whether one of them is suspended).
    helpers: Vec<PersonId>,
}

/// What the queue keeps of an open incident or complaint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct IncidentCase {
    kind: IncidentKind,
    request: Option<RequestId>,
    person: Option<PersonId>,
    /// Where it was when reported, for when its request is voided later.
    neighbourhood: Option<NeighbourhoodId>,
    reported: i64,
    acknowledged: bool,
}

/// What the queue keeps of a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct CallCase {
    neighbourhoods: Vec<NeighbourhoodId>,
    published: i64,
    deadline: Option<i64>,
    hands_needed: u32,
    answers: u32,
    closed: bool,
}

/// The connector queue of every neighbourhood.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "QueueData")]
pub struct Queue {
    cases: FastMap<RequestId, Case>,
    calls: FastMap<CallId, CallCase>,
    /// Neighbourhoods of each tenant, for calls sent to all of them.
    neighbourhoods: FastMap<uuid::Uuid, Vec<NeighbourhoodId>>,
    /// Helpers suspended now, and since when (microseconds).
    suspended: FastMap<PersonId, i64>,
    /// Incidents and complaints not closed.
    incidents: FastMap<IncidentId, IncidentCase>,
    /// Where each person lives, for incidents about a person.
    homes: FastMap<PersonId, NeighbourhoodId>,
    /// Requests not resolved, closed or voided, per neighbourhood (rebuilt on restore).
    #[serde(skip)]
    active: FastMap<NeighbourhoodId, FastSet<RequestId>>,
}

#[derive(Deserialize)]
struct QueueData {
    cases: FastMap<RequestId, Case>,
    calls: FastMap<CallId, CallCase>,
    neighbourhoods: FastMap<uuid::Uuid, Vec<NeighbourhoodId>>,
    suspended: FastMap<PersonId, i64>,
    incidents: FastMap<IncidentId, IncidentCase>,
    homes: FastMap<PersonId, NeighbourhoodId>,
}

impl From<QueueData> for Queue {
    fn from(d: QueueData) -> Self {
        let mut active: FastMap<NeighbourhoodId, FastSet<RequestId>> = FastMap::default();
        for (id, c) in d.cases.iter().filter(|(_, c)| !c.done) {
            active.entry(c.neighbourhood).or_default().insert(*id);
        }
        Self {
            cases: d.cases,
            calls: d.calls,
            neighbourhoods: d.neighbourhoods,
            suspended: d.suspended,
            incidents: d.incidents,
            homes: d.homes,
            active,
        }
    }
}

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at).unwrap_or_default()
}

fn urgency_points(u: Urgency) -> u32 {
    match u {
        Urgency::Low => 0,
        Urgency::Normal => 10,
        Urgency::High => 25,
        Urgency::Urgent => 50,
    }
}

/// One point per full 6 hours since `start`, at most 50.
fn age_points(now: i64, start: i64) -> u32 {
    let hours = (now - start).max(0) / 3_600_000_000;
    u32::try_from((hours / 6).min(50)).unwrap_or(50)
}

impl Queue {
    fn with_case(&mut self, id: RequestId, change: impl FnOnce(&mut Case)) {
        let Some(case) = self.cases.get_mut(&id) else {
            return;
        };
        let before = (!case.done).then_some(case.neighbourhood);
        change(case);
        let after = (!case.done).then_some(case.neighbourhood);
        if before != after {
            if let Some(n) = before {
                if let Some(set) = self.active.get_mut(&n) {
                    set.remove(&id);
                }
            }
            if let Some(n) = after {
                self.active.entry(n).or_default().insert(id);
            }
        }
    }

    fn apply_request(&mut self, env: &Envelope<'_>, event: &RequestEvent) {
        use RequestEvent as E;
        let at = micros(env.raw.occurred_at);
        match event {
            E::RequestPosted(p) => {
                if let Some(old) = self.cases.remove(&p.request_id) {
                    if let Some(set) = self.active.get_mut(&old.neighbourhood) {
                        set.remove(&p.request_id);
                    }
                }
                self.cases.insert(
                    p.request_id,
                    Case {
                        neighbourhood: p.neighbourhood_id,
                        urgency: p.urgency,
                        open_since: at,
                        needed_by: p.needed_by.map(micros),
                        triaged: false,
                        professional_route: false,
                        offers: 0,
                        matched: 0,
                        matched_since: None,
                        referred_since: None,
                        done: false,
                        helpers: Vec::new(),
                    },
                );
                self.active
                    .entry(p.neighbourhood_id)
                    .or_default()
                    .insert(p.request_id);
            }
            E::RequestTriaged(t) => self.with_case(t.request_id, |c| {
                c.triaged = true;
                c.professional_route = t.route == TriageRoute::Professional;
            }),
            E::HelpOffered(o) => self.with_case(o.request_id, |c| {
                c.offers = c.offers.saturating_add(1);
            }),
            E::OfferWithdrawn(o) => self.with_case(o.request_id, |c| {
                c.offers = c.offers.saturating_sub(1);
            }),
            E::HelperMatched(m) => self.with_case(m.request_id, |c| {
                if c.matched == 0 {
                    c.matched_since = Some(at);
                }
                c.matched = c.matched.saturating_add(1);
                c.helpers.push(m.helper);
            }),
            E::MatchCancelled(m) => self.with_case(m.request_id, |c| {
                c.matched = c.matched.saturating_sub(1);
                if c.matched == 0 {
                    c.matched_since = None;
                }
                c.helpers.retain(|h| *h != m.helper);
            }),
            E::ReferredToProfessional(r) => self.with_case(r.request_id, |c| {
                c.referred_since = Some(at);
            }),
            E::ReferralOutcomeRecorded(r) => self.with_case(r.request_id, |c| {
                c.referred_since = None;
            }),
            E::RequestResolved(r) => self.with_case(r.request_id, |c| c.done = true),
            E::RequestClosed(r) => self.with_case(r.request_id, |c| c.done = true),
            E::RequestReopened(r) => self.with_case(r.request_id, |c| {
                c.done = false;
                c.open_since = at;
                c.offers = 0;
                c.matched = 0;
                c.matched_since = None;
                c.referred_since = None;
                c.helpers.clear();
            }),
            E::RequestCorrected(r) => {
                if let Some(u) = r.urgency {
                    self.with_case(r.request_id, |c| c.urgency = u);
                }
                if let Some(n) = r.neighbourhood_id {
                    // Move it between neighbourhoods' active sets.
                    let Some(case) = self.cases.get_mut(&r.request_id) else {
                        return;
                    };
                    let old = std::mem::replace(&mut case.neighbourhood, n);
                    if !case.done {
                        if let Some(set) = self.active.get_mut(&old) {
                            set.remove(&r.request_id);
                        }
                        self.active.entry(n).or_default().insert(r.request_id);
                    }
                }
            }
            E::RequestVoided(r) => {
                if let Some(old) = self.cases.remove(&r.request_id) {
                    if let Some(set) = self.active.get_mut(&old.neighbourhood) {
                        set.remove(&r.request_id);
                    }
                }
            }
            E::FeedbackGiven(_) | E::PersonalDataExpired(_) | E::StandingOfferTakenUp(_) => {}
        }
    }

    fn request_item(
        &self,
        id: RequestId,
        c: &Case,
        now: i64,
        config: &QueueConfig,
    ) -> Option<QueueItem> {
        let mut reasons = Vec::new();
        let mut clock = c.open_since;
        let overdue = |since: i64, after: TimeDelta| {
            after
                .num_microseconds()
                .is_some_and(|limit| now.saturating_sub(since) >= limit)
        };
        if !c.triaged {
            reasons.push(QueueReason::Untriaged);
        }
        if !c.professional_route
            && c.offers == 0
            && c.matched == 0
            && c.referred_since.is_none()
            && overdue(c.open_since, config.no_offer_after)
        {
            reasons.push(QueueReason::NoOffer);
        }
        if let Some(since) = c.matched_since {
            if overdue(since, config.match_stalled_after) {
                reasons.push(QueueReason::MatchStalled);
                if reasons.len() == 1 {
                    clock = since;
                }
            }
        }
        if let Some(since) = c.referred_since {
            if overdue(since, config.referral_without_outcome_after) {
                reasons.push(QueueReason::ReferralWithoutOutcome);
                if reasons.len() == 1 {
                    clock = since;
                }
            }
        }
        // Since the earliest suspension of a helper still matched (or the match, if later).
        let suspended_since = c
            .helpers
            .iter()
            .filter_map(|h| self.suspended.get(h))
            .min()
            .map(|&since| since.max(c.matched_since.unwrap_or(since)));
        if let Some(since) = suspended_since {
            reasons.push(QueueReason::HelperSuspended);
            if reasons.len() == 1 {
                clock = since;
            }
        }
        if reasons.is_empty() {
            return None;
        }
        reasons.sort_by_key(|r| std::cmp::Reverse(r.points()));
        let needed_soon = c.needed_by.is_some_and(|by| by - now <= 48 * 3_600_000_000);
        let priority = urgency_points(c.urgency)
            + age_points(now, clock)
            + reasons.first().map_or(0, |r| r.points())
            + if needed_soon { 25 } else { 0 };
        Some(QueueItem {
            subject: QueueSubject::Request(id),
            neighbourhood: c.neighbourhood,
            reasons,
            since: from_micros(c.open_since),
            age_hours: (now - c.open_since) / 3_600_000_000,
            urgency: Some(c.urgency),
            priority,
        })
    }

    fn apply_call(&mut self, env: &Envelope<'_>, event: &CallEvent) {
        match event {
            CallEvent::CallPublished(c) => {
                let neighbourhoods = match &c.scope {
                    CallScope::All => self
                        .neighbourhoods
                        .get(&env.raw.tenant_id)
                        .cloned()
                        .unwrap_or_default(),
                    CallScope::Neighbourhoods(list) => list.clone(),
                };
                self.calls.insert(
                    c.call_id,
                    CallCase {
                        neighbourhoods,
                        published: micros(env.raw.occurred_at),
                        deadline: Some(micros(c.deadline)),
                        hands_needed: c.hands_needed.get(),
                        answers: 0,
                        closed: false,
                    },
                );
            }
            CallEvent::CallAnswered(a) => {
                if let Some(call) = self.calls.get_mut(&a.call_id) {
                    call.answers = call.answers.saturating_add(1);
                }
            }
            CallEvent::CallClosed(c) => {
                // A closed call never needs a human again: drop it.
                self.calls.remove(&c.call_id);
            }
        }
    }

    fn apply_neighbourhood(&mut self, env: &Envelope<'_>, event: &NeighbourhoodEvent) {
        if let NeighbourhoodEvent::NeighbourhoodRegistered(n) = event {
            let list = self.neighbourhoods.entry(env.raw.tenant_id).or_default();
            if !list.contains(&n.neighbourhood_id) {
                list.push(n.neighbourhood_id);
            }
        }
    }

    fn apply_person(&mut self, env: &Envelope<'_>, event: &PersonEvent) {
        match event {
            PersonEvent::PersonRegistered(p) => {
                self.homes.insert(p.person_id, p.neighbourhood_id);
            }
            PersonEvent::ProfileUpdated(p) => {
                if let Some(n) = p.neighbourhood_id {
                    self.homes.insert(p.person_id, n);
                }
            }
            PersonEvent::HelperSuspended(s) => {
                self.suspended
                    .entry(s.person_id)
                    .or_insert_with(|| micros(env.raw.occurred_at));
            }
            PersonEvent::SuspensionLifted(l) => {
                self.suspended.remove(&l.person_id);
            }
            _ => {}
        }
    }

    /// Where an incident belongs now: its request's neighbourhood, else its person's, else
    /// where it was when reported.
    fn incident_neighbourhood(&self, case: &IncidentCase) -> Option<NeighbourhoodId> {
        case.request
            .and_then(|r| self.cases.get(&r).map(|c| c.neighbourhood))
            .or_else(|| case.person.and_then(|p| self.homes.get(&p).copied()))
            .or(case.neighbourhood)
    }

    fn apply_incident(&mut self, env: &Envelope<'_>, event: &IncidentEvent) {
        match event {
            IncidentEvent::IncidentReported(r) => {
                let mut case = IncidentCase {
                    kind: r.kind,
                    request: r.request_id,
                    person: r.person_id,
                    neighbourhood: None,
                    reported: micros(env.raw.occurred_at),
                    acknowledged: false,
                };
                case.neighbourhood = self.incident_neighbourhood(&case);
                self.incidents.insert(r.incident_id, case);
            }
            IncidentEvent::IncidentAcknowledged(a) => {
                if let Some(case) = self.incidents.get_mut(&a.incident_id) {
                    case.acknowledged = true;
                }
            }
            IncidentEvent::IncidentClosed(c) => {
                // A closed incident never needs a human again: drop it.
                self.incidents.remove(&c.incident_id);
            }
        }
    }

    fn incident_items(
        &self,
        neighbourhoods: &[NeighbourhoodId],
        now: i64,
        out: &mut Vec<QueueItem>,
    ) {
        for (id, case) in &self.incidents {
            let Some(n) = self
                .incident_neighbourhood(case)
                .filter(|n| neighbourhoods.contains(n))
            else {
                continue;
            };
            let reason = if case.acknowledged {
                QueueReason::IncidentOpen
            } else {
                QueueReason::IncidentReported
            };
            let harm = if case.kind == IncidentKind::Incident {
                25
            } else {
                0
            };
            out.push(QueueItem {
                subject: QueueSubject::Incident(*id),
                neighbourhood: n,
                reasons: vec![reason],
                since: from_micros(case.reported),
                age_hours: (now - case.reported) / 3_600_000_000,
                urgency: None,
                priority: age_points(now, case.reported) + reason.points() + harm,
            });
        }
    }

    fn call_items(
        &self,
        neighbourhoods: &[NeighbourhoodId],
        now: i64,
        config: &QueueConfig,
        out: &mut Vec<QueueItem>,
    ) {
        let Some(window) = config.call_deadline_within.num_microseconds() else {
            return;
        };
        for (id, call) in &self.calls {
            if call.closed || call.answers >= call.hands_needed {
                continue;
            }
            let Some(deadline) = call.deadline else {
                continue;
            };
            if deadline - now > window {
                continue;
            }
            let Some(n) = neighbourhoods
                .iter()
                .find(|n| call.neighbourhoods.contains(n))
            else {
                continue;
            };
            let reason = QueueReason::CallShortOfHands;
            out.push(QueueItem {
                subject: QueueSubject::Call(*id),
                neighbourhood: *n,
                reasons: vec![reason],
                since: from_micros(call.published),
                age_hours: (now - call.published) / 3_600_000_000,
                urgency: None,
                priority: urgency_points(Urgency::Normal)
                    + age_points(now, call.published)
                    + reason.points()
                    + 25,
            });
        }
    }

    /// Everything that needs a human in `neighbourhoods` at `now`, highest priority first
    /// (then oldest first).
    pub fn items(
        &self,
        neighbourhoods: &[NeighbourhoodId],
        now: DateTime<Utc>,
        config: &QueueConfig,
    ) -> Vec<QueueItem> {
        let now_us = micros(now);
        let mut out = Vec::new();
        for n in neighbourhoods {
            let Some(active) = self.active.get(n) else {
                continue;
            };
            for id in active {
                if let Some(case) = self.cases.get(id) {
                    if let Some(item) = self.request_item(*id, case, now_us, config) {
                        out.push(item);
                    }
                }
            }
        }
        self.call_items(neighbourhoods, now_us, config, &mut out);
        self.incident_items(neighbourhoods, now_us, &mut out);
        out.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.since.cmp(&b.since))
                .then_with(|| subject_key(&a.subject).cmp(&subject_key(&b.subject)))
        });
        out
    }
}

fn subject_key(s: &QueueSubject) -> (u8, uuid::Uuid) {
    match s {
        QueueSubject::Request(id) => (0, id.as_uuid()),
        QueueSubject::Call(id) => (1, id.as_uuid()),
        QueueSubject::Incident(id) => (2, id.as_uuid()),
    }
}

impl ReadModel for Queue {
    const NAME: &'static str = "queue";
    // 2: matched helpers, suspensions, incidents and homes are kept.
    const SNAPSHOT_VERSION: u32 = 2;

    fn apply(&mut self, env: &Envelope<'_>) {
        match env.event {
            AnyEvent::Request(e) => self.apply_request(env, e),
            AnyEvent::Call(e) => self.apply_call(env, e),
            AnyEvent::Neighbourhood(e) => self.apply_neighbourhood(env, e),
            AnyEvent::Person(e) => self.apply_person(env, e),
            AnyEvent::Incident(e) => self.apply_incident(env, e),
            // Standing offers need no human until someone takes one up, and then the
            // request they post is in the queue like any other.
            AnyEvent::Organisation(_) | AnyEvent::Tenant(_) | AnyEvent::StandingOffer(_) => {}
        }
    }
}
