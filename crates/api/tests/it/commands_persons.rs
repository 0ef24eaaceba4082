//! In-process tests of the person command endpoints over the embedded store: registering,
//! profiles, skills, opting in and out as a helper, and erasure; what each writes, and every
//! refusal as a problem document that wrote nothing.

use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{Caller, TestApp, World};

fn person(id: Uuid, tail: &str) -> String {
    format!("/v1/persons/{id}/{tail}")
}

fn registration(neighbourhood: Uuid) -> Value {
    json!({"name": "Carla Smit", "neighbourhood_id": neighbourhood, "digital_access": "digital"})
}

fn skills() -> Value {
    json!({"skills": ["grocery_shopping"], "max_distance_m": 1500})
}

// ---- POST /v1/persons ----

#[tokio::test]
async fn a_resident_registering_gets_201_as_themselves() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let carla = Caller::new(world.tenant, "resident");

    let answer = app
        .post("/v1/persons", &carla, registration(world.neighbourhood))
        .await;

    let version = answer.assert_written(
        StatusCode::CREATED,
        "person",
        carla.id,
        &["PersonRegistered"],
    );
    assert_eq!(version, 1);
}

#[tokio::test]
async fn a_connector_registering_a_resident_gets_201_for_the_id_given() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = Uuid::now_v7();
    let mut body = registration(world.neighbourhood);
    body["person_id"] = json!(id);

    let refused = app
        .post("/v1/persons", &world.connector, body.clone())
        .await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "consent-basis-required");

    body["consent"] = json!("explicit_consent");
    body["channel"] = json!("home_visit");
    let answer = app.post("/v1/persons", &world.connector, body).await;

    answer.assert_written(StatusCode::CREATED, "person", id, &["PersonRegistered"]);
}

#[tokio::test]
async fn a_registration_without_a_name_is_a_400_and_writes_nothing() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let carla = Caller::new(world.tenant, "resident");
    let before = app.head().await;

    let answer = app
        .post(
            "/v1/persons",
            &carla,
            json!({"neighbourhood_id": world.neighbourhood, "digital_access": "digital"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_registration_with_an_unknown_digital_access_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let carla = Caller::new(world.tenant, "resident");
    let mut body = registration(world.neighbourhood);
    body["digital_access"] = json!("telepathy");

    let answer = app.post("/v1/persons", &carla, body).await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn a_registration_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let carla = Caller::new(world.tenant, "resident");
    let before = app.head().await;

    let answer = app.post_text("/v1/persons", &carla, "Carla Smit").await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_funder_registering_anyone_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let funder = Caller::new(world.tenant, "funder");
    let before = app.head().await;

    let answer = app
        .post("/v1/persons", &funder, registration(world.neighbourhood))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_resident_registering_someone_else_is_refused_with_403_only_for_yourself() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = registration(world.neighbourhood);
    body["person_id"] = json!(Uuid::now_v7());
    let before = app.head().await;

    let answer = app.post("/v1/persons", &world.resident, body).await;

    answer.assert_problem(StatusCode::FORBIDDEN, "only-for-yourself");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn registering_the_same_person_twice_is_a_409_person_already_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            "/v1/persons",
            &world.resident,
            registration(world.neighbourhood),
        )
        .await;

    answer.assert_problem(StatusCode::CONFLICT, "person-already-registered");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_registration_with_a_blank_name_is_a_422_empty_name() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let carla = Caller::new(world.tenant, "resident");
    let mut body = registration(world.neighbourhood);
    body["name"] = json!("  ");
    let before = app.head().await;

    let answer = app.post("/v1/persons", &carla, body).await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "empty-name");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn registering_an_erased_person_again_is_a_422_person_erased() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    app.ok(
        &person(world.resident.id, "erase"),
        &world.resident,
        json!({}),
        StatusCode::OK,
    )
    .await;
    let version = app.version("person", world.resident.id).await;

    let answer = app
        .post(
            "/v1/persons",
            &world.resident,
            registration(world.neighbourhood),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "person-erased");
    assert_eq!(app.version("person", world.resident.id).await, version);
}

// ---- profile ----

