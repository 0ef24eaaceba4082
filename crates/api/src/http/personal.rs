//! Personal data opened on read, field by field, for callers the policy allows, and every
//! opening written to the access log: the shared parts of every such read (a person's card with
//! their name, contact and sharing choice; opening one sealed value; recording what was
//! opened). The reads themselves are `request_view` (`GET /v1/requests/{id}`), `call_view`
//! (`GET /v1/calls/{id}`) and the feed.
//!
//! Sealed values are opened from the log itself (the read models hold no personal data), with
//! the per-person keys cached by the privacy codec. An erased person's values read as erased.

use axum::http::HeaderMap;
use futures::TryStreamExt;
use noaber_domain::person::{Person, PersonEvent};
use noaber_domain::policy::{reach, Action, Reach};
use noaber_domain::{DomainEvent, PersonId, Personal, PersonalValue, TenantId};
use noaber_projections::feed::FeedPage;
use noaber_store::StreamId;
use serde::{Deserialize, Serialize};

use super::{Actor, ApiError, AppState, REQUEST_ID_HEADER};
use crate::identity::Opened;

/// A personal value as a reader receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "state", content = "text")]
pub enum Shown {
    /// The text, opened for this reader.
    Clear(String),
    /// Its person was erased: it can never be read again.
    Erased,
}

impl Shown {
    /// The first word only (a first name from a full name); erased stays erased.
    pub fn first_word(self) -> Shown {
        match self {
            Shown::Clear(text) => Shown::Clear(
                text.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            Shown::Erased => Shown::Erased,
        }
    }
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
    /// Whether they chose to let the people they are matched to read their contact detail
    /// (never for an erased person).
    pub shares_contact_with_matched: bool,
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
pub(super) async fn sealed_events<E: DomainEvent>(
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
    super::standing_offers::open_feed_titles(state, actor, page, &mut opened).await?;
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
    let (from_model, shares_in_model) = {
        let models = state.projections.read().await;
        (
            models.directory.sealed_card(person),
            models.directory.shares_contact_with_matched(person),
        )
    };
    let events: Vec<PersonEvent>;
    let (name, contact, erased, shares) = match &from_model {
        Some((name, contact)) => (name.as_ref(), contact.as_ref(), false, shares_in_model),
        None => {
            events = sealed_events(state, &StreamId::of::<Person>(person.as_uuid())).await?;
            latest_card(&events)
        }
    };
    let mut card = PersonCard {
        shares_contact_with_matched: shares && !erased,
        ..PersonCard::default()
    };
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

/// The latest name and contact in a person's events, still sealed, whether they were erased,
/// and whether they share their contact with matched people.
fn latest_card(events: &[PersonEvent]) -> (Option<&Personal>, Option<&Personal>, bool, bool) {
    let (mut name, mut contact, mut erased, mut shares) = (None, None, false, false);
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
            PersonEvent::ContactSharingChosen(e) => shares = e.share_with_matched,
            PersonEvent::PersonErased(_) => erased = true,
            _ => {}
        }
    }
    (name, contact, erased, shares)
}

/// A found helper with the name and contact their coordinator calls them by.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WithCard<T> {
    /// What was found.
    #[serde(flatten)]
    pub item: T,
    /// Their name, opened for those who coordinate helpers.
    pub name: Option<Shown>,
    /// Their phone number or e-mail address, opened likewise.
    pub contact: Option<Shown>,
}

/// `items` with each helper's name and contact opened when the caller coordinates helpers
/// (the table's `read_helpers`) and `open` is not false, every opening recorded as one entry.
pub async fn with_cards<T>(
    state: &AppState,
    actor: &Actor,
    headers: &HeaderMap,
    resource: &'static str,
    open_any: bool,
    items: Vec<T>,
    person: impl Fn(&T) -> PersonId,
) -> Result<Vec<WithCard<T>>, ApiError> {
    let opens = open_any && reach(actor.role, Action::ReadHelpers) != Reach::No;
    let mut opened = Opened::new(actor.tenant, actor.actor, actor.role, resource);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (mut name, mut contact) = (None, None);
        if opens {
            let who = person(&item);
            let card = person_card(state, actor.tenant, who).await?;
            if card.name_shown.is_some() {
                opened.add(who, "name");
            }
            if card.contact.is_some() {
                opened.add(who, "contact");
            }
            (name, contact) = (card.name_shown, card.contact);
        }
        out.push(WithCard {
            item,
            name,
            contact,
        });
    }
    record(state, opened, headers).await;
    Ok(out)
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
