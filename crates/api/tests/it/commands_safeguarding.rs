//! In-process tests of the safeguarding endpoints over the embedded store: screenings, the
//! tenant's sensitive categories and the gate they put on offers and matches, suspending a
//! helper (and their matches back in the queue), and incidents and complaints, which reach the
//! connector queue and never the feed. Every refusal is a problem document that wrote nothing;
//! a retried command answers its first outcome; another tenant's person or incident is 404.

use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{Answer, Caller, TestApp, World};

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

fn person_path(person: Uuid, tail: &str) -> String {
    format!("/v1/persons/{person}/{tail}")
}

fn request_path(request: Uuid, tail: &str) -> String {
    format!("/v1/requests/{request}/{tail}")
}

fn incident_path(incident: Uuid, tail: &str) -> String {
    format!("/v1/incidents/{incident}/{tail}")
}

const SENSITIVE: &str = "/v1/tenant/sensitive-categories";

/// A VOG valid from a year ago until `valid_until`.
fn vog(valid_until: chrono::NaiveDate) -> Value {
    json!({"kind": "vog", "issued_on": today() - Duration::days(365), "valid_until": valid_until})
}

/// A VOG valid from a year ago for two more years.
fn valid_vog() -> Value {
    vog(today() + Duration::days(2 * 365))
}

async fn put_sensitive(app: &TestApp, caller: &Caller, codes: &[&str]) -> Answer {
    app.call(
        Method::PUT,
        SENSITIVE,
        caller,
        Some(&json!({"categories": codes})),
        None,
    )
    .await
}

/// The admin of `world` marks company and care support sensitive.
async fn company_is_sensitive(app: &TestApp, world: &World) {
    let answer = put_sensitive(app, &world.admin, &["company", "care_support"]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

/// The resident of `world` asks for company at home; the request's id.
async fn company_request(app: &TestApp, world: &World) -> Uuid {
    app.ok(
        "/v1/requests",
        &world.resident,
        json!({"category": "company", "neighbourhood_id": world.neighbourhood,
               "description": "Wie komt er op dinsdagmiddag een kopje koffie drinken?"}),
        StatusCode::CREATED,
    )
    .await
}

async fn offer(app: &TestApp, world: &World, request: Uuid) -> Answer {
    app.post(&request_path(request, "offers"), &world.helper, json!({}))
        .await
}

async fn connector_matches(app: &TestApp, world: &World, request: Uuid) -> Answer {
    app.post(
        &request_path(request, "matches"),
        &world.connector,
        json!({"helper": world.helper.id}),
    )
    .await
}

async fn suspend_helper(app: &TestApp, world: &World) -> Answer {
    app.post(
        &person_path(world.helper.id, "suspend"),
        &world.connector,
        json!({"reason": "conduct", "note": "Klacht van mevrouw; gesprek volgt"}),
    )
    .await
}

/// What `caller` sees in `world`'s neighbourhood: the queue (for staff) or the feed.
async fn read(app: &TestApp, world: &World, what: &str, caller: &Caller) -> Value {
    let path = match what {
        "queue" => format!(
            "/v1/queue?neighbourhoods={}&fresh=true",
            world.neighbourhood
        ),
        _ => format!("/v1/neighbourhoods/{}/feed?fresh=true", world.neighbourhood),
    };
    let answer = app.get(&path, caller).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

/// The queue item about `kind` `id`, if any.
fn queue_item<'a>(queue: &'a Value, kind: &str, id: Uuid) -> Option<&'a Value> {
    queue
        .as_array()
        .expect("the queue is a list")
        .iter()
        .find(|item| item["subject"] == json!({"kind": kind, "id": id}))
}

async fn report(app: &TestApp, caller: &Caller, body: Value) -> Answer {
    app.post("/v1/incidents", caller, body).await
}

fn complaint_about(request: Uuid, helper: Uuid) -> Value {
    json!({"kind": "complaint", "request_id": request, "person_id": helper,
           "description": "Hij kwam twee keer niet opdagen en was onbeleefd"})
}

// ---- screenings ----

#[tokio::test]
async fn a_connector_records_a_helpers_screening() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let answer = app
        .post(
            &person_path(world.helper.id, "screenings"),
            &world.connector,
            valid_vog(),
        )
        .await;
    answer.assert_written(
        StatusCode::CREATED,
        "person",
        world.helper.id,
        &["ScreeningRecorded"],
    );
    let answer = app
        .post(
            &person_path(world.helper.id, "screenings"),
            &world.admin,
            json!({"kind": "criminal_record_extract", "issued_on": today(),
                   "valid_until": today() + Duration::days(365)}),
        )
        .await;
    answer.assert_written(
        StatusCode::CREATED,
        "person",
        world.helper.id,
        &["ScreeningRecorded"],
    );
}

