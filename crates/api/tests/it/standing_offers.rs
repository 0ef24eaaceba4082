//! Standing offers (*aanbod*) end to end, over real HTTP with bearer tokens, on the embedded
//! store and on PostgreSQL: publishing, changing, pausing, withdrawing and taking one up (which
//! posts a request matched to the helper in one append), and bad input answered with a problem
//! document that wrote nothing; who may change or withdraw an offer and who reads its words is
//! in [`access`], the rules of taking one up in [`take_up`]. Expected answers are written by
//! hand from `docs/authorization.md`.

use chrono::{Duration, Utc};
use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::live::{Live, World};
use crate::personal_fields::clear;

const OFFER: &str = "GET /v1/standing-offers/{id}";

/// Drives one test over one store: the sqlite test and its PostgreSQL twin share it.
macro_rules! on_both_stores {
    ($scenario:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            $scenario(&Live::sqlite().await).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            let Some(live) = Live::postgres().await else {
                return;
            };
            $scenario(&live).await;
        }
    };
}

mod access;
mod take_up;

fn in_a_month() -> String {
    (Utc::now() + Duration::days(30)).date_naive().to_string()
}

/// The helper's offer to drive to the hospital, in the neighbourhood they live in (`n1`).
fn hospital_rides() -> Value {
    json!({"title": "Ik rijd op dinsdag naar het ziekenhuis",
           "description": "Plek voor één; een rolstoel past niet in de auto",
           "category": "transport", "skills": ["driving_medical"],
           "availability": [{"day": "tue", "part": "morning"}], "until": in_a_month()})
}

/// Sends `method path` and insists on `status` and, for a refusal, the problem `code`.
async fn expect(
    live: &Live,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    status: u16,
    code: Option<&str>,
) -> Value {
    let (got, answer) = live.call(method.clone(), path, token, body).await;
    assert_eq!(got.as_u16(), status, "{method} {path}: {answer}");
    if let Some(code) = code {
        assert_eq!(
            answer["type"],
            format!("urn:noaber:problem:{code}"),
            "{method} {path}: {answer}"
        );
    }
    answer
}

/// The log's head once everything written so far shows (on PostgreSQL a write just answered
/// may stay below the read horizon for a moment).
async fn settled_head(live: &Live) -> noaber_store::Checkpoint {
    live.settle().await;
    live.state.store.head().await.expect("the log answers")
}

/// Insists a refused call wrote nothing: the log's head is where it was.
async fn refused(
    live: &Live,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    status: u16,
    code: &str,
) {
    let before = settled_head(live).await;
    expect(live, method, path, token, body, status, Some(code)).await;
    assert_eq!(
        settled_head(live).await,
        before,
        "{path} refused with {code} but wrote"
    );
}

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["standing_offer_id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The published offers in the feed of `n` as the holder of `token` reads it.
async fn in_feed(live: &Live, token: &str, n: Uuid) -> Vec<Value> {
    let feed = live
        .read(&format!("/v1/neighbourhoods/{n}/feed"), token)
        .await;
    feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["origin"] == "published")
        .cloned()
        .collect()
}

// ---- the life of an offer ----

