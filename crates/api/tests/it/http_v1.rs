//! In-process tests of the `/v1` tree's gate and reference data: the development identity
//! headers (missing: 401, malformed: 400), the taxonomy, and what a funder may not see.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use serde_json::Value;
use tower::ServiceExt;

use crate::support;

async fn json(response: Response) -> Value {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("the body can be read");
    serde_json::from_slice(&bytes).expect("the body is JSON")
}

fn get_as(path: &str, headers: &[(&str, String)]) -> Request<Body> {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.body(Body::empty()).expect("a valid request")
}

#[tokio::test]
async fn a_v1_call_without_identity_headers_is_a_401_problem() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app
        .oneshot(get_as("/v1/me", &[]))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let problem = json(response).await;
    assert_eq!(problem["type"], "urn:noaber:problem:unauthenticated");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("sign in")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_malformed_identity_header_is_a_400_problem() {
    let (app, _dir) = support::sqlite_app().await;
    let mut headers = support::actor_headers("resident").to_vec();
    headers[0].1 = "not-a-uuid".into();
    let response = app
        .clone()
        .oneshot(get_as("/v1/me", &headers))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let response = app
        .oneshot(get_as("/v1/me", &support::actor_headers("mayor")))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem = json(response).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("not a role")),
        "{problem}"
    );
}

#[tokio::test]
async fn the_taxonomy_is_served_with_labels_in_three_languages() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app
        .oneshot(get_as("/v1/taxonomy", &support::actor_headers("resident")))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    let taxonomy = json(response).await;
    let skills = taxonomy["skills"].as_array().expect("a list of skills");
    assert!(skills.len() >= 70, "{} skills", skills.len());
    let first = &skills[0];
    for language in ["nl", "fr", "en"] {
        assert!(first["labels"][language].is_string(), "{first}");
    }
    assert!(taxonomy["categories"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
    assert!(taxonomy["target_groups"]
        .as_array()
        .is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn a_funder_may_read_the_taxonomy_but_not_a_feed_or_the_queue() {
    let (app, _dir) = support::sqlite_app().await;
    let funder = support::actor_headers("funder");
    let response = app
        .clone()
        .oneshot(get_as("/v1/taxonomy", &funder))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    for path in [
        "/v1/neighbourhoods/0190a0a0-0000-7000-8000-0000000000aa/feed",
        "/v1/queue?neighbourhoods=0190a0a0-0000-7000-8000-0000000000aa",
        "/v1/helpers",
    ] {
        let response = app
            .clone()
            .oneshot(get_as(path, &funder))
            .await
            .expect("a response");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn an_unknown_address_under_v1_is_still_a_404_problem() {
    let (app, _dir) = support::sqlite_app().await;
    let response = app
        .oneshot(get_as(
            "/v1/nothing-here",
            &support::actor_headers("resident"),
        ))
        .await
        .expect("a response");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(response).await["status"], 404);
}

/// A query a read refuses: a 400 problem document (never axum's plain text) whose detail
/// names the parameter at fault.
async fn assert_bad_query(path: &str, role: &'static str, parameter: &str) {
    let app = support::TestApp::start().await;
    let caller = support::Caller::new(uuid::Uuid::now_v7(), role);

    let answer = app.get(path, &caller).await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert!(
        answer.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(parameter)),
        "{path}: {}",
        answer.body
    );
}

#[tokio::test]
async fn queries_parsed_at_the_edge_an_unknown_kpi_category_is_a_400_naming_the_parameter() {
    assert_bad_query(
        "/v1/kpis?from=2024-01-01&to=2025-01-01&categories=no_such_code",
        "funder",
        "categories",
    )
    .await;
}

#[tokio::test]
async fn queries_parsed_at_the_edge_an_unknown_kpi_channel_is_a_400_naming_the_parameter() {
    assert_bad_query(
        "/v1/kpis?from=2024-01-01&to=2025-01-01&channels=carrier_pigeon",
        "funder",
        "channels",
    )
    .await;
}

#[tokio::test]
async fn queries_parsed_at_the_edge_a_malformed_kpi_from_is_a_400_naming_the_parameter() {
    assert_bad_query("/v1/kpis?from=last-tuesday&to=2025-01-01", "funder", "from").await;
}

#[tokio::test]
async fn queries_parsed_at_the_edge_a_queue_neighbourhood_that_is_no_uuid_is_a_400_problem() {
    assert_bad_query(
        "/v1/queue?neighbourhoods=not-a-uuid",
        "connector",
        "neighbourhoods",
    )
    .await;
}

#[tokio::test]
async fn queries_parsed_at_the_edge_an_unknown_helper_skill_is_a_400_naming_the_parameter() {
    assert_bad_query("/v1/helpers?skill=nope", "connector", "skill").await;
}

#[tokio::test]
async fn queries_parsed_at_the_edge_a_malformed_request_id_in_a_path_is_a_400_problem() {
    let app = support::TestApp::start().await;
    let connector = support::Caller::new(uuid::Uuid::now_v7(), "connector");

    let answer = app
        .post("/v1/requests/xyz/void", &connector, serde_json::json!({}))
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}
