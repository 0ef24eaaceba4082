//! The social map every caller of a tenant may read: `GET /v1/neighbourhoods` and
//! `GET /v1/organisations` (with `?category=`, `?neighbourhood=` and `?active=`), the
//! neighbourhoods and the organisations a connector refers to with the help they take and
//! where. Reference data of the tenant, without personal data.

use axum::extract::State;
use axum::Json;
use noaber_domain::values::CategoryCode;
use noaber_domain::NeighbourhoodId;
use noaber_projections::social_map::{NeighbourhoodEntry, OrganisationEntry};
use serde::Deserialize;

use super::limits;
use super::page::{self, ListParams, Page};
use super::reads::wait_if_fresh;
use super::{Actor, ApiError, ApiQuery, AppState};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The social map routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(neighbourhoods))
        .routes(routes!(organisations))
}

/// Query of `GET /v1/organisations`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// Only those taking referrals for this category.
    pub category: Option<CategoryCode>,
    /// Only those serving this neighbourhood.
    pub neighbourhood: Option<NeighbourhoodId>,
    /// Only those that still take referrals (`true`), or only those that stopped (`false`).
    pub active: Option<bool>,
    /// Items per page (1 to 100; 50 when absent).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
}

#[utoipa::path(
    get,
    path = "/neighbourhoods",
    tag = "social-map",
    operation_id = "list_neighbourhoods",
    summary = "The neighbourhoods of the tenant",
    description = "By name; reference data without personal data.",
    params(ListParams),
    responses((status = 200, description = "The neighbourhoods.", body = Page<NeighbourhoodEntry>))
)]
async fn neighbourhoods(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ListParams>,
) -> Result<Json<Page<NeighbourhoodEntry>>, ApiError> {
    let limit = limits::page_size(query.limit, page::DEFAULT_LIMIT)?;
    wait_if_fresh(&state, query.fresh).await?;
    let items = state
        .projections
        .read()
        .await
        .social_map
        .neighbourhoods(actor.tenant);
    Ok(Json(page::page(
        items,
        |n| page::by_name(n.name.as_str(), n.neighbourhood_id),
        query.cursor.as_deref(),
        limit,
    )?))
}

#[utoipa::path(
    get,
    path = "/organisations",
    tag = "social-map",
    operation_id = "list_organisations",
    summary = "The organisations of the tenant, with the help they take",
    description = "The social map a connector refers to, by name.",
    params(OrganisationQuery),
    responses((status = 200, description = "The organisations.", body = Page<OrganisationEntry>))
)]
async fn organisations(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<OrganisationQuery>,
) -> Result<Json<Page<OrganisationEntry>>, ApiError> {
    let limit = limits::page_size(query.limit, page::DEFAULT_LIMIT)?;
    wait_if_fresh(&state, query.fresh).await?;
    let models = state.projections.read().await;
    let items = models.social_map.organisations(actor.tenant, |o| {
        query.active.is_none_or(|a| o.active == a)
            && o.serves(query.category.as_ref(), query.neighbourhood)
    });
    drop(models);
    Ok(Json(page::page(
        items,
        |o| page::by_name(o.name.as_str(), o.organisation_id),
        query.cursor.as_deref(),
        limit,
    )?))
}
