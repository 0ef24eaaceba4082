//! In-process tests of the HTTP application's basics: probes, problem documents for every kind
//! of failure, request ids and the development identity headers.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use futures::stream;
use noaber_api::http::{app, ApiJson, Problem};
use noaber_store::{
    AppendOutcome, Checkpoint, EventFilter, EventStore, EventStream, ExpectedVersion, KeyStore,
    NewEvent, StoreError, StoreErrorKind, StreamId, SubjectKey,
};
use serde_json::Value;
use tower::ServiceExt;

use crate::support;

async fn body_json(response: Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("the body can be read");
    serde_json::from_slice(&bytes).expect("the body is JSON")
}

async fn problem(response: Response) -> Problem {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "a failure is a problem document"
    );
    serde_json::from_value(body_json(response).await).expect("the body is a problem document")
}

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .body(Body::empty())
        .expect("a valid request")
}

/// A log whose database is gone: every call fails as unavailable.
#[derive(Debug)]
struct UnreachableStore;

fn gone() -> StoreError {
    StoreError::new(
        StoreErrorKind::Unavailable,
        "connection refused by db.internal:5432",
    )
}

#[async_trait::async_trait]
impl EventStore for UnreachableStore {
    async fn append(
        &self,
        _: &StreamId,
        _: ExpectedVersion,
        _: Vec<NewEvent>,
    ) -> Result<AppendOutcome, StoreError> {
        Err(gone())
    }
    fn read_stream<'a>(&'a self, _: &'a StreamId, _: u64) -> EventStream<'a> {
        Box::pin(stream::iter([Err(gone())]))
    }
    fn read_all<'a>(&'a self, _: Checkpoint, _: usize, _: &'a EventFilter) -> EventStream<'a> {
        Box::pin(stream::iter([Err(gone())]))
    }
    fn subscribe(&self, _: Checkpoint, _: EventFilter) -> EventStream<'static> {
        Box::pin(stream::iter([Err(gone())]))
    }
    async fn stream_version(&self, _: &StreamId) -> Result<u64, StoreError> {
        Err(gone())
    }
    async fn head(&self) -> Result<Checkpoint, StoreError> {
        Err(gone())
    }
    fn backend(&self) -> &'static str {
        "unreachable"
    }
}

#[async_trait::async_trait]
impl KeyStore for UnreachableStore {
    async fn put_key_if_absent(
        &self,
        _: uuid::Uuid,
        _: uuid::Uuid,
        _: Vec<u8>,
    ) -> Result<SubjectKey, StoreError> {
        Err(gone())
    }
    async fn get_key(&self, _: uuid::Uuid) -> Result<Option<SubjectKey>, StoreError> {
        Err(gone())
    }
    async fn erase_key(&self, _: uuid::Uuid) -> Result<bool, StoreError> {
        Err(gone())
    }
}

async fn unreachable_app() -> Router {
    let store = Arc::new(UnreachableStore);
    let privacy = Arc::new(noaber_store::privacy::Privacy::new(
        noaber_store::privacy::MasterKey::generate(),
        store.clone(),
    ));
    // The identity tables are not what these tests are about: a working embedded store holds them.
    let (identity, dir) = noaber_store::testing::fresh_sqlite_store().await;
    std::mem::forget(dir);
    app(support::state_over(store, Arc::new(identity), privacy).await)
}

#[tokio::test]
async fn healthz_answers_ok_while_the_process_lives() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app.oneshot(get("/healthz")).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        body_json(response).await,
        serde_json::json!({"status": "ok"})
    );
}

#[tokio::test]
async fn healthz_answers_ok_even_when_the_log_is_unreachable() {
    let response = unreachable_app()
        .await
        .oneshot(get("/healthz"))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn readyz_is_ready_when_the_log_answers() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app.oneshot(get("/readyz")).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(response).await["status"], "ready");
}

