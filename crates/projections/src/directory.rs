//! The helper directory and match suggestions.
//!
//! The directory lists helpers (opted in, not erased) by skill, nearest first from an
//! approximate location, filtered by availability and by how far each helper said they will
//! travel. Suggestions rank helpers for one request and say why; they inform a connector or
//! the requester, and nothing is ever matched automatically.
//!
//! Suggestion score (higher first), every part listed in the suggestion's reasons:
//! - offered help on this request already: +40;
//! - skill fit: +30 for one skill that fits the request's category, +5 for each further one (at
//!   most +15 more); +15 for each skill the request names (`skills_wanted`, at most +30). The
//!   named skills add to the category's, so a helper for what the help is about is not
//!   outranked by a nearby one with a single named skill;
//! - distance: +20 at 0 km, 4 points less per km (0 from 5 km); unknown distance: 0;
//! - availability in the days up to the request's needed-by date (the whole week when none or
//!   more than a week away): +10 when the helper has a shared slot, -10 when they declared
//!   slots but none is shared, 0 when they declared none;
//! - current load: -5 per open match, at most -20;
//! - past feedback from requesters: (average rating - 3) x 5, when rated.
//!
//! Candidates are helpers of the request's tenant, opted in, not erased, neither the requester
//! nor already matched to the request, within their own travel distance (or, when a location
//! is unknown, in the same neighbourhood).

use chrono::{DateTime, Datelike, Utc};
use noaber_domain::request::RequestEvent;
use noaber_domain::values::{ApproxLocation, Availability};
use noaber_domain::{
    AnyEvent, NeighbourhoodId, OrganisationId, PersonEvent, PersonId, Personal, RequestId,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::{Category, Skill, SkillSet, SlotMask};
use crate::fastmap::{FastMap, FastSet};
use crate::model::{Envelope, ReadModel};
use crate::sealed::SealedText;

mod lookup;
pub use lookup::{PersonHit, PersonQuery};

/// What the directory keeps of a person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Person {
    tenant: Uuid,
    neighbourhood: Option<NeighbourhoodId>,
    location: Option<ApproxLocation>,
    skills: SkillSet,
    availability: SlotMask,
    max_distance_m: u32,
    declared: bool,
    opted_in: bool,
    erased: bool,
    open_matches: u32,
    rating_sum: u32,
    rating_count: u32,
    /// Name and contact as the log keeps them (sealed); `None` in snapshots from before they
    /// were kept, when the API reads them from the log instead.
    #[serde(default)]
    card: Option<SealedCard>,
    /// Whether the people they are matched to may read their contact detail.
    #[serde(default)]
    shares_contact: bool,
    /// Whether they agreed to be asked for calls (the volunteer list).
    #[serde(default)]
    available_for_calls: bool,
}

/// A person's name and contact, sealed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct SealedCard {
    name: Option<SealedText>,
    contact: Option<SealedText>,
}

impl Person {
    fn listed(&self) -> bool {
        self.opted_in && !self.erased
    }
}

/// What the directory keeps of a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Need {
    tenant: Uuid,
    neighbourhood: NeighbourhoodId,
    requester: PersonId,
    category: Category,
    skills: SkillSet,
    location: Option<ApproxLocation>,
    needed_by: Option<DateTime<Utc>>,
    offered: Vec<PersonId>,
    matched: Vec<PersonId>,
    credited: Vec<PersonId>,
    open: bool,
    /// Organisations the request was referred to or from (older snapshots have none kept).
    #[serde(default)]
    organisations: Vec<OrganisationId>,
}

