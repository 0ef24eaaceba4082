//! Liveness and readiness probes: `/healthz` says the process answers, `/readyz` that the event
//! log can be reached and the read models are not too far behind it (load balancers send
//! traffic only to ready instances, so a restarted instance takes reads once it caught up).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiError, AppState};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How many events the read models may be behind the log for the instance to be ready.
pub const READY_MAX_LAG: u64 = 10_000;

/// The probe routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// What `/healthz` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// What `/readyz` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// Always `ready` (an instance that is not ready answers 503).
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The event log's kind: `postgres` or `sqlite`.
    pub backend: &'static str,
    /// The log's head checkpoint (`<tx>:<position>`).
    pub head: String,
    /// How many events the slowest read model is behind the log.
    pub events_behind: u64,
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    operation_id = "healthz",
    summary = "Liveness",
    description = "The process answers.",
    responses((status = 200, description = "Alive.", body = Health))
)]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    operation_id = "readyz",
    summary = "Readiness",
    description = "The event log can be reached and the read models are not too far behind it.",
    responses((status = 200, description = "Ready to serve.", body = Ready))
)]
async fn readyz(State(state): State<AppState>) -> Result<Json<Ready>, ApiError> {
    let head = state
        .store
        .head()
        .await
        // Whatever the failure, the service is not ready: 503, with the cause logged.
        .map_err(|e| ApiError::Unavailable(Box::new(e)))?;
    let behind = state
        .projections
        .lag()
        .await
        .map_err(|e| ApiError::Unavailable(Box::new(e)))?
        .iter()
        .map(|m| m.events_behind)
        .max()
        .unwrap_or(0);
    let allowed = state.config.ready_max_lag.unwrap_or(READY_MAX_LAG);
    if behind > allowed {
        return Err(ApiError::Unavailable(
            format!(
                "the read models are {behind} events behind the log (ready at {allowed} or fewer)"
            )
            .into(),
        ));
    }
    Ok(Json(Ready {
        status: "ready",
        backend: state.store.backend(),
        head: head.to_string(),
        events_behind: behind,
    }))
}
