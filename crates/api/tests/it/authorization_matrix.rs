//! The authorization matrix: every read and a command, for every role, against the caller's
//! own neighbourhood, another neighbourhood, the partner's organisation and another tenant,
//! over real HTTP with real bearer tokens, on both stores.
//!
//! The expected answers are written by hand from the table in `docs/authorization.md`, not
//! computed from the code under test. Columns: admin, connector, ambassador, partner, funder,
//! auditor, helper, resident (see `live::ROLES`).

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::live::{Live, World, ROLES};

const OK: u16 = 200;
const NO: u16 = 403;
const NF: u16 = 404;

/// One row: a request to make, and the status each role must get.
struct Row {
    what: &'static str,
    method: Method,
    path: String,
    body: Option<serde_json::Value>,
    expected: [u16; 8],
}

fn rows(w: &World) -> Vec<Row> {
    let (q1, q2, qb, n1, n2, r1) = (w.q1, w.q2, w.qb, w.n1, w.n2, w.r1);
    let get = |what, path: String, expected| Row {
        what,
        method: Method::GET,
        path,
        body: None,
        expected,
    };
    vec![
        //                                                      adm conn amb  part fund aud  help res
        get(
            "request in own neighbourhood/organisation",
            format!("/v1/requests/{q1}"),
            [OK, OK, OK, OK, NO, NO, OK, OK],
        ),
        get(
            "request in another neighbourhood",
            format!("/v1/requests/{q2}"),
            [OK, NO, NO, NO, NO, NO, NO, NO],
        ),
        get(
            "request of another tenant",
            format!("/v1/requests/{qb}"),
            [NF, NF, NF, NF, NF, NF, NF, NF],
        ),
        get(
            "history of own request",
            format!("/v1/requests/{q1}/history"),
            [OK, OK, NO, OK, NO, NO, NO, OK],
        ),
        get(
            "history of another neighbourhood's request",
            format!("/v1/requests/{q2}/history"),
            [OK, NO, NO, NO, NO, NO, NO, NO],
        ),
        get(
            "history of another tenant's request",
            format!("/v1/requests/{qb}/history"),
            [NF, NF, NF, NF, NF, NF, NF, NF],
        ),
        get(
            "suggestions for own request",
            format!("/v1/requests/{q1}/suggestions"),
            [OK, OK, NO, OK, NO, NO, NO, NO],
        ),
        get(
            "queue of own neighbourhood",
            format!("/v1/queue?neighbourhoods={n1}"),
            [OK, OK, NO, NO, NO, NO, NO, NO],
        ),
        get(
            "queue of another neighbourhood",
            format!("/v1/queue?neighbourhoods={n2}"),
            [OK, NO, NO, NO, NO, NO, NO, NO],
        ),
        get(
            "feed of own neighbourhood",
            format!("/v1/neighbourhoods/{n1}/feed"),
            [OK, OK, OK, NO, NO, NO, OK, OK],
        ),
        get(
            "feed of another neighbourhood",
            format!("/v1/neighbourhoods/{n2}/feed"),
            [OK, NO, NO, NO, NO, NO, NO, NO],
        ),
        get(
            "helpers of own neighbourhood",
            format!("/v1/helpers?neighbourhood={n1}"),
            [OK, OK, NO, NO, NO, NO, NO, NO],
        ),
        get(
            "signals of own neighbourhood",
            format!("/v1/signals?neighbourhoods={n1}&from=2026-01-01&to=2027-01-01"),
            [OK, OK, OK, OK, NO, NO, NO, NO],
        ),
        get(
            "funder figures",
            "/v1/kpis?from=2026-01-01&to=2027-01-01".to_owned(),
            [OK, OK, NO, OK, OK, NO, NO, NO],
        ),
        get(
            "history of a resident of own neighbourhood",
            format!("/v1/persons/{r1}/history"),
            [OK, OK, NO, NO, NO, NO, NO, OK],
        ),
        get(
            "who am I",
            "/v1/me".to_owned(),
            [OK, OK, OK, OK, OK, OK, OK, OK],
        ),
        get(
            "the neighbourhoods of the social map",
            "/v1/neighbourhoods".to_owned(),
            [OK, OK, OK, OK, OK, OK, OK, OK],
        ),
        get(
            "the organisations of the social map",
            "/v1/organisations".to_owned(),
            [OK, OK, OK, OK, OK, OK, OK, OK],
        ),
        get(
            "how long personal data is kept",
            "/v1/tenant/retention".to_owned(),
            [OK, OK, NO, NO, NO, NO, NO, NO],
        ),
        get(
            "which categories need a screening",
            "/v1/tenant/sensitive-categories".to_owned(),
            [OK, OK, NO, NO, NO, NO, NO, NO],
        ),
        Row {
            what: "triage of another neighbourhood's request",
            method: Method::POST,
            path: format!("/v1/requests/{q2}/triage"),
            body: Some(json!({"route": "informal"})),
            // The admin goes last (see below), so the request is still untriaged for the others.
            expected: [OK, NO, NO, NO, NO, NO, NO, NO],
        },
    ]
}

async fn run_matrix(live: &Live) {
    let world = World::new(live).await;
    let mut failures = Vec::new();
    for row in rows(&world) {
        // Admin last: a command it may give changes the request for the roles after it.
        for (i, role) in ROLES.iter().enumerate().rev() {
            let (status, body) = live
                .call(
                    row.method.clone(),
                    &row.path,
                    world.token(*role),
                    row.body.clone(),
                )
                .await;
            if status.as_u16() != row.expected[i] {
                failures.push(format!(
                    "{} as {role}: expected {}, got {status} {body}",
                    row.what, row.expected[i]
                ));
            }
            if !status.is_success() {
                assert_eq!(
                    body["status"],
                    status.as_u16(),
                    "every refusal is a problem document: {body}"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says_on_sqlite() {
    run_matrix(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_table_says_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    run_matrix(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_of_another_tenant_answers_exactly_like_an_unknown_id() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let unknown = Uuid::now_v7();
    for role in ROLES {
        let token = world.token(role);
        for (known, path) in [
            (world.qb, format!("/v1/requests/{}", world.qb)),
            (world.qb, format!("/v1/requests/{}/history", world.qb)),
        ] {
            let (status, body) = live.call(Method::GET, &path, token, None).await;
            let (status_unknown, body_unknown) = live
                .call(
                    Method::GET,
                    &path.replace(&known.to_string(), &unknown.to_string()),
                    token,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{role} {path}: {body}");
            assert_eq!(status, status_unknown, "{role} {path}");
            let text = body.to_string().replace(&known.to_string(), "<id>");
            let text_unknown = body_unknown
                .to_string()
                .replace(&unknown.to_string(), "<id>");
            assert_eq!(text, text_unknown, "{role} {path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_or_session_nothing_under_v1_answers_but_sign_in_and_the_taxonomy() {
    let live = Live::sqlite().await;
    let client = reqwest::Client::new();
    for path in [
        "/v1/me",
        "/v1/queue",
        "/v1/kpis",
        "/v1/helpers",
        "/v1/requests/0190a0a0-0000-7000-8000-000000000001",
    ] {
        let response = client
            .get(format!("{}{path}", live.base))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let response = client
        .get(format!("{}/v1/taxonomy", live.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    // The development headers are not accepted by a server not configured for them.
    let response = client
        .get(format!("{}/v1/me", live.base))
        .header("x-noaber-tenant", Uuid::now_v7().to_string())
        .header("x-noaber-actor", Uuid::now_v7().to_string())
        .header("x-noaber-role", "admin")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
