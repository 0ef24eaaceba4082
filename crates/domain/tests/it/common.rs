//! Shared test fixtures and the given/when/then harness for deciders.

use chrono::{DateTime, TimeZone, Utc};
use noaber_domain::request::*;
use noaber_domain::values::*;
use noaber_domain::{CallId, NeighbourhoodId, OrganisationId, PersonId, RequestId, TenantId};
use noaber_domain::{CommandContext, Decider, Fact, Personal, Requirement, Role};
use uuid::Uuid;

/// How a test answers the facts a command requires from other aggregates, as the executor
/// would from the read models.
pub type Answer = Box<dyn Fn(&Requirement) -> Fact>;

/// A decision about to be made: the history so far, and what other aggregates hold.
pub struct Given<D: Decider> {
    events: Vec<D::Event>,
    answer: Answer,
    /// When the history happened, as the executor knows it from the log (see [`Given::at`]).
    at: Option<DateTime<Utc>>,
}

/// Starts a scenario from a history of events, in a world where no helper is suspended or
/// screened and no category is sensitive.
pub fn given<D: Decider>(events: impl IntoIterator<Item = D::Event>) -> Given<D> {
    Given {
        events: events.into_iter().collect(),
        at: None,
        answer: Box::new(|r: &Requirement| match r {
            Requirement::HelperStanding { helper, category } => Fact::HelperStanding {
                helper: *helper,
                category: category.clone(),
                standing: noaber_domain::person::Standing::default(),
                sensitive: false,
            },
        }),
    }
}

/// The outcome of a decision, with the command that led to it for failure messages.
pub struct Then<D: Decider> {
    history: Vec<D::Event>,
    command: D::Command,
    result: Result<Vec<D::Event>, D::Error>,
}

impl<D: Decider> Given<D> {
    /// The same history, with the facts of other aggregates answered by `answer`.
    pub fn knowing(self, answer: impl Fn(&Requirement) -> Fact + 'static) -> Self {
        Given {
            events: self.events,
            answer: Box::new(answer),
            at: self.at,
        }
    }

    /// The same history, every event of it recorded as happening at `at`, folded with those
    /// times as the executor folds a stream read from the log.
    pub fn at(self, at: DateTime<Utc>) -> Self {
        Given {
            at: Some(at),
            ..self
        }
    }

    /// Decides `command` in `ctx` on the state folded from the history, then checks the facts
    /// it requires, as the executor does.
    pub fn when(self, ctx: &CommandContext, command: impl Into<D::Command>) -> Then<D> {
        let command = command.into();
        let state = match self.at {
            None => D::fold(self.events.iter()),
            Some(at) => self
                .events
                .iter()
                .fold(D::State::default(), |s, e| D::evolve_at(s, e, at)),
        };
        let result = D::decide(&state, ctx, &command).and_then(|events| {
            let facts: Vec<Fact> = D::requirements(&state, &command)
                .iter()
                .map(&self.answer)
                .collect();
            D::check(ctx, &facts).map(|()| events)
        });
        Then {
            history: self.events,
            command,
            result,
        }
    }
}

impl<D: Decider> Then<D>
where
    D::Command: std::fmt::Debug,
    D::Event: PartialEq + std::fmt::Debug,
    D::Error: PartialEq + std::fmt::Debug,
{
    /// Asserts the command produced exactly these events.
    #[track_caller]
    pub fn then(self, expected: Vec<D::Event>) {
        let command = self.command;
        match self.result {
            Ok(events) => assert_eq!(events, expected, "the events of {command:?}"),
            Err(e) => panic!("expected events from {command:?}, got the error: {e:?}"),
        }
    }

    /// Asserts the command was refused with this error.
    #[track_caller]
    pub fn then_err(self, expected: D::Error) {
        let command = self.command;
        match self.result {
            Ok(events) => panic!("expected {expected:?} from {command:?}, got events {events:?}"),
            Err(e) => assert_eq!(e, expected, "the refusal of {command:?}"),
        }
    }

    /// The refusal (panics if the command was accepted), for checks beyond equality.
    #[track_caller]
    pub fn result_err(self) -> D::Error {
        let command = self.command;
        match self.result {
            Ok(events) => panic!("expected a refusal of {command:?}, got events {events:?}"),
            Err(e) => e,
        }
    }

    /// The events produced (panics if refused), for checks beyond equality.
    #[track_caller]
    pub fn events(self) -> Vec<D::Event> {
        let command = self.command;
        match self.result {
            Ok(events) => events,
            Err(e) => panic!("expected events from {command:?}, got the error: {e:?}"),
        }
    }

    /// The whole history after the command (panics if refused), to chain scenarios.
    #[track_caller]
    pub fn history(self) -> Vec<D::Event> {
        let command = self.command;
        let mut history = self.history;
        match self.result {
            Ok(events) => history.extend(events),
            Err(e) => panic!("expected events from {command:?}, got the error: {e:?}"),
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

pub fn location() -> ApproxLocation {
    ApproxLocation::new(51.0543, 3.7174).expect("on earth")
}

pub fn older_people() -> TargetGroupCode {
    TargetGroupCode::parse("older_people").expect("known group")
}

/// Anna's shopping request, as `requester` posts it in the app; tests change what they need
/// with struct update syntax.
pub fn post(requester: PersonId) -> PostRequest {
    post_command(requester, Channel::App, 1)
}

/// A request for `hands` helpers that `requester` posts through `channel`.
pub fn post_command(requester: PersonId, channel: Channel, hands: u32) -> PostRequest {
    PostRequest {
        request_id: REQ,
        requester,
        channel,
        category: category("errands"),
        target_group: Some(older_people()),
        neighbourhood_id: HOOD,
        location: Some(location()),
        description: Personal::clear(requester, "Wie kan mijn boodschappen doen?"),
        urgency: Urgency::Normal,
        needed_by: None,
        anonymous: false,
        visibility: Visibility::Neighbourhood,
        hands_needed: HandsNeeded::new(hands).expect("in range"),
        skills_wanted: vec![],
        referred_by: None,
        consent: Some(ConsentBasis::ExplicitConsent),
    }
}

/// Anna's request for `hands` helpers as posted, written out rather than made by the `decide`
/// under test, so a bug in posting cannot hide in every other test's history.
pub fn posted_with(hands: u32) -> RequestEvent {
    RequestPosted {
        request_id: REQ,
        requester: ANNA,
        posted_by: ANNA,
        on_behalf: false,
        channel: Channel::App,
        category: category("errands"),
        target_group: Some(older_people()),
        neighbourhood_id: HOOD,
        location: Some(location()),
        precise_location: None,
        description: Personal::clear(ANNA, "Wie kan mijn boodschappen doen?"),
        urgency: Urgency::Normal,
        needed_by: None,
        anonymous: false,
        visibility: Visibility::Neighbourhood,
        hands_needed: HandsNeeded::new(hands).expect("in range"),
        skills_wanted: vec![],
        referred_by: None,
        consent: Some(ConsentRecord {
            basis: ConsentBasis::ExplicitConsent,
            taken_by: ANNA,
            channel: Some(Channel::App),
        }),
    }
    .into()
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

pub fn resolve(resolution: ResolvedBy, helpers: Vec<PersonId>) -> ResolveRequest {
    ResolveRequest {
        request_id: REQ,
        resolution,
        helpers_credited: helpers,
        minutes_given: None,
        compensation: Compensation::None,
    }
}
