//! Reading standing offers: `GET /v1/standing-offers` lists the open ones the caller reaches
//! (as in their feed: the neighbourhood they live in, or the ones they serve), newest first,
//! with their titles; `GET /v1/standing-offers/{id}` shows one with its title and description;
//! `GET /v1/me/standing-offers` lists the caller's own, whatever their status. The helper's words
//! are opened for readers the table's `open_standing_offer` allows, every opening recorded.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::Utc;
use noaber_domain::offer::{StandingOffer, StandingOfferEvent, StandingOfferStatus};
use noaber_domain::policy::{reach, Action, Reach};
use noaber_domain::values::{CategoryCode, SkillCode};
use noaber_domain::{NeighbourhoodId, Personal, StandingOfferId};
use noaber_projections::feed::FeedPage;
use noaber_projections::standing_offers::{OfferEntry, OfferQuery};
use noaber_store::StreamId;
use serde::{Deserialize, Serialize};

use super::super::limits;
use super::super::page::{self, ListParams, Page};
use super::super::personal::{open, record, sealed_events, Shown};
use super::super::reads::wait_if_fresh;
use super::super::{policy, Actor, ApiError, ApiPath, ApiQuery, AppState, Via};
use super::offer_of;
use crate::identity::Opened;

/// A standing offer in a list, with its title opened for the reader.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferListed {
    /// The offer.
    #[serde(flatten)]
    pub offer: OfferEntry,
    /// Its title, when the reader may open it.
    pub title: Option<Shown>,
}

/// One standing offer as the caller may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    /// The offer.
    #[serde(flatten)]
    pub offer: OfferEntry,
    /// Whether it is listed now: open, not ended, its helper neither suspended nor erased.
    pub listed: bool,
    /// Its title, when the reader may open it.
    pub title: Option<Shown>,
    /// What is offered, in full, when said and the reader may open it.
    pub description: Option<Shown>,
}

/// Query of `GET /v1/standing-offers`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only offers in this neighbourhood; every neighbourhood the caller reaches when absent.
    pub neighbourhood: Option<NeighbourhoodId>,
    /// Only offers of this category.
    #[param(value_type = Option<String>, example = "errands")]
    pub category: Option<CategoryCode>,
    /// Only offers that take this skill.
    #[param(value_type = Option<String>, example = "grocery_shopping")]
    pub skill: Option<SkillCode>,
    /// Items per page (1 to 100; 50 when absent).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `false` to leave the titles sealed (nothing is then recorded).
    pub open: Option<bool>,
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
}

/// Query of the reads of one offer and of one's own.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OneQuery {
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
}

/// The neighbourhoods whose offers the caller reads (as in their feed); `None`: all of the
/// tenant's. A neighbourhood asked for must be one of them.
pub(in crate::http) async fn reached(
    state: &AppState,
    actor: &Actor,
    asked: Option<NeighbourhoodId>,
) -> Result<Option<Vec<NeighbourhoodId>>, ApiError> {
    let scope = policy::scope(state, actor, Action::ReadFeed).await?;
    let mine = match scope.reach {
        Reach::Tenant => None,
        // The development headers name no registered person: they read the whole tenant.
        Reach::Own if actor.via == Via::DevHeaders => None,
        Reach::Own => Some(
            state
                .projections
                .read()
                .await
                .directory
                .neighbourhood_of(actor.actor)
                .into_iter()
                .collect(),
        ),
        _ => Some(scope.neighbourhoods),
    };
    match (asked, mine) {
        (None, mine) => Ok(mine),
        (Some(n), None) => Ok(Some(vec![n])),
        (Some(n), Some(mine)) if mine.contains(&n) => Ok(Some(vec![n])),
        (Some(_), Some(_)) => Err(ApiError::Forbidden(format!(
            "a {} reads the standing offers of their own neighbourhoods only",
            actor.role.as_str()
        ))),
    }
}

