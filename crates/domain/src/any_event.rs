//! [`AnyEvent`]: an event of any aggregate, with the stored encoding and the decoder that reads
//! (and upcasts) every stored event type.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::call::CallEvent;
use crate::decider::DomainEvent;
use crate::incident::IncidentEvent;
use crate::neighbourhood::NeighbourhoodEvent;
use crate::offer::StandingOfferEvent;
use crate::organisation::OrganisationEvent;
use crate::person::PersonEvent;
use crate::request::RequestEvent;
use crate::tenant::TenantEvent;

/// Why a stored event could not be read. Never a panic: an unreadable payload is reported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// No aggregate knows this event type.
    #[error("unknown event type '{event_type}'")]
    UnknownType {
        /// The stored type.
        event_type: String,
    },
    /// The schema version is newer than this program, zero, or has no upcaster.
    #[error("event type '{event_type}' has schema version {schema_version}, which cannot be read (current is {current})")]
    UnsupportedVersion {
        /// The stored type.
        event_type: String,
        /// The stored schema version.
        schema_version: u32,
        /// The current schema version of that type.
        current: u32,
    },
    /// The payload does not have the expected shape (the reason names the field).
    #[error("event type '{event_type}' version {schema_version} has an invalid payload: {reason}")]
    InvalidPayload {
        /// The stored type.
        event_type: String,
        /// The stored schema version.
        schema_version: u32,
        /// What was wrong, naming the field.
        reason: String,
    },
}

/// An event of any aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "aggregate", content = "event", rename_all = "snake_case")]
pub enum AnyEvent {
    /// A person's event.
    Person(PersonEvent),
    /// A help request's event.
    Request(RequestEvent),
    /// A call's event.
    Call(CallEvent),
    /// An organisation's event.
    Organisation(OrganisationEvent),
    /// A neighbourhood's event.
    Neighbourhood(NeighbourhoodEvent),
    /// A tenant's event.
    Tenant(TenantEvent),
    /// An incident's or complaint's event.
    Incident(IncidentEvent),
    /// A standing offer's event.
    StandingOffer(StandingOfferEvent),
}

impl AnyEvent {
    /// The stored shape: event type, current schema version and payload (fields only).
    pub fn encode(&self) -> (&'static str, u32, serde_json::Value) {
        match self {
            AnyEvent::Person(e) => e.encode(),
            AnyEvent::Request(e) => e.encode(),
            AnyEvent::Call(e) => e.encode(),
            AnyEvent::Organisation(e) => e.encode(),
            AnyEvent::Neighbourhood(e) => e.encode(),
            AnyEvent::Tenant(e) => e.encode(),
            AnyEvent::Incident(e) => e.encode(),
            AnyEvent::StandingOffer(e) => e.encode(),
        }
    }

    /// Reads a stored event of any type, upcasting older schema versions.
    pub fn decode(
        event_type: &str,
        schema_version: u32,
        payload: serde_json::Value,
    ) -> Result<AnyEvent, DecodeError> {
        if PersonEvent::current_version(event_type).is_some() {
            PersonEvent::decode(event_type, schema_version, payload).map(AnyEvent::Person)
        } else if RequestEvent::current_version(event_type).is_some() {
            RequestEvent::decode(event_type, schema_version, payload).map(AnyEvent::Request)
        } else if CallEvent::current_version(event_type).is_some() {
            CallEvent::decode(event_type, schema_version, payload).map(AnyEvent::Call)
        } else if OrganisationEvent::current_version(event_type).is_some() {
            OrganisationEvent::decode(event_type, schema_version, payload)
                .map(AnyEvent::Organisation)
        } else if NeighbourhoodEvent::current_version(event_type).is_some() {
            NeighbourhoodEvent::decode(event_type, schema_version, payload)
                .map(AnyEvent::Neighbourhood)
        } else if TenantEvent::current_version(event_type).is_some() {
            TenantEvent::decode(event_type, schema_version, payload).map(AnyEvent::Tenant)
        } else if IncidentEvent::current_version(event_type).is_some() {
            IncidentEvent::decode(event_type, schema_version, payload).map(AnyEvent::Incident)
        } else if StandingOfferEvent::current_version(event_type).is_some() {
            StandingOfferEvent::decode(event_type, schema_version, payload)
                .map(AnyEvent::StandingOffer)
        } else {
            Err(DecodeError::UnknownType {
                event_type: event_type.to_string(),
            })
        }
    }

