//! Turning the rows of the read path into events, straight from PostgreSQL's binary wire form.
//!
//! Reading the log is dominated by per-row work in the client, so every column is read as the
//! raw bytes of its binary form and decoded here in one pass: no intermediate `String` or
//! `Vec<u8>` per column, the JSON columns parsed from the received bytes, the hashes copied
//! straight into their arrays. The binary forms are PostgreSQL's `send` functions: `xid8` and
//! `bigint` as 8 big-endian bytes, `integer` as 4, `uuid` as its 16 bytes, `text` and `json`
//! as UTF-8 text, `timestamptz` as microseconds since 2000-01-01 UTC, `bytea` as its bytes.

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgRow, PgValueFormat};
use sqlx::Row;
use uuid::Uuid;

use crate::envelope::{Checkpoint, Metadata, RecordedEvent, StreamId};
use crate::error::{StoreError, StoreErrorKind};

/// The columns every read selects, in the order [`event`] decodes them.
pub(super) const COLUMNS: &str = "tx_id, position, tenant_id, stream_id, stream_version, \
     event_id, event_type, schema_version, payload, metadata, occurred_at, recorded_at, \
     prev_hash, hash";

/// How many columns [`COLUMNS`] names.
const WIDTH: usize = 14;

/// Microseconds from the Unix epoch to PostgreSQL's epoch (2000-01-01 00:00:00 UTC).
const PG_EPOCH_US: i64 = 946_684_800_000_000;

/// The raw binary value of column `i`; a NULL or a value in text form is corrupt (every column
/// is `not null`, and sqlx asks for binary results).
fn raw(row: &PgRow, i: usize) -> Result<&[u8], StoreError> {
    let value = row.try_get_raw(i)?;
    if !matches!(value.format(), PgValueFormat::Binary) {
        return Err(corrupt_row(format!("column {i} arrived in text form")));
    }
    value
        .as_bytes()
        .map_err(|_| corrupt_row(format!("column {i} is null")))
}

fn corrupt_row(what: String) -> StoreError {
    StoreError::new(
        StoreErrorKind::Corrupt,
        format!("a stored event can no longer be read: {what}"),
    )
}

fn int8(bytes: &[u8]) -> Option<i64> {
    Some(i64::from_be_bytes(bytes.try_into().ok()?))
}

fn int4(bytes: &[u8]) -> Option<i32> {
    Some(i32::from_be_bytes(bytes.try_into().ok()?))
}

fn timestamp(bytes: &[u8]) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(int8(bytes)?.checked_add(PG_EPOCH_US)?)
}

/// The checkpoint of a row of [`COLUMNS`] (its first two columns), for resuming after it.
pub(super) fn checkpoint(row: &PgRow) -> Result<Checkpoint, StoreError> {
    let tx = int8(raw(row, 0)?).ok_or_else(|| corrupt_row("its tx_id is not 8 bytes".into()))?;
    let position =
        int8(raw(row, 1)?).ok_or_else(|| corrupt_row("its position is not 8 bytes".into()))?;
    Ok(Checkpoint { tx, position })
}

/// The stream version of a row of [`COLUMNS`], for paging through one stream.
pub(super) fn stream_version(row: &PgRow) -> Result<i64, StoreError> {
    int8(raw(row, 4)?).ok_or_else(|| corrupt_row("its stream version is not 8 bytes".into()))
}

/// Decodes a row of [`COLUMNS`] into an event; a row that no longer parses is
/// [`StoreErrorKind::Corrupt`], naming its position when that much can be read.
pub(super) fn event(row: &PgRow) -> Result<RecordedEvent, StoreError> {
    let mut fields: [&[u8]; WIDTH] = [&[]; WIDTH];
    for (i, field) in fields.iter_mut().enumerate() {
        *field = raw(row, i)?;
    }
    event_from_fields(&fields)
}

