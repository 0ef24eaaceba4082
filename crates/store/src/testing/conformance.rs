//! The conformance suite every back-end passes: the log's guarantees written down once, as
//! executable checks against the [`EventStore`] and [`KeyStore`] traits only, so that the
//! PostgreSQL log and the embedded one are held to exactly the same contract.
//!
//! Each check is a public function. The async ones take a store of their own, fresh and empty
//! (a few of them, such as [`head_is_the_checkpoint_of_the_last_event`], rely on that), and
//! panic with a sentence when the store breaks the contract. The property
//! [`any_sequence_of_appends_reads_back_exactly_the_acknowledged_events`] drives a tokio
//! runtime itself, so it is called from a plain `#[test]`. `tests/it/conformance.rs` runs every
//! check against every back-end as a separately named test.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::json;
use uuid::Uuid;

use crate::hash::{self, GENESIS};
use crate::{
    AppendOutcome, Checkpoint, EventFilter, EventStore, EventStream, ExpectedVersion, KeyStore,
    Metadata, NewEvent, RecordedEvent, StoreErrorKind, StreamId, SubjectKey,
};

/// How long a check waits for a subscription to deliver before it declares the store hung.
/// A guard against a test that never ends, not a measurement: no check asserts on time.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// A time with whole microseconds, the precision both back-ends keep.
fn micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).expect("the test's times are in range")
}

/// A new event of `tenant` with content made distinct by `n`.
pub fn sample_event(tenant: Uuid, event_type: &str, n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: tenant,
        event_type: event_type.to_owned(),
        schema_version: 1,
        payload: json!({ "n": n, "note": format!("event number {n}") }),
        metadata: Metadata {
            actor_id: Some(Uuid::from_u128(u128::from(n) + 1)),
            actor_role: Some("connector".to_owned()),
            ..Metadata::default()
        },
        occurred_at: micros(1_700_000_000_000_000 + i64::try_from(n).unwrap_or(0)),
    }
}

/// `count` sample events of `tenant`, numbered from `first`.
fn sample_batch(tenant: Uuid, event_type: &str, first: u64, count: u64) -> Vec<NewEvent> {
    (first..first + count)
        .map(|n| sample_event(tenant, event_type, n))
        .collect()
}

/// A new stream of `category` that no other check uses.
fn new_stream(category: &str) -> StreamId {
    StreamId::for_aggregate(category, Uuid::new_v4())
}

/// Only the events of `tenant`.
fn of_tenant(tenant: Uuid) -> EventFilter {
    EventFilter {
        tenant_id: Some(tenant),
        ..EventFilter::all()
    }
}

async fn append_ok(
    store: &dyn EventStore,
    stream: &StreamId,
    expected: ExpectedVersion,
    events: Vec<NewEvent>,
) -> AppendOutcome {
    match store.append(stream, expected, events).await {
        Ok(outcome) => outcome,
        Err(e) => panic!("an append to {stream} expecting {expected:?} should succeed, but: {e}"),
    }
}

async fn append_err(
    store: &dyn EventStore,
    stream: &StreamId,
    expected: ExpectedVersion,
    events: Vec<NewEvent>,
) -> StoreErrorKind {
    match store.append(stream, expected, events).await {
        Ok(outcome) => panic!(
            "an append to {stream} expecting {expected:?} should have been refused, but it wrote {outcome:?}"
        ),
        Err(e) => e.kind().clone(),
    }
}

async fn stream_events(store: &dyn EventStore, stream: &StreamId, from: u64) -> Vec<RecordedEvent> {
    match store.read_stream(stream, from).try_collect().await {
        Ok(events) => events,
        Err(e) => panic!("stream {stream} should read back from version {from}, but: {e}"),
    }
}

async fn all_events(
    store: &dyn EventStore,
    after: Checkpoint,
    limit: usize,
    filter: &EventFilter,
) -> Vec<RecordedEvent> {
    match store.read_all(after, limit, filter).try_collect().await {
        Ok(events) => events,
        Err(e) => panic!("the log should read back after {after}, but: {e}"),
    }
}

/// The next event of a subscription, failing the check (rather than hanging) if none comes.
async fn next_event(subscription: &mut EventStream<'static>, what: &str) -> RecordedEvent {
    match tokio::time::timeout(HANG_GUARD, subscription.next()).await {
        Ok(Some(Ok(event))) => event,
        Ok(Some(Err(e))) => panic!("the subscription failed while waiting for {what}: {e}"),
        Ok(None) => panic!("the subscription ended while waiting for {what}"),
        Err(_) => panic!("the subscription never delivered {what}"),
    }
}

fn ids(events: &[RecordedEvent]) -> Vec<Uuid> {
    events.iter().map(|e| e.event_id).collect()
}

fn sent_ids(events: &[NewEvent]) -> Vec<Uuid> {
    events.iter().map(|e| e.event_id).collect()
}

/// Asserts that `recorded` holds exactly what was sent in `sent`.
fn assert_holds(recorded: &RecordedEvent, sent: &NewEvent) {
    assert_eq!(recorded.event_id, sent.event_id, "event id");
    assert_eq!(
        recorded.tenant_id, sent.tenant_id,
        "tenant of {}",
        sent.event_id
    );
    assert_eq!(
        recorded.event_type, sent.event_type,
        "type of {}",
        sent.event_id
    );
    assert_eq!(
        recorded.schema_version, sent.schema_version,
        "schema version of {}",
        sent.event_id
    );
    assert_eq!(
        recorded.payload, sent.payload,
        "payload of {}",
        sent.event_id
    );
    assert_eq!(
        recorded.metadata, sent.metadata,
        "metadata of {}",
        sent.event_id
    );
    assert_eq!(
        recorded.occurred_at,
        micros(hash::to_micros(sent.occurred_at)),
        "occurred_at of {} (kept to the microsecond)",
        sent.event_id
    );
}