/// Who and where a request is about (see [`Directory::request_parties`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestParties<'a> {
    /// The request's neighbourhood.
    pub neighbourhood: NeighbourhoodId,
    /// Who it is for.
    pub requester: PersonId,
    /// The helpers matched to it now.
    pub matched: &'a [PersonId],
    /// The helpers who offered and are not matched yet.
    pub offered: &'a [PersonId],
    /// The organisations it was referred to or from.
    pub organisations: &'a [OrganisationId],
    /// The helpers credited when it was resolved.
    pub credited: &'a [PersonId],
    /// Its category's code.
    pub category: &'static str,
    /// Whether it is still open (not resolved, closed or voided).
    pub open: bool,
}

/// A helper found in the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct HelperHit {
    /// The helper.
    pub person: PersonId,
    /// Their neighbourhood.
    pub neighbourhood: Option<NeighbourhoodId>,
    /// The distance from the searched location, in metres, when both are known.
    pub distance_m: Option<u32>,
    /// How far they will travel, in metres.
    pub max_distance_m: u32,
    /// Their skill codes.
    pub skills: Vec<&'static str>,
    /// How many of the asked availability slots they share (all their slots when none asked).
    pub shared_slots: u32,
    /// Requests they are matched to and that are not resolved or closed.
    pub open_matches: u32,
    /// Whether they agreed to be asked for calls (the volunteer list).
    pub available_for_calls: bool,
}

/// A directory search.
#[derive(Clone, Debug, Default)]
pub struct HelperQuery {
    /// Only helpers of this tenant.
    pub tenant: Option<Uuid>,
    /// Only helpers with this skill code.
    pub skill: Option<String>,
    /// Rank nearest first from here, and keep only helpers who will travel this far.
    pub near: Option<ApproxLocation>,
    /// Only helpers sharing at least one of these slots.
    pub available: Option<Availability>,
    /// Only helpers of this neighbourhood.
    pub neighbourhood: Option<NeighbourhoodId>,
    /// Only helpers who agreed to be asked for calls (the volunteer list).
    pub for_calls: bool,
    /// At most this many helpers (0 means 50).
    pub limit: usize,
}

/// Why a helper is suggested (or ranked lower).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum SuggestionReason {
    /// They already offered to help with this request.
    Offered,
    /// Skills they declared that fit the request.
    SkillFit {
        /// The shared skill codes.
        skills: Vec<&'static str>,
    },
    /// How far they are from the request.
    Distance {
        /// The distance in metres.
        metres: u32,
    },
    /// They are available in the time the request needs help.
    Available {
        /// How many weekly slots fit.
        shared_slots: u32,
    },
    /// They declared availability, but none in the time the request needs help.
    NotAvailable,
    /// They are already matched to other open requests.
    Load {
        /// How many.
        open_matches: u32,
    },
    /// What requesters they helped said.
    Feedback {
        /// The average rating (1 to 5).
        average: f64,
        /// How many ratings.
        ratings: u32,
    },
}

/// One ranked suggestion.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// The helper.
    pub helper: PersonId,
    /// The score (see the module documentation); higher first.
    pub score: i32,
    /// Every part of the score.
    pub reasons: Vec<SuggestionReason>,
}

/// Why suggestions could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// The request is unknown (never posted, or voided).
    #[error("there is no request {0} to suggest helpers for")]
    UnknownRequest(RequestId),
    /// The request is resolved or closed.
    #[error("request {0} is resolved or closed: it needs no helpers now")]
    RequestNotOpen(RequestId),
    /// The skill code is not in the taxonomy.
    #[error("{0:?} is not a skill of the taxonomy")]
    UnknownSkill(String),
}

/// Helpers, the requests they could help with, and who took part in which request.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "DirectoryData")]
pub struct Directory {
    persons: FastMap<PersonId, Person>,
    needs: FastMap<RequestId, Need>,
    /// Requests each person took part in (requester, offer or match), in log order.
    involvement: FastMap<PersonId, Vec<RequestId>>,
    /// Listed helpers (rebuilt on restore).
    #[serde(skip)]
    helpers: FastSet<PersonId>,
}

