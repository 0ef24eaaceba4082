//! The per-stream hash chain.
//!
//! Every event stores `prev_hash` (the hash of the previous event of its stream, zeros for the
//! first) and `hash`:
//!
//! ```text
//! content = SHA-256 over the length-prefixed fields
//!           tenant_id (16) | stream_id | event_id (16) | event_type |
//!           schema_version (u32 BE) | payload bytes | metadata bytes | occurred_at (i64 µs BE)
//! hash    = SHA-256("noaber-chain-v1" | prev_hash | version (u64 BE) | recorded_at (i64 µs BE) | content)
//! ```
//!
//! The split lets a writer compute `content` before it knows where the event will land, and
//! lets the database finish the chain in the same statement that reads the stream's last
//! version and hash (`version` and `recorded_at` are only known there): PostgreSQL's built-in
//! `sha256()` computes the outer hash with exactly this layout (see [`chain_hash`]). Every field
//! is still covered: a changed version or recorded time breaks the outer hash, a changed payload
//! breaks `content`.
//!
//! The payload and metadata bytes are their canonical JSON ([`canonical_json`]): keys sorted,
//! no whitespace. Personal data inside payloads is already encrypted when hashed, so destroying
//! a person's key (erasure) leaves every stored byte, and so the chain, unchanged.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::envelope::{Metadata, RecordedEvent};

/// The hash that precedes the first event of a stream.
pub const GENESIS: [u8; 32] = [0; 32];

/// The canonical JSON bytes of a value: what the store keeps and hashes. `serde_json::Value`
/// keeps object keys sorted, so the same value always gives the same bytes.
pub fn canonical_json(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a serde_json::Value always serialises")
}

/// The canonical JSON bytes of the metadata.
pub fn canonical_metadata(metadata: &Metadata) -> Vec<u8> {
    let value = serde_json::to_value(metadata).expect("metadata always serialises");
    canonical_json(&value)
}

/// A hash (or any bytes) as lower-case hexadecimal, as auditors and exports show it.
pub fn to_hex(hash: &[u8]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Truncates a time to whole microseconds, the precision both back-ends keep.
pub fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The fields an event's hash covers, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    /// Tenant.
    pub tenant_id: uuid::Uuid,
    /// Stream id.
    pub stream_id: &'a str,
    /// Stream version.
    pub version: u64,
    /// Event id.
    pub event_id: uuid::Uuid,
    /// Event type.
    pub event_type: &'a str,
    /// Schema version.
    pub schema_version: u32,
    /// Canonical payload bytes.
    pub payload: &'a [u8],
    /// Canonical metadata bytes.
    pub metadata: &'a [u8],
    /// Occurred at, µs since the epoch.
    pub occurred_at_us: i64,
    /// Recorded at, µs since the epoch.
    pub recorded_at_us: i64,
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// The content hash of an event: every field except its place in the stream (version) and the
/// time the log learned it, which [`chain_hash`] adds.
pub fn content_hash(input: &HashInput<'_>) -> [u8; 32] {
    let mut c = Sha256::new();
    field(&mut c, input.tenant_id.as_bytes());
    field(&mut c, input.stream_id.as_bytes());
    field(&mut c, input.event_id.as_bytes());
    field(&mut c, input.event_type.as_bytes());
    field(&mut c, &input.schema_version.to_be_bytes());
    field(&mut c, input.payload);
    field(&mut c, input.metadata);
    field(&mut c, &input.occurred_at_us.to_be_bytes());
    c.finalize().into()
}

/// The tag that starts every chained hash.
pub const CHAIN_TAG: &[u8] = b"noaber-chain-v1";

/// The chained hash of an event from the previous hash of its stream, its version, its
/// recorded time and its [`content_hash`]. PostgreSQL computes the same bytes as
/// `sha256('noaber-chain-v1'::bytea || prev || int8send(version) || int8send(recorded_us) || content)`.
pub fn chain_hash(
    prev: &[u8; 32],
    version: u64,
    recorded_at_us: i64,
    content: &[u8; 32],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(CHAIN_TAG);
    h.update(prev);
    h.update(version.to_be_bytes());
    h.update(recorded_at_us.to_be_bytes());
    h.update(content);
    h.finalize().into()
}

/// The hash of an event given the previous hash of its stream.
pub fn event_hash(prev: &[u8; 32], input: &HashInput<'_>) -> [u8; 32] {
    chain_hash(
        prev,
        input.version,
        input.recorded_at_us,
        &content_hash(input),
    )
}

/// Recomputes a recorded event's hash from its fields and `prev`.
pub fn recompute(prev: &[u8; 32], event: &RecordedEvent) -> [u8; 32] {
    let payload = canonical_json(&event.payload);
    let metadata = canonical_metadata(&event.metadata);
    event_hash(
        prev,
        &HashInput {
            tenant_id: event.tenant_id,
            stream_id: event.stream_id.as_str(),
            version: event.stream_version,
            event_id: event.event_id,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            payload: &payload,
            metadata: &metadata,
            occurred_at_us: to_micros(event.occurred_at),
            recorded_at_us: to_micros(event.recorded_at),
        },
    )
}

/// Where a stream's chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// Versions must run 1, 2, 3, ... without a gap.
    #[error("stream {stream}: expected version {expected}, found {found}")]
    VersionGap {
        /// Stream.
        stream: String,
        /// Expected version.
        expected: u64,
        /// Found version.
        found: u64,
    },
    /// An event's `prev_hash` is not its predecessor's hash.
    #[error("stream {stream} version {version}: its link to the previous event does not match")]
    BrokenLink {
        /// Stream.
        stream: String,
        /// Version.
        version: u64,
    },
    /// An event's content does not give its stored hash: it was changed after it was written.
    #[error("stream {stream} version {version}: its content no longer matches its hash")]
    Tampered {
        /// Stream.
        stream: String,
        /// Version.
        version: u64,
    },
}

/// Verifies the chain of one stream's events, given in version order from version 1.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a RecordedEvent>,
) -> Result<u64, ChainBreak> {
    let mut prev = GENESIS;
    let mut expected = 1u64;
    for e in events {
        let stream = e.stream_id.to_string();
        if e.stream_version != expected {
            return Err(ChainBreak::VersionGap {
                stream,
                expected,
                found: e.stream_version,
            });
        }
        if e.prev_hash != prev {
            return Err(ChainBreak::BrokenLink {
                stream,
                version: e.stream_version,
            });
        }
        if recompute(&prev, e) != e.hash {
            return Err(ChainBreak::Tampered {
                stream,
                version: e.stream_version,
            });
        }
        prev = e.hash;
        expected += 1;
    }
    Ok(expected - 1)
}
