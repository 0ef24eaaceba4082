//! Personal data never reaches storage in clear, on either back-end, and erasure makes it
//! unreadable everywhere while the log keeps its shape and its hash chain.
//!
//! Events are written through the command executor, the way every event reaches the log.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use futures::TryStreamExt;
use noaber_domain::person::{Person, RegisterPerson};
use noaber_domain::values::{ApproxLocation, DigitalAccess};
use noaber_domain::{
    CommandContext, NeighbourhoodId, PersonCommand, PersonId, Personal, Role, TenantId,
};
use noaber_store::exec::Executor;
use noaber_store::privacy::{MasterKey, Privacy};
use noaber_store::{hash, EventStore, KeyStore, RecordedEvent, StreamId};
use uuid::Uuid;

const NAME: &str = "Geertruida Zonnebloem";
const CONTACT: &str = "06-98765432";
const ADDRESS: &str = "Kerkpad 17, Winterswijk";

fn ctx(tenant: TenantId, actor: PersonId, role: Role) -> CommandContext {
    CommandContext::new(
        tenant,
        actor,
        role,
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
            .single()
            .expect("valid time"),
        Uuid::now_v7(),
    )
}

/// Registers a person with a name, contact and address; returns their id and stream.
async fn register(executor: &Executor, tenant: TenantId) -> (PersonId, StreamId) {
    let person = PersonId::new(Uuid::now_v7());
    let command = PersonCommand::Register(RegisterPerson {
        person_id: person,
        name: Personal::clear(person, NAME),
        contact: Some(Personal::clear(person, CONTACT)),
        address: Some(Personal::clear(person, ADDRESS)),
        neighbourhood_id: NeighbourhoodId::new(Uuid::now_v7()),
        location: Some(ApproxLocation::new(51.9651, 6.7189).expect("a valid location")),
        languages: vec![],
        digital_access: DigitalAccess::Offline,
        consent: Some(noaber_domain::values::ConsentBasis::ExplicitConsent),
        channel: Some(noaber_domain::values::Channel::HomeVisit),
    });
    let connector = PersonId::new(Uuid::now_v7());
    let done = executor
        .execute::<Person>(&ctx(tenant, connector, Role::Connector), &command)
        .await
        .expect("a connector may register a resident");
    (person, done.stream)
}

async fn read(store: &dyn EventStore, stream: &StreamId) -> Vec<RecordedEvent> {
    store
        .read_stream(stream, 1)
        .try_collect()
        .await
        .expect("the stream reads")
}

fn assert_no_plaintext(haystack: &[u8], place: &str) {
    for needle in [NAME, CONTACT, ADDRESS, "Zonnebloem", "98765432"] {
        let found = haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes());
        assert!(!found, "{needle:?} found in clear in {place}");
    }
}

/// Writes, checks the stored form, erases, checks again. `raw_bytes` returns every stored byte
/// the back-end holds for the log.
async fn personal_data_is_sealed_and_erasable<F, Fut>(
    store: Arc<dyn EventStore>,
    keys: Arc<dyn KeyStore>,
    raw_bytes: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Vec<u8>>,
{
    let master = MasterKey::generate();
    let privacy = Arc::new(Privacy::new(master.clone(), keys.clone()));
    let executor = Executor::new(store.clone(), privacy.clone());
    let tenant = TenantId::new(Uuid::now_v7());
    let (person, stream) = register(&executor, tenant).await;

    // Stored: no plaintext anywhere, and the sealed form is readable with the key.
    assert_no_plaintext(&raw_bytes().await, "the stored log");
    let events = read(store.as_ref(), &stream).await;
    let mut payload = events[0].payload.clone();
    privacy
        .unseal(&mut payload)
        .await
        .expect("unseals with the key");
    assert!(
        payload.to_string().contains(NAME),
        "the owner of the key can read it back"
    );

    // Erase: the key is destroyed, the event recorded, the chain intact.
    let admin = PersonId::new(Uuid::now_v7());
    executor
        .erase_person(&ctx(tenant, admin, Role::Admin), person)
        .await
        .expect("an admin may erase a person");
    let events = read(store.as_ref(), &stream).await;
    assert_eq!(
        events.last().map(|e| e.event_type.as_str()),
        Some("PersonErased")
    );
    hash::verify_chain(&events).expect("the chain verifies after erasure");
    for event in &events {
        let mut payload = event.payload.clone();
        privacy
            .unseal(&mut payload)
            .await
            .expect("unsealing an erased person is not an error");
        let text = payload.to_string();
        assert!(!text.contains(NAME) && !text.contains(CONTACT), "{text}");
    }
    let mut payload = events[0].payload.clone();
    privacy.unseal(&mut payload).await.expect("unseals");
    assert_eq!(
        payload["name"]["$pii"]["erased"],
        serde_json::Value::Bool(true),
        "{payload}"
    );

    // A fresh codec (another API instance, no cache) sees the same: the key is gone for good.
    let fresh = Privacy::new(master, keys);
    let mut payload = events[0].payload.clone();
    fresh.unseal(&mut payload).await.expect("unseals");
    assert_eq!(
        payload["name"]["$pii"]["erased"],
        serde_json::Value::Bool(true)
    );
    assert_no_plaintext(&raw_bytes().await, "the stored log after erasure");
}

#[tokio::test(flavor = "current_thread")]
async fn the_sqlite_file_holds_no_personal_data_in_clear_and_erasure_keeps_the_chain() {
    let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
    let keys: Arc<dyn KeyStore> = Arc::new(store.clone());
    let path = dir.path().to_path_buf();
    personal_data_is_sealed_and_erasable(Arc::new(store), keys, || {
        let path = path.clone();
        async move {
            // Every file of the database: the main file, its write-ahead log and shared memory.
            let mut bytes = Vec::new();
            for entry in std::fs::read_dir(&path).expect("the data directory lists") {
                let entry = entry.expect("a directory entry");
                bytes.extend(std::fs::read(entry.path()).expect("a database file reads"));
            }
            bytes
        }
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn postgres_rows_hold_no_personal_data_in_clear_and_erasure_keeps_the_chain() {
    let Some(store) = noaber_store::testing::fresh_pg_store().await else {
        return;
    };
    let keys: Arc<dyn KeyStore> = Arc::new(store.clone());
    let pool = store.pool().clone();
    personal_data_is_sealed_and_erasable(Arc::new(store), keys, || {
        let pool = pool.clone();
        async move {
            // The raw rows of the log and of the key table, as the server returns them.
            let rows: Vec<String> = sqlx::query_scalar(
                "select e::text from events e union all select k::text from subject_keys k",
            )
            .fetch_all(&pool)
            .await
            .expect("the raw rows read");
            rows.join("\n").into_bytes()
        }
    })
    .await;
}