#[derive(Deserialize)]
struct DirectoryData {
    persons: FastMap<PersonId, Person>,
    needs: FastMap<RequestId, Need>,
    involvement: FastMap<PersonId, Vec<RequestId>>,
}

impl From<DirectoryData> for Directory {
    fn from(d: DirectoryData) -> Self {
        let helpers = d
            .persons
            .iter()
            .filter(|(_, p)| p.listed())
            .map(|(id, _)| *id)
            .collect();
        Self {
            persons: d.persons,
            needs: d.needs,
            involvement: d.involvement,
            helpers,
        }
    }
}

impl Directory {
    fn involve(&mut self, person: PersonId, request: RequestId) {
        let list = self.involvement.entry(person).or_default();
        if !list.contains(&request) {
            list.push(request);
        }
    }

    fn with_person(&mut self, id: PersonId, tenant: Uuid, change: impl FnOnce(&mut Person)) {
        let p = self.persons.entry(id).or_insert_with(|| Person {
            tenant,
            ..Person::default()
        });
        change(p);
        if p.listed() {
            self.helpers.insert(id);
        } else {
            self.helpers.remove(&id);
        }
    }

    fn load(&mut self, helpers: &[PersonId], delta: i32) {
        for h in helpers {
            if let Some(p) = self.persons.get_mut(h) {
                p.open_matches = p.open_matches.saturating_add_signed(delta);
            }
        }
    }

    fn apply_person(&mut self, env: &Envelope<'_>, event: &PersonEvent) {
        let tenant = env.raw.tenant_id;
        match event {
            PersonEvent::PersonRegistered(e) => self.with_person(e.person_id, tenant, |p| {
                p.neighbourhood = Some(e.neighbourhood_id);
                p.location = e.location;
                p.card = Some(SealedCard {
                    name: SealedText::of(&e.name),
                    contact: e.contact.as_ref().and_then(SealedText::of),
                });
            }),
            PersonEvent::ProfileUpdated(e) => self.with_person(e.person_id, tenant, |p| {
                if let Some(card) = &mut p.card {
                    if let Some(name) = &e.name {
                        card.name = SealedText::of(name);
                    }
                    if let Some(contact) = &e.contact {
                        card.contact = SealedText::of(contact);
                    }
                }
                if let Some(n) = e.neighbourhood_id {
                    p.neighbourhood = Some(n);
                }
                if e.location.is_some() {
                    p.location = e.location;
                }
            }),
            PersonEvent::SkillsDeclared(e) => self.with_person(e.person_id, tenant, |p| {
                p.skills = e.skills.iter().collect();
                p.availability = SlotMask::of(&e.availability);
                p.max_distance_m = e.max_distance.metres();
                p.available_for_calls = e.available_for_calls;
                p.declared = true;
            }),
            PersonEvent::HelperOptedIn(e) => {
                self.with_person(e.person_id, tenant, |p| p.opted_in = true);
            }
            PersonEvent::HelperOptedOut(e) => {
                self.with_person(e.person_id, tenant, |p| p.opted_in = false);
            }
            PersonEvent::PersonErased(e) => self.with_person(e.person_id, tenant, |p| {
                p.erased = true;
                p.location = None;
                p.card = None;
                p.shares_contact = false;
            }),
            PersonEvent::ContactSharingChosen(e) => self.with_person(e.person_id, tenant, |p| {
                p.shares_contact = e.share_with_matched;
            }),
            // A suspension ends the helper role: no more suggestions until they opt in again.
            PersonEvent::HelperSuspended(e) => {
                self.with_person(e.person_id, tenant, |p| p.opted_in = false);
            }
            // Staff roles and screenings say nothing about whether someone can help a
            // neighbour near them (the executor checks a screening where it is required).
            PersonEvent::RoleGranted(_)
            | PersonEvent::RoleRevoked(_)
            | PersonEvent::ScreeningRecorded(_)
            | PersonEvent::ScreeningWithdrawn(_)
            | PersonEvent::SuspensionLifted(_) => {}
        }
    }