#[tokio::test]
async fn only_a_connector_or_admin_records_or_withdraws_a_screening() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let path = person_path(world.helper.id, "screenings");
    let before = app.head().await;
    for role in ["resident", "helper", "partner", "ambassador"] {
        app.post(&path, &world.helper.as_role(role), valid_vog())
            .await
            .assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    }
    app.post(&path, &Caller::new(world.tenant, "funder"), valid_vog())
        .await
        .assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    app.post(
        &person_path(world.helper.id, "screening/withdraw"),
        &world.helper,
        json!({"reason": "revoked"}),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    assert_eq!(app.head().await, before, "a refusal writes nothing");
}

#[tokio::test]
async fn a_screening_takes_dates_and_a_kind_and_nothing_else() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let path = person_path(world.helper.id, "screenings");
    let mut with_number = valid_vog();
    with_number["certificate_number"] = json!("VOG-2025-123456");
    app.post(&path, &world.connector, with_number)
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    app.post(
        &path,
        &world.connector,
        json!({"kind": "passport", "issued_on": today(), "valid_until": today()}),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    app.post(
        &path,
        &world.connector,
        json!({"kind": "vog", "issued_on": "1 februari", "valid_until": today()}),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    app.post(
        &path,
        &world.connector,
        json!({"kind": "vog", "issued_on": today() + Duration::days(3),
               "valid_until": today() + Duration::days(400)}),
    )
    .await
    .assert_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "screening-issued-in-future",
    );
    app.post(
        &path,
        &world.connector,
        json!({"kind": "vog", "issued_on": today(), "valid_until": today() - Duration::days(1)}),
    )
    .await
    .assert_problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "screening-ends-before-issued",
    );
    let same = valid_vog();
    app.ok(&path, &world.connector, same.clone(), StatusCode::CREATED)
        .await;
    app.post(&path, &world.connector, same)
        .await
        .assert_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "screening-already-recorded",
        );
}

#[tokio::test]
async fn a_withdrawn_screening_no_longer_lets_a_helper_into_a_sensitive_category() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    company_is_sensitive(&app, &world).await;
    let withdraw = person_path(world.helper.id, "screening/withdraw");
    app.post(&withdraw, &world.connector, json!({"reason": "revoked"}))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "no-screening");
    app.ok(
        &person_path(world.helper.id, "screenings"),
        &world.connector,
        valid_vog(),
        StatusCode::CREATED,
    )
    .await;
    app.post(
        &withdraw,
        &world.connector,
        json!({"reason": "recorded_in_error"}),
    )
    .await
    .assert_written(
        StatusCode::OK,
        "person",
        world.helper.id,
        &["ScreeningWithdrawn"],
    );
    let request = company_request(&app, &world).await;
    offer(&app, &world, request)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "helper-not-screened");
}

// ---- the gate on offers and matches ----

