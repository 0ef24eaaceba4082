//! Matched people and their contact details, over real HTTP: a person chooses for themselves
//! (`PUT /v1/me/contact-sharing`) whether the people they are matched to may read their contact;
//! both ways, on and off again, for the requester and for the helper; never for a helper who
//! only offered, never on an anonymous request, and an erased person reads as erased.

use noaber_domain::Role;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use crate::live::{Live, World};
use crate::personal_fields::{clear, logged, second_helper, view};

const REQUEST: &str = "GET /v1/requests/{id}";

/// Sets the choice of the holder of `token` and waits for the read models.
async fn share(live: &Live, token: &str, on: bool) {
    let (status, body) = live
        .call(
            Method::PUT,
            "/v1/me/contact-sharing",
            token,
            Some(json!({"share_with_matched": on})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    live.settle().await;
    let (status, now) = live
        .call(Method::GET, "/v1/me/contact-sharing", token, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{now}");
    assert_eq!(now, json!({"share_with_matched": on}));
}

async fn requester_and_helper_share_both_ways(live: &Live) {
    let world = World::new(live).await;
    let (anna, bram) = (world.token(Role::Resident), world.token(Role::Helper));
    let q = world.q1;

    // Nothing is shared until chosen: first names only, both ways.
    let (status, none_yet) = live
        .call(Method::GET, "/v1/me/contact-sharing", anna, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(none_yet, json!({"share_with_matched": false}));
    let helper_sees = view(live, bram, q).await;
    assert_eq!(helper_sees["requester"]["name"], clear("Anna"));
    assert_eq!(helper_sees["requester"]["contact"], Value::Null);
    let anna_sees = view(live, anna, q).await;
    assert_eq!(anna_sees["matched"][0]["first_name"], clear("Bram"));
    assert_eq!(anna_sees["matched"][0]["contact"], Value::Null);

    // The requester shares: the matched helper reads her number; she still not his.
    share(live, anna, true).await;
    let helper_sees = view(live, bram, q).await;
    assert_eq!(helper_sees["requester"]["contact"], clear("06-12345678"));
    assert_eq!(helper_sees["requester"]["name"], clear("Anna"));
    assert_eq!(
        view(live, anna, q).await["matched"][0]["contact"],
        Value::Null
    );
    assert_eq!(
        logged(live, anna, "helper", REQUEST).await,
        ["contact", "description", "first_name"]
    );

    // The helper shares too: the requester reads his number.
    share(live, bram, true).await;
    let anna_sees = view(live, anna, q).await;
    assert_eq!(anna_sees["matched"][0]["contact"], clear("06-6"));
    assert_eq!(anna_sees["matched"][0]["first_name"], clear("Bram"));
    assert_eq!(
        logged(live, bram, "resident", REQUEST).await,
        ["contact", "first_name"]
    );

    // Both stop sharing: the numbers are gone again.
    share(live, anna, false).await;
    share(live, bram, false).await;
    assert_eq!(
        view(live, bram, q).await["requester"]["contact"],
        Value::Null
    );
    assert_eq!(
        view(live, anna, q).await["matched"][0]["contact"],
        Value::Null
    );
    // Choosing again what already holds writes nothing.
    let (status, written) = live
        .call(
            Method::PUT,
            "/v1/me/contact-sharing",
            anna,
            Some(json!({"share_with_matched": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{written}");
    assert_eq!(written["events"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matched_people_read_each_others_contact_only_while_its_owner_shares_it() {
    let live = Live::sqlite().await;
    requester_and_helper_share_both_ways(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matched_people_read_each_others_contact_only_while_its_owner_shares_it_on_postgres() {
    let Some(live) = Live::postgres().await else {
        return;
    };
    requester_and_helper_share_both_ways(&live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helper_who_only_offered_reads_no_name_and_no_contact_even_when_shared() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (_, cor) = second_helper(&live, &world).await;
    let anna = world.token(Role::Resident);
    let q = live
        .ok(
            "/v1/requests",
            anna,
            json!({"category": "errands", "neighbourhood_id": world.n1,
                   "description": "Wie gaat er mee naar de markt?"}),
        )
        .await;
    live.ok(&format!("/v1/requests/{q}/offers"), &cor, json!({}))
        .await;
    share(&live, anna, true).await;
    let seen = view(&live, &cor, q).await;
    assert_eq!(seen["description"], clear("Wie gaat er mee naar de markt?"));
    assert_eq!(seen["requester"]["name"], Value::Null);
    assert_eq!(seen["requester"]["contact"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_an_anonymous_request_the_matched_helper_learns_nothing_of_who_asked() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (anna, bram) = (world.token(Role::Resident), world.token(Role::Helper));
    let q = live
        .ok(
            "/v1/requests",
            anna,
            json!({"category": "errands", "neighbourhood_id": world.n1, "anonymous": true,
                   "description": "Wie kan een pakje ophalen?"}),
        )
        .await;
    live.ok(&format!("/v1/requests/{q}/offers"), bram, json!({}))
        .await;
    live.ok(
        &format!("/v1/requests/{q}/matches"),
        anna,
        json!({"helper": world.helper}),
    )
    .await;
    share(&live, anna, true).await;
    let seen = view(&live, bram, q).await;
    assert_eq!(
        seen["requester"],
        json!({"person_id": null, "name": null, "contact": null})
    );
    assert!(!seen.to_string().contains("06-12345678"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_person_reads_as_erased_to_the_one_they_were_matched_to() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let (anna, bram) = (world.token(Role::Resident), world.token(Role::Helper));
    share(&live, bram, true).await;
    let (status, body) = live
        .call(
            Method::POST,
            &format!("/v1/persons/{}/erase", world.helper),
            world.token(Role::Admin),
            Some(json!({})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    live.settle().await;
    let seen = view(&live, anna, world.q1).await;
    assert_eq!(seen["matched"][0]["first_name"], json!({"state": "erased"}));
    assert_eq!(seen["matched"][0]["contact"], Value::Null);
    assert!(!seen.to_string().contains("06-6"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_requester_reads_as_erased_to_the_matched_helper() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    share(&live, world.token(Role::Resident), true).await;
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
    let seen = view(&live, world.token(Role::Helper), world.q1).await;
    assert_eq!(seen["requester"]["name"], json!({"state": "erased"}));
    assert_eq!(seen["requester"]["contact"], Value::Null);
    assert_eq!(seen["description"], json!({"state": "erased"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_choice_is_ones_own_and_bad_input_is_a_problem_document() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let anna = world.token(Role::Resident);
    for body in [
        json!({"share_with_matched": "yes"}),
        json!({}),
        json!({"share_with_matched": true, "on_behalf_of": world.r2}),
    ] {
        let (status, problem) = live
            .call(Method::PUT, "/v1/me/contact-sharing", anna, Some(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert_eq!(problem["type"], "urn:noaber:problem:bad-input");
    }
    let (status, problem) = live
        .call(
            Method::PUT,
            "/v1/me/contact-sharing",
            world.token(Role::Funder),
            Some(json!({"share_with_matched": true})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choosing_with_the_session_cookie_needs_the_csrf_token() {
    let live = Live::sqlite().await;
    let done = noaber_api::identity::bootstrap::bootstrap(
        &live.state.executor,
        &live.state.identity,
        &noaber_api::identity::bootstrap::Plan::first_run(),
        chrono::Utc::now(),
    )
    .await
    .expect("a tenant is set up");
    live.settle().await;
    let browser = Client::builder()
        .cookie_store(true)
        .build()
        .expect("a client");
    let signed: Value = browser
        .post(format!("{}/v1/auth/link", live.base))
        .json(&json!({"token": done.link.token}))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("json");
    let csrf = signed["csrf_token"].as_str().expect("a csrf token");
    let put = |csrf: Option<&str>| {
        let mut request = browser
            .put(format!("{}/v1/me/contact-sharing", live.base))
            .json(&json!({"share_with_matched": true}));
        if let Some(csrf) = csrf {
            request = request.header("x-csrf-token", csrf);
        }
        request.send()
    };
    let refused = put(None).await.expect("an answer");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["type"], "urn:noaber:problem:csrf-refused");
    let done = put(Some(csrf)).await.expect("an answer");
    assert_eq!(done.status(), StatusCode::OK);
}
