//! `GET /v1/calls/{id}`: one call as the caller may see it. Its title and description (the
//! publisher's words for the neighbourhood) for whoever reaches it: a neighbour of a
//! neighbourhood it goes to, as in their feed, or one of its organisers; its answers, with
//! names and contact details opened, for its organisers only. Every opening is recorded.
//! `GET /v1/calls` lists the calls the caller reaches (as a neighbour or an organiser), newest
//! first, without their sealed words: ids, where, until when, hands needed and answers so far.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::{DateTime, Utc};
use noaber_domain::call::{Call, CallEvent, CallField};
use noaber_domain::values::{Availability, CategoryCode};
use noaber_domain::{CallId, NeighbourhoodId, OrganisationId, PersonId};
use noaber_projections::calls::CallEntry;
use noaber_store::StreamId;
use serde::{Deserialize, Serialize};

use super::page::{self, Page};
use super::personal::{open, record, sealed_events, Shown};
use super::{policy, Actor, ApiError, ApiPath, ApiQuery, AppState};
use crate::identity::Opened;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The call read route, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(calls))
        .routes(routes!(call))
}

/// Query of `GET /v1/calls`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallsQuery {
    /// Only calls still taking answers (`true`) or only closed ones (`false`).
    pub open: Option<bool>,
    /// Items per page (1 to 100; 50 when absent).
    pub limit: Option<usize>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Wait until the read models include everything committed before this call.
    #[serde(default)]
    pub fresh: bool,
}

/// A call in the list, with whether the caller organises it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallListed {
    /// The call.
    #[serde(flatten)]
    pub call: CallEntry,
    /// Whether the caller is one of its organisers (and so reads its answers).
    pub organiser: bool,
}

#[utoipa::path(
    get,
    path = "/calls",
    tag = "calls",
    operation_id = "list_calls",
    summary = "The calls the caller reaches",
    description = "Newest first: a neighbour sees the calls of their neighbourhood; organisers see their own.",
    params(CallsQuery),
    responses((status = 200, description = "The calls.", body = Page<CallListed>))
)]
async fn calls(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<CallsQuery>,
) -> Result<Json<Page<CallListed>>, ApiError> {
    let limit = super::limits::page_size(query.limit, page::DEFAULT_LIMIT)?;
    super::reads::wait_if_fresh(&state, query.fresh).await?;
    let found = state
        .projections
        .read()
        .await
        .calls
        .of(actor.tenant, |c| query.open.is_none_or(|o| c.open == o));
    let mut items = Vec::new();
    for call in found {
        let reached = policy::call_in_reach(
            &state,
            &actor,
            call.published_by,
            call.organisation_id,
            call.scope.named(),
        )
        .await;
        if let Ok(reached) = reached {
            items.push(CallListed {
                call,
                organiser: reached.organiser,
            });
        }
    }
    Ok(Json(page::page(
        items,
        |c| page::newest_first(c.call.published_at, c.call.call_id),
        query.cursor.as_deref(),
        limit,
    )?))
}

/// One answer to a call, for its organisers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AnswerView {
    /// Who answered.
    pub person_id: PersonId,
    /// The name they gave, if asked.
    pub name: Option<Shown>,
    /// The contact detail they gave, if asked.
    pub contact: Option<Shown>,
    /// When they can help, if asked.
    pub availability: Option<Availability>,
}

/// One call as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallView {
    /// The call.
    pub call_id: CallId,
    /// `open` or `closed`.
    pub status: String,
    /// The organisation behind it, if any.
    pub organisation_id: Option<OrganisationId>,
    /// Its category, if any.
    pub category: Option<CategoryCode>,
    /// The neighbourhoods it goes to; absent when it goes to all of them.
    pub neighbourhoods: Option<Vec<NeighbourhoodId>>,
    /// What every answer must hold.
    pub fields_asked: Vec<CallField>,
    /// How many hands are needed.
    pub hands_needed: u32,
    /// Answers are taken until then.
    pub deadline: DateTime<Utc>,
    /// How many answered.
    pub answer_count: usize,
    /// Its title.
    pub title: Option<Shown>,
    /// What is asked, in full, if said.
    pub description: Option<Shown>,
    /// The answers, for its organisers; for anyone else only their own answer, if they gave one.
    pub answers: Option<Vec<AnswerView>>,
}

#[utoipa::path(
    get,
    path = "/calls/{id}",
    tag = "calls",
    operation_id = "get_call",
    summary = "One call, with its answers for its organisers",
    description = "Organisers read the structured answers (opened and recorded in the access log); a neighbour reads the call and their own answer.",
    params(("id" = CallId, Path, description = "The call.", example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")),
    responses((status = 200, description = "The call.", body = CallView))
)]
async fn call(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<CallId>,
) -> Result<Json<CallView>, ApiError> {
    super::reads::ensure_in_tenant(&state, "call", id.as_uuid(), actor.tenant).await?;
    let events: Vec<CallEvent> = sealed_events(&state, &StreamId::of::<Call>(id.as_uuid())).await?;
    let Some(published) = events.iter().find_map(|e| match e {
        CallEvent::CallPublished(p) => Some(p),
        _ => None,
    }) else {
        return Err(ApiError::NotFound(format!("there is no call {id} here")));
    };
    let reached = policy::call_in_reach(
        &state,
        &actor,
        published.published_by,
        published.organisation_id,
        published.scope.named(),
    )
    .await?;
    let mut opened = Opened::new(actor.tenant, actor.actor, actor.role, "GET /v1/calls/{id}");
    let title = open(&state, &published.title).await?;
    if title.is_some() {
        opened.add(published.title.subject, "call_title");
    }
    let description = match &published.description {
        Some(d) => {
            let shown = open(&state, d).await?;
            if shown.is_some() {
                opened.add(d.subject, "call_description");
            }
            shown
        }
        None => None,
    };
    let mut closed = false;
    let mut answer_count = 0;
    let mut answers = reached.organiser.then(Vec::new);
    for event in &events {
        match event {
            CallEvent::CallAnswered(a) => {
                answer_count += 1;
                // An organiser reads every answer; whoever answered reads their own back.
                let own = a.answered_by == actor.actor;
                if own && answers.is_none() {
                    answers = Some(Vec::new());
                }
                let Some(list) = answers.as_mut().filter(|_| reached.organiser || own) else {
                    continue;
                };
                let mut view = AnswerView {
                    person_id: a.answered_by,
                    name: None,
                    contact: None,
                    availability: a.availability.clone(),
                };
                if let Some(name) = &a.name {
                    view.name = open(&state, name).await?;
                    opened.add(name.subject, "name");
                }
                if let Some(contact) = &a.contact {
                    view.contact = open(&state, contact).await?;
                    opened.add(contact.subject, "contact");
                }
                list.push(view);
            }
            CallEvent::CallClosed(_) => closed = true,
            CallEvent::CallPublished(_) => {}
        }
    }
    record(&state, opened, &headers).await;
    Ok(Json(CallView {
        call_id: id,
        status: if closed { "closed" } else { "open" }.to_owned(),
        organisation_id: published.organisation_id,
        category: published.category.clone(),
        neighbourhoods: published.scope.named().map(<[_]>::to_vec),
        fields_asked: published.fields_asked.clone(),
        hands_needed: published.hands_needed.get(),
        deadline: published.deadline,
        answer_count,
        title,
        description,
        answers,
    }))
}
