//! Shared test fixtures and the given/when/then harness for deciders.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use noaber_domain::ids::*;
use noaber_domain::request::*;
use noaber_domain::values::*;
use noaber_domain::{CommandContext, Decider, Personal, Role};
use uuid::Uuid;

/// A decision about to be made: the history so far.
pub struct Given<D: Decider> {
    events: Vec<D::Event>,
}

/// Starts a scenario from a history of events.
pub fn given<D: Decider>(events: impl IntoIterator<Item = D::Event>) -> Given<D> {
    Given {
        events: events.into_iter().collect(),
    }
}

/// The outcome of a decision.
pub struct Then<D: Decider> {
    history: Vec<D::Event>,
    result: Result<Vec<D::Event>, D::Error>,
}

impl<D: Decider> Given<D> {
    /// Decides `command` in `ctx` on the state folded from the history.
    pub fn when(self, ctx: &CommandContext, command: D::Command) -> Then<D> {
        let state = D::fold(self.events.iter());
        let result = D::decide(&state, ctx, &command);
        Then {
            history: self.events,
            result,
        }
    }
}

impl<D: Decider> Then<D>
where
    D::Event: PartialEq + std::fmt::Debug,
    D::Error: PartialEq + std::fmt::Debug,
{
    /// Asserts the command produced exactly these events.
    pub fn then(self, expected: Vec<D::Event>) {
        match self.result {
            Ok(events) => assert_eq!(events, expected),
            Err(e) => panic!("expected events, got the error: {e}"),
        }
    }

    /// Asserts the command was refused with this error.
    pub fn then_err(self, expected: D::Error) {
        match self.result {
            Ok(events) => panic!("expected {expected:?}, got events {events:?}"),
            Err(e) => assert_eq!(e, expected),
        }
    }

    /// The events produced (panics if refused), for checks beyond equality.
    pub fn events(self) -> Vec<D::Event> {
        match self.result {
            Ok(events) => events,
            Err(e) => panic!("expected events, got the error: {e}"),
        }
    }

    /// The whole history after the command (panics if refused), to chain scenarios.
    pub fn history(self) -> Vec<D::Event> {
        let mut history = self.history;
        match self.result {
            Ok(events) => history.extend(events),
            Err(e) => panic!("expected events, got the error: {e}"),
        }
        history
    }
}

pub const TENANT: TenantId = TenantId::new(Uuid::from_u128(0x7e));
pub const REQ: RequestId = RequestId::new(Uuid::from_u128(0x100));
pub const HOOD: NeighbourhoodId = NeighbourhoodId::new(Uuid::from_u128(0x200));
pub const ORG: OrganisationId = OrganisationId::new(Uuid::from_u128(0x300));
pub const CALL: CallId = CallId::new(Uuid::from_u128(0x400));

pub const ANNA: PersonId = PersonId::new(Uuid::from_u128(0xa1)); // requester
pub const BEN: PersonId = PersonId::new(Uuid::from_u128(0xb1)); // helper
pub const CAS: PersonId = PersonId::new(Uuid::from_u128(0xc1)); // another helper
pub const DIRK: PersonId = PersonId::new(Uuid::from_u128(0xd1)); // connector
pub const EVA: PersonId = PersonId::new(Uuid::from_u128(0xe1)); // partner staff
pub const FEMKE: PersonId = PersonId::new(Uuid::from_u128(0xf1)); // funder
pub const GUS: PersonId = PersonId::new(Uuid::from_u128(0x91)); // an uninvolved resident
pub const AMBER: PersonId = PersonId::new(Uuid::from_u128(0xab)); // ambassador
pub const ADA: PersonId = PersonId::new(Uuid::from_u128(0xad)); // admin

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 10, 0, 0)
        .single()
        .expect("valid date")
}

pub fn ctx(actor: PersonId, role: Role) -> CommandContext {
    CommandContext::new(TENANT, actor, role, now(), Uuid::from_u128(0xc0))
}

pub fn anna() -> CommandContext {
    ctx(ANNA, Role::Resident)
}
pub fn ben() -> CommandContext {
    ctx(BEN, Role::Helper)
}
pub fn cas() -> CommandContext {
    ctx(CAS, Role::Helper)
}
pub fn dirk() -> CommandContext {
    ctx(DIRK, Role::Connector)
}
pub fn eva() -> CommandContext {
    ctx(EVA, Role::Partner)
}
pub fn femke() -> CommandContext {
    ctx(FEMKE, Role::Funder)
}
pub fn gus() -> CommandContext {
    ctx(GUS, Role::Resident)
}

pub fn category(code: &str) -> CategoryCode {
    CategoryCode::parse(code).expect("known category")
}

pub fn post_command(requester: PersonId, channel: Channel, hands: u32) -> RequestCommand {
    RequestCommand::Post {
        request_id: REQ,
        requester,
        channel,
        category: category("errands"),
        target_group: Some(TargetGroupCode::parse("older_people").expect("known group")),
        neighbourhood_id: HOOD,
        location: Some(ApproxLocation::new(51.0543, 3.7174).expect("on earth")),
        description: Personal::clear(requester, "Wie kan mijn boodschappen doen?"),
        urgency: Urgency::Normal,
        needed_by: None,
        anonymous: false,
        visibility: Visibility::Neighbourhood,
        hands_needed: HandsNeeded::new(hands).expect("in range"),
        skills_wanted: vec![],
        referred_by: None,
    }
}

pub fn posted_with(hands: u32) -> RequestEvent {
    let mut events = noaber_domain::request::HelpRequest::decide(
        &RequestState::default(),
        &anna(),
        &post_command(ANNA, Channel::App, hands),
    )
    .expect("a resident may post for herself");
    events.remove(0)
}

pub fn posted() -> RequestEvent {
    posted_with(1)
}

pub fn offered(helper: PersonId) -> RequestEvent {
    HelpOffered {
        request_id: REQ,
        helper,
        message: None,
    }
    .into()
}

pub fn matched(helper: PersonId) -> RequestEvent {
    HelperMatched {
        request_id: REQ,
        helper,
        matched_by: ANNA,
        direct: false,
    }
    .into()
}

pub fn referred() -> RequestEvent {
    ReferredToProfessional {
        request_id: REQ,
        organisation_id: ORG,
        referred_by: DIRK,
        reason: None,
    }
    .into()
}

pub fn resolved_by_neighbour(helper: PersonId) -> RequestEvent {
    RequestResolved {
        request_id: REQ,
        resolved_by: ANNA,
        resolution: ResolvedBy::Neighbour,
        helpers_credited: vec![helper],
        organisation_credited: None,
        minutes_given: None,
        compensation: Compensation::None,
    }
    .into()
}

pub fn closed(reason: CloseReason) -> RequestEvent {
    RequestClosed {
        request_id: REQ,
        reason,
        closed_by: ANNA,
    }
    .into()
}

pub fn voided() -> RequestEvent {
    RequestVoided {
        request_id: REQ,
        voided_by: DIRK,
    }
    .into()
}

pub fn resolve(resolution: ResolvedBy, helpers: Vec<PersonId>) -> RequestCommand {
    RequestCommand::Resolve {
        request_id: REQ,
        resolution,
        helpers_credited: helpers,
        minutes_given: None,
        compensation: Compensation::None,
    }
}
