//! The commands an organisation accepts.

use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, OrganisationId};
use crate::values::{CategoryCode, DisplayName};

use super::event::OrganisationKind;

/// What someone asks of an organisation aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum OrganisationCommand {
    /// Register an organisation (connector or admin).
    Register {
        /// The new organisation's id.
        organisation_id: OrganisationId,
        /// Its public name.
        name: DisplayName,
        /// Its kind.
        kind: OrganisationKind,
    },
    /// Record the services it offers (connector, admin, or its partner staff).
    OfferServices {
        /// The organisation.
        organisation_id: OrganisationId,
        /// Categories.
        categories: Vec<CategoryCode>,
        /// Neighbourhoods (empty: all).
        neighbourhoods: Vec<NeighbourhoodId>,
    },
    /// Stop taking referrals (connector or admin).
    Deactivate {
        /// The organisation.
        organisation_id: OrganisationId,
    },
}

impl OrganisationCommand {
    /// The organisation the command is about.
    pub fn organisation_id(&self) -> OrganisationId {
        match self {
            OrganisationCommand::Register {
                organisation_id, ..
            }
            | OrganisationCommand::OfferServices {
                organisation_id, ..
            }
            | OrganisationCommand::Deactivate { organisation_id } => *organisation_id,
        }
    }
}
