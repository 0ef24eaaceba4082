//! Shared helpers for the read-model tests: build recorded events from the domain's event types
//! (encoded exactly as the log stores them), a small vocabulary of ids and places, and a
//! generator of random but plausible histories for the property tests.
//!
//! [`kpi`] holds the KPI tests' own vocabulary: it builds request events with back-dated entry
//! times and folds them into the KPI model alone, with its own ids so that its oracle's
//! histories stay exactly as they were recorded in the regression files; [`offers`] builds
//! standing offer events and their take-up.

pub mod kpi;
pub mod offers;

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use noaber_domain::call::{CallAnswered, CallCloseReason, CallClosed, CallPublished, CallScope};
use noaber_domain::incident::{
    IncidentAcknowledged, IncidentClosed, IncidentKind, IncidentOutcome, IncidentReported,
};
use noaber_domain::neighbourhood::NeighbourhoodRegistered;
use noaber_domain::person::{
    HelperOptedIn, HelperOptedOut, HelperSuspended, PersonErased, PersonRegistered, ScreeningKind,
    ScreeningRecorded, ScreeningWithdrawal, ScreeningWithdrawn, SkillsDeclared, SuspensionLifted,
    SuspensionReason,
};
use noaber_domain::request::*;
use noaber_domain::tenant::TenantSettingsChanged;
use noaber_domain::values::{
    ApproxLocation, Availability, CategoryCode, Channel, DigitalAccess, DisplayName, Distance,
    HandsNeeded, PartOfDay, Rating, SkillCode, Slot, Urgency, Visibility, Weekday,
};
use noaber_domain::{
    AnyEvent, CallId, IncidentId, NeighbourhoodId, PersonId, Personal, RequestId, TenantId,
};
use noaber_store::{Checkpoint, Metadata, NewEvent, RecordedEvent, StreamId};
use proptest::prelude::*;
use uuid::Uuid;

pub fn tenant() -> Uuid {
    Uuid::from_u128(0x7e7a_0000_0000_7000_8000_0000_0000_0001)
}

pub fn person(n: u32) -> PersonId {
    PersonId::new(Uuid::from_u128(
        0x1000_0000_0000_7000_8000_0000_0000_0000 + u128::from(n),
    ))
}

pub fn request(n: u32) -> RequestId {
    RequestId::new(Uuid::from_u128(
        0x2000_0000_0000_7000_8000_0000_0000_0000 + u128::from(n),
    ))
}

pub fn call(n: u32) -> CallId {
    CallId::new(Uuid::from_u128(
        0x3000_0000_0000_7000_8000_0000_0000_0000 + u128::from(n),
    ))
}

pub fn hood(n: u32) -> NeighbourhoodId {
    NeighbourhoodId::new(Uuid::from_u128(
        0x4000_0000_0000_7000_8000_0000_0000_0000 + u128::from(n),
    ))
}

pub fn incident(n: u32) -> IncidentId {
    IncidentId::new(Uuid::from_u128(
        0x5000_0000_0000_7000_8000_0000_0000_0000 + u128::from(n),
    ))
}

pub fn connector() -> PersonId {
    person(999)
}

/// A point about `km_east` kilometres east of a fixed spot in Ghent.
pub fn place(km_east: f64) -> ApproxLocation {
    // At latitude 51 degrees one degree of longitude is about 70 km.
    ApproxLocation::new(51.05, 3.70 + km_east / 70.0).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

pub fn category(code: &str) -> CategoryCode {
    CategoryCode::parse(code).unwrap()
}

pub fn skill(code: &str) -> SkillCode {
    SkillCode::parse(code).unwrap()
}

pub fn weekday_mornings() -> Availability {
    Availability::from_slots(
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .map(|day| Slot {
            day,
            part: PartOfDay::Morning,
        }),
    )
}

pub fn saturday_evening() -> Availability {
    Availability::from_slots([Slot {
        day: Weekday::Sat,
        part: PartOfDay::Evening,
    }])
}

/// The stored shape of a domain event, as a writer hands it to the log.
pub fn new_event(event: &AnyEvent, occurred_at: DateTime<Utc>, meta: Metadata) -> NewEvent {
    let (event_type, schema_version, payload) = event.encode();
    NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: tenant(),
        event_type: event_type.to_owned(),
        schema_version,
        payload,
        metadata: meta,
        occurred_at,
    }
}

