//! Roles over HTTP, in process: an admin grants and revokes, the person and staff read them
//! back, and every refusal answers with its status and exact problem type: who may not (403),
//! another tenant's person (404), a grant held already (409), a broken rule (422), a scope of
//! the wrong shape (400), and a scope naming another tenant's neighbourhood (422).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

use crate::support;

const TENANT_A: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_00a0);
const TENANT_B: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_00b0);
const ADMIN_A: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_0a0a);
const ADMIN_B: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_0b0b);
const HOOD_A: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_1a1a);
const HOOD_B: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_1b1b);
/// Gus lives in tenant A and is the one granted roles.
const GUS: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_6a6a);
/// Bea lives in tenant B.
const BEA: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_6b6b);
/// Someone else in tenant A.
const RUTH: Uuid = Uuid::from_u128(0x0190_a0a0_0000_7000_8000_0000_0000_7a7a);

struct Caller {
    tenant: Uuid,
    actor: Uuid,
    role: &'static str,
}

const fn admin_a() -> Caller {
    Caller {
        tenant: TENANT_A,
        actor: ADMIN_A,
        role: "admin",
    }
}

const fn as_role(role: &'static str) -> Caller {
    Caller {
        tenant: TENANT_A,
        actor: RUTH,
        role,
    }
}

