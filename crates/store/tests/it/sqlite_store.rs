//! What only the embedded SQLite back-end has to show: its file on disk (created with its
//! directories, surviving a restart, shared by several handles as by several processes), the
//! database's own refusal to change the log, and how it reports a file that was tampered with.
//! The behaviour it shares with PostgreSQL is in the conformance suite.

use std::path::Path;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use noaber_store::hash::{self, ChainBreak};
use noaber_store::sqlite::SqliteStore;
use noaber_store::testing::conformance::sample_event;
use noaber_store::{
    Checkpoint, EventFilter, EventStore, ExpectedVersion, KeyStore, NewEvent, RecordedEvent,
    StoreErrorKind, StreamId, SubjectKey,
};
use sqlx::{Connection, SqliteConnection};
use uuid::Uuid;

/// Guards the subscription waits against a hang; nothing is asserted about time.
const HANG_GUARD: Duration = Duration::from_secs(30);

fn batch(tenant: Uuid, first: u64, count: u64) -> Vec<NewEvent> {
    (first..first + count)
        .map(|n| sample_event(tenant, "Sampled", n))
        .collect()
}

fn stream() -> StreamId {
    StreamId::for_aggregate("request", Uuid::new_v4())
}

async fn read_stream(store: &SqliteStore, stream: &StreamId) -> Vec<RecordedEvent> {
    store
        .read_stream(stream, 1)
        .try_collect()
        .await
        .expect("the stream reads back")
}

/// A plain connection to the file, as a person with the file in hand would have.
async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("the database file opens")
}

/// An embedded log in a temporary directory holding one stream of two events.
async fn log_with_two_events() -> (tempfile::TempDir, std::path::PathBuf, SqliteStore, StreamId) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("noaber.db");
    let store = SqliteStore::open(&path).await.expect("the store opens");
    let stream = stream();
    store
        .append(
            &stream,
            ExpectedVersion::NoStream,
            batch(Uuid::new_v4(), 0, 2),
        )
        .await
        .expect("the append succeeds");
    (dir, path, store, stream)
}

#[tokio::test]
async fn opening_creates_the_file_and_its_missing_parent_directories() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("data").join("nested").join("noaber.db");

    let store = SqliteStore::open(&path).await.expect("the store opens");

    assert!(path.is_file(), "the database file was created");
    assert_eq!(store.path(), path);
    assert_eq!(store.backend(), "sqlite");
    assert_eq!(store.head().await.expect("head reads"), Checkpoint::START);
}

#[tokio::test]
async fn events_survive_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("noaber.db");
    let (tenant, stream) = (Uuid::new_v4(), stream());
    let first = {
        let store = SqliteStore::open(&path).await.expect("the store opens");
        store
            .append(&stream, ExpectedVersion::NoStream, batch(tenant, 0, 3))
            .await
            .expect("the append succeeds");
        read_stream(&store, &stream).await
    };

    let reopened = SqliteStore::open(&path).await.expect("the store reopens");
    let outcome = reopened
        .append(&stream, ExpectedVersion::Exact(3), batch(tenant, 3, 1))
        .await
        .expect("the stream continues where it was");

    let events = read_stream(&reopened, &stream).await;
    assert_eq!(
        events[..3],
        first[..],
        "the first three events are unchanged"
    );
    assert_eq!(outcome.next_version, 4);
    assert_eq!(
        hash::verify_chain(&events),
        Ok(4),
        "the chain runs on across the restart"
    );
}

#[tokio::test]
async fn the_database_itself_refuses_to_change_or_delete_an_event() {
    let (_dir, path, store, stream) = log_with_two_events().await;
    let mut conn = raw(&path).await;

    let update = sqlx::query("update events set event_type = 'Forged'")
        .execute(&mut conn)
        .await;
    let delete = sqlx::query("delete from events where stream_version = 2")
        .execute(&mut conn)
        .await;

    for (what, result) in [("update", update), ("delete", delete)] {
        let err = result.expect_err("the log refuses it");
        assert!(
            err.to_string().contains("the event log is append-only"),
            "the {what} is refused with a clear message, not: {err}"
        );
    }
    let events = read_stream(&store, &stream).await;
    assert_eq!(events.len(), 2, "both events are still there");
    assert!(events.iter().all(|e| e.event_type == "Sampled"));
}

