//! What the log keeps of personal data, and for how long, over real HTTP: a location is kept in
//! clear only as its area, and a tenant's retention period ends the personal data of ended
//! requests (ADRs 0032 and 0033), on SQLite and on PostgreSQL.

use chrono::{Duration, Utc};
use futures::TryStreamExt;
use noaber_api::retention::{expire_due, RetentionRun};
use noaber_domain::{RequestId, Role};
use noaber_store::StreamId;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::live::{Live, World};
use crate::personal_fields::view;

async fn request_view(live: &Live, world: &World, id: Uuid) -> Value {
    view(live, world.token(Role::Admin), id).await
}

async fn retention_ends_the_personal_data_of_ended_requests(live: &Live) {
    let world = World::new(live).await;
    let admin = world.token(Role::Admin);
    let now = Utc::now();
    // Nothing ends while the tenant keeps data until erasure.
    assert_eq!(expire_due(&live.state, now).await, RetentionRun::default());

    // q2 was posted 50 days ago and closed 40 days ago (both recorded today, as a connector
    // would after a home visit: nothing is dated before its request was posted); q1 is still
    // open.
    let q2 = live
        .ok(
            "/v1/requests",
            admin,
            json!({"requester": world.r2, "category": "errands", "neighbourhood_id": world.n2,
                   "consent": "explicit_consent", "description": "Hulp bij het invullen van een formulier",
                   "occurred_at": now - Duration::days(50)}),
        )
        .await;
    live.ok(
        &format!("/v1/requests/{q2}/close"),
        admin,
        json!({"reason": "no_longer_needed", "occurred_at": now - Duration::days(40)}),
    )
    .await;
    let (status, body) = live
        .call(
            Method::PUT,
            "/v1/tenant/retention",
            admin,
            Some(json!({"closed_request_days": 30})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    live.settle().await;
    let (_, read) = live
        .call(Method::GET, "/v1/tenant/retention", admin, None)
        .await;
    assert_eq!(read, json!({"closed_request_days": 30}));
    assert_eq!(
        request_view(live, &world, q2).await["description"]["state"],
        "clear",
        "before the schedule runs the description is still there"
    );

    let run = expire_due(&live.state, Utc::now()).await;
    assert_eq!(
        run,
        RetentionRun {
            expired: 1,
            failed: 0
        }
    );
    live.settle().await;

    let gone = request_view(live, &world, q2).await;
    assert_eq!(gone["description"], json!({"state": "erased"}), "{gone}");
    assert_eq!(
        gone["requester"]["name"]["state"], "clear",
        "the person's own data is not the request's: it stays"
    );
    assert_eq!(
        request_view(live, &world, world.q1).await["description"]["state"],
        "clear",
        "an open request keeps its data"
    );
    let (_, history) = live
        .call(
            Method::GET,
            &format!("/v1/requests/{q2}/history"),
            admin,
            None,
        )
        .await;
    assert!(
        history.to_string().contains("PersonalDataExpired"),
        "the audit trail shows when and why: {history}"
    );
    // The story is over: the request accepts nothing more.
    let (status, body) = live
        .call(
            Method::POST,
            &format!("/v1/requests/{q2}/reopen"),
            admin,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["type"], "urn:noaber:problem:data-expired");
    // A second run (or another instance) ends nothing twice.
    assert_eq!(
        expire_due(&live.state, Utc::now()).await,
        RetentionRun::default()
    );
    let stream = StreamId::of::<noaber_domain::request::HelpRequest>(RequestId::new(q2));
    let expiries = live
        .state
        .store
        .read_stream(&stream, 1)
        .try_filter(|e| futures::future::ready(e.event_type == "PersonalDataExpired"))
        .try_collect::<Vec<_>>()
        .await
        .expect("the stream reads");
    assert_eq!(expiries.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_ends_the_personal_data_of_ended_requests_on_sqlite() {
    let live = Live::sqlite().await;
    retention_ends_the_personal_data_of_ended_requests(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_ends_the_personal_data_of_ended_requests_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    retention_ends_the_personal_data_of_ended_requests(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_administrator_sets_the_retention_period_and_a_bad_one_is_a_problem() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (status, body) = live
        .call(
            Method::PUT,
            "/v1/tenant/retention",
            world.token(Role::Connector),
            Some(json!({"closed_request_days": 30})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for bad in [json!({"closed_request_days": 0}), json!({"days": 30})] {
        let (status, body) = live
            .call(
                Method::PUT,
                "/v1/tenant/retention",
                world.token(Role::Admin),
                Some(bad.clone()),
            )
            .await;
        assert!(status.is_client_error(), "{bad}: {status} {body}");
        assert!(
            body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:noaber:problem:")),
            "{body}"
        );
    }
    let (status, _) = live
        .call(
            Method::GET,
            "/v1/tenant/retention",
            world.token(Role::Resident),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_keeps_a_location_in_clear_only_as_its_area() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let id = live
        .ok(
            "/v1/requests",
            world.token(Role::Admin),
            json!({"requester": world.r1, "category": "errands", "neighbourhood_id": world.n1,
                   "consent": "explicit_consent", "description": "Een lamp ophangen",
                   "location": {"lat": 52.0911, "lon": 5.1223}}),
        )
        .await;
    let stream = StreamId::of::<noaber_domain::request::HelpRequest>(RequestId::new(id));
    let posted = live
        .state
        .store
        .read_stream(&stream, 1)
        .try_next()
        .await
        .expect("the stream reads")
        .expect("the request was posted");
    assert_eq!(
        posted.payload["location"],
        json!({"lat": 52.09, "lon": 5.12})
    );
    assert!(posted.payload["precise_location"]["$sealed"].is_object());
    let stored = posted.payload.to_string();
    assert!(
        !stored.contains("52.091") && !stored.contains("5.122"),
        "{stored}"
    );
    // Whoever may reach the requester opens the place itself; other readers see the area.
    let read = |role: Role| view(&live, world.token(role), id);
    let connector = read(Role::Connector).await;
    assert_eq!(
        connector["location"],
        json!({"state": "clear", "text": "52.091,5.122"})
    );
    assert_eq!(connector["area"], json!({"lat": 52.09, "lon": 5.12}));
    let ambassador = read(Role::Ambassador).await;
    assert_eq!(ambassador["location"], Value::Null);
    assert_eq!(ambassador["area"], json!({"lat": 52.09, "lon": 5.12}));
    live.state.identity.access_log().flush().await;
    let entries = live
        .state
        .identity
        .store()
        .access_of(world.r1.as_uuid(), 20)
        .await
        .expect("the access log reads");
    assert!(
        entries
            .iter()
            .any(|e| e.reader_id == world.connector.as_uuid() && e.fields.contains("location")),
        "the opening is recorded"
    );

    // The person registered with a location: the same holds for them.
    let person = StreamId::of::<noaber_domain::person::Person>(world.r1);
    let registered = live
        .state
        .store
        .read_stream(&person, 1)
        .try_next()
        .await
        .expect("the stream reads")
        .expect("the person was registered");
    assert_eq!(
        registered.payload["location"],
        json!({"lat": 52.09, "lon": 5.12})
    );
    assert!(!registered.payload.to_string().contains("52.091"));
}
