//! What an operator scrapes: `/metrics` over a real socket, parsed with a Prometheus text-format
//! parser: answers counted by route pattern and status, commands by outcome, read-model lag;
//! and nothing in it that names a person or an id.

use noaber_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::live::{Live, World};

fn parse(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .expect("the Prometheus text format")
}

fn total(scrape: &prometheus_parse::Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => 0.0,
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scrape_counts_answers_by_route_and_commands_by_outcome_and_names_nobody() {
    let live = Live::sqlite().await;
    let world = World::new(&live).await;
    let scrape = || async {
        let response = reqwest::get(format!("{}/metrics", live.base))
            .await
            .expect("the scrape answers");
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.expect("text");
        (parse(&text), text)
    };
    let (before, _) = scrape().await;
    let route = [("route", "/v1/requests/:id"), ("status", "200")];
    let seen_before = total(&before, "noaber_http_requests_total", &route);
    let refused_before = total(
        &before,
        "noaber_commands_total",
        &[("aggregate", "request"), ("outcome", "refused")],
    );
    for _ in 0..3 {
        live.read(
            &format!("/v1/requests/{}", world.q1),
            world.token(Role::Connector),
        )
        .await;
    }
    let (status, _) = live
        .call(
            Method::POST,
            &format!("/v1/requests/{}/reopen", world.q1),
            world.token(Role::Admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an open request");
    let (after, text) = scrape().await;
    // Other tests in this process may add to the same routes; ours add at least these.
    assert!(total(&after, "noaber_http_requests_total", &route) >= seen_before + 3.0);
    assert!(
        total(
            &after,
            "noaber_commands_total",
            &[("aggregate", "request"), ("outcome", "refused")]
        ) >= refused_before + 1.0
    );
    assert!(after
        .samples
        .iter()
        .any(|s| s.metric == "noaber_read_model_events_behind"
            && s.labels.get("model") == Some("directory")));
    assert!(after
        .samples
        .iter()
        .any(|s| s.metric.starts_with("noaber_http_request_duration_seconds")));
    for secret in [
        world.q1.to_string(),
        world.r1.to_string(),
        "Anna".to_owned(),
    ] {
        assert!(!text.contains(&secret), "{secret} in the scrape");
    }
}
