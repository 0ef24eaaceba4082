//! The Decider shape every aggregate follows: pure `decide` and `evolve`.
//!
//! `decide(&state, &ctx, &command)` answers with the events that happened or an error a person
//! understands; `evolve(state, &event)` folds one event into the state. Both are pure, so every
//! rule is a plain unit test, and an executor elsewhere loads a stream, folds it, decides and
//! appends with the expected version.
//!
//! What a rule needs from other aggregates is declared, never read: [`Decider::references`]
//! names the aggregates that must exist in the caller's tenant, [`Decider::requirements`] the
//! facts they hold that the decision depends on (a helper's screening, whether the tenant marks
//! a category sensitive). The executor finds those facts and hands them to [`Decider::check`],
//! which is as pure as `decide`.

use uuid::Uuid;

use crate::context::CommandContext;
use crate::error::DomainError;
use crate::ids::PersonId;
use crate::person::Standing;
use crate::values::CategoryCode;

/// An event type that knows its stored name and schema version.
pub trait DomainEvent: serde::Serialize + serde::de::DeserializeOwned {
    /// The stored event type: the variant name, e.g. `"RequestPosted"`.
    fn event_type(&self) -> &'static str;
    /// The current schema version of this event type.
    fn schema_version(&self) -> u32;
    /// The stored shape: event type, current schema version and the payload (fields only).
    fn encode_stored(&self) -> (&'static str, u32, serde_json::Value);
    /// Reads a stored event back, upcasting an older schema version to the current shape.
    fn decode_stored(
        event_type: &str,
        schema_version: u32,
        payload: serde_json::Value,
    ) -> Result<Self, crate::DecodeError>
    where
        Self: Sized;
}

/// An aggregate as a pure decider.
pub trait Decider {
    /// The state folded from the aggregate's events.
    type State: Default + Clone + std::fmt::Debug;
    /// The commands the aggregate accepts; each names its aggregate id.
    type Command;
    /// The events the aggregate produces.
    type Event: DomainEvent + Clone;
    /// Why a command was refused.
    type Error: DomainError;
    /// The stream category, e.g. `"request"`: streams are named `<CATEGORY>-<uuid>`.
    const CATEGORY: &'static str;

    /// The aggregate a command is about, so the executor can load stream `<CATEGORY>-<id>`.
    fn aggregate_id(command: &Self::Command) -> Uuid;

    /// The ids of other aggregates this command names, which must exist in the caller's tenant.
    ///
    /// `decide` cannot look at other aggregates, so the executor checks these before deciding.
    fn references(command: &Self::Command) -> Vec<Reference> {
        let _ = command;
        Vec::new()
    }

    /// The facts held by other aggregates that deciding `command` in `state` depends on.
    ///
    /// `decide` cannot read them, so the executor finds one [`Fact`] per requirement (from the
    /// read models, or the log) after `decide` accepted the command and hands them, in the same
    /// order, to [`Decider::check`].
    fn requirements(state: &Self::State, command: &Self::Command) -> Vec<Requirement> {
        let _ = (state, command);
        Vec::new()
    }

    /// Refuses a command that `decide` accepted when the facts found for its
    /// [`Decider::requirements`] do not allow it. Pure, like `decide`.
    fn check(ctx: &CommandContext, facts: &[Fact]) -> Result<(), Self::Error> {
        let _ = (ctx, facts);
        Ok(())
    }

    /// Decides what happens when `command` is given in `ctx` to an aggregate in `state`.
    fn decide(
        state: &Self::State,
        ctx: &CommandContext,
        command: &Self::Command,
    ) -> Result<Vec<Self::Event>, Self::Error>;

    /// Folds one event into the state.
    fn evolve(state: Self::State, event: &Self::Event) -> Self::State;

    /// Folds one event that happened at `occurred_at` (its envelope's time) into the state:
    /// for rules about when things happened, which the events' payloads do not carry. The
    /// executor folds with it; by default the time is not needed.
    fn evolve_at(
        state: Self::State,
        event: &Self::Event,
        occurred_at: chrono::DateTime<chrono::Utc>,
    ) -> Self::State {
        let _ = occurred_at;
        Self::evolve(state, event)
    }

    /// Folds a whole history, starting from the default state.
    fn fold<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self::State
    where
        Self::Event: 'a,
    {
        events
            .into_iter()
            .fold(Self::State::default(), |s, e| Self::evolve(s, e))
    }
}

/// Another aggregate a command names: its stream category and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The referenced aggregate's stream category, e.g. `"neighbourhood"`.
    pub category: &'static str,
    /// The referenced aggregate's id.
    pub id: Uuid,
}

impl Reference {
    /// A reference to the aggregate of decider `D` with this id.
    pub fn to<D: Decider>(id: impl Into<Uuid>) -> Self {
        Reference {
            category: D::CATEGORY,
            id: id.into(),
        }
    }
}

/// A fact held outside an aggregate that one of its commands depends on, declared by
/// [`Decider::requirements`] and found by the executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// How `helper` stands for help in `category`: whether they are suspended, the screening
    /// they hold, and whether the tenant requires a screening for that category.
    HelperStanding {
        /// The helper about to offer or be matched.
        helper: PersonId,
        /// The category of the help.
        category: CategoryCode,
    },
}

/// What the executor found for a [`Requirement`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// The answer to [`Requirement::HelperStanding`].
    HelperStanding {
        /// The helper.
        helper: PersonId,
        /// The category of the help.
        category: CategoryCode,
        /// Whether they are suspended, and the screening they hold.
        standing: Standing,
        /// Whether the tenant requires a valid screening for help in the category.
        sensitive: bool,
    },
}