#[tokio::test]
async fn an_unscreened_helper_neither_offers_nor_is_matched_in_a_sensitive_category() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    company_is_sensitive(&app, &world).await;
    let request = company_request(&app, &world).await;

    let refused = offer(&app, &world, request).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "helper-not-screened");
    assert!(
        refused.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("company")),
        "{}",
        refused.body
    );
    connector_matches(&app, &world, request)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "helper-not-screened");
    assert_eq!(app.version("request", request).await, 1, "nothing written");

    app.ok(
        &person_path(world.helper.id, "screenings"),
        &world.connector,
        valid_vog(),
        StatusCode::CREATED,
    )
    .await;
    offer(&app, &world, request).await.assert_written(
        StatusCode::OK,
        "request",
        request,
        &["HelpOffered"],
    );
    app.post(
        &request_path(request, "matches"),
        &world.resident,
        json!({"helper": world.helper.id}),
    )
    .await
    .assert_written(StatusCode::OK, "request", request, &["HelperMatched"]);
}

#[tokio::test]
async fn an_expired_screening_is_refused_with_the_day_it_expired() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    company_is_sensitive(&app, &world).await;
    let expired = today() - Duration::days(1);
    app.ok(
        &person_path(world.helper.id, "screenings"),
        &world.connector,
        vog(expired),
        StatusCode::CREATED,
    )
    .await;
    let request = company_request(&app, &world).await;
    let refused = connector_matches(&app, &world, request).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "screening-expired");
    assert!(
        refused.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&expired.to_string())),
        "{}",
        refused.body
    );
}

#[tokio::test]
async fn an_unscreened_helper_is_matched_where_the_tenant_requires_no_screening() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    company_is_sensitive(&app, &world).await;
    let request = world.post_request(&app).await;
    connector_matches(&app, &world, request)
        .await
        .assert_written(StatusCode::OK, "request", request, &["HelperMatched"]);
}

// ---- the tenant's sensitive categories ----

#[tokio::test]
async fn only_the_admin_marks_categories_sensitive_and_staff_can_read_them() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    put_sensitive(&app, &world.connector, &["company"])
        .await
        .assert_problem(StatusCode::FORBIDDEN, "admin-only");
    put_sensitive(&app, &world.resident, &["company"])
        .await
        .assert_problem(StatusCode::FORBIDDEN, "admin-only");
    put_sensitive(&app, &world.admin, &["astrology"])
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-input");

    put_sensitive(&app, &world.admin, &["company", "care_support"])
        .await
        .assert_written(
            StatusCode::OK,
            "tenant",
            world.tenant,
            &["TenantSettingsChanged"],
        );
    put_sensitive(&app, &world.admin, &["care_support", "company"])
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "tenant-unchanged");

    let path = format!("{SENSITIVE}?fresh=true");
    for staff in [&world.connector, &world.admin] {
        let answer = app.get(&path, staff).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(
            answer.body,
            json!({"categories": ["care_support", "company"]})
        );
    }
    app.get(&path, &world.resident)
        .await
        .assert_problem(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn another_tenants_sensitive_categories_do_not_apply_here() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let other = World::new(&app).await;
    company_is_sensitive(&app, &other).await;
    let request = company_request(&app, &world).await;
    connector_matches(&app, &world, request)
        .await
        .assert_written(StatusCode::OK, "request", request, &["HelperMatched"]);
}

// ---- suspension ----

#[tokio::test]
async fn a_suspended_helper_cannot_offer_be_matched_or_opt_in_until_it_is_lifted() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    suspend_helper(&app, &world).await.assert_written(
        StatusCode::OK,
        "person",
        world.helper.id,
        &["HelperSuspended"],
    );
    // At once: the executor's facts are as fresh as the log.
    let request = world.post_request(&app).await;
    offer(&app, &world, request)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "helper-suspended");
    connector_matches(&app, &world, request)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "helper-suspended");
    let opt_in = person_path(world.helper.id, "opt-in");
    app.post(&opt_in, &world.helper, json!({}))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "helper-suspended");

    app.post(
        &person_path(world.helper.id, "suspension/lift"),
        &world.connector,
        json!({}),
    )
    .await
    .assert_written(
        StatusCode::OK,
        "person",
        world.helper.id,
        &["SuspensionLifted"],
    );
    app.ok(&opt_in, &world.helper, json!({}), StatusCode::OK)
        .await;
    offer(&app, &world, request).await.assert_written(
        StatusCode::OK,
        "request",
        request,
        &["HelpOffered"],
    );
}

