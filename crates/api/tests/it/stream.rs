//! Live updates over a real socket: a connector's stream carries the changes to requests of
//! their neighbourhoods and not of others, with ids and types only, and resumes after the last
//! event it saw.

use std::time::Duration;

use noaber_domain::Role;
use serde_json::{json, Value};

use crate::live::{Live, World};

/// One server-sent event: its id, type and data.
#[derive(Debug)]
struct Sent {
    id: String,
    event: String,
    data: Value,
}

/// Reads events from `GET /v1/stream` (resuming after `last` when given) until `want` of them
/// arrived or `wait` passed.
async fn read_events(
    base: &str,
    token: &str,
    last: Option<&str>,
    want: usize,
    wait: Duration,
) -> Vec<Sent> {
    let mut request = reqwest::Client::new()
        .get(format!("{base}/v1/stream"))
        .bearer_auth(token);
    if let Some(last) = last {
        request = request.header("last-event-id", last);
    }
    let response = request.send().await.expect("the stream opens");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/event-stream"));
    let mut response = response;
    let mut text = String::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while events.len() < want {
        let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(deadline, response.chunk()).await else {
            break;
        };
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}:")))
                    .map(|v| v.trim().to_owned())
            };
            if let (Some(id), Some(event), Some(data)) =
                (field("id"), field("event"), field("data"))
            {
                events.push(Sent {
                    id,
                    event,
                    data: serde_json::from_str(&data).expect("JSON data"),
                });
            }
        }
    }
    events
}

async fn a_connector_hears_of_changes_in_their_neighbourhoods_only_and_resumes_where_they_left(
    live: &Live,
) {
    let world = World::new(live).await;
    let admin = world.token(Role::Admin).to_owned();
    let connector = world.token(Role::Connector).to_owned();
    let listening = {
        let (base, connector) = (live.base.clone(), connector.clone());
        tokio::spawn(async move {
            read_events(&base, &connector, None, 2, Duration::from_secs(10)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    // One change in another neighbourhood, then two in the connector's.
    live.ok(
        &format!("/v1/requests/{}/triage", world.q2),
        &admin,
        json!({"route": "informal"}),
    )
    .await;
    let q = live
        .ok(
            "/v1/requests",
            &admin,
            json!({"requester": world.r1, "category": "errands", "neighbourhood_id": world.n1,
                   "consent": "explicit_consent", "description": "Boodschappen op vrijdag"}),
        )
        .await;
    live.ok(
        &format!("/v1/requests/{q}/triage"),
        &admin,
        json!({"route": "informal"}),
    )
    .await;
    let heard = listening.await.expect("the listener ends");
    assert_eq!(
        heard.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
        ["RequestPosted", "RequestTriaged"],
        "{heard:?}"
    );
    assert!(heard.iter().all(|e| e.data["id"] == q.to_string()));
    let text = format!("{:?}", heard.iter().map(|e| &e.data).collect::<Vec<_>>());
    assert!(!text.contains("Boodschappen"), "no personal data: {text}");

    // Reconnecting after the first event gives the second, and nothing of the other request.
    let again = read_events(
        &live.base,
        &connector,
        Some(&heard[0].id),
        1,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, heard[1].id);

    // A resident hears of their own request only.
    let resident = world.token(Role::Resident);
    let own = read_events(
        &live.base,
        resident,
        Some(&heard[0].id),
        1,
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(own.len(), 1, "q was posted for the resident");
    let bad = reqwest::Client::new()
        .get(format!("{}/v1/stream", live.base))
        .bearer_auth(&connector)
        .header("last-event-id", "yesterday")
        .send()
        .await
        .expect("answers");
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_hears_of_changes_in_their_neighbourhoods_only_and_resumes_on_sqlite() {
    a_connector_hears_of_changes_in_their_neighbourhoods_only_and_resumes_where_they_left(
        &Live::sqlite().await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_hears_of_changes_in_their_neighbourhoods_only_and_resumes_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    a_connector_hears_of_changes_in_their_neighbourhoods_only_and_resumes_where_they_left(&live)
        .await;
}

/// Calls reach the streams of those whose feed shows them, and a stream dropped in the middle
/// resumes with what it missed while away.
async fn calls_in_the_feed_are_heard_and_a_dropped_stream_catches_up(live: &Live) {
    let world = World::new(live).await;
    let (admin, resident) = (
        world.token(Role::Admin).to_owned(),
        world.token(Role::Resident).to_owned(),
    );
    let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let listening = {
        let (base, resident) = (live.base.clone(), resident.clone());
        tokio::spawn(async move {
            read_events(&base, &resident, None, 2, Duration::from_secs(10)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A call elsewhere, then one in the resident's neighbourhood.
    live.ok(
        "/v1/calls",
        &admin,
        json!({"title": "Buurtfeest Oost", "neighbourhoods": [world.n2],
               "hands_needed": 3, "deadline": deadline}),
    )
    .await;
    let call = live
        .ok(
            "/v1/calls",
            &admin,
            json!({"title": "Sneeuw ruimen", "neighbourhoods": [world.n1],
                   "hands_needed": 5, "deadline": deadline}),
        )
        .await;
    // A standing offer of a neighbour in the resident's neighbourhood.
    let helper = world.token(Role::Helper).to_owned();
    let offer = live
        .ok(
            "/v1/standing-offers",
            &helper,
            json!({"title": "Ik rijd op dinsdag naar het ziekenhuis", "category": "transport"}),
        )
        .await;
    let heard = listening.await.expect("the listener ends");
    assert_eq!(heard.len(), 2, "{heard:?}");
    assert_eq!(heard[1].event, "StandingOfferPublished");
    assert_eq!(heard[1].data["kind"], "standing_offer");
    assert_eq!(heard[1].data["id"], offer.to_string());
    assert!(!format!("{:?}", heard[1].data).contains("ziekenhuis"));
    assert_eq!(heard[0].event, "CallPublished");
    assert_eq!(heard[0].data["kind"], "call");
    assert_eq!(heard[0].data["id"], call.to_string());

    // The connection dropped; meanwhile three more things happened in the neighbourhood.
    let mut missed = Vec::new();
    for n in 0..3 {
        missed.push(
            live.ok(
                "/v1/requests",
                &admin,
                json!({"requester": world.r1, "category": "errands", "neighbourhood_id": world.n1,
                       "consent": "explicit_consent", "description": format!("Boodschappen {n}")}),
            )
            .await,
        );
    }
    let again = read_events(
        &live.base,
        &resident,
        Some(&heard[1].id),
        3,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        again
            .iter()
            .map(|e| e.data["id"].clone())
            .collect::<Vec<_>>(),
        missed
            .iter()
            .map(|q| json!(q.to_string()))
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_the_feed_are_heard_and_a_dropped_stream_catches_up_on_sqlite() {
    calls_in_the_feed_are_heard_and_a_dropped_stream_catches_up(&Live::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_the_feed_are_heard_and_a_dropped_stream_catches_up_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    calls_in_the_feed_are_heard_and_a_dropped_stream_catches_up(&live).await;
}
