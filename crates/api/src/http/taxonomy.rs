//! `GET /v1/taxonomy`: the skills, request categories and target groups with their labels in
//! Dutch, French and English, exactly as `noaber taxonomy --format json` prints them, so client
//! apps label codes the same way the command line does.
//!
//! Reference data, public by design: no personal data, the same for every tenant (funders need
//! the category labels of their breakdowns, a sign-in page its languages).

use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;

use super::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The taxonomy route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(taxonomy))
}

#[utoipa::path(
    get,
    path = "/taxonomy",
    tag = "taxonomy",
    operation_id = "taxonomy",
    summary = "The taxonomy",
    description = "Skills, request categories and target groups with their labels in Dutch, French and English. Public.",
    responses((status = 200, description = "The taxonomy.", body = noaber_domain::taxonomy::Taxonomy))
)]
async fn taxonomy() -> impl IntoResponse {
    (
        // It changes only with a new release.
        [(header::CACHE_CONTROL, "public, max-age=3600")],
        Json(noaber_domain::taxonomy::taxonomy()),
    )
}
