//! Standing offers (*aanbod*) end to end, over real HTTP with bearer tokens, on the embedded
//! store and on PostgreSQL: publishing, changing, pausing, withdrawing and taking one up (which
//! posts a request matched to the helper in one append); who may change or withdraw an offer
//! and who reads its words, every opening in the helper's access log; and bad input answered
//! with a problem document that wrote nothing. Expected answers are written by hand from
//! `docs/authorization.md`.

use chrono::{Duration, Utc};
use noaber_api::identity::bootstrap::{bootstrap, Plan};
use noaber_domain::values::ApproxLocation;
use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::live::{Live, World};
use crate::personal_fields::{clear, logged};

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

// ---- who may do and read what ----

async fn who_may_change_withdraw_and_read_an_offer(live: &Live) {
    let world = World::new(live).await;
    let admin = world.token(Role::Admin);
    let helper = world.token(Role::Helper);
    let r2 = live.token(world.tenant, world.r2, Role::Resident).await;
    // The helper's offer in n1, and one the administrator publishes for r2, in n2.
    let a1 = live
        .ok("/v1/standing-offers", helper, hospital_rides())
        .await;
    let a2 = live
        .ok(
            "/v1/standing-offers",
            admin,
            json!({"helper": world.r2, "title": "Een ladder te leen",
                   "description": "Drie meter, ophalen in Oost", "category": "odd_jobs"}),
        )
        .await;
    live.settle().await;
    let readers: [(&str, &str, u16, u16); 9] = [
        //                                         a1 (n1)  a2 (n2)
        ("admin", admin, 200, 200),
        ("connector of n1", world.token(Role::Connector), 200, 403),
        ("ambassador of n1", world.token(Role::Ambassador), 200, 403),
        ("partner", world.token(Role::Partner), 403, 403),
        ("funder", world.token(Role::Funder), 403, 403),
        ("auditor", world.token(Role::Auditor), 403, 403),
        ("helper of n1, a1's own", helper, 200, 403),
        ("resident of n1", world.token(Role::Resident), 200, 403),
        ("resident of n2, a2's own", &r2, 403, 200),
    ];
    for (what, token, on_a1, on_a2) in readers {
        for (offer, status, description) in [
            (
                a1,
                on_a1,
                "Plek voor één; een rolstoel past niet in de auto",
            ),
            (a2, on_a2, "Drie meter, ophalen in Oost"),
        ] {
            let (got, body) = live
                .call(
                    Method::GET,
                    &format!("/v1/standing-offers/{offer}"),
                    token,
                    None,
                )
                .await;
            assert_eq!(got.as_u16(), status, "{what} reading {offer}: {body}");
            if status == 200 {
                assert_eq!(body["description"], clear(description), "{what}");
            }
        }
    }
    // Every opening of the helper's words is in their access log; none by who was refused.
    assert_eq!(
        logged(live, helper, "resident", OFFER).await,
        ["offer_description", "offer_title"]
    );
    assert_eq!(
        logged(live, helper, "ambassador", OFFER).await,
        ["offer_description", "offer_title"]
    );
    assert!(logged(live, helper, "partner", OFFER).await.is_empty());
    // A list left sealed records nothing; opened, it records the titles.
    let resident = world.token(Role::Resident);
    let sealed = live.read("/v1/standing-offers?open=false", resident).await;
    assert_eq!(sealed["items"][0]["title"], Value::Null);
    assert!(logged(live, helper, "resident", "GET /v1/standing-offers")
        .await
        .is_empty());
    live.read("/v1/standing-offers", resident).await;
    assert_eq!(
        logged(live, helper, "resident", "GET /v1/standing-offers").await,
        ["offer_title"]
    );

    // Changing a1: its helper, the administrator and the connector of n1 do; nobody else.
    let changers: [(&str, &str, u16, &str); 8] = [
        ("admin", admin, 200, ""),
        ("connector of n1", world.token(Role::Connector), 200, ""),
        (
            "ambassador of n1",
            world.token(Role::Ambassador),
            403,
            "not-allowed",
        ),
        ("partner", world.token(Role::Partner), 403, "forbidden"),
        ("funder", world.token(Role::Funder), 403, "forbidden"),
        ("auditor", world.token(Role::Auditor), 403, "forbidden"),
        ("helper", helper, 200, ""),
        ("resident of n1", resident, 403, "forbidden"),
    ];
    for (what, token, status, code) in changers {
        let path = format!("/v1/standing-offers/{a1}");
        let body = Some(json!({"title": format!("Ritjes naar het ziekenhuis ({what})")}));
        if status == 200 {
            expect(live, Method::PATCH, &path, token, body, 200, None).await;
        } else {
            refused(live, Method::PATCH, &path, token, body, status, code).await;
        }
    }
    // The connector of n1 neither changes a2 in n2 nor moves a1 there.
    let connector = world.token(Role::Connector);
    refused(
        live,
        Method::PATCH,
        &format!("/v1/standing-offers/{a2}"),
        connector,
        Some(json!({"title": "Niet van mij"})),
        403,
        "forbidden",
    )
    .await;
    refused(
        live,
        Method::PATCH,
        &format!("/v1/standing-offers/{a1}"),
        connector,
        Some(json!({"neighbourhoods": [world.n2]})),
        403,
        "forbidden",
    )
    .await;

    // Withdrawing: a neighbour may not; an ambassador only to moderate their feed.
    let withdraw = format!("/v1/standing-offers/{a1}/withdraw");
    refused(
        live,
        Method::POST,
        &withdraw,
        resident,
        Some(json!({"reason": "moderated"})),
        403,
        "forbidden",
    )
    .await;
    let ambassador = world.token(Role::Ambassador);
    refused(
        live,
        Method::POST,
        &withdraw,
        ambassador,
        Some(json!({"reason": "no_longer_offered"})),
        403,
        "not-allowed",
    )
    .await;
    let out = expect(
        live,
        Method::POST,
        &withdraw,
        ambassador,
        Some(json!({"reason": "moderated"})),
        200,
        None,
    )
    .await;
    assert_eq!(out["events"], json!(["StandingOfferWithdrawn"]));

    // Another tenant's offers can be neither named nor listed.
    let plan = Plan {
        centre: ApproxLocation::new(52.37, 4.89).expect("a location"),
        ..Plan::first_run()
    };
    let b = bootstrap(
        &live.state.executor,
        &live.state.identity,
        &plan,
        Utc::now(),
    )
    .await
    .expect("tenant B is set up");
    live.settle().await;
    let admin_b = live.token(b.tenant, b.admin, Role::Admin).await;
    let theirs = live
        .ok(
            "/v1/standing-offers",
            &admin_b,
            json!({"title": "Fietsen repareren", "category": "odd_jobs"}),
        )
        .await;
    live.settle().await;
    for (method, tail, body) in [
        (Method::GET, "", None),
        (Method::PATCH, "", Some(json!({"title": "Van ons"}))),
        (Method::POST, "/pause", None),
        (
            Method::POST,
            "/withdraw",
            Some(json!({"reason": "moderated"})),
        ),
        (
            Method::POST,
            "/take-up",
            Some(json!({"description": "Mijn fiets"})),
        ),
    ] {
        let path = format!("/v1/standing-offers/{theirs}{tail}");
        refused(live, method, &path, admin, body, 404, "not-found").await;
    }
    assert_eq!(
        ids(&live.read("/v1/standing-offers", &admin_b).await),
        [theirs.to_string()]
    );
    assert!(!ids(&live.read("/v1/standing-offers", admin).await).contains(&theirs.to_string()));
    refused(
        live,
        Method::POST,
        "/v1/standing-offers",
        admin,
        json!({"title": "Over de grens", "category": "odd_jobs", "neighbourhoods": [b.neighbourhood]})
            .into(),
        422,
        "unknown-reference",
    )
    .await;
}

