//! In-process tests of the security basics: the browser security headers on every kind of
//! answer, HSTS only behind an https public address, and the CORS allow-list.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use noaber_api::http::{app_with, HttpConfig, Origin, PublicUrl};
use tower::ServiceExt;

use crate::support;

const CLIENT_APP: &str = "https://app.noaber.example";

/// The application over a fresh embedded store under `config`, with the store's guard.
async fn app_under(config: HttpConfig) -> (Router, tempfile::TempDir) {
    let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let privacy = Arc::new(noaber_store::privacy::Privacy::new(
        noaber_store::privacy::MasterKey::generate(),
        store.clone(),
    ));
    let state = support::state_over(store.clone(), store, privacy).await;
    (app_with(state, &config), dir)
}

fn with_public_url(url: &str) -> HttpConfig {
    HttpConfig {
        public_url: Some(PublicUrl::parse(url).expect("a valid public URL")),
        ..HttpConfig::default()
    }
}

fn with_client_app() -> HttpConfig {
    HttpConfig {
        cors_origins: vec![Origin::parse(CLIENT_APP).expect("a valid origin")],
        ..HttpConfig::default()
    }
}

async fn headers_of(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap) {
    let response = app.clone().oneshot(request).await.expect("a response");
    (response.status(), response.headers().clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[track_caller]
fn assert_security_headers(headers: &HeaderMap) {
    let csp = header(headers, "content-security-policy").expect("a content security policy");
    assert_eq!(
        csp,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(header(headers, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(headers, "referrer-policy"), Some("no-referrer"));
    assert_eq!(header(headers, "x-frame-options"), Some("DENY"));
    assert_eq!(
        header(headers, "cross-origin-opener-policy"),
        Some("same-origin")
    );
    let permissions = header(headers, "permissions-policy").expect("a permissions policy");
    for feature in ["camera=()", "microphone=()", "geolocation=()"] {
        assert!(permissions.contains(feature), "{permissions}");
    }
}

#[tokio::test]
async fn a_successful_answer_carries_every_security_header() {
    let (app, _dir) = app_under(HttpConfig::default()).await;
    let (status, headers) = headers_of(
        &app,
        Request::get("/healthz")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_security_headers(&headers);
}

#[tokio::test]
async fn a_404_problem_carries_every_security_header() {
    let (app, _dir) = app_under(HttpConfig::default()).await;
    let (status, headers) = headers_of(
        &app,
        Request::get("/no/such/thing")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/problem+json")
    );
    assert_security_headers(&headers);
}

#[tokio::test]
async fn a_405_problem_carries_every_security_header() {
    let (app, _dir) = app_under(HttpConfig::default()).await;
    let (status, headers) = headers_of(
        &app,
        Request::delete("/healthz")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_security_headers(&headers);
}

#[tokio::test]
async fn a_400_problem_carries_every_security_header() {
    let (app, _dir) = app_under(HttpConfig::default()).await;
    let request = Request::post("/v1/auth/sign-in")
        .header("content-type", "application/json")
        .body(Body::from("{\"oops\": "))
        .expect("a request");
    let (status, headers) = headers_of(&app, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/problem+json")
    );
    assert_security_headers(&headers);
}

#[tokio::test]
async fn hsts_is_absent_without_a_public_url() {
    let (app, _dir) = app_under(HttpConfig::default()).await;
    let (_, headers) = headers_of(
        &app,
        Request::get("/healthz")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    assert_eq!(header(&headers, "strict-transport-security"), None);
}

#[tokio::test]
async fn hsts_is_absent_behind_an_http_public_url() {
    let (app, _dir) = app_under(with_public_url("http://localhost:8080")).await;
    let (_, headers) = headers_of(
        &app,
        Request::get("/healthz")
            .body(Body::empty())
            .expect("a request"),
    )
    .await;
    assert_eq!(header(&headers, "strict-transport-security"), None);
}

#[tokio::test]
async fn hsts_is_sent_on_every_answer_behind_an_https_public_url() {
    let (app, _dir) = app_under(with_public_url("https://noaber.example.org")).await;
    for request in [
        Request::get("/healthz")
            .body(Body::empty())
            .expect("a request"),
        Request::get("/no/such/thing")
            .body(Body::empty())
            .expect("a request"),
    ] {
        let (_, headers) = headers_of(&app, request).await;
        assert_eq!(
            header(&headers, "strict-transport-security"),
            Some("max-age=31536000; includeSubDomains")
        );
        assert_security_headers(&headers);
    }
}

fn preflight(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/v1/requests")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, idempotency-key, x-noaber-tenant",
        )
        .body(Body::empty())
        .expect("a request")
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered_with_the_allow_headers() {
    let (app, _dir) = app_under(with_client_app()).await;
    let (status, headers) = headers_of(&app, preflight(CLIENT_APP)).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some(CLIENT_APP)
    );
    let methods = header(&headers, "access-control-allow-methods").expect("allowed methods");
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    let allowed = header(&headers, "access-control-allow-headers").expect("allowed headers");
    for name in [
        "content-type",
        "idempotency-key",
        "authorization",
        "x-request-id",
        "x-noaber-tenant",
        "x-noaber-actor",
        "x-noaber-role",
    ] {
        assert!(allowed.contains(name), "{name} missing from {allowed}");
    }
    assert_security_headers(&headers);
}

#[tokio::test]
async fn a_preflight_from_another_origin_gets_no_allow_headers() {
    let (app, _dir) = app_under(with_client_app()).await;
    let (_, headers) = headers_of(&app, preflight("https://evil.example")).await;
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_preflight_gets_no_allow_headers_when_no_client_app_is_configured() {
    let (app, _dir) = app_under(HttpConfig::default()).await;
    let (_, headers) = headers_of(&app, preflight(CLIENT_APP)).await;
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    assert_eq!(header(&headers, "access-control-allow-methods"), None);
}

#[tokio::test]
async fn a_simple_get_from_an_allowed_origin_may_read_the_answer_and_its_request_id() {
    let (app, _dir) = app_under(with_client_app()).await;
    let request = Request::get("/healthz")
        .header("origin", CLIENT_APP)
        .body(Body::empty())
        .expect("a request");
    let (status, headers) = headers_of(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some(CLIENT_APP)
    );
    assert_eq!(
        header(&headers, "access-control-expose-headers"),
        Some("x-request-id")
    );
    assert!(headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn a_simple_get_from_another_origin_carries_no_allow_origin() {
    let (app, _dir) = app_under(with_client_app()).await;
    let request = Request::get("/healthz")
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .expect("a request");
    let (status, headers) = headers_of(&app, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
}

#[test]
fn a_wildcard_or_malformed_origin_in_the_configuration_is_refused_with_a_clear_error() {
    let wildcard = Origin::parse("*").expect_err("the wildcard is refused");
    assert!(wildcard.to_string().contains("wildcard"), "{wildcard}");
    let with_path = Origin::parse("https://app.noaber.example/").expect_err("a path is refused");
    assert!(
        with_path
            .to_string()
            .contains("https://app.noaber.example/"),
        "{with_path}"
    );
    assert!(with_path.to_string().contains("no path"), "{with_path}");
}
