//! The resident feed of a neighbourhood: open requests, helpers' standing offers and open calls,
//! newest first, a page at a time. Standing offers are of two kinds: derived from a helper's
//! declared skills, and published by a neighbour in their own words ([`published`]).
//!
//! Rules the feed enforces, whoever asks:
//! - an anonymous request never carries its requester (nor its location) in the feed;
//! - a request visible to connectors only never reaches a resident's feed;
//! - a request leaves the feed when it is resolved, closed, voided, referred to a professional
//!   (or triaged as professional), or when every pair of hands it needs is matched; it comes
//!   back when reopened, when a referral ends without the organisation taking it on, or when a
//!   match is cancelled;
//! - a published standing offer is listed in each neighbourhood it is offered in while it is
//!   open (not paused or withdrawn) and its helper is neither suspended nor erased; its last
//!   day is the reader's to compare, like a call's deadline;
//! - each item says whether a resident posted it themselves or a professional (connector,
//!   partner) posted it on a resident's behalf.
//!
//! Items are ordered by when they happened (`occurred_at`), then by log position, newest
//! first. A cursor is the key of the last item of a page, so a page never repeats or skips an
//! item when new ones arrive on top.

mod published;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use noaber_domain::call::CallScope;
use noaber_domain::request::{ReferralOutcome, RequestEvent, TriageRoute};
use noaber_domain::values::{ApproxLocation, Urgency, Visibility};
use noaber_domain::{
    AnyEvent, CallEvent, CallId, NeighbourhoodEvent, NeighbourhoodId, PersonEvent, PersonId,
    Personal, RequestId, StandingOfferId,
};
use serde::{Deserialize, Serialize};

use crate::codes::{Category, SkillSet};
use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};
use crate::sealed::SealedText;

/// The default number of items on a page.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest page a caller can ask for.
pub const MAX_PAGE_SIZE: usize = 100;

/// What kind of thing a feed item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// A help request.
    Request,
    /// A helper's standing offer: their declared skills and availability.
    StandingOffer,
    /// A call for many hands.
    Call,
}

/// Where a standing offer in the feed comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferOrigin {
    /// Derived from a helper's declared skills; the item's id is the helper.
    Skills,
    /// Published by a neighbour in their own words; the item's id is the standing offer, which
    /// a resident takes up at `POST /v1/standing-offers/{id}/take-up`.
    Published,
}

/// Who posted an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostedBy {
    /// The resident themselves.
    Resident,
    /// A professional (connector, partner, organisation), possibly on a resident's behalf.
    Professional,
}

/// Who is reading the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// A resident of the neighbourhood: sees neighbourhood-visible items only.
    Resident,
    /// A connector: also sees requests visible to connectors only.
    Connector,
}

/// One item of a feed page.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FeedItem {
    /// What the item is.
    pub kind: FeedKind,
    /// Where a standing offer comes from (standing offers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<OfferOrigin>,
    /// The request, call, standing offer or helper (person) id.
    pub id: uuid::Uuid,
    /// When it was posted (for a standing offer: when the skills were declared).
    pub posted_at: DateTime<Utc>,
    /// Whether a resident or a professional posted it.
    pub posted_by: PostedBy,
    /// Whether it was posted on a resident's behalf.
    pub on_behalf: bool,
    /// The person asking or offering; absent for anonymous requests and for calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonId>,
    /// The request's or published standing offer's category code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<&'static str>,
    /// The request's urgency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<Urgency>,
    /// When help is needed by, if said (requests) or the deadline (calls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needed_by: Option<DateTime<Utc>>,
    /// The last day a published standing offer is offered, if it ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// Hands needed (requests and calls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hands_needed: Option<u32>,
    /// Hands already matched (requests) or answers received (calls).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hands_found: Option<u32>,
    /// Offers received (requests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offers: Option<u32>,
    /// Skill codes wanted (requests) or offered (standing offers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<&'static str>,
    /// The approximate location; absent for anonymous requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<ApproxLocation>,
    /// Who may see the item.
    pub visibility: Visibility,
    /// The request's description as the log keeps it (sealed); the API opens it for readers
    /// the policy allows into [`FeedItem::description`]. Never sent as it is.
    #[serde(skip)]
    pub sealed_description: Option<Personal>,
    /// The request's description, opened for this reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = opened_text)]
    pub description: Option<serde_json::Value>,
    /// A published standing offer's title as the log keeps it (sealed); opened into
    /// [`FeedItem::title`] like a description. Never sent as it is.
    #[serde(skip)]
    pub sealed_title: Option<Personal>,
    /// A published standing offer's title, opened for this reader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<serde_json::Value>,
}

