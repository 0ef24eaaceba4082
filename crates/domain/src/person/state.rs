//! The state of a person, folded from their events.

use crate::ids::{NeighbourhoodId, PersonId};
use crate::values::SkillCode;

/// Where a person is in their life in Noaber.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PersonStatus {
    /// Not registered.
    #[default]
    Unregistered,
    /// Registered.
    Active,
    /// Erased: nothing more can happen.
    Erased,
}

/// The state of one person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonState {
    /// Status.
    pub status: PersonStatus,
    /// The person's id, once registered.
    pub person_id: Option<PersonId>,
    /// Current neighbourhood.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// Whether they opted in as helper.
    pub helper: bool,
    /// Declared skills.
    pub skills: Vec<SkillCode>,
}