/// The whole log through `filter`, read once it shows at least `at_least` events.
///
/// A global-order reader sees an acknowledged event only once no transaction that could still
/// commit before it is open (see [`EventStore::read_all`]); on PostgreSQL another client, even
/// in another database of the cluster, can hold that back for a moment. The wait is bounded by
/// the hang guard; nothing is asserted about how long it takes.
async fn settled_log(
    store: &dyn EventStore,
    filter: &EventFilter,
    at_least: usize,
) -> Vec<RecordedEvent> {
    let wait = async {
        loop {
            let log = all_events(store, Checkpoint::START, usize::MAX, filter).await;
            if log.len() >= at_least {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    match tokio::time::timeout(HANG_GUARD, wait).await {
        Ok(log) => log,
        Err(_) => panic!("the log never showed {at_least} acknowledged events to read_all"),
    }
}

/// How many events of `tenant` the log holds, once it shows at least `expected`.
async fn tenant_log_len(store: &dyn EventStore, tenant: Uuid, expected: usize) -> usize {
    settled_log(store, &of_tenant(tenant), expected).await.len()
}

/// Asserts that the stream's hash chain verifies from its first event.
async fn assert_chain_verifies(store: &dyn EventStore, stream: &StreamId) {
    let events = stream_events(store, stream, 1).await;
    if let Err(e) = hash::verify_chain(&events) {
        panic!("the hash chain of {stream} should verify, but: {e}");
    }
}

/// Every field of the envelope survives the round trip: what was sent comes back, the store
/// fills position, version, recorded_at and the hash chain, and the outcome names the
/// positions written.
pub async fn append_and_read_round_trip_every_envelope_field(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let first = NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: tenant,
        event_type: "RequestPosted".to_owned(),
        schema_version: 3,
        payload: json!({
            "category": "boodschappen",
            "description": "Wie kan zaterdag boodschappen doen? Ik ben slecht ter been. 🧺",
            "urgency": 2,
            "big": 9_007_199_254_740_993_u64,
            "negative": -42,
            "fraction": 0.1,
            "nested": { "z": [1, "two", null, true], "a": {} },
            "empty": ""
        }),
        metadata: Metadata {
            actor_id: Some(Uuid::new_v4()),
            actor_role: Some("connector".to_owned()),
            on_behalf_of: Some(Uuid::new_v4()),
            correlation_id: Some(Uuid::new_v4()),
            causation_id: Some(Uuid::new_v4()),
            command_id: Some(Uuid::new_v4()),
        },
        // A home visit recorded the next day, with nanoseconds the log does not keep.
        occurred_at: micros(1_620_000_000_123_456) + chrono::Duration::nanoseconds(789),
    };
    let second = NewEvent {
        metadata: Metadata::default(),
        payload: json!(null),
        event_type: "RequestTriaged".to_owned(),
        schema_version: 0,
        ..sample_event(tenant, "RequestTriaged", 2)
    };
    let sent = vec![first, second];

    let outcome = append_ok(store, &stream, ExpectedVersion::NoStream, sent.clone()).await;

    assert_eq!(
        outcome.next_version, 2,
        "the stream is at version 2 after two events"
    );
    assert!(!outcome.was_retry, "a first append is not a retry");
    assert_eq!(outcome.positions.len(), 2, "one position per event");
    assert!(
        outcome.positions[0] < outcome.positions[1],
        "positions grow in batch order"
    );
    let read = stream_events(store, &stream, 1).await;
    assert_eq!(read.len(), 2, "both events read back");
    for (i, (recorded, sent)) in read.iter().zip(&sent).enumerate() {
        assert_holds(recorded, sent);
        assert_eq!(recorded.stream_id, stream, "stream id");
        assert_eq!(
            recorded.stream_version,
            i as u64 + 1,
            "versions count from 1"
        );
        assert_eq!(
            recorded.position, outcome.positions[i],
            "the position the append reported"
        );
        assert_eq!(
            recorded.checkpoint.position, recorded.position,
            "checkpoint position"
        );
        assert_eq!(
            recorded.recorded_at,
            micros(hash::to_micros(recorded.recorded_at)),
            "recorded_at is kept to the microsecond"
        );
    }
    assert_eq!(
        read[0].prev_hash, GENESIS,
        "the first event links to the genesis hash"
    );
    assert_eq!(
        read[1].prev_hash, read[0].hash,
        "the second event links to the first"
    );
    assert_eq!(
        read[0].hash,
        hash::recompute(&GENESIS, &read[0]),
        "the first hash"
    );
    assert_eq!(
        read[1].hash,
        hash::recompute(&read[0].hash, &read[1]),
        "the second hash"
    );
    assert!(
        read[0].recorded_at > read[0].occurred_at,
        "recorded_at is set by the store, not copied from occurred_at"
    );
    let via_all = settled_log(store, &of_tenant(tenant), 2).await;
    assert_eq!(
        via_all, read,
        "read_all returns the very same envelopes as read_stream"
    );
}

/// `NoStream` admits only a stream without events.
pub async fn no_stream_admits_only_a_new_stream(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("person");
    append_ok(
        store,
        &stream,
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 0, 1),
    )
    .await;

    let kind = append_err(
        store,
        &stream,
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 1, 1),
    )
    .await;

    assert_eq!(
        kind,
        StoreErrorKind::Conflict {
            expected: ExpectedVersion::NoStream,
            actual: 1
        },
        "a second NoStream append is a conflict carrying the actual version"
    );
    assert_eq!(
        stream_events(store, &stream, 1).await.len(),
        1,
        "the refused event was not written"
    );
}

