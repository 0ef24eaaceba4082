//! Noaber's pure domain: value types, the events of every aggregate and the rules that decide them.
//!
//! Every aggregate is a [`decider::Decider`]: `decide` turns a command into events (or refuses it
//! with an error a connector understands) and `evolve` folds events into state. Nothing in here
//! does I/O, reads a clock or draws random numbers: time and ids come in with the command.
#![deny(missing_docs)]

mod access;
mod any_event;
pub mod call;
mod context;
mod decider;
mod error;
mod ids;
pub mod incident;
pub mod neighbourhood;
pub mod offer;
pub mod organisation;
pub mod person;
mod personal;
pub mod policy;
pub mod request;
mod role;
pub mod schema;
pub mod taxonomy;
pub mod tenant;
mod upcast;
pub mod values;

mod macros;

pub use access::Refusal;
pub use any_event::{AnyEvent, DecodeError};
pub use call::{CallCommand, CallError, CallEvent, CallState};
pub use context::CommandContext;
pub use decider::{Decider, DomainEvent, Fact, Reference, Requirement};
pub use error::{is_kebab_case, DomainError, ErrorKind};
pub use ids::{
    CallId, IdParseError, IncidentId, NeighbourhoodId, OrganisationId, PersonId, RequestId,
    StandingOfferId, TenantId,
};
pub use incident::{IncidentCommand, IncidentError, IncidentEvent, IncidentState};
pub use neighbourhood::{
    NeighbourhoodCommand, NeighbourhoodError, NeighbourhoodEvent, NeighbourhoodState,
};
pub use offer::{StandingOfferCommand, StandingOfferError, StandingOfferEvent, StandingOfferState};
pub use organisation::{
    OrganisationCommand, OrganisationError, OrganisationEvent, OrganisationState,
};
pub use person::{PersonCommand, PersonError, PersonEvent, PersonState};
pub use personal::{Personal, PersonalValue};
pub use request::{RequestCommand, RequestError, RequestEvent, RequestState};
pub use role::{Neighbourhoods, Role, RoleScope, ScopeKind};
pub use tenant::{TenantCommand, TenantError, TenantEvent, TenantState};
pub use values::ValueError;
