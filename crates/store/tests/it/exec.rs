//! The command executor: load, decide, append with the expected version; retried on
//! conflicts; idempotent by command id.

use std::sync::Arc;

use chrono::Utc;
use noaber_domain::person::{OptInAsHelper, OptOutAsHelper, Person, RegisterPerson};
use noaber_domain::values::DigitalAccess;
use noaber_domain::{
    CommandContext, NeighbourhoodId, PersonCommand, PersonError, PersonId, Personal, Reference,
    Role, TenantId,
};
use noaber_store::exec::{ExecError, Executor};
use noaber_store::privacy::{MasterKey, Privacy};
use noaber_store::testing::CountingStore;
use noaber_store::{EventStore, KeyStore};
use uuid::Uuid;

fn executor(store: Arc<dyn EventStore>, keys: Arc<dyn KeyStore>) -> Executor {
    Executor::new(store, Arc::new(Privacy::new(MasterKey::generate(), keys)))
}

fn register(person: PersonId) -> PersonCommand {
    PersonCommand::Register(RegisterPerson {
        person_id: person,
        name: Personal::clear(person, "Jan"),
        contact: None,
        address: None,
        neighbourhood_id: NeighbourhoodId::new(Uuid::now_v7()),
        location: None,
        languages: vec![],
        digital_access: DigitalAccess::Digital,
    })
}

fn own_ctx(person: PersonId) -> CommandContext {
    CommandContext::new(
        TenantId::new(Uuid::nil()),
        person,
        Role::Resident,
        Utc::now(),
        Uuid::now_v7(),
    )
}

#[tokio::test]
async fn a_retried_command_returns_the_original_outcome_and_appends_nothing() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let exec = executor(Arc::new(store.clone()), Arc::new(store.clone()));
    let person = PersonId::new(Uuid::now_v7());
    let ctx = own_ctx(person);
    let first = exec
        .execute::<Person>(&ctx, &register(person))
        .await
        .expect("registers");
    let again = exec
        .execute::<Person>(&ctx, &register(person))
        .await
        .expect("a retry is not an error");
    assert!(!first.was_retry);
    assert!(again.was_retry);
    assert_eq!(first.positions, again.positions);
    assert_eq!(
        store.stream_version(&first.stream).await.expect("version"),
        1
    );
}

#[tokio::test]
async fn the_same_command_under_a_new_command_id_is_decided_again_and_refused() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let exec = executor(Arc::new(store.clone()), Arc::new(store.clone()));
    let person = PersonId::new(Uuid::now_v7());
    exec.execute::<Person>(&own_ctx(person), &register(person))
        .await
        .expect("registers");
    let err = exec
        .execute::<Person>(&own_ctx(person), &register(person))
        .await
        .expect_err("registering twice is refused");
    assert!(
        matches!(err, ExecError::Domain(PersonError::AlreadyRegistered)),
        "{err:?}"
    );
}

#[tokio::test]
async fn concurrent_commands_on_one_aggregate_are_all_applied_through_retries() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let exec = executor(Arc::new(store.clone()), Arc::new(store.clone()));
    let person = PersonId::new(Uuid::now_v7());
    exec.execute::<Person>(&own_ctx(person), &register(person))
        .await
        .expect("registers");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let exec = exec.clone();
        tasks.push(tokio::spawn(async move {
            let command = if i % 2 == 0 {
                PersonCommand::OptIn(OptInAsHelper { person_id: person })
            } else {
                PersonCommand::OptOut(OptOutAsHelper { person_id: person })
            };
            exec.execute::<Person>(&own_ctx(person), &command).await
        }));
    }
    let mut written = 0;
    for task in tasks {
        // Opting in twice in a row may be refused by the domain; conflicts must not surface.
        match task.await.expect("the task ran") {
            Ok(done) => written += done.positions.len() as u64,
            Err(ExecError::Domain(_)) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    let stream = noaber_store::StreamId::for_aggregate("person", person.as_uuid());
    assert_eq!(
        store.stream_version(&stream).await.expect("version"),
        1 + written
    );
}

#[tokio::test]
async fn a_refused_erasure_destroys_no_key() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let keys: Arc<dyn KeyStore> = Arc::new(store.clone());
    let exec = executor(Arc::new(store.clone()), keys.clone());
    let person = PersonId::new(Uuid::now_v7());
    exec.execute::<Person>(&own_ctx(person), &register(person))
        .await
        .expect("registers");
    let stranger = PersonId::new(Uuid::now_v7());
    let err = exec
        .erase_person(&own_ctx(stranger), person)
        .await
        .expect_err("a resident may not erase someone else");
    assert!(matches!(err, ExecError::Domain(_)), "{err:?}");
    assert!(matches!(
        keys.get_key(person.as_uuid()).await.expect("reads"),
        Some(noaber_store::SubjectKey::Wrapped(_))
    ));
}