/// An append expecting a version the stream has moved past is refused, carries the actual
/// version, and writes nothing of its batch.
pub async fn append_rejects_a_stale_expected_version(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    append_ok(
        store,
        &stream,
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 0, 2),
    )
    .await;

    let kind = append_err(
        store,
        &stream,
        ExpectedVersion::Exact(1),
        sample_batch(tenant, "A", 2, 3),
    )
    .await;

    assert_eq!(
        kind,
        StoreErrorKind::Conflict {
            expected: ExpectedVersion::Exact(1),
            actual: 2
        }
    );
    assert_eq!(
        stream_events(store, &stream, 1).await.len(),
        2,
        "none of the batch was written"
    );
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        2
    );
    assert_eq!(
        tenant_log_len(store, tenant, 2).await,
        2,
        "the log did not grow"
    );
}

/// `Exact(n)` on a stream that has no events (or fewer than n) is a conflict with the actual
/// version, and a version ahead of the stream is refused the same way.
pub async fn append_rejects_an_expected_version_ahead_of_the_stream(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");

    let on_missing = append_err(
        store,
        &stream,
        ExpectedVersion::Exact(3),
        sample_batch(tenant, "A", 0, 1),
    )
    .await;
    append_ok(
        store,
        &stream,
        ExpectedVersion::Exact(0),
        sample_batch(tenant, "A", 1, 1),
    )
    .await;
    let ahead = append_err(
        store,
        &stream,
        ExpectedVersion::Exact(2),
        sample_batch(tenant, "A", 2, 1),
    )
    .await;

    assert_eq!(
        on_missing,
        StoreErrorKind::Conflict {
            expected: ExpectedVersion::Exact(3),
            actual: 0
        }
    );
    assert_eq!(
        ahead,
        StoreErrorKind::Conflict {
            expected: ExpectedVersion::Exact(2),
            actual: 1
        }
    );
    assert_eq!(
        stream_events(store, &stream, 1).await.len(),
        1,
        "only the admitted event is there"
    );
}

/// `Any` appends at whatever version the stream is, and `Exact` at the current version works.
pub async fn any_and_exact_append_at_the_current_version(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("call");

    let a = append_ok(
        store,
        &stream,
        ExpectedVersion::Any,
        sample_batch(tenant, "A", 0, 2),
    )
    .await;
    let b = append_ok(
        store,
        &stream,
        ExpectedVersion::Any,
        sample_batch(tenant, "A", 2, 1),
    )
    .await;
    let c = append_ok(
        store,
        &stream,
        ExpectedVersion::Exact(3),
        sample_batch(tenant, "A", 3, 2),
    )
    .await;

    assert_eq!((a.next_version, b.next_version, c.next_version), (2, 3, 5));
    let versions: Vec<u64> = stream_events(store, &stream, 1)
        .await
        .iter()
        .map(|e| e.stream_version)
        .collect();
    assert_eq!(versions, vec![1, 2, 3, 4, 5], "versions run without gaps");
}

/// An append with no events is refused as such and writes nothing.
pub async fn append_rejects_an_empty_batch(store: &dyn EventStore) {
    let stream = new_stream("request");

    let kind = append_err(store, &stream, ExpectedVersion::Any, Vec::new()).await;

    assert_eq!(kind, StoreErrorKind::EmptyBatch);
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        0
    );
}

/// A client's retry of a batch that was written (every id, same content) gets the original
/// outcome back, marked as a retry, even though the stream has moved on since, and nothing is
/// written twice.
pub async fn a_retried_batch_returns_the_original_outcome_and_writes_nothing(
    store: &dyn EventStore,
) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let batch = sample_batch(tenant, "A", 0, 2);
    let original = append_ok(store, &stream, ExpectedVersion::NoStream, batch.clone()).await;
    append_ok(
        store,
        &stream,
        ExpectedVersion::Exact(2),
        sample_batch(tenant, "A", 2, 1),
    )
    .await;

    let retried = append_ok(store, &stream, ExpectedVersion::NoStream, batch.clone()).await;
    let again = append_ok(store, &stream, ExpectedVersion::Any, batch.clone()).await;

    for outcome in [&retried, &again] {
        assert_eq!(
            outcome.positions, original.positions,
            "the original positions"
        );
        assert_eq!(
            outcome.next_version, original.next_version,
            "the original version"
        );
        assert!(outcome.was_retry, "the retry is reported as one");
    }
    let events = settled_log(store, &of_tenant(tenant), 3).await;
    assert_eq!(events.len(), 3, "the retried events were not duplicated");
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        3
    );
}

/// An event id that is already in the log, sent again with different content, is refused.
pub async fn an_event_id_reused_with_different_content_is_refused(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let first = sample_event(tenant, "A", 0);
    append_ok(
        store,
        &stream,
        ExpectedVersion::NoStream,
        vec![first.clone()],
    )
    .await;

    let other_payload = NewEvent {
        payload: json!({ "n": 99 }),
        ..first.clone()
    };
    let other_type = NewEvent {
        event_type: "B".to_owned(),
        ..first.clone()
    };
    let other_time = NewEvent {
        occurred_at: micros(1),
        ..first.clone()
    };
    let other_meta = NewEvent {
        metadata: Metadata::default(),
        ..first.clone()
    };
    for changed in [other_payload, other_type, other_time, other_meta] {
        let kind = append_err(store, &stream, ExpectedVersion::Any, vec![changed]).await;
        assert_eq!(kind, StoreErrorKind::EventIdReused);
    }

    let read = stream_events(store, &stream, 1).await;
    assert_eq!(read.len(), 1, "nothing was written");
    assert_holds(&read[0], &first);
}

