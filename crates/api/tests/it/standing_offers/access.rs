//! Who may change, withdraw and read a standing offer, row by row of `docs/authorization.md`;
//! every opening of the helper's words in their access log; another tenant's offers neither
//! named nor listed.

use chrono::Utc;
use noaber_api::identity::bootstrap::{bootstrap, Plan};
use noaber_domain::values::ApproxLocation;
use noaber_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use super::{expect, hospital_rides, ids, refused, OFFER};
use crate::live::{Live, World};
use crate::personal_fields::{clear, logged};

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
        // The list follows the feed: whoever reads a feed lists the offers in it.
        let (got, list) = live
            .call(Method::GET, "/v1/standing-offers?open=false", token, None)
            .await;
        let lists = on_a1 == 200 || on_a2 == 200;
        assert_eq!(
            got.as_u16(),
            if lists { 200 } else { 403 },
            "{what}: {list}"
        );
        if lists {
            let expected: Vec<String> = [(a1, on_a1), (a2, on_a2)]
                .iter()
                .filter(|(_, status)| *status == 200)
                .map(|(id, _)| id.to_string())
                .collect();
            let mut listed = ids(&list);
            listed.sort();
            let mut expected = expected;
            expected.sort();
            assert_eq!(listed, expected, "{what}");
        }
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
