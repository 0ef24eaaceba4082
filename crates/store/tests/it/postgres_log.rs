//! The PostgreSQL log's own guarantees beyond the shared conformance suite: the database refuses
//! to change events, the hash chain finished in SQL verifies in Rust, races and retries settle,
//! and faults (a killed connection, a corrupt row, an idle transaction) give typed errors.

use std::time::Duration;

use chrono::Utc;
use futures::{StreamExt, TryStreamExt};
use noaber_store::hash::verify_chain;
use noaber_store::postgres::PgStore;
use noaber_store::testing::fresh_pg_store;
use noaber_store::{
    Checkpoint, EventFilter, EventStore, ExpectedVersion, KeyStore, Metadata, NewEvent,
    RecordedEvent, StoreErrorKind, StreamId, SubjectKey,
};
use uuid::Uuid;

fn event(n: u32) -> NewEvent {
    NewEvent {
        event_id: Uuid::new_v4(),
        tenant_id: Uuid::nil(),
        event_type: "Tested".to_owned(),
        schema_version: 1,
        payload: serde_json::json!({ "n": n, "text": "zoë \"quoted\" \u{1F600}" }),
        metadata: Metadata {
            actor_id: Some(Uuid::new_v4()),
            actor_role: Some("connector".to_owned()),
            ..Metadata::default()
        },
        occurred_at: Utc::now() - chrono::Duration::hours(20),
    }
}

fn stream(s: &str) -> StreamId {
    StreamId::parse(s).expect("valid stream id")
}

async fn read_stream(store: &PgStore, s: &StreamId) -> Vec<RecordedEvent> {
    store
        .read_stream(s, 1)
        .try_collect()
        .await
        .expect("the stream reads")
}

#[tokio::test]
async fn update_delete_and_truncate_on_events_are_refused_by_the_database() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("request-1");
    store
        .append(&s, ExpectedVersion::NoStream, vec![event(1)])
        .await
        .expect("append");
    for sql in [
        "update events set event_type = 'Changed'",
        "delete from events",
        "truncate events",
        // Statements that match no row are refused too, not answered "update 0".
        "update events set event_type = 'Changed' where position < 0",
        "delete from events where false",
    ] {
        let err = sqlx::query(sql)
            .execute(store.pool())
            .await
            .expect_err("the log refuses to change");
        assert!(
            err.to_string().contains("the event log is append-only"),
            "{sql}: {err}"
        );
    }
    assert_eq!(read_stream(&store, &s).await.len(), 1);
}

#[tokio::test]
async fn the_hash_chain_finished_in_the_database_verifies_in_rust() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("request-chain");
    store
        .append(
            &s,
            ExpectedVersion::NoStream,
            vec![event(1), event(2), event(3)],
        )
        .await
        .expect("first batch");
    store
        .append(&s, ExpectedVersion::Exact(3), vec![event(4)])
        .await
        .expect("second batch");
    let events = read_stream(&store, &s).await;
    assert_eq!(verify_chain(&events), Ok(4));
    assert_eq!(events[1].prev_hash, events[0].hash);
    assert_eq!(events[0].payload, event(1).payload);
}

#[tokio::test]
async fn concurrent_appends_to_one_stream_with_any_version_all_land_in_one_chain() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("hot-1");
    let mut tasks = Vec::new();
    for w in 0..8u32 {
        let store = store.clone();
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                store
                    .append(&s, ExpectedVersion::Any, vec![event(w * 100 + i), event(i)])
                    .await
                    .expect("an Any append always lands");
            }
        }));
    }
    for t in tasks {
        t.await.expect("the writer finishes");
    }
    let events = read_stream(&store, &s).await;
    assert_eq!(verify_chain(&events), Ok(160));
}

