//! The events of a person: registration, profile, skills, helper opt-in/out and erasure.

use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, PersonId};
use crate::macros::event_enum;
use crate::personal::Personal;
use crate::values::{ApproxLocation, Availability, DigitalAccess, Distance, Language, SkillCode};

/// A person was registered, by themselves or by a connector (or ambassador, partner, admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRegistered {
    /// The person.
    pub person_id: PersonId,
    /// Their name (subject: the person).
    pub name: Personal,
    /// A phone number or e-mail address (subject: the person).
    pub contact: Option<Personal>,
    /// A postal address (subject: the person); never shown to neighbours.
    pub address: Option<Personal>,
    /// The neighbourhood they live in.
    pub neighbourhood_id: NeighbourhoodId,
    /// Where they live, approximately (about 100 m).
    pub location: Option<ApproxLocation>,
    /// Languages they speak.
    pub languages: Vec<Language>,
    /// How they use Noaber.
    pub digital_access: DigitalAccess,
    /// Who registered them (themselves, or a connector).
    pub registered_by: PersonId,
    /// Whether they registered themselves.
    pub self_registered: bool,
}

/// Part of a profile changed; only the fields present changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileUpdated {
    /// The person.
    pub person_id: PersonId,
    /// New name.
    pub name: Option<Personal>,
    /// New contact detail.
    pub contact: Option<Personal>,
    /// New address.
    pub address: Option<Personal>,
    /// New neighbourhood.
    pub neighbourhood_id: Option<NeighbourhoodId>,
    /// New approximate location.
    pub location: Option<ApproxLocation>,
    /// New languages.
    pub languages: Option<Vec<Language>>,
    /// New digital access.
    pub digital_access: Option<DigitalAccess>,
}

/// A person declared (or re-declared) their talents; replaces the previous declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillsDeclared {
    /// The person.
    pub person_id: PersonId,
    /// Skills from the taxonomy.
    pub skills: Vec<SkillCode>,
    /// When they are available.
    pub availability: Availability,
    /// How far they will go.
    pub max_distance: Distance,
    /// Whether the organisation may also ask them for calls (the volunteer list).
    pub available_for_calls: bool,
}

/// A resident opted in as helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperOptedIn {
    /// The person.
    pub person_id: PersonId,
}

/// A helper opted out (they stay a resident).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperOptedOut {
    /// The person.
    pub person_id: PersonId,
}

/// A person was erased: their key is destroyed, so their personal data reads as erased
/// everywhere. The event holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonErased {
    /// The person.
    pub person_id: PersonId,
    /// Who carried out the erasure.
    pub erased_by: PersonId,
}

event_enum!(
    /// Everything that can happen to a person.
    PersonEvent (id: person_id) {
        /// See [`PersonRegistered`].
        PersonRegistered = 1,
        /// See [`ProfileUpdated`].
        ProfileUpdated = 1,
        /// See [`SkillsDeclared`].
        SkillsDeclared = 1,
        /// See [`HelperOptedIn`].
        HelperOptedIn = 1,
        /// See [`HelperOptedOut`].
        HelperOptedOut = 1,
        /// See [`PersonErased`].
        PersonErased = 1,
    }
);