/// An event id already used in one stream cannot be used in another, even with the same
/// content.
pub async fn an_event_id_reused_in_another_stream_is_refused(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let (one, other) = (new_stream("request"), new_stream("request"));
    let event = sample_event(tenant, "A", 0);
    append_ok(store, &one, ExpectedVersion::NoStream, vec![event.clone()]).await;

    let kind = append_err(store, &other, ExpectedVersion::Any, vec![event]).await;

    assert_eq!(kind, StoreErrorKind::EventIdReused);
    assert_eq!(
        store.stream_version(&other).await.expect("version reads"),
        0
    );
}

/// A batch is written whole or not at all: a batch of which one event id was used before is
/// refused and none of its new events is written (they can still be appended on their own).
pub async fn a_batch_with_one_reused_event_id_writes_nothing(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let old = sample_event(tenant, "A", 0);
    append_ok(store, &stream, ExpectedVersion::NoStream, vec![old.clone()]).await;
    let fresh = sample_batch(tenant, "A", 1, 2);
    let mut mixed = fresh.clone();
    mixed.insert(1, old);

    let kind = append_err(store, &stream, ExpectedVersion::Any, mixed).await;

    assert_eq!(kind, StoreErrorKind::EventIdReused);
    assert_eq!(
        tenant_log_len(store, tenant, 1).await,
        1,
        "the log did not grow"
    );
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        1
    );
    let later = append_ok(store, &stream, ExpectedVersion::Exact(1), fresh.clone()).await;
    assert!(!later.was_retry, "the new events had not been written");
    assert_eq!(
        ids(&stream_events(store, &stream, 2).await),
        sent_ids(&fresh)
    );
}

/// A batch that holds the same event id twice is refused whole.
pub async fn a_batch_holding_an_event_id_twice_writes_nothing(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let event = sample_event(tenant, "A", 0);
    let batch = vec![sample_event(tenant, "A", 1), event.clone(), event];

    let refused = store.append(&stream, ExpectedVersion::Any, batch).await;

    assert!(refused.is_err(), "a batch holding an id twice is refused");
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        0
    );
    assert_eq!(
        tenant_log_len(store, tenant, 0).await,
        0,
        "the log did not grow"
    );
}

/// `read_stream` starts at the requested version, and a stream without events reads as empty.
pub async fn read_stream_starts_at_the_requested_version(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("person");
    let batch = sample_batch(tenant, "A", 0, 5);
    append_ok(store, &stream, ExpectedVersion::NoStream, batch.clone()).await;
    append_ok(
        store,
        &new_stream("person"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 5, 2),
    )
    .await;

    let from_three = stream_events(store, &stream, 3).await;
    let from_zero = stream_events(store, &stream, 0).await;
    let past_end = stream_events(store, &stream, 6).await;
    let unknown = stream_events(store, &new_stream("person"), 1).await;

    assert_eq!(
        ids(&from_three),
        sent_ids(&batch[2..]),
        "versions 3 to 5, of this stream only"
    );
    assert_eq!(
        ids(&from_zero),
        sent_ids(&batch),
        "version 0 reads from the start"
    );
    assert!(past_end.is_empty(), "nothing past the last version");
    assert!(unknown.is_empty(), "a stream without events reads as empty");
}

/// `read_all` returns events in global order strictly after a checkpoint, at most `limit`,
/// so a reader that resumes from its last checkpoint sees every event exactly once.
pub async fn read_all_resumes_after_a_checkpoint_and_honours_the_limit(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let filter = of_tenant(tenant);
    let mut sent = Vec::new();
    for i in 0..5 {
        let batch = sample_batch(tenant, "A", i * 2, 2);
        sent.extend(sent_ids(&batch));
        append_ok(
            store,
            &new_stream("request"),
            ExpectedVersion::NoStream,
            batch,
        )
        .await;
    }

    let everything = settled_log(store, &filter, 10).await;
    let first = all_events(store, Checkpoint::START, 4, &filter).await;
    let rest = all_events(store, first[3].checkpoint, 100, &filter).await;
    let none = all_events(store, Checkpoint::START, 0, &filter).await;
    let at_end = all_events(store, everything[9].checkpoint, 100, &filter).await;

    assert_eq!(
        ids(&everything),
        sent,
        "the log's order is the order of acknowledged appends"
    );
    assert!(
        everything
            .windows(2)
            .all(|w| w[0].checkpoint < w[1].checkpoint),
        "checkpoints grow strictly along the log"
    );
    assert_eq!(first.len(), 4, "the limit is honoured");
    assert_eq!(
        [ids(&first), ids(&rest)].concat(),
        sent,
        "resuming neither skips nor repeats"
    );
    assert!(none.is_empty(), "a limit of 0 reads nothing");
    assert!(at_end.is_empty(), "nothing after the last event");
}

/// `read_all` and `read_stream` stream logs longer than any one page the store fetches.
pub async fn reads_stream_more_events_than_one_page(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("neighbourhood");
    let mut sent = Vec::new();
    for i in 0..12 {
        let batch = sample_batch(tenant, "A", i * 100, 100);
        sent.extend(sent_ids(&batch));
        append_ok(store, &stream, ExpectedVersion::Exact(i * 100), batch).await;
    }

    let all = settled_log(store, &of_tenant(tenant), 1200).await;
    let whole = stream_events(store, &stream, 1).await;
    let tail = stream_events(store, &stream, 601).await;

    assert_eq!(ids(&all), sent, "read_all returns all 1200 in order");
    assert_eq!(ids(&whole), sent, "read_stream returns all 1200 in order");
    assert_eq!(
        ids(&tail),
        sent[600..].to_vec(),
        "read_stream from version 601"
    );
    assert!(
        whole.iter().zip(1..).all(|(e, v)| e.stream_version == v),
        "versions 1 to 1200"
    );
}