/// Opens `sealed` for a reader the table lets open a standing offer's words, noting it.
async fn opened_words(
    state: &AppState,
    actor: &Actor,
    sealed: Option<&Personal>,
    field: &'static str,
    opened: &mut Opened,
) -> Result<Option<Shown>, ApiError> {
    let Some(sealed) = sealed else {
        return Ok(None);
    };
    if reach(actor.role, Action::OpenStandingOffer) == Reach::No {
        return Ok(None);
    }
    let shown = open(state, sealed).await?;
    if shown.is_some() {
        opened.add(sealed.subject, field);
    }
    Ok(shown)
}

/// The offers with their titles opened when `open_titles`, one access-log entry for all.
async fn with_titles(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    resource: &'static str,
    open_titles: bool,
    offers: Vec<(OfferEntry, Option<Personal>)>,
) -> Result<Vec<OfferListed>, ApiError> {
    let mut opened = Opened::new(actor.tenant, actor.actor, actor.role, resource);
    let mut out = Vec::with_capacity(offers.len());
    for (offer, sealed) in offers {
        let title = if open_titles {
            opened_words(state, actor, sealed.as_ref(), "offer_title", &mut opened).await?
        } else {
            None
        };
        out.push(OfferListed { offer, title });
    }
    record(state, opened, headers).await;
    Ok(out)
}

#[utoipa::path(
    get,
    path = "/standing-offers",
    tag = "standing-offers",
    operation_id = "list_standing_offers",
    summary = "The standing offers the caller reaches",
    description = "Open offers of the neighbourhoods in the caller's feed, newest first, a page at a time, with their titles opened for readers the policy allows (recorded in the access log).",
    params(ListQuery),
    responses((status = 200, description = "One page of offers.", body = Page<OfferListed>))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<OfferListed>>, ApiError> {
    let limit = limits::page_size(query.limit, page::DEFAULT_LIMIT)?;
    let neighbourhoods = reached(&state, &actor, query.neighbourhood).await?;
    wait_if_fresh(&state, query.fresh).await?;
    let found: Vec<(OfferEntry, Option<Personal>)> = {
        let models = state.projections.read().await;
        let offers = &models.standing_offers;
        offers
            .listed(&OfferQuery {
                tenant: actor.tenant,
                neighbourhoods: neighbourhoods.as_deref(),
                category: query.category.as_ref(),
                skill: query.skill.as_ref(),
                today: Utc::now().date_naive(),
            })
            .into_iter()
            .map(|o| {
                let title = offers.sealed_title(o.standing_offer_id);
                (o, title)
            })
            .collect()
    };
    let found = newest_first(found, query.cursor.as_deref(), limit)?;
    let open = query.open != Some(false);
    let items = with_titles(
        &state,
        &actor,
        &headers,
        "GET /v1/standing-offers",
        open,
        found.items,
    );
    Ok(Json(Page {
        items: items.await?,
        next_cursor: found.next_cursor,
    }))
}

/// One page of offers, newest first.
fn newest_first(
    found: Vec<(OfferEntry, Option<Personal>)>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<(OfferEntry, Option<Personal>)>, ApiError> {
    page::page(
        found,
        |(o, _)| page::newest_first(o.published_at, o.standing_offer_id),
        cursor,
        limit,
    )
}

#[utoipa::path(
    get,
    path = "/me/standing-offers",
    tag = "standing-offers",
    operation_id = "my_standing_offers",
    summary = "My standing offers",
    description = "The caller's own offers, whatever their status, newest first, with their titles.",
    params(ListParams),
    responses((status = 200, description = "One page of my offers.", body = Page<OfferListed>))
)]
pub(super) async fn mine(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ListParams>,
) -> Result<Json<Page<OfferListed>>, ApiError> {
    let limit = limits::page_size(query.limit, page::DEFAULT_LIMIT)?;
    wait_if_fresh(&state, query.fresh).await?;
    let found: Vec<(OfferEntry, Option<Personal>)> = {
        let models = state.projections.read().await;
        let offers = &models.standing_offers;
        offers
            .of_helper(actor.tenant, actor.actor)
            .into_iter()
            .map(|o| {
                let title = offers.sealed_title(o.standing_offer_id);
                (o, title)
            })
            .collect()
    };
    let found = newest_first(found, query.cursor.as_deref(), limit)?;
    let resource = "GET /v1/me/standing-offers";
    let items = with_titles(&state, &actor, &headers, resource, true, found.items);
    Ok(Json(Page {
        items: items.await?,
        next_cursor: found.next_cursor,
    }))
}

