//! What an operator watches: `GET /metrics` in the Prometheus text format (through the
//! `metrics` facade and its Prometheus exporter), with every HTTP answer counted and timed by
//! route and status, commands by aggregate and outcome, how far each read model is behind the
//! log, the keys and opened values cached, and the access-log rows written. No personal data
//! and no ids: routes are their patterns (`/v1/requests/:id`). Scrape it from inside the
//! network; the proxy should not publish it.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The scrape route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(scrape))
}

/// The process's recorder, installed once (every application in the process shares it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("duration_seconds".into()),
                &[
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder may have been installed first (a test harness): then this one only
        // renders what it recorded, which is nothing, and the figures go to the other.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// Counts and times every answer by method, route pattern and status.
pub async fn track(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| route_label(p.as_str()));
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let seconds = started.elapsed().as_secs_f64();
    metrics::counter!("noaber_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("noaber_http_request_duration_seconds", "method" => method, "route" => route)
        .record(seconds);
    response
}

/// A route pattern as a label: `/v1/requests/{id}` reads `/v1/requests/:id`, since some
/// text-format parsers stumble on braces inside label values.
fn route_label(pattern: &str) -> String {
    pattern.replace('{', ":").replace('}', "")
}

/// Counts a command by aggregate and outcome (`written`, `retry`, or the refusal's kind).
pub fn command(aggregate: &'static str, outcome: &'static str) {
    metrics::counter!("noaber_commands_total", "aggregate" => aggregate, "outcome" => outcome)
        .increment(1);
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    operation_id = "metrics",
    summary = "Metrics for Prometheus",
    description = "Every answer counted and timed by route and status, commands by outcome, read-model lag. Scrape it from inside the network.",
    responses((status = 200, description = "The Prometheus text format.", body = String, content_type = "text/plain"))
)]
async fn scrape(State(state): State<AppState>) -> Response {
    let handle = handle();
    if let Ok(lag) = state.projections.lag().await {
        for model in lag {
            metrics::gauge!("noaber_read_model_events_behind", "model" => model.name)
                .set(model.events_behind as f64);
        }
    }
    metrics::gauge!("noaber_key_cache_subjects").set(state.privacy.cached_subjects() as f64);
    metrics::gauge!("noaber_access_log_rows_written")
        .set(state.identity.access_log().written() as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Installs the recorder before the first request is served, so the first figures count.
pub fn install() {
    let _ = handle();
}
