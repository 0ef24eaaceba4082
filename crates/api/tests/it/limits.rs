//! Regressions (issue 12): every size a caller controls has a limit answered with a problem
//! document (`docs/limits.md`), and a malformed query is a problem document, never plain text.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use noaber_api::http::limits::{MAX_BODY_BYTES, MAX_LIST_ITEMS};
use serde_json::json;
use uuid::Uuid;

use crate::support::{Answer, Caller, TestApp};

/// Insists `answer` is a 400 problem whose detail names `parameter`.
#[track_caller]
fn assert_names(answer: &Answer, parameter: &str) {
    answer.assert_problem(StatusCode::BAD_REQUEST, "bad-input");
    assert!(
        answer.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(parameter)),
        "the detail names {parameter}: {}",
        answer.body
    );
}

#[tokio::test]
async fn kpis_a_weekly_series_from_year_1_to_9999_is_refused_not_allocated() {
    let app = TestApp::start().await;
    let funder = Caller::new(Uuid::now_v7(), "funder");

    let answer = app
        .get(
            "/v1/kpis?from=0001-01-01&to=9999-12-31&series=week",
            &funder,
        )
        .await;

    assert_names(&answer, "from..to");
}

#[tokio::test]
async fn kpis_a_series_of_more_than_1000_steps_is_a_400_naming_series() {
    let app = TestApp::start().await;
    let funder = Caller::new(Uuid::now_v7(), "funder");

    let answer = app
        .get(
            "/v1/kpis?from=2000-01-01&to=2040-01-01&series=week",
            &funder,
        )
        .await;

    assert_names(&answer, "series");
    let monthly = app
        .get(
            "/v1/kpis?from=2000-01-01&to=2040-01-01&series=month",
            &funder,
        )
        .await;
    assert_eq!(monthly.status, StatusCode::OK, "{}", monthly.body);
}

#[tokio::test]
async fn kpis_a_baseline_period_over_the_limit_is_a_400_naming_it() {
    let app = TestApp::start().await;
    let funder = Caller::new(Uuid::now_v7(), "funder");

    let answer = app
        .get(
            "/v1/kpis?from=2024-01-01&to=2025-01-01&compare_from=1900-01-01&compare_to=2024-01-01",
            &funder,
        )
        .await;

    assert_names(&answer, "compare_from..compare_to");
}

#[tokio::test]
async fn signals_a_period_of_thousands_of_years_is_a_400_naming_the_period() {
    let app = TestApp::start().await;
    let connector = Caller::new(Uuid::now_v7(), "connector");

    let answer = app
        .get("/v1/signals?from=0001-01-01&to=9999-12-31", &connector)
        .await;

    assert_names(&answer, "from..to");
}

#[tokio::test]
async fn page_sizes_over_the_limit_are_a_400_naming_limit() {
    let app = TestApp::start().await;
    let connector = Caller::new(Uuid::now_v7(), "connector");
    let somewhere = Uuid::now_v7();

    for path in [
        format!("/v1/neighbourhoods/{somewhere}/feed?limit=1000000"),
        format!("/v1/requests/{somewhere}/suggestions?limit=101"),
        "/v1/helpers?limit=0".to_owned(),
    ] {
        let answer = app.get(&path, &connector).await;
        assert_names(&answer, "limit");
    }
}

#[tokio::test]
async fn a_list_in_a_body_over_the_limit_is_a_400_naming_the_field() {
    let app = TestApp::start().await;
    let resident = Caller::new(Uuid::now_v7(), "resident");
    let skills = vec!["grocery_shopping"; MAX_LIST_ITEMS + 1];

    let answer = app
        .post(
            &format!("/v1/persons/{}/skills", resident.id),
            &resident,
            json!({"skills": skills, "max_distance_m": 2000}),
        )
        .await;

    assert_names(&answer, "skills");
}

#[tokio::test]
async fn a_list_in_a_query_over_the_limit_is_a_400_naming_the_parameter() {
    let app = TestApp::start().await;
    let connector = Caller::new(Uuid::now_v7(), "connector");
    let ids = vec![Uuid::now_v7().to_string(); MAX_LIST_ITEMS + 1].join(",");

    let answer = app
        .get(&format!("/v1/queue?neighbourhoods={ids}"), &connector)
        .await;

    assert_names(&answer, "neighbourhoods");
}

fn oversized(caller: &Caller, announce_length: bool) -> Request<Body> {
    let description = "x".repeat(MAX_BODY_BYTES + 1);
    let body = json!({"category": "errands", "neighbourhood_id": Uuid::now_v7(),
                      "description": description})
    .to_string();
    let mut request = Request::post("/v1/requests")
        .header("x-noaber-tenant", caller.tenant.to_string())
        .header("x-noaber-actor", caller.id.to_string())
        .header("x-noaber-role", caller.role)
        .header("content-type", "application/json");
    if announce_length {
        request = request.header("content-length", body.len().to_string());
    }
    request.body(Body::from(body)).expect("a valid request")
}

#[tokio::test]
async fn an_oversized_body_is_a_413_problem_not_a_400() {
    let app = TestApp::start().await;
    let resident = Caller::new(Uuid::now_v7(), "resident");

    for announce_length in [true, false] {
        let answer = app.send(oversized(&resident, announce_length)).await;
        answer.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "body-too-large");
    }
}

/// A malformed query on each read that takes one: a problem document, never `text/plain`.
#[tokio::test]
async fn malformed_query_strings_are_answered_with_problem_documents() {
    let app = TestApp::start().await;
    let tenant = Uuid::now_v7();
    let funder = Caller::new(tenant, "funder");
    let connector = Caller::new(tenant, "connector");
    let somewhere = Uuid::now_v7();

    for (path, caller, parameter) in [
        (
            "/v1/kpis?from=2024-01-01&to=2025-01-01&series=fortnight".to_owned(),
            &funder,
            "series",
        ),
        ("/v1/kpis?from=2024-01-01".to_owned(), &funder, "to"),
        (
            format!("/v1/queue?neighbourhoods={somewhere}&no_offer_hours=-3"),
            &connector,
            "no_offer_hours",
        ),
        (
            format!("/v1/queue?neighbourhoods={somewhere}&fresh=perhaps"),
            &connector,
            "fresh",
        ),
        (
            format!("/v1/neighbourhoods/{somewhere}/feed?limit=ten"),
            &connector,
            "limit",
        ),
        (
            "/v1/signals?from=last-week&to=2025-01-01".to_owned(),
            &connector,
            "from",
        ),
        (
            "/v1/signals?from=2024-01-01&to=2025-01-01&granularity=daily".to_owned(),
            &connector,
            "granularity",
        ),
    ] {
        let answer = app.call(Method::GET, &path, caller, None, None).await;
        assert_eq!(
            answer.content_type, "application/problem+json",
            "{path}: {}",
            answer.body
        );
        assert_names(&answer, parameter);
    }
}