impl FeedItem {
    /// An item of `kind` posted at `key`'s time, by a professional on a resident's behalf or by
    /// the resident, visible to the neighbourhood, with nothing else said yet.
    fn new(kind: FeedKind, id: uuid::Uuid, key: FeedKey, on_behalf: bool) -> Self {
        Self {
            kind,
            origin: None,
            id,
            posted_at: from_micros(key.at_micros),
            posted_by: if on_behalf {
                PostedBy::Professional
            } else {
                PostedBy::Resident
            },
            on_behalf,
            person: None,
            category: None,
            urgency: None,
            needed_by: None,
            until: None,
            hands_needed: None,
            hands_found: None,
            offers: None,
            skills: Vec::new(),
            location: None,
            visibility: Visibility::Neighbourhood,
            sealed_description: None,
            description: None,
            sealed_title: None,
            title: None,
        }
    }
}

/// How the API hands over an opened description: the text, or a marker that its person was
/// erased (the API's `Shown`; the feed only keeps the JSON the API put there).
fn opened_text() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let state = |name: &str| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some([name.to_owned()]))
    };
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .property("state", state("clear"))
                .property("text", ObjectBuilder::new().schema_type(Type::String))
                .required("state")
                .required("text"),
        )
        .item(
            ObjectBuilder::new()
                .property("state", state("erased"))
                .required("state"),
        )
        .description(Some("The request's description, opened for this reader."))
        .into()
}

/// One page of a feed.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FeedPage {
    /// The items, newest first.
    pub items: Vec<FeedItem>,
    /// Pass this back to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Why a feed page could not be given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The cursor was not one this feed handed out.
    #[error("the page cursor is not valid; start again from the first page")]
    BadCursor,
}

/// Where an item sits in a neighbourhood's feed: when it happened, then its log position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
struct FeedKey {
    at_micros: i64,
    position: i64,
}

impl FeedKey {
    fn cursor(self) -> String {
        format!("{:x}.{:x}", self.at_micros, self.position)
    }