fn request(method: &str, path: &str, caller: &Caller, body: Option<Value>) -> Request<Body> {
    let builder = Request::builder()
        .method(method)
        .uri(path)
        .header("x-noaber-tenant", caller.tenant.to_string())
        .header("x-noaber-actor", caller.actor.to_string())
        .header("x-noaber-role", caller.role);
    match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("a valid request")
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let response: Response = app.clone().oneshot(req).await.expect("infallible");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

async fn post(app: &Router, path: &str, caller: &Caller, body: Value) -> (StatusCode, Value) {
    call(app, request("POST", path, caller, Some(body))).await
}

fn roles_of(person: Uuid) -> String {
    format!("/v1/persons/{person}/roles")
}

fn revoke_of(person: Uuid) -> String {
    format!("/v1/persons/{person}/roles/revoke")
}

/// Asserts a problem document's status and type.
#[track_caller]
fn assert_problem(got: (StatusCode, Value), status: StatusCode, code: &str) {
    let (got_status, body) = got;
    assert_eq!(got_status, status, "{body}");
    assert_eq!(body["type"], format!("urn:noaber:problem:{code}"), "{body}");
}

/// Two tenants, each with an admin, a neighbourhood and a registered person.
async fn two_tenants() -> (Router, tempfile::TempDir) {
    let (app, dir) = support::sqlite_app().await;
    let admin_b = Caller {
        tenant: TENANT_B,
        actor: ADMIN_B,
        role: "admin",
    };
    for (admin, hood, person) in [(admin_a(), HOOD_A, GUS), (admin_b, HOOD_B, BEA)] {
        let (status, body) = post(
            &app,
            "/v1/neighbourhoods",
            &admin,
            json!({"neighbourhood_id": hood, "name": "Kruidenbuurt", "centroid": {"lat": 52.2215, "lon": 6.8937}, "radius_m": 1500}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = post(
            &app,
            "/v1/persons",
            &admin,
            json!({"person_id": person, "name": "Gus", "neighbourhood_id": hood, "digital_access": "offline",
                   "consent": "explicit_consent", "channel": "home_visit"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    (app, dir)
}

fn connector_grant() -> Value {
    json!({"role": "connector", "scope": {"neighbourhoods": [HOOD_A]}})
}

#[tokio::test]
async fn an_admin_grants_a_connector_and_the_person_and_staff_read_it_back() {
    let (app, _dir) = two_tenants().await;
    let (status, body) = post(&app, &roles_of(GUS), &admin_a(), connector_grant()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["events"], json!(["RoleGranted"]));

    let path = format!("{}?fresh=true", roles_of(GUS));
    let (status, body) = call(&app, request("GET", &path, &admin_a(), None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["grants"][0]["role"], "connector");
    assert_eq!(
        body["grants"][0]["scope"],
        json!({"neighbourhoods": [HOOD_A]})
    );
    assert_eq!(body["grants"][0]["granted_by"], json!(ADMIN_A));
    assert_eq!(body["history"][0]["change"], "granted");

    let gus = Caller {
        tenant: TENANT_A,
        actor: GUS,
        role: "resident",
    };
    let (status, body) = call(&app, request("GET", &path, &gus, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["grants"].as_array().map(Vec::len), Some(1));

    let other = call(&app, request("GET", &path, &as_role("resident"), None)).await;
    assert_problem(other, StatusCode::FORBIDDEN, "forbidden");
    let auditor = call(&app, request("GET", &path, &as_role("auditor"), None)).await;
    assert_problem(auditor, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn an_admin_revokes_and_the_grant_is_gone() {
    let (app, _dir) = two_tenants().await;
    post(&app, &roles_of(GUS), &admin_a(), connector_grant()).await;
    let (status, body) = post(
        &app,
        &revoke_of(GUS),
        &admin_a(),
        json!({"role": "connector", "reason": "stepped_down"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["events"], json!(["RoleRevoked"]));
    let path = format!("{}?fresh=true", roles_of(GUS));
    let (_, body) = call(&app, request("GET", &path, &admin_a(), None)).await;
    assert_eq!(body["grants"], json!([]));
    assert_eq!(body["history"][1]["change"], "revoked");
    assert_eq!(body["history"][1]["reason"], "stepped_down");
}

#[tokio::test]
async fn a_tenant_wide_and_an_organisation_scope_are_accepted() {
    let (app, _dir) = two_tenants().await;
    let (status, body) = post(
        &app,
        &roles_of(GUS),
        &admin_a(),
        json!({"role": "auditor", "scope": "tenant"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = post(
        &app,
        "/v1/organisations",
        &admin_a(),
        json!({"name": "Sociaal Huis", "kind": "social_service"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let organisation = body["id"].clone();
    let (status, body) = post(
        &app,
        &roles_of(GUS),
        &admin_a(),
        json!({"role": "partner", "scope": {"organisation": organisation}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn residents_funders_and_auditors_grant_nothing() {
    let (app, _dir) = two_tenants().await;
    for (role, code) in [
        ("resident", "not-allowed"),
        ("funder", "funder-cannot-act"),
        ("auditor", "auditor-cannot-act"),
    ] {
        let got = post(&app, &roles_of(GUS), &as_role(role), connector_grant()).await;
        assert_problem(got, StatusCode::FORBIDDEN, code);
    }
    let got = post(
        &app,
        &roles_of(GUS),
        &as_role("connector"),
        connector_grant(),
    )
    .await;
    assert_problem(got, StatusCode::FORBIDDEN, "admin-only");
}

#[tokio::test]
async fn another_tenants_person_is_not_found() {
    let (app, _dir) = two_tenants().await;
    let got = post(
        &app,
        &roles_of(BEA),
        &admin_a(),
        json!({"role": "auditor", "scope": "tenant"}),
    )
    .await;
    assert_problem(got, StatusCode::NOT_FOUND, "not-found");
    let path = format!("{}?fresh=true", roles_of(BEA));
    let got = call(&app, request("GET", &path, &admin_a(), None)).await;
    assert_problem(got, StatusCode::NOT_FOUND, "not-found");
}

#[tokio::test]
async fn the_same_grant_twice_is_a_conflict_and_broken_rules_are_422() {
    let (app, _dir) = two_tenants().await;
    post(&app, &roles_of(GUS), &admin_a(), connector_grant()).await;
    let again = post(&app, &roles_of(GUS), &admin_a(), connector_grant()).await;
    assert_problem(again, StatusCode::CONFLICT, "role-already-granted");

    let misfit = post(
        &app,
        &roles_of(GUS),
        &admin_a(),
        json!({"role": "admin", "scope": {"neighbourhoods": [HOOD_A]}}),
    )
    .await;
    assert_problem(
        misfit,
        StatusCode::UNPROCESSABLE_ENTITY,
        "scope-does-not-fit-role",
    );

    let helper = post(
        &app,
        &roles_of(GUS),
        &admin_a(),
        json!({"role": "helper", "scope": "tenant"}),
    )
    .await;
    assert_problem(
        helper,
        StatusCode::UNPROCESSABLE_ENTITY,
        "role-not-grantable",
    );

    let not_held = post(&app, &revoke_of(GUS), &admin_a(), json!({"role": "admin"})).await;
    assert_problem(
        not_held,
        StatusCode::UNPROCESSABLE_ENTITY,
        "role-not-granted",
    );
}

#[tokio::test]
async fn a_scope_of_the_wrong_shape_is_bad_input() {
    let (app, _dir) = two_tenants().await;
    for body in [
        json!({"role": "connector", "scope": {"neighbourhoods": []}}),
        json!({"role": "connector", "scope": {"planet": "earth"}}),
        json!({"role": "connector", "scope": "everywhere"}),
        json!({"role": "connector"}),
        json!({"role": "mayor", "scope": "tenant"}),
    ] {
        let got = post(&app, &roles_of(GUS), &admin_a(), body.clone()).await;
        assert_problem(got, StatusCode::BAD_REQUEST, "bad-input");
    }
}

#[tokio::test]
async fn a_connector_over_another_tenants_neighbourhood_is_an_unknown_reference() {
    let (app, _dir) = two_tenants().await;
    let got = post(
        &app,
        &roles_of(GUS),
        &admin_a(),
        json!({"role": "connector", "scope": {"neighbourhoods": [HOOD_A, HOOD_B]}}),
    )
    .await;
    assert_problem(got, StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
}
