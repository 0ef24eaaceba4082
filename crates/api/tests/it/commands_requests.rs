//! In-process tests of the help-request command endpoints over the embedded store: every step
//! of a request's life answers what it wrote, and every refusal (bad input, a role that may
//! not, another tenant's request, a broken rule) is a problem document that wrote nothing.

use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{counting_app, Caller, TestApp, World};

fn step(request: Uuid, tail: &str) -> String {
    format!("/v1/requests/{request}/{tail}")
}

/// A request the helper offered on.
async fn offered(app: &TestApp, world: &World) -> Uuid {
    let request = world.post_request(app).await;
    app.ok(
        &step(request, "offers"),
        &world.helper,
        json!({}),
        StatusCode::OK,
    )
    .await;
    request
}

/// A request the requester matched the helper to.
async fn matched(app: &TestApp, world: &World) -> Uuid {
    let request = offered(app, world).await;
    app.ok(
        &step(request, "matches"),
        &world.resident,
        json!({"helper": world.helper.id}),
        StatusCode::OK,
    )
    .await;
    request
}

/// A request a connector referred to the tenant's organisation.
async fn referred(app: &TestApp, world: &World) -> Uuid {
    let request = world.post_request(app).await;
    let organisation = world.organisation(app).await;
    app.ok(
        &step(request, "referrals"),
        &world.connector,
        json!({"organisation_id": organisation}),
        StatusCode::OK,
    )
    .await;
    request
}

/// A request the helper resolved as a neighbour.
async fn resolved(app: &TestApp, world: &World) -> Uuid {
    let request = matched(app, world).await;
    app.ok(
        &step(request, "resolve"),
        &world.helper,
        json!({"resolution": "neighbour", "helpers_credited": [world.helper.id]}),
        StatusCode::OK,
    )
    .await;
    request
}

/// A request a connector closed.
async fn closed(app: &TestApp, world: &World) -> Uuid {
    let request = world.post_request(app).await;
    app.ok(
        &step(request, "close"),
        &world.connector,
        json!({"reason": "no_longer_needed"}),
        StatusCode::OK,
    )
    .await;
    request
}

fn errands(neighbourhood: Uuid) -> Value {
    json!({"category": "errands", "neighbourhood_id": neighbourhood,
           "description": "Wie kan zaterdag boodschappen voor mij doen?"})
}

/// What a connector of `world` sees of their neighbourhood: its feed and its queue.
async fn what_connector_sees(app: &TestApp, world: &World) -> (Value, Value) {
    let feed = app
        .get(
            &format!("/v1/neighbourhoods/{}/feed?fresh=true", world.neighbourhood),
            &world.connector,
        )
        .await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let queue = app
        .get(
            &format!(
                "/v1/queue?neighbourhoods={}&fresh=true",
                world.neighbourhood
            ),
            &world.connector,
        )
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    (feed.body, queue.body)
}

// ---- POST /v1/requests ----

#[tokio::test]
async fn a_resident_posting_a_request_gets_201_with_what_was_written() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            "/v1/requests",
            &world.resident,
            errands(world.neighbourhood),
        )
        .await;

    let id = answer.id();
    let version = answer.assert_written(StatusCode::CREATED, "request", id, &["RequestPosted"]);
    assert_eq!(version, 1);
    assert_eq!(app.version("request", id).await, 1);
}