/// `read_all` filters by tenant, by stream category (any of several) and by event type (any
/// of several), and combines them.
pub async fn read_all_filters_by_tenant_category_and_event_type(store: &dyn EventStore) {
    let (tenant_a, tenant_b) = (Uuid::new_v4(), Uuid::new_v4());
    let mut n = 0;
    for tenant in [tenant_a, tenant_b] {
        for category in ["person", "request", "call"] {
            for event_type in ["Alpha", "Beta"] {
                n += 1;
                let event = sample_event(tenant, event_type, n);
                append_ok(
                    store,
                    &new_stream(category),
                    ExpectedVersion::NoStream,
                    vec![event],
                )
                .await;
            }
        }
    }
    let everything = settled_log(store, &EventFilter::all(), 12).await;
    assert_eq!(everything.len(), 12, "all events without a filter");
    let filters = [
        of_tenant(tenant_a),
        EventFilter {
            categories: vec!["request".into()],
            ..EventFilter::all()
        },
        EventFilter {
            categories: vec!["person".into(), "call".into()],
            ..EventFilter::all()
        },
        EventFilter {
            event_types: vec!["Beta".into()],
            ..EventFilter::all()
        },
        EventFilter {
            event_types: vec!["Alpha".into(), "Beta".into()],
            ..EventFilter::all()
        },
        EventFilter {
            tenant_id: Some(tenant_b),
            categories: vec!["call".into()],
            event_types: vec!["Alpha".into()],
        },
        EventFilter {
            categories: vec!["organisation".into()],
            ..EventFilter::all()
        },
    ];
    let expected_counts = [6, 4, 8, 6, 12, 1, 0];

    for (filter, count) in filters.iter().zip(expected_counts) {
        let got = all_events(store, Checkpoint::START, 100, filter).await;
        let want: Vec<RecordedEvent> = everything
            .iter()
            .filter(|e| filter.matches(e))
            .cloned()
            .collect();
        assert_eq!(got, want, "read_all with {filter:?}");
        assert_eq!(got.len(), count, "how many events match {filter:?}");
    }
    let limited = EventFilter {
        event_types: vec!["Beta".into()],
        ..EventFilter::all()
    };
    let two = all_events(store, Checkpoint::START, 2, &limited).await;
    assert_eq!(two.len(), 2, "the limit counts matching events");
    assert!(two.iter().all(|e| e.event_type == "Beta"));
}

/// A subscription first delivers what is in the log, then follows appends made after it
/// started, in global order.
pub async fn subscribe_catches_up_then_follows_new_appends(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let before = sample_batch(tenant, "A", 0, 3);
    append_ok(store, &stream, ExpectedVersion::NoStream, before.clone()).await;
    let mut subscription = store.subscribe(Checkpoint::START, of_tenant(tenant));

    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(
            next_event(&mut subscription, "the events already in the log")
                .await
                .event_id,
        );
    }
    let after = sample_batch(tenant, "A", 3, 2);
    append_ok(store, &stream, ExpectedVersion::Exact(3), after.clone()).await;
    let other = sample_batch(tenant, "A", 5, 1);
    append_ok(
        store,
        &new_stream("person"),
        ExpectedVersion::NoStream,
        other.clone(),
    )
    .await;
    for _ in 0..3 {
        seen.push(
            next_event(&mut subscription, "the events appended later")
                .await
                .event_id,
        );
    }

    assert_eq!(
        seen,
        [sent_ids(&before), sent_ids(&after), sent_ids(&other)].concat()
    );
}

/// A subscription starts strictly after its checkpoint and delivers only what its filter
/// matches, also for events appended while it waits.
pub async fn subscribe_honours_its_checkpoint_and_filter(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    let mut batch = Vec::new();
    for n in 0..6 {
        batch.push(sample_event(
            tenant,
            if n % 2 == 0 { "Alpha" } else { "Beta" },
            n,
        ));
    }
    append_ok(store, &stream, ExpectedVersion::NoStream, batch.clone()).await;
    let written = stream_events(store, &stream, 1).await;
    let filter = EventFilter {
        tenant_id: Some(tenant),
        event_types: vec!["Alpha".into()],
        ..EventFilter::all()
    };
    let mut subscription = store.subscribe(written[1].checkpoint, filter);

    let third = next_event(&mut subscription, "the first Alpha after the checkpoint").await;
    let fifth = next_event(&mut subscription, "the second Alpha after the checkpoint").await;
    let later = vec![
        sample_event(tenant, "Beta", 6),
        sample_event(tenant, "Alpha", 7),
    ];
    append_ok(store, &stream, ExpectedVersion::Exact(6), later.clone()).await;
    let eighth = next_event(&mut subscription, "the Alpha appended later").await;

    assert_eq!(
        third.event_id, batch[2].event_id,
        "version 3 is the first Alpha after version 2"
    );
    assert_eq!(fifth.event_id, batch[4].event_id);
    assert_eq!(
        eighth.event_id, later[1].event_id,
        "the Beta in between was filtered out"
    );
}

