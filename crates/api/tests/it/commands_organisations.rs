//! In-process tests of the organisation and neighbourhood endpoints over the embedded store:
//! registering an organisation, the services it offers, deactivating it, and registering a
//! neighbourhood; what each writes, and every refusal as a problem document that wrote nothing.

use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{Caller, TestApp, World};

fn organisation(id: Uuid, tail: &str) -> String {
    format!("/v1/organisations/{id}/{tail}")
}

fn social_service() -> Value {
    json!({"name": "Buurtzorg Oost", "kind": "social_service"})
}

fn services(world: &World) -> Value {
    json!({"categories": ["errands"], "neighbourhoods": [world.neighbourhood]})
}

fn de_kruidenbuurt() -> Value {
    json!({"name": "De Kruidenbuurt", "centroid": {"lat": 52.2215, "lon": 6.8937}, "radius_m": 1500})
}

// ---- POST /v1/organisations ----

#[tokio::test]
async fn a_connector_registering_an_organisation_gets_201_with_what_was_written() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post("/v1/organisations", &world.connector, social_service())
        .await;

    let id = answer.id();
    let version = answer.assert_written(
        StatusCode::CREATED,
        "organisation",
        id,
        &["OrganisationRegistered"],
    );
    assert_eq!(version, 1);
}

#[tokio::test]
async fn an_organisation_of_an_unknown_kind_is_a_400_and_writes_nothing() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            "/v1/organisations",
            &world.connector,
            json!({"name": "Buurtzorg Oost", "kind": "circus"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn an_organisation_with_an_empty_name_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            "/v1/organisations",
            &world.connector,
            json!({"name": "", "kind": "social_service"}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn an_organisation_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post_text("/v1/organisations", &world.connector, "Buurtzorg Oost")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_resident_registering_an_organisation_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post("/v1/organisations", &world.resident, social_service())
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_funder_registering_an_organisation_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let funder = Caller::new(world.tenant, "funder");
    let before = app.head().await;

    let answer = app
        .post("/v1/organisations", &funder, social_service())
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn registering_the_same_organisation_id_twice_is_a_409_organisation_already_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let mut body = social_service();
    body["organisation_id"] = json!(Uuid::now_v7());
    app.ok(
        "/v1/organisations",
        &world.admin,
        body.clone(),
        StatusCode::CREATED,
    )
    .await;
    let before = app.head().await;

    let answer = app.post("/v1/organisations", &world.admin, body).await;

    answer.assert_problem(StatusCode::CONFLICT, "organisation-already-registered");
    assert_eq!(app.head().await, before);
}

// ---- services ----

#[tokio::test]
async fn a_partner_offering_services_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;
    let partner = Caller::new(world.tenant, "partner");

    let answer = app
        .post(&organisation(id, "services"), &partner, services(&world))
        .await;

    let version = answer.assert_written(StatusCode::OK, "organisation", id, &["ServicesOffered"]);
    assert_eq!(version, 2);
}

#[tokio::test]
async fn offering_no_category_is_a_422_no_categories() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;

    let answer = app
        .post(
            &organisation(id, "services"),
            &world.connector,
            json!({"categories": []}),
        )
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "no-categories");
    assert_eq!(app.version("organisation", id).await, 1);
}

#[tokio::test]
async fn offering_an_unknown_category_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;

    let answer = app
        .post(
            &organisation(id, "services"),
            &world.connector,
            json!({"categories": ["no_such_category"]}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.version("organisation", id).await, 1);
}

#[tokio::test]
async fn a_resident_offering_services_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;

    let answer = app
        .post(
            &organisation(id, "services"),
            &world.resident,
            services(&world),
        )
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("organisation", id).await, 1);
}

#[tokio::test]
async fn services_of_an_organisation_never_registered_are_a_404_organisation_not_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;

    let answer = app
        .post(
            &organisation(Uuid::now_v7(), "services"),
            &world.connector,
            services(&world),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "organisation-not-registered");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn services_of_a_deactivated_organisation_are_a_422_organisation_already_inactive() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;
    app.ok(
        &organisation(id, "deactivate"),
        &world.admin,
        json!({}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(
            &organisation(id, "services"),
            &world.connector,
            services(&world),
        )
        .await;

    answer.assert_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "organisation-already-inactive",
    );
    assert_eq!(app.version("organisation", id).await, 2);
}

#[tokio::test]
async fn tenancy_another_tenants_connector_changing_services_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let id = a.organisation(&app).await;

    let answer = app
        .post(&organisation(id, "services"), &b.connector, services(&b))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("organisation", id).await, 1);
}

#[tokio::test]
async fn tenancy_services_in_another_tenants_neighbourhood_are_a_422_unknown_reference() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let id = a.organisation(&app).await;

    let answer = app
        .post(&organisation(id, "services"), &a.connector, services(&b))
        .await;

    answer.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.version("organisation", id).await, 1);
}

#[tokio::test]
async fn services_of_a_malformed_organisation_id_are_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            "/v1/organisations/buurtzorg/services",
            &world.connector,
            services(&world),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn services_not_sent_as_json_are_a_415() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;

    let answer = app
        .post_text(&organisation(id, "services"), &world.connector, "errands")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.version("organisation", id).await, 1);
}

// ---- deactivate ----

#[tokio::test]
async fn a_connector_deactivating_an_organisation_gets_200() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;

    let answer = app
        .post(&organisation(id, "deactivate"), &world.connector, json!({}))
        .await;

    answer.assert_written(
        StatusCode::OK,
        "organisation",
        id,
        &["OrganisationDeactivated"],
    );
}