#[tokio::test]
async fn a_command_reads_its_own_stream_exactly_once() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let counting = Arc::new(CountingStore::new(Arc::new(store.clone())));
    let exec = executor(counting.clone(), Arc::new(store.clone()));
    let person = PersonId::new(Uuid::now_v7());
    exec.execute::<Person>(&own_ctx(person), &register(person))
        .await
        .expect("registers");
    assert_eq!(
        counting.stream_reads(),
        1,
        "a creation reads its stream once"
    );
    exec.execute::<Person>(
        &own_ctx(person),
        &PersonCommand::OptIn(OptInAsHelper { person_id: person }),
    )
    .await
    .expect("opts in");
    assert_eq!(counting.stream_reads(), 2, "a change reads its stream once");
}

#[tokio::test]
async fn a_command_on_another_tenants_aggregate_is_not_here_and_writes_nothing() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let exec = executor(Arc::new(store.clone()), Arc::new(store.clone()));
    let person = PersonId::new(Uuid::now_v7());
    let done = exec
        .execute::<Person>(&own_ctx(person), &register(person))
        .await
        .expect("registers");
    let mut intruder = own_ctx(person);
    intruder.tenant_id = TenantId::new(Uuid::now_v7());
    let err = exec
        .execute::<Person>(
            &intruder,
            &PersonCommand::OptIn(OptInAsHelper { person_id: person }),
        )
        .await
        .expect_err("another tenant's person is out of reach");
    assert!(matches!(err, ExecError::NotHere { .. }), "{err:?}");
    assert!(err.to_string().starts_with("there is no person-"), "{err}");
    assert_eq!(
        store.stream_version(&done.stream).await.expect("version"),
        1
    );
    let loaded = exec
        .load::<Person>(intruder.tenant_id, person.as_uuid())
        .await;
    assert!(matches!(loaded, Err(ExecError::NotHere { .. })));
}

#[tokio::test]
async fn a_reference_must_exist_in_the_callers_tenant() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let exec = executor(Arc::new(store.clone()), Arc::new(store.clone()));
    let person = PersonId::new(Uuid::now_v7());
    let ctx = own_ctx(person);
    exec.execute::<Person>(&ctx, &register(person))
        .await
        .expect("registers");
    let ok: Result<(), ExecError<PersonError>> = exec
        .check_references(ctx.tenant_id, &[Reference::to::<Person>(person)])
        .await;
    assert!(ok.is_ok(), "{ok:?}");
    let missing = Uuid::now_v7();
    let err = exec
        .check_references::<PersonError>(
            ctx.tenant_id,
            &[Reference {
                category: "neighbourhood",
                id: missing,
            }],
        )
        .await
        .expect_err("an unknown neighbourhood is refused");
    assert!(
        matches!(err, ExecError::UnknownReference { category: "neighbourhood", id } if id == missing),
        "{err:?}"
    );
    let other = TenantId::new(Uuid::now_v7());
    let err = exec
        .check_references::<PersonError>(other, &[Reference::to::<Person>(person)])
        .await
        .expect_err("another tenant's person is refused");
    assert!(matches!(err, ExecError::UnknownReference { .. }), "{err:?}");
}
