//! Liveness and readiness probes: `/healthz` says the process answers, `/readyz` that the event
//! log can be reached (load balancers send traffic only to ready instances).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{ApiError, AppState};

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
    Ok(Json(json!({
        "status": "ready",
        "backend": state.store.backend(),
        "head": head.to_string(),
    })))
}