#[utoipa::path(
    get,
    path = "/standing-offers/{id}",
    tag = "standing-offers",
    operation_id = "standing_offer",
    summary = "One standing offer",
    description = "The offer with its title and description opened for readers the policy allows (recorded in the access log).",
    params(("id" = StandingOfferId, Path, description = "The offer."), OneQuery),
    responses((status = 200, description = "The offer.", body = OfferView))
)]
pub(super) async fn one(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<StandingOfferId>,
    ApiQuery(query): ApiQuery<OneQuery>,
) -> Result<Json<OfferView>, ApiError> {
    wait_if_fresh(&state, query.fresh).await?;
    let (helper, neighbourhoods) = offer_of(&state, &actor, id).await?;
    let own = actor.actor == helper;
    // Who manages it reads it whatever its status; a neighbour while it is not withdrawn.
    let manages = !own
        && super::managed(&state, &actor, helper, &neighbourhoods, &[])
            .await
            .is_ok();
    let (offer, listed) = {
        let models = state.projections.read().await;
        let offers = &models.standing_offers;
        let offer = offers
            .get(actor.tenant, id)
            .cloned()
            .ok_or_else(|| ApiError::NotFound(format!("there is no standing offer {id} here")))?;
        let listed = offers.is_listed(&offer, Utc::now().date_naive());
        (offer, listed)
    };
    if !own && !manages {
        let asked = reached(&state, &actor, None).await?;
        let in_reach = asked.is_none_or(|mine| neighbourhoods.iter().any(|n| mine.contains(n)));
        if !in_reach {
            return Err(ApiError::Forbidden(format!(
                "this standing offer is not offered where a {} reads offers (their own neighbourhood, or the ones they serve)",
                actor.role.as_str()
            )));
        }
        if offer.status == StandingOfferStatus::Withdrawn {
            return Err(ApiError::NotFound(format!(
                "standing offer {id} was withdrawn"
            )));
        }
    }
    let events: Vec<StandingOfferEvent> =
        sealed_events(&state, &StreamId::of::<StandingOffer>(id.as_uuid())).await?;
    let (title, description) = latest_words(&events);
    let mut opened = Opened::new(
        actor.tenant,
        actor.actor,
        actor.role,
        "GET /v1/standing-offers/{id}",
    );
    let title = opened_words(&state, &actor, title, "offer_title", &mut opened).await?;
    let description = opened_words(
        &state,
        &actor,
        description,
        "offer_description",
        &mut opened,
    )
    .await?;
    record(&state, opened, &headers).await;
    Ok(Json(OfferView {
        offer,
        listed,
        title,
        description,
    }))
}

/// The offer's latest title and description in its events, still sealed.
fn latest_words(events: &[StandingOfferEvent]) -> (Option<&Personal>, Option<&Personal>) {
    let (mut title, mut description) = (None, None);
    for event in events {
        match event {
            StandingOfferEvent::StandingOfferPublished(e) => {
                title = Some(&e.title);
                description = e.description.as_ref();
            }
            StandingOfferEvent::StandingOfferUpdated(e) => {
                title = e.title.as_ref().or(title);
                if let Some(d) = &e.description {
                    description = d.as_ref();
                }
            }
            _ => {}
        }
    }
    (title, description)
}

/// Opens the titles of the published standing offers on a feed page, into the same access-log
/// entry as the page's descriptions.
pub(in crate::http) async fn open_feed_titles(
    state: &AppState,
    actor: &Actor,
    page: &mut FeedPage,
    opened: &mut Opened,
) -> Result<(), ApiError> {
    for item in &mut page.items {
        let sealed = item.sealed_title.take();
        if let Some(text) =
            opened_words(state, actor, sealed.as_ref(), "offer_title", opened).await?
        {
            item.title = serde_json::to_value(text).ok();
        }
    }
    Ok(())
}