#[tokio::test]
async fn suspending_twice_lifting_nothing_and_suspending_as_a_resident_are_refused() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let lift = person_path(world.helper.id, "suspension/lift");
    app.post(&lift, &world.connector, json!({}))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "not-suspended");
    for caller in [&world.resident, &world.helper] {
        app.post(
            &person_path(world.helper.id, "suspend"),
            caller,
            json!({"reason": "conduct"}),
        )
        .await
        .assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    }
    app.post(
        &person_path(world.helper.id, "suspend"),
        &world.connector,
        json!({"reason": "because I say so"}),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    suspend_helper(&app, &world).await;
    suspend_helper(&app, &world)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "already-suspended");
    app.post(&lift, &world.helper, json!({}))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "not-allowed");
}

#[tokio::test]
async fn a_suspended_helpers_open_matches_come_back_to_the_connector_queue() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let first = world.post_request(&app).await;
    let second = world.post_request(&app).await;
    for request in [first, second] {
        app.ok(
            &request_path(request, "triage"),
            &world.connector,
            json!({"route": "informal"}),
            StatusCode::OK,
        )
        .await;
        connector_matches(&app, &world, request).await;
    }
    let queue = read(&app, &world, "queue", &world.connector).await;
    assert!(queue_item(&queue, "request", first).is_none(), "{queue}");

    suspend_helper(&app, &world).await;
    let queue = read(&app, &world, "queue", &world.connector).await;
    for request in [first, second] {
        let item = queue_item(&queue, "request", request).expect("the match is back");
        assert_eq!(item["reasons"], json!(["helper_suspended"]), "{item}");
    }
    app.ok(
        &request_path(first, &format!("matches/{}/cancel", world.helper.id)),
        &world.connector,
        json!({"reason": "helper_unavailable"}),
        StatusCode::OK,
    )
    .await;
    let queue = read(&app, &world, "queue", &world.connector).await;
    assert!(queue_item(&queue, "request", first).is_none(), "{queue}");
    assert!(queue_item(&queue, "request", second).is_some(), "{queue}");
}

#[tokio::test]
async fn a_suspension_names_an_incident_of_the_tenant_only() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let path = person_path(world.helper.id, "suspend");
    app.post(
        &path,
        &world.connector,
        json!({"reason": "incident_under_review", "incident_id": Uuid::now_v7()}),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    let incident = report(
        &app,
        &world.resident,
        json!({"kind": "incident", "person_id": world.helper.id,
               "description": "Er is geld uit mijn portemonnee verdwenen"}),
    )
    .await
    .id();
    app.post(
        &path,
        &world.connector,
        json!({"reason": "incident_under_review", "incident_id": incident}),
    )
    .await
    .assert_written(
        StatusCode::OK,
        "person",
        world.helper.id,
        &["HelperSuspended"],
    );
}

// ---- incidents and complaints ----

#[tokio::test]
async fn anyone_signed_in_reports_an_incident_but_a_funder_or_auditor_does_not() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let reporters = [
        world.resident.clone(),
        world.helper.clone(),
        Caller::new(world.tenant, "partner"),
        Caller::new(world.tenant, "ambassador"),
        world.connector.clone(),
    ];
    for reporter in &reporters {
        let answer = report(&app, reporter, complaint_about(request, world.helper.id)).await;
        let id = answer.id();
        answer.assert_written(StatusCode::CREATED, "incident", id, &["IncidentReported"]);
    }
    report(
        &app,
        &Caller::new(world.tenant, "funder"),
        complaint_about(request, world.helper.id),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "funder-cannot-act");
    report(
        &app,
        &Caller::new(world.tenant, "auditor"),
        complaint_about(request, world.helper.id),
    )
    .await
    .assert_problem(StatusCode::FORBIDDEN, "auditor-cannot-act");
}

