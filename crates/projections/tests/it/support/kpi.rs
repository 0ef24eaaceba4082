//! The KPI tests' support: building stored events through the domain's types, folding
//! them into the KPI model, and generating random histories (back-dated entries, corrections,
//! voids, reopenings and erasures included).

use chrono::{DateTime, Duration, TimeZone, Utc};
use noaber_domain::person::PersonErased;
use noaber_domain::request::{CancelReason, RequestTriaged, TriageRoute};
use noaber_domain::request::{
    CloseReason, Compensation, HelpOffered, HelperMatched, MatchCancelled, ReferredToProfessional,
    RequestClosed, RequestCorrected, RequestPosted, RequestReopened, RequestResolved,
    RequestVoided, ResolvedBy,
};
use noaber_domain::values::{CategoryCode, Channel, HandsNeeded, Minutes, Urgency, Visibility};
use noaber_domain::{AnyEvent, PersonEvent, Personal, RequestEvent};
use noaber_domain::{NeighbourhoodId, OrganisationId, PersonId, RequestId};
use noaber_projections::kpi::Kpis;
use noaber_projections::model::{Envelope, ReadModel};
use noaber_store::{Checkpoint, Metadata, RecordedEvent, StreamId};
use proptest::prelude::*;
use uuid::Uuid;

/// The tenant every generated history is about.
pub fn tenant() -> Uuid {
    Uuid::from_u128(0x7e4a_0000_0000_0000_0000_0000_0000_0001)
}

/// Another tenant, whose requests must never be counted for [`tenant`].
pub fn other_tenant() -> Uuid {
    Uuid::from_u128(0x7e4a_0000_0000_0000_0000_0000_0000_0002)
}

/// A fixed id for a small number, so histories are readable.
pub fn person(n: usize) -> PersonId {
    PersonId::new(Uuid::from_u128(
        0x9e50_0000_0000_0000_0000_0000_0000_0000 + n as u128,
    ))
}

/// A request id for a small number.
pub fn request(n: usize) -> RequestId {
    RequestId::new(Uuid::from_u128(
        0x5e90_0000_0000_0000_0000_0000_0000_0000 + n as u128,
    ))
}

/// A neighbourhood id for a small number.
pub fn neighbourhood(n: usize) -> NeighbourhoodId {
    NeighbourhoodId::new(Uuid::from_u128(
        0xb0b0_0000_0000_0000_0000_0000_0000_0000 + n as u128,
    ))
}

/// The n-th category of the taxonomy (wrapping around).
pub fn category(n: usize) -> CategoryCode {
    let all = noaber_domain::taxonomy::taxonomy().categories();
    CategoryCode::parse(all[n % all.len()].code).expect("taxonomy codes parse")
}

/// The n-th channel (wrapping around).
pub fn channel(n: usize) -> Channel {
    Channel::ALL[n % Channel::ALL.len()]
}

/// Midnight UTC of a date.
pub fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .expect("a valid date")
}

/// A stored event as a store would hand it out, with the times chosen by the test.
pub fn recorded(
    position: i64,
    tenant_id: Uuid,
    event: &AnyEvent,
    occurred_at: DateTime<Utc>,
    recorded_at: DateTime<Utc>,
) -> RecordedEvent {
    let (event_type, schema_version, payload) = event.encode();
    let stream_id = match event {
        AnyEvent::Request(e) => StreamId::for_aggregate("request", e.aggregate_id()),
        _ => StreamId::parse("other-1").expect("a valid stream id"),
    };
    RecordedEvent {
        checkpoint: Checkpoint { tx: 0, position },
        position,
        tenant_id,
        stream_id,
        stream_version: 1,
        event_id: Uuid::from_u128(position as u128),
        event_type: event_type.to_owned(),
        schema_version,
        payload,
        metadata: Metadata::default(),
        occurred_at,
        recorded_at,
        prev_hash: [0; 32],
        hash: [0; 32],
    }
}

/// A history: stored events with their decoded form, in log order.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The events.
    pub events: Vec<(RecordedEvent, AnyEvent)>,
}

impl History {
    /// Appends a request event with the given times.
    pub fn push(
        &mut self,
        tenant_id: Uuid,
        event: RequestEvent,
        occurred_at: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
    ) {
        self.push_any(
            tenant_id,
            AnyEvent::Request(event),
            occurred_at,
            recorded_at,
        );
    }

