//! Live updates: `GET /v1/stream`, Server-Sent Events of the changes to the requests, calls and
//! standing offers the caller reaches (a connector's neighbourhoods, a partner's referrals, one's
//! own requests and the ones one helps with, the calls and offers in one's feed), so a desk or an
//! app updates without polling.
//!
//! Each event carries ids, a type and a position, never personal data: the client reads the
//! details through the policy (`GET /v1/requests/{id}`, `GET /v1/calls/{id}`). Events come from
//! the read models' own follower once it has applied them ([`Projections::followed`]), so the
//! read a client makes on hearing one shows it, and a thousand open streams cost one read of
//! the log, not a thousand. The `id` of each event is its checkpoint in the log; a client that
//! reconnects with `Last-Event-ID` first gets what it missed, read from the log, and one
//! without starts at what the read models show now (ADR 0040).
//!
//! [`Projections::followed`]: noaber_projections::runner::Projections::followed

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, TryStreamExt};
use noaber_domain::policy::Action;
use noaber_domain::{CallId, RequestId, StandingOfferId};
use noaber_store::{Checkpoint, EventFilter, RecordedEvent};
use serde_json::json;
use tokio::sync::broadcast;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{policy, standing_offers, Actor, ApiError, AppState};

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
    description = "A stream of the changes to the requests, calls and standing offers the caller reaches. Each event carries ids, a type and a position, never personal data (read details through `GET /v1/requests/{id}` or `GET /v1/calls/{id}`); its `id` is a checkpoint: reconnect with `Last-Event-ID` to resume right after it, with what happened meanwhile sent first. The `data` of each event is a `StreamEvent`.",
    params(("last-event-id" = Option<String>, Header, description = "Resume after this event (the `id` of an event of this stream, `<tx>:<position>`).")),
    responses((status = 200, description = "An endless stream of events (`event:` the event type, `id:` its checkpoint, `data:` a `StreamEvent`).", body = String, content_type = "text/event-stream"))
)]
async fn stream(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let resume = match headers.get("last-event-id") {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.parse::<Checkpoint>().ok())
                .ok_or_else(|| {
                    ApiError::BadInput(
                        "Last-Event-ID must be the id of an event of this stream (<tx>:<position>)"
                            .into(),
                    )
                })?,
        ),
        None => None,
    };
    // Listen first, then look where the models are: whatever they apply from here on reaches
    // the receiver, and what came before is read from the log.
    let followed = state.projections.followed();
    let applied = state.projections.applied();
    let mut follow = Follow {
        state,
        actor,
        followed,
        sent: resume.unwrap_or(applied),
        pending: VecDeque::new(),
    };
    if resume.is_some() {
        follow.read_missed(applied).await?;
    }
    let events = futures::stream::unfold(follow, |mut follow| async move {
        follow.next().await.map(|event| (Ok(event), follow))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// One caller's stream: the events the read models applied, in log order, each once.
struct Follow {
    state: AppState,
    actor: Actor,
    followed: broadcast::Receiver<Arc<[RecordedEvent]>>,
    /// The last event passed on (sent, or found not to be the caller's).
    sent: Checkpoint,
    pending: VecDeque<RecordedEvent>,
}

impl Follow {
    /// The caller's next event; `None` when the read models stop.
    async fn next(&mut self) -> Option<Event> {
        loop {
            while let Some(recorded) = self.pending.pop_front() {
                if recorded.checkpoint <= self.sent {
                    continue;
                }
                self.sent = recorded.checkpoint;
                if self.visible(&recorded).await {
                    return Some(event_of(&recorded));
                }
            }
            match self.followed.recv().await {
                Ok(batch) => self.pending.extend(batch.iter().cloned()),
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let applied = self.state.projections.applied();
                    if let Err(e) = self.read_missed(applied).await {
                        tracing::warn!(error = %e, "a live update stream could not read what it missed; closing it");
                        return None;
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Queues the caller's events after the last one passed on, up to `until`, from the log.
    async fn read_missed(&mut self, until: Checkpoint) -> Result<(), ApiError> {
        let filter = EventFilter {
            tenant_id: Some(self.actor.tenant.as_uuid()),
            categories: vec![
                "request".to_owned(),
                "call".to_owned(),
                "standing_offer".to_owned(),
            ],
            ..EventFilter::default()
        };
        let mut after = self.sent;
        while after < until {
            let page: Vec<RecordedEvent> = self
                .state
                .store
                .read_all(after, MISSED_PAGE, &filter)
                .try_collect()
                .await?;
            let Some(last) = page.last() else { break };
            after = last.checkpoint;
            let full = page.len() == MISSED_PAGE;
            self.pending
                .extend(page.into_iter().filter(|e| e.checkpoint <= until));
            if !full {
                break;
            }
        }
        Ok(())
    }

    /// Whether the caller reaches the request or call `recorded` is about.
    async fn visible(&self, recorded: &RecordedEvent) -> bool {
        if recorded.tenant_id != self.actor.tenant.as_uuid() {
            return false;
        }
        let Some(id) = recorded.stream_id.aggregate_id() else {
            return false;
        };
        match recorded.stream_id.category() {
            "request" => policy::request_in_reach(
                &self.state,
                &self.actor,
                RequestId::new(id),
                Action::ReadRequest,
            )
            .await
            .is_ok(),
            "call" => {
                let call = self
                    .state
                    .projections
                    .read()
                    .await
                    .calls
                    .get(self.actor.tenant, CallId::new(id))
                    .cloned();
                let Some(call) = call else { return false };
                policy::call_in_reach(
                    &self.state,
                    &self.actor,
                    call.published_by,
                    call.organisation_id,
                    call.scope.named(),
                )
                .await
                .is_ok()
            }
            "standing_offer" => {
                let offer = self
                    .state
                    .projections
                    .read()
                    .await
                    .standing_offers
                    .get(self.actor.tenant, StandingOfferId::new(id))
                    .cloned();
                let Some(offer) = offer else { return false };
                if offer.helper == self.actor.actor {
                    return true;
                }
                match standing_offers::reached(&self.state, &self.actor, None).await {
                    Ok(None) => true,
                    Ok(Some(mine)) => offer.neighbourhoods.iter().any(|n| mine.contains(n)),
                    Err(_) => false,
                }
            }
            _ => false,
        }
    }
}

/// Events read from the log at a time when a stream resumes or fell behind.
const MISSED_PAGE: usize = 500;

/// The `data` of an event of the stream: ids, type and position only.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StreamEvent {
    /// The stream the event belongs to (`request-<id>`, `call-<id>`).
    pub stream: String,
    /// What the stream is of: `request`, `call` or `standing_offer`.
    #[schema(example = "request")]
    pub kind: String,
    /// The request or call it is about.
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
        kind: recorded.stream_id.category().to_owned(),
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