async fn the_life_of_a_standing_offer(live: &Live) {
    let world = World::new(live).await;
    let helper = world.token(Role::Helper);
    let resident = world.token(Role::Resident);

    // Published in the neighbourhood the helper lives in.
    let (status, written) = live
        .call(
            Method::POST,
            "/v1/standing-offers",
            helper,
            Some(hospital_rides()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
    let offer = written["id"].as_str().expect("an id").to_owned();
    assert_eq!(written["stream"], format!("standing_offer-{offer}"));
    assert_eq!(written["events"], json!(["StandingOfferPublished"]));
    live.settle().await;

    // A neighbour finds it in the list and in their feed, with its title.
    let list = live.read("/v1/standing-offers", resident).await;
    assert_eq!(ids(&list), std::slice::from_ref(&offer));
    let listed = &list["items"][0];
    assert_eq!(
        listed["title"],
        clear("Ik rijd op dinsdag naar het ziekenhuis")
    );
    assert_eq!(listed["neighbourhoods"], json!([world.n1.to_string()]));
    assert_eq!(listed["helper"], world.helper.to_string());
    assert!(
        listed.get("description").is_none(),
        "no description in a list: {listed}"
    );
    let feed = in_feed(live, resident, world.n1).await;
    assert_eq!(feed.len(), 1, "{feed:?}");
    assert_eq!(feed[0]["kind"], "standing_offer");
    assert_eq!(feed[0]["id"], offer);
    assert_eq!(
        feed[0]["title"],
        clear("Ik rijd op dinsdag naar het ziekenhuis")
    );
    let view = live
        .read(&format!("/v1/standing-offers/{offer}"), resident)
        .await;
    assert_eq!(
        view["description"],
        clear("Plek voor één; een rolstoel past niet in de auto")
    );
    assert_eq!(
        (view["status"].clone(), view["listed"].clone()),
        (json!("open"), json!(true))
    );

    // The helper changes the title.
    let changed = expect(
        live,
        Method::PATCH,
        &format!("/v1/standing-offers/{offer}"),
        helper,
        Some(json!({"title": "Ik rijd op dinsdag en donderdag naar het ziekenhuis"})),
        200,
        None,
    )
    .await;
    assert_eq!(changed["events"], json!(["StandingOfferUpdated"]));

    // The neighbour takes it up: a request, matched to the helper, in one append.
    let (status, taken) = live
        .call(
            Method::POST,
            &format!("/v1/standing-offers/{offer}/take-up"),
            resident,
            Some(json!({"description": "Ik moet dinsdag om tien uur naar de poli"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    let request = taken["id"].as_str().expect("a request id").to_owned();
    assert_eq!(taken["stream"], format!("request-{request}"));
    assert_eq!(
        taken["events"],
        json!(["RequestPosted", "StandingOfferTakenUp", "HelperMatched"])
    );
    assert_eq!(taken["positions"].as_array().map(Vec::len), Some(3));
    live.settle().await;
    let asked = live
        .read(&format!("/v1/requests/{request}"), resident)
        .await;
    assert_eq!(asked["category"], "transport", "{asked}");
    assert_eq!(asked["status"], "open", "{asked}");
    assert_eq!(
        asked["matched"][0]["helper"],
        world.helper.to_string(),
        "{asked}"
    );
    assert_eq!(asked["matched"][0]["first_name"], clear("Bram"), "{asked}");
    // The matched helper reads the request too.
    live.read(&format!("/v1/requests/{request}"), helper).await;
    let view = live
        .read(&format!("/v1/standing-offers/{offer}"), helper)
        .await;
    assert_eq!(view["taken_up"], 1);
    assert_eq!(
        view["title"],
        clear("Ik rijd op dinsdag en donderdag naar het ziekenhuis")
    );
    let mine = live.read("/v1/me/standing-offers", helper).await;
    assert_eq!(ids(&mine), std::slice::from_ref(&offer));
    // The helper's own export holds the offer's history, its words opened.
    let export = live.read("/v1/me/export", helper).await;
    let theirs: Vec<&Value> = export["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["stream"] == format!("standing_offer-{offer}"))
        .collect();
    assert_eq!(theirs.len(), 2, "published and changed: {theirs:?}");
    assert_eq!(
        theirs[0]["payload"]["title"],
        clear("Ik rijd op dinsdag naar het ziekenhuis")
    );

    // Paused, it is not taken up, and the refusal writes nothing.
    let at = |tail: &str| format!("/v1/standing-offers/{offer}/{tail}");
    expect(live, Method::POST, &at("pause"), helper, None, 200, None).await;
    let ask = json!({"description": "Volgende week weer?"});
    refused(
        live,
        Method::POST,
        &at("take-up"),
        resident,
        Some(ask.clone()),
        422,
        "standing-offer-paused",
    )
    .await;
    live.settle().await;
    assert!(ids(&live.read("/v1/standing-offers", resident).await).is_empty());
    expect(live, Method::POST, &at("resume"), helper, None, 200, None).await;

    // Withdrawn, it leaves the list and the feed; its helper still reads it, a neighbour no more.
    expect(
        live,
        Method::POST,
        &at("withdraw"),
        helper,
        Some(json!({"reason": "no_longer_offered"})),
        200,
        None,
    )
    .await;
    live.settle().await;
    assert!(ids(&live.read("/v1/standing-offers", resident).await).is_empty());
    assert!(in_feed(live, resident, world.n1).await.is_empty());
    let gone = format!("/v1/standing-offers/{offer}");
    expect(
        live,
        Method::GET,
        &gone,
        resident,
        None,
        404,
        Some("not-found"),
    )
    .await;
    let own = live.read(&gone, helper).await;
    assert_eq!(own["status"], "withdrawn");
    refused(
        live,
        Method::POST,
        &at("take-up"),
        resident,
        Some(ask),
        422,
        "standing-offer-withdrawn",
    )
    .await;
    refused(
        live,
        Method::PATCH,
        &gone,
        helper,
        Some(json!({"title": "Toch weer"})),
        422,
        "standing-offer-withdrawn",
    )
    .await;
}

on_both_stores!(
    the_life_of_a_standing_offer,
    a_standing_offer_is_published_taken_up_paused_and_withdrawn,
    a_standing_offer_is_published_taken_up_paused_and_withdrawn_on_postgres
);

// ---- publishing and reading: bad input ----

async fn publishing_refusals_write_nothing(live: &Live) {
    let world = World::new(live).await;
    let helper = world.token(Role::Helper);
    let publish = "/v1/standing-offers";
    let post = Method::POST;
    let offer = |extra: Value| {
        let mut body = json!({"title": "Boodschappen op zaterdag", "category": "errands"});
        for (k, v) in extra.as_object().expect("an object") {
            body[k] = v.clone();
        }
        Some(body)
    };
    let cases: [(&str, Option<Value>, u16, &str); 7] = [
        (
            "no title",
            Some(json!({"category": "errands"})),
            400,
            "bad-input",
        ),
        (
            "an unknown category",
            offer(json!({"category": "ladders"})),
            400,
            "bad-input",
        ),
        (
            "a blank title",
            offer(json!({"title": "  "})),
            422,
            "empty-title",
        ),
        (
            "a last day past",
            offer(json!({"until": "2020-01-01"})),
            422,
            "until-in-the-past",
        ),
        (
            "no neighbourhood",
            offer(json!({"neighbourhoods": []})),
            422,
            "no-neighbourhoods",
        ),
        (
            "an unknown neighbourhood",
            offer(json!({"neighbourhoods": [Uuid::now_v7()]})),
            422,
            "unknown-reference",
        ),
        (
            "a bad availability",
            offer(json!({"availability": ["monday"]})),
            400,
            "bad-input",
        ),
    ];
    // The first of each case names what is wrong with it.
    for (_, body, status, code) in cases {
        refused(live, post.clone(), publish, helper, body, status, code).await;
    }
    // Who publishes for whom.
    let for_anna = offer(json!({"helper": world.r1}));
    refused(
        live,
        post.clone(),
        publish,
        world.token(Role::Funder),
        offer(json!({})),
        403,
        "funder-cannot-act",
    )
    .await;
    refused(
        live,
        post.clone(),
        publish,
        world.token(Role::Resident),
        offer(json!({"helper": world.helper})),
        403,
        "forbidden",
    )
    .await;
    refused(
        live,
        post.clone(),
        publish,
        world.token(Role::Partner),
        for_anna.clone(),
        403,
        "forbidden",
    )
    .await;
    let connector = world.token(Role::Connector);
    refused(
        live,
        post.clone(),
        publish,
        connector,
        offer(json!({"helper": world.r2})),
        403,
        "forbidden",
    )
    .await;
    let anna_offer = expect(live, post.clone(), publish, connector, for_anna, 201, None).await;
    let id = anna_offer["id"].as_str().expect("an id").to_owned();

    // Changes that change nothing, or name what does not exist.
    let path = format!("/v1/standing-offers/{id}");
    refused(
        live,
        Method::PATCH,
        &path,
        connector,
        Some(json!({})),
        422,
        "nothing-to-update",
    )
    .await;
    refused(
        live,
        Method::PATCH,
        &path,
        connector,
        Some(json!({"category": "ladders"})),
        400,
        "bad-input",
    )
    .await;
    refused(
        live,
        post.clone(),
        &format!("{path}/withdraw"),
        connector,
        Some(json!({"reason": "bored"})),
        400,
        "bad-input",
    )
    .await;
    refused(
        live,
        post.clone(),
        &format!("{path}/resume"),
        connector,
        None,
        422,
        "standing-offer-not-paused",
    )
    .await;

    // Reading: the neighbourhoods one reaches, with known parameters only.
    let resident = world.token(Role::Resident);
    let n2 = format!("/v1/standing-offers?neighbourhood={}", world.n2);
    expect(
        live,
        Method::GET,
        &n2,
        resident,
        None,
        403,
        Some("forbidden"),
    )
    .await;
    for bad in ["?colour=red", "?skill=juggling", "?neighbourhood=nowhere"] {
        let path = format!("/v1/standing-offers{bad}");
        expect(
            live,
            Method::GET,
            &path,
            resident,
            None,
            400,
            Some("bad-input"),
        )
        .await;
    }
    expect(
        live,
        Method::GET,
        "/v1/standing-offers",
        world.token(Role::Partner),
        None,
        403,
        Some("forbidden"),
    )
    .await;
    live.settle().await;
    let listed = live
        .read(
            &format!(
                "/v1/standing-offers?neighbourhood={}&category=errands",
                world.n1
            ),
            resident,
        )
        .await;
    assert_eq!(ids(&listed), [id]);
    let other = live
        .read("/v1/standing-offers?category=transport", resident)
        .await;
    assert!(ids(&other).is_empty());
}

on_both_stores!(
    publishing_refusals_write_nothing,
    bad_input_and_who_publishes_for_whom_are_answered_with_problems_that_wrote_nothing,
    bad_input_and_who_publishes_for_whom_are_answered_with_problems_that_wrote_nothing_on_postgres
);