#[tokio::test]
async fn readyz_says_not_ready_while_the_read_models_are_too_far_behind_the_log() {
    let (store, _dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let privacy = Arc::new(noaber_store::privacy::Privacy::new(
        noaber_store::privacy::MasterKey::generate(),
        store.clone(),
    ));
    let state = support::state_over(store.clone(), store.clone(), privacy).await;
    // The models stop following; five events arrive after them.
    state.projections.shutdown().await.expect("stops");
    let tenant = uuid::Uuid::new_v4();
    for n in 0..5 {
        let stream = StreamId::for_aggregate("request", uuid::Uuid::new_v4());
        store
            .append(
                &stream,
                ExpectedVersion::NoStream,
                vec![noaber_store::testing::conformance::sample_event(
                    tenant,
                    "RequestNoted",
                    n,
                )],
            )
            .await
            .expect("appended");
    }
    let config = |lag| noaber_api::http::HttpConfig {
        ready_max_lag: Some(lag),
        ..Default::default()
    };
    let behind = noaber_api::http::app_with(state.clone(), &config(2))
        .oneshot(get("/readyz"))
        .await
        .expect("a response");
    assert_eq!(behind.status(), StatusCode::SERVICE_UNAVAILABLE);
    let tolerant = noaber_api::http::app_with(state, &config(10))
        .oneshot(get("/readyz"))
        .await
        .expect("a response");
    assert_eq!(tolerant.status(), StatusCode::OK);
    assert_eq!(body_json(tolerant).await["events_behind"], 5);
}

#[tokio::test]
async fn readyz_is_a_503_problem_that_hides_the_database_details_when_the_log_is_unreachable() {
    let response = unreachable_app()
        .await
        .oneshot(get("/readyz"))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let problem = problem(response).await;
    assert_eq!(problem.status, 503);
    assert!(
        !problem.detail.contains("db.internal"),
        "{}",
        problem.detail
    );
}

#[tokio::test]
async fn an_unknown_address_is_a_404_problem() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app
        .oneshot(get("/no/such/thing"))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let problem = problem(response).await;
    assert_eq!(problem.kind, "urn:noaber:problem:not-found");
    assert!(problem.detail.contains("/no/such/thing"));
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app
        .oneshot(
            Request::delete("/healthz")
                .body(Body::empty())
                .expect("a valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(problem(response).await.status, 405);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_clients_own() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app
        .clone()
        .oneshot(get("/healthz"))
        .await
        .expect("a response");
    let made_up = response
        .headers()
        .get("x-request-id")
        .expect("a request id is set");
    assert!(!made_up.is_empty());
    let response = app
        .oneshot(
            Request::get("/healthz")
                .header("x-request-id", "trace-me-42")
                .body(Body::empty())
                .expect("a valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(
        response.headers().get("x-request-id").map(|v| v.as_bytes()),
        Some(&b"trace-me-42"[..])
    );
}

fn echo_app() -> Router {
    Router::new().route(
        "/echo",
        post(|ApiJson(value): ApiJson<serde_json::Map<String, Value>>| async move {
            axum::Json(value)
        }),
    )
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400_problem_document() {
    let response = echo_app()
        .oneshot(
            Request::post("/echo")
                .header("content-type", "application/json")
                .body(Body::from("{not json"))
                .expect("a valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem = problem(response).await;
    assert_eq!(problem.kind, "urn:noaber:problem:bad-input");
    assert!(
        problem.detail.contains("not valid JSON"),
        "{}",
        problem.detail
    );
}

#[tokio::test]
async fn a_json_body_of_the_wrong_shape_is_a_400_problem_document() {
    let response = echo_app()
        .oneshot(
            Request::post("/echo")
                .header("content-type", "application/json")
                .body(Body::from("[1, 2, 3]"))
                .expect("a valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(problem(response).await.status, 400);
}

#[tokio::test]
async fn a_body_sent_without_a_json_content_type_is_a_415_problem_document() {
    let response = echo_app()
        .oneshot(
            Request::post("/echo")
                .body(Body::from("{}"))
                .expect("a valid request"),
        )
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(problem(response).await.status, 415);
}
