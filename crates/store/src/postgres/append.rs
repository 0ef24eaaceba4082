//! Appending to the PostgreSQL log: a batch is turned into one array per column, hashed here,
//! and written by the server-side `noaber_append` in one round trip; a retry of a batch already
//! written is recognised by its event ids and content.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{PgStore, MAX_BATCH};
use crate::envelope::{AppendOutcome, Checkpoint, ExpectedVersion, NewEvent, StreamId};
use crate::error::{StoreError, StoreErrorKind};
use crate::hash::{self, HashInput};
use crate::EventStore;

/// How often a concurrent append with [`ExpectedVersion::Any`] is retried after losing a race
/// for the stream's next version.
const ANY_RETRIES: usize = 20;

impl PgStore {
    /// Appends `events` to `stream` at `expected`: the body of [`EventStore::append`].
    pub(super) async fn append_events(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        let batch = Batch::new(stream, &events)?;
        let expected_param =
            match expected {
                ExpectedVersion::Any => None,
                ExpectedVersion::NoStream => Some(0),
                ExpectedVersion::Exact(v) => Some(i64::try_from(v).map_err(|_| {
                    invalid(format!("expected version {v} of {stream} is too large"))
                })?),
            };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.call_append(&batch, expected_param).await {
                Ok(rows) => {
                    if let Some((None, actual, _)) = rows.first() {
                        // The stream is elsewhere: maybe because this very batch was written.
                        if let Some(outcome) = self.earlier_append(&batch).await? {
                            return Ok(outcome);
                        }
                        return Err(StoreError::conflict(
                            stream.as_str(),
                            expected,
                            u64::try_from(*actual).unwrap_or(0),
                        ));
                    }
                    let tx = rows.iter().find_map(|&(_, _, tx)| tx).unwrap_or(0);
                    let mut rows: Vec<(i64, i64)> = rows
                        .into_iter()
                        .filter_map(|(p, v, _)| Some((p?, v)))
                        .collect();
                    rows.sort_by_key(|&(_, v)| v);
                    let next_version = rows.last().map_or(0, |&(_, v)| v);
                    self.announce();
                    return Ok(AppendOutcome {
                        last: Checkpoint {
                            tx,
                            position: rows.iter().map(|&(p, _)| p).max().unwrap_or(0),
                        },
                        positions: rows.into_iter().map(|(p, _)| p).collect(),
                        next_version: u64::try_from(next_version).unwrap_or(0),
                        was_retry: false,
                    });
                }
                Err(err) => match unique_violation(&err).as_deref() {
                    Some("events_event_id_uq") => {
                        return match self.earlier_append(&batch).await? {
                            Some(outcome) => Ok(outcome),
                            // Written by a transaction that then rolled back: try again.
                            None if attempt < ANY_RETRIES => continue,
                            None => Err(err.into()),
                        };
                    }
                    Some("events_stream_version_uq") => {
                        // Another writer took the next version between our read and insert.
                        if let Some(outcome) = self.earlier_append(&batch).await? {
                            return Ok(outcome);
                        }
                        if expected == ExpectedVersion::Any && attempt < ANY_RETRIES {
                            continue;
                        }
                        let actual = self.stream_version(stream).await?;
                        return Err(StoreError::conflict(stream.as_str(), expected, actual));
                    }
                    _ => return Err(err.into()),
                },
            }
        }
    }

    async fn call_append(
        &self,
        batch: &Batch,
        expected: Option<i64>,
    ) -> Result<Vec<(Option<i64>, i64, Option<i64>)>, sqlx::Error> {
        // The statement runs in a transaction of its own: the id it was given is the one the
        // events carry (`tx_id`), and with the position it makes their checkpoint.
        sqlx::query_as::<_, (Option<i64>, i64, Option<i64>)>(
            "select out_position, out_version, \
             pg_current_xact_id_if_assigned()::text::bigint \
             from noaber_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&batch.stream)
        .bind(&batch.category)
        .bind(expected)
        .bind(&batch.tenants)
        .bind(&batch.ids)
        .bind(&batch.types)
        .bind(&batch.schema_versions)
        .bind(&batch.payloads)
        .bind(&batch.metadata)
        .bind(&batch.occurred)
        .bind(&batch.contents)
        .fetch_all(&self.pool)
        .await
    }

    /// When every event id of `batch` is already in the log with the same content, the outcome
    /// of the append that wrote them; `None` when none of them is. Anything in between is
    /// [`StoreErrorKind::EventIdReused`].
    async fn earlier_append(&self, batch: &Batch) -> Result<Option<AppendOutcome>, StoreError> {
        let rows = sqlx::query_as::<
            _,
            (
                Uuid,
                Uuid,
                String,
                String,
                i32,
                String,
                String,
                DateTime<Utc>,
                i64,
                i64,
                i64,
            ),
        >(
            "select event_id, tenant_id, stream_id, event_type, schema_version, payload::text, \
             metadata::text, occurred_at, position, stream_version, tx_id::text::bigint \
             from events where event_id = any($1)",
        )
        .bind(&batch.ids)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let reused = || {
            StoreError::new(
                StoreErrorKind::EventIdReused,
                format!(
                    "some event ids of this append to {} were already used for other events; \
                     a retry must send exactly the same events",
                    batch.stream
                ),
            )
        };
        if rows.len() != batch.ids.len() {
            return Err(reused());
        }
        let mut stored = HashMap::with_capacity(rows.len());
        let mut last = Checkpoint::START;
        for (id, tenant, stream, ty, schema, payload, metadata, occurred, position, version, tx) in
            rows
        {
            last = last.max(Checkpoint { tx, position });
            let content = hash::content_hash(&HashInput {
                tenant_id: tenant,
                stream_id: &stream,
                version: 0,
                event_id: id,
                event_type: &ty,
                schema_version: u32::try_from(schema).unwrap_or(u32::MAX),
                payload: payload.as_bytes(),
                metadata: metadata.as_bytes(),
                occurred_at_us: hash::to_micros(occurred),
                recorded_at_us: 0,
            });
            stored.insert(id, (content, position, version));
        }
        let mut positions = Vec::with_capacity(batch.ids.len());
        let mut next_version = 0i64;
        for (id, content) in batch.ids.iter().zip(&batch.contents) {
            match stored.get(id) {
                Some((c, position, version)) if c.as_slice() == content.as_slice() => {
                    positions.push(*position);
                    next_version = next_version.max(*version);
                }
                _ => return Err(reused()),
            }
        }
        Ok(Some(AppendOutcome {
            last,
            positions,
            next_version: u64::try_from(next_version).unwrap_or(0),
            was_retry: true,
        }))
    }
}