on_both_stores!(
    who_may_change_withdraw_and_read_an_offer,
    who_may_change_withdraw_and_read_a_standing_offer_follows_the_table,
    who_may_change_withdraw_and_read_a_standing_offer_follows_the_table_on_postgres
);

// ---- taking up ----

async fn taking_up_follows_the_rules_and_refusals_write_nothing(live: &Live) {
    let world = World::new(live).await;
    let helper = world.token(Role::Helper);
    let resident = world.token(Role::Resident);
    let offer = live
        .ok("/v1/standing-offers", helper, hospital_rides())
        .await;
    live.settle().await;
    let take = format!("/v1/standing-offers/{offer}/take-up");
    let ask = || Some(json!({"description": "Naar de poli op dinsdag"}));
    let post = Method::POST;

    refused(
        live,
        post.clone(),
        &take,
        helper,
        ask(),
        422,
        "own-standing-offer",
    )
    .await;
    // Not offered where r2 lives; partners, funders and auditors take nothing up.
    let r2 = live.token(world.tenant, world.r2, Role::Resident).await;
    refused(live, post.clone(), &take, &r2, ask(), 403, "forbidden").await;
    for role in [Role::Partner, Role::Funder, Role::Auditor] {
        refused(
            live,
            post.clone(),
            &take,
            world.token(role),
            ask(),
            403,
            "forbidden",
        )
        .await;
    }
    // Bad input.
    refused(
        live,
        post.clone(),
        &take,
        resident,
        Some(json!({})),
        400,
        "bad-input",
    )
    .await;
    let blank = Some(json!({"description": " "}));
    refused(
        live,
        post.clone(),
        &take,
        resident,
        blank,
        422,
        "empty-description",
    )
    .await;
    let elsewhere = Some(json!({"description": "Elders", "neighbourhood_id": world.n2}));
    refused(
        live,
        post.clone(),
        &take,
        resident,
        elsewhere,
        422,
        "standing-offer-elsewhere",
    )
    .await;
    let unknown = format!("/v1/standing-offers/{}/take-up", Uuid::now_v7());
    refused(
        live,
        post.clone(),
        &unknown,
        resident,
        ask(),
        404,
        "not-found",
    )
    .await;
    let not_an_id = "/v1/standing-offers/not-an-id/take-up";
    refused(
        live,
        post.clone(),
        not_an_id,
        resident,
        ask(),
        400,
        "bad-input",
    )
    .await;

    // A connector takes it up for a resident on the phone, stating the basis.
    let connector = world.token(Role::Connector);
    let for_anna = json!({"requester": world.r1, "channel": "phone",
                          "description": "Anna belde: naar de poli op dinsdag"});
    refused(
        live,
        post.clone(),
        &take,
        connector,
        Some(for_anna.clone()),
        422,
        "consent-basis-required",
    )
    .await;
    let mut with_basis = for_anna;
    with_basis["consent"] = json!("explicit_consent");
    let taken = expect(
        live,
        post.clone(),
        &take,
        connector,
        Some(with_basis),
        201,
        None,
    )
    .await;
    live.settle().await;
    let request = live
        .read(
            &format!("/v1/requests/{}", taken["id"].as_str().expect("an id")),
            resident,
        )
        .await;
    assert_eq!(request["channel"], "phone", "{request}");
    assert_eq!(request["matched"][0]["helper"], world.helper.to_string());

    // A suspended helper's offer leaves the list and is not taken up.
    expect(
        live,
        post.clone(),
        &format!("/v1/persons/{}/suspend", world.helper),
        world.token(Role::Admin),
        Some(json!({"reason": "incident_under_review"})),
        200,
        None,
    )
    .await;
    live.settle().await;
    assert!(ids(&live.read("/v1/standing-offers", resident).await).is_empty());
    refused(live, post, &take, resident, ask(), 422, "helper-suspended").await;
}

on_both_stores!(
    taking_up_follows_the_rules_and_refusals_write_nothing,
    taking_up_a_standing_offer_follows_the_rules_and_refusals_write_nothing,
    taking_up_a_standing_offer_follows_the_rules_and_refusals_write_nothing_on_postgres
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
