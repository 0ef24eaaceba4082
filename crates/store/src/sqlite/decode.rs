//! Rows of the SQLite log back into recorded events, refusing (as corrupt) any value the
//! store could not have written.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;
use uuid::Uuid;

use super::db_error;
use crate::envelope::{Checkpoint, Metadata, RecordedEvent, StreamId};
use crate::error::{StoreError, StoreErrorKind};

/// The columns of a recorded event, in the order [`decode`] expects.
pub(super) const COLUMNS: &str = "position, tenant_id, stream_id, stream_version, event_id, event_type, \
                       schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash";

/// Converts a version the log stores (an SQLite integer) into the API's `u64`.
pub(super) fn stored_version(v: i64, position: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("the event at position {position} has a negative stream version ({v})"),
        )
    })
}

/// Converts a stored 32-byte hash.
pub(super) fn stored_hash(bytes: &[u8], what: &str, position: i64) -> Result<[u8; 32], StoreError> {
    <[u8; 32]>::try_from(bytes).map_err(|_| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!(
                "the event at position {position} has a {what} of {} bytes instead of 32",
                bytes.len()
            ),
        )
    })
}

/// Reads a recorded event back from a row of [`COLUMNS`].
pub(super) fn decode(row: &SqliteRow) -> Result<RecordedEvent, StoreError> {
    let position: i64 = row.try_get("position").map_err(db_error)?;
    let corrupt = |what: String| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("the event at position {position} can no longer be read: {what}"),
        )
    };
    let uuid = |column: &str| -> Result<Uuid, StoreError> {
        let bytes: &[u8] = row.try_get(column).map_err(db_error)?;
        Uuid::from_slice(bytes).map_err(|_| corrupt(format!("its {column} is not a valid id")))
    };
    let time = |column: &str| -> Result<DateTime<Utc>, StoreError> {
        let micros: i64 = row.try_get(column).map_err(db_error)?;
        DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| corrupt(format!("its {column} is out of range")))
    };
    let tenant_id = uuid("tenant_id")?;
    let event_id = uuid("event_id")?;
    let stream: String = row.try_get("stream_id").map_err(db_error)?;
    let stream_id = StreamId::parse(&stream)
        .map_err(|e| corrupt(format!("its stream id is not valid ({e})")))?;
    let stream_version =
        stored_version(row.try_get("stream_version").map_err(db_error)?, position)?;
    let event_type: String = row.try_get("event_type").map_err(db_error)?;
    let schema_version: i64 = row.try_get("schema_version").map_err(db_error)?;
    let schema_version = u32::try_from(schema_version).map_err(|_| {
        corrupt(format!(
            "its schema version {schema_version} is out of range"
        ))
    })?;
    let payload: &[u8] = row.try_get("payload").map_err(db_error)?;
    let payload: serde_json::Value = serde_json::from_slice(payload)
        .map_err(|e| corrupt(format!("its payload is not valid JSON ({e})")))?;
    let metadata: &[u8] = row.try_get("metadata").map_err(db_error)?;
    let metadata: Metadata = serde_json::from_slice(metadata)
        .map_err(|e| corrupt(format!("its metadata does not parse ({e})")))?;
    let prev_hash: &[u8] = row.try_get("prev_hash").map_err(db_error)?;
    let hash: &[u8] = row.try_get("hash").map_err(db_error)?;
    Ok(RecordedEvent {
        checkpoint: Checkpoint { tx: 0, position },
        position,
        tenant_id,
        stream_id,
        stream_version,
        event_id,
        event_type,
        schema_version,
        payload,
        metadata,
        occurred_at: time("occurred_at")?,
        recorded_at: time("recorded_at")?,
        prev_hash: stored_hash(prev_hash, "previous hash", position)?,
        hash: stored_hash(hash, "hash", position)?,
    })
}
