//! Personal data opened on read, field by field, for callers the policy allows, and every
//! opening written to the access log: a person's card (name, contact) and one request as the
//! caller may see it (`GET /v1/requests/{id}`).
//!
//! Sealed values are opened from the log itself (the read models hold no personal data), with
//! the per-person keys cached by the privacy codec. An erased person's values read as erased.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use futures::TryStreamExt;
use noaber_domain::person::{Person, PersonEvent};
use noaber_domain::policy::{reach, Action, Reach};
use noaber_domain::request::{HelpRequest, RequestEvent, RequestStatus};
use noaber_domain::values::{CategoryCode, Channel, Urgency};
use noaber_domain::{
    Decider, DomainEvent, NeighbourhoodId, OrganisationId, PersonId, Personal, PersonalValue,
    RequestId, Role, TenantId,
};
use noaber_projections::feed::FeedPage;
use noaber_store::StreamId;
use serde::{Deserialize, Serialize};

use super::{Actor, ApiError, ApiPath, AppState, REQUEST_ID_HEADER};
use crate::identity::Opened;

/// The personal-data read routes, under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new().route("/requests/{id}", get(request))
}

/// A personal value as a reader receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "text")]
pub enum Shown {
    /// The text, opened for this reader.
    Clear(String),
    /// Its person was erased: it can never be read again.
    Erased,
}

fn shown(value: &Personal) -> Option<Shown> {
    match &value.value {
        PersonalValue::Clear(t) => Some(Shown::Clear(t.clone())),
        PersonalValue::Erased => Some(Shown::Erased),
        PersonalValue::Sealed(_) => None,
    }
}

/// What is known of a person's own personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonCard {
    /// Their name as shown (erased or clear).
    pub name_shown: Option<Shown>,
    /// Their contact detail, when readable.
    pub contact: Option<Shown>,
}

impl PersonCard {
    /// Their name in clear, when readable.
    pub fn name(&self) -> Option<&str> {
        match &self.name_shown {
            Some(Shown::Clear(t)) => Some(t),
            _ => None,
        }
    }
}

/// Reads a stream and decodes it, its personal values still sealed (opened one by one with
/// [`open`], only where the reader may see them).
async fn sealed_events<E: DomainEvent>(
    state: &AppState,
    stream: &StreamId,
) -> Result<Vec<E>, ApiError> {
    let mut out = Vec::new();
    let mut events = state.store.read_stream(stream, 1);
    while let Some(recorded) = events.try_next().await? {
        let event = E::decode_stored(
            &recorded.event_type,
            recorded.schema_version,
            recorded.payload,
        )
        .map_err(|e| ApiError::internal(format!("an event of {stream} does not decode: {e}")))?;
        out.push(event);
    }
    Ok(out)
}

/// Opens one sealed value (erased when its person's key is gone).
pub async fn open(state: &AppState, value: &Personal) -> Result<Option<Shown>, ApiError> {
    match &value.value {
        PersonalValue::Sealed(inner) => Ok(Some(match state.privacy.open_sealed(inner).await? {
            Some(text) => Shown::Clear(text),
            None => Shown::Erased,
        })),
        _ => Ok(shown(value)),
    }
}

/// Opens the descriptions of a feed page for a reader the table lets open them, and records
/// the openings.
pub async fn open_feed(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    page: &mut FeedPage,
) -> Result<(), ApiError> {
    if reach(actor.role, Action::OpenDescription) == Reach::No {
        return Ok(());
    }
    let mut opened = Opened::new(
        actor.tenant,
        actor.actor,
        actor.role,
        "GET /v1/neighbourhoods/{id}/feed",
    );
    for item in &mut page.items {
        if let Some(sealed) = item.sealed_description.take() {
            if let Some(text) = open(state, &sealed).await? {
                opened.add(sealed.subject, "description");
                item.description = serde_json::to_value(text).ok();
            }
        }
    }
    record(state, opened, headers).await;
    Ok(())
}

/// The card of `person` of `tenant`, opened from their stream (nothing when not of the tenant).
pub async fn person_card(
    state: &AppState,
    tenant: TenantId,
    person: PersonId,
) -> Result<PersonCard, ApiError> {
    if super::reads::ensure_in_tenant(state, "person", person.as_uuid(), tenant)
        .await
        .is_err()
    {
        return Ok(PersonCard::default());
    }
    // From the directory's sealed copy when it has one (no log read); else from the log.
    let from_model = state.projections.read().await.directory.sealed_card(person);
    let events: Vec<PersonEvent>;
    let (name, contact, erased) = match &from_model {
        Some((name, contact)) => (name.as_ref(), contact.as_ref(), false),
        None => {
            events = sealed_events(state, &StreamId::of::<Person>(person.as_uuid())).await?;
            latest_card(&events)
        }
    };
    let mut card = PersonCard::default();
    if erased {
        card.name_shown = name.map(|_| Shown::Erased);
        card.contact = contact.map(|_| Shown::Erased);
    } else {
        if let Some(name) = name {
            card.name_shown = open(state, name).await?;
        }
        if let Some(contact) = contact {
            card.contact = open(state, contact).await?;
        }
    }
    Ok(card)
}