/// Writers racing for the same version of one stream: exactly one wins, every other gets a
/// conflict, and the stream stays a clean chain.
pub async fn concurrent_writers_never_share_a_version(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    append_ok(
        store,
        &stream,
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 0, 1),
    )
    .await;

    let attempts = (0..8).map(|i| {
        store.append(
            &stream,
            ExpectedVersion::Exact(1),
            sample_batch(tenant, "A", 10 + i * 2, 2),
        )
    });
    let results = futures::future::join_all(attempts).await;

    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "exactly one writer wins version 2");
    for result in &results {
        if let Err(e) = result {
            assert!(e.is_conflict(), "a losing writer gets a conflict, not: {e}");
        }
    }
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        3
    );
    assert_chain_verifies(store, &stream).await;
}

/// Many writers on their own streams at once, and a subscriber following them: the subscriber
/// sees every acknowledged event exactly once, in the same order as a later `read_all`.
pub async fn a_subscriber_sees_concurrent_appends_once_each_in_log_order(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let mut subscription = store.subscribe(Checkpoint::START, of_tenant(tenant));
    let writers = (0..8u64).map(|w| async move {
        let stream = new_stream("person");
        let mut written = Vec::new();
        for i in 0..5u64 {
            let batch = sample_batch(tenant, "A", w * 100 + i * 2, 2);
            written.extend(sent_ids(&batch));
            append_ok(store, &stream, ExpectedVersion::Exact(i * 2), batch).await;
        }
        (stream, written)
    });
    let reader = async {
        let mut seen = Vec::new();
        for _ in 0..80 {
            seen.push(next_event(&mut subscription, "an event of a concurrent writer").await);
        }
        seen
    };

    let (written, seen) = tokio::join!(futures::future::join_all(writers), reader);

    let log = settled_log(store, &of_tenant(tenant), 80).await;
    assert_eq!(
        seen, log,
        "the subscriber saw the log's order, each event once"
    );
    let acknowledged: HashSet<Uuid> = written
        .iter()
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    assert_eq!(ids(&log).into_iter().collect::<HashSet<_>>(), acknowledged);
    for (stream, ids_of_stream) in &written {
        assert_eq!(&ids(&stream_events(store, stream, 1).await), ids_of_stream);
        assert_chain_verifies(store, stream).await;
    }
}

/// `head` is [`Checkpoint::START`] on an empty log and then the checkpoint of the last event.
pub async fn head_is_the_checkpoint_of_the_last_event(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    assert_eq!(
        store.head().await.expect("head reads"),
        Checkpoint::START,
        "an empty log"
    );
    append_ok(
        store,
        &new_stream("request"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 0, 3),
    )
    .await;
    append_ok(
        store,
        &new_stream("request"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 3, 1),
    )
    .await;

    let log = settled_log(store, &EventFilter::all(), 4).await;
    let head = store.head().await.expect("head reads");

    assert_eq!(Some(head), log.last().map(|e| e.checkpoint));
    assert!(
        all_events(store, head, 100, &EventFilter::all())
            .await
            .is_empty(),
        "nothing after the head"
    );
}

/// `stream_version` is the number of events in a stream, 0 for a stream without any.
pub async fn stream_version_is_the_last_version_of_a_stream(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let stream = new_stream("request");
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        0
    );
    append_ok(
        store,
        &stream,
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 0, 3),
    )
    .await;
    append_ok(
        store,
        &new_stream("request"),
        ExpectedVersion::NoStream,
        sample_batch(tenant, "A", 3, 5),
    )
    .await;
    append_ok(
        store,
        &stream,
        ExpectedVersion::Exact(3),
        sample_batch(tenant, "A", 8, 1),
    )
    .await;

    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        4
    );
}

/// Every stream's hash chain verifies, across batches, and links only events of its own
/// stream; the chain check itself notices a changed event.
pub async fn every_stream_hash_chain_verifies(store: &dyn EventStore) {
    let tenant = Uuid::new_v4();
    let (one, two) = (new_stream("request"), new_stream("person"));
    for i in 0..3 {
        append_ok(
            store,
            &one,
            ExpectedVersion::Any,
            sample_batch(tenant, "A", i * 10, 3),
        )
        .await;
        append_ok(
            store,
            &two,
            ExpectedVersion::Any,
            sample_batch(tenant, "B", i * 10 + 5, 2),
        )
        .await;
    }

    assert_chain_verifies(store, &one).await;
    assert_chain_verifies(store, &two).await;
    let mut events = stream_events(store, &two, 1).await;
    assert_eq!(
        events[0].prev_hash, GENESIS,
        "each stream starts its own chain"
    );
    events[3].payload = json!({ "n": "changed" });
    assert!(
        hash::verify_chain(&events).is_err(),
        "a changed payload no longer verifies"
    );
}

/// A subject's key is stored once: a second put keeps (and returns) the first key.
pub async fn a_subject_key_is_stored_once_and_kept(keys: &dyn KeyStore) {
    let (tenant, subject) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(
        keys.get_key(subject).await.expect("the key store reads"),
        None,
        "no key yet"
    );

    let first = keys
        .put_key_if_absent(tenant, subject, vec![1, 2, 3])
        .await
        .expect("a key is stored");
    let second = keys
        .put_key_if_absent(tenant, subject, vec![9, 9, 9])
        .await
        .expect("a put is answered");

    assert_eq!(first, SubjectKey::Wrapped(vec![1, 2, 3]));
    assert_eq!(
        second,
        SubjectKey::Wrapped(vec![1, 2, 3]),
        "the first key is kept"
    );
    assert_eq!(
        keys.get_key(subject).await.expect("the key store reads"),
        Some(first)
    );
    let other = keys
        .put_key_if_absent(tenant, Uuid::new_v4(), vec![4])
        .await
        .expect("a key is stored");
    assert_eq!(
        other,
        SubjectKey::Wrapped(vec![4]),
        "another subject has a key of its own"
    );
}

