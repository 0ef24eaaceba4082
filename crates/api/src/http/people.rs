//! Looking people up: a connector finds the residents and helpers of their neighbourhoods by
//! skill, availability and name (`POST /v1/persons/search`: a name goes in a body, never in an
//! address), and the volunteer list of those who agreed to be asked for calls
//! (`GET /v1/volunteers`). Names and contacts are opened for those the policy allows, and each
//! person returned is recorded in the access log.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use noaber_domain::policy::{Action, Reach};
use noaber_domain::values::{Availability, PartOfDay, SkillCode, Slot, Weekday};
use noaber_domain::NeighbourhoodId;
use noaber_projections::directory::{HelperHit, HelperQuery, PersonHit, PersonQuery};
use serde::Deserialize;

use super::extract::CommaList;
use super::page::{self, Page};
use super::personal::{self, Shown, WithCard};
use super::{limits, policy, Actor, ApiError, ApiJson, ApiQuery, AppState};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The lookup routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(volunteers))
}

/// Body of `POST /v1/persons/search`: every field narrows the search.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "de vries", "skill": "grocery_shopping", "limit": 20}))]
pub struct SearchBody {
    /// Part of the name (any case, at least two letters).
    pub name: Option<String>,
    /// Only these neighbourhoods (all the caller's own when absent: a connector's
    /// neighbourhoods, an administrator's whole tenant).
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// Only people with this skill.
    pub skill: Option<SkillCode>,
    /// Only people available in at least one of these slots.
    #[schema(value_type = Option<Vec<Object>>, example = json!([{"day": "mon", "part": "morning"}]))]
    pub available: Option<Availability>,
    /// Only helpers.
    #[serde(default)]
    pub helpers_only: bool,
    /// Items per page (1 to 100; 20 when absent).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The neighbourhoods the caller may look in: `asked` when all are theirs, else all of theirs;
/// `None` for the whole tenant.
async fn neighbourhoods(
    state: &AppState,
    actor: &Actor,
    action: Action,
    asked: Vec<NeighbourhoodId>,
) -> Result<Option<Vec<NeighbourhoodId>>, ApiError> {
    let scope = policy::scope(state, actor, action).await?;
    if let Some(not_yours) = asked.iter().find(|n| !scope.covers(**n)) {
        return Err(ApiError::Forbidden(format!(
            "neighbourhood {not_yours} is not one of yours: a {} looks people up in their own neighbourhoods",
            actor.role.as_str()
        )));
    }
    Ok(match scope.reach {
        Reach::Tenant if asked.is_empty() => None,
        _ if asked.is_empty() => Some(scope.neighbourhoods),
        _ => Some(asked),
    })
}

#[utoipa::path(
    post,
    path = "/persons/search",
    tag = "people",
    operation_id = "search_persons",
    summary = "Look people up",
    description = "Residents and helpers of the caller's neighbourhoods by part of their name, skill and availability (a name goes in this body, never in an address). Names and contacts are opened for those who coordinate helpers; every person returned is recorded in the access log. Paged by cursor.",
    request_body = SearchBody,
    responses((status = 200, description = "One page of people, by id.", body = Page<WithCard<PersonHit>>))
)]
async fn search(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SearchBody>,
) -> Result<Json<Page<WithCard<PersonHit>>>, ApiError> {
    let limit = limits::page_size(body.limit, 20)?;
    let name = match body.name.as_deref().map(str::trim) {
        Some(n) if n.chars().count() < 2 => {
            return Err(ApiError::BadInput(
                "name: give at least two letters of the name".into(),
            ))
        }
        Some(n) if n.chars().count() > 200 => {
            return Err(ApiError::BadInput("name: at most 200 letters".into()))
        }
        Some(n) => Some(n.to_lowercase()),
        None => None,
    };
    let Some(neighbourhoods) =
        (match neighbourhoods(&state, &actor, Action::LookUpPersons, body.neighbourhoods).await? {
            Some(list) if list.is_empty() => None,
            Some(list) => Some(list),
            None => Some(Vec::new()),
        })
    else {
        return Ok(Json(Page {
            items: Vec::new(),
            next_cursor: None,
        }));
    };
    let query = PersonQuery {
        tenant: actor.tenant.as_uuid(),
        neighbourhoods,
        skill: body.skill.map(|s| s.as_str().to_owned()),
        available: body.available,
        helpers_only: body.helpers_only,
    };
    let hits = state
        .projections
        .read()
        .await
        .directory
        .persons(&query)
        .map_err(|e| ApiError::BadInput(e.to_string()))?;
    // Names are matched opened, but only the people returned count as read.
    let mut found = Vec::new();
    for hit in hits {
        if let Some(name) = &name {
            let matches = match &hit.name {
                Some(sealed) => matches!(
                    personal::open(&state, sealed).await?,
                    Some(Shown::Clear(text)) if text.to_lowercase().contains(name.as_str())
                ),
                None => false,
            };
            if !matches {
                continue;
            }
        }
        found.push(hit);
    }
    let page = carded_page(
        &state,
        &actor,
        &headers,
        "POST /v1/persons/search",
        true,
        found,
        |h| h.person,
        body.cursor.as_deref(),
        limit,
    );
    Ok(Json(page.await?))
}