    fn apply_request(&mut self, env: &Envelope<'_>, event: &RequestEvent) {
        use RequestEvent as E;
        match event {
            E::RequestPosted(e) => {
                if let Some(old) = self.needs.remove(&e.request_id) {
                    if old.open {
                        self.load(&old.matched, -1);
                    }
                }
                self.needs.insert(
                    e.request_id,
                    Need {
                        tenant: env.raw.tenant_id,
                        neighbourhood: e.neighbourhood_id,
                        requester: e.requester,
                        category: Category::of(&e.category),
                        skills: e.skills_wanted.iter().collect(),
                        location: e.location,
                        needed_by: e.needed_by,
                        offered: Vec::new(),
                        matched: Vec::new(),
                        credited: Vec::new(),
                        open: true,
                        organisations: e.referred_by.into_iter().collect(),
                    },
                );
                self.involve(e.requester, e.request_id);
            }
            E::HelpOffered(e) => {
                if let Some(n) = self.needs.get_mut(&e.request_id) {
                    if !n.offered.contains(&e.helper) {
                        n.offered.push(e.helper);
                    }
                    self.involve(e.helper, e.request_id);
                }
            }
            E::OfferWithdrawn(e) => {
                if let Some(n) = self.needs.get_mut(&e.request_id) {
                    n.offered.retain(|h| *h != e.helper);
                }
            }
            E::HelperMatched(e) => {
                let Some(n) = self.needs.get_mut(&e.request_id) else {
                    return;
                };
                if n.matched.contains(&e.helper) {
                    return;
                }
                n.matched.push(e.helper);
                let open = n.open;
                if open {
                    self.load(&[e.helper], 1);
                }
                self.involve(e.helper, e.request_id);
            }
            E::MatchCancelled(e) => {
                let Some(n) = self.needs.get_mut(&e.request_id) else {
                    return;
                };
                let before = n.matched.len();
                n.matched.retain(|h| *h != e.helper);
                if n.matched.len() != before && n.open {
                    self.load(&[e.helper], -1);
                }
            }
            E::RequestResolved(e) => {
                let Some(n) = self.needs.get_mut(&e.request_id) else {
                    return;
                };
                n.credited = e.helpers_credited.clone();
                if n.open {
                    n.open = false;
                    n.offered = Vec::new();
                    let matched = n.matched.clone();
                    self.load(&matched, -1);
                }
            }
            E::RequestClosed(e) => self.close(e.request_id),
            E::RequestReopened(e) => {
                if let Some(n) = self.needs.get_mut(&e.request_id) {
                    // Earlier offers and matches no longer count after reopening.
                    let matched = std::mem::take(&mut n.matched);
                    let was_open = std::mem::replace(&mut n.open, true);
                    n.offered.clear();
                    if was_open {
                        self.load(&matched, -1);
                    }
                }
            }
            E::FeedbackGiven(e) => {
                let Some(n) = self.needs.get(&e.request_id) else {
                    return;
                };
                let from_requester = e.given_by == n.requester
                    || env.raw.metadata.on_behalf_of == Some(n.requester.as_uuid());
                if !from_requester {
                    return;
                }
                let rated = if n.credited.is_empty() {
                    n.matched.clone()
                } else {
                    n.credited.clone()
                };
                for h in rated {
                    if let Some(p) = self.persons.get_mut(&h) {
                        p.rating_sum = p.rating_sum.saturating_add(e.rating.get());
                        p.rating_count = p.rating_count.saturating_add(1);
                    }
                }
            }
            E::RequestCorrected(e) => {
                if let Some(n) = self.needs.get_mut(&e.request_id) {
                    if let Some(c) = &e.category {
                        n.category = Category::of(c);
                    }
                    if let Some(nb) = e.neighbourhood_id {
                        n.neighbourhood = nb;
                    }
                }
            }
            E::RequestVoided(e) => self.close(e.request_id),
            // The match written with a take-up is what involves the helper.
            E::PersonalDataExpired(_) | E::StandingOfferTakenUp(_) => {}
            E::ReferredToProfessional(e) => {
                if let Some(n) = self.needs.get_mut(&e.request_id) {
                    if !n.organisations.contains(&e.organisation_id) {
                        n.organisations.push(e.organisation_id);
                    }
                }
            }
            E::RequestTriaged(_) | E::ReferralOutcomeRecorded(_) => {}
        }
    }

