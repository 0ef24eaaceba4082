//! One's own lists over real HTTP: what a resident asked, where a helper offered, and where they
//! are matched or were credited, newest first, and nothing of anyone else.

use noaber_domain::Role;
use serde_json::{json, Value};

use crate::live::{Live, World};

async fn items(live: &Live, token: &str, path: &str) -> Vec<Value> {
    live.read(path, token).await["items"]
        .as_array()
        .expect("items")
        .clone()
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["request_id"].as_str().expect("an id").to_owned())
        .collect()
}

async fn own_lists_show_each_part_newest_first(live: &Live) {
    let world = World::new(live).await;
    let (admin, resident, helper) = (
        world.token(Role::Admin),
        world.token(Role::Resident),
        world.token(Role::Helper),
    );
    // A second request of the resident, on which the helper offers.
    let q3 = live
        .ok(
            "/v1/requests",
            admin,
            json!({"requester": world.r1, "category": "garden", "neighbourhood_id": world.n1,
                   "consent": "explicit_consent", "description": "De heg snoeien"}),
        )
        .await;
    live.ok(
        &format!("/v1/requests/{q3}/offers"),
        helper,
        json!({"message": "Zaterdag kan ik"}),
    )
    .await;
    live.settle().await;

    let asked = items(live, resident, "/v1/me/requests").await;
    assert_eq!(ids(&asked), [q3.to_string(), world.q1.to_string()]);
    assert!(asked
        .iter()
        .all(|i| i["part"] == "requester" && i["open"] == true));
    assert_eq!(asked[0]["category"], "garden");

    let offered = items(live, helper, "/v1/me/offers").await;
    assert_eq!(ids(&offered), [q3.to_string()]);
    assert_eq!(offered[0]["part"], "offered");
    let matched = items(live, helper, "/v1/me/matches").await;
    assert_eq!(ids(&matched), [world.q1.to_string()]);
    assert_eq!(matched[0]["part"], "matched");

    // Nobody else's: the connector asked nothing and helped nowhere.
    let connector = world.token(Role::Connector);
    for path in ["/v1/me/requests", "/v1/me/offers", "/v1/me/matches"] {
        assert!(items(live, connector, path).await.is_empty(), "{path}");
    }
    assert!(items(live, resident, "/v1/me/matches").await.is_empty());

    // Solved by the helper: it stays in their contributions, no longer open.
    live.ok(
        &format!("/v1/requests/{}/resolve", world.q1),
        admin,
        json!({"resolution": "neighbour", "helpers_credited": [world.helper]}),
    )
    .await;
    live.settle().await;
    let after = items(live, helper, "/v1/me/matches").await;
    assert_eq!(ids(&after), [world.q1.to_string()]);
    assert_eq!(after[0]["open"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_lists_show_each_part_newest_first_on_sqlite() {
    let live = Live::sqlite().await;
    own_lists_show_each_part_newest_first(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_lists_show_each_part_newest_first_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    own_lists_show_each_part_newest_first(&live).await;
}