#[tokio::test]
async fn an_exact_version_race_has_one_winner_and_conflicts_carry_the_actual_version() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("hot-2");
    store
        .append(&s, ExpectedVersion::NoStream, vec![event(0)])
        .await
        .expect("the stream starts");
    let mut tasks = Vec::new();
    for w in 0..8u32 {
        let store = store.clone();
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append(&s, ExpectedVersion::Exact(1), vec![event(w)])
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.expect("the writer finishes") {
            Ok(outcome) => {
                won += 1;
                assert_eq!(outcome.next_version, 2);
            }
            Err(e) => assert_eq!(
                *e.kind(),
                StoreErrorKind::Conflict {
                    expected: ExpectedVersion::Exact(1),
                    actual: 2
                },
                "{e}"
            ),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(store.stream_version(&s).await.expect("version"), 2);
}

#[tokio::test]
async fn a_retried_batch_returns_the_first_outcome_and_a_reused_id_is_refused() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("request-retry");
    let batch = vec![event(1), event(2)];
    let first = store
        .append(&s, ExpectedVersion::NoStream, batch.clone())
        .await
        .expect("first append");
    assert!(!first.was_retry);
    // The same batch again, even with an expectation that no longer holds, is a retry.
    let again = store
        .append(&s, ExpectedVersion::NoStream, batch.clone())
        .await
        .expect("the retry is recognised");
    assert!(again.was_retry);
    assert_eq!(again.positions, first.positions);
    assert_eq!(again.next_version, 2);

    let mut changed = batch.clone();
    changed[1].payload = serde_json::json!({"n": 99});
    let err = store
        .append(&s, ExpectedVersion::Any, changed)
        .await
        .expect_err("same id, other content");
    assert_eq!(*err.kind(), StoreErrorKind::EventIdReused);

    let partial = vec![batch[0].clone(), event(3)];
    let err = store
        .append(&s, ExpectedVersion::Any, partial)
        .await
        .expect_err("half of the batch was written before");
    assert_eq!(*err.kind(), StoreErrorKind::EventIdReused);
    assert_eq!(read_stream(&store, &s).await.len(), 2);
}

#[tokio::test]
async fn empty_oversized_and_self_duplicating_batches_are_refused() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("request-bad");
    let err = store
        .append(&s, ExpectedVersion::Any, vec![])
        .await
        .expect_err("empty");
    assert_eq!(*err.kind(), StoreErrorKind::EmptyBatch);
    let big: Vec<NewEvent> = (0..1001).map(event).collect();
    let err = store
        .append(&s, ExpectedVersion::Any, big)
        .await
        .expect_err("too big");
    assert_eq!(*err.kind(), StoreErrorKind::InvalidInput);
    let e = event(1);
    let err = store
        .append(&s, ExpectedVersion::Any, vec![e.clone(), e])
        .await
        .expect_err("the same id twice");
    assert_eq!(*err.kind(), StoreErrorKind::InvalidInput);
    assert_eq!(store.stream_version(&s).await.expect("version"), 0);
}

#[tokio::test]
async fn a_connection_killed_mid_append_leaves_nothing_and_the_retry_writes_once() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("request-killed");
    let batch = vec![event(1), event(2), event(3)];

    // Another session blocks every insert, so the append waits inside its statement.
    let mut locker = store.pool().begin().await.expect("a transaction opens");
    sqlx::query("lock table events in exclusive mode")
        .execute(&mut *locker)
        .await
        .expect("the lock is taken");
    let appending = {
        let store = store.clone();
        let s = s.clone();
        let batch = batch.clone();
        tokio::spawn(async move { store.append(&s, ExpectedVersion::NoStream, batch).await })
    };
    let mut victim = None;
    for _ in 0..200 {
        victim = sqlx::query_scalar::<_, i32>(
            "select pid from pg_stat_activity where datname = current_database() \
             and wait_event_type = 'Lock' and query like '%noaber_append%'",
        )
        .fetch_optional(store.pool())
        .await
        .expect("pg_stat_activity reads");
        if victim.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let victim = victim.expect("the append is waiting for the lock");
    let killed: bool = sqlx::query_scalar("select pg_terminate_backend($1)")
        .bind(victim)
        .fetch_one(store.pool())
        .await
        .expect("the backend can be terminated");
    assert!(killed);
    let err = appending
        .await
        .expect("the append returns instead of panicking")
        .expect_err("the append lost its connection");
    assert_eq!(*err.kind(), StoreErrorKind::Unavailable, "{err}");
    locker.rollback().await.expect("the lock is released");

    assert!(
        read_stream(&store, &s).await.is_empty(),
        "nothing of the batch"
    );
    let retry = store
        .append(&s, ExpectedVersion::NoStream, batch.clone())
        .await
        .expect("the retry writes the batch");
    assert!(!retry.was_retry);
    let again = store
        .append(&s, ExpectedVersion::NoStream, batch)
        .await
        .expect("a second retry is harmless");
    assert!(again.was_retry);
    assert_eq!(again.positions, retry.positions);
    assert_eq!(verify_chain(&read_stream(&store, &s).await), Ok(3));
}

