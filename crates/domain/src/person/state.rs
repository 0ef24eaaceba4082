//! The state of a person, folded from their events.

use std::collections::BTreeSet;

use crate::ids::{NeighbourhoodId, PersonId};
use crate::role::{Role, RoleScope};
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
    /// The roles currently granted, each with its scope (an erased person holds none).
    pub grants: BTreeSet<Grant>,
}

/// One role held over one scope. A person may hold the same role over several scopes (a
/// connector granted two neighbourhoods at different times holds two grants).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// What it holds over.
    pub scope: RoleScope,
}

impl PersonState {
    /// Whether the person holds `role` over any scope.
    pub fn holds(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
}