/// Query of `GET /v1/volunteers`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VolunteerParams {
    /// Only volunteers with this skill.
    #[param(value_type = Option<String>, example = "grocery_shopping")]
    pub skill: Option<SkillCode>,
    /// Only volunteers available in one of these slots, comma-separated as `day-part`
    /// (`mon-morning,sat-afternoon`).
    #[serde(default)]
    #[param(value_type = Option<String>, example = "mon-morning,sat-afternoon")]
    pub available: CommaList<SlotParam>,
    /// Only volunteers of this neighbourhood.
    pub neighbourhood: Option<NeighbourhoodId>,
    /// Items per page (1 to 100; 50 when absent).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `false` to leave names and contacts sealed (nothing is then recorded).
    pub open: Option<bool>,
}

/// A weekly slot in a query: `mon-morning`.
#[derive(Debug, Clone, Copy)]
pub struct SlotParam(pub Slot);

impl std::str::FromStr for SlotParam {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("{s:?} is not a slot: write day-part, such as mon-morning or sat-evening");
        let (day, part) = s.split_once('-').ok_or_else(bad)?;
        Ok(Self(Slot {
            day: day.parse::<Weekday>().map_err(|_| bad())?,
            part: part.parse::<PartOfDay>().map_err(|_| bad())?,
        }))
    }
}

#[utoipa::path(
    get,
    path = "/volunteers",
    tag = "people",
    operation_id = "volunteers",
    summary = "The volunteer list",
    description = "Helpers who agreed to be asked for calls, in the caller's neighbourhoods, by skill and availability, with names and contacts opened for those who coordinate helpers (recorded in the access log). Paged by cursor.",
    params(VolunteerParams),
    responses((status = 200, description = "One page of volunteers, by id.", body = Page<WithCard<HelperHit>>))
)]
async fn volunteers(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<VolunteerParams>,
) -> Result<Json<Page<WithCard<HelperHit>>>, ApiError> {
    let limit = limits::page_size(params.limit, 50)?;
    let asked: Vec<NeighbourhoodId> = params.neighbourhood.into_iter().collect();
    let within = neighbourhoods(&state, &actor, Action::ReadVolunteers, asked).await?;
    let CommaList(slots) = params.available;
    let available =
        (!slots.is_empty()).then(|| Availability::from_slots(slots.into_iter().map(|s| s.0)));
    let query = HelperQuery {
        tenant: Some(actor.tenant.as_uuid()),
        skill: params.skill.map(|s| s.as_str().to_owned()),
        available,
        for_calls: true,
        limit: usize::MAX,
        ..HelperQuery::default()
    };
    let mut hits = state
        .projections
        .read()
        .await
        .directory
        .helpers(&query)
        .map_err(|e| ApiError::BadInput(e.to_string()))?;
    if let Some(within) = within {
        hits.retain(|h| h.neighbourhood.is_some_and(|n| within.contains(&n)));
    }
    let open = params.open != Some(false);
    let page = carded_page(
        &state,
        &actor,
        &headers,
        "GET /v1/volunteers",
        open,
        hits,
        |h| h.person,
        params.cursor.as_deref(),
        limit,
    );
    Ok(Json(page.await?))
}

/// One page of `found` by person id, each with the name and contact the caller may open
/// (recorded as one access-log entry for `resource`).
#[allow(clippy::too_many_arguments)]
async fn carded_page<T>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    resource: &'static str,
    open: bool,
    found: Vec<T>,
    person: impl Fn(&T) -> noaber_domain::PersonId + Copy,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<WithCard<T>>, ApiError> {
    let found = page::page(found, |t| page::by_id(person(t)), cursor, limit)?;
    let items =
        personal::with_cards(state, actor, headers, resource, open, found.items, person).await?;
    Ok(Page {
        items,
        next_cursor: found.next_cursor,
    })
}