    fn parse(cursor: &str) -> Result<Self, FeedError> {
        let (a, p) = cursor.split_once('.').ok_or(FeedError::BadCursor)?;
        Ok(Self {
            at_micros: i64::from_str_radix(a, 16).map_err(|_| FeedError::BadCursor)?,
            position: i64::from_str_radix(p, 16).map_err(|_| FeedError::BadCursor)?,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum FeedRef {
    Request(RequestId),
    Offer(PersonId),
    Call(CallId),
    Published(StandingOfferId),
}

/// What the feed keeps of a request (including the ones not listed now, for reopening).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct RequestCard {
    key: FeedKey,
    neighbourhood: NeighbourhoodId,
    requester: PersonId,
    category: Category,
    urgency: Urgency,
    visibility: Visibility,
    location: Option<ApproxLocation>,
    needed_by: Option<DateTime<Utc>>,
    skills: SkillSet,
    hands_needed: u16,
    matched: u16,
    offers: u16,
    on_behalf: bool,
    anonymous: bool,
    professional_route: bool,
    referred: bool,
    done: bool,
    /// The description as the log keeps it: sealed with the requester's key (older snapshots
    /// have none; their requests show no description until the model is rebuilt).
    #[serde(default)]
    description: Option<SealedText>,
}

impl RequestCard {
    fn listed(&self) -> bool {
        !self.done && !self.referred && !self.professional_route && self.matched < self.hands_needed
    }
}

/// A helper's standing offer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct OfferCard {
    key: Option<FeedKey>,
    neighbourhood: Option<NeighbourhoodId>,
    location: Option<ApproxLocation>,
    skills: SkillSet,
    opted_in: bool,
    erased: bool,
    registered_by_professional: bool,
    /// Suspended as a helper (until lifted).
    #[serde(default)]
    suspended: bool,
}

impl OfferCard {
    fn listed(&self) -> bool {
        self.opted_in && !self.erased && self.key.is_some() && self.neighbourhood.is_some()
    }

    /// Whether the offers this person published may be listed: not suspended, not erased.
    fn available(&self) -> bool {
        !self.suspended && !self.erased
    }
}

/// An open call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct CallCard {
    key: FeedKey,
    neighbourhoods: Vec<NeighbourhoodId>,
    deadline: Option<DateTime<Utc>>,
    hands_needed: u32,
    answers: u32,
    closed: bool,
}

/// The resident feeds of every neighbourhood.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "FeedData")]
pub struct Feed {
    requests: FastMap<RequestId, RequestCard>,
    offers: FastMap<PersonId, OfferCard>,
    calls: FastMap<CallId, CallCard>,
    /// Published standing offers that are not withdrawn.
    published: FastMap<StandingOfferId, published::PublishedCard>,
    /// Neighbourhoods known from their registration, for calls sent to all of a tenant's.
    neighbourhoods: FastMap<uuid::Uuid, Vec<NeighbourhoodId>>,
    /// Per neighbourhood, the listed items by key (rebuilt from the cards on restore).
    #[serde(skip)]
    index: FastMap<NeighbourhoodId, BTreeMap<FeedKey, FeedRef>>,
}

/// The feed's stored shape: everything but the index, which is rebuilt.
#[derive(Deserialize)]
struct FeedData {
    requests: FastMap<RequestId, RequestCard>,
    offers: FastMap<PersonId, OfferCard>,
    calls: FastMap<CallId, CallCard>,
    #[serde(default)]
    published: FastMap<StandingOfferId, published::PublishedCard>,
    neighbourhoods: FastMap<uuid::Uuid, Vec<NeighbourhoodId>>,
}

impl From<FeedData> for Feed {
    fn from(d: FeedData) -> Self {
        let mut feed = Feed {
            requests: d.requests,
            offers: d.offers,
            calls: d.calls,
            published: d.published,
            neighbourhoods: d.neighbourhoods,
            index: FastMap::default(),
        };
        let requests: Vec<_> = feed
            .requests
            .iter()
            .filter(|(_, c)| c.listed())
            .map(|(id, c)| (c.neighbourhood, c.key, FeedRef::Request(*id)))
            .collect();
        let offers: Vec<_> = feed
            .offers
            .iter()
            .filter(|(_, c)| c.listed())
            .filter_map(|(id, c)| Some((c.neighbourhood?, c.key?, FeedRef::Offer(*id))))
            .collect();
        let calls: Vec<_> = feed
            .calls
            .iter()
            .filter(|(_, c)| !c.closed)
            .flat_map(|(id, c)| {
                c.neighbourhoods
                    .iter()
                    .map(move |n| (*n, c.key, FeedRef::Call(*id)))
            })
            .collect();
        let published = feed.published_listings();
        for (n, key, r) in requests
            .into_iter()
            .chain(offers)
            .chain(calls)
            .chain(published)
        {
            feed.index.entry(n).or_default().insert(key, r);
        }
        feed
    }
}

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn from_micros(at: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at).unwrap_or_default()
}

impl Feed {
    fn unlist(&mut self, neighbourhood: NeighbourhoodId, key: FeedKey) {
        if let Some(items) = self.index.get_mut(&neighbourhood) {
            items.remove(&key);
        }
    }

    fn list(&mut self, neighbourhood: NeighbourhoodId, key: FeedKey, r: FeedRef) {
        self.index.entry(neighbourhood).or_default().insert(key, r);
    }

    /// Applies `change` to a request's card and moves it in or out of the feed to match.
    fn with_request(&mut self, id: RequestId, change: impl FnOnce(&mut RequestCard)) {
        let Some(card) = self.requests.get_mut(&id) else {
            return;
        };
        let before = card.listed().then_some((card.neighbourhood, card.key));
        change(card);
        let after = card.listed().then_some((card.neighbourhood, card.key));
        if before != after {
            if let Some((n, k)) = before {
                self.unlist(n, k);
            }
            if let Some((n, k)) = after {
                self.list(n, k, FeedRef::Request(id));
            }
        }
    }

