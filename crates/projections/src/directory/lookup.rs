//! Looking people up for a connector: everyone registered in some neighbourhoods (residents
//! and helpers alike), by skill and availability, with their sealed name for the API to match
//! a name against and to open for those it returns.

use noaber_domain::values::Availability;
use noaber_domain::{NeighbourhoodId, PersonId, Personal};
use serde::Serialize;
use uuid::Uuid;

use super::{Directory, DirectoryError};
use crate::codes::{Skill, SlotMask};
use crate::sealed::SealedText;

/// A lookup of people.
#[derive(Clone, Debug, Default)]
pub struct PersonQuery {
    /// The tenant.
    pub tenant: Uuid,
    /// Only people of these neighbourhoods; everyone of the tenant when empty.
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// Only people with this skill code.
    pub skill: Option<String>,
    /// Only people sharing at least one of these slots.
    pub available: Option<Availability>,
    /// Only helpers (people who opted in to help).
    pub helpers_only: bool,
}

/// A person found, with their name still sealed.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonHit {
    /// The person.
    pub person: PersonId,
    /// Their neighbourhood.
    pub neighbourhood: Option<NeighbourhoodId>,
    /// Whether they opted in to help.
    pub helper: bool,
    /// Their skill codes.
    pub skills: Vec<&'static str>,
    /// Whether they agreed to be asked for calls.
    pub available_for_calls: bool,
    /// Their name as the log keeps it (sealed), for the API to open.
    #[serde(skip)]
    #[schema(ignore)]
    pub name: Option<Personal>,
}

impl Directory {
    /// Everyone matching `query` who is not erased, by id.
    pub fn persons(&self, query: &PersonQuery) -> Result<Vec<PersonHit>, DirectoryError> {
        let skill = match &query.skill {
            Some(code) => Some(
                Skill::from_code(code).ok_or_else(|| DirectoryError::UnknownSkill(code.clone()))?,
            ),
            None => None,
        };
        let wanted = query.available.as_ref().map(SlotMask::of);
        let mut hits: Vec<PersonHit> = self
            .persons
            .iter()
            .filter(|(_, p)| {
                p.tenant == query.tenant
                    && !p.erased
                    && (query.neighbourhoods.is_empty()
                        || p.neighbourhood
                            .is_some_and(|n| query.neighbourhoods.contains(&n)))
                    && skill.is_none_or(|s| p.skills.contains(s))
                    && wanted.is_none_or(|w| p.availability.and(w).count() > 0)
                    && (!query.helpers_only || p.opted_in)
            })
            .map(|(id, p)| PersonHit {
                person: *id,
                neighbourhood: p.neighbourhood,
                helper: p.opted_in,
                skills: p.skills.iter().map(Skill::code).collect(),
                available_for_calls: p.available_for_calls,
                name: p
                    .card
                    .as_ref()
                    .and_then(|c| c.name.as_ref())
                    .and_then(SealedText::personal),
            })
            .collect();
        hits.sort_by_key(|h| h.person);
        Ok(hits)
    }
}
