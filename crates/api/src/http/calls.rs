//! Call endpoints (*oproepen*): an organisation asks many hands at once in one, several or all
//! neighbourhoods (`POST /v1/calls`), residents answer, and the call is closed.

use axum::extract::State;
use chrono::{DateTime, Utc};
use noaber_domain::call::{AnswerCall, CloseCall, PublishCall};
use noaber_domain::call::{Call, CallCloseReason, CallField, CallScope};
use noaber_domain::values::{Availability, CategoryCode, HandsNeeded, SkillCode};
use noaber_domain::{CallCommand, CallId, NeighbourhoodId, OrganisationId, PersonId, Personal};
use serde::Deserialize;
use uuid::Uuid;

use super::commands::{self, context, execute, Acting, CommandResponse, Kind, Written};
use super::{Actor, ApiError, ApiJson, ApiPath, AppState, CommandId};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The call routes, under `/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(publish))
        .routes(routes!(answer))
        .routes(routes!(close))
}

/// Body of `POST /v1/calls`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishBody {
    /// The call's id; a new one when absent.
    pub call_id: Option<Uuid>,
    /// The organisation asking.
    pub organisation_id: Option<OrganisationId>,
    /// A short title.
    pub title: String,
    /// What is asked, in full.
    pub description: Option<String>,
    /// The category of help.
    pub category: Option<CategoryCode>,
    /// The neighbourhoods asked; every neighbourhood of the tenant when absent.
    #[serde(default, deserialize_with = "super::limits::bounded_opt")]
    pub neighbourhoods: Option<Vec<NeighbourhoodId>>,
    /// What each answer must hold: `name`, `contact`, `availability`.
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub fields_asked: Vec<CallField>,
    /// How many people are needed.
    pub hands_needed: HandsNeeded,
    /// Until when answers are taken.
    pub deadline: DateTime<Utc>,
    /// Skills that would help.
    #[serde(default, deserialize_with = "super::limits::bounded")]
    pub skills_wanted: Vec<SkillCode>,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

impl PublishBody {
    /// The domain command this body asks for.
    pub fn into_command(self, call_id: CallId, publisher: PersonId) -> CallCommand {
        let body = self;
        CallCommand::Publish(PublishCall {
            call_id,
            organisation_id: body.organisation_id,
            title: Personal::clear(publisher, body.title),
            description: body.description.map(|d| Personal::clear(publisher, d)),
            category: body.category,
            scope: match body.neighbourhoods {
                Some(list) => CallScope::Neighbourhoods(list),
                None => CallScope::All,
            },
            fields_asked: body.fields_asked,
            hands_needed: body.hands_needed,
            deadline: body.deadline,
            skills_wanted: body.skills_wanted,
        })
    }
}

#[utoipa::path(
    post,
    path = "/calls",
    tag = "calls",
    operation_id = "publish_call",
    summary = "Publish a call",
    description = "An organisation (through a connector, partner or admin) asks many hands at once in some or all neighbourhoods. Title and description are encrypted as the publisher's personal data.",
    request_body = PublishBody,
    responses((status = 201, description = "The call was published.", body = Written))
)]
async fn publish(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiJson(body): ApiJson<PublishBody>,
) -> Result<CommandResponse, ApiError> {
    let call_id = CallId::new(commands::new_id(body.call_id, command_id));
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = body.into_command(call_id, actor.actor);
    execute::<Call>(&state, &ctx, Kind::Create, command).await
}

/// Body of `POST /v1/calls/{id}/answers`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct AnswerBody {
    /// The name to give (encrypted).
    pub name: Option<String>,
    /// How to reach the person (encrypted).
    pub contact: Option<String>,
    /// When they can help.
    pub availability: Option<Availability>,
    /// On whose behalf (a connector answering for a resident), and when.
    #[serde(flatten)]
    pub acting: Acting,
}

#[utoipa::path(
    post,
    path = "/calls/{id}/answers",
    tag = "calls",
    operation_id = "answer_call",
    summary = "Answer a call",
    description = "A resident answers with what the call asks (name, contact, availability; encrypted); a connector may answer for a resident.",
    params(("id" = CallId, Path, description = "The call.")),
    request_body = AnswerBody,
    responses((status = 200, description = "The answer was recorded.", body = Written))
)]
async fn answer(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(call_id): ApiPath<CallId>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &body.acting)?;
    let person = ctx.subject();
    let command = CallCommand::Answer(AnswerCall {
        call_id,
        name: body.name.map(|n| Personal::clear(person, n)),
        contact: body.contact.map(|c| Personal::clear(person, c)),
        availability: body.availability,
    });
    execute::<Call>(&state, &ctx, Kind::Change, command).await
}

/// Body of `POST /v1/calls/{id}/close`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseBody {
    /// Why the call closes.
    pub reason: CallCloseReason,
    /// On whose behalf, and when.
    #[serde(flatten)]
    pub acting: Acting,
}

#[utoipa::path(
    post,
    path = "/calls/{id}/close",
    tag = "calls",
    operation_id = "close_call",
    summary = "Close a call",
    params(("id" = CallId, Path, description = "The call.")),
    request_body = CloseBody,
    responses((status = 200, description = "The call was closed.", body = Written))
)]
async fn close(
    State(state): State<AppState>,
    actor: Actor,
    command_id: CommandId,
    ApiPath(call_id): ApiPath<CallId>,
    ApiJson(body): ApiJson<CloseBody>,
) -> Result<CommandResponse, ApiError> {
    let ctx = context(&actor, command_id, &body.acting)?;
    let command = CallCommand::Close(CloseCall {
        call_id,
        reason: body.reason,
    });
    execute::<Call>(&state, &ctx, Kind::Change, command).await
}