/// A log built in memory: events get consecutive positions and stream versions.
#[derive(Debug, Default, Clone)]
pub struct History {
    pub events: Vec<RecordedEvent>,
    versions: HashMap<String, u64>,
    now: Option<DateTime<Utc>>,
}

impl History {
    pub fn new() -> Self {
        Self::default()
    }

    /// Events pushed from now on happen (and are recorded) at `at`.
    pub fn at(&mut self, at: DateTime<Utc>) -> &mut Self {
        self.now = Some(at);
        self
    }

    pub fn push(&mut self, event: impl Into<AnyEvent>) -> &mut Self {
        self.push_meta(event, meta_of(connector(), "connector"))
    }

    pub fn push_meta(&mut self, event: impl Into<AnyEvent>, metadata: Metadata) -> &mut Self {
        let event = event.into();
        let at = self.now.unwrap_or_else(|| day(2025, 1, 6));
        let stream = event.stream_id();
        let version = self.versions.entry(stream.clone()).or_insert(0);
        *version += 1;
        let position = i64::try_from(self.events.len()).unwrap() + 1;
        let (event_type, schema_version, payload) = event.encode();
        self.events.push(RecordedEvent {
            checkpoint: Checkpoint { tx: 0, position },
            position,
            tenant_id: tenant(),
            stream_id: StreamId::parse(&stream).unwrap(),
            stream_version: *version,
            event_id: Uuid::from_u128(position as u128),
            event_type: event_type.to_owned(),
            schema_version,
            payload,
            metadata,
            occurred_at: at,
            recorded_at: at,
            prev_hash: [0; 32],
            hash: [0; 32],
        });
        self
    }
}

pub fn meta_of(actor: PersonId, role: &str) -> Metadata {
    Metadata {
        actor_id: Some(actor.as_uuid()),
        actor_role: Some(role.to_owned()),
        ..Metadata::default()
    }
}

// ---- event builders -------------------------------------------------------------------------

pub fn neighbourhood_registered(n: u32) -> AnyEvent {
    AnyEvent::Neighbourhood(
        NeighbourhoodRegistered {
            neighbourhood_id: hood(n),
            name: DisplayName::parse(&format!("Wijk {n}")).unwrap(),
            centroid: place(0.0),
            radius: Distance::from_km(2).unwrap(),
            registered_by: connector(),
        }
        .into(),
    )
}

pub fn registered(p: u32, n: u32, at: Option<ApproxLocation>) -> AnyEvent {
    AnyEvent::Person(
        PersonRegistered {
            person_id: person(p),
            name: Personal::clear(person(p), format!("Person {p}")),
            contact: None,
            address: None,
            neighbourhood_id: hood(n),
            location: at,
            precise_location: None,
            languages: Vec::new(),
            digital_access: DigitalAccess::Digital,
            registered_by: person(p),
            self_registered: true,
            consent: None,
        }
        .into(),
    )
}

pub fn skills_declared(
    p: u32,
    skills: &[&str],
    availability: Availability,
    max_km: u32,
) -> AnyEvent {
    AnyEvent::Person(
        SkillsDeclared {
            person_id: person(p),
            skills: skills.iter().map(|s| skill(s)).collect(),
            availability,
            max_distance: Distance::from_km(max_km).unwrap(),
            available_for_calls: true,
        }
        .into(),
    )
}

pub fn opted_in(p: u32) -> AnyEvent {
    AnyEvent::Person(
        HelperOptedIn {
            person_id: person(p),
        }
        .into(),
    )
}

pub fn opted_out(p: u32) -> AnyEvent {
    AnyEvent::Person(
        HelperOptedOut {
            person_id: person(p),
        }
        .into(),
    )
}

pub fn erased(p: u32) -> AnyEvent {
    AnyEvent::Person(
        PersonErased {
            person_id: person(p),
            erased_by: connector(),
        }
        .into(),
    )
}

// ---- safeguarding ----

pub fn screened(p: u32, issued_on: NaiveDate, valid_until: NaiveDate) -> AnyEvent {
    AnyEvent::Person(
        ScreeningRecorded {
            person_id: person(p),
            kind: ScreeningKind::Vog,
            issued_on,
            valid_until,
            recorded_by: connector(),
        }
        .into(),
    )
}

pub fn screening_withdrawn(p: u32) -> AnyEvent {
    AnyEvent::Person(
        ScreeningWithdrawn {
            person_id: person(p),
            reason: ScreeningWithdrawal::Revoked,
            withdrawn_by: connector(),
        }
        .into(),
    )
}