    fn close(&mut self, id: RequestId) {
        let Some(n) = self.needs.get_mut(&id) else {
            return;
        };
        if n.open {
            n.open = false;
            n.offered = Vec::new();
            let matched = n.matched.clone();
            self.load(&matched, -1);
        }
    }

    /// Who and where a request is about, for the authorization policy: its neighbourhood, its
    /// requester and the helpers matched to it now.
    pub fn request_parties(&self, id: RequestId) -> Option<RequestParties<'_>> {
        self.needs.get(&id).map(|n| RequestParties {
            neighbourhood: n.neighbourhood,
            requester: n.requester,
            matched: &n.matched,
            offered: &n.offered,
            organisations: &n.organisations,
            credited: &n.credited,
            category: n.category.code(),
            open: n.open,
        })
    }

    /// Whether `person` is a listed helper now (opted in, not erased).
    pub fn is_helper(&self, person: PersonId) -> bool {
        self.helpers.contains(&person)
    }

    /// The neighbourhood `person` registered in, when known and not erased.
    pub fn neighbourhood_of(&self, person: PersonId) -> Option<NeighbourhoodId> {
        self.persons
            .get(&person)
            .filter(|p| !p.erased)
            .and_then(|p| p.neighbourhood)
    }

    /// A person's name and contact, sealed as the log keeps them: `Some((name, contact))` when
    /// the directory holds them, `None` when it does not (an unknown or erased person, or a
    /// model restored from a snapshot that predates them: read the log then).
    pub fn sealed_card(&self, person: PersonId) -> Option<(Option<Personal>, Option<Personal>)> {
        let card = self.persons.get(&person)?.card.as_ref()?;
        Some((
            card.name.as_ref().and_then(SealedText::personal),
            card.contact.as_ref().and_then(SealedText::personal),
        ))
    }

    /// Whether `person` chose to let the people they are matched to read their contact detail
    /// (false for an unknown or erased person, and until they choose).
    pub fn shares_contact_with_matched(&self, person: PersonId) -> bool {
        self.persons
            .get(&person)
            .is_some_and(|p| p.shares_contact && !p.erased)
    }

    /// Whether `person` was erased.
    pub fn is_erased(&self, person: PersonId) -> bool {
        self.persons.get(&person).is_some_and(|p| p.erased)
    }

    /// Helpers matching `query`: nearest first when a location is given (then by id).
    pub fn helpers(&self, query: &HelperQuery) -> Result<Vec<HelperHit>, DirectoryError> {
        let skill = match &query.skill {
            Some(code) => Some(
                Skill::from_code(code).ok_or_else(|| DirectoryError::UnknownSkill(code.clone()))?,
            ),
            None => None,
        };
        let wanted = query.available.as_ref().map(SlotMask::of);
        let mut hits: Vec<HelperHit> = self
            .helpers
            .iter()
            .filter_map(|id| {
                let p = self.persons.get(id)?;
                if query.tenant.is_some_and(|t| t != p.tenant)
                    || query
                        .neighbourhood
                        .is_some_and(|n| p.neighbourhood != Some(n))
                    || skill.is_some_and(|s| !p.skills.contains(s))
                    || (query.for_calls && !p.available_for_calls)
                {
                    return None;
                }
                let shared_slots = match wanted {
                    Some(w) => {
                        let shared = p.availability.and(w).count();
                        if shared == 0 {
                            return None;
                        }
                        shared
                    }
                    None => p.availability.count(),
                };
                let distance_m = match (query.near, p.location) {
                    (Some(a), Some(b)) => {
                        let d = a.distance_m(&b).metres();
                        if d > p.max_distance_m {
                            return None;
                        }
                        Some(d)
                    }
                    _ => None,
                };
                Some(HelperHit {
                    person: *id,
                    neighbourhood: p.neighbourhood,
                    distance_m,
                    max_distance_m: p.max_distance_m,
                    skills: p.skills.iter().map(Skill::code).collect(),
                    shared_slots,
                    open_matches: p.open_matches,
                    available_for_calls: p.available_for_calls,
                })
            })
            .collect();
        hits.sort_by_key(|h| (h.distance_m.is_none(), h.distance_m, h.person));
        hits.truncate(if query.limit == 0 { 50 } else { query.limit });
        Ok(hits)
    }

    /// Ranked suggestions of helpers for `request` at `now`, best first, at most `limit`
    /// (0 means 10). See the module documentation for the score.
    pub fn suggest(
        &self,
        request: RequestId,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Suggestion>, DirectoryError> {
        let need = self
            .needs
            .get(&request)
            .ok_or(DirectoryError::UnknownRequest(request))?;
        if !need.open {
            return Err(DirectoryError::RequestNotOpen(request));
        }
        // The category's skills are what the help is about; the skills the request names add
        // to them, never replace them (a named lawn mower must not outrank every helper with
        // paperwork skills on a paperwork request).
        let category = need.category.skills();
        let window = slots_until(now, need.needed_by);
        let origin = need
            .location
            .or_else(|| self.persons.get(&need.requester).and_then(|p| p.location));
        let context = Assess {
            need,
            category: &category,
            window,
            origin,
        };
        // First rank every candidate without building reasons (no allocation per helper),
        // then explain only the ones returned.
        let mut ranked: Vec<(i32, u32, PersonId)> = self
            .helpers
            .iter()
            .filter_map(|id| {
                let p = self.persons.get(id)?;
                let (score, distance) = context.assess(*id, p, None)?;
                Some((score, distance.unwrap_or(u32::MAX), *id))
            })
            .collect();
        ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        ranked.truncate(if limit == 0 { 10 } else { limit });
        Ok(ranked
            .into_iter()
            .filter_map(|(score, _, id)| {
                let p = self.persons.get(&id)?;
                let mut reasons = Vec::new();
                context.assess(id, p, Some(&mut reasons))?;
                Some(Suggestion {
                    helper: id,
                    score,
                    reasons,
                })
            })
            .collect())
    }

    /// The requests `person` took part in (as requester, by offering or by being matched), in
    /// the order they first did; for the audit view.
    pub fn requests_of(&self, person: PersonId) -> &[RequestId] {
        self.involvement.get(&person).map_or(&[], Vec::as_slice)
    }

    /// How many helpers are listed (opted in, not erased).
    pub fn helper_count(&self) -> usize {
        self.helpers.len()
    }
}