/// Erasing a key destroys it for good: what remains is a tombstone, no new key is ever made
/// for the subject, and erasing again (or erasing a subject that never had a key) erases
/// nothing.
pub async fn an_erased_key_is_gone_for_good(keys: &dyn KeyStore) {
    let (tenant, subject) = (Uuid::new_v4(), Uuid::new_v4());
    keys.put_key_if_absent(tenant, subject, vec![7; 32])
        .await
        .expect("a key is stored");
    let kept = Uuid::new_v4();
    keys.put_key_if_absent(tenant, kept, vec![8; 32])
        .await
        .expect("a key is stored");

    let erased = keys
        .erase_key(subject)
        .await
        .expect("the key can be erased");
    let tombstone = keys.get_key(subject).await.expect("the key store reads");
    let put_again = keys
        .put_key_if_absent(tenant, subject, vec![1; 32])
        .await
        .expect("a put is answered");
    let erased_again = keys.erase_key(subject).await.expect("an erase is answered");
    let never_had_one = keys
        .erase_key(Uuid::new_v4())
        .await
        .expect("an erase is answered");

    assert!(erased, "the key was there to erase");
    let Some(SubjectKey::Erased(at)) = tombstone else {
        panic!("an erased key reads as a tombstone, not {tombstone:?}");
    };
    assert_eq!(
        put_again,
        SubjectKey::Erased(at),
        "no new key is made for an erased subject"
    );
    assert!(!erased_again, "a tombstone has nothing left to erase");
    assert!(
        !never_had_one,
        "a subject without a key has nothing to erase"
    );
    assert_eq!(
        keys.get_key(kept).await.expect("the key store reads"),
        Some(SubjectKey::Wrapped(vec![8; 32])),
        "other subjects' keys are untouched"
    );
}

/// Erasing a subject that never had a key (nothing personal was sealed yet) still leaves a
/// tombstone: no key can be made for them afterwards.
pub async fn erasing_a_subject_without_a_key_still_forbids_one_later(keys: &dyn KeyStore) {
    let (tenant, subject) = (Uuid::new_v4(), Uuid::new_v4());
    let erased = keys.erase_key(subject).await.expect("an erase is answered");
    let put = keys
        .put_key_if_absent(tenant, subject, vec![3; 32])
        .await
        .expect("a put is answered");
    assert!(!erased, "there was no key to destroy");
    assert!(
        matches!(put, SubjectKey::Erased(_)),
        "no key is made for an erased subject, got {put:?}"
    );
}

/// What a writer tries to do to the log, in the property below.
#[derive(Clone, Debug)]
enum Op {
    /// A new batch of `size` events for stream `stream`.
    Append {
        stream: usize,
        expect: Expect,
        size: u64,
    },
    /// Resends the `pick`-th acknowledged batch unchanged.
    Retry { pick: usize },
    /// Reuses the id of the `pick`-th acknowledged event with different content.
    Reuse { pick: usize, stream: usize },
    /// A batch of new events that also carries the `pick`-th acknowledged event.
    Overlap { pick: usize, size: u64 },
}

/// The expectation of an [`Op::Append`], relative to the stream's current version.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Any,
    NoStream,
    /// `Exact(current + offset)`, floored at 0.
    Exact(i64),
}

const STREAMS: usize = 3;

fn op() -> impl Strategy<Value = Op> {
    let expect = prop_oneof![
        2 => Just(Expect::Any),
        1 => Just(Expect::NoStream),
        4 => (-2i64..=1).prop_map(Expect::Exact),
    ];
    prop_oneof![
        6 => (0..STREAMS, expect, 1u64..=4).prop_map(|(stream, expect, size)| Op::Append { stream, expect, size }),
        2 => any::<prop::sample::Index>().prop_map(|i| Op::Retry { pick: i.index(usize::MAX) }),
        1 => (any::<prop::sample::Index>(), 0..STREAMS).prop_map(|(i, stream)| Op::Reuse { pick: i.index(usize::MAX), stream }),
        1 => (any::<prop::sample::Index>(), 1u64..=3).prop_map(|(i, size)| Op::Overlap { pick: i.index(usize::MAX), size }),
    ]
}

/// What the log must hold after a sequence of operations: the acknowledged events only.
#[derive(Default)]
struct Model {
    /// Per stream: the acknowledged events in version order.
    streams: Vec<Vec<NewEvent>>,
    /// Every acknowledged batch with the expectation it was sent with and its outcome.
    batches: Vec<(usize, ExpectedVersion, Vec<NewEvent>, AppendOutcome)>,
    /// Every acknowledged event in global order, with its position and stream.
    log: Vec<(i64, usize, NewEvent)>,
}