/// Regression (issue 12): `replace into events` swapped a recorded event for another despite
/// the append-only triggers, since the delete that resolves the conflict fires no trigger.
#[tokio::test]
async fn replace_into_the_sqlite_log_is_refused_and_leaves_the_event_unchanged() {
    let (_dir, path, store, stream) = log_with_two_events().await;
    let before = read_stream(&store, &stream).await;
    let mut conn = raw(&path).await;

    // A copy of event 2 with another type, under every key it could collide on.
    let copy = "select position, tenant_id, stream_id, category, stream_version, event_id, \
                'Forged', schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash \
                from events where stream_version = 2";
    let mut results = Vec::new();
    for verb in ["replace into", "insert or replace into"] {
        let sql = format!(
            "{verb} events (position, tenant_id, stream_id, category, stream_version, event_id, \
             event_type, schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash) {copy}"
        );
        results.push((verb, sqlx::query(&sql).execute(&mut conn).await));
    }
    // Only the stream key collides: a new position and event id, the same stream version.
    let by_version = sqlx::query(
        "replace into events (tenant_id, stream_id, category, stream_version, event_id, \
         event_type, schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash) \
         select tenant_id, stream_id, category, stream_version, randomblob(16), 'Forged', \
         schema_version, payload, metadata, occurred_at, recorded_at, prev_hash, hash \
         from events where stream_version = 2",
    )
    .execute(&mut conn)
    .await;
    results.push(("replace by stream version", by_version));

    for (what, result) in results {
        let err = result.expect_err("the log refuses it");
        assert!(
            err.to_string().contains("cannot be replaced"),
            "{what} is refused with a clear message, not: {err}"
        );
    }
    let after = read_stream(&store, &stream).await;
    assert_eq!(after.len(), 2, "no event was added or removed");
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(
            (a.position, a.event_id, &a.event_type, &a.payload, a.hash),
            (b.position, b.event_id, &b.event_type, &b.payload, b.hash),
            "the event is unchanged"
        );
    }
}

/// Bypasses the log's own protection, as someone editing the file by hand would.
async fn tamper(path: &Path, sql: &str) {
    let mut conn = raw(path).await;
    sqlx::query("drop trigger events_refuse_update")
        .execute(&mut conn)
        .await
        .expect("the trigger can be dropped by the file's owner");
    sqlx::query(sql)
        .execute(&mut conn)
        .await
        .expect("the tampering statement runs");
}

#[tokio::test]
async fn a_stored_payload_that_no_longer_parses_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("noaber.db");
    let store = SqliteStore::open(&path).await.expect("the store opens");
    let stream = stream();
    store
        .append(
            &stream,
            ExpectedVersion::NoStream,
            batch(Uuid::new_v4(), 0, 3),
        )
        .await
        .expect("the append succeeds");
    tamper(
        &path,
        "update events set payload = x'7b6e6f' where stream_version = 2",
    )
    .await;

    let by_stream: Vec<_> = store.read_stream(&stream, 1).collect().await;
    let filter = EventFilter::all();
    let by_all: Vec<_> = store
        .read_all(Checkpoint::START, 10, &filter)
        .collect()
        .await;
    let mut subscription = store.subscribe(Checkpoint::START, EventFilter::all());
    let first = tokio::time::timeout(HANG_GUARD, subscription.next()).await;
    let second = tokio::time::timeout(HANG_GUARD, subscription.next()).await;

    for (what, items) in [("read_stream", by_stream), ("read_all", by_all)] {
        assert_eq!(
            items.len(),
            2,
            "{what} yields the good event, then the error, then stops"
        );
        assert!(items[0].is_ok(), "{what}: the first event is fine");
        let err = items[1].as_ref().expect_err("the second event is corrupt");
        assert_eq!(err.kind(), &StoreErrorKind::Corrupt, "{what}: {err}");
        assert!(
            err.message().contains("position 2"),
            "{what} names the event: {err}"
        );
    }
    assert!(
        matches!(first, Ok(Some(Ok(_)))),
        "the subscription delivers the first event"
    );
    match second {
        Ok(Some(Err(e))) => assert_eq!(e.kind(), &StoreErrorKind::Corrupt),
        other => panic!("the subscription reports the corrupt event, not {other:?}"),
    }
}