/// What scoring a helper for one request needs.
struct Assess<'a> {
    need: &'a Need,
    category: &'a SkillSet,
    window: SlotMask,
    origin: Option<ApproxLocation>,
}

impl Assess<'_> {
    /// The helper's score and distance, or `None` when they are no candidate; fills `reasons`
    /// when given.
    fn assess(
        &self,
        id: PersonId,
        p: &Person,
        mut reasons: Option<&mut Vec<SuggestionReason>>,
    ) -> Option<(i32, Option<u32>)> {
        let need = self.need;
        if id == need.requester || need.matched.contains(&id) || p.tenant != need.tenant {
            return None;
        }
        let distance = match (self.origin, p.location) {
            (Some(a), Some(b)) => {
                let d = a.distance_m(&b).metres();
                if d > p.max_distance_m {
                    return None;
                }
                Some(d)
            }
            _ if p.neighbourhood == Some(need.neighbourhood) => None,
            _ => return None,
        };
        let mut explain = |r: SuggestionReason| {
            if let Some(list) = reasons.as_deref_mut() {
                list.push(r);
            }
        };
        let mut score = 0i32;
        if need.offered.contains(&id) {
            score += 40;
            explain(SuggestionReason::Offered);
        }
        // 30 for a skill of the category, 5 more for each further one (at most 3); 15 for each
        // skill the request names (at most 2), so the category's fit weighs most.
        let category_fit = p.skills.shared(self.category);
        let named_fit = p.skills.shared(&need.skills);
        if category_fit > 0 {
            score += 30 + 5 * i32::try_from(category_fit - 1).unwrap_or(3).min(3);
        }
        if named_fit > 0 {
            score += 15 * i32::try_from(named_fit).unwrap_or(2).min(2);
        }
        if category_fit + named_fit > 0 {
            let skills = p
                .skills
                .iter()
                .filter(|s| self.category.contains(*s) || need.skills.contains(*s))
                .map(Skill::code)
                .collect();
            explain(SuggestionReason::SkillFit { skills });
        }
        if let Some(m) = distance {
            // 20 - 4 x distance in km, rounded down to whole points.
            let points = 20 - i32::try_from(m.saturating_mul(4) / 1000).unwrap_or(20);
            score += points.max(0);
            explain(SuggestionReason::Distance { metres: m });
        }
        if !p.availability.is_empty() {
            let shared = p.availability.and(self.window).count();
            if shared > 0 {
                score += 10;
                explain(SuggestionReason::Available {
                    shared_slots: shared,
                });
            } else {
                score -= 10;
                explain(SuggestionReason::NotAvailable);
            }
        }
        if p.open_matches > 0 {
            score -= i32::try_from(p.open_matches.min(4) * 5).unwrap_or(20);
            explain(SuggestionReason::Load {
                open_matches: p.open_matches,
            });
        }
        if p.rating_count > 0 {
            let average = f64::from(p.rating_sum) / f64::from(p.rating_count);
            // Ratings are 1..=5, so the adjustment is between -10 and +10.
            #[allow(clippy::cast_possible_truncation)]
            let adjust = ((average - 3.0) * 5.0).round() as i32;
            score += adjust;
            explain(SuggestionReason::Feedback {
                average,
                ratings: p.rating_count,
            });
        }
        Some((score, distance))
    }
}

