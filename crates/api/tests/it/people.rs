//! Looking people up over real HTTP on both stores: a connector finds people of their own
//! neighbourhoods by name, skill and availability through a body (never an address), each
//! person returned recorded in their access log, and reads the volunteer list; others may not.

use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::live::{Live, World};

fn people(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["person"].as_str().expect("a person").to_owned())
        .collect()
}

async fn search(live: &Live, token: &str, body: Value) -> (StatusCode, Value) {
    live.call(Method::POST, "/v1/persons/search", token, Some(body))
        .await
}

async fn a_connector_finds_people_of_their_neighbourhoods(live: &Live) {
    let world = World::new(live).await;
    let (connector, admin) = (world.token(Role::Connector), world.token(Role::Admin));

    // By part of the name, any case: Anna de Vries lives in the connector's neighbourhood.
    let (status, found) = search(live, connector, json!({"name": "DE VRI"})).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(people(&found), [world.r1.to_string()]);
    assert_eq!(found["items"][0]["name"]["text"], "Anna de Vries");
    assert_eq!(found["items"][0]["contact"]["text"], "06-12345678");
    assert!(found["next_cursor"].is_null());
    // Rob Oost lives in the other neighbourhood: not the connector's to find.
    let (_, none) = search(live, connector, json!({"name": "rob"})).await;
    assert!(people(&none).is_empty(), "{none}");
    let (_, rob) = search(live, admin, json!({"name": "rob"})).await;
    assert_eq!(people(&rob), [world.r2.to_string()]);

    // By skill and availability: the helper.
    let (_, skilled) = search(
        live,
        connector,
        json!({"skill": "grocery_shopping", "helpers_only": true}),
    )
    .await;
    assert_eq!(people(&skilled), [world.helper.to_string()]);
    assert_eq!(skilled["items"][0]["helper"], true);

    // Paging through everyone of the neighbourhood, two at a time, shows each once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = json!({"limit": 2});
        if let Some(c) = &cursor {
            body["cursor"] = json!(c);
        }
        let (status, page) = search(live, connector, body).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(people(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    assert!(seen.contains(&world.r1.to_string()));
    assert!(!seen.contains(&world.r2.to_string()));

    // Each person returned is in their own access log, naming the lookup.
    live.settle().await;
    let anna = live.token(world.tenant, world.r1, Role::Resident).await;
    let log = live.read("/v1/me/access-log", &anna).await;
    assert!(
        log.as_array()
            .expect("entries")
            .iter()
            .any(|e| e["resource"] == "POST /v1/persons/search"),
        "{log}"
    );

    // Not in an address, not for others, not half a letter, not another's neighbourhood.
    let (status, _) = live
        .call(Method::GET, "/v1/persons/search?name=anna", connector, None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    for role in [Role::Resident, Role::Helper, Role::Funder, Role::Partner] {
        let (status, problem) = search(live, world.token(role), json!({"name": "anna"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}: {problem}");
    }
    let (status, problem) = search(live, connector, json!({"name": "a"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem["detail"].as_str().expect("detail").contains("name"));
    let (status, _) = search(live, connector, json!({"neighbourhoods": [world.n2]})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = search(live, connector, json!({"nickname": "x"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = search(live, connector, json!({"cursor": "not-ours!"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn the_volunteer_list_holds_who_agreed_to_calls(live: &Live) {
    let world = World::new(live).await;
    let connector = world.token(Role::Connector);
    let list = live.read("/v1/volunteers", connector).await;
    assert_eq!(people(&list), [world.helper.to_string()]);
    assert_eq!(list["items"][0]["available_for_calls"], true);
    assert_eq!(list["items"][0]["name"]["text"], "Bram Helper");
    let by_skill = live
        .read("/v1/volunteers?skill=lawn_mowing", connector)
        .await;
    assert!(people(&by_skill).is_empty());
    let sealed = live.read("/v1/volunteers?open=false", connector).await;
    assert!(sealed["items"][0]["name"].is_null());
    let (status, problem) = live
        .call(
            Method::GET,
            "/v1/volunteers?available=someday",
            connector,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    for role in [Role::Resident, Role::Helper, Role::Funder] {
        let (status, _) = live
            .call(Method::GET, "/v1/volunteers", world.token(role), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_finds_people_of_their_neighbourhoods_on_sqlite() {
    a_connector_finds_people_of_their_neighbourhoods(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_finds_people_of_their_neighbourhoods_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    a_connector_finds_people_of_their_neighbourhoods(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_volunteer_list_holds_who_agreed_to_calls_on_sqlite() {
    the_volunteer_list_holds_who_agreed_to_calls(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_volunteer_list_holds_who_agreed_to_calls_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    the_volunteer_list_holds_who_agreed_to_calls(&live).await;
}
