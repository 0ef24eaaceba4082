//! The social map every caller of a tenant may read: `GET /v1/neighbourhoods` and
//! `GET /v1/organisations` (with `?category=`, `?neighbourhood=` and `?active=`), the
//! neighbourhoods and the organisations a connector refers to with the help they take and
//! where. Reference data of the tenant, without personal data.

use axum::extract::State;
use axum::Json;
use noaber_domain::values::CategoryCode;
use noaber_domain::NeighbourhoodId;
use noaber_projections::social_map::{NeighbourhoodEntry, OrganisationEntry};
use serde::{Deserialize, Serialize};

use super::reads::wait_if_fresh;
use super::{Actor, ApiError, ApiQuery, AppState};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The social map routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(neighbourhoods))
        .routes(routes!(organisations))
}

/// A list of the map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Items<T> {
    /// The entries, by name.
    pub items: Vec<T>,
}

/// Query of `GET /v1/neighbourhoods`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NeighbourhoodQuery {
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
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
    params(NeighbourhoodQuery),
    responses((status = 200, description = "The neighbourhoods.", body = Items<NeighbourhoodEntry>))
)]
async fn neighbourhoods(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<NeighbourhoodQuery>,
) -> Result<Json<Items<NeighbourhoodEntry>>, ApiError> {
    wait_if_fresh(&state, query.fresh).await?;
    let models = state.projections.read().await;
    Ok(Json(Items {
        items: models.social_map.neighbourhoods(actor.tenant),
    }))
}

#[utoipa::path(
    get,
    path = "/organisations",
    tag = "social-map",
    operation_id = "list_organisations",
    summary = "The organisations of the tenant, with the help they take",
    description = "The social map a connector refers to, by name.",
    params(OrganisationQuery),
    responses((status = 200, description = "The organisations.", body = Items<OrganisationEntry>))
)]
async fn organisations(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<OrganisationQuery>,
) -> Result<Json<Items<OrganisationEntry>>, ApiError> {
    wait_if_fresh(&state, query.fresh).await?;
    let models = state.projections.read().await;
    let items = models.social_map.organisations(actor.tenant, |o| {
        query.active.is_none_or(|a| o.active == a)
            && o.serves(query.category.as_ref(), query.neighbourhood)
    });
    Ok(Json(Items { items }))
}
