//! Regressions (issue 12) on a real socket: what a client that does not speak HTTP properly
//! is answered, the bound on sending a request's headers, and failing fast with a 503 while
//! the log cannot be written.

use std::sync::Arc;
use std::time::{Duration, Instant};

use noaber_api::http::{self, HttpConfig};
use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::{Connection, SqliteConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::live::{Live, World};

/// Guards a read against a hang; nothing is asserted about how fast it is.
const HANG_GUARD: Duration = Duration::from_secs(20);

/// Everything the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(HANG_GUARD, stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server closes the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

/// hyper refuses a request line it cannot parse before the application sees it, so the
/// answer is hyper's own: a 400 without a body (no problem document is possible there), and
/// the connection is closed. Documented in docs/limits.md.
#[tokio::test]
async fn a_garbage_request_line_gets_a_400_and_the_connection_is_closed() {
    let live = Live::sqlite().await;
    let mut stream = TcpStream::connect(live.base.trim_start_matches("http://"))
        .await
        .expect("the server accepts");

    stream
        .write_all(b"\x16\x03\x01 NONSENSE \xff\xfe\r\n\r\n")
        .await
        .expect("the bytes are sent");

    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let privacy = Arc::new(noaber_store::privacy::Privacy::new(
        noaber_store::privacy::MasterKey::generate(),
        store.clone(),
    ));
    let state = crate::support::state_over(store.clone(), store, privacy).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("an address");
    let config = HttpConfig {
        header_read_timeout: Some(Duration::from_millis(300)),
        ..HttpConfig::default()
    };
    tokio::spawn(async move {
        let _ = http::serve(listener, state, &config, std::future::pending()).await;
    });
    let mut stream = TcpStream::connect(addr).await.expect("the server accepts");

    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: noaber\r\nX-Slow: ")
        .await
        .expect("the first part is sent");

    let answer = read_to_close(&mut stream).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "no request was served: {answer:?}"
    );
    drop(dir);
}

#[tokio::test]
async fn a_complete_request_on_a_served_socket_is_still_answered() {
    let live = Live::sqlite().await;
    let mut stream = TcpStream::connect(live.base.trim_start_matches("http://"))
        .await
        .expect("the server accepts");

    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: noaber\r\nConnection: close\r\n\r\n")
        .await
        .expect("the request is sent");

    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
}

#[tokio::test]
async fn an_oversized_body_on_a_real_socket_is_a_413_problem() {
    let live = Live::sqlite().await;
    let body = json!({"description": "x".repeat(noaber_api::http::limits::MAX_BODY_BYTES)});

    let response = reqwest::Client::new()
        .post(format!("{}/v1/requests", live.base))
        .bearer_auth("not-a-token")
        .json(&body)
        .send()
        .await
        .expect("the server answers");

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let problem: serde_json::Value = response.json().await.expect("a problem document");
    assert_eq!(problem["type"], "urn:noaber:problem:body-too-large");
}

/// While another process holds the embedded log's write lock (as a backup tool or a second
/// instance could), a write fails with a 503 problem after a bounded wait instead of hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_log_cannot_be_written_a_command_fails_fast_with_a_503_problem() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let admin = world.token(Role::Admin).to_owned();
    let file = live.file.clone().expect("an embedded store");
    let mut holder = SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("the file opens");
    sqlx::query("begin exclusive")
        .execute(&mut holder)
        .await
        .expect("the write lock is taken");

    let started = Instant::now();
    let (status, body) = live
        .call(
            Method::POST,
            "/v1/neighbourhoods",
            &admin,
            Some(json!({"name": "Noord", "centroid": {"lat": 52.1, "lon": 5.1}, "radius_m": 1000})),
        )
        .await;
    let waited = started.elapsed();

    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["type"], "urn:noaber:problem:unavailable", "{body}");
    // The bound is what is tested here (it was 10 s on this store, up to 16 s on PostgreSQL):
    // twice the configured wait leaves room for a slow machine.
    assert!(
        waited < noaber_store::UNAVAILABLE_AFTER * 2,
        "the request failed after {waited:?}, not within the bound of {:?}",
        noaber_store::UNAVAILABLE_AFTER
    );
    sqlx::query("rollback")
        .execute(&mut holder)
        .await
        .expect("the lock is given back");
    let (status, body) = live
        .call(
            Method::POST,
            "/v1/neighbourhoods",
            &admin,
            Some(json!({"name": "Noord", "centroid": {"lat": 52.1, "lon": 5.1}, "radius_m": 1000})),
        )
        .await;
    assert!(
        status.is_success(),
        "writes resume at once: {status} {body}"
    );
}