/// Decodes the binary values of one row of [`COLUMNS`].
fn event_from_fields(f: &[&[u8]; WIDTH]) -> Result<RecordedEvent, StoreError> {
    let position = int8(f[1]).ok_or_else(|| corrupt_row("its position is not 8 bytes".into()))?;
    let corrupt = |what: &str| {
        StoreError::new(
            StoreErrorKind::Corrupt,
            format!("the stored event at position {position} can no longer be read: {what}"),
        )
    };
    let tx = int8(f[0]).ok_or_else(|| corrupt("its transaction id is not 8 bytes"))?;
    let tenant_id = Uuid::from_slice(f[2]).map_err(|_| corrupt("its tenant id is not a uuid"))?;
    let stream_id = std::str::from_utf8(f[3])
        .map_err(|_| corrupt("its stream id is not UTF-8"))
        .and_then(|s| {
            StreamId::parse(s).map_err(|e| corrupt(&format!("its stream id is not valid ({e})")))
        })?;
    let version = int8(f[4]).ok_or_else(|| corrupt("its stream version is not 8 bytes"))?;
    let stream_version = u64::try_from(version)
        .map_err(|_| corrupt(&format!("its stream version {version} is negative")))?;
    let event_id = Uuid::from_slice(f[5]).map_err(|_| corrupt("its event id is not a uuid"))?;
    let event_type = std::str::from_utf8(f[6])
        .map_err(|_| corrupt("its event type is not UTF-8"))?
        .to_owned();
    let schema = int4(f[7]).ok_or_else(|| corrupt("its schema version is not 4 bytes"))?;
    let schema_version = u32::try_from(schema)
        .map_err(|_| corrupt(&format!("its schema version {schema} is negative")))?;
    let payload: serde_json::Value = serde_json::from_slice(f[8])
        .map_err(|e| corrupt(&format!("its payload does not parse ({e})")))?;
    let metadata: Metadata = serde_json::from_slice(f[9])
        .map_err(|e| corrupt(&format!("its metadata does not parse ({e})")))?;
    let occurred_at = timestamp(f[10]).ok_or_else(|| corrupt("its occurred_at is not a time"))?;
    let recorded_at = timestamp(f[11]).ok_or_else(|| corrupt("its recorded_at is not a time"))?;
    let prev_hash: [u8; 32] = f[12]
        .try_into()
        .map_err(|_| corrupt("its previous hash is not 32 bytes"))?;
    let hash: [u8; 32] = f[13]
        .try_into()
        .map_err(|_| corrupt("its hash is not 32 bytes"))?;
    Ok(RecordedEvent {
        checkpoint: Checkpoint { tx, position },
        position,
        tenant_id,
        stream_id,
        stream_version,
        event_id,
        event_type,
        schema_version,
        payload,
        metadata,
        occurred_at,
        recorded_at,
        prev_hash,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary values of a valid row, owned, for tests to spoil one at a time.
    fn fields() -> Vec<Vec<u8>> {
        vec![
            7i64.to_be_bytes().to_vec(),
            42i64.to_be_bytes().to_vec(),
            Uuid::from_u128(1).as_bytes().to_vec(),
            b"request-1".to_vec(),
            3i64.to_be_bytes().to_vec(),
            Uuid::from_u128(2).as_bytes().to_vec(),
            b"RequestPosted".to_vec(),
            1i32.to_be_bytes().to_vec(),
            br#"{"n":1,"what":"groceries"}"#.to_vec(),
            br#"{"actor_role":"resident"}"#.to_vec(),
            0i64.to_be_bytes().to_vec(),
            1_000_001i64.to_be_bytes().to_vec(),
            vec![0u8; 32],
            vec![9u8; 32],
        ]
    }

    fn decode(owned: &[Vec<u8>]) -> Result<RecordedEvent, StoreError> {
        let mut f: [&[u8]; WIDTH] = [&[]; WIDTH];
        for (slot, v) in f.iter_mut().zip(owned) {
            *slot = v;
        }
        event_from_fields(&f)
    }

    #[test]
    fn a_binary_row_decodes_into_the_event_it_holds() {
        let e = decode(&fields()).expect("a valid row decodes");
        assert_eq!(
            e.checkpoint,
            Checkpoint {
                tx: 7,
                position: 42
            }
        );
        assert_eq!(e.position, 42);
        assert_eq!(e.tenant_id, Uuid::from_u128(1));
        assert_eq!(e.stream_id.as_str(), "request-1");
        assert_eq!(e.stream_version, 3);
        assert_eq!(e.event_id, Uuid::from_u128(2));
        assert_eq!(e.event_type, "RequestPosted");
        assert_eq!(e.schema_version, 1);
        assert_eq!(e.payload, serde_json::json!({"n": 1, "what": "groceries"}));
        assert_eq!(e.metadata.actor_role.as_deref(), Some("resident"));
        assert_eq!(e.prev_hash, [0u8; 32]);
        assert_eq!(e.hash, [9u8; 32]);
    }

    #[test]
    fn timestamps_count_from_the_first_of_january_2000() {
        let e = decode(&fields()).expect("a valid row decodes");
        assert_eq!(e.occurred_at.to_rfc3339(), "2000-01-01T00:00:00+00:00");
        assert_eq!(
            e.recorded_at.to_rfc3339(),
            "2000-01-01T00:00:01.000001+00:00"
        );
    }

    #[test]
    fn a_payload_that_no_longer_parses_is_corrupt_and_names_its_position() {
        let mut f = fields();
        f[8] = b"{not json".to_vec();
        let err = decode(&f).expect_err("bad JSON must not decode");
        assert_eq!(*err.kind(), StoreErrorKind::Corrupt);
        assert!(err.to_string().contains("position 42"), "{err}");
    }

    #[test]
    fn a_short_hash_or_an_infinite_time_is_corrupt() {
        let mut f = fields();
        f[13] = vec![1u8; 31];
        assert_eq!(
            *decode(&f).expect_err("a 31-byte hash").kind(),
            StoreErrorKind::Corrupt
        );
        let mut f = fields();
        f[11] = i64::MAX.to_be_bytes().to_vec();
        assert_eq!(
            *decode(&f).expect_err("timestamptz 'infinity'").kind(),
            StoreErrorKind::Corrupt
        );
    }

    #[test]
    fn an_invalid_stream_id_is_corrupt() {
        let mut f = fields();
        f[3] = b"NoDash".to_vec();
        assert_eq!(
            *decode(&f).expect_err("a stream id without category").kind(),
            StoreErrorKind::Corrupt
        );
    }
}