/// A batch ready for `noaber_append`: one array per column, plus content hashes.
struct Batch {
    stream: String,
    category: String,
    tenants: Vec<Uuid>,
    ids: Vec<Uuid>,
    types: Vec<String>,
    schema_versions: Vec<i32>,
    payloads: Vec<String>,
    metadata: Vec<String>,
    occurred: Vec<DateTime<Utc>>,
    contents: Vec<Vec<u8>>,
}

fn invalid(message: String) -> StoreError {
    StoreError::new(StoreErrorKind::InvalidInput, message)
}

impl Batch {
    fn new(stream: &StreamId, events: &[NewEvent]) -> Result<Self, StoreError> {
        if events.is_empty() {
            return Err(StoreError::new(
                StoreErrorKind::EmptyBatch,
                format!("an append to {stream} must carry at least one event"),
            ));
        }
        if events.len() > MAX_BATCH {
            return Err(invalid(format!(
                "an append may carry at most {MAX_BATCH} events; this one to {stream} has {}",
                events.len()
            )));
        }
        let n = events.len();
        let mut batch = Batch {
            stream: stream.as_str().to_owned(),
            category: stream.category().to_owned(),
            tenants: Vec::with_capacity(n),
            ids: Vec::with_capacity(n),
            types: Vec::with_capacity(n),
            schema_versions: Vec::with_capacity(n),
            payloads: Vec::with_capacity(n),
            metadata: Vec::with_capacity(n),
            occurred: Vec::with_capacity(n),
            contents: Vec::with_capacity(n),
        };
        let mut seen = HashSet::with_capacity(n);
        for e in events {
            if !seen.insert(e.event_id) {
                return Err(invalid(format!(
                    "event id {} appears twice in one append to {stream}",
                    e.event_id
                )));
            }
            let schema_version = i32::try_from(e.schema_version).map_err(|_| {
                invalid(format!(
                    "schema version {} of event {} is too large",
                    e.schema_version, e.event_id
                ))
            })?;
            let occurred_us = hash::to_micros(e.occurred_at);
            let occurred = DateTime::from_timestamp_micros(occurred_us).ok_or_else(|| {
                invalid(format!(
                    "event {} occurred at an impossible time",
                    e.event_id
                ))
            })?;
            let payload = json_text(hash::canonical_json(&e.payload))?;
            let metadata = json_text(hash::canonical_metadata(&e.metadata))?;
            let content = hash::content_hash(&HashInput {
                tenant_id: e.tenant_id,
                stream_id: stream.as_str(),
                version: 0,
                event_id: e.event_id,
                event_type: &e.event_type,
                schema_version: e.schema_version,
                payload: payload.as_bytes(),
                metadata: metadata.as_bytes(),
                occurred_at_us: occurred_us,
                recorded_at_us: 0,
            });
            batch.tenants.push(e.tenant_id);
            batch.ids.push(e.event_id);
            batch.types.push(e.event_type.clone());
            batch.schema_versions.push(schema_version);
            batch.payloads.push(payload);
            batch.metadata.push(metadata);
            batch.occurred.push(occurred);
            batch.contents.push(content.to_vec());
        }
        Ok(batch)
    }
}

fn json_text(bytes: Vec<u8>) -> Result<String, StoreError> {
    String::from_utf8(bytes)
        .map_err(|e| invalid(format!("an event's JSON is not valid UTF-8: {e}")))
}

/// Which unique constraint a database error violated, if it is a unique violation.
fn unique_violation(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) if db.code().as_deref() == Some("23505") => {
            Some(db.constraint().unwrap_or_default().to_owned())
        }
        _ => None,
    }
}