#[tokio::test]
async fn a_report_names_something_of_the_tenant_and_says_what_happened() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let before = app.head().await;
    report(
        &app,
        &world.resident,
        json!({"kind": "complaint", "description": "Niet goed geholpen"}),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "incident-about-nothing");
    report(
        &app,
        &world.resident,
        json!({"kind": "complaint", "person_id": world.helper.id, "description": "  "}),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "empty-report");
    report(
        &app,
        &world.resident,
        complaint_about(Uuid::now_v7(), world.helper.id),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    report(
        &app,
        &world.resident,
        json!({"kind": "rumour", "person_id": world.helper.id, "description": "x"}),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert_eq!(app.head().await, before, "a refusal writes nothing");
}

#[tokio::test]
async fn an_incident_reaches_the_connector_queue_and_never_the_feed() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let request = world.post_request(&app).await;
    let incident = report(
        &app,
        &world.resident,
        json!({"kind": "incident", "request_id": request, "person_id": world.helper.id,
               "description": "Hij werd boos en gooide de deur dicht"}),
    )
    .await
    .id();

    let queue = read(&app, &world, "queue", &world.connector).await;
    let item = queue_item(&queue, "incident", incident).expect("in the queue");
    assert_eq!(item["reasons"], json!(["incident_reported"]), "{item}");
    assert_eq!(item["neighbourhood"], json!(world.neighbourhood), "{item}");
    assert_eq!(item["age_hours"], json!(0), "{item}");
    assert!(item["since"].is_string(), "{item}");

    for caller in [&world.resident, &world.helper, &world.connector] {
        let feed = read(&app, &world, "feed", caller).await.to_string();
        assert!(!feed.contains(&incident.to_string()), "{feed}");
        assert!(!feed.contains("deur dicht"), "{feed}");
        assert!(
            feed.contains(&request.to_string()),
            "the request is there: {feed}"
        );
    }
}

#[tokio::test]
async fn an_incident_description_is_sealed_in_the_log() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let incident = report(
        &app,
        &world.resident,
        json!({"kind": "complaint", "person_id": world.helper.id,
               "description": "Hij rookte binnen terwijl ik dat niet wil"}),
    )
    .await
    .id();
    use futures::StreamExt;
    let stream = noaber_store::StreamId::for_aggregate("incident", incident);
    let stored: Vec<_> = app.store.read_stream(&stream, 1).collect().await;
    let [Ok(event)] = stored.as_slice() else {
        panic!("one event, got {stored:?}");
    };
    let payload = event.payload.to_string();
    assert!(!payload.contains("rookte"), "{payload}");
    assert!(
        event.payload["description"].get("$sealed").is_some(),
        "{payload}"
    );
}

#[tokio::test]
async fn a_connector_acknowledges_an_incident_and_closes_it() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let incident = report(
        &app,
        &world.helper,
        json!({"kind": "complaint", "person_id": world.resident.id,
               "description": "Mevrouw schold mij uit"}),
    )
    .await
    .id();
    let acknowledge = incident_path(incident, "acknowledge");
    let close = incident_path(incident, "close");
    app.post(&acknowledge, &world.resident, json!({}))
        .await
        .assert_problem(StatusCode::FORBIDDEN, "not-allowed");
    app.post(&acknowledge, &world.connector, json!({}))
        .await
        .assert_written(
            StatusCode::OK,
            "incident",
            incident,
            &["IncidentAcknowledged"],
        );
    app.post(&acknowledge, &world.connector, json!({}))
        .await
        .assert_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "incident-already-acknowledged",
        );
    let queue = read(&app, &world, "queue", &world.connector).await;
    let item = queue_item(&queue, "incident", incident).expect("still in the queue");
    assert_eq!(item["reasons"], json!(["incident_open"]), "{item}");

    app.post(&close, &world.connector, json!({"outcome": "maybe"}))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    app.post(&close, &world.connector, json!({"outcome": "resolved"}))
        .await
        .assert_written(StatusCode::OK, "incident", incident, &["IncidentClosed"]);
    app.post(&close, &world.admin, json!({"outcome": "resolved"}))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "incident-closed");
    let queue = read(&app, &world, "queue", &world.connector).await;
    assert!(
        queue_item(&queue, "incident", incident).is_none(),
        "{queue}"
    );

    app.post(
        &incident_path(Uuid::now_v7(), "acknowledge"),
        &world.connector,
        json!({}),
    )
    .await
    .assert_problem(StatusCode::NOT_FOUND, "incident-not-reported");
}