#[tokio::test]
async fn a_changed_event_is_caught_by_the_hash_chain() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("noaber.db");
    let store = SqliteStore::open(&path).await.expect("the store opens");
    let stream = stream();
    store
        .append(
            &stream,
            ExpectedVersion::NoStream,
            batch(Uuid::new_v4(), 0, 3),
        )
        .await
        .expect("the append succeeds");
    assert_eq!(
        hash::verify_chain(&read_stream(&store, &stream).await),
        Ok(3)
    );

    tamper(
        &path,
        r#"update events set payload = '{"n":1000}' where stream_version = 2"#,
    )
    .await;

    let events = read_stream(&store, &stream).await;
    assert_eq!(
        hash::verify_chain(&events),
        Err(ChainBreak::Tampered {
            stream: stream.to_string(),
            version: 2
        })
    );
}

#[tokio::test]
async fn a_batch_over_the_limit_is_refused_whole() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let stream = stream();
    let too_many = batch(Uuid::new_v4(), 0, SqliteStore::MAX_BATCH as u64 + 1);

    let err = store
        .append(&stream, ExpectedVersion::Any, too_many)
        .await
        .expect_err("the batch is too large");

    assert_eq!(err.kind(), &StoreErrorKind::InvalidInput);
    assert_eq!(
        store.stream_version(&stream).await.expect("version reads"),
        0
    );
}

