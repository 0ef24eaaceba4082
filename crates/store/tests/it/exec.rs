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
        consent: None,
        channel: None,
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

// ---- safeguarding: the facts a decision requires ----

mod safeguarding {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use chrono::Duration;
    use noaber_domain::neighbourhood::{Neighbourhood, RegisterNeighbourhood};
    use noaber_domain::person::{
        RecordScreening, ScreeningKind, Standing, SuspendHelper, SuspensionReason,
    };
    use noaber_domain::request::{HelpRequest, MatchHelper, OfferHelp, PostRequest};
    use noaber_domain::tenant::{SetSensitiveCategories, Tenant};
    use noaber_domain::values::{
        ApproxLocation, CategoryCode, Channel, DisplayName, Distance, HandsNeeded, Urgency,
        Visibility,
    };
    use noaber_domain::{NeighbourhoodCommand, RequestError, RequestId};
    use noaber_store::exec::{Safeguards, SafeguardsFromLog};
    use noaber_store::StoreError;

    use super::*;

    /// One tenant with a neighbourhood, a registered helper (Ben), and a request of `category`.
    struct World {
        exec: Executor,
        store: Arc<dyn EventStore>,
        tenant: TenantId,
        ben: PersonId,
        request: RequestId,
        _dir: tempfile::TempDir,
    }

    fn ctx(tenant: TenantId, actor: PersonId, role: Role) -> CommandContext {
        CommandContext::new(tenant, actor, role, Utc::now(), Uuid::now_v7())
    }

    fn connector(w: &World) -> CommandContext {
        ctx(w.tenant, PersonId::new(Uuid::now_v7()), Role::Connector)
    }

    fn category(code: &str) -> CategoryCode {
        CategoryCode::parse(code).expect("known category")
    }

    async fn world(code: &str) -> World {
        let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
        let shared: Arc<dyn EventStore> = Arc::new(store.clone());
        let exec = executor(shared.clone(), Arc::new(store));
        let tenant = TenantId::new(Uuid::now_v7());
        let admin = ctx(tenant, PersonId::new(Uuid::now_v7()), Role::Admin);
        let hood = NeighbourhoodId::new(Uuid::now_v7());
        exec.execute::<Neighbourhood>(
            &admin,
            &NeighbourhoodCommand::Register(RegisterNeighbourhood {
                neighbourhood_id: hood,
                name: DisplayName::parse("Kruidenbuurt").expect("ok"),
                centroid: ApproxLocation::new(52.22, 6.89).expect("on earth"),
                radius: Distance::from_metres(1500).expect("ok"),
            }),
        )
        .await
        .expect("a neighbourhood");
        let ben = PersonId::new(Uuid::now_v7());
        exec.execute::<Person>(&ctx(tenant, ben, Role::Resident), &register(ben))
            .await
            .expect("Ben registers");
        let anna = PersonId::new(Uuid::now_v7());
        let request = RequestId::new(Uuid::now_v7());
        exec.execute::<HelpRequest>(
            &ctx(tenant, anna, Role::Resident),
            &PostRequest {
                request_id: request,
                requester: anna,
                channel: Channel::App,
                category: category(code),
                target_group: None,
                neighbourhood_id: hood,
                location: None,
                description: Personal::clear(anna, "Wie komt er eens op de koffie?"),
                urgency: Urgency::Normal,
                needed_by: None,
                anonymous: false,
                visibility: Visibility::Neighbourhood,
                hands_needed: HandsNeeded::ONE,
                skills_wanted: vec![],
                referred_by: None,
                consent: None,
            }
            .into(),
        )
        .await
        .expect("Anna posts");
        World {
            exec,
            store: shared,
            tenant,
            ben,
            request,
            _dir: dir,
        }
    }

    async fn mark_sensitive(w: &World, codes: &[&str]) {
        let admin = ctx(w.tenant, PersonId::new(Uuid::now_v7()), Role::Admin);
        w.exec
            .execute::<Tenant>(
                &admin,
                &SetSensitiveCategories {
                    tenant_id: w.tenant,
                    categories: codes.iter().map(|c| category(c)).collect(),
                }
                .into(),
            )
            .await
            .expect("the admin marks categories sensitive");
    }

    async fn match_ben(w: &World) -> Result<noaber_store::exec::Executed, ExecError<RequestError>> {
        w.exec
            .execute::<HelpRequest>(
                &connector(w),
                &MatchHelper {
                    request_id: w.request,
                    helper: w.ben,
                }
                .into(),
            )
            .await
    }

