//! Personal data opened on read: each role sees exactly the fields `docs/authorization.md`
//! lists for one request (one test per row), every opening lands in the access log the person
//! can read, and an erased person reads as erased.

use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::live::{Live, World};

const DESCRIPTION: &str = "Wie kan zaterdag boodschappen voor mij doen?";

fn clear(text: &str) -> Value {
    json!({"state": "clear", "text": text})
}

/// What `role` sees of request `q1`: description, requester id, name and contact.
async fn seen(live: &Live, world: &World, role: Role) -> Value {
    let (status, body) = live
        .call(
            Method::GET,
            &format!("/v1/requests/{}", world.q1),
            world.token(role),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{role}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connector_of_the_neighbourhood_reads_what_was_asked_and_whom_to_call() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let body = seen(&live, &world, Role::Connector).await;
    assert_eq!(body["description"], clear(DESCRIPTION));
    assert_eq!(body["requester"]["person_id"], world.r1.to_string());
    assert_eq!(body["requester"]["name"], clear("Anna de Vries"));
    assert_eq!(body["requester"]["contact"], clear("06-12345678"));
    assert_eq!(body["matched"][0]["helper"], world.helper.to_string());
    assert_eq!(
        body["matched"][0]["first_name"],
        Value::Null,
        "a matched helper's name is for the requester"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_who_referred_the_request_reads_it_with_the_contact() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let body = seen(&live, &world, Role::Partner).await;
    assert_eq!(body["description"], clear(DESCRIPTION));
    assert_eq!(body["requester"]["name"], clear("Anna de Vries"));
    assert_eq!(body["requester"]["contact"], clear("06-12345678"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matched_helper_reads_the_request_and_the_first_name_but_not_the_contact() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let body = seen(&live, &world, Role::Helper).await;
    assert_eq!(body["description"], clear(DESCRIPTION));
    assert_eq!(body["requester"]["name"], clear("Anna"));
    assert_eq!(body["requester"]["contact"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ambassador_reads_the_request_but_not_who_to_call() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let body = seen(&live, &world, Role::Ambassador).await;
    assert_eq!(body["description"], clear(DESCRIPTION));
    assert_eq!(body["requester"]["name"], Value::Null);
    assert_eq!(body["requester"]["contact"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requester_reads_everything_of_their_own_request() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let body = seen(&live, &world, Role::Resident).await;
    assert_eq!(body["description"], clear(DESCRIPTION));
    assert_eq!(body["requester"]["name"], clear("Anna de Vries"));
    assert_eq!(body["requester"]["contact"], clear("06-12345678"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_opening_is_in_the_access_log_the_person_reads() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let _ = seen(&live, &world, Role::Connector).await;
    let _ = seen(&live, &world, Role::Helper).await;
    let (status, log) = live
        .call(
            Method::GET,
            "/v1/me/access-log",
            world.token(Role::Resident),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let entries = log.as_array().expect("a list");
    let by = |role: &str| {
        entries
            .iter()
            .find(|e| e["reader_role"] == role && e["resource"] == "GET /v1/requests/{id}")
            .unwrap_or_else(|| panic!("no reading by a {role} in {log}"))
            .clone()
    };
    assert_eq!(
        by("connector")["fields"],
        json!(["contact", "description", "name"])
    );
    assert_eq!(by("helper")["fields"], json!(["description", "first_name"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_requester_reads_as_erased_everywhere() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (status, body) = live
        .call(
            Method::POST,
            &format!("/v1/persons/{}/erase", world.r1),
            world.token(Role::Admin),
            Some(json!({})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    live.settle().await;
    let (status, body) = live
        .call(
            Method::GET,
            &format!("/v1/requests/{}", world.q1),
            world.token(Role::Connector),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["description"], json!({"state": "erased"}));
    assert_eq!(body["requester"]["name"], json!({"state": "erased"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn neighbours_read_the_descriptions_in_their_feed_and_the_reading_is_recorded() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (status, posted) = live
        .call(
            Method::POST,
            "/v1/requests",
            world.token(Role::Resident),
            Some(json!({"category": "errands", "neighbourhood_id": world.n1,
                        "description": "Wie gaat er mee wandelen in het park?"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{posted}");
    live.settle().await;
    let feed = format!("/v1/neighbourhoods/{}/feed", world.n1);
    let (status, page) = live
        .call(Method::GET, &feed, world.token(Role::Helper), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let item = page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == posted["id"]))
        .unwrap_or_else(|| panic!("the new request is in the feed: {page}"))
        .clone();
    assert_eq!(
        item["description"],
        clear("Wie gaat er mee wandelen in het park?")
    );
    let (_, plain) = live
        .call(
            Method::GET,
            &format!("{feed}?open=false"),
            world.token(Role::Helper),
            None,
        )
        .await;
    assert!(
        !plain.to_string().contains("wandelen"),
        "open=false opens nothing: {plain}"
    );
    assert!(
        !plain.to_string().contains("$sealed"),
        "nor sends the sealed form: {plain}"
    );
    let (_, log) = live
        .call(
            Method::GET,
            "/v1/me/access-log",
            world.token(Role::Resident),
            None,
        )
        .await;
    assert!(
        log.as_array().is_some_and(
            |entries| entries.iter().any(|e| e["reader_role"] == "helper"
                && e["resource"] == "GET /v1/neighbourhoods/{id}/feed"
                && e["fields"] == json!(["description"]))
        ),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_downloads_their_own_data_with_everyone_elses_withheld() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let _ = seen(&live, &world, Role::Connector).await;
    let (status, export) = live
        .call(
            Method::GET,
            "/v1/me/export",
            world.token(Role::Resident),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let text = export.to_string();
    assert!(text.contains("Anna de Vries"), "their name is in it");
    assert!(text.contains(DESCRIPTION), "and what they asked");
    assert!(!text.contains("$sealed"), "nothing is left sealed: {text}");
    assert!(
        !text.contains("Bram Helper"),
        "another person's data is withheld"
    );
    assert!(
        export["read_by"]
            .as_array()
            .is_some_and(|r| r.iter().any(|e| e["reader_role"] == "connector")),
        "and who read their data: {}",
        export["read_by"]
    );
    // Their connector downloads it for them, and that is recorded too.
    let (status, _) = live
        .call(
            Method::GET,
            &format!("/v1/persons/{}/export", world.r1),
            world.token(Role::Connector),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = live
        .call(
            Method::GET,
            &format!("/v1/persons/{}/export", world.r2),
            world.token(Role::Connector),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "not a resident of their neighbourhoods"
    );
    let (_, log) = live
        .call(
            Method::GET,
            "/v1/me/access-log",
            world.token(Role::Resident),
            None,
        )
        .await;
    assert!(
        log.as_array().is_some_and(|l| l
            .iter()
            .any(|e| e["resource"] == "GET /v1/persons/{id}/export")),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_taken_for_a_resident_records_its_basis_or_is_refused() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let body = |consent: Option<&str>| {
        let mut b = json!({"requester": world.r1, "category": "errands", "neighbourhood_id": world.n1,
                           "channel": "home_visit", "description": "Boodschappen na het bezoek"});
        if let Some(c) = consent {
            b["consent"] = json!(c);
        }
        b
    };
    let (status, problem) = live
        .call(
            Method::POST,
            "/v1/requests",
            world.token(Role::Connector),
            Some(body(None)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["type"], "urn:noaber:problem:consent-basis-required");
    let (status, written) = live
        .call(
            Method::POST,
            "/v1/requests",
            world.token(Role::Connector),
            Some(body(Some("care_provision"))),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_finds_helpers_by_name_and_number_and_the_reading_is_recorded() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let connector = world.token(Role::Connector);
    let path = format!("/v1/helpers?neighbourhood={}", world.n1);
    let (status, hits) = live.call(Method::GET, &path, connector, None).await;
    assert_eq!(status, StatusCode::OK, "{hits}");
    let bram = hits
        .as_array()
        .expect("a list")
        .iter()
        .find(|h| h["person"] == world.helper.to_string())
        .expect("the helper is listed")
        .clone();
    assert_eq!(bram["name"]["state"], "clear", "{bram}");
    assert_eq!(bram["contact"]["state"], "clear", "{bram}");
    // Left sealed when asked, and then nothing is recorded.
    let (_, sealed) = live
        .call(Method::GET, &format!("{path}&open=false"), connector, None)
        .await;
    assert!(sealed
        .as_array()
        .expect("a list")
        .iter()
        .all(|h| h["name"].is_null() && h["contact"].is_null()));
    live.state.identity.access_log().flush().await;
    let seen = live
        .state
        .identity
        .store()
        .access_of(world.helper.as_uuid(), 50)
        .await
        .expect("the access log reads");
    let helpers_reads: Vec<_> = seen
        .iter()
        .filter(|e| e.resource == "GET /v1/helpers")
        .collect();
    assert_eq!(helpers_reads.len(), 1, "{seen:?}");
    assert_eq!(helpers_reads[0].fields, "contact,name");

    // Suggestions for a request carry the names too; a partner who may read them does not
    // coordinate helpers and gets none.
    let path = format!("/v1/requests/{}/suggestions", world.q2);
    let (status, suggested) = live
        .call(Method::GET, &path, world.token(Role::Admin), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{suggested}");
    let first = &suggested.as_array().expect("a list")[0];
    assert_eq!(first["name"]["state"], "clear", "{first}");
    // A second helper, so that the request referred to the partner has a suggestion.
    let r2 = live.token(world.tenant, world.r2, Role::Resident).await;
    live.ok(&format!("/v1/persons/{}/opt-in", world.r2), &r2, json!({}))
        .await;
    live.settle().await;
    let path = format!("/v1/requests/{}/suggestions", world.q1);
    let (status, for_partner) = live
        .call(Method::GET, &path, world.token(Role::Partner), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{for_partner}");
    let for_partner = for_partner.as_array().expect("a list");
    assert!(!for_partner.is_empty(), "the second helper is suggested");
    assert!(for_partner
        .iter()
        .all(|s| s["name"].is_null() && s["contact"].is_null()));
}
