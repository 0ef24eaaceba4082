//! In-process tests of the call endpoints (*oproepen*) over the embedded store: publishing a
//! call, answering it and closing it; what each writes, and every refusal as a problem
//! document that wrote nothing.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{Caller, TestApp, World};

fn call(id: Uuid, tail: &str) -> String {
    format!("/v1/calls/{id}/{tail}")
}

fn in_a_week() -> String {
    (Utc::now() + Duration::days(7)).to_rfc3339()
}

/// A call for four pairs of hands in the world's neighbourhood, asking each answer for a name.
fn snow_shovelling(world: &World) -> Value {
    json!({"title": "Sneeuw ruimen bij de school", "neighbourhoods": [world.neighbourhood],
           "fields_asked": ["name"], "hands_needed": 4, "deadline": in_a_week()})
}

async fn published(app: &TestApp, world: &World) -> Uuid {
    app.ok(
        "/v1/calls",
        &world.connector,
        snow_shovelling(world),
        StatusCode::CREATED,
    )
    .await
}

// ---- POST /v1/calls ----

#[tokio::test]
async fn a_connector_publishing_a_call_gets_201_with_what_was_written() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post("/v1/calls", &world.connector, snow_shovelling(&world))
        .await;

    let id = answer.id();
    let version = answer.assert_written(StatusCode::CREATED, "call", id, &["CallPublished"]);
    assert_eq!(version, 1);
}

#[tokio::test]
async fn a_call_to_every_neighbourhood_of_an_organisation_gets_201() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let organisation = world.organisation(&app).await;

    let answer = app
        .post(
            "/v1/calls",
            &world.connector,
            json!({"title": "Vrijwilligers voor de kerstmarkt", "organisation_id": organisation,
                   "hands_needed": 10, "deadline": in_a_week()}),
        )
        .await;

    answer.assert_written(StatusCode::CREATED, "call", answer.id(), &["CallPublished"]);
}

#[tokio::test]
async fn a_call_without_a_deadline_is_a_400_and_writes_nothing() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            "/v1/calls",
            &world.connector,
            json!({"title": "Sneeuw ruimen", "hands_needed": 4}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_call_asking_an_unknown_field_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = snow_shovelling(&world);
    body["fields_asked"] = json!(["shoe_size"]);

    let answer = app.post("/v1/calls", &world.connector, body).await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn a_call_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app.post_text("/v1/calls", &world.connector, "sneeuw").await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_resident_publishing_a_call_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post("/v1/calls", &world.resident, snow_shovelling(&world))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_funder_publishing_a_call_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let funder = Caller::new(world.tenant, "funder");
    let before = app.head().await;

    let answer = app
        .post("/v1/calls", &funder, snow_shovelling(&world))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn publishing_the_same_call_id_twice_is_a_409_call_already_published() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = snow_shovelling(&world);
    body["call_id"] = json!(Uuid::now_v7());
    app.ok(
        "/v1/calls",
        &world.connector,
        body.clone(),
        StatusCode::CREATED,
    )
    .await;
    let before = app.head().await;

    let answer = app.post("/v1/calls", &world.connector, body).await;

    answer.assert_problem(StatusCode::CONFLICT, "call-already-published");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_call_with_a_blank_title_is_a_422_empty_title() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = snow_shovelling(&world);
    body["title"] = json!(" ");
    let before = app.head().await;

    let answer = app.post("/v1/calls", &world.connector, body).await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "empty-title");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_call_to_no_neighbourhood_is_a_422_no_neighbourhoods() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = snow_shovelling(&world);
    body["neighbourhoods"] = json!([]);
    let before = app.head().await;

    let answer = app.post("/v1/calls", &world.connector, body).await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "no-neighbourhoods");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_call_with_a_deadline_in_the_past_is_a_422_deadline_not_in_future() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = snow_shovelling(&world);
    body["deadline"] = json!((Utc::now() - Duration::days(1)).to_rfc3339());
    let before = app.head().await;

    let answer = app.post("/v1/calls", &world.connector, body).await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "deadline-not-in-future");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_call_for_an_organisation_that_does_not_exist_is_a_422_unknown_reference() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = snow_shovelling(&world);
    body["organisation_id"] = json!(Uuid::now_v7());
    let before = app.head().await;

    let answer = app.post("/v1/calls", &world.connector, body).await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_a_call_to_another_tenants_neighbourhood_is_a_422_unknown_reference() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post("/v1/calls", &a.connector, snow_shovelling(&b))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_a_call_for_another_tenants_organisation_is_a_422_unknown_reference() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let theirs = b.organisation(&app).await;
    let mut body = snow_shovelling(&a);
    body["organisation_id"] = json!(theirs);
    let before = app.head().await;

    let answer = app.post("/v1/calls", &a.connector, body).await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.head().await, before);
}