pub fn suspended(p: u32) -> AnyEvent {
    AnyEvent::Person(
        HelperSuspended {
            person_id: person(p),
            reason: SuspensionReason::IncidentUnderReview,
            note: None,
            incident_id: None,
            suspended_by: connector(),
        }
        .into(),
    )
}

pub fn suspension_lifted(p: u32) -> AnyEvent {
    AnyEvent::Person(
        SuspensionLifted {
            person_id: person(p),
            lifted_by: connector(),
        }
        .into(),
    )
}

/// The tenant of [`tenant`] marks these categories sensitive.
pub fn sensitive(codes: &[&str]) -> AnyEvent {
    AnyEvent::Tenant(
        TenantSettingsChanged {
            tenant_id: TenantId::new(tenant()),
            name: None,
            default_language: None,
            sensitive_categories: Some(codes.iter().map(|c| category(c)).collect()),
            retention: None,
        }
        .into(),
    )
}

/// Incident `i`, reported by person 0, about request `r` and/or person `p`.
pub fn incident_reported(i: u32, kind: IncidentKind, r: Option<u32>, p: Option<u32>) -> AnyEvent {
    AnyEvent::Incident(
        IncidentReported {
            incident_id: incident(i),
            kind,
            request_id: r.map(request),
            person_id: p.map(person),
            description: Personal::clear(person(0), "Er ging iets mis bij het bezoek"),
            reported_by: person(0),
        }
        .into(),
    )
}

pub fn incident_acknowledged(i: u32) -> AnyEvent {
    AnyEvent::Incident(
        IncidentAcknowledged {
            incident_id: incident(i),
            acknowledged_by: connector(),
        }
        .into(),
    )
}

pub fn incident_closed(i: u32) -> AnyEvent {
    AnyEvent::Incident(
        IncidentClosed {
            incident_id: incident(i),
            outcome: IncidentOutcome::Resolved,
            closed_by: connector(),
        }
        .into(),
    )
}

/// A request posting with plain defaults; adjust the fields in the closure.
pub fn posted_with(
    r: u32,
    requester: u32,
    n: u32,
    adjust: impl FnOnce(&mut RequestPosted),
) -> AnyEvent {
    let mut p = RequestPosted {
        request_id: request(r),
        requester: person(requester),
        posted_by: person(requester),
        on_behalf: false,
        channel: Channel::App,
        category: category("errands"),
        target_group: None,
        neighbourhood_id: hood(n),
        location: Some(place(0.0)),
        precise_location: None,
        description: Personal::clear(person(requester), "help with shopping"),
        urgency: Urgency::Normal,
        needed_by: None,
        anonymous: false,
        visibility: Visibility::Neighbourhood,
        hands_needed: HandsNeeded::ONE,
        skills_wanted: Vec::new(),
        referred_by: None,
        consent: None,
    };
    adjust(&mut p);
    AnyEvent::Request(p.into())
}

pub fn posted(r: u32, requester: u32, n: u32) -> AnyEvent {
    posted_with(r, requester, n, |_| {})
}

pub fn triaged(r: u32, route: TriageRoute) -> AnyEvent {
    AnyEvent::Request(
        RequestTriaged {
            request_id: request(r),
            route,
            triaged_by: connector(),
            note: None,
        }
        .into(),
    )
}

pub fn offered(r: u32, helper: u32) -> AnyEvent {
    AnyEvent::Request(
        HelpOffered {
            request_id: request(r),
            helper: person(helper),
            message: None,
        }
        .into(),
    )
}

pub fn withdrawn(r: u32, helper: u32) -> AnyEvent {
    AnyEvent::Request(
        OfferWithdrawn {
            request_id: request(r),
            helper: person(helper),
        }
        .into(),
    )
}

pub fn matched(r: u32, helper: u32) -> AnyEvent {
    AnyEvent::Request(
        HelperMatched {
            request_id: request(r),
            helper: person(helper),
            matched_by: connector(),
            direct: false,
        }
        .into(),
    )
}

pub fn cancelled(r: u32, helper: u32) -> AnyEvent {
    AnyEvent::Request(
        MatchCancelled {
            request_id: request(r),
            helper: person(helper),
            cancelled_by: connector(),
            reason: CancelReason::HelperUnavailable,
        }
        .into(),
    )
}

pub fn referred(r: u32) -> AnyEvent {
    AnyEvent::Request(
        ReferredToProfessional {
            request_id: request(r),
            organisation_id: noaber_domain::OrganisationId::new(Uuid::from_u128(77)),
            referred_by: connector(),
            reason: None,
        }
        .into(),
    )
}

