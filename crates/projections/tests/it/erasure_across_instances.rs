//! Erasure holds across instances: two instances share one log and one key store, each with
//! its own key cache; when one erases a person, the other's read-model follower sees
//! `PersonErased` and evicts the key, so the other stops reading and writing their data.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use noaber_domain::person::{Person, RegisterPerson};
use noaber_domain::values::DigitalAccess;
use noaber_domain::{
    CommandContext, NeighbourhoodId, PersonCommand, PersonId, Personal, Role, TenantId,
};
use noaber_projections::runner::{Projections, RunnerConfig};
use noaber_projections::snapshot::MemorySnapshotStore;
use noaber_store::exec::Executor;
use noaber_store::privacy::{MasterKey, Privacy, PrivacyError};
use noaber_store::{EventStore, KeyStore, StreamId};
use serde_json::json;
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(20);

struct Instance {
    privacy: Arc<Privacy>,
    executor: Executor,
    projections: Projections,
}

async fn instance(
    store: Arc<dyn EventStore>,
    keys: Arc<dyn KeyStore>,
    master: MasterKey,
    evicting: bool,
) -> Instance {
    let privacy = Arc::new(Privacy::new(master, keys));
    let snapshots = Arc::new(MemorySnapshotStore::new());
    let projections = if evicting {
        Projections::start_evicting(
            store.clone(),
            snapshots,
            RunnerConfig::default(),
            privacy.clone(),
        )
        .await
    } else {
        Projections::start(store.clone(), snapshots, RunnerConfig::default()).await
    };
    Instance {
        executor: Executor::new(store, privacy.clone()),
        privacy,
        projections,
    }
}

fn ctx(person: PersonId) -> CommandContext {
    CommandContext::new(
        TenantId::new(Uuid::nil()),
        person,
        Role::Resident,
        Utc::now(),
        Uuid::now_v7(),
    )
}

fn about(person: PersonId) -> serde_json::Value {
    json!({ "$pii": { "subject": person.as_uuid(), "text": "Jan, Lindenlaan 4" } })
}

/// Registers a person through `a`, makes `b` cache their key by reading the registration,
/// erases them through `a`, and waits until `b`'s read models include the erasure. Returns the
/// sealed registration payload.
async fn erase_on_a_after_b_cached(
    store: &Arc<dyn EventStore>,
    a: &Instance,
    b: &Instance,
    person: PersonId,
) -> serde_json::Value {
    let register = PersonCommand::Register(RegisterPerson {
        person_id: person,
        name: Personal::clear(person, "Jan"),
        contact: None,
        address: None,
        neighbourhood_id: NeighbourhoodId::new(Uuid::now_v7()),
        location: None,
        languages: vec![],
        digital_access: DigitalAccess::Digital,
        consent: None,
        channel: None,
    });
    a.executor
        .execute::<Person>(&ctx(person), &register)
        .await
        .expect("registers");
    let stream = StreamId::for_aggregate("person", person.as_uuid());
    let mut events = store.read_stream(&stream, 1);
    let sealed = futures::StreamExt::next(&mut events)
        .await
        .expect("one event")
        .expect("reads")
        .payload;
    drop(events);
    let mut opened = sealed.clone();
    b.privacy
        .unseal(&mut opened)
        .await
        .expect("b reads the name");
    assert_eq!(
        opened["name"]["$pii"]["text"],
        json!("Jan"),
        "b has the key"
    );

    a.executor
        .erase_person(&ctx(person), person)
        .await
        .expect("the person erases themselves");
    b.projections.catch_up(WAIT).await.expect("b catches up");
    sealed
}

#[tokio::test]
async fn an_erasure_on_one_instance_evicts_the_key_on_another() {
    let (sqlite, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store: Arc<dyn EventStore> = Arc::new(sqlite.clone());
    let keys: Arc<dyn KeyStore> = Arc::new(sqlite);
    let master = MasterKey::generate();
    let a = instance(store.clone(), keys.clone(), master.clone(), true).await;
    let b = instance(store.clone(), keys, master, true).await;
    let person = PersonId::new(Uuid::now_v7());

    let sealed = erase_on_a_after_b_cached(&store, &a, &b, person).await;

    let mut opened = sealed;
    b.privacy.unseal(&mut opened).await.expect("unseals");
    assert_eq!(opened["name"]["$pii"]["erased"], json!(true));
    let refused = b.privacy.seal(Uuid::nil(), &mut about(person)).await;
    assert!(
        matches!(refused, Err(PrivacyError::SubjectErased(s)) if s == person.as_uuid()),
        "b must refuse new personal data about an erased person: {refused:?}"
    );
}

#[tokio::test]
async fn without_eviction_the_other_instance_would_keep_the_erased_key() {
    // The control for the test above: it shows what the eviction prevents.
    let (sqlite, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store: Arc<dyn EventStore> = Arc::new(sqlite.clone());
    let keys: Arc<dyn KeyStore> = Arc::new(sqlite);
    let master = MasterKey::generate();
    let a = instance(store.clone(), keys.clone(), master.clone(), true).await;
    let b = instance(store.clone(), keys, master, false).await;
    let person = PersonId::new(Uuid::now_v7());

    let sealed = erase_on_a_after_b_cached(&store, &a, &b, person).await;

    let mut opened = sealed;
    b.privacy.unseal(&mut opened).await.expect("unseals");
    assert_eq!(opened["name"]["$pii"]["text"], json!("Jan"));
}
