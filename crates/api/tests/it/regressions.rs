//! Regressions (issue 12) over a real socket with real bearer tokens, on both stores: times a
//! command may carry, references to aggregates that do not exist, and an idempotency key
//! reused for another command.

use chrono::{Duration, Utc};
use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::live::{Live, World};

#[track_caller]
fn assert_problem(answer: &(StatusCode, Value), status: StatusCode, code: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert_eq!(body["type"], format!("urn:noaber:problem:{code}"), "{body}");
}

/// A request of the world's, posted just now, for the times below.
async fn fresh_request(live: &Live, world: &World) -> Uuid {
    live.ok(
        "/v1/requests",
        world.token(Role::Admin),
        json!({"requester": world.r1, "category": "errands", "neighbourhood_id": world.n1,
               "consent": "explicit_consent", "description": "Wie helpt met de tuin?"}),
    )
    .await
}

async fn occurred_at_out_of_range_is_refused_at_the_edge(live: &Live) {
    let world = World::new(live).await;
    let admin = world.token(Role::Admin);
    let close = format!("/v1/requests/{}/close", world.q2);
    for at in [
        json!("-4714-01-01T00:00:00Z"),
        json!("1000-01-01T00:00:00Z"),
        json!((Utc::now() + Duration::days(1)).to_rfc3339()),
        json!("9999-12-31T23:59:59Z"),
    ] {
        let answer = live
            .call(
                Method::POST,
                &close,
                admin,
                Some(json!({"reason": "no_longer_needed", "occurred_at": at})),
            )
            .await;
        assert_problem(&answer, StatusCode::BAD_REQUEST, "bad-input");
    }
    // Within the clock skew a client's clock may have, it is now.
    let answer = live
        .call(
            Method::POST,
            &close,
            admin,
            Some(json!({"reason": "no_longer_needed",
                         "occurred_at": (Utc::now() + Duration::minutes(1)).to_rfc3339()})),
        )
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_occurred_at_before_4713_bc_or_in_the_future_is_a_400_not_a_500_on_sqlite() {
    occurred_at_out_of_range_is_refused_at_the_edge(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_occurred_at_before_4713_bc_or_in_the_future_is_a_400_not_a_500_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    occurred_at_out_of_range_is_refused_at_the_edge(&live).await;
}

async fn facts_dated_before_the_posting_are_refused(live: &Live) {
    let world = World::new(live).await;
    let admin = world.token(Role::Admin);
    let request = fresh_request(live, &world).await;
    let yesterday = (Utc::now() - Duration::days(1)).to_rfc3339();
    for (step, body) in [
        (
            "offers",
            json!({"helper": world.helper, "occurred_at": yesterday}),
        ),
        (
            "matches",
            json!({"helper": world.helper, "occurred_at": yesterday}),
        ),
        (
            "resolve",
            json!({"resolution": "requester", "occurred_at": yesterday}),
        ),
        (
            "close",
            json!({"reason": "no_longer_needed", "occurred_at": yesterday}),
        ),
    ] {
        let answer = live
            .call(
                Method::POST,
                &format!("/v1/requests/{request}/{step}"),
                admin,
                Some(body),
            )
            .await;
        assert_problem(&answer, StatusCode::UNPROCESSABLE_ENTITY, "before-posted");
    }
    // Dated after the posting, a back-dated fact is still fine.
    let answer = live
        .call(
            Method::POST,
            &format!("/v1/requests/{request}/matches"),
            admin,
            Some(json!({"helper": world.helper, "occurred_at": Utc::now().to_rfc3339()})),
        )
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_match_or_resolution_dated_before_the_posting_is_a_422_on_sqlite() {
    facts_dated_before_the_posting_are_refused(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_match_or_resolution_dated_before_the_posting_is_a_422_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    facts_dated_before_the_posting_are_refused(&live).await;
}

async fn references_to_nothing_are_refused(live: &Live) {
    let world = World::new(live).await;
    let admin = world.token(Role::Admin);
    let head = live.state.store.head().await.expect("the log answers");

    let nowhere = live
        .call(
            Method::POST,
            "/v1/requests",
            admin,
            Some(json!({"requester": world.r1, "category": "errands",
                        "neighbourhood_id": Uuid::now_v7(), "consent": "explicit_consent",
                        "description": "Boodschappen"})),
        )
        .await;
    assert_problem(
        &nowhere,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-reference",
    );

    let nobody = live
        .call(
            Method::POST,
            &format!("/v1/requests/{}/matches", world.q2),
            admin,
            Some(json!({"helper": Uuid::now_v7()})),
        )
        .await;
    assert_problem(
        &nobody,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-reference",
    );
    assert_eq!(
        live.state.store.head().await.expect("the log answers"),
        head,
        "nothing was written"
    );

    live.ok(
        &format!("/v1/persons/{}/erase", world.helper),
        admin,
        json!({}),
    )
    .await;
    live.settle().await;
    let erased = live
        .call(
            Method::POST,
            &format!("/v1/requests/{}/offers", world.q2),
            admin,
            Some(json!({"helper": world.helper})),
        )
        .await;
    assert_problem(&erased, StatusCode::UNPROCESSABLE_ENTITY, "person-erased");
    assert!(
        !live
            .state
            .projections
            .read()
            .await
            .directory
            .requests_of(world.helper)
            .contains(&noaber_domain::RequestId::new(world.q2)),
        "no offer was recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_no_neighbourhood_a_match_with_nobody_and_an_erased_helper_are_refused_on_sqlite(
) {
    references_to_nothing_are_refused(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_no_neighbourhood_a_match_with_nobody_and_an_erased_helper_are_refused_on_postgres(
) {
    let Some(live) = Live::postgres().await else {
        return;
    };
    references_to_nothing_are_refused(&live).await;
}

async fn send_with_key(
    live: &Live,
    path: &str,
    token: &str,
    body: Value,
    key: Uuid,
) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", live.base))
        .bearer_auth(token)
        .header("idempotency-key", key.to_string())
        .json(&body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

async fn a_reused_key_for_another_command_is_a_conflict(live: &Live) {
    let world = World::new(live).await;
    let admin = world.token(Role::Admin);
    let request = fresh_request(live, &world).await;
    let key = Uuid::now_v7();
    let triage = format!("/v1/requests/{request}/triage");
    let first = send_with_key(live, &triage, admin, json!({"route": "informal"}), key).await;
    assert_eq!(first.0, StatusCode::OK, "{}", first.1);
    let retried = send_with_key(live, &triage, admin, json!({"route": "informal"}), key).await;
    assert_eq!(retried.0, StatusCode::OK, "{}", retried.1);
    assert_eq!(retried.1["retry"], true, "{}", retried.1);
    let head = live.state.store.head().await.expect("the log answers");

    let other = send_with_key(
        live,
        &format!("/v1/requests/{request}/matches"),
        admin,
        json!({"helper": world.helper}),
        key,
    )
    .await;

    assert_problem(&other, StatusCode::CONFLICT, "idempotency-key-reused");
    assert_eq!(
        live.state.store.head().await.expect("the log answers"),
        head,
        "the second command was neither written nor taken for the first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_reused_for_another_command_on_the_same_request_is_a_409_on_sqlite() {
    a_reused_key_for_another_command_is_a_conflict(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_reused_for_another_command_on_the_same_request_is_a_409_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    a_reused_key_for_another_command_is_a_conflict(&live).await;
}
