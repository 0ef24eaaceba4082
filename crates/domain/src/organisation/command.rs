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
    Register(RegisterOrganisation),
    /// Record the services it offers (connector, admin, or its partner staff).
    OfferServices(OfferServices),
    /// Stop taking referrals (connector or admin).
    Deactivate(DeactivateOrganisation),
}

/// Register an organisation (connector or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterOrganisation {
    /// The new organisation's id.
    pub organisation_id: OrganisationId,
    /// Its public name.
    pub name: DisplayName,
    /// Its kind.
    pub kind: OrganisationKind,
}

/// Record the services it offers (connector, admin, or its partner staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferServices {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Categories.
    pub categories: Vec<CategoryCode>,
    /// Neighbourhoods (empty: all).
    pub neighbourhoods: Vec<NeighbourhoodId>,
}

/// Stop taking referrals (connector or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeactivateOrganisation {
    /// The organisation.
    pub organisation_id: OrganisationId,
}

impl OrganisationCommand {
    /// The organisation the command is about.
    pub fn organisation_id(&self) -> OrganisationId {
        match self {
            OrganisationCommand::Register(RegisterOrganisation {
                organisation_id, ..
            })
            | OrganisationCommand::OfferServices(OfferServices {
                organisation_id, ..
            })
            | OrganisationCommand::Deactivate(DeactivateOrganisation { organisation_id }) => {
                *organisation_id
            }
        }
    }
}

crate::macros::command_from!(OrganisationCommand {
    Register(RegisterOrganisation),
    OfferServices(OfferServices),
    Deactivate(DeactivateOrganisation),
});