    fn with_offer(&mut self, id: PersonId, change: impl FnOnce(&mut OfferCard)) {
        let card = self.offers.entry(id).or_insert_with(|| OfferCard {
            key: None,
            neighbourhood: None,
            location: None,
            skills: SkillSet::default(),
            opted_in: false,
            erased: false,
            registered_by_professional: false,
            suspended: false,
        });
        let before = card
            .listed()
            .then_some(card.neighbourhood.zip(card.key))
            .flatten();
        let was_available = card.available();
        change(card);
        let after = card
            .listed()
            .then_some(card.neighbourhood.zip(card.key))
            .flatten();
        if card.available() != was_available {
            self.relist_published_of(id);
        }
        if before != after {
            if let Some((n, k)) = before {
                self.unlist(n, k);
            }
            if let Some((n, k)) = after {
                self.list(n, k, FeedRef::Offer(id));
            }
        }
    }

    fn apply_request(&mut self, env: &Envelope<'_>, event: &RequestEvent) {
        use RequestEvent as E;
        match event {
            E::RequestPosted(p) => {
                let card = RequestCard {
                    key: FeedKey {
                        at_micros: micros(env.raw.occurred_at),
                        position: env.raw.position,
                    },
                    neighbourhood: p.neighbourhood_id,
                    requester: p.requester,
                    category: Category::of(&p.category),
                    urgency: p.urgency,
                    visibility: p.visibility,
                    location: p.location,
                    needed_by: p.needed_by,
                    skills: p.skills_wanted.iter().collect(),
                    hands_needed: u16::try_from(p.hands_needed.get()).unwrap_or(u16::MAX),
                    matched: 0,
                    offers: 0,
                    on_behalf: p.on_behalf,
                    anonymous: p.anonymous,
                    professional_route: false,
                    referred: false,
                    done: false,
                    description: SealedText::of(&p.description),
                };
                if let Some(old) = self.requests.insert(p.request_id, card.clone()) {
                    if old.listed() {
                        self.unlist(old.neighbourhood, old.key);
                    }
                }
                if card.listed() {
                    self.list(card.neighbourhood, card.key, FeedRef::Request(p.request_id));
                }
            }
            E::RequestTriaged(t) => self.with_request(t.request_id, |c| {
                c.professional_route = t.route == TriageRoute::Professional;
            }),
            E::HelpOffered(o) => self.with_request(o.request_id, |c| {
                c.offers = c.offers.saturating_add(1);
            }),
            E::OfferWithdrawn(o) => self.with_request(o.request_id, |c| {
                c.offers = c.offers.saturating_sub(1);
            }),
            E::HelperMatched(m) => self.with_request(m.request_id, |c| {
                c.matched = c.matched.saturating_add(1);
            }),
            E::MatchCancelled(m) => self.with_request(m.request_id, |c| {
                c.matched = c.matched.saturating_sub(1);
            }),
            E::ReferredToProfessional(r) => self.with_request(r.request_id, |c| {
                c.referred = true;
            }),
            E::ReferralOutcomeRecorded(r) => self.with_request(r.request_id, |c| {
                if r.outcome.ends_referral() {
                    c.referred = false;
                } else if r.outcome == ReferralOutcome::Accepted {
                    c.referred = true;
                }
            }),
            E::RequestResolved(r) => self.with_request(r.request_id, |c| c.done = true),
            E::RequestClosed(r) => self.with_request(r.request_id, |c| c.done = true),
            E::RequestReopened(r) => self.with_request(r.request_id, |c| {
                c.done = false;
                c.referred = false;
                c.matched = 0;
                c.offers = 0;
            }),
            E::RequestCorrected(r) => self.with_request(r.request_id, |c| {
                if let Some(cat) = &r.category {
                    c.category = Category::of(cat);
                }
                if let Some(n) = r.neighbourhood_id {
                    c.neighbourhood = n;
                }
                if let Some(u) = r.urgency {
                    c.urgency = u;
                }
            }),
            E::RequestVoided(r) => {
                if let Some(old) = self.requests.remove(&r.request_id) {
                    if old.listed() {
                        self.unlist(old.neighbourhood, old.key);
                    }
                }
            }
            // The sealed description stays: its key scope is gone, so it opens as erased.
            // A take-up's match, written with it, takes the request out of the feed.
            E::FeedbackGiven(_) | E::PersonalDataExpired(_) | E::StandingOfferTakenUp(_) => {}
        }
    }

