//! Appending to the SQLite log: under the writer lock, one `begin immediate` transaction
//! recognises a retry by its event ids, checks the expected version, chains the hashes and
//! inserts the batch.

use chrono::Utc;
use sqlx::{Connection, Row};

use super::decode::{stored_hash, stored_version};
use super::{db_error, SqliteStore};
use crate::envelope::{AppendOutcome, Checkpoint, ExpectedVersion, NewEvent, StreamId};
use crate::error::{StoreError, StoreErrorKind};
use crate::hash::{self, HashInput};

impl SqliteStore {
    /// Appends `events` to `stream` at `expected`: the body of [`crate::EventStore::append`].
    pub(super) async fn append_events(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        check_batch(&events)?;
        let batch: Vec<Prepared<'_>> = events.iter().map(Prepared::new).collect();
        let count = batch.len();

        let mut writer = self.inner.writer.lock().await;
        // `begin immediate` takes the file's write lock now, so the checks below and the
        // inserts see one state that no other writer (in any process) can change in between.
        // Returning early drops `tx`, which rolls it back.
        let mut tx = writer
            .begin_with("begin immediate")
            .await
            .map_err(db_error)?;

        // A retry is recognised before the expected version is checked: the stream has moved
        // on since the first attempt, and the writer must get the original outcome.
        let mut known = Vec::with_capacity(count);
        for p in &batch {
            let row = sqlx::query(
                "select position, stream_id, stream_version, tenant_id, event_type, \
                 schema_version, payload, metadata, occurred_at from events where event_id = ?",
            )
            .bind(p.event.event_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            known.push(match row {
                None => None,
                Some(row) => {
                    let tenant: &[u8] = row.try_get("tenant_id").map_err(db_error)?;
                    let event_type: &str = row.try_get("event_type").map_err(db_error)?;
                    let schema_version: i64 = row.try_get("schema_version").map_err(db_error)?;
                    let payload: &[u8] = row.try_get("payload").map_err(db_error)?;
                    let metadata: &[u8] = row.try_get("metadata").map_err(db_error)?;
                    let occurred_at: i64 = row.try_get("occurred_at").map_err(db_error)?;
                    Some(Known {
                        position: row.try_get("position").map_err(db_error)?,
                        stream_id: row.try_get("stream_id").map_err(db_error)?,
                        stream_version: row.try_get("stream_version").map_err(db_error)?,
                        same_content: tenant == p.event.tenant_id.as_bytes()
                            && event_type == p.event.event_type
                            && schema_version == i64::from(p.event.schema_version)
                            && payload == p.payload.as_slice()
                            && metadata == p.metadata.as_slice()
                            && occurred_at == p.occurred_at_us,
                    })
                }
            });
        }
        if known.iter().any(Option::is_some) {
            return settle_retry(stream, &batch, &known);
        }

        let last = sqlx::query(
            "select stream_version, hash from events where stream_id = ? \
             order by stream_version desc limit 1",
        )
        .bind(stream.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let (actual, mut prev) = match last {
            None => (0u64, hash::GENESIS),
            Some(row) => {
                let version: i64 = row.try_get("stream_version").map_err(db_error)?;
                let hash: &[u8] = row.try_get("hash").map_err(db_error)?;
                (stored_version(version, -1)?, stored_hash(hash, "hash", -1)?)
            }
        };
        if !expected.admits(actual) {
            return Err(StoreError::conflict(stream.as_str(), expected, actual));
        }

        // recorded_at never goes backwards along the log, even if the clock does, so that a
        // replay "as of" a moment can stop at the first event recorded after it.
        let last_recorded: Option<i64> =
            sqlx::query_scalar("select recorded_at from events order by position desc limit 1")
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let recorded_at_us = hash::to_micros(Utc::now()).max(last_recorded.unwrap_or(i64::MIN));

        let mut positions = Vec::with_capacity(count);
        for (i, p) in batch.iter().enumerate() {
            let version = actual + 1 + i as u64;
            let hash = hash::event_hash(
                &prev,
                &HashInput {
                    tenant_id: p.event.tenant_id,
                    stream_id: stream.as_str(),
                    version,
                    event_id: p.event.event_id,
                    event_type: &p.event.event_type,
                    schema_version: p.event.schema_version,
                    payload: &p.payload,
                    metadata: &p.metadata,
                    occurred_at_us: p.occurred_at_us,
                    recorded_at_us,
                },
            );
            let done = sqlx::query(
                "insert into events (tenant_id, stream_id, category, stream_version, event_id, \
                 event_type, schema_version, payload, metadata, occurred_at, recorded_at, \
                 prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(p.event.tenant_id)
            .bind(stream.as_str())
            .bind(stream.category())
            .bind(as_i64(version, "stream version")?)
            .bind(p.event.event_id)
            .bind(p.event.event_type.as_str())
            .bind(i64::from(p.event.schema_version))
            .bind(p.payload.as_slice())
            .bind(p.metadata.as_slice())
            .bind(p.occurred_at_us)
            .bind(recorded_at_us)
            .bind(prev.as_slice())
            .bind(hash.as_slice())
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            positions.push(done.last_insert_rowid());
            prev = hash;
        }
        tx.commit().await.map_err(db_error)?;
        drop(writer);
        self.inner.appended.send_modify(|n| *n = n.wrapping_add(1));
        Ok(AppendOutcome {
            last: Checkpoint {
                tx: 0,
                position: positions.iter().copied().max().unwrap_or(0),
            },
            positions,
            next_version: actual + count as u64,
            was_retry: false,
        })
    }
}

/// An event of a batch, in the bytes the log stores and hashes.
struct Prepared<'a> {
    event: &'a NewEvent,
    payload: Vec<u8>,
    metadata: Vec<u8>,
    occurred_at_us: i64,
}

impl<'a> Prepared<'a> {
    fn new(event: &'a NewEvent) -> Self {
        Self {
            event,
            payload: hash::canonical_json(&event.payload),
            metadata: hash::canonical_metadata(&event.metadata),
            occurred_at_us: hash::to_micros(event.occurred_at),
        }
    }
}

/// An event id of the batch as the log already holds it.
struct Known {
    position: i64,
    stream_id: String,
    stream_version: i64,
    same_content: bool,
}

/// Refuses batches that no store could write.
fn check_batch(events: &[NewEvent]) -> Result<(), StoreError> {
    if events.is_empty() {
        return Err(StoreError::new(
            StoreErrorKind::EmptyBatch,
            "an append needs at least one event",
        ));
    }
    if events.len() > SqliteStore::MAX_BATCH {
        return Err(StoreError::new(
            StoreErrorKind::InvalidInput,
            format!(
                "a batch of {} events is too large: at most {} events can be appended at once",
                events.len(),
                SqliteStore::MAX_BATCH
            ),
        ));
    }
    let mut seen = std::collections::HashSet::with_capacity(events.len());
    for event in events {
        if !seen.insert(event.event_id) {
            return Err(StoreError::new(
                StoreErrorKind::InvalidInput,
                format!(
                    "event id {} appears twice in one batch: every event needs its own id",
                    event.event_id
                ),
            ));
        }
        if event.event_type.is_empty() {
            return Err(StoreError::new(
                StoreErrorKind::InvalidInput,
                format!("event {} has no event type", event.event_id),
            ));
        }
    }
    Ok(())
}

/// Decides a batch whose ids were (partly) written before: the original outcome when it is a
/// faithful retry of events recorded together in `stream`, [`StoreErrorKind::EventIdReused`]
/// otherwise.
fn settle_retry(
    stream: &StreamId,
    batch: &[Prepared<'_>],
    known: &[Option<Known>],
) -> Result<AppendOutcome, StoreError> {
    let reused = |message: String| StoreError::new(StoreErrorKind::EventIdReused, message);
    let mut positions = Vec::with_capacity(known.len());
    let mut next_version = 0u64;
    let mut first_version = None;
    for (i, (prepared, known)) in batch.iter().zip(known).enumerate() {
        let id = prepared.event.event_id;
        let Some(known) = known else {
            return Err(reused(format!(
                "event {id} was never recorded but other events of its batch were: a retry must resend exactly the batch that was sent before"
            )));
        };
        if known.stream_id != stream.as_str() {
            return Err(reused(format!(
                "event id {id} is already used by an event of another stream; choose a new id"
            )));
        }
        if !known.same_content {
            return Err(reused(format!(
                "event id {id} is already used by an event with different content; choose a new id"
            )));
        }
        let first = *first_version.get_or_insert(known.stream_version);
        if known.stream_version != first + i as i64 {
            return Err(reused(format!(
                "event {id} was recorded, but not in this order or together with these events: a retry must resend exactly the batch that was sent before"
            )));
        }
        positions.push(known.position);
        next_version = u64::try_from(known.stream_version).unwrap_or(0);
    }
    Ok(AppendOutcome {
        last: Checkpoint {
            tx: 0,
            position: positions.iter().copied().max().unwrap_or(0),
        },
        positions,
        next_version,
        was_retry: true,
    })
}

/// A version from the API as an SQLite integer.
fn as_i64(v: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| {
        StoreError::new(
            StoreErrorKind::InvalidInput,
            format!("{what} {v} is too large"),
        )
    })
}