async fn run_ops(store: &dyn EventStore, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let tenant = Uuid::new_v4();
    let streams: Vec<StreamId> = ["request", "person", "call"]
        .iter()
        .map(|c| new_stream(c))
        .collect();
    let mut model = Model {
        streams: vec![Vec::new(); STREAMS],
        ..Model::default()
    };
    let mut counter = 0u64;
    let mut fresh = |size: u64| {
        counter += size;
        sample_batch(
            tenant,
            if counter % 3 == 0 { "Beta" } else { "Alpha" },
            counter,
            size,
        )
    };

    for op in ops {
        let must_not_write;
        match op {
            Op::Append {
                stream,
                expect,
                size,
            } => {
                let current = model.streams[stream].len() as u64;
                let expected = match expect {
                    Expect::Any => ExpectedVersion::Any,
                    Expect::NoStream => ExpectedVersion::NoStream,
                    Expect::Exact(offset) => {
                        ExpectedVersion::Exact(current.saturating_add_signed(offset))
                    }
                };
                let batch = fresh(size);
                let result = store
                    .append(&streams[stream], expected, batch.clone())
                    .await;
                if expected.admits(current) {
                    let outcome = result.map_err(|e| {
                        TestCaseError::fail(format!("an admissible append failed: {e}"))
                    })?;
                    prop_assert!(!outcome.was_retry);
                    prop_assert_eq!(outcome.next_version, current + size);
                    prop_assert_eq!(outcome.positions.len() as u64, size);
                    let last = model.log.last().map_or(0, |(p, _, _)| *p);
                    prop_assert!(outcome.positions.windows(2).all(|w| w[0] < w[1]));
                    prop_assert!(outcome.positions[0] > last, "positions grow along the log");
                    for (position, event) in outcome.positions.iter().zip(&batch) {
                        model.log.push((*position, stream, event.clone()));
                    }
                    model.streams[stream].extend(batch.iter().cloned());
                    model.batches.push((stream, expected, batch, outcome));
                    must_not_write = false;
                } else {
                    match result {
                        Err(e) => prop_assert_eq!(
                            e.kind().clone(),
                            StoreErrorKind::Conflict {
                                expected,
                                actual: current
                            }
                        ),
                        Ok(outcome) => {
                            return Err(TestCaseError::fail(format!(
                                "{expected:?} at version {current} was admitted: {outcome:?}"
                            )))
                        }
                    }
                    must_not_write = true;
                }
            }
            Op::Retry { pick } => {
                if model.batches.is_empty() {
                    continue;
                }
                let (stream, expected, batch, original) =
                    model.batches[pick % model.batches.len()].clone();
                let outcome = store
                    .append(&streams[stream], expected, batch)
                    .await
                    .map_err(|e| TestCaseError::fail(format!("a retry failed: {e}")))?;
                prop_assert!(outcome.was_retry);
                prop_assert_eq!(&outcome.positions, &original.positions);
                prop_assert_eq!(outcome.next_version, original.next_version);
                must_not_write = true;
            }
            Op::Reuse { pick, stream } => {
                if model.log.is_empty() {
                    continue;
                }
                let (_, _, event) = &model.log[pick % model.log.len()];
                let changed = NewEvent {
                    payload: json!({ "changed": pick }),
                    ..event.clone()
                };
                let result = store
                    .append(&streams[stream], ExpectedVersion::Any, vec![changed])
                    .await;
                prop_assert_eq!(
                    result.map_err(|e| e.kind().clone()).err(),
                    Some(StoreErrorKind::EventIdReused)
                );
                must_not_write = true;
            }
            Op::Overlap { pick, size } => {
                if model.log.is_empty() {
                    continue;
                }
                let (_, stream, event) = model.log[pick % model.log.len()].clone();
                let mut batch = fresh(size);
                batch.push(event);
                let result = store
                    .append(&streams[stream], ExpectedVersion::Any, batch)
                    .await;
                prop_assert_eq!(
                    result.map_err(|e| e.kind().clone()).err(),
                    Some(StoreErrorKind::EventIdReused)
                );
                must_not_write = true;
            }
        }
        if must_not_write {
            // The tenant's part of the log is exactly what was acknowledged so far.
            let written = settled_log(store, &of_tenant(tenant), model.log.len()).await;
            prop_assert_eq!(
                written.len(),
                model.log.len(),
                "a refused or retried append wrote nothing"
            );
        }
    }

    let log = settled_log(store, &of_tenant(tenant), model.log.len()).await;
    prop_assert_eq!(
        log.len(),
        model.log.len(),
        "read_all returns exactly the acknowledged events"
    );
    let mut versions: HashMap<usize, u64> = HashMap::new();
    for (recorded, (position, stream, sent)) in log.iter().zip(&model.log) {
        prop_assert_eq!(
            recorded.event_id,
            sent.event_id,
            "in the order they were acknowledged"
        );
        prop_assert_eq!(recorded.position, *position);
        prop_assert_eq!(&recorded.stream_id, &streams[*stream]);
        let version = versions.entry(*stream).or_insert(0);
        *version += 1;
        prop_assert_eq!(recorded.stream_version, *version);
        prop_assert_eq!(&recorded.payload, &sent.payload);
    }
    for (i, stream) in streams.iter().enumerate() {
        let events: Vec<RecordedEvent> = store
            .read_stream(stream, 1)
            .try_collect()
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(
            ids(&events),
            sent_ids(&model.streams[i]),
            "read_stream of {}",
            stream
        );
        prop_assert_eq!(
            store
                .stream_version(stream)
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?,
            model.streams[i].len() as u64
        );
        if let Err(e) = hash::verify_chain(&events) {
            return Err(TestCaseError::fail(format!(
                "the chain of {stream} does not verify: {e}"
            )));
        }
    }
    Ok(())
}

/// The log's central property: for any sequence of appends (admissible or not, with retries,
/// reused ids and half-new batches), `read_all` returns exactly the acknowledged events in
/// the order they were acknowledged; `read_stream` equals each stream's events in version
/// order; every expected-version violation is rejected and writes nothing; retried batches
/// return their original outcome and never duplicate; the hash chain of every stream
/// verifies. Runs `cases` generated sequences on `runtime`, each with a tenant and streams of
/// its own, so they can share `store`.
///
/// # Panics
/// With the smallest failing sequence, when the store breaks the property.
pub fn any_sequence_of_appends_reads_back_exactly_the_acknowledged_events(
    runtime: &tokio::runtime::Runtime,
    store: &dyn EventStore,
    cases: u32,
) {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&prop::collection::vec(op(), 1..40), |ops| {
        runtime.block_on(run_ops(store, ops))
    });
    if let Err(failure) = result {
        panic!("{} breaks the log's contract: {failure}", store.backend());
    }
}
