//! The conventions every read shares, over real HTTP on both stores: a write's position token
//! read back with `?after=` shows the write at once, and an `ETag` turns a repeated read into a
//! `304 Not Modified` until something changes.

use std::time::{Duration, Instant};

use noaber_domain::Role;
use reqwest::{header, Client, StatusCode};
use serde_json::{json, Value};

use crate::live::{Live, World};

async fn get(live: &Live, path: &str, token: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = Client::new()
        .get(format!("{}{path}", live.base))
        .bearer_auth(token);
    if let Some(etag) = etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request.send().await.expect("the server answers")
}

async fn post(live: &Live, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = live
        .call(reqwest::Method::POST, path, token, Some(body))
        .await;
    assert!(status.is_success(), "POST {path}: {status} {answer}");
    answer
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["request_id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn a_read_after_a_write_shows_it(live: &Live) {
    let world = World::new(live).await;
    let (admin, resident) = (world.token(Role::Admin), world.token(Role::Resident));
    for n in 0..8 {
        let written = post(
            live,
            "/v1/requests",
            admin,
            json!({"requester": world.r1, "category": "garden", "neighbourhood_id": world.n1,
                   "consent": "explicit_consent", "description": format!("Heg {n}")}),
        )
        .await;
        let position = written["position"].as_str().expect("a position token");
        let mine = live
            .read(&format!("/v1/me/requests?after={position}"), resident)
            .await;
        assert!(
            ids(&mine).contains(&written["id"].as_str().expect("an id").to_owned()),
            "read after {position}: {mine}"
        );
    }
}

async fn an_unchanged_read_answers_not_modified(live: &Live) {
    let world = World::new(live).await;
    let (admin, resident) = (world.token(Role::Admin), world.token(Role::Resident));
    live.settle().await;
    let first = get(live, "/v1/me/requests", resident, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()[header::ETAG]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(first.headers()[header::CACHE_CONTROL], "private, no-cache");
    let body = first.text().await.expect("a body");

    let again = get(live, "/v1/me/requests", resident, Some(&etag)).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG], etag.as_str());
    assert!(again.text().await.expect("no body").is_empty());
    let other = get(
        live,
        "/v1/me/requests",
        resident,
        Some("\"something-else\""),
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    assert_eq!(other.text().await.expect("a body"), body);

    // Something changed: the same tag no longer matches.
    let written = post(
        live,
        "/v1/requests",
        admin,
        json!({"requester": world.r1, "category": "garden", "neighbourhood_id": world.n1,
               "consent": "explicit_consent", "description": "Nog een heg"}),
    )
    .await;
    let path = format!(
        "/v1/me/requests?after={}",
        written["position"].as_str().expect("token")
    );
    let changed = get(live, &path, resident, Some(&etag)).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[header::ETAG], etag.as_str());
}

async fn a_bad_or_unreachable_position_is_a_problem(live: &Live) {
    let world = World::new(live).await;
    let resident = world.token(Role::Resident);
    for bad in ["x", "1", "1:x", ""] {
        let (status, problem) = live
            .call(
                reqwest::Method::GET,
                &format!("/v1/me/requests?after={bad}"),
                resident,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "after={bad}: {problem}");
        assert_eq!(problem["type"], "urn:noaber:problem:bad-input");
        assert!(problem["detail"]
            .as_str()
            .expect("detail")
            .contains("after"));
    }
    // A position no write has reached yet: the read waits a while, then says so.
    let started = Instant::now();
    let (status, problem) = live
        .call(
            reqwest::Method::GET,
            "/v1/me/requests?after=999999999999:1",
            resident,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert_eq!(problem["type"], "urn:noaber:problem:unavailable");
    assert!(started.elapsed() >= Duration::from_secs(1));
    // Someone unknown is refused at once: nobody can make the server wait without signing in.
    let started = Instant::now();
    let refused = Client::new()
        .get(format!("{}/v1/me/requests?after=999999999999:1", live.base))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_after_a_write_shows_it_on_sqlite() {
    a_read_after_a_write_shows_it(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_after_a_write_shows_it_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    a_read_after_a_write_shows_it(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_read_answers_not_modified_on_sqlite() {
    an_unchanged_read_answers_not_modified(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_read_answers_not_modified_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    an_unchanged_read_answers_not_modified(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_or_unreachable_position_is_a_problem_on_sqlite() {
    a_bad_or_unreachable_position_is_a_problem(&Live::sqlite().await).await;
}