// ---- answers ----

#[tokio::test]
async fn a_resident_answering_a_call_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "answers"),
            &world.resident,
            json!({"name": "Anna"}),
        )
        .await;

    let version = answer.assert_written(StatusCode::OK, "call", id, &["CallAnswered"]);
    assert_eq!(version, 2);
}

#[tokio::test]
async fn an_answer_without_a_field_the_call_asks_is_a_422_missing_field() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "answers"),
            &world.resident,
            json!({"contact": "06 12345678"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "missing-field");
    assert_eq!(app.version("call", id).await, 1);
}

#[tokio::test]
async fn answering_twice_is_a_422_already_answered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;
    app.ok(
        &call(id, "answers"),
        &world.resident,
        json!({"name": "Anna"}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &call(id, "answers"),
            &world.resident,
            json!({"name": "Anna"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "already-answered");
    assert_eq!(app.version("call", id).await, 2);
}

#[tokio::test]
async fn answering_a_closed_call_is_a_422_call_closed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;
    app.ok(
        &call(id, "close"),
        &world.connector,
        json!({"reason": "filled"}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &call(id, "answers"),
            &world.resident,
            json!({"name": "Anna"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "call-closed");
    assert_eq!(app.version("call", id).await, 2);
}

#[tokio::test]
async fn a_resident_answering_for_someone_else_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "answers"),
            &world.resident,
            json!({"name": "Bram", "on_behalf_of": world.helper.id}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("call", id).await, 1);
}

#[tokio::test]
async fn a_funder_answering_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "answers"),
            &world.resident.as_role("funder"),
            json!({"name": "Anna"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.version("call", id).await, 1);
}

#[tokio::test]
async fn answering_a_call_never_published_is_a_404_call_not_published() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &call(Uuid::now_v7(), "answers"),
            &world.resident,
            json!({"name": "Anna"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "call-not-published");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_answering_another_tenants_call_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let theirs = published(&app, &b).await;

    let answer = app
        .post(
            &call(theirs, "answers"),
            &a.resident,
            json!({"name": "Anna"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("call", theirs).await, 1);
}

#[tokio::test]
async fn an_answer_with_a_malformed_availability_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "answers"),
            &world.resident,
            json!({"name": "Anna", "availability": "whenever"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("call", id).await, 1);
}

#[tokio::test]
async fn an_answer_to_a_malformed_call_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            "/v1/calls/sneeuw/answers",
            &world.resident,
            json!({"name": "Anna"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn an_answer_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post_text(&call(id, "answers"), &world.resident, "Anna")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.version("call", id).await, 1);
}

// ---- close ----

#[tokio::test]
async fn a_connector_closing_a_call_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "close"),
            &world.connector,
            json!({"reason": "filled"}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "call", id, &["CallClosed"]);
}

#[tokio::test]
async fn closing_a_closed_call_is_a_422_call_closed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;
    app.ok(
        &call(id, "close"),
        &world.connector,
        json!({"reason": "filled"}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &call(id, "close"),
            &world.connector,
            json!({"reason": "cancelled"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "call-closed");
    assert_eq!(app.version("call", id).await, 2);
}

#[tokio::test]
async fn a_resident_closing_a_call_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "close"),
            &world.resident,
            json!({"reason": "filled"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("call", id).await, 1);
}

#[tokio::test]
async fn closing_a_call_never_published_is_a_404_call_not_published() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &call(Uuid::now_v7(), "close"),
            &world.connector,
            json!({"reason": "filled"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "call-not-published");
}

#[tokio::test]
async fn tenancy_another_tenants_connector_closing_a_call_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let id = published(&app, &a).await;

    let answer = app
        .post(
            &call(id, "close"),
            &b.connector,
            json!({"reason": "cancelled"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("call", id).await, 1);
}

#[tokio::test]
async fn closing_with_an_unknown_reason_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = published(&app, &world).await;

    let answer = app
        .post(
            &call(id, "close"),
            &world.connector,
            json!({"reason": "bored"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("call", id).await, 1);
}
