//! Standing offers (*aanbod*): every neighbour's published offers of help, with where and until
//! when they are offered, whether they are open, paused or withdrawn, and how often residents
//! took them up, folded from the standing offer events and the take-ups written with requests,
//! so the API lists the open ones of a neighbourhood and a helper's own (ADR 0042). Their words
//! stay in the log, sealed; the API opens them for those allowed.
//!
//! An offer is listed while it is open, has not ended, and its helper is neither suspended nor
//! erased (a suspension or erasure takes every offer of theirs out at once, and lifting the
//! suspension brings them back). Whether it has ended depends on the day, which the caller
//! passes: the model never reads the clock.

use chrono::{DateTime, NaiveDate, Utc};
use noaber_domain::offer::{StandingOfferEvent, StandingOfferStatus};
use noaber_domain::person::PersonEvent;
use noaber_domain::request::RequestEvent;
use noaber_domain::values::{Availability, CategoryCode, SkillCode};
use noaber_domain::{AnyEvent, NeighbourhoodId, PersonId, Personal, StandingOfferId, TenantId};
use serde::{Deserialize, Serialize};

use crate::fastmap::FastMap;
use crate::model::{Envelope, ReadModel};
use crate::sealed::SealedText;

/// One standing offer as the lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OfferEntry {
    /// The standing offer.
    pub standing_offer_id: StandingOfferId,
    /// Who offers the help.
    pub helper: PersonId,
    /// Who published it (the helper, or a connector for them).
    pub published_by: PersonId,
    /// The category of help.
    pub category: CategoryCode,
    /// The skills it takes.
    pub skills: Vec<SkillCode>,
    /// Where it is offered.
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// When the helper is available (empty: not said).
    pub availability: Availability,
    /// The last day it is offered, if it ends.
    pub until: Option<NaiveDate>,
    /// `open`, `paused` or `withdrawn`.
    pub status: StandingOfferStatus,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// When it last changed (published, updated, paused, resumed or withdrawn).
    pub changed_at: DateTime<Utc>,
    /// How many requests took it up.
    pub taken_up: u32,
    /// When it was last taken up.
    pub last_taken_up_at: Option<DateTime<Utc>>,
}

impl OfferEntry {
    /// Whether it can be taken up on `today`: open and not ended (its helper's standing aside).
    pub fn is_open_on(&self, today: NaiveDate) -> bool {
        self.status == StandingOfferStatus::Open && self.until.is_none_or(|u| today <= u)
    }
}

/// Which open offers to list.
#[derive(Clone, Copy, Debug)]
pub struct OfferQuery<'a> {
    /// The tenant.
    pub tenant: TenantId,
    /// Only offers in one of these neighbourhoods; every neighbourhood when `None`.
    pub neighbourhoods: Option<&'a [NeighbourhoodId]>,
    /// Only offers of this category.
    pub category: Option<&'a CategoryCode>,
    /// Only offers that take this skill.
    pub skill: Option<&'a SkillCode>,
    /// The day asked about: offers that ended before it are left out.
    pub today: NaiveDate,
}

/// Whether a helper may be taken up now, as far as their own stream says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Away {
    suspended: bool,
    erased: bool,
}

/// Every tenant's standing offers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StandingOffers {
    offers: FastMap<StandingOfferId, (TenantId, OfferEntry)>,
    /// Each offer's title as the log keeps it: sealed with the helper's key.
    titles: FastMap<StandingOfferId, SealedText>,
    /// Helpers suspended or erased (only those ever were: a small share).
    away: FastMap<PersonId, Away>,
}

impl StandingOffers {
    /// One offer of `tenant`, whatever its status.
    pub fn get(&self, tenant: TenantId, id: StandingOfferId) -> Option<&OfferEntry> {
        self.offers
            .get(&id)
            .filter(|(t, _)| *t == tenant)
            .map(|(_, o)| o)
    }

    /// An offer's title, still sealed (the API opens it for readers the policy allows).
    pub fn sealed_title(&self, id: StandingOfferId) -> Option<Personal> {
        self.titles.get(&id).and_then(SealedText::personal)
    }

    /// Whether `helper`'s offers are listed: they are neither suspended nor erased.
    pub fn helper_available(&self, helper: PersonId) -> bool {
        self.away
            .get(&helper)
            .is_none_or(|a| !a.suspended && !a.erased)
    }

    /// Whether `offer` is listed on `today`: open, not ended, its helper available.
    pub fn is_listed(&self, offer: &OfferEntry, today: NaiveDate) -> bool {
        offer.is_open_on(today) && self.helper_available(offer.helper)
    }

