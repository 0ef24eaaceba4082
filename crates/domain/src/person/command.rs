//! The commands a person accepts.

use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, PersonId};
use crate::personal::Personal;
use crate::values::{ApproxLocation, Availability, DigitalAccess, Distance, Language, SkillCode};

/// What someone asks of a person aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum PersonCommand {
    /// Register a person (oneself, or someone else as connector, partner, ambassador or admin).
    Register {
        /// The new person's id.
        person_id: PersonId,
        /// Their name.
        name: Personal,
        /// Contact detail.
        contact: Option<Personal>,
        /// Address.
        address: Option<Personal>,
        /// Neighbourhood.
        neighbourhood_id: NeighbourhoodId,
        /// Approximate location.
        location: Option<ApproxLocation>,
        /// Languages.
        languages: Vec<Language>,
        /// Digital access.
        digital_access: DigitalAccess,
    },
    /// Change part of the profile (fields left out stay as they are).
    UpdateProfile {
        /// The person.
        person_id: PersonId,
        /// New name.
        name: Option<Personal>,
        /// New contact detail.
        contact: Option<Personal>,
        /// New address.
        address: Option<Personal>,
        /// New neighbourhood.
        neighbourhood_id: Option<NeighbourhoodId>,
        /// New location.
        location: Option<ApproxLocation>,
        /// New languages.
        languages: Option<Vec<Language>>,
        /// New digital access.
        digital_access: Option<DigitalAccess>,
    },
    /// Declare skills, availability and reach.
    DeclareSkills {
        /// The person.
        person_id: PersonId,
        /// Skills.
        skills: Vec<SkillCode>,
        /// Availability.
        availability: Availability,
        /// How far they will go.
        max_distance: Distance,
        /// Whether calls may be sent to them.
        available_for_calls: bool,
    },
    /// Opt in as helper.
    OptIn {
        /// The person.
        person_id: PersonId,
    },
    /// Opt out as helper.
    OptOut {
        /// The person.
        person_id: PersonId,
    },
    /// Erase the person (GDPR article 17).
    Erase {
        /// The person.
        person_id: PersonId,
    },
}

impl PersonCommand {
    /// The person the command is about.
    pub fn person_id(&self) -> PersonId {
        match self {
            PersonCommand::Register { person_id, .. }
            | PersonCommand::UpdateProfile { person_id, .. }
            | PersonCommand::DeclareSkills { person_id, .. }
            | PersonCommand::OptIn { person_id }
            | PersonCommand::OptOut { person_id }
            | PersonCommand::Erase { person_id } => *person_id,
        }
    }
}
