//! End-to-end test of `noaber verify`: a log whose stored bytes were changed behind the store's
//! back (its append-only trigger dropped by someone with access to the file) is reported as
//! broken, with a non-zero exit.

use crate::support::{data_dir_arg, run};
use chrono::Utc;
use noaber_store::sqlite::SqliteStore;
use noaber_store::{EventStore, ExpectedVersion, Metadata, NewEvent, StreamId};
use sqlx::Connection;
use uuid::Uuid;

fn event(n: u32) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        tenant_id: Uuid::nil(),
        event_type: "NoteTaken".into(),
        schema_version: 1,
        payload: serde_json::json!({ "n": n }),
        metadata: Metadata::default(),
        occurred_at: Utc::now(),
    }
}

#[tokio::test]
async fn verify_reports_a_changed_event_and_exits_non_zero() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let db = tmp.path().join("noaber.db");
    {
        let store = SqliteStore::open(&db)
            .await
            .expect("the embedded log opens");
        for s in ["note-a", "note-b"] {
            let stream = StreamId::parse(s).expect("a valid stream id");
            store
                .append(
                    &stream,
                    ExpectedVersion::NoStream,
                    vec![event(1), event(2), event(3)],
                )
                .await
                .expect("the events are appended");
        }
    }

    let (status, stdout, stderr) = run(&[&data_dir_arg(tmp.path()), "verify"]);
    assert!(
        status.success(),
        "an untouched log verifies:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("6 events in 2 streams"), "{stdout}");

    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("the log file opens");
    sqlx::query("drop trigger events_refuse_update")
        .execute(&mut conn)
        .await
        .expect("the trigger can be dropped by the file's owner");
    sqlx::query("update events set payload = cast('{\"n\":99}' as blob) where stream_id = 'note-b' and stream_version = 2")
        .execute(&mut conn)
        .await
        .expect("the event can be changed once the trigger is gone");
    conn.close().await.expect("the connection closes");

    let (status, stdout, stderr) = run(&[&data_dir_arg(tmp.path()), "verify"]);
    assert!(
        !status.success(),
        "a changed log must fail verification:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("BROKEN"), "{stdout}");
    assert!(
        stdout.contains("note-b"),
        "the broken stream is named: {stdout}"
    );
    assert!(
        !stdout.contains("note-a"),
        "the intact stream is not blamed: {stdout}"
    );
}