    /// The stream category of the aggregate the event belongs to (`person`, `request`, ...).
    pub fn category(&self) -> &'static str {
        match self {
            AnyEvent::Person(_) => crate::person::CATEGORY,
            AnyEvent::Request(_) => crate::request::CATEGORY,
            AnyEvent::Call(_) => crate::call::CATEGORY,
            AnyEvent::Organisation(_) => crate::organisation::CATEGORY,
            AnyEvent::Neighbourhood(_) => crate::neighbourhood::CATEGORY,
            AnyEvent::Tenant(_) => crate::tenant::CATEGORY,
            AnyEvent::Incident(_) => crate::incident::CATEGORY,
            AnyEvent::StandingOffer(_) => crate::offer::CATEGORY,
        }
    }

    /// The id of the aggregate the event belongs to.
    pub fn aggregate_id(&self) -> Uuid {
        match self {
            AnyEvent::Person(e) => e.aggregate_id(),
            AnyEvent::Request(e) => e.aggregate_id(),
            AnyEvent::Call(e) => e.aggregate_id(),
            AnyEvent::Organisation(e) => e.aggregate_id(),
            AnyEvent::Neighbourhood(e) => e.aggregate_id(),
            AnyEvent::Tenant(e) => e.aggregate_id(),
            AnyEvent::Incident(e) => e.aggregate_id(),
            AnyEvent::StandingOffer(e) => e.aggregate_id(),
        }
    }

    /// The stream id: `<category>-<aggregate id>`.
    pub fn stream_id(&self) -> String {
        format!("{}-{}", self.category(), self.aggregate_id())
    }

    /// Every stored event type of every aggregate.
    pub fn event_types() -> impl Iterator<Item = &'static str> {
        PersonEvent::EVENT_TYPES
            .iter()
            .chain(RequestEvent::EVENT_TYPES)
            .chain(CallEvent::EVENT_TYPES)
            .chain(OrganisationEvent::EVENT_TYPES)
            .chain(NeighbourhoodEvent::EVENT_TYPES)
            .chain(TenantEvent::EVENT_TYPES)
            .chain(IncidentEvent::EVENT_TYPES)
            .chain(StandingOfferEvent::EVENT_TYPES)
            .copied()
    }
}

impl DomainEvent for AnyEvent {
    fn event_type(&self) -> &'static str {
        self.encode_type()
    }

    fn schema_version(&self) -> u32 {
        match self {
            AnyEvent::Person(e) => e.schema_version(),
            AnyEvent::Request(e) => e.schema_version(),
            AnyEvent::Call(e) => e.schema_version(),
            AnyEvent::Organisation(e) => e.schema_version(),
            AnyEvent::Neighbourhood(e) => e.schema_version(),
            AnyEvent::Tenant(e) => e.schema_version(),
            AnyEvent::Incident(e) => e.schema_version(),
            AnyEvent::StandingOffer(e) => e.schema_version(),
        }
    }

    fn encode_stored(&self) -> (&'static str, u32, serde_json::Value) {
        self.encode()
    }

    fn decode_stored(
        event_type: &str,
        schema_version: u32,
        payload: serde_json::Value,
    ) -> Result<Self, crate::DecodeError> {
        Self::decode(event_type, schema_version, payload)
    }
}

impl AnyEvent {
    fn encode_type(&self) -> &'static str {
        match self {
            AnyEvent::Person(e) => e.event_type(),
            AnyEvent::Request(e) => e.event_type(),
            AnyEvent::Call(e) => e.event_type(),
            AnyEvent::Organisation(e) => e.event_type(),
            AnyEvent::Neighbourhood(e) => e.event_type(),
            AnyEvent::Tenant(e) => e.event_type(),
            AnyEvent::Incident(e) => e.event_type(),
            AnyEvent::StandingOffer(e) => e.event_type(),
        }
    }
}

macro_rules! from_event {
    ($($ty:ident => $variant:ident),+) => {
        $(impl From<$ty> for AnyEvent {
            fn from(e: $ty) -> Self {
                AnyEvent::$variant(e)
            }
        })+
    };
}

from_event!(
    PersonEvent => Person,
    RequestEvent => Request,
    CallEvent => Call,
    OrganisationEvent => Organisation,
    NeighbourhoodEvent => Neighbourhood,
    TenantEvent => Tenant,
    IncidentEvent => Incident,
    StandingOfferEvent => StandingOffer
);
