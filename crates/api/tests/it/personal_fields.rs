//! The request field table of `docs/authorization.md`, one test per row: over real HTTP with
//! bearer tokens, every reader of a request sees exactly the fields its row gives them, and
//! every opening is in the access log of the person whose data it is. Expected values are
//! written by hand from the table. (The call table is `personal_calls`.)

use noaber_domain::{PersonId, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::live::{Live, World};

pub(crate) fn clear(text: &str) -> Value {
    json!({"state": "clear", "text": text})
}

/// Someone who reads: a name for failure messages and a bearer token.
pub(crate) struct Reader {
    pub what: &'static str,
    pub token: String,
}

/// A second helper of `n1`, with a helper's token.
pub(crate) async fn second_helper(live: &Live, world: &World) -> (PersonId, String) {
    let admin = world.token(Role::Admin);
    let cor = PersonId::new(
        live.ok(
            "/v1/persons",
            admin,
            json!({"person_id": Uuid::now_v7(), "name": "Cor van Dijk", "contact": "06-8",
                   "consent": "explicit_consent", "neighbourhood_id": world.n1,
                   "digital_access": "digital", "location": {"lat": 52.0911, "lon": 5.1220}}),
        )
        .await,
    );
    let as_resident = live.token(world.tenant, cor, Role::Resident).await;
    live.ok(
        &format!("/v1/persons/{cor}/skills"),
        &as_resident,
        json!({"skills": ["grocery_shopping"], "max_distance_m": 2000}),
    )
    .await;
    live.ok(
        &format!("/v1/persons/{cor}/opt-in"),
        &as_resident,
        json!({}),
    )
    .await;
    live.settle().await;
    (cor, live.token(world.tenant, cor, Role::Helper).await)
}

/// Every reader of a request in `n1` referred in by `o1`, and the second helper's token.
pub(crate) fn readers(world: &World, offered: &str) -> Vec<Reader> {
    let reader = |what, role| Reader {
        what,
        token: world.token(role).to_owned(),
    };
    vec![
        reader("admin", Role::Admin),
        reader("connector", Role::Connector),
        reader("partner", Role::Partner),
        reader("ambassador", Role::Ambassador),
        reader("matched helper", Role::Helper),
        Reader {
            what: "helper who offered",
            token: offered.to_owned(),
        },
        reader("requester", Role::Resident),
    ]
}

/// The request `q` as the holder of `token` sees it.
pub(crate) async fn view(live: &Live, token: &str, q: Uuid) -> Value {
    live.read(&format!("/v1/requests/{q}"), token).await
}

/// The fields of the subject (holder of `token`) that readers in `role` opened through
/// `resource`, over every entry.
pub(crate) async fn logged(live: &Live, token: &str, role: &str, resource: &str) -> Vec<String> {
    let (status, log) = live
        .call(Method::GET, "/v1/me/access-log?limit=500", token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let mut fields: Vec<String> = log
        .as_array()
        .expect("a list")
        .iter()
        .filter(|e| e["reader_role"] == role && e["resource"] == resource)
        .flat_map(|e| e["fields"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f.as_str().map(str::to_owned))
        .collect();
    fields.sort();
    fields.dedup();
    fields
}

/// Request `q` of `r1` in `n1`, referred in by `o1`, for two hands: triaged with a note; the
/// matched helper and a second helper offered with a message; the requester accepted the
/// first; then referred to `o1` with a reason, and `o1` took it on with a note.
async fn scene(live: &Live, world: &World) -> (Uuid, PersonId, String) {
    let admin = world.token(Role::Admin);
    let (cor, cor_token) = second_helper(live, world).await;
    let q = live
        .ok(
            "/v1/requests",
            admin,
            json!({"requester": world.r1, "category": "errands", "neighbourhood_id": world.n1,
                   "consent": "explicit_consent", "referred_by": world.o1,
                   "channel": "partner_referral", "hands_needed": 2,
                   "description": "Wie helpt met de tuin?"}),
        )
        .await;
    let step = |tail: &str| format!("/v1/requests/{q}/{tail}");
    live.ok(
        &step("triage"),
        admin,
        json!({"route": "informal", "note": "Belt liever 's middags"}),
    )
    .await;
    live.ok(
        &step("offers"),
        world.token(Role::Helper),
        json!({"message": "Ik kan zaterdag"}),
    )
    .await;
    live.ok(
        &step("offers"),
        &cor_token,
        json!({"message": "Ik heb een auto"}),
    )
    .await;
    live.ok(
        &step("matches"),
        world.token(Role::Resident),
        json!({"helper": world.helper}),
    )
    .await;
    live.ok(
        &step("referrals"),
        admin,
        json!({"organisation_id": world.o1, "reason": "Mogelijk thuiszorg nodig"}),
    )
    .await;
    live.ok(
        &step("referrals/outcome"),
        world.token(Role::Partner),
        json!({"outcome": "accepted", "note": "Intake op dinsdag"}),
    )
    .await;
    live.settle().await;
    (q, cor, cor_token)
}

/// Checks that each reader sees `field(view)` as expected, in reader order.
#[track_caller]
fn expect_row(seen: &[(String, Value)], field: impl Fn(&Value) -> Value, expected: &[Value]) {
    for ((what, body), want) in seen.iter().zip(expected) {
        assert_eq!(&field(body), want, "what a {what} sees, in {body}");
    }
}

async fn seen_by_all(live: &Live, readers: &[Reader], q: Uuid) -> Vec<(String, Value)> {
    let mut seen = Vec::new();
    for r in readers {
        seen.push((r.what.to_owned(), view(live, &r.token, q).await));
    }
    seen
}

const REQUEST: &str = "GET /v1/requests/{id}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requesters_name_is_whole_for_staff_and_the_requester_and_a_first_name_for_the_matched_helper(
) {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (q, _, cor_token) = scene(&live, &world).await;
    let seen = seen_by_all(&live, &readers(&world, &cor_token), q).await;
    let full = clear("Anna de Vries");
    //           admin         connector     partner       ambassador   matched          offered      requester
    let expected = [
        full.clone(),
        full.clone(),
        full.clone(),
        Value::Null,
        clear("Anna"),
        Value::Null,
        full,
    ];
    expect_row(&seen, |b| b["requester"]["name"].clone(), &expected);
    // Everyone reaching the request knows who asked: it is not anonymous.
    expect_row(
        &seen,
        |b| b["requester"]["person_id"].clone(),
        &vec![json!(world.r1.to_string()); 7],
    );
    let anna = world.token(Role::Resident);
    assert_eq!(
        logged(&live, anna, "helper", REQUEST).await,
        ["description", "first_name"]
    );
    assert_eq!(
        logged(&live, anna, "partner", REQUEST).await,
        ["contact", "description", "name", "referral_note"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requesters_contact_is_for_staff_and_the_requester_and_not_for_helpers_unless_shared() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (q, _, cor_token) = scene(&live, &world).await;
    let seen = seen_by_all(&live, &readers(&world, &cor_token), q).await;
    let phone = clear("06-12345678");
    let expected = [
        phone.clone(),
        phone.clone(),
        phone.clone(),
        Value::Null,
        Value::Null,
        Value::Null,
        phone,
    ];
    expect_row(&seen, |b| b["requester"]["contact"].clone(), &expected);
    let anna = world.token(Role::Resident);
    assert!(!logged(&live, anna, "helper", REQUEST)
        .await
        .contains(&"contact".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_matched_helpers_first_name_is_for_the_requester_alone() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (q, _, cor_token) = scene(&live, &world).await;
    let seen = seen_by_all(&live, &readers(&world, &cor_token), q).await;
    let mut expected = vec![Value::Null; 6];
    expected.push(clear("Bram"));
    expect_row(&seen, |b| b["matched"][0]["first_name"].clone(), &expected);
    // Nobody sees the helper's contact: they did not choose to share it.
    expect_row(
        &seen,
        |b| b["matched"][0]["contact"].clone(),
        &vec![Value::Null; 7],
    );
    expect_row(
        &seen,
        |b| b["matched"][0]["helper"].clone(),
        &vec![json!(world.helper.to_string()); 7],
    );
    let bram = world.token(Role::Helper);
    assert_eq!(
        logged(&live, bram, "resident", REQUEST).await,
        ["first_name", "offer_message"]
    );
    assert!(logged(&live, bram, "connector", REQUEST)
        .await
        .iter()
        .all(|f| f == "offer_message"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_message_is_for_its_writer_the_requester_and_the_connector_or_admin() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (q, cor, cor_token) = scene(&live, &world).await;
    let seen = seen_by_all(&live, &readers(&world, &cor_token), q).await;
    let cors = clear("Ik heb een auto");
    let brams = clear("Ik kan zaterdag");
    let offer = |b: &Value| {
        b["offers"]
            .as_array()
            .and_then(|o| o.iter().find(|o| o["helper"] == cor.to_string()))
            .map_or(json!("no such offer"), |o| o["message"].clone())
    };
    //           admin        connector    partner      ambassador   matched      offered      requester
    let expected = [
        cors.clone(),
        cors.clone(),
        Value::Null,
        Value::Null,
        Value::Null,
        cors.clone(),
        cors,
    ];
    expect_row(&seen, offer, &expected);
    let expected = [
        brams.clone(),
        brams.clone(),
        Value::Null,
        Value::Null,
        brams.clone(),
        Value::Null,
        brams,
    ];
    expect_row(&seen, |b| b["matched"][0]["message"].clone(), &expected);
    for role in ["admin", "connector", "resident"] {
        assert_eq!(
            logged(&live, &cor_token, role, REQUEST).await,
            ["offer_message"],
            "{role}"
        );
    }
    assert!(logged(&live, &cor_token, "partner", REQUEST)
        .await
        .is_empty());
    assert!(logged(&live, &cor_token, "ambassador", REQUEST)
        .await
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_triage_note_is_for_the_staff_who_manage_the_request() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (q, _, cor_token) = scene(&live, &world).await;
    let seen = seen_by_all(&live, &readers(&world, &cor_token), q).await;
    let note = clear("Belt liever 's middags");
    let mut expected = vec![note.clone(), note];
    expected.extend([
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
    ]);
    expect_row(&seen, |b| b["triage"]["note"].clone(), &expected);
    expect_row(
        &seen,
        |b| b["triage"]["route"].clone(),
        &vec![json!("informal"); 7],
    );
    let anna = world.token(Role::Resident);
    assert!(logged(&live, anna, "connector", REQUEST)
        .await
        .contains(&"triage_note".to_owned()));
    assert!(!logged(&live, anna, "partner", REQUEST)
        .await
        .contains(&"triage_note".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_referral_notes_are_for_staff_and_the_partner_and_not_for_neighbours() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (q, _, cor_token) = scene(&live, &world).await;
    let seen = seen_by_all(&live, &readers(&world, &cor_token), q).await;
    let reason = clear("Mogelijk thuiszorg nodig");
    let outcome = clear("Intake op dinsdag");
    let none = [Value::Null, Value::Null, Value::Null, Value::Null];
    let mut expected = vec![reason.clone(), reason.clone(), reason];
    expected.extend(none.clone());
    expect_row(&seen, |b| b["referral"]["reason"].clone(), &expected);
    let mut expected = vec![outcome.clone(), outcome.clone(), outcome];
    expected.extend(none);
    expect_row(&seen, |b| b["referral"]["outcome_note"].clone(), &expected);
    expect_row(
        &seen,
        |b| b["referral"]["organisation_id"].clone(),
        &vec![json!(world.o1.to_string()); 7],
    );
    let anna = world.token(Role::Resident);
    for role in ["admin", "connector", "partner"] {
        assert!(
            logged(&live, anna, role, REQUEST)
                .await
                .contains(&"referral_note".to_owned()),
            "{role}"
        );
    }
    for role in ["ambassador", "helper", "resident"] {
        assert!(
            !logged(&live, anna, role, REQUEST)
                .await
                .contains(&"referral_note".to_owned()),
            "{role}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_is_for_its_giver_the_requester_the_helper_it_is_about_and_staff() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (cor, cor_token) = second_helper(&live, &world).await;
    let q = world.q1;
    let anna = world.token(Role::Resident);
    let bram = world.token(Role::Helper);
    live.ok(
        &format!("/v1/requests/{q}/resolve"),
        anna,
        json!({"resolution": "neighbour", "helpers_credited": [world.helper]}),
    )
    .await;
    live.ok(
        &format!("/v1/requests/{q}/feedback"),
        anna,
        json!({"rating": 5, "comment": "Bram was geweldig"}),
    )
    .await;
    live.ok(
        &format!("/v1/requests/{q}/feedback"),
        bram,
        json!({"rating": 4, "comment": "Hartelijk ontvangen"}),
    )
    .await;
    live.settle().await;
    let comments = |b: &Value| {
        let mut c: Vec<String> = b["feedback"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|f| f["comment"]["text"].as_str().unwrap_or("?").to_owned())
            .collect();
        c.sort();
        json!(c)
    };
    let both = json!(["Bram was geweldig", "Hartelijk ontvangen"]);
    let readers = readers(&world, &cor_token);
    let mut seen = Vec::new();
    for r in &readers[..5] {
        seen.push((r.what.to_owned(), view(&live, &r.token, q).await));
    }
    seen.push(("requester".into(), view(&live, anna, q).await));
    //           admin         connector     partner    ambassador  matched helper  requester
    let expected = [
        both.clone(),
        both.clone(),
        json!([]),
        json!([]),
        both.clone(),
        both,
    ];
    expect_row(&seen, comments, &expected);
    // A helper who is not matched does not reach the request at all.
    let (status, _) = live
        .call(Method::GET, &format!("/v1/requests/{q}"), &cor_token, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{cor}");
    assert_eq!(
        logged(&live, anna, "helper", REQUEST).await,
        ["description", "feedback_comment", "first_name"]
    );
    assert!(logged(&live, bram, "resident", REQUEST)
        .await
        .contains(&"feedback_comment".to_owned()));
    assert!(!logged(&live, anna, "partner", REQUEST)
        .await
        .contains(&"feedback_comment".to_owned()));
}