#[tokio::test]
async fn a_stored_payload_that_no_longer_parses_is_a_corrupt_error_naming_its_position() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("request-ok");
    store
        .append(&s, ExpectedVersion::NoStream, vec![event(1)])
        .await
        .expect("a good event");
    // Valid JSON to PostgreSQL, but a number no reader can hold: the payload no longer parses.
    let position: i64 = sqlx::query_scalar(
        "insert into events (tenant_id, stream_id, category, stream_version, event_id, \
         event_type, schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash) \
         values (gen_random_uuid(), 'request-bad', 'request', 1, gen_random_uuid(), 'Tested', 1, \
         '{\"n\": 1e400}', '{}', now(), now(), decode(repeat('00', 32), 'hex'), \
         decode(repeat('00', 32), 'hex')) returning position",
    )
    .fetch_one(store.pool())
    .await
    .expect("a raw insert");
    let filter = EventFilter::all();
    let read: Vec<_> = store
        .read_all(Checkpoint::START, 10, &filter)
        .collect()
        .await;
    assert_eq!(
        read.len(),
        2,
        "the good event, then the error, then nothing more"
    );
    assert!(read[0].is_ok(), "the event before the corrupt one reads");
    let err = read[1].as_ref().expect_err("the corrupt row");
    assert_eq!(*err.kind(), StoreErrorKind::Corrupt);
    assert!(
        err.message().contains(&format!("position {position}")),
        "{err}"
    );

    // Metadata that is JSON but not an object is corrupt too, on read_stream as well.
    sqlx::query(
        "insert into events (tenant_id, stream_id, category, stream_version, event_id, \
         event_type, schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash) \
         values (gen_random_uuid(), 'request-bad', 'request', 2, gen_random_uuid(), 'Tested', 1, \
         '{}', '[1, 2]', now(), now(), decode(repeat('00', 32), 'hex'), \
         decode(repeat('00', 32), 'hex'))",
    )
    .execute(store.pool())
    .await
    .expect("a raw insert");
    let bad = stream("request-bad");
    let err = store
        .read_stream(&bad, 2)
        .try_collect::<Vec<_>>()
        .await
        .expect_err("the corrupt metadata");
    assert_eq!(*err.kind(), StoreErrorKind::Corrupt);
    assert!(err.message().contains("metadata"), "{err}");
}

#[tokio::test]
async fn an_idle_transaction_is_ended_by_the_server() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let setting: String = sqlx::query_scalar("show idle_in_transaction_session_timeout")
        .fetch_one(store.pool())
        .await
        .expect("the setting reads");
    assert_eq!(
        setting, "30s",
        "every store connection bounds idle transactions"
    );
    let database_default: Option<String> = sqlx::query_scalar(
        "select array_to_string(s.setconfig, ',') from pg_db_role_setting s \
         join pg_database d on d.oid = s.setdatabase where d.datname = current_database()",
    )
    .fetch_optional(store.pool())
    .await
    .expect("the database's settings read");
    assert!(
        database_default
            .unwrap_or_default()
            .contains("idle_in_transaction_session_timeout=30s"),
        "the database itself bounds idle transactions"
    );

    let mut tx = store.pool().begin().await.expect("a transaction opens");
    sqlx::query("set local idle_in_transaction_session_timeout = '200ms'")
        .execute(&mut *tx)
        .await
        .expect("the session's timeout is shortened");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let err = sqlx::query("select 1")
        .execute(&mut *tx)
        .await
        .expect_err("the server ended the idle transaction");
    let err = noaber_store::StoreError::from(err);
    assert_eq!(*err.kind(), StoreErrorKind::Unavailable, "{err}");
    drop(tx);
    // The store itself goes on with fresh connections.
    store.head().await.expect("the store still answers");
}

