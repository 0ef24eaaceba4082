//! Liveness and readiness probes: `/healthz` says the process answers, `/readyz` that the event
//! log can be reached and the read models are not too far behind it (load balancers send
//! traffic only to ready instances, so a restarted instance takes reads once it caught up).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{ApiError, AppState};

/// How many events the read models may be behind the log for the instance to be ready.
pub const READY_MAX_LAG: u64 = 10_000;

/// The probe routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({
        "status": "ready",
        "backend": state.store.backend(),
        "head": head.to_string(),
        "events_behind": behind,
    })))
}
