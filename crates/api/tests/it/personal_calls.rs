//! The call field table of `docs/authorization.md`, one test per row: over real HTTP with
//! bearer tokens, a call's title for whoever reaches it and its answers for its organisers
//! alone, every opening in the access log. Expected values are written by hand from the table.

use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::live::{Live, World};
use crate::personal_fields::{clear, logged};

/// A call of `o1` to `n1` published by the connector, asking name and contact, answered by
/// `r1`; and a call to `n2` by the administrator.
async fn calls(live: &Live, world: &World) -> (Uuid, Uuid) {
    let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let c1 = live
        .ok(
            "/v1/calls",
            world.token(Role::Connector),
            json!({"title": "Sneeuw ruimen", "description": "Wie heeft een schep?",
                   "organisation_id": world.o1, "neighbourhoods": [world.n1],
                   "fields_asked": ["name", "contact"], "hands_needed": 5, "deadline": deadline}),
        )
        .await;
    let c2 = live
        .ok(
            "/v1/calls",
            world.token(Role::Admin),
            json!({"title": "Buurtfeest Oost", "neighbourhoods": [world.n2],
                   "hands_needed": 3, "deadline": deadline}),
        )
        .await;
    live.ok(
        &format!("/v1/calls/{c1}/answers"),
        world.token(Role::Resident),
        json!({"name": "Anna de Vries", "contact": "06-12345678"}),
    )
    .await;
    live.settle().await;
    (c1, c2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calls_title_is_for_its_neighbours_and_organisers_and_its_answers_for_organisers_alone() {
    let live = Live::sqlite().await;
    the_call_table_holds(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_table_holds_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    the_call_table_holds(&live).await;
}

/// Every row of the call table, for every role, over `live`.
async fn the_call_table_holds(live: &Live) {
    let world = World::new(live).await;
    let (c1, c2) = calls(live, &world).await;
    let r2 = live.token(world.tenant, world.r2, Role::Resident).await;
    let answer = json!([{"person_id": world.r1.to_string(), "name": clear("Anna de Vries"),
                          "contact": clear("06-12345678"), "availability": null}]);
    let cases: [(&str, &str, u16, Value); 9] = [
        ("admin", world.token(Role::Admin), 200, answer.clone()),
        (
            "connector",
            world.token(Role::Connector),
            200,
            answer.clone(),
        ),
        ("partner", world.token(Role::Partner), 200, answer.clone()),
        (
            "ambassador",
            world.token(Role::Ambassador),
            200,
            Value::Null,
        ),
        ("helper of n1", world.token(Role::Helper), 200, Value::Null),
        // Who answered reads their own answer back, and only that.
        ("resident of n1", world.token(Role::Resident), 200, answer),
        ("resident of n2", &r2, 403, Value::Null),
        ("funder", world.token(Role::Funder), 403, Value::Null),
        ("auditor", world.token(Role::Auditor), 403, Value::Null),
    ];
    for (what, token, status, answers) in cases {
        let (got, body) = live
            .call(Method::GET, &format!("/v1/calls/{c1}"), token, None)
            .await;
        assert_eq!(got.as_u16(), status, "{what}: {body}");
        if status == 200 {
            assert_eq!(body["title"], clear("Sneeuw ruimen"), "{what}");
            assert_eq!(body["description"], clear("Wie heeft een schep?"), "{what}");
            assert_eq!(body["answers"], answers, "{what}");
            assert_eq!(body["answer_count"], 1, "{what}");
        }
    }
    // The call to n2 is outside the connector's neighbourhoods, and not the partner's.
    for (what, role, status) in [
        ("admin", Role::Admin, 200),
        ("connector", Role::Connector, 403),
        ("partner", Role::Partner, 403),
        ("ambassador", Role::Ambassador, 403),
        ("helper", Role::Helper, 403),
    ] {
        let (got, body) = live
            .call(
                Method::GET,
                &format!("/v1/calls/{c2}"),
                world.token(role),
                None,
            )
            .await;
        assert_eq!(got.as_u16(), status, "{what}: {body}");
    }
    assert_eq!(
        logged(live, &r2, "resident", "GET /v1/calls/{id}").await,
        Vec::<String>::new()
    );
    assert_eq!(
        logged(
            live,
            world.token(Role::Resident),
            "connector",
            "GET /v1/calls/{id}"
        )
        .await,
        ["contact", "name"]
    );
    assert!(logged(
        live,
        world.token(Role::Resident),
        "ambassador",
        "GET /v1/calls/{id}"
    )
    .await
    .is_empty());
    assert_eq!(
        logged(
            live,
            world.token(Role::Connector),
            "helper",
            "GET /v1/calls/{id}"
        )
        .await,
        ["call_description", "call_title"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_of_another_tenant_or_none_at_all_is_not_found() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    for id in [Uuid::now_v7().to_string(), world.q1.to_string()] {
        let (status, body) = live
            .call(
                Method::GET,
                &format!("/v1/calls/{id}"),
                world.token(Role::Admin),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["type"], "urn:noaber:problem:not-found");
    }
    let (status, body) = live
        .call(
            Method::GET,
            "/v1/calls/not-an-id",
            world.token(Role::Admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_list_shows_each_caller_the_calls_they_reach_newest_first() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (c1, c2) = calls(&live, &world).await;
    let listed = |token: String, path: &'static str| {
        let live = &live;
        async move {
            let (status, body) = live.call(Method::GET, path, &token, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            body["items"].as_array().expect("items").clone()
        }
    };
    let ids = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .map(|c| c["call_id"].as_str().expect("an id").to_owned())
            .collect()
    };
    // The administrator organises both, newest first.
    let all = listed(world.token(Role::Admin).to_owned(), "/v1/calls").await;
    assert_eq!(ids(&all), [c2.to_string(), c1.to_string()]);
    assert!(all.iter().all(|c| c["organiser"] == true));
    let first = all
        .iter()
        .find(|c| c["call_id"] == c1.to_string())
        .expect("c1");
    assert_eq!(first["answers"], 1);
    assert!(first.get("title").is_none(), "no sealed words in the list");
    // The connector of n1 organises c1 only; a resident of n1 sees c1 as a neighbour.
    let connector = listed(world.token(Role::Connector).to_owned(), "/v1/calls").await;
    assert_eq!(ids(&connector), [c1.to_string()]);
    assert_eq!(connector[0]["organiser"], true);
    let resident = listed(world.token(Role::Resident).to_owned(), "/v1/calls").await;
    assert_eq!(ids(&resident), [c1.to_string()]);
    assert_eq!(resident[0]["organiser"], false);
    // Closed calls leave the open list.
    live.ok(
        &format!("/v1/calls/{c2}/close"),
        world.token(Role::Admin),
        json!({"reason": "filled"}),
    )
    .await;
    live.settle().await;
    let open = listed(world.token(Role::Admin).to_owned(), "/v1/calls?open=true").await;
    assert_eq!(ids(&open), [c1.to_string()]);
    let (status, _) = live
        .call(
            Method::GET,
            "/v1/calls?open=maybe",
            world.token(Role::Admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