pub fn outcome(r: u32, outcome: ReferralOutcome) -> AnyEvent {
    AnyEvent::Request(
        ReferralOutcomeRecorded {
            request_id: request(r),
            organisation_id: noaber_domain::OrganisationId::new(Uuid::from_u128(77)),
            outcome,
            recorded_by: connector(),
            note: None,
        }
        .into(),
    )
}

pub fn resolved(r: u32, helpers: &[u32]) -> AnyEvent {
    AnyEvent::Request(
        RequestResolved {
            request_id: request(r),
            resolved_by: connector(),
            resolution: if helpers.is_empty() {
                ResolvedBy::Requester
            } else {
                ResolvedBy::Neighbour
            },
            helpers_credited: helpers.iter().map(|h| person(*h)).collect(),
            organisation_credited: None,
            minutes_given: None,
            compensation: Compensation::None,
        }
        .into(),
    )
}

pub fn closed(r: u32) -> AnyEvent {
    AnyEvent::Request(
        RequestClosed {
            request_id: request(r),
            reason: CloseReason::NoLongerNeeded,
            closed_by: connector(),
        }
        .into(),
    )
}

pub fn reopened(r: u32) -> AnyEvent {
    AnyEvent::Request(
        RequestReopened {
            request_id: request(r),
            reopened_by: connector(),
        }
        .into(),
    )
}

pub fn feedback(r: u32, by: u32, rating: u32) -> AnyEvent {
    AnyEvent::Request(
        FeedbackGiven {
            request_id: request(r),
            given_by: person(by),
            rating: Rating::new(rating).unwrap(),
            comment: None,
        }
        .into(),
    )
}

pub fn corrected(r: u32, category_code: Option<&str>, n: Option<u32>) -> AnyEvent {
    AnyEvent::Request(
        RequestCorrected {
            request_id: request(r),
            corrected_by: connector(),
            category: category_code.map(category),
            target_group: None,
            neighbourhood_id: n.map(hood),
            urgency: None,
            channel: None,
        }
        .into(),
    )
}

pub fn voided(r: u32) -> AnyEvent {
    AnyEvent::Request(
        RequestVoided {
            request_id: request(r),
            voided_by: connector(),
        }
        .into(),
    )
}

pub fn call_published(c: u32, scope: CallScope, hands: u32, deadline: DateTime<Utc>) -> AnyEvent {
    AnyEvent::Call(
        CallPublished {
            call_id: call(c),
            published_by: connector(),
            organisation_id: None,
            title: Personal::clear(connector(), "Snow clearing"),
            description: None,
            category: None,
            scope,
            fields_asked: Vec::new(),
            hands_needed: HandsNeeded::new(hands).unwrap(),
            deadline,
            skills_wanted: Vec::new(),
        }
        .into(),
    )
}

pub fn call_answered(c: u32, by: u32) -> AnyEvent {
    AnyEvent::Call(
        CallAnswered {
            call_id: call(c),
            answered_by: person(by),
            name: None,
            contact: None,
            availability: None,
        }
        .into(),
    )
}

pub fn call_closed(c: u32) -> AnyEvent {
    AnyEvent::Call(
        CallClosed {
            call_id: call(c),
            closed_by: connector(),
            reason: CallCloseReason::Filled,
        }
        .into(),
    )
}

// ---- random histories -----------------------------------------------------------------------

const CATEGORIES: [&str; 4] = ["errands", "transport", "household", "meals"];
const SKILLS: [&str; 5] = [
    "grocery_shopping",
    "driving_medical",
    "light_cleaning",
    "cooking",
    "accompany_walking",
];

/// One step of a random history: a kind and a few small numbers it picks its targets with.
#[derive(Clone, Debug)]
pub struct Step {
    kind: u8,
    a: u32,
    b: u32,
    c: u32,
    hours: i64,
}

pub fn step() -> impl Strategy<Value = Step> {
    (0u8..33, 0u32..6, 0u32..8, 0u32..4, -30i64..90).prop_map(|(kind, a, b, c, hours)| Step {
        kind,
        a,
        b,
        c,
        hours,
    })
}