    fn apply_person(&mut self, env: &Envelope<'_>, event: &PersonEvent) {
        use PersonEvent as E;
        match event {
            E::PersonRegistered(p) => self.with_offer(p.person_id, |c| {
                c.neighbourhood = Some(p.neighbourhood_id);
                c.location = p.location;
                c.registered_by_professional = !p.self_registered;
            }),
            E::ProfileUpdated(p) => self.with_offer(p.person_id, |c| {
                if let Some(n) = p.neighbourhood_id {
                    c.neighbourhood = Some(n);
                }
                if p.location.is_some() {
                    c.location = p.location;
                }
            }),
            E::SkillsDeclared(p) => self.with_offer(p.person_id, |c| {
                c.skills = p.skills.iter().collect();
                c.key = Some(FeedKey {
                    at_micros: micros(env.raw.occurred_at),
                    position: env.raw.position,
                });
            }),
            E::HelperOptedIn(p) => self.with_offer(p.person_id, |c| c.opted_in = true),
            E::HelperOptedOut(p) => self.with_offer(p.person_id, |c| c.opted_in = false),
            E::PersonErased(p) => self.with_offer(p.person_id, |c| {
                c.erased = true;
                c.location = None;
            }),
            // A suspended helper's talents leave the feed with their helper role, and their
            // published offers until the suspension is lifted.
            E::HelperSuspended(p) => self.with_offer(p.person_id, |c| {
                c.opted_in = false;
                c.suspended = true;
            }),
            E::SuspensionLifted(p) => self.with_offer(p.person_id, |c| c.suspended = false),
            // Roles and screenings are not news for a neighbourhood's feed.
            E::RoleGranted(_)
            | E::RoleRevoked(_)
            | E::ScreeningRecorded(_)
            | E::ScreeningWithdrawn(_)
            | E::ContactSharingChosen(_) => {}
        }
    }

    fn apply_call(&mut self, env: &Envelope<'_>, event: &CallEvent) {
        match event {
            CallEvent::CallPublished(c) => {
                let neighbourhoods = match &c.scope {
                    CallScope::All => self
                        .neighbourhoods
                        .get(&env.raw.tenant_id)
                        .cloned()
                        .unwrap_or_default(),
                    CallScope::Neighbourhoods(list) => list.clone(),
                };
                let key = FeedKey {
                    at_micros: micros(env.raw.occurred_at),
                    position: env.raw.position,
                };
                if let Some(old) = self.calls.remove(&c.call_id) {
                    for n in &old.neighbourhoods {
                        self.unlist(*n, old.key);
                    }
                }
                for n in &neighbourhoods {
                    self.list(*n, key, FeedRef::Call(c.call_id));
                }
                self.calls.insert(
                    c.call_id,
                    CallCard {
                        key,
                        neighbourhoods,
                        deadline: Some(c.deadline),
                        hands_needed: c.hands_needed.get(),
                        answers: 0,
                        closed: false,
                    },
                );
            }
            CallEvent::CallAnswered(a) => {
                if let Some(card) = self.calls.get_mut(&a.call_id) {
                    card.answers = card.answers.saturating_add(1);
                }
            }
            CallEvent::CallClosed(c) => {
                if let Some(card) = self.calls.get_mut(&c.call_id) {
                    if !card.closed {
                        card.closed = true;
                        let (key, list) = (card.key, card.neighbourhoods.clone());
                        for n in list {
                            self.unlist(n, key);
                        }
                    }
                }
            }
        }
    }

    fn apply_neighbourhood(&mut self, env: &Envelope<'_>, event: &NeighbourhoodEvent) {
        if let NeighbourhoodEvent::NeighbourhoodRegistered(n) = event {
            let list = self.neighbourhoods.entry(env.raw.tenant_id).or_default();
            if !list.contains(&n.neighbourhood_id) {
                list.push(n.neighbourhood_id);
            }
        }
    }

