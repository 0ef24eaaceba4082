//! Checks of appending: the envelope round trip, the expected-version rules, empty batches,
//! and writers racing for one stream's next version.

use super::*;

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