// ---- idempotency ----

#[tokio::test]
async fn a_retried_command_answers_its_first_outcome_and_writes_nothing_more() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let cases = [
        (
            person_path(world.helper.id, "screenings"),
            world.connector.clone(),
            valid_vog(),
        ),
        (
            person_path(world.helper.id, "suspend"),
            world.connector.clone(),
            json!({"reason": "conduct"}),
        ),
        (
            "/v1/incidents".to_owned(),
            world.resident.clone(),
            json!({"kind": "complaint", "person_id": world.helper.id,
                   "description": "Te laat en niet gebeld"}),
        ),
    ];
    for (path, caller, body) in cases {
        let key = Uuid::now_v7();
        let first = app.post_with_key(&path, &caller, body.clone(), key).await;
        assert!(first.status.is_success(), "{path}: {}", first.body);
        let head = app.head().await;
        let again = app.post_with_key(&path, &caller, body, key).await;
        assert_eq!(again.status, first.status, "{path}: {}", again.body);
        assert_eq!(again.body["retry"], json!(true), "{path}: {}", again.body);
        assert_eq!(again.body["id"], first.body["id"], "{path}");
        assert_eq!(again.body["positions"], first.body["positions"], "{path}");
        assert_eq!(app.head().await, head, "{path}: nothing written again");
    }
    let key = Uuid::now_v7();
    let first = app
        .call(
            Method::PUT,
            SENSITIVE,
            &world.admin,
            Some(&json!({"categories": ["company"]})),
            Some(key),
        )
        .await;
    let again = app
        .call(
            Method::PUT,
            SENSITIVE,
            &world.admin,
            Some(&json!({"categories": ["company"]})),
            Some(key),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["retry"], json!(true), "{}", again.body);
    assert_eq!(again.body["positions"], first.body["positions"]);
}

// ---- another tenant ----

#[tokio::test]
async fn another_tenants_person_or_incident_is_not_found() {
    let app = TestApp::start().await;
    let world = World::new(&app).await;
    let other = World::new(&app).await;
    let incident = report(
        &app,
        &world.resident,
        json!({"kind": "complaint", "person_id": world.helper.id,
               "description": "Hij was onvriendelijk"}),
    )
    .await
    .id();
    let before = app.head().await;
    let helper = world.helper.id;
    let attempts = [
        (person_path(helper, "screenings"), valid_vog()),
        (
            person_path(helper, "screening/withdraw"),
            json!({"reason": "revoked"}),
        ),
        (person_path(helper, "suspend"), json!({"reason": "conduct"})),
        (person_path(helper, "suspension/lift"), json!({})),
        (incident_path(incident, "acknowledge"), json!({})),
        (
            incident_path(incident, "close"),
            json!({"outcome": "unfounded"}),
        ),
    ];
    for (path, body) in attempts {
        app.post(&path, &other.connector, body)
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not-found");
    }
    report(
        &app,
        &other.resident,
        json!({"kind": "complaint", "person_id": helper, "description": "Onbekende buurman"}),
    )
    .await
    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown-reference");
    assert_eq!(app.head().await, before, "nothing written");
}