#[tokio::test]
async fn a_key_is_stored_once_and_erasing_it_leaves_a_tombstone() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let (tenant, subject) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(store.get_key(subject).await.expect("get"), None);
    let first = store
        .put_key_if_absent(tenant, subject, vec![1, 2, 3])
        .await
        .expect("put");
    assert_eq!(first, SubjectKey::Wrapped(vec![1, 2, 3]));
    let second = store
        .put_key_if_absent(tenant, subject, vec![9])
        .await
        .expect("put again");
    assert_eq!(second, first, "the first key stays");
    assert!(store.erase_key(subject).await.expect("erase"));
    assert!(!store.erase_key(subject).await.expect("erase again"));
    let after = store
        .put_key_if_absent(tenant, subject, vec![7])
        .await
        .expect("put after erasure");
    assert!(matches!(after, SubjectKey::Erased(_)), "{after:?}");
    assert!(matches!(
        store.get_key(subject).await.expect("get"),
        Some(SubjectKey::Erased(_))
    ));
}

#[tokio::test]
async fn a_subscriber_filtered_by_category_follows_new_appends() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let filter = EventFilter {
        categories: vec!["request".to_owned()],
        ..EventFilter::default()
    };
    let mut sub = store.subscribe(Checkpoint::START, filter);
    store
        .append(
            &stream("person-1"),
            ExpectedVersion::NoStream,
            vec![event(1)],
        )
        .await
        .expect("append");
    store
        .append(
            &stream("request-1"),
            ExpectedVersion::NoStream,
            vec![event(2)],
        )
        .await
        .expect("append");
    let got = tokio::time::timeout(Duration::from_secs(20), sub.next())
        .await
        .expect("the subscription delivers")
        .expect("open")
        .expect("no error");
    assert_eq!(got.stream_id.as_str(), "request-1");
}

/// Pins the single-event fast path: many writers appending one event each with `Any` to the
/// same stream race on (stream, version); every append must land exactly once, versions must
/// run without a gap, and the chain (finished in SQL) must verify.
#[tokio::test]
async fn concurrent_single_event_appends_to_one_stream_all_land_in_one_valid_chain() {
    let Some(store) = fresh_pg_store().await else {
        return;
    };
    let s = stream("request-race-one");
    let mut tasks = Vec::new();
    for w in 0..8u32 {
        let store = store.clone();
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25u32 {
                store
                    .append(&s, ExpectedVersion::Any, vec![event(w * 100 + i)])
                    .await
                    .expect("an append with any version always lands");
            }
        }));
    }
    for task in tasks {
        task.await.expect("the writer finished");
    }
    let events = read_stream(&store, &s).await;
    assert_eq!(events.len(), 200);
    assert_eq!(verify_chain(&events), Ok(200));
}

#[tokio::test]
async fn the_access_pack_migration_keeps_every_reading_in_the_layout_the_store_reads() {
    use sqlx::{Connection, Row};
    let Some(url) = noaber_store::testing::fresh_pg_database().await else {
        return;
    };
    let mut db = sqlx::PgConnection::connect(&url).await.expect("connects");
    for sql in [
        include_str!("../../../../migrations/postgres/0001_event_log.sql"),
        include_str!("../../../../migrations/postgres/0002_refuse_changes_per_statement.sql"),
        include_str!("../../../../migrations/postgres/0003_identity.sql"),
        include_str!("../../../../migrations/postgres/0004_access_entries.sql"),
    ] {
        sqlx::raw_sql(sql)
            .execute(&mut db)
            .await
            .expect("an earlier migration");
    }
    let (entry, subject) = (Uuid::new_v4(), Uuid::new_v4());
    let at = chrono::DateTime::from_timestamp_micros(1_800_000_000_123_456).expect("a time");
    sqlx::query(
        "insert into access_subjects (subject_id, at, entry_id, fields) values ($1, $2, $3, $4)",
    )
    .bind(subject)
    .bind(at)
    .bind(entry)
    .bind("name,contact")
    .execute(&mut db)
    .await
    .expect("an old row");
    sqlx::raw_sql(include_str!(
        "../../../../migrations/postgres/0005_access_packs.sql"
    ))
    .execute(&mut db)
    .await
    .expect("the pack migration runs");
    let packed: String =
        sqlx::query("select encode(entries, 'hex') from access_packs where subject_id = $1")
            .bind(subject)
            .fetch_one(&mut db)
            .await
            .expect("the person's pack")
            .get(0);
    let expected = format!(
        "01{}{:016x}{:08x}{}",
        hex::encode(entry.as_bytes()),
        1_800_000_000_123_456_i64,
        "name,contact".len(),
        hex::encode("name,contact")
    );
    assert_eq!(packed, expected);
}
