//! Checks of idempotency: a client's retry gets the original outcome, and an event id can
//! never name two different events; a batch that breaks this writes nothing.

use super::*;

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
    // The outcome names where its last event stands in the order readers follow, the first
    // time and on every retry alike.
    assert_eq!(
        original.last, events[1].checkpoint,
        "the batch's last checkpoint"
    );
    assert_eq!(retried.last, original.last);
    assert_eq!(again.last, original.last);
    assert!(events[0].checkpoint < original.last);
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