    /// The listed offers `query` asks for, newest first.
    pub fn listed(&self, query: &OfferQuery<'_>) -> Vec<OfferEntry> {
        let mut out: Vec<OfferEntry> = self
            .offers
            .values()
            .filter(|(t, o)| {
                *t == query.tenant
                    && self.is_listed(o, query.today)
                    && query
                        .neighbourhoods
                        .is_none_or(|list| o.neighbourhoods.iter().any(|n| list.contains(n)))
                    && query.category.is_none_or(|c| o.category == *c)
                    && query.skill.is_none_or(|s| o.skills.contains(s))
            })
            .map(|(_, o)| o.clone())
            .collect();
        newest_first(&mut out);
        out
    }

    /// Every offer of `helper` in `tenant`, whatever its status, newest first.
    pub fn of_helper(&self, tenant: TenantId, helper: PersonId) -> Vec<OfferEntry> {
        let mut out: Vec<OfferEntry> = self
            .offers
            .values()
            .filter(|(t, o)| *t == tenant && o.helper == helper)
            .map(|(_, o)| o.clone())
            .collect();
        newest_first(&mut out);
        out
    }

    fn with_offer(
        &mut self,
        id: StandingOfferId,
        at: DateTime<Utc>,
        change: impl FnOnce(&mut OfferEntry),
    ) {
        if let Some((_, o)) = self.offers.get_mut(&id) {
            change(o);
            o.changed_at = at;
        }
    }

    fn set_title(&mut self, id: StandingOfferId, title: Option<&Personal>) {
        match title.and_then(SealedText::of) {
            Some(sealed) => self.titles.insert(id, sealed),
            None => self.titles.remove(&id),
        };
    }

    fn apply_offer(&mut self, env: &Envelope<'_>, event: &StandingOfferEvent) {
        let at = env.raw.occurred_at;
        match event {
            StandingOfferEvent::StandingOfferPublished(e) => {
                let entry = OfferEntry {
                    standing_offer_id: e.standing_offer_id,
                    helper: e.helper,
                    published_by: e.published_by,
                    category: e.category.clone(),
                    skills: e.skills.clone(),
                    neighbourhoods: e.neighbourhoods.clone(),
                    availability: e.availability.clone(),
                    until: e.until,
                    status: StandingOfferStatus::Open,
                    published_at: at,
                    changed_at: at,
                    taken_up: 0,
                    last_taken_up_at: None,
                };
                self.offers.insert(
                    e.standing_offer_id,
                    (TenantId::new(env.raw.tenant_id), entry),
                );
                self.set_title(e.standing_offer_id, Some(&e.title));
            }
            StandingOfferEvent::StandingOfferUpdated(e) => {
                if e.title.is_some() {
                    self.set_title(e.standing_offer_id, e.title.as_ref());
                }
                self.with_offer(e.standing_offer_id, at, |o| {
                    if let Some(c) = &e.category {
                        o.category = c.clone();
                    }
                    if let Some(s) = &e.skills {
                        o.skills = s.clone();
                    }
                    if let Some(n) = &e.neighbourhoods {
                        o.neighbourhoods = n.clone();
                    }
                    if let Some(a) = &e.availability {
                        o.availability = a.clone();
                    }
                    if let Some(u) = e.until {
                        o.until = u;
                    }
                });
            }
            StandingOfferEvent::StandingOfferPaused(e) => {
                self.with_offer(e.standing_offer_id, at, |o| {
                    o.status = StandingOfferStatus::Paused;
                })
            }
            StandingOfferEvent::StandingOfferResumed(e) => {
                self.with_offer(e.standing_offer_id, at, |o| {
                    o.status = StandingOfferStatus::Open;
                })
            }
            StandingOfferEvent::StandingOfferWithdrawn(e) => {
                self.with_offer(e.standing_offer_id, at, |o| {
                    o.status = StandingOfferStatus::Withdrawn;
                })
            }
        }
    }
}

fn newest_first(offers: &mut [OfferEntry]) {
    offers.sort_by_key(|o| std::cmp::Reverse((o.published_at, o.standing_offer_id)));
}

impl ReadModel for StandingOffers {
    const NAME: &'static str = "standing_offers";
    const SNAPSHOT_VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope<'_>) {
        match env.event {
            AnyEvent::StandingOffer(e) => self.apply_offer(env, e),
            AnyEvent::Request(RequestEvent::StandingOfferTakenUp(e)) => {
                if let Some((_, o)) = self.offers.get_mut(&e.standing_offer_id) {
                    o.taken_up = o.taken_up.saturating_add(1);
                    o.last_taken_up_at = Some(env.raw.occurred_at);
                }
            }
            AnyEvent::Person(PersonEvent::HelperSuspended(e)) => {
                self.away.entry(e.person_id).or_default().suspended = true;
            }
            AnyEvent::Person(PersonEvent::SuspensionLifted(e)) => {
                if let Some(a) = self.away.get_mut(&e.person_id) {
                    a.suspended = false;
                }
            }
            AnyEvent::Person(PersonEvent::PersonErased(e)) => {
                self.away.entry(e.person_id).or_default().erased = true;
            }
            _ => {}
        }
    }
}
