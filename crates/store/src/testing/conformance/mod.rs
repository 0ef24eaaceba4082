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

//!
//! The checks live in one module per area (`append`, `idempotency`, `read`, `subscribe`,
//! `chain`, `keys`, `identity`, and the property in `model`) and are all re-exported here, so that a
//! caller names every one as `conformance::<check>`; the helpers they share stay in this file.

mod append;
mod chain;
mod idempotency;
mod identity;
mod keys;
mod model;
mod read;
mod subscribe;

pub use append::{
    any_and_exact_append_at_the_current_version, append_and_read_round_trip_every_envelope_field,
    append_rejects_a_stale_expected_version, append_rejects_an_empty_batch,
    append_rejects_an_expected_version_ahead_of_the_stream,
    concurrent_writers_never_share_a_version, no_stream_admits_only_a_new_stream,
};
pub use chain::every_stream_hash_chain_verifies;
pub use idempotency::{
    a_batch_holding_an_event_id_twice_writes_nothing,
    a_batch_with_one_reused_event_id_writes_nothing,
    a_retried_batch_returns_the_original_outcome_and_writes_nothing,
    an_event_id_reused_in_another_stream_is_refused,
    an_event_id_reused_with_different_content_is_refused,
};
pub use identity::{
    a_link_is_redeemed_once_and_only_while_live, an_account_is_created_once_and_found_by_its_login,
    credentials_are_listed_and_revoked, passwords_are_set_and_closing_revokes_everything,
    sign_in_failures_count_within_their_window, the_access_log_answers_per_subject_newest_first,
    the_access_log_keeps_every_entry_once_over_many_batches,
};
pub use keys::{
    a_subject_key_is_stored_once_and_kept, an_erased_key_is_gone_for_good,
    erasing_a_subject_without_a_key_still_forbids_one_later,
    rotating_the_master_key_rewraps_every_live_key,
};
pub use model::any_sequence_of_appends_reads_back_exactly_the_acknowledged_events;
pub use read::{
    head_is_the_checkpoint_of_the_last_event, read_all_filters_by_tenant_category_and_event_type,
    read_all_resumes_after_a_checkpoint_and_honours_the_limit,
    read_stream_starts_at_the_requested_version, reads_stream_more_events_than_one_page,
    stream_version_is_the_last_version_of_a_stream,
};
pub use subscribe::{
    a_subscriber_sees_concurrent_appends_once_each_in_log_order,
    subscribe_catches_up_then_follows_new_appends, subscribe_honours_its_checkpoint_and_filter,
};

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