#[tokio::test]
async fn a_resident_updating_their_profile_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "profile"),
            &world.resident,
            json!({"contact": "06 12345678"}),
        )
        .await;

    let version = answer.assert_written(
        StatusCode::OK,
        "person",
        world.resident.id,
        &["ProfileUpdated"],
    );
    assert_eq!(version, 2);
}

#[tokio::test]
async fn a_profile_update_that_changes_nothing_is_a_422_nothing_to_update() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "profile"),
            &world.resident,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "nothing-to-update");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}

#[tokio::test]
async fn a_resident_updating_someone_elses_profile_is_refused_with_403_only_for_yourself() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.helper.id, "profile"),
            &world.resident,
            json!({"contact": "06 12345678"}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "only-for-yourself");
    assert_eq!(app.version("person", world.helper.id).await, 3);
}

#[tokio::test]
async fn updating_the_profile_of_someone_never_registered_is_a_404_person_not_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &person(Uuid::now_v7(), "profile"),
            &world.connector,
            json!({"contact": "06 12345678"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "person-not-registered");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_updating_a_profile_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;

    let answer = app
        .post(
            &person(a.resident.id, "profile"),
            &b.connector,
            json!({"contact": "06 12345678"}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("person", a.resident.id).await, 1);
}

#[tokio::test]
async fn tenancy_moving_to_another_tenants_neighbourhood_is_a_422_unknown_reference() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;

    let answer = app
        .post(
            &person(a.resident.id, "profile"),
            &a.resident,
            json!({"neighbourhood_id": b.neighbourhood}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.version("person", a.resident.id).await, 1);
}

#[tokio::test]
async fn a_profile_update_for_a_malformed_person_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            "/v1/persons/anna/profile",
            &world.resident,
            json!({"contact": "06 12345678"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn a_profile_update_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post_text(&person(world.resident.id, "profile"), &world.resident, "06")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}

// ---- skills ----

#[tokio::test]
async fn a_resident_declaring_skills_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "skills"),
            &world.resident,
            skills(),
        )
        .await;

    answer.assert_written(
        StatusCode::OK,
        "person",
        world.resident.id,
        &["SkillsDeclared"],
    );
}

#[tokio::test]
async fn declaring_no_skills_is_a_422_no_skills() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "skills"),
            &world.resident,
            json!({"skills": [], "max_distance_m": 1500}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "no-skills");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}

#[tokio::test]
async fn declaring_an_unknown_skill_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "skills"),
            &world.resident,
            json!({"skills": ["juggling_chainsaws"], "max_distance_m": 1500}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}

#[tokio::test]
async fn a_resident_declaring_someone_elses_skills_is_refused_with_403_only_for_yourself() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.helper.id, "skills"),
            &world.resident,
            skills(),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "only-for-yourself");
    assert_eq!(app.version("person", world.helper.id).await, 3);
}

#[tokio::test]
async fn a_funder_declaring_skills_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "skills"),
            &world.resident.as_role("funder"),
            skills(),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}

// ---- opt-in ----

#[tokio::test]
async fn a_resident_opting_in_as_helper_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "opt-in"),
            &world.resident,
            json!({}),
        )
        .await;

    answer.assert_written(
        StatusCode::OK,
        "person",
        world.resident.id,
        &["HelperOptedIn"],
    );
}

#[tokio::test]
async fn opting_in_twice_is_a_422_already_helper() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(&person(world.helper.id, "opt-in"), &world.helper, json!({}))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "already-helper");
    assert_eq!(app.version("person", world.helper.id).await, 3);
}

#[tokio::test]
async fn a_resident_opting_someone_else_in_is_refused_with_403_only_for_yourself() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let neighbour = Caller::new(world.tenant, "resident");

    let answer = app
        .post(&person(world.resident.id, "opt-in"), &neighbour, json!({}))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "only-for-yourself");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}

#[tokio::test]
async fn opting_in_someone_never_registered_is_a_404_person_not_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &person(Uuid::now_v7(), "opt-in"),
            &world.connector,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "person-not-registered");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_opting_a_person_in_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;

    let answer = app
        .post(&person(a.resident.id, "opt-in"), &b.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("person", a.resident.id).await, 1);
}