    /// Appends any event with the given times; the stored form is decoded back, as the runner
    /// does, so what the model sees went through the stored shape.
    pub fn push_any(
        &mut self,
        tenant_id: Uuid,
        event: AnyEvent,
        occurred_at: DateTime<Utc>,
        recorded_at: DateTime<Utc>,
    ) {
        let position = self.events.len() as i64 + 1;
        let raw = recorded(position, tenant_id, &event, occurred_at, recorded_at);
        let decoded = AnyEvent::decode(&raw.event_type, raw.schema_version, raw.payload.clone())
            .expect("an event just encoded decodes");
        self.events.push((raw, decoded));
    }

    /// Folds every event into a fresh model.
    pub fn fold(&self) -> Kpis {
        fold(&self.events)
    }
}

/// Folds events into a fresh model.
pub fn fold(events: &[(RecordedEvent, AnyEvent)]) -> Kpis {
    let mut kpis = Kpis::default();
    apply(&mut kpis, events);
    kpis
}

/// Folds events into an existing model.
pub fn apply(kpis: &mut Kpis, events: &[(RecordedEvent, AnyEvent)]) {
    for (raw, event) in events {
        kpis.apply(&Envelope { raw, event });
    }
}

/// A RequestPosted with plain defaults.
#[allow(clippy::too_many_arguments)]
pub fn posted(
    req: usize,
    requester: usize,
    on_behalf: bool,
    channel_n: usize,
    category_n: usize,
    neighbourhood_n: usize,
) -> RequestEvent {
    RequestEvent::RequestPosted(RequestPosted {
        request_id: request(req),
        requester: person(requester),
        posted_by: if on_behalf {
            person(900)
        } else {
            person(requester)
        },
        on_behalf,
        channel: channel(channel_n),
        category: category(category_n),
        target_group: None,
        neighbourhood_id: neighbourhood(neighbourhood_n),
        location: None,
        precise_location: None,
        description: Personal::clear(person(requester), "help with the shopping"),
        urgency: Urgency::Normal,
        needed_by: None,
        anonymous: false,
        visibility: Visibility::Neighbourhood,
        hands_needed: HandsNeeded::ONE,
        skills_wanted: Vec::new(),
        referred_by: None,
        consent: None,
    })
}

/// A HelpOffered.
pub fn offered(req: usize, helper: usize) -> RequestEvent {
    RequestEvent::HelpOffered(HelpOffered {
        request_id: request(req),
        helper: person(helper),
        message: None,
    })
}

/// A HelperMatched.
pub fn matched(req: usize, helper: usize) -> RequestEvent {
    RequestEvent::HelperMatched(HelperMatched {
        request_id: request(req),
        helper: person(helper),
        matched_by: person(900),
        direct: false,
    })
}

/// A MatchCancelled.
pub fn cancelled(req: usize, helper: usize) -> RequestEvent {
    RequestEvent::MatchCancelled(MatchCancelled {
        request_id: request(req),
        helper: person(helper),
        cancelled_by: person(900),
        reason: CancelReason::HelperUnavailable,
    })
}

/// A ReferredToProfessional.
pub fn referred(req: usize) -> RequestEvent {
    RequestEvent::ReferredToProfessional(ReferredToProfessional {
        request_id: request(req),
        organisation_id: OrganisationId::new(Uuid::from_u128(77)),
        referred_by: person(900),
        reason: None,
    })
}

/// A RequestResolved crediting `by`, with the minutes given if any.
pub fn resolved(
    req: usize,
    by: ResolvedBy,
    helpers: &[usize],
    minutes: Option<u32>,
) -> RequestEvent {
    RequestEvent::RequestResolved(RequestResolved {
        request_id: request(req),
        resolved_by: person(900),
        resolution: by,
        helpers_credited: helpers.iter().map(|h| person(*h)).collect(),
        organisation_credited: (by == ResolvedBy::Professional)
            .then(|| OrganisationId::new(Uuid::from_u128(77))),
        minutes_given: minutes.map(|m| Minutes::new(m).expect("minutes in range")),
        compensation: Compensation::None,
    })
}

/// A RequestClosed.
pub fn closed(req: usize) -> RequestEvent {
    RequestEvent::RequestClosed(RequestClosed {
        request_id: request(req),
        reason: CloseReason::NoLongerNeeded,
        closed_by: person(900),
    })
}

/// A RequestReopened.
pub fn reopened(req: usize) -> RequestEvent {
    RequestEvent::RequestReopened(RequestReopened {
        request_id: request(req),
        reopened_by: person(900),
    })
}

/// A RequestCorrected changing the given fields.
pub fn corrected(
    req: usize,
    category_n: Option<usize>,
    neighbourhood_n: Option<usize>,
    channel_n: Option<usize>,
) -> RequestEvent {
    RequestEvent::RequestCorrected(RequestCorrected {
        request_id: request(req),
        corrected_by: person(900),
        category: category_n.map(category),
        target_group: None,
        neighbourhood_id: neighbourhood_n.map(neighbourhood),
        urgency: None,
        channel: channel_n.map(channel),
    })
}

