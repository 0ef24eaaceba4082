//! Identifier newtypes: one type per kind of thing, so a person id can never be passed as a request id.
//!
//! Ids are UUIDv7 values created by the caller (the application layer); the domain never
//! generates them, which keeps `decide` deterministic.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID (normally a UUIDv7 made by the caller).
            pub const fn new(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdParseError {
                    what: $what,
                    input: s.chars().take(64).collect(),
                })
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::schema::id($what)
            }
        }

        impl utoipa::ToSchema for $name {}

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

/// A text that should have been an id but is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{input}' is not a valid {what} id (expected a UUID)")]
pub struct IdParseError {
    /// Which kind of id was expected, e.g. "person".
    pub what: &'static str,
    /// The offending input (cut to 64 characters).
    pub input: String,
}

id_type!(
    /// A tenant: the organisation or municipality that runs a Noaber instance for its area.
    TenantId,
    "tenant"
);
id_type!(
    /// A person: resident, helper, connector, partner staff, ambassador, funder or admin.
    PersonId,
    "person"
);

impl PersonId {
    /// Noaber itself, as the actor of what its own schedule records (a retention period that
    /// ended): the nil UUID, which no registered person ever has.
    pub const NOABER: PersonId = PersonId(Uuid::nil());
}
id_type!(
    /// A help request (stream `request-<id>`).
    RequestId,
    "request"
);
id_type!(
    /// A call (oproep) for many hands (stream `call-<id>`).
    CallId,
    "call"
);
id_type!(
    /// A partner organisation (stream `organisation-<id>`).
    OrganisationId,
    "organisation"
);
id_type!(
    /// A neighbourhood (stream `neighbourhood-<id>`).
    NeighbourhoodId,
    "neighbourhood"
);
id_type!(
    /// An incident or complaint about a request or a person (stream `incident-<id>`).
    IncidentId,
    "incident"
);
id_type!(
    /// A neighbour's standing offer of help, *aanbod* (stream `standing_offer-<id>`).
    StandingOfferId,
    "standing offer"
);