// ---- opt-out ----

#[tokio::test]
async fn a_helper_opting_out_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.helper.id, "opt-out"),
            &world.helper,
            json!({}),
        )
        .await;

    answer.assert_written(
        StatusCode::OK,
        "person",
        world.helper.id,
        &["HelperOptedOut"],
    );
}

#[tokio::test]
async fn opting_out_when_no_helper_is_a_422_not_helper() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "opt-out"),
            &world.resident,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "not-helper");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}

#[tokio::test]
async fn a_resident_opting_someone_else_out_is_refused_with_403_only_for_yourself() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.helper.id, "opt-out"),
            &world.resident,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "only-for-yourself");
    assert_eq!(app.version("person", world.helper.id).await, 3);
}

#[tokio::test]
async fn opting_out_a_malformed_person_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post("/v1/persons/123/opt-out", &world.helper, json!({}))
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

// ---- erase ----

#[tokio::test]
async fn a_resident_erasing_themselves_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.resident.id, "erase"),
            &world.resident,
            json!({}),
        )
        .await;

    answer.assert_written(
        StatusCode::OK,
        "person",
        world.resident.id,
        &["PersonErased"],
    );
}

#[tokio::test]
async fn a_resident_erasing_someone_else_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(world.helper.id, "erase"),
            &world.resident,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("person", world.helper.id).await, 3);
}

#[tokio::test]
async fn a_refused_erasure_leaves_the_persons_data_readable() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    app.post(
        &person(world.helper.id, "erase"),
        &world.resident,
        json!({}),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "not-allowed");

    let answer = app
        .post(
            &person(world.helper.id, "profile"),
            &world.helper,
            json!({"contact": "bram@example.org"}),
        )
        .await;

    answer.assert_written(
        StatusCode::OK,
        "person",
        world.helper.id,
        &["ProfileUpdated"],
    );
}

#[tokio::test]
async fn erasing_an_erased_person_is_a_422_person_erased() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    app.ok(
        &person(world.resident.id, "erase"),
        &world.connector,
        json!({}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &person(world.resident.id, "erase"),
            &world.connector,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "person-erased");
    assert_eq!(app.version("person", world.resident.id).await, 2);
}

#[tokio::test]
async fn changing_the_profile_of_an_erased_person_is_a_422_person_erased() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    app.ok(
        &person(world.resident.id, "erase"),
        &world.resident,
        json!({}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &person(world.resident.id, "profile"),
            &world.connector,
            json!({"contact": "06 12345678"}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "person-erased");
    assert_eq!(app.version("person", world.resident.id).await, 2);
}

#[tokio::test]
async fn erasing_someone_never_registered_is_a_404_person_not_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &person(Uuid::now_v7(), "erase"),
            &world.connector,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "person-not-registered");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_erasing_a_person_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;

    let answer = app
        .post(&person(a.resident.id, "erase"), &b.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("person", a.resident.id).await, 1);
}

#[tokio::test]
async fn erasing_a_malformed_person_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post("/v1/persons/me/erase", &world.resident, json!({}))
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

// ---- 404 for the remaining steps ----

#[tokio::test]
async fn tenancy_another_tenants_connector_declaring_skills_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;

    let answer = app
        .post(&person(a.resident.id, "skills"), &b.connector, skills())
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("person", a.resident.id).await, 1);
}

#[tokio::test]
async fn declaring_skills_for_someone_never_registered_is_a_404_person_not_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &person(Uuid::now_v7(), "skills"),
            &world.connector,
            skills(),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "person-not-registered");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_opting_a_helper_out_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;

    let answer = app
        .post(&person(a.helper.id, "opt-out"), &b.connector, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("person", a.helper.id).await, 3);
}

#[tokio::test]
async fn opting_out_someone_never_registered_is_a_404_person_not_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &person(Uuid::now_v7(), "opt-out"),
            &world.connector,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "person-not-registered");
}

#[tokio::test]
async fn skills_not_sent_as_json_are_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post_text(
            &person(world.resident.id, "skills"),
            &world.resident,
            "koken",
        )
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.version("person", world.resident.id).await, 1);
}