/// A RequestVoided.
pub fn voided(req: usize) -> RequestEvent {
    RequestEvent::RequestVoided(RequestVoided {
        request_id: request(req),
        voided_by: person(900),
    })
}

/// A RequestTriaged (not a response: the KPIs ignore it).
pub fn triaged(req: usize) -> RequestEvent {
    RequestEvent::RequestTriaged(RequestTriaged {
        request_id: request(req),
        route: TriageRoute::Informal,
        triaged_by: person(900),
        note: None,
    })
}

/// One generated step, before it is turned into an event.
#[derive(Clone, Debug)]
pub struct Step {
    /// What happens (0..=12).
    pub what: u8,
    /// To which request (0..12).
    pub req: usize,
    /// A person number (requester 0..6, helper 10..16).
    pub who: usize,
    /// A small choice (category, neighbourhood, channel, resolution kind...).
    pub pick: usize,
    /// Another small choice.
    pub pick2: usize,
    /// Hours between the previous recorded time and this one.
    pub advance_hours: i64,
    /// How many hours before it was recorded this happened (back-dated entries).
    pub backdate_hours: i64,
    /// Whether the request belongs to the other tenant (only read on posting).
    pub other_tenant: bool,
}

fn step() -> impl Strategy<Value = Step> {
    (
        0u8..=12,
        0usize..12,
        0usize..6,
        0usize..6,
        0usize..6,
        1i64..96,
        prop_oneof![4 => Just(0i64), 1 => 1i64..400],
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(what, req, who, pick, pick2, advance_hours, backdate_hours, other_tenant)| Step {
                what,
                req,
                who,
                pick,
                pick2,
                advance_hours,
                backdate_hours,
                other_tenant,
            },
        )
}

/// Random step lists of up to `max` steps.
pub fn steps(max: usize) -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(step(), 1..max)
}

/// The first recorded time of generated histories.
pub fn start() -> DateTime<Utc> {
    day(2024, 1, 1)
}

/// Turns steps into a history. A step on a request not posted yet posts it; the rest follow
/// the steps loosely (the KPI model must cope with any order the log holds).
pub fn history(steps: &[Step]) -> History {
    let mut h = History::default();
    let mut recorded_at = start();
    let mut posted_in: Vec<Option<Uuid>> = vec![None; 12];
    for s in steps {
        recorded_at += Duration::hours(s.advance_hours);
        let occurred_at = recorded_at - Duration::hours(s.backdate_hours);
        let helper = 10 + s.who;
        let event = match (posted_in[s.req], s.what) {
            (None, _) => {
                let t = if s.other_tenant {
                    other_tenant()
                } else {
                    tenant()
                };
                posted_in[s.req] = Some(t);
                posted(s.req, s.who, s.pick % 3 == 0, s.pick, s.pick2, s.pick % 2)
            }
            (Some(_), 0 | 1) => offered(s.req, helper),
            (Some(_), 2 | 3) => matched(s.req, helper),
            (Some(_), 4) => cancelled(s.req, helper),
            (Some(_), 5) => referred(s.req),
            (Some(_), 6 | 7) => {
                let by = ResolvedBy::ALL[s.pick % ResolvedBy::ALL.len()];
                let helpers: Vec<usize> = if by == ResolvedBy::Neighbour {
                    vec![helper]
                } else {
                    Vec::new()
                };
                let minutes = (s.pick2 % 2 == 0).then_some(30 * (s.pick2 as u32 + 1));
                resolved(s.req, by, &helpers, minutes)
            }
            (Some(_), 8) => closed(s.req),
            (Some(_), 9) => reopened(s.req),
            (Some(_), 10) => corrected(
                s.req,
                (s.pick % 2 == 0).then_some(s.pick2),
                (s.pick % 3 == 0).then_some(s.pick2 % 2),
                (s.pick % 4 == 1).then_some(s.pick2),
            ),
            (Some(_), 11) if s.pick == 0 => voided(s.req),
            (Some(_), 11) => triaged(s.req),
            (Some(_), _) => {
                // An erasure (of a requester or a helper): the log keeps its shape and the
                // request stays, anonymous; no figure may change because of it.
                let erased = if s.pick % 2 == 0 { s.who } else { helper };
                let event = AnyEvent::Person(PersonEvent::PersonErased(PersonErased {
                    person_id: person(erased),
                    erased_by: person(900),
                }));
                h.push_any(tenant(), event, occurred_at, recorded_at);
                continue;
            }
        };
        let t = posted_in[s.req].unwrap_or_else(tenant);
        h.push(t, event, occurred_at, recorded_at);
    }
    h
}