#[tokio::test]
async fn a_request_without_a_category_is_a_400_and_writes_nothing() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            "/v1/requests",
            &world.resident,
            json!({"neighbourhood_id": world.neighbourhood, "description": "x"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_request_with_an_unknown_category_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = errands(world.neighbourhood);
    body["category"] = json!("no_such_category");

    let answer = app.post("/v1/requests", &world.resident, body).await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn a_request_body_that_is_not_valid_json_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app.post_broken_json("/v1/requests", &world.resident).await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn a_request_body_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post_text("/v1/requests", &world.resident, "boodschappen graag")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_funder_posting_a_request_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let funder = Caller::new(world.tenant, "funder");
    let before = app.head().await;

    let answer = app
        .post("/v1/requests", &funder, errands(world.neighbourhood))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_resident_posting_for_another_resident_is_refused_with_403_only_for_yourself() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = errands(world.neighbourhood);
    body["requester"] = json!(world.helper.id);
    let before = app.head().await;

    let answer = app.post("/v1/requests", &world.resident, body).await;

    answer.assert_problem(StatusCode::FORBIDDEN, "only-for-yourself");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn posting_the_same_request_id_twice_is_a_409_already_posted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = errands(world.neighbourhood);
    body["request_id"] = json!(Uuid::now_v7());
    app.ok(
        "/v1/requests",
        &world.resident,
        body.clone(),
        StatusCode::CREATED,
    )
    .await;
    let before = app.head().await;

    let answer = app.post("/v1/requests", &world.resident, body).await;

    answer.assert_problem(StatusCode::CONFLICT, "already-posted");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_request_with_an_empty_description_is_a_422_empty_description() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = errands(world.neighbourhood);
    body["description"] = json!("   ");
    let before = app.head().await;

    let answer = app.post("/v1/requests", &world.resident, body).await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "empty-description");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_request_in_a_neighbourhood_that_does_not_exist_is_a_422_unknown_reference() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post("/v1/requests", &world.resident, errands(Uuid::now_v7()))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_a_request_in_another_tenants_neighbourhood_is_refused_and_shows_up_in_nothing_of_theirs(
) {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let seen_by_b = what_connector_sees(&app, &b).await;
    let before = app.head().await;

    let answer = app
        .post("/v1/requests", &a.resident, errands(b.neighbourhood))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.head().await, before);
    assert_eq!(what_connector_sees(&app, &b).await, seen_by_b);
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_names_the_same_request_and_writes_nothing() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let key = Uuid::now_v7();
    let body = errands(world.neighbourhood);
    let first = app
        .post_with_key("/v1/requests", &world.resident, body.clone(), key)
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let before = app.head().await;

    let again = app
        .post_with_key("/v1/requests", &world.resident, body, key)
        .await;

    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["positions"], first.body["positions"]);
    assert_eq!(again.body["retry"], true);
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn an_idempotency_key_that_is_not_a_uuid_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = axum::http::Request::post("/v1/requests")
        .header("x-noaber-tenant", world.tenant.to_string())
        .header("x-noaber-actor", world.resident.id.to_string())
        .header("x-noaber-role", "resident")
        .header("idempotency-key", "once")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            errands(world.neighbourhood).to_string(),
        ))
        .expect("a valid request");

    let answer = app.send(request).await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

// ---- triage ----

#[tokio::test]
async fn a_connector_triaging_a_request_gets_200_with_the_triage_written() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "triage"),
            &world.connector,
            json!({"route": "informal", "note": "graag deze week"}),
        )
        .await;

    let version = answer.assert_written(StatusCode::OK, "request", request, &["RequestTriaged"]);
    assert_eq!(version, 2);
}

