//! The social map over real HTTP: the tenant's neighbourhoods and organisations with the help
//! they take and where, for every role of the tenant and nothing of another tenant.

use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::live::{Live, World, ROLES};

fn ids(body: &Value, field: &str) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[field].as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_reads_the_neighbourhoods_and_organisations_of_its_own_tenant() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let admin = world.token(Role::Admin);
    let org = live
        .ok(
            "/v1/organisations",
            admin,
            json!({"organisation_id": uuid::Uuid::now_v7(), "name": "Sociaal Huis", "kind": "social_service"}),
        )
        .await;
    live.ok(
        &format!("/v1/organisations/{org}/services"),
        admin,
        json!({"categories": ["paperwork"], "neighbourhoods": [world.n2]}),
    )
    .await;
    live.settle().await;
    for (role, token) in ROLES.iter().zip(world.tokens.iter().map(|(_, t)| t)) {
        let hoods = live.read("/v1/neighbourhoods", token).await;
        let found = ids(&hoods, "neighbourhood_id");
        let expected = [world.n1.to_string(), world.n2.to_string()];
        assert!(
            expected.iter().all(|n| found.contains(n)),
            "{role}: {hoods}"
        );
        let orgs = live.read("/v1/organisations", token).await;
        assert!(
            ids(&orgs, "organisation_id").contains(&org.to_string()),
            "{role}: {orgs}"
        );
    }
    // Filters: the category it takes, where it works.
    let admin_get = |path: String| {
        let live = &live;
        async move { ids(&live.read(&path, admin).await, "organisation_id") }
    };
    assert!(admin_get("/v1/organisations?category=paperwork".into())
        .await
        .contains(&org.to_string()));
    assert!(!admin_get("/v1/organisations?category=garden".into())
        .await
        .contains(&org.to_string()));
    assert!(
        !admin_get(format!("/v1/organisations?neighbourhood={}", world.n1))
            .await
            .contains(&org.to_string())
    );
    assert!(
        admin_get(format!("/v1/organisations?neighbourhood={}", world.n2))
            .await
            .contains(&org.to_string())
    );
    live.ok(
        &format!("/v1/organisations/{org}/deactivate"),
        admin,
        json!({}),
    )
    .await;
    live.settle().await;
    assert!(!admin_get("/v1/organisations?active=true".into())
        .await
        .contains(&org.to_string()));
    let all = live.read("/v1/organisations", admin).await;
    let entry = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["organisation_id"] == org.to_string())
        .expect("still listed");
    assert_eq!(entry["active"], false);
    assert_eq!(entry["categories"], json!(["paperwork"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_social_map_shows_nothing_of_another_tenant_and_refuses_a_bad_query() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let admin = world.token(Role::Admin);
    let hoods = live.read("/v1/neighbourhoods", admin).await;
    assert_eq!(
        hoods["items"].as_array().expect("items").len(),
        2,
        "only this tenant's two neighbourhoods: {hoods}"
    );
    for bad in [
        "/v1/organisations?category=nonsense",
        "/v1/organisations?neighbourhood=abc",
        "/v1/organisations?active=perhaps",
        "/v1/neighbourhoods?colour=blue",
    ] {
        let (status, body) = live.call(Method::GET, bad, admin, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:noaber:problem:")));
    }
    let (status, _) = live
        .call(Method::GET, "/v1/neighbourhoods", "nbr_nonsense", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