    /// One page of `neighbourhood`'s feed for `audience`, newest first, after `cursor` (the
    /// previous page's `next_cursor`), at most `limit` items (1 to [`MAX_PAGE_SIZE`]).
    pub fn page(
        &self,
        neighbourhood: NeighbourhoodId,
        audience: Audience,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<FeedPage, FeedError> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let before = cursor.map(FeedKey::parse).transpose()?;
        let Some(items) = self.index.get(&neighbourhood) else {
            return Ok(FeedPage {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        let range = match before {
            Some(k) => items.range(..k),
            None => items.range(..),
        };
        let mut out = Vec::with_capacity(limit);
        let mut last = None;
        let mut more = false;
        for (key, r) in range.rev() {
            let Some(item) = self.item(*key, *r, audience) else {
                continue;
            };
            if out.len() == limit {
                more = true;
                break;
            }
            out.push(item);
            last = Some(*key);
        }
        Ok(FeedPage {
            items: out,
            next_cursor: if more {
                last.map(FeedKey::cursor)
            } else {
                None
            },
        })
    }

    fn item(&self, key: FeedKey, r: FeedRef, audience: Audience) -> Option<FeedItem> {
        match r {
            FeedRef::Request(id) => {
                let c = self.requests.get(&id)?;
                if c.visibility == Visibility::Connectors && audience != Audience::Connector {
                    return None;
                }
                Some(FeedItem {
                    person: (!c.anonymous).then_some(c.requester),
                    category: Some(c.category.code()),
                    urgency: Some(c.urgency),
                    needed_by: c.needed_by,
                    hands_needed: Some(u32::from(c.hands_needed)),
                    hands_found: Some(u32::from(c.matched)),
                    offers: Some(u32::from(c.offers)),
                    skills: c.skills.iter().map(|s| s.code()).collect(),
                    location: if c.anonymous { None } else { c.location },
                    visibility: c.visibility,
                    sealed_description: c.description.as_ref().and_then(SealedText::personal),
                    ..FeedItem::new(FeedKind::Request, id.as_uuid(), key, c.on_behalf)
                })
            }
            FeedRef::Offer(id) => {
                let c = self.offers.get(&id)?;
                let by_professional = c.registered_by_professional;
                Some(FeedItem {
                    origin: Some(OfferOrigin::Skills),
                    person: Some(id),
                    skills: c.skills.iter().map(|s| s.code()).collect(),
                    location: c.location,
                    ..FeedItem::new(FeedKind::StandingOffer, id.as_uuid(), key, by_professional)
                })
            }
            FeedRef::Call(id) => {
                let c = self.calls.get(&id)?;
                Some(FeedItem {
                    // Calls are an organisation's own, posted on nobody's behalf.
                    posted_by: PostedBy::Professional,
                    needed_by: c.deadline,
                    hands_needed: Some(c.hands_needed),
                    hands_found: Some(c.answers),
                    ..FeedItem::new(FeedKind::Call, id.as_uuid(), key, false)
                })
            }
            FeedRef::Published(id) => self.published_item(key, id),
        }
    }

    /// How many items are listed in `neighbourhood` for `audience` (counts every item: meant
    /// for tests and dashboards, not for every page).
    pub fn len(&self, neighbourhood: NeighbourhoodId, audience: Audience) -> usize {
        self.index.get(&neighbourhood).map_or(0, |items| {
            items
                .iter()
                .filter(|(k, r)| self.item(**k, **r, audience).is_some())
                .count()
        })
    }

    /// Whether no feed has any item.
    pub fn is_empty(&self) -> bool {
        self.index.values().all(BTreeMap::is_empty)
    }
}

impl ReadModel for Feed {
    const NAME: &'static str = "feed";
    // 2: published standing offers, and whether a helper is suspended.
    const SNAPSHOT_VERSION: u32 = 2;

    fn apply(&mut self, env: &Envelope<'_>) {
        match env.event {
            AnyEvent::Request(e) => self.apply_request(env, e),
            AnyEvent::Person(e) => self.apply_person(env, e),
            AnyEvent::Call(e) => self.apply_call(env, e),
            AnyEvent::Neighbourhood(e) => self.apply_neighbourhood(env, e),
            AnyEvent::StandingOffer(e) => self.apply_standing_offer(env, e),
            // Incidents and complaints are for connectors only: never in a resident's feed.
            AnyEvent::Organisation(_) | AnyEvent::Tenant(_) | AnyEvent::Incident(_) => {}
        }
    }
}