/// The weekly slots from `now` up to `needed_by`: the whole week when there is no date or it
/// is a week or more away; only today's when it is already past.
fn slots_until(now: DateTime<Utc>, needed_by: Option<DateTime<Utc>>) -> SlotMask {
    let Some(by) = needed_by else {
        return SlotMask::ALL;
    };
    let days = (by.date_naive() - now.date_naive()).num_days();
    if days >= 6 {
        return SlotMask::ALL;
    }
    let today = now.weekday().num_days_from_monday() as usize;
    (0..=days.max(0) as usize).fold(SlotMask::NONE, |m, d| m.or(SlotMask::day((today + d) % 7)))
}

impl ReadModel for Directory {
    const NAME: &'static str = "directory";
    const SNAPSHOT_VERSION: u32 = 2;

    fn apply(&mut self, env: &Envelope<'_>) {
        match env.event {
            AnyEvent::Person(e) => self.apply_person(env, e),
            AnyEvent::Request(e) => self.apply_request(env, e),
            AnyEvent::Call(_)
            | AnyEvent::Organisation(_)
            | AnyEvent::Neighbourhood(_)
            | AnyEvent::Tenant(_)
            | AnyEvent::Incident(_)
            | AnyEvent::StandingOffer(_) => {}
        }
    }
}