#[tokio::test]
async fn deactivating_twice_is_a_422_organisation_already_inactive() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;
    app.ok(
        &organisation(id, "deactivate"),
        &world.admin,
        json!({}),
        StatusCode::OK,
    )
    .await;

    let answer = app
        .post(&organisation(id, "deactivate"), &world.admin, json!({}))
        .await;

    answer.assert_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "organisation-already-inactive",
    );
    assert_eq!(app.version("organisation", id).await, 2);
}

#[tokio::test]
async fn a_partner_deactivating_an_organisation_is_refused_with_403_not_allowed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let id = world.organisation(&app).await;
    let partner = Caller::new(world.tenant, "partner");

    let answer = app
        .post(&organisation(id, "deactivate"), &partner, json!({}))
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.version("organisation", id).await, 1);
}

#[tokio::test]
async fn deactivating_an_organisation_never_registered_is_a_404_organisation_not_registered() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post(
            &organisation(Uuid::now_v7(), "deactivate"),
            &world.admin,
            json!({}),
        )
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "organisation-not-registered");
}

#[tokio::test]
async fn tenancy_another_tenants_admin_deactivating_an_organisation_is_a_404_not_found() {
    let app = TestApp::start().await;
    let a = World::new(&app).await;
    let b = World::new(&app).await;
    let id = a.organisation(&app).await;

    let answer = app
        .post(&organisation(id, "deactivate"), &b.admin, json!({}))
        .await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("organisation", id).await, 1);
}

#[tokio::test]
async fn deactivating_a_malformed_organisation_id_is_a_400() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;

    let answer = app
        .post("/v1/organisations/42/deactivate", &world.admin, json!({}))
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

// ---- POST /v1/neighbourhoods ----

#[tokio::test]
async fn an_admin_registering_a_neighbourhood_gets_201_with_what_was_written() {
    let app = TestApp::start().await;
    let admin = Caller::new(Uuid::now_v7(), "admin");

    let answer = app
        .post("/v1/neighbourhoods", &admin, de_kruidenbuurt())
        .await;

    let id = answer.id();
    let version = answer.assert_written(
        StatusCode::CREATED,
        "neighbourhood",
        id,
        &["NeighbourhoodRegistered"],
    );
    assert_eq!(version, 1);
}

#[tokio::test]
async fn a_connector_registering_a_neighbourhood_is_refused_with_403_admin_only() {
    let app = TestApp::start().await;
    let connector = Caller::new(Uuid::now_v7(), "connector");
    let before = app.head().await;

    let answer = app
        .post("/v1/neighbourhoods", &connector, de_kruidenbuurt())
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "admin-only");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_funder_registering_a_neighbourhood_is_refused_with_403_funder_cannot_act() {
    let app = TestApp::start().await;
    let funder = Caller::new(Uuid::now_v7(), "funder");
    let before = app.head().await;

    let answer = app
        .post("/v1/neighbourhoods", &funder, de_kruidenbuurt())
        .await;

    answer.assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn registering_the_same_neighbourhood_id_twice_is_a_409_neighbourhood_already_registered() {
    let app = TestApp::start().await;
    let admin = Caller::new(Uuid::now_v7(), "admin");
    let mut body = de_kruidenbuurt();
    body["neighbourhood_id"] = json!(Uuid::now_v7());
    app.ok(
        "/v1/neighbourhoods",
        &admin,
        body.clone(),
        StatusCode::CREATED,
    )
    .await;
    let before = app.head().await;

    let answer = app.post("/v1/neighbourhoods", &admin, body).await;

    answer.assert_problem(StatusCode::CONFLICT, "neighbourhood-already-registered");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn tenancy_another_tenant_reusing_a_neighbourhood_id_is_a_404_not_found() {
    let app = TestApp::start().await;
    let admin = Caller::new(Uuid::now_v7(), "admin");
    let other_admin = Caller::new(Uuid::now_v7(), "admin");
    let mut body = de_kruidenbuurt();
    let id = Uuid::now_v7();
    body["neighbourhood_id"] = json!(id);
    app.ok(
        "/v1/neighbourhoods",
        &admin,
        body.clone(),
        StatusCode::CREATED,
    )
    .await;

    let answer = app.post("/v1/neighbourhoods", &other_admin, body).await;

    answer.assert_problem(StatusCode::NOT_FOUND, "not-found");
    assert_eq!(app.version("neighbourhood", id).await, 1);
}

#[tokio::test]
async fn a_neighbourhood_with_a_centre_off_the_earth_is_a_400() {
    let app = TestApp::start().await;
    let admin = Caller::new(Uuid::now_v7(), "admin");
    let before = app.head().await;

    let answer = app
        .post(
            "/v1/neighbourhoods",
            &admin,
            json!({"name": "Nergens", "centroid": {"lat": 123.0, "lon": 6.9}, "radius_m": 1500}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.head().await, before);
}

#[tokio::test]
async fn a_neighbourhood_without_a_radius_is_a_400() {
    let app = TestApp::start().await;
    let admin = Caller::new(Uuid::now_v7(), "admin");

    let answer = app
        .post(
            "/v1/neighbourhoods",
            &admin,
            json!({"name": "De Kruidenbuurt", "centroid": {"lat": 52.2, "lon": 6.9}}),
        )
        .await;

    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
}

#[tokio::test]
async fn a_neighbourhood_not_sent_as_json_is_a_415() {
    let app = TestApp::start().await;
    let admin = Caller::new(Uuid::now_v7(), "admin");
    let before = app.head().await;

    let answer = app
        .post_text("/v1/neighbourhoods", &admin, "De Kruidenbuurt")
        .await;

    answer.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type");
    assert_eq!(app.head().await, before);
}
