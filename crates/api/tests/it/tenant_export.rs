//! A tenant's export when its contract ends: every event of the tenant and nothing of another,
//! personal data opened (or erased where it was), in the documented shape, and the reading in
//! the access log.

use chrono::Utc;
use noaber_api::tenant_export::{export_tenant, FORMAT, RESOURCE};
use noaber_domain::Role;
use serde_json::{json, Value};

use crate::live::{Live, World};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_export_holds_its_whole_log_opened_and_nothing_of_another_tenant() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    live.ok(
        &format!("/v1/persons/{}/erase", world.r2),
        world.token(Role::Admin),
        json!({}),
    )
    .await;
    let mut out = Vec::new();
    let summary = export_tenant(
        live.state.store.as_ref(),
        &live.state.privacy,
        live.state.identity.store().as_ref(),
        world.tenant,
        Utc::now(),
        &mut out,
    )
    .await
    .expect("the export is written");
    let text = String::from_utf8(out).expect("UTF-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert_eq!(lines[0]["format"], FORMAT);
    assert_eq!(lines[0]["tenant"], world.tenant.to_string());
    let events = &lines[1..lines.len() - 1];
    assert_eq!(events.len() as u64, summary.events);
    assert_eq!(
        lines[lines.len() - 1]["summary"]["events"],
        json!(summary.events)
    );

    // Exactly the tenant's events, in log order, and none of the other tenant's.
    let filter = noaber_store::EventFilter {
        tenant_id: Some(world.tenant.as_uuid()),
        ..Default::default()
    };
    let stored: Vec<_> = futures::TryStreamExt::try_collect::<Vec<_>>(live.state.store.read_all(
        noaber_store::Checkpoint::START,
        100_000,
        &filter,
    ))
    .await
    .expect("the log reads");
    let positions: Vec<i64> = events
        .iter()
        .map(|e| e["position"].as_i64().expect("a position"))
        .collect();
    assert_eq!(
        positions,
        stored.iter().map(|e| e.position).collect::<Vec<_>>()
    );
    assert!(
        !text.contains(&world.qb.to_string()),
        "another tenant's request"
    );
    assert!(!text.contains("$sealed"), "every personal value is opened");

    // Personal data opened, in the current shape; the erased person reads as erased.
    let posted = events
        .iter()
        .find(|e| e["type"] == "RequestPosted" && e["data"]["request_id"] == world.q1.to_string())
        .expect("q1 was posted");
    assert_eq!(
        posted["data"]["description"]["$pii"]["text"],
        "Wie kan zaterdag boodschappen voor mij doen?"
    );
    assert_eq!(posted["schema_version"], 3);
    let erased = events
        .iter()
        .find(|e| e["type"] == "PersonRegistered" && e["data"]["person_id"] == world.r2.to_string())
        .expect("r2 was registered");
    assert_eq!(erased["data"]["name"]["$pii"]["erased"], true);
    assert!(summary.erased_values >= 1);

    // The reading is in the access log of every person whose data it holds.
    let read = live
        .state
        .identity
        .store()
        .access_of(world.r1.as_uuid(), 50)
        .await
        .expect("the access log reads");
    let entry = read
        .iter()
        .find(|e| e.resource == RESOURCE)
        .expect("the export is recorded");
    assert!(entry.fields.contains("name"), "{}", entry.fields);
    assert_eq!(entry.reader_role, "admin");
}
