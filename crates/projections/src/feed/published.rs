//! Published standing offers in the feed: each listed in every neighbourhood it is offered in,
//! from its publication, while it is open and its helper is neither suspended nor erased.

use chrono::NaiveDate;
use noaber_domain::offer::StandingOfferEvent;
use noaber_domain::{NeighbourhoodId, PersonId, StandingOfferId};
use serde::{Deserialize, Serialize};

use super::{micros, Feed, FeedItem, FeedKey, FeedKind, FeedRef, OfferOrigin};
use crate::codes::{Category, SkillSet};
use crate::model::Envelope;
use crate::sealed::SealedText;

/// What the feed keeps of a published standing offer that is not withdrawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct PublishedCard {
    key: FeedKey,
    helper: PersonId,
    on_behalf: bool,
    category: Category,
    skills: SkillSet,
    neighbourhoods: Vec<NeighbourhoodId>,
    until: Option<NaiveDate>,
    paused: bool,
    title: Option<SealedText>,
}

impl Feed {
    /// Whether `helper`'s published offers may be listed.
    fn helper_available(&self, helper: PersonId) -> bool {
        self.offers.get(&helper).is_none_or(|c| c.available())
    }

    /// Where a published offer is listed now: its neighbourhoods and key, or nothing.
    fn listing(&self, card: &PublishedCard) -> Option<(Vec<NeighbourhoodId>, FeedKey)> {
        (!card.paused && self.helper_available(card.helper))
            .then(|| (card.neighbourhoods.clone(), card.key))
    }

    /// Every listing of every published offer (to rebuild the index on restore).
    pub(super) fn published_listings(&self) -> Vec<(NeighbourhoodId, FeedKey, FeedRef)> {
        self.published
            .iter()
            .filter_map(|(id, card)| Some((*id, self.listing(card)?)))
            .flat_map(|(id, (list, key))| {
                list.into_iter()
                    .map(move |n| (n, key, FeedRef::Published(id)))
            })
            .collect()
    }

    fn move_listing(
        &mut self,
        id: StandingOfferId,
        before: Option<(Vec<NeighbourhoodId>, FeedKey)>,
        after: Option<(Vec<NeighbourhoodId>, FeedKey)>,
    ) {
        if before == after {
            return;
        }
        if let Some((list, key)) = before {
            for n in list {
                self.unlist(n, key);
            }
        }
        if let Some((list, key)) = after {
            for n in list {
                self.list(n, key, FeedRef::Published(id));
            }
        }
    }

    /// Applies `change` to a published offer's card and moves its listings to match.
    fn with_published(&mut self, id: StandingOfferId, change: impl FnOnce(&mut PublishedCard)) {
        let Some(mut card) = self.published.remove(&id) else {
            return;
        };
        let before = self.listing(&card);
        change(&mut card);
        let after = self.listing(&card);
        self.published.insert(id, card);
        self.move_listing(id, before, after);
    }

    /// Lists or unlists every published offer of `helper` after their standing changed.
    pub(super) fn relist_published_of(&mut self, helper: PersonId) {
        let theirs: Vec<StandingOfferId> = self
            .published
            .iter()
            .filter(|(_, c)| c.helper == helper)
            .map(|(id, _)| *id)
            .collect();
        let available = self.helper_available(helper);
        for id in theirs {
            let Some(card) = self.published.get(&id) else {
                continue;
            };
            let listing = (card.neighbourhoods.clone(), card.key);
            let (before, after) = if available {
                (None, self.listing(card))
            } else {
                (Some(listing), None)
            };
            self.move_listing(id, before, after);
        }
    }

    pub(super) fn apply_standing_offer(&mut self, env: &Envelope<'_>, event: &StandingOfferEvent) {
        match event {
            StandingOfferEvent::StandingOfferPublished(e) => {
                let card = PublishedCard {
                    key: FeedKey {
                        at_micros: micros(env.raw.occurred_at),
                        position: env.raw.position,
                    },
                    helper: e.helper,
                    on_behalf: e.published_by != e.helper,
                    category: Category::of(&e.category),
                    skills: e.skills.iter().collect(),
                    neighbourhoods: e.neighbourhoods.clone(),
                    until: e.until,
                    paused: false,
                    title: SealedText::of(&e.title),
                };
                let before = self
                    .published
                    .remove(&e.standing_offer_id)
                    .and_then(|old| self.listing(&old));
                let after = self.listing(&card);
                self.published.insert(e.standing_offer_id, card);
                self.move_listing(e.standing_offer_id, before, after);
            }
            StandingOfferEvent::StandingOfferUpdated(e) => {
                self.with_published(e.standing_offer_id, |c| {
                    if let Some(t) = &e.title {
                        c.title = SealedText::of(t);
                    }
                    if let Some(cat) = &e.category {
                        c.category = Category::of(cat);
                    }
                    if let Some(s) = &e.skills {
                        c.skills = s.iter().collect();
                    }
                    if let Some(n) = &e.neighbourhoods {
                        c.neighbourhoods = n.clone();
                    }
                    if let Some(u) = e.until {
                        c.until = u;
                    }
                });
            }
            StandingOfferEvent::StandingOfferPaused(e) => {
                self.with_published(e.standing_offer_id, |c| c.paused = true);
            }
            StandingOfferEvent::StandingOfferResumed(e) => {
                self.with_published(e.standing_offer_id, |c| c.paused = false);
            }
            StandingOfferEvent::StandingOfferWithdrawn(e) => {
                if let Some(old) = self.published.remove(&e.standing_offer_id) {
                    let before = self.listing(&old);
                    self.move_listing(e.standing_offer_id, before, None);
                }
            }
        }
    }

    /// The feed item of a listed published offer.
    pub(super) fn published_item(&self, key: FeedKey, id: StandingOfferId) -> Option<FeedItem> {
        let c = self.published.get(&id)?;
        Some(FeedItem {
            origin: Some(OfferOrigin::Published),
            person: Some(c.helper),
            category: Some(c.category.code()),
            until: c.until,
            skills: c.skills.iter().map(|s| s.code()).collect(),
            // The helper's area, as their skill-based offer shows it.
            location: self.offers.get(&c.helper).and_then(|o| o.location),
            sealed_title: c.title.as_ref().and_then(SealedText::personal),
            ..FeedItem::new(FeedKind::StandingOffer, id.as_uuid(), key, c.on_behalf)
        })
    }
}
