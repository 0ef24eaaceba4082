//! A person's own lists: `GET /v1/me/requests` (what they asked, themselves or through a
//! connector), `GET /v1/me/offers` (where they offered and are not matched yet) and
//! `GET /v1/me/matches` (where they are matched, or were credited when it was solved: their
//! history of contributions). Newest first; the details of each through `GET /v1/requests/{id}`.

use axum::extract::State;
use axum::Json;
use noaber_domain::{NeighbourhoodId, PersonId, RequestId};
use noaber_projections::directory::RequestParties;
use serde::{Deserialize, Serialize};

use super::limits;
use super::page::{self, ListParams, Page};
use super::reads::wait_if_fresh;
use super::{Actor, ApiError, ApiQuery, AppState};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of one's own lists, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_requests))
        .routes(routes!(my_offers))
        .routes(routes!(my_matches))
}

/// One request in one of the caller's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"request_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "neighbourhood_id": "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b", "category": "errands", "open": true, "part": "requester"}))]
pub struct Mine {
    /// The request.
    pub request_id: RequestId,
    /// Its neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// Its category.
    pub category: String,
    /// Whether it is still open.
    pub open: bool,
    /// The caller's part: `requester`, `offered`, `matched` or `credited`.
    #[schema(value_type = String, example = "requester")]
    pub part: &'static str,
}

/// The caller's part in a request, if they have the one `wanted` asks for.
type Wanted = fn(&RequestParties<'_>, PersonId) -> Option<&'static str>;

fn as_requester(p: &RequestParties<'_>, me: PersonId) -> Option<&'static str> {
    (p.requester == me).then_some("requester")
}

fn as_offering(p: &RequestParties<'_>, me: PersonId) -> Option<&'static str> {
    p.offered.contains(&me).then_some("offered")
}

fn as_helper(p: &RequestParties<'_>, me: PersonId) -> Option<&'static str> {
    if p.matched.contains(&me) {
        Some("matched")
    } else if p.credited.contains(&me) {
        Some("credited")
    } else {
        None
    }
}

async fn list(
    state: &AppState,
    actor: &Actor,
    query: ListParams,
    wanted: Wanted,
) -> Result<Json<Page<Mine>>, ApiError> {
    let limit = limits::page_size(query.limit, page::DEFAULT_LIMIT)?;
    wait_if_fresh(state, query.fresh).await?;
    let models = state.projections.read().await;
    let me = actor.actor;
    // Newest first: by the place of each request in the person's involvement, which only grows.
    let items: Vec<(usize, Mine)> = models
        .directory
        .requests_of(me)
        .iter()
        .enumerate()
        .filter_map(|(at, id)| {
            let parties = models.directory.request_parties(*id)?;
            let part = wanted(&parties, me)?;
            Some((
                at,
                Mine {
                    request_id: *id,
                    neighbourhood_id: parties.neighbourhood,
                    category: parties.category.to_owned(),
                    open: parties.open,
                    part,
                },
            ))
        })
        .collect();
    drop(models);
    let found = page::page(
        items,
        |(at, _)| format!("{:020}", usize::MAX - at),
        query.cursor.as_deref(),
        limit,
    )?;
    Ok(Json(Page {
        items: found.items.into_iter().map(|(_, m)| m).collect(),
        next_cursor: found.next_cursor,
    }))
}

#[utoipa::path(
    get,
    path = "/me/requests",
    tag = "me",
    operation_id = "my_requests",
    summary = "The requests I asked",
    description = "Themselves or through a connector; newest first.",
    params(ListParams),
    responses((status = 200, description = "My requests.", body = Page<Mine>))
)]
async fn my_requests(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Page<Mine>>, ApiError> {
    list(&state, &actor, q, as_requester).await
}

#[utoipa::path(
    get,
    path = "/me/offers",
    tag = "me",
    operation_id = "my_offers",
    summary = "Where I offered and am not matched yet",
    description = "Newest first.",
    params(ListParams),
    responses((status = 200, description = "My open offers.", body = Page<Mine>))
)]
async fn my_offers(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Page<Mine>>, ApiError> {
    list(&state, &actor, q, as_offering).await
}

#[utoipa::path(
    get,
    path = "/me/matches",
    tag = "me",
    operation_id = "my_matches",
    summary = "Where I am matched, or was credited",
    description = "My history of contributions; newest first.",
    params(ListParams),
    responses((status = 200, description = "My matches.", body = Page<Mine>))
)]
async fn my_matches(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Page<Mine>>, ApiError> {
    list(&state, &actor, q, as_helper).await
}