/// The latest name and contact in a person's events, still sealed, and whether they were erased.
fn latest_card(events: &[PersonEvent]) -> (Option<&Personal>, Option<&Personal>, bool) {
    let (mut name, mut contact, mut erased) = (None, None, false);
    for event in events {
        match event {
            PersonEvent::PersonRegistered(e) => {
                name = Some(&e.name);
                contact = e.contact.as_ref();
            }
            PersonEvent::ProfileUpdated(e) => {
                name = e.name.as_ref().or(name);
                contact = e.contact.as_ref().or(contact);
            }
            PersonEvent::PersonErased(_) => erased = true,
            _ => {}
        }
    }
    (name, contact, erased)
}

/// Hands what a response opened to the access log, with the request id the client sent.
pub async fn record(state: &AppState, mut opened: Opened, headers: &HeaderMap) {
    opened.request_id = headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 128)
        .map(str::to_owned);
    state.identity.access_log().record(opened).await;
}

/// The requester of a request as a reader may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequesterView {
    /// Their id; absent when the request is anonymous and the reader may not know who asked.
    pub person_id: Option<PersonId>,
    /// Their name, when the reader may open it.
    pub name: Option<Shown>,
    /// Their contact detail, when the reader may open it and there is one.
    pub contact: Option<Shown>,
}

/// One request as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    /// The request.
    pub request_id: RequestId,
    /// Where it stands: `open`, `resolved`, `closed` or `voided`.
    pub status: String,
    /// Its category.
    pub category: Option<CategoryCode>,
    /// Its neighbourhood.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// How urgent.
    pub urgency: Option<Urgency>,
    /// How it came in.
    pub channel: Option<Channel>,
    /// Whether neighbours see it without the requester's name.
    pub anonymous: bool,
    /// What the resident asked, when the reader may open it.
    pub description: Option<Shown>,
    /// Who asked, as far as the reader may know.
    pub requester: RequesterView,
    /// Helpers who offered.
    pub offers: Vec<PersonId>,
    /// Helpers matched.
    pub matched: Vec<PersonId>,
    /// The organisation it was referred to, if any.
    pub referred_to: Option<OrganisationId>,
}

fn status_name(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::NotPosted => "not_posted",
        RequestStatus::Open => "open",
        RequestStatus::Resolved => "resolved",
        RequestStatus::Closed => "closed",
        RequestStatus::Voided => "voided",
    }
}

/// Whether the table lets `actor` open a field of a request the reader already reaches.
fn may_open(actor: &Actor, action: Action) -> bool {
    reach(actor.role, action) != Reach::No
}

/// Query of `GET /v1/requests/{id}`.
#[derive(Debug, Deserialize)]
pub struct RequestQuery {
    /// Open personal data (true when absent); `false` for the request without any of it.
    pub open: Option<bool>,
}

async fn request(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    ApiPath(id): ApiPath<RequestId>,
    super::ApiQuery(query): super::ApiQuery<RequestQuery>,
) -> Result<Json<RequestView>, ApiError> {
    let open_any = query.open != Some(false);
    super::policy::request_in_reach(&state, &actor, id, Action::ReadRequest).await?;
    let events: Vec<RequestEvent> =
        sealed_events(&state, &StreamId::of::<HelpRequest>(id.as_uuid())).await?;
    let folded = HelpRequest::fold(events.iter());
    let posted = events.iter().find_map(|e| match e {
        RequestEvent::RequestPosted(p) => Some(p),
        _ => None,
    });
    let Some(posted) = posted else {
        return Err(ApiError::NotFound(format!("there is no request {id} here")));
    };
    let requester_id = posted.requester;
    let own = requester_id == actor.actor;
    let staff_like = matches!(actor.role, Role::Connector | Role::Admin | Role::Partner);
    let mut opened = Opened::new(
        actor.tenant,
        actor.actor,
        actor.role,
        "GET /v1/requests/{id}",
    );

    let description = if open_any && (own || may_open(&actor, Action::OpenDescription)) {
        opened.add(posted.description.subject, "description");
        open(&state, &posted.description).await?
    } else {
        None
    };
    // Neighbours never learn who asked an anonymous request; staff and the requester do.
    let knows_who = own || staff_like || !posted.anonymous;
    let mut requester = RequesterView {
        person_id: knows_who.then_some(requester_id),
        name: None,
        contact: None,
    };
    if open_any && knows_who && (own || may_open(&actor, Action::OpenRequesterName)) {
        let card = person_card(&state, actor.tenant, requester_id).await?;
        if let Some(name) = card.name_shown {
            opened.add(requester_id, "name");
            requester.name = Some(name);
        }
        if own || may_open(&actor, Action::OpenRequesterContact) {
            if let Some(contact) = card.contact {
                opened.add(requester_id, "contact");
                requester.contact = Some(contact);
            }
        }
    }
    record(&state, opened, &headers).await;
    Ok(Json(RequestView {
        request_id: id,
        status: status_name(folded.status).to_owned(),
        category: folded.category.clone(),
        neighbourhood_id: folded.neighbourhood_id,
        urgency: folded.urgency,
        channel: folded.channel,
        anonymous: folded.anonymous,
        description,
        requester,
        offers: folded.offers.iter().copied().collect(),
        matched: folded.matched.iter().copied().collect(),
        referred_to: folded.referral.as_ref().map(|r| r.organisation_id),
    }))
}