#[tokio::test]
async fn a_resident_triaging_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "triage"),
            &world.resident,
            json!({"route": "informal"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_funder_triaging_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let funder = Caller::new(world.tenant, "funder");

    let answer = app
        .post(
            &step(request, "triage"),
            &funder,
            json!({"route": "informal"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn triaging_the_same_route_twice_is_a_422_already_triaged() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let body = json!({"route": "informal"});
    app.ok(
        &step(request, "triage"),
        &world.connector,
        body.clone(),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(&step(request, "triage"), &world.connector, body)
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "already-triaged");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn triaging_a_request_never_posted_is_a_404_not_posted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &step(Uuid::now_v7(), "triage"),
            &world.connector,
            json!({"route": "informal"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-posted");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_triaging_a_request_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "triage"),
            &b.connector,
            json!({"route": "informal"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_triage_with_an_unknown_route_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "triage"),
            &world.connector,
            json!({"route": "sideways"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_triage_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post_text(&step(request, "triage"), &world.connector, "informal")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_triage_of_a_malformed_request_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            "/v1/requests/xyz/triage",
            &world.connector,
            json!({"route": "informal"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

// ---- offers ----

#[tokio::test]
async fn a_helper_offering_gets_200_with_the_offer_written() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "offers"),
            &world.helper,
            json!({"message": "Ik ga toch al"}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["HelpOffered"]);
}

#[tokio::test]
async fn a_resident_who_is_no_helper_offering_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let neighbour = Caller::new(world.tenant, "resident");

    let answer = app
        .post(&step(request, "offers"), &neighbour, json!({}))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_requester_offering_on_their_own_request_is_a_422_own_request() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "offers"),
            &world.resident.as_role("helper"),
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "own-request");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_helper_offering_twice_is_a_422_already_offered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;

    let answer = app
        .post(&step(request, "offers"), &world.helper, json!({}))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "already-offered");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn offering_on_a_request_with_a_professional_is_a_422_with_professional() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = referred(&app, &world).await;

    let answer = app
        .post(&step(request, "offers"), &world.helper, json!({}))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "with-professional");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn offering_on_a_closed_request_is_a_422_request_closed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = closed(&app, &world).await;

    let answer = app
        .post(&step(request, "offers"), &world.helper, json!({}))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "request-closed");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn offering_on_a_request_never_posted_is_a_404_not_posted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(&step(Uuid::now_v7(), "offers"), &world.helper, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-posted");
}

#[tokio::test]
async fn tenancy_an_offer_naming_another_tenants_helper_is_a_422_unknown_reference_and_shows_up_in_nothing_of_theirs(
) {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;
    let seen_by_b = what_connector_sees(&app, &b).await;

    let answer = app
        .post(
            &step(request, "offers"),
            &a.connector,
            json!({"helper": b.helper.id}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.version("request", request).await, 1);
    assert_eq!(what_connector_sees(&app, &b).await, seen_by_b);
}

#[tokio::test]
async fn tenancy_another_tenants_helper_offering_on_a_request_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;

    let answer = app
        .post(&step(request, "offers"), &b.helper, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn an_offer_naming_a_helper_that_is_not_an_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "offers"),
            &world.connector,
            json!({"helper": "bram"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn an_offer_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post_text(&step(request, "offers"), &world.helper, "ja")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
}

// ---- offers/{helper}/withdraw ----

#[tokio::test]
async fn a_helper_withdrawing_their_offer_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;

    let answer = app
        .post(
            &step(request, &format!("offers/{}/withdraw", world.helper.id)),
            &world.helper,
            json!({}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["OfferWithdrawn"]);
}

#[tokio::test]
async fn withdrawing_an_offer_never_made_is_a_422_no_offer() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, &format!("offers/{}/withdraw", world.helper.id)),
            &world.helper,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "no-offer");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn withdrawing_someone_elses_offer_is_refused_with_403_only_for_yourself() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;
    let other = Caller::new(world.tenant, "helper");

    let answer = app
        .post(
            &step(request, &format!("offers/{}/withdraw", world.helper.id)),
            &other,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "only-for-yourself");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn withdrawing_for_a_malformed_helper_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;

    let answer = app
        .post(
            &step(request, "offers/bram/withdraw"),
            &world.helper,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn tenancy_withdrawing_on_another_tenants_request_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = offered(&app, &a).await;

    let answer = app
        .post(
            &step(request, &format!("offers/{}/withdraw", b.helper.id)),
            &b.helper,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("request", request).await, 2);
}

// ---- matches ----

#[tokio::test]
async fn a_requester_matching_a_helper_who_offered_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;

    let answer = app
        .post(
            &step(request, "matches"),
            &world.resident,
            json!({"helper": world.helper.id}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["HelperMatched"]);
}

#[tokio::test]
async fn matching_the_same_helper_twice_is_a_422_already_matched() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;

    let answer = app
        .post(
            &step(request, "matches"),
            &world.resident,
            json!({"helper": world.helper.id}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "already-matched");
    assert_eq!(app.version("request", request).await, 3);
}

#[tokio::test]
async fn a_resident_matching_on_someone_elses_request_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;
    let neighbour = Caller::new(world.tenant, "resident");

    let answer = app
        .post(
            &step(request, "matches"),
            &neighbour,
            json!({"helper": world.helper.id}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn a_requester_matching_a_helper_who_did_not_offer_is_a_422_direct_match_needs_connector() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "matches"),
            &world.resident,
            json!({"helper": world.helper.id}),
        )
        .await;

    answer.assert_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "direct-match-needs-connector",
    );
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn tenancy_a_match_naming_another_tenants_helper_is_a_422_unknown_reference_and_shows_up_in_nothing_of_theirs(
) {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;
    let seen_by_b = what_connector_sees(&app, &b).await;

    let answer = app
        .post(
            &step(request, "matches"),
            &a.connector,
            json!({"helper": b.helper.id}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.version("request", request).await, 1);
    assert_eq!(what_connector_sees(&app, &b).await, seen_by_b);
}

#[tokio::test]
async fn a_match_without_a_helper_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;

    let answer = app
        .post(&step(request, "matches"), &world.resident, json!({}))
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 2);
}

// ---- matches/{helper}/cancel ----

#[tokio::test]
async fn a_requester_cancelling_a_match_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;

    let answer = app
        .post(
            &step(request, &format!("matches/{}/cancel", world.helper.id)),
            &world.resident,
            json!({"reason": "helper_unavailable"}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["MatchCancelled"]);
}

#[tokio::test]
async fn cancelling_a_match_that_does_not_exist_is_a_422_not_matched() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = offered(&app, &world).await;

    let answer = app
        .post(
            &step(request, &format!("matches/{}/cancel", world.helper.id)),
            &world.resident,
            json!({"reason": "other"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "not-matched");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn a_neighbour_cancelling_someone_elses_match_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;
    let neighbour = Caller::new(world.tenant, "resident");

    let answer = app
        .post(
            &step(request, &format!("matches/{}/cancel", world.helper.id)),
            &neighbour,
            json!({"reason": "other"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 3);
}

#[tokio::test]
async fn cancelling_with_an_unknown_reason_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;

    let answer = app
        .post(
            &step(request, &format!("matches/{}/cancel", world.helper.id)),
            &world.resident,
            json!({"reason": "bored"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 3);
}

// ---- referrals ----

#[tokio::test]
async fn a_connector_referring_to_an_organisation_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let organisation = world.organisation(&app).await;

    let answer = app
        .post(
            &step(request, "referrals"),
            &world.connector,
            json!({"organisation_id": organisation, "reason": "schuldhulp nodig"}),
        )
        .await;

    answer.assert_written(
        StatusCode::OK,
        "request",
        request,
        &["ReferredToProfessional"],
    );
}

#[tokio::test]
async fn a_resident_referring_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let organisation = world.organisation(&app).await;

    let answer = app
        .post(
            &step(request, "referrals"),
            &world.resident,
            json!({"organisation_id": organisation}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn referring_twice_is_a_422_already_referred() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = referred(&app, &world).await;
    let organisation = world.organisation(&app).await;

    let answer = app
        .post(
            &step(request, "referrals"),
            &world.connector,
            json!({"organisation_id": organisation}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "already-referred");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn referring_to_a_deactivated_organisation_is_a_422_organisation_inactive() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let organisation = world.organisation(&app).await;
    app.ok(
        &format!("/v1/organisations/{organisation}/deactivate"),
        &world.admin,
        json!({}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &step(request, "referrals"),
            &world.connector,
            json!({"organisation_id": organisation}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "organisation-inactive");
    assert_eq!(app.version("request", request).await, 1);
}

/// The handler reads the organisation's status in the caller's tenant first; another tenant's
/// organisation is unknown there, so the domain refuses it by its own rule before the
/// executor would check the reference.
#[tokio::test]
async fn tenancy_a_referral_to_another_tenants_organisation_is_a_422_and_shows_up_in_nothing_of_theirs(
) {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;
    let theirs = b.organisation(&app).await;
    let seen_by_b = what_connector_sees(&app, &b).await;
    let before = app.head().await;

    let answer = app
        .post(
            &step(request, "referrals"),
            &a.connector,
            json!({"organisation_id": theirs}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-organisation");
    assert_eq!(app.head().await, before);
    assert_eq!(what_connector_sees(&app, &b).await, seen_by_b);
}

#[tokio::test]
async fn a_referral_without_an_organisation_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "referrals"),
            &world.connector,
            json!({"reason": "?"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 1);
}

// ---- referrals/outcome ----

#[tokio::test]
async fn a_partner_recording_a_referral_outcome_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = referred(&app, &world).await;
    let partner = Caller::new(world.tenant, "partner");

    let answer = app
        .post(
            &step(request, "referrals/outcome"),
            &partner,
            json!({"outcome": "accepted", "note": "intake volgende week"}),
        )
        .await;

    answer.assert_written(
        StatusCode::OK,
        "request",
        request,
        &["ReferralOutcomeRecorded"],
    );
}

#[tokio::test]
async fn an_outcome_without_a_referral_is_a_422_no_referral() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "referrals/outcome"),
            &world.connector,
            json!({"outcome": "helped"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "no-referral");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_helper_recording_an_outcome_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = referred(&app, &world).await;

    let answer = app
        .post(
            &step(request, "referrals/outcome"),
            &world.helper,
            json!({"outcome": "helped"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn an_outcome_that_is_not_one_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = referred(&app, &world).await;

    let answer = app
        .post(
            &step(request, "referrals/outcome"),
            &world.connector,
            json!({"outcome": "maybe"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 2);
}

// ---- resolve ----

#[tokio::test]
async fn a_matched_helper_resolving_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;

    let answer = app
        .post(
            &step(request, "resolve"),
            &world.helper,
            json!({"resolution": "neighbour", "helpers_credited": [world.helper.id], "minutes_given": 45}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["RequestResolved"]);
}

#[tokio::test]
async fn a_neighbour_resolution_crediting_no_helper_is_a_422_no_helper_credited() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;

    let answer = app
        .post(
            &step(request, "resolve"),
            &world.helper,
            json!({"resolution": "neighbour"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "no-helper-credited");
    assert_eq!(app.version("request", request).await, 3);
}

#[tokio::test]
async fn a_professional_resolution_without_a_referral_is_a_422_professional_needs_referral() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "resolve"),
            &world.connector,
            json!({"resolution": "professional"}),
        )
        .await;

    answer.assert_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "professional-needs-referral",
    );
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn an_uninvolved_resident_resolving_is_a_422_not_involved() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let neighbour = Caller::new(world.tenant, "resident");

    let answer = app
        .post(
            &step(request, "resolve"),
            &neighbour,
            json!({"resolution": "requester"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "not-involved");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn resolving_a_resolved_request_is_a_422_request_resolved() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = resolved(&app, &world).await;

    let answer = app
        .post(
            &step(request, "resolve"),
            &world.resident,
            json!({"resolution": "requester"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "request-resolved");
    assert_eq!(app.version("request", request).await, 4);
}

#[tokio::test]
async fn a_funder_resolving_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let funder = Caller::new(world.tenant, "funder");

    let answer = app
        .post(
            &step(request, "resolve"),
            &funder,
            json!({"resolution": "requester"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_resolution_with_negative_minutes_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "resolve"),
            &world.resident,
            json!({"resolution": "requester", "minutes_given": -5}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 1);
}

// ---- close ----

#[tokio::test]
async fn a_requester_closing_their_request_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "close"),
            &world.resident,
            json!({"reason": "withdrawn"}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["RequestClosed"]);
}

#[tokio::test]
async fn closing_a_closed_request_is_a_422_request_closed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = closed(&app, &world).await;

    let answer = app
        .post(
            &step(request, "close"),
            &world.connector,
            json!({"reason": "duplicate"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "request-closed");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn a_neighbour_closing_someone_elses_request_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let neighbour = Caller::new(world.tenant, "resident");

    let answer = app
        .post(
            &step(request, "close"),
            &neighbour,
            json!({"reason": "duplicate"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn closing_without_a_reason_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(&step(request, "close"), &world.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_closing_a_request_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "close"),
            &b.connector,
            json!({"reason": "duplicate"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("request", request).await, 1);
}

// ---- reopen ----

#[tokio::test]
async fn a_connector_reopening_a_closed_request_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = closed(&app, &world).await;

    let answer = app
        .post(&step(request, "reopen"), &world.connector, json!({}))
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["RequestReopened"]);
}

#[tokio::test]
async fn reopening_an_open_request_is_a_422_not_reopenable() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(&step(request, "reopen"), &world.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "not-reopenable");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_resident_reopening_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = closed(&app, &world).await;

    let answer = app
        .post(&step(request, "reopen"), &world.resident, json!({}))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn reopening_a_request_never_posted_is_a_404_not_posted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(&step(Uuid::now_v7(), "reopen"), &world.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-posted");
}

// ---- feedback ----

#[tokio::test]
async fn a_requester_giving_feedback_on_a_resolved_request_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = resolved(&app, &world).await;

    let answer = app
        .post(
            &step(request, "feedback"),
            &world.resident,
            json!({"rating": 5, "comment": "Top!"}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["FeedbackGiven"]);
}

#[tokio::test]
async fn feedback_before_the_request_is_resolved_is_a_422_not_resolved() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;

    let answer = app
        .post(
            &step(request, "feedback"),
            &world.resident,
            json!({"rating": 4}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "not-resolved");
    assert_eq!(app.version("request", request).await, 3);
}

#[tokio::test]
async fn feedback_given_twice_is_a_422_feedback_already_given() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = resolved(&app, &world).await;
    app.ok(
        &step(request, "feedback"),
        &world.resident,
        json!({"rating": 5}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &step(request, "feedback"),
            &world.resident,
            json!({"rating": 1}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "feedback-already-given");
    assert_eq!(app.version("request", request).await, 5);
}

#[tokio::test]
async fn feedback_from_an_uninvolved_resident_is_a_422_feedback_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = resolved(&app, &world).await;
    let neighbour = Caller::new(world.tenant, "resident");

    let answer = app
        .post(&step(request, "feedback"), &neighbour, json!({"rating": 3}))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "feedback-not-allowed");
    assert_eq!(app.version("request", request).await, 4);
}

#[tokio::test]
async fn a_rating_out_of_range_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = resolved(&app, &world).await;

    let answer = app
        .post(
            &step(request, "feedback"),
            &world.resident,
            json!({"rating": 9}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 4);
}

// ---- correct ----

#[tokio::test]
async fn a_connector_correcting_a_request_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "correct"),
            &world.connector,
            json!({"urgency": "high"}),
        )
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["RequestCorrected"]);
}

#[tokio::test]
async fn a_correction_that_changes_nothing_is_a_422_nothing_to_correct() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "correct"),
            &world.connector,
            json!({"category": "errands"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "nothing-to-correct");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn a_resident_correcting_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "correct"),
            &world.resident,
            json!({"urgency": "high"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn tenancy_a_correction_into_another_tenants_neighbourhood_is_a_422_unknown_reference() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;
    let seen_by_b = what_connector_sees(&app, &b).await;

    let answer = app
        .post(
            &step(request, "correct"),
            &a.connector,
            json!({"neighbourhood_id": b.neighbourhood}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.version("request", request).await, 1);
    assert_eq!(what_connector_sees(&app, &b).await, seen_by_b);
}

#[tokio::test]
async fn a_correction_to_an_unknown_urgency_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(
            &step(request, "correct"),
            &world.connector,
            json!({"urgency": "yesterday"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("request", request).await, 1);
}

// ---- void ----

#[tokio::test]
async fn a_connector_voiding_a_request_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(&step(request, "void"), &world.connector, json!({}))
        .await;

    answer.assert_written(StatusCode::OK, "request", request, &["RequestVoided"]);
}

#[tokio::test]
async fn voiding_a_voided_request_is_a_422_request_voided() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    app.ok(
        &step(request, "void"),
        &world.connector,
        json!({}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(&step(request, "void"), &world.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "request-voided");
    assert_eq!(app.version("request", request).await, 2);
}

#[tokio::test]
async fn a_resident_voiding_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;

    let answer = app
        .post(&step(request, "void"), &world.resident, json!({}))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_voiding_a_request_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;

    let answer = app
        .post(&step(request, "void"), &b.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn voiding_a_malformed_request_id_is_a_400_problem() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post("/v1/requests/xyz/void", &world.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.head().await, before);
}

// ---- reads per command ----

/// Waits until the read models include every write so far, so that the reads counted next
/// are the command's own and not a catch-up's.
async fn caught_up(app: &TestApp, world: &World) {
    what_connector_sees(app, world).await;
}

#[tokio::test]
async fn reads_per_command_a_triage_reads_the_requests_stream_exactly_once() {
    let (app, counter) = counting_app().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    caught_up(&app, &world).await;
    let before = counter.stream_reads();

    app.ok(
        &step(request, "triage"),
        &world.connector,
        json!({"route": "informal"}),
        StatusCode::OK,
    )
    .await;

    assert_eq!(counter.stream_reads() - before, 1);
}

#[tokio::test]
async fn reads_per_command_a_referral_reads_its_own_stream_and_the_organisations_exactly_once_each()
{
    let (app, counter) = counting_app().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let organisation = world.organisation(&app).await;
    caught_up(&app, &world).await;
    let before = counter.stream_reads();

    app.ok(
        &step(request, "referrals"),
        &world.connector,
        json!({"organisation_id": organisation}),
        StatusCode::OK,
    )
    .await;

    assert_eq!(counter.stream_reads() - before, 2);
}

#[tokio::test]
async fn reads_per_command_a_referral_outcome_reads_the_requests_stream_exactly_once() {
    let (app, counter) = counting_app().await;
    let world = World::new(&app).await;
    let request = referred(&app, &world).await;
    caught_up(&app, &world).await;
    let before = counter.stream_reads();

    app.ok(
        &step(request, "referrals/outcome"),
        &world.connector,
        json!({"outcome": "accepted"}),
        StatusCode::OK,
    )
    .await;

    assert_eq!(counter.stream_reads() - before, 1);
}

#[tokio::test]
async fn reads_per_command_a_resolve_reads_the_requests_stream_exactly_once() {
    let (app, counter) = counting_app().await;
    let world = World::new(&app).await;
    let request = matched(&app, &world).await;
    caught_up(&app, &world).await;
    let before = counter.stream_reads();

    app.ok(
        &step(request, "resolve"),
        &world.helper,
        json!({"resolution": "neighbour", "helpers_credited": [world.helper.id]}),
        StatusCode::OK,
    )
    .await;

    assert_eq!(counter.stream_reads() - before, 1);
}

// ---- idempotency ----

/// The key names the command: a second request with the same key on the same request is taken
/// as a retry and answered with the first outcome, whatever its body (ADR 0009).
#[tokio::test]
async fn reusing_an_idempotency_key_for_another_body_on_the_same_request_returns_the_first_outcome_and_writes_nothing(
) {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let key = Uuid::now_v7();
    let first = app
        .post_with_key(
            &step(request, "triage"),
            &world.connector,
            json!({"route": "informal"}),
            key,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let before = app.head().await;

    let again = app
        .post_with_key(
            &step(request, "triage"),
            &world.connector,
            json!({"route": "professional"}),
            key,
        )
        .await;

    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["retry"], true);
    assert_eq!(again.body["positions"], first.body["positions"]);
    assert_eq!(again.body["version"], first.body["version"]);
    assert_eq!(app.head().await, before);
}

/// Regression: the key was only looked for in the command's own stream, so one key reused for
/// a command on another request wrote again instead of being refused. Event ids now derive from
/// the key, and the log refuses ids it holds with other content.
#[tokio::test]
async fn reusing_an_idempotency_key_for_another_request_is_a_409_and_writes_nothing() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let one = world.post_request(&app).await;
    let other = world.post_request(&app).await;
    let key = Uuid::now_v7();
    let first = app
        .post_with_key(
            &step(one, "triage"),
            &world.connector,
            json!({"route": "informal"}),
            key,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let before = app.head().await;

    let reused = app
        .post_with_key(
            &step(other, "triage"),
            &world.connector,
            json!({"route": "informal"}),
            key,
        )
        .await;

    reused.assert_problem(StatusCode::CONFLICT, "idempotency-key-reused");
    assert_eq!(app.head().await, before);
    assert_eq!(app.version("request", other).await, 1);
}

// ---- 404 for every other step: another tenant's request, or one never posted ----

/// Sends `tail` with `body` to a request of tenant A as B's connector, and to a request that
/// was never posted as A's connector; both are 404, and A's request is unchanged.
async fn assert_not_found_across_tenants_and_never_posted(tail: &str, body: Value) {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;

    let theirs = app
        .post(&step(request, tail), &b.connector, body.clone())
        .await;
    let never = app
        .post(&step(Uuid::now_v7(), tail), &a.connector, body)
        .await;

    theirs.assert_problem(StatusCode::NOT_FOUND, "not-found");
    never.assert_problem(StatusCode::NOT_FOUND, "not-posted");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn matching_on_another_tenants_or_a_never_posted_request_is_a_404() {
    assert_not_found_across_tenants_and_never_posted("matches", json!({"helper": Uuid::now_v7()}))
        .await;
}

#[tokio::test]
async fn cancelling_a_match_on_another_tenants_or_a_never_posted_request_is_a_404() {
    assert_not_found_across_tenants_and_never_posted(
        &format!("matches/{}/cancel", Uuid::now_v7()),
        json!({"reason": "other"}),
    )
    .await;
}

#[tokio::test]
async fn referring_another_tenants_or_a_never_posted_request_is_a_404() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let request = a.post_request(&app).await;
    let theirs = b.organisation(&app).await;
    let ours = a.organisation(&app).await;

    let across = app
        .post(
            &step(request, "referrals"),
            &b.connector,
            json!({"organisation_id": theirs}),
        )
        .await;
    let never = app
        .post(
            &step(Uuid::now_v7(), "referrals"),
            &a.connector,
            json!({"organisation_id": ours}),
        )
        .await;

    across.assert_problem(StatusCode::NOT_FOUND, "not-found");
    never.assert_problem(StatusCode::NOT_FOUND, "not-posted");
    assert_eq!(app.version("request", request).await, 1);
}

#[tokio::test]
async fn recording_an_outcome_on_another_tenants_or_a_never_posted_request_is_a_404() {
    assert_not_found_across_tenants_and_never_posted(
        "referrals/outcome",
        json!({"outcome": "helped"}),
    )
    .await;
}

#[tokio::test]
async fn resolving_another_tenants_or_a_never_posted_request_is_a_404() {
    assert_not_found_across_tenants_and_never_posted("resolve", json!({"resolution": "requester"}))
        .await;
}

#[tokio::test]
async fn reopening_another_tenants_or_a_never_posted_request_is_a_404() {
    assert_not_found_across_tenants_and_never_posted("reopen", json!({})).await;
}

#[tokio::test]
async fn feedback_on_another_tenants_or_a_never_posted_request_is_a_404() {
    assert_not_found_across_tenants_and_never_posted("feedback", json!({"rating": 4})).await;
}

#[tokio::test]
async fn correcting_another_tenants_or_a_never_posted_request_is_a_404() {
    assert_not_found_across_tenants_and_never_posted("correct", json!({"urgency": "high"})).await;
}

#[tokio::test]
async fn closing_a_never_posted_request_is_a_404_not_posted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &step(Uuid::now_v7(), "close"),
            &world.connector,
            json!({"reason": "duplicate"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-posted");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn voiding_a_never_posted_request_is_a_404_not_posted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(&step(Uuid::now_v7(), "void"), &world.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-posted");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn withdrawing_on_a_never_posted_request_is_a_404_not_posted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &step(
                Uuid::now_v7(),
                &format!("offers/{}/withdraw", world.helper.id),
            ),
            &world.helper,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-posted");
}
