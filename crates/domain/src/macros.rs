//! The macros that build an aggregate's enums: events from a list of payload structs, with
//! their stored shape (type name, schema version, payload of the variant's fields only) and
//! decoder; and the conversions from each command struct into its command enum.

/// Declares an event enum whose variants each wrap a payload struct of the same name.
///
/// Generates: the enum (serde `type`/`data` adjacently tagged, for in-memory transport), the
/// [`crate::DomainEvent`] impl, `EVENT_TYPES`, `current_version(type)`, `encode`, `decode`
/// (which upcasts old versions first), `aggregate_id` and `From<Payload>` for each variant.
macro_rules! event_enum {
    (
        $(#[$meta:meta])*
        $name:ident (id: $idfield:ident) {
            $( $(#[$vmeta:meta])* $variant:ident = $version:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "type", content = "data")]
        // Events live briefly in the vectors a decision or a page of the log holds, so a few
        // hundred bytes for the largest (a posted request) cost less than boxing every one.
        #[allow(clippy::large_enum_variant)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($variant), )+
        }

        impl $name {
            /// Every event type of this aggregate, as stored.
            pub const EVENT_TYPES: &'static [&'static str] = &[$(stringify!($variant)),+];

            /// The current schema version of a stored event type, if it belongs to this aggregate.
            pub fn current_version(event_type: &str) -> Option<u32> {
                match event_type {
                    $( stringify!($variant) => Some($version), )+
                    _ => None,
                }
            }

            /// The stored shape: event type, current schema version and the payload (fields only).
            pub fn encode(&self) -> (&'static str, u32, serde_json::Value) {
                let payload = match self {
                    $( $name::$variant(p) => serde_json::to_value(p), )+
                };
                // Payloads are plain structs of strings, numbers, lists and maps with string
                // keys, which serde_json always serialises.
                let payload = payload.expect("event payloads always serialise to JSON");
                (crate::DomainEvent::event_type(self), crate::DomainEvent::schema_version(self), payload)
            }

            /// Reads a stored event, upcasting an older schema version to the current shape.
            pub fn decode(
                event_type: &str,
                schema_version: u32,
                payload: serde_json::Value,
            ) -> Result<Self, crate::DecodeError> {
                let Some(current) = Self::current_version(event_type) else {
                    return Err(crate::DecodeError::UnknownType { event_type: event_type.to_string() });
                };
                let payload = crate::upcast::upcast(event_type, schema_version, current, payload)?;
                let invalid = |e: serde_json::Error| crate::DecodeError::InvalidPayload {
                    event_type: event_type.to_string(),
                    schema_version,
                    reason: e.to_string(),
                };
                match event_type {
                    $( stringify!($variant) => serde_json::from_value(payload).map($name::$variant).map_err(invalid), )+
                    _ => Err(crate::DecodeError::UnknownType { event_type: event_type.to_string() }),
                }
            }

            /// The id of the aggregate this event belongs to.
            pub fn aggregate_id(&self) -> uuid::Uuid {
                match self {
                    $( $name::$variant(p) => p.$idfield.as_uuid(), )+
                }
            }
        }

        impl crate::DomainEvent for $name {
            fn event_type(&self) -> &'static str {
                match self {
                    $( $name::$variant(_) => stringify!($variant), )+
                }
            }

            fn schema_version(&self) -> u32 {
                match self {
                    $( $name::$variant(_) => $version, )+
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

        $(
            impl From<$variant> for $name {
                fn from(p: $variant) -> Self {
                    $name::$variant(p)
                }
            }
        )+
    };
}

pub(crate) use event_enum;

/// Implements `From<Struct> for Enum` for every `Variant(Struct)` of a command enum, so a caller
/// who built one command struct hands it over with `.into()`.
macro_rules! command_from {
    ($name:ident { $( $variant:ident($command:ident) ),+ $(,)? }) => {
        $(
            impl From<$command> for $name {
                fn from(command: $command) -> Self {
                    $name::$variant(command)
                }
            }
        )+
    };
}

pub(crate) use command_from;
