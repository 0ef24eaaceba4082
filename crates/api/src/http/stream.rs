//! Live updates: `GET /v1/stream`, Server-Sent Events of the changes to the requests the caller
//! reaches (a connector's neighbourhoods, a partner's referrals, one's own requests and the
//! ones one helps with), so a desk or an app updates without polling.
//!
//! Each event carries ids, a type and a position, never personal data: the client reads the
//! details through the policy (`GET /v1/requests/{id}`). An event is sent once the caller's
//! read models include it, so that read shows it. The `id` of each event is its checkpoint in
//! the log; a client that reconnects with `Last-Event-ID` resumes right after it, and one
//! without starts at the log's head (ADR 0040).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use noaber_domain::policy::Action;
use noaber_domain::RequestId;
use noaber_store::{Checkpoint, EventFilter, RecordedEvent};
use serde_json::json;

use super::{policy, Actor, ApiError, AppState};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// How long an event waits for the read models before it is sent all the same.
const MODELS_WAIT: Duration = Duration::from_secs(2);

/// The live update route, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

#[utoipa::path(
    get,
    path = "/stream",
    tag = "live",
    operation_id = "stream",
    summary = "Live updates (Server-Sent Events)",
    description = "A stream of the changes to the requests the caller reaches. Each event carries ids, a type and a position, never personal data (read details through `GET /v1/requests/{id}`); its `id` is a checkpoint: reconnect with `Last-Event-ID` to resume right after it. The `data` of each event is a `StreamEvent`.",
    params(("last-event-id" = Option<String>, Header, description = "Resume after this event (the `id` of an event of this stream, `<tx>:<position>`).")),
    responses((status = 200, description = "An endless stream of events (`event:` the event type, `id:` its checkpoint, `data:` a `StreamEvent`).", body = String, content_type = "text/event-stream"))
)]
async fn stream(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let after = match headers.get("last-event-id") {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.parse::<Checkpoint>().ok())
            .ok_or_else(|| {
                ApiError::BadInput(
                    "Last-Event-ID must be the id of an event of this stream (<tx>:<position>)"
                        .into(),
                )
            })?,
        None => state.store.head().await?,
    };
    let filter = EventFilter {
        tenant_id: Some(actor.tenant.as_uuid()),
        categories: vec!["request".to_owned()],
        ..EventFilter::default()
    };
    let events = state
        .store
        .subscribe(after, filter)
        .filter_map(move |item| {
            let state = state.clone();

            async move {
                let recorded = item.ok()?;
                visible(&state, &actor, &recorded)
                    .await
                    .then(|| Ok(event_of(&recorded)))
            }
        });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// Whether the caller reaches the request `recorded` is about, once the models include it.
async fn visible(state: &AppState, actor: &Actor, recorded: &RecordedEvent) -> bool {
    let _ = state
        .projections
        .wait_for(recorded.checkpoint, MODELS_WAIT)
        .await;
    let Some(id) = recorded.stream_id.aggregate_id() else {
        return false;
    };
    policy::request_in_reach(state, actor, RequestId::new(id), Action::ReadRequest)
        .await
        .is_ok()
}

/// The `data` of an event of the stream: ids, type and position only.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StreamEvent {
    /// The stream the event belongs to (`request-<id>`).
    pub stream: String,
    /// The request it is about.
    pub id: Option<uuid::Uuid>,
    /// What happened, e.g. `HelperMatched`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Its global position in the log.
    pub position: i64,
    /// Its version in its stream.
    pub stream_version: u64,
}

/// The event as sent: ids, type and position only.
fn event_of(recorded: &RecordedEvent) -> Event {
    let data = json!(StreamEvent {
        stream: recorded.stream_id.to_string(),
        id: recorded.stream_id.aggregate_id(),
        event_type: recorded.event_type.clone(),
        position: recorded.position,
        stream_version: recorded.stream_version,
    });
    Event::default()
        .id(recorded.checkpoint.to_string())
        .event(recorded.event_type.clone())
        .data(data.to_string())
}
