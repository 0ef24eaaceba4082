//! The state of a person, folded from their events.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, PersonId};
use crate::role::{Role, RoleScope};
use crate::values::SkillCode;

use super::event::ScreeningKind;

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
    /// Whether they are suspended as a helper, and their screening.
    pub standing: Standing,
    /// Whether the people they are matched to may read their contact detail (not until they
    /// choose so).
    pub shares_contact_with_matched: bool,
}

/// A screening as it counts: its kind and the days it is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    /// The kind of certificate.
    pub kind: ScreeningKind,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// The last day it is valid.
    pub valid_until: NaiveDate,
}

impl Screening {
    /// Whether it is valid on `day`: issued on or before it, and not expired.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.issued_on <= day && day <= self.valid_until
    }
}

/// How a person stands as a helper, for the rules that keep vulnerable residents safe: whether
/// they are suspended, and the screening they hold. Folded from their own stream; a request
/// learns it through the executor ([`crate::Requirement::HelperStanding`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    /// Suspended as a helper until a connector lifts it.
    pub suspended: bool,
    /// The screening that counts (the latest recorded and not withdrawn), if any.
    pub screening: Option<Screening>,
    /// Erased: nothing more is recorded about them, no offer and no match either.
    #[serde(default)]
    pub erased: bool,
}

/// Why a helper may not offer help or be matched, whatever the request or offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfit {
    /// They were erased.
    Erased,
    /// They are suspended as a helper.
    Suspended,
    /// The help needs a valid screening and they hold none for that day.
    NotScreened,
    /// The help needs a valid screening and theirs expired on this day.
    ScreeningExpired(NaiveDate),
}

impl Standing {
    /// Whether a helper who stands so may offer or be matched, on `day`, for help in a
    /// category the tenant marks `sensitive` (or not): never while suspended or once erased;
    /// in a sensitive category only with a screening valid that day.
    pub fn fit_to_help(&self, sensitive: bool, day: NaiveDate) -> Result<(), Unfit> {
        if self.erased {
            return Err(Unfit::Erased);
        }
        if self.suspended {
            return Err(Unfit::Suspended);
        }
        if !sensitive {
            return Ok(());
        }
        match self.screening {
            Some(s) if s.valid_on(day) => Ok(()),
            Some(s) if s.valid_until < day => Err(Unfit::ScreeningExpired(s.valid_until)),
            // None, or a screening issued only after the day (a match recorded after the fact).
            _ => Err(Unfit::NotScreened),
        }
    }
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
