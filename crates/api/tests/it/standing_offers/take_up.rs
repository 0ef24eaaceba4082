//! Taking up a standing offer: one's own, elsewhere, by a role that takes nothing up, with bad
//! input, for a resident on the phone, and from a suspended helper.

use noaber_domain::Role;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::{expect, hospital_rides, ids, refused};
use crate::live::{Live, World};

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