    #[tokio::test]
    async fn an_unscreened_helper_is_not_matched_in_a_category_the_tenant_marks_sensitive() {
        let w = world("company").await;
        mark_sensitive(&w, &["company", "care_support"]).await;
        let stream = noaber_store::StreamId::of::<HelpRequest>(w.request);
        let err = match_ben(&w).await.expect_err("Ben is not screened");
        assert!(
            matches!(err, ExecError::Domain(RequestError::HelperNotScreened(ref c)) if *c == category("company")),
            "{err:?}"
        );
        assert_eq!(w.store.stream_version(&stream).await.expect("version"), 1);

        let today = Utc::now().date_naive();
        w.exec
            .execute::<Person>(
                &connector(&w),
                &RecordScreening {
                    person_id: w.ben,
                    kind: ScreeningKind::Vog,
                    issued_on: today - Duration::days(30),
                    valid_until: today + Duration::days(3 * 365),
                }
                .into(),
            )
            .await
            .expect("a connector records Ben's VOG");
        let done = match_ben(&w).await.expect("now Ben is matched");
        assert_eq!(done.event_types, vec!["HelperMatched"]);
    }

    #[tokio::test]
    async fn an_unscreened_helper_is_matched_where_no_screening_is_required() {
        let w = world("errands").await;
        mark_sensitive(&w, &["company"]).await;
        match_ben(&w).await.expect("errands need no screening");
    }

    #[tokio::test]
    async fn a_suspended_helper_neither_offers_nor_is_matched() {
        let w = world("errands").await;
        w.exec
            .execute::<Person>(
                &connector(&w),
                &SuspendHelper {
                    person_id: w.ben,
                    reason: SuspensionReason::Conduct,
                    note: None,
                    incident_id: None,
                }
                .into(),
            )
            .await
            .expect("a connector suspends Ben");
        let err = match_ben(&w).await.expect_err("Ben is suspended");
        assert!(
            matches!(err, ExecError::Domain(RequestError::HelperSuspended)),
            "{err:?}"
        );
        let err = w
            .exec
            .execute::<HelpRequest>(
                &ctx(w.tenant, w.ben, Role::Helper),
                &OfferHelp {
                    request_id: w.request,
                    helper: w.ben,
                    message: None,
                }
                .into(),
            )
            .await
            .expect_err("Ben is suspended");
        assert!(
            matches!(err, ExecError::Domain(RequestError::HelperSuspended)),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn an_unknown_helper_is_an_unknown_reference_before_any_standing_is_asked() {
        let w = world("company").await;
        mark_sensitive(&w, &["company"]).await;
        let err = w
            .exec
            .execute::<HelpRequest>(
                &connector(&w),
                &MatchHelper {
                    request_id: w.request,
                    helper: PersonId::new(Uuid::now_v7()),
                }
                .into(),
            )
            .await
            .expect_err("nobody by that id");
        assert!(
            matches!(
                err,
                ExecError::UnknownReference {
                    category: "person",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    /// Safeguards that count their questions and answer as told.
    #[derive(Debug, Default)]
    struct Told {
        suspended: bool,
        asked: AtomicUsize,
    }

    #[async_trait]
    impl Safeguards for Told {
        async fn standing(&self, _: TenantId, _: PersonId) -> Result<Standing, StoreError> {
            self.asked.fetch_add(1, Ordering::SeqCst);
            Ok(Standing {
                suspended: self.suspended,
                screening: None,
                erased: false,
            })
        }

        async fn is_sensitive(&self, _: TenantId, _: &CategoryCode) -> Result<bool, StoreError> {
            self.asked.fetch_add(1, Ordering::SeqCst);
            Ok(false)
        }
    }

    #[tokio::test]
    async fn the_executor_asks_its_safeguards_only_for_commands_that_require_facts() {
        let w = world("errands").await;
        let told = Arc::new(Told {
            suspended: true,
            ..Told::default()
        });
        let exec = w.exec.clone().with_safeguards(told.clone());
        exec.execute::<Person>(
            &ctx(w.tenant, w.ben, Role::Resident),
            &PersonCommand::OptIn(OptInAsHelper { person_id: w.ben }),
        )
        .await
        .expect("an opt-in requires no facts");
        assert_eq!(told.asked.load(Ordering::SeqCst), 0);
        let err = exec
            .execute::<HelpRequest>(
                &connector(&w),
                &MatchHelper {
                    request_id: w.request,
                    helper: w.ben,
                }
                .into(),
            )
            .await
            .expect_err("told that Ben is suspended");
        assert!(
            matches!(err, ExecError::Domain(RequestError::HelperSuspended)),
            "{err:?}"
        );
        assert_eq!(told.asked.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn the_log_answers_nothing_about_another_tenants_person() {
        let w = world("errands").await;
        w.exec
            .execute::<Person>(
                &connector(&w),
                &SuspendHelper {
                    person_id: w.ben,
                    reason: SuspensionReason::Other,
                    note: None,
                    incident_id: None,
                }
                .into(),
            )
            .await
            .expect("suspended");
        let log = SafeguardsFromLog(w.store.clone());
        assert!(
            log.standing(w.tenant, w.ben)
                .await
                .expect("answers")
                .suspended
        );
        let other = TenantId::new(Uuid::now_v7());
        assert_eq!(
            log.standing(other, w.ben).await.expect("answers"),
            Standing::default()
        );
        assert!(!log
            .is_sensitive(w.tenant, &category("company"))
            .await
            .expect("answers"));
    }
}