#[tokio::test]
async fn checkpoints_carry_no_transaction_part_because_writes_are_serialised() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let tenant = Uuid::new_v4();
    for _ in 0..3 {
        store
            .append(&stream(), ExpectedVersion::NoStream, batch(tenant, 0, 2))
            .await
            .expect("the append succeeds");
    }

    let filter = EventFilter::all();
    let log: Vec<RecordedEvent> = store
        .read_all(Checkpoint::START, 100, &filter)
        .try_collect()
        .await
        .expect("the log reads");

    assert!(log.iter().all(|e| e.checkpoint
        == Checkpoint {
            tx: 0,
            position: e.position
        }));
    let positions: Vec<i64> = log.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=6).collect::<Vec<_>>(),
        "positions run 1, 2, 3, ... in append order"
    );
    assert_eq!(
        store.head().await.expect("head reads"),
        Checkpoint { tx: 0, position: 6 }
    );
    assert!(
        log.windows(2).all(|w| w[0].recorded_at <= w[1].recorded_at),
        "recorded_at never goes backwards along the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_handles_on_one_file_serialise_their_writes_like_two_processes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("noaber.db");
    let one = SqliteStore::open(&path)
        .await
        .expect("the first handle opens");
    let two = SqliteStore::open(&path)
        .await
        .expect("the second handle opens");
    let (tenant, stream) = (Uuid::new_v4(), stream());

    let write = |store: SqliteStore, first: u64| {
        let stream = stream.clone();
        async move {
            for i in 0..20 {
                store
                    .append(
                        &stream,
                        ExpectedVersion::Any,
                        batch(tenant, first + i * 2, 2),
                    )
                    .await
                    .expect("an append with Any succeeds");
            }
        }
    };
    tokio::join!(write(one.clone(), 0), write(two.clone(), 1000));

    let events = read_stream(&one, &stream).await;
    assert_eq!(
        hash::verify_chain(&events),
        Ok(80),
        "80 versions in one unbroken chain"
    );
    assert_eq!(
        two.stream_version(&stream).await.expect("version reads"),
        80
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_sees_appends_made_through_another_handle_on_the_same_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("noaber.db");
    let reader = SqliteStore::open(&path)
        .await
        .expect("the reading handle opens");
    let writer = SqliteStore::open(&path)
        .await
        .expect("the writing handle opens");
    let mut subscription = reader.subscribe(Checkpoint::START, EventFilter::all());
    let sent = batch(Uuid::new_v4(), 0, 3);

    // No in-process wake-up crosses handles: only the polling fallback can deliver these.
    writer
        .append(&stream(), ExpectedVersion::NoStream, sent.clone())
        .await
        .expect("the append succeeds");
    let mut seen = Vec::new();
    for _ in 0..3 {
        match tokio::time::timeout(HANG_GUARD, subscription.next()).await {
            Ok(Some(Ok(event))) => seen.push(event.event_id),
            other => panic!("the subscriber should see the other handle's event, not {other:?}"),
        }
    }

    assert_eq!(seen, sent.iter().map(|e| e.event_id).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_erased_key_leaves_no_copy_in_the_database_files() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("noaber.db");
    let store = SqliteStore::open(&path).await.expect("the store opens");
    let subject = Uuid::new_v4();
    let key: Vec<u8> = (0..48u8)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    store
        .put_key_if_absent(Uuid::new_v4(), subject, key.clone())
        .await
        .expect("the key is stored");
    let on_disk = |path: &Path| {
        let mut bytes = Vec::new();
        for suffix in ["", "-wal"] {
            let file = format!("{}{suffix}", path.display());
            if let Ok(content) = std::fs::read(&file) {
                bytes.extend(content);
            }
        }
        bytes.windows(key.len()).any(|w| w == key.as_slice())
    };
    assert!(
        on_disk(&path),
        "the key is on disk before the erasure (the check can see it)"
    );

    assert!(store.erase_key(subject).await.expect("the key is erased"));

    assert!(
        !on_disk(&path),
        "no copy of the erased key is left in the files"
    );
    assert!(matches!(
        store.get_key(subject).await.expect("the key store reads"),
        Some(SubjectKey::Erased(_))
    ));
}

/// Migration 0003 carries every access-log row of the old one-row-per-person table over into
/// one entry per response and one row per person, and drops the old table.
#[tokio::test]
async fn the_access_log_migration_keeps_every_reading() {
    use sqlx::{Executor, Row};
    let mut db = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .expect("an in-memory database");
    db.execute(include_str!(
        "../../../../migrations/sqlite/0002_identity.sql"
    ))
    .await
    .expect("the identity tables");
    let (entry, subject, other) = (
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
    );
    for (who, fields) in [(subject, "name,contact"), (other, "description")] {
        sqlx::query(
            "insert into access_log (entry_id, subject_id, at, tenant_id, reader_id, reader_role, \
             fields, resource, request_id) values (?, ?, 1, ?, ?, 'connector', ?, 'GET /v1/requests/{id}', 'r-1')",
        )
        .bind(entry)
        .bind(who)
        .bind(uuid::Uuid::nil())
        .bind(uuid::Uuid::nil())
        .bind(fields)
        .execute(&mut db)
        .await
        .expect("an old row");
    }
    db.execute(include_str!(
        "../../../../migrations/sqlite/0003_access_entries.sql"
    ))
    .await
    .expect("the migration runs");
    let entries: i64 = sqlx::query("select count(*) from access_entries")
        .fetch_one(&mut db)
        .await
        .expect("counted")
        .get(0);
    assert_eq!(entries, 1);
    let fields: String = sqlx::query("select fields from access_subjects where subject_id = ?")
        .bind(subject)
        .fetch_one(&mut db)
        .await
        .expect("the person's row")
        .get(0);
    assert_eq!(fields, "name,contact");
    assert!(sqlx::query("select * from access_log")
        .fetch_all(&mut db)
        .await
        .is_err());

    // Then the per-person rows become packs of one entry, in the layout the store reads.
    db.execute(include_str!(
        "../../../../migrations/sqlite/0005_access_packs.sql"
    ))
    .await
    .expect("the pack migration runs");
    let packed: String = sqlx::query("select hex(entries) from access_packs where subject_id = ?")
        .bind(subject)
        .fetch_one(&mut db)
        .await
        .expect("the person's pack")
        .get(0);
    let expected = format!(
        "01{}{:016X}{:08X}{}",
        hex::encode_upper(entry.as_bytes()),
        1,
        "name,contact".len(),
        hex::encode_upper("name,contact")
    );
    assert_eq!(packed, expected);
    assert!(sqlx::query("select * from access_subjects")
        .fetch_all(&mut db)
        .await
        .is_err());
}