/// Turns steps into a log. Not every history obeys every domain rule (the read models must
/// not rely on that to stay consistent), but each event names things that exist.
pub fn history_from(steps: &[Step]) -> History {
    let mut h = History::new();
    let mut t = day(2025, 3, 3);
    h.at(t);
    for n in 0..2 {
        h.push(neighbourhood_registered(n));
    }
    for p in 0..8 {
        h.push(registered(p, p % 2, Some(place(f64::from(p) * 0.7))));
    }
    for s in steps {
        // Mostly forward in time; sometimes back-dated (a home visit recorded later).
        t += Duration::hours(s.hours.max(1));
        let at = if s.hours < 0 {
            t + Duration::hours(s.hours * 3)
        } else {
            t
        };
        h.at(at);
        let (r, p, x) = (s.a, s.b, s.c);
        let e = match s.kind {
            0..=2 => posted_with(r, p, x % 2, |e| {
                e.category = category(CATEGORIES[x as usize % 4]);
                e.anonymous = x == 1;
                e.visibility = if x == 3 {
                    Visibility::Connectors
                } else {
                    Visibility::Neighbourhood
                };
                e.on_behalf = x == 2;
                e.hands_needed = HandsNeeded::new(1 + x % 2).unwrap();
                e.urgency = [
                    Urgency::Low,
                    Urgency::Normal,
                    Urgency::High,
                    Urgency::Urgent,
                ][x as usize % 4];
                e.needed_by = (x == 0).then(|| at + Duration::days(3));
                e.location = (x != 2).then(|| place(f64::from(r) * 0.5));
            }),
            3 => triaged(
                r,
                if x == 0 {
                    TriageRoute::Professional
                } else {
                    TriageRoute::Informal
                },
            ),
            4 | 5 => offered(r, p),
            6 => withdrawn(r, p),
            7 | 8 => matched(r, p),
            9 => cancelled(r, p),
            10 => referred(r),
            11 => outcome(
                r,
                [
                    ReferralOutcome::Accepted,
                    ReferralOutcome::Declined,
                    ReferralOutcome::Helped,
                    ReferralOutcome::NotReached,
                ][x as usize],
            ),
            12 => resolved(r, &[p]),
            13 => closed(r),
            14 => reopened(r),
            15 => feedback(r, p, 1 + x),
            16 => corrected(r, Some(CATEGORIES[x as usize]), (x == 1).then_some(p % 2)),
            17 => voided(r),
            18 => skills_declared(
                p,
                &SKILLS[..=(x as usize)],
                if x % 2 == 0 {
                    weekday_mornings()
                } else {
                    saturday_evening()
                },
                1 + x * 2,
            ),
            19 => opted_in(p),
            20 => opted_out(p),
            21 => erased(p),
            22 => call_published(
                r,
                if x == 0 {
                    CallScope::All
                } else {
                    CallScope::Neighbourhoods(vec![hood(x % 2)])
                },
                1 + x,
                at + Duration::hours(i64::from(p) * 12),
            ),
            23 => {
                if x == 3 {
                    call_closed(r)
                } else {
                    call_answered(r, p)
                }
            }
            24 => suspended(p),
            25 => suspension_lifted(p),
            26 => incident_reported(
                r,
                if x % 2 == 0 {
                    IncidentKind::Incident
                } else {
                    IncidentKind::Complaint
                },
                (x != 1).then_some(r),
                (x != 0).then_some(p),
            ),
            27 => {
                if x < 2 {
                    incident_acknowledged(r)
                } else {
                    incident_closed(r)
                }
            }
            29 => {
                let hoods = if x == 3 { vec![0, 1] } else { vec![x % 2] };
                offers::offer_published_with(r, p, &hoods, |o| {
                    o.until = (x == 2).then(|| at.date_naive() + Duration::days(10));
                    o.category = category(CATEGORIES[x as usize % 4]);
                })
            }
            30 => match x {
                0 => offers::offer_paused(r),
                1 => offers::offer_resumed(r),
                2 => offers::offer_moved(r, &[p % 2]),
                _ => offers::offer_ends(r, None),
            },
            31 => offers::offer_withdrawn(r),
            32 => {
                // A take-up: the posting, the take-up and the match, as one append writes them.
                h.push(posted(r, p, x % 2));
                h.push(offers::taken_up(r, x, (p + 1) % 8));
                matched(r, (p + 1) % 8)
            }
            _ => match x {
                0 => screened(
                    p,
                    at.date_naive() - Duration::days(30),
                    at.date_naive() + Duration::days(i64::from(r) * 100),
                ),
                1 => screening_withdrawn(p),
                _ => sensitive(&CATEGORIES[..x as usize]),
            },
        };
        h.push(e);
    }
    h
}
