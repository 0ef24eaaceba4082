//! The events of a partner organisation.

use serde::{Deserialize, Serialize};

use crate::ids::{NeighbourhoodId, OrganisationId, PersonId};
use crate::macros::event_enum;
use crate::values::{name_enum, CategoryCode, DisplayName};

name_enum!(
    /// What kind of organisation it is.
    OrganisationKind, "organisation kind" {
        /// A municipality or local government.
        Municipality = "municipality",
        /// A social service (sociaal huis, OCMW/CPAS, wijkteam).
        SocialService = "social_service",
        /// A care provider (home care, LDC).
        CareProvider = "care_provider",
        /// A GP practice (as referrer).
        GpPractice = "gp_practice",
        /// A housing association.
        HousingAssociation = "housing_association",
        /// A volunteer organisation.
        VolunteerOrganisation = "volunteer_organisation",
        /// Craftsmen or a repair service.
        Craft = "craft",
        /// Anything else.
        Other = "other",
    }
);

/// An organisation was registered in the tenant. Organisation names are public, not personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationRegistered {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Its public name.
    pub name: DisplayName,
    /// What kind of organisation it is.
    pub kind: OrganisationKind,
    /// Who registered it.
    pub registered_by: PersonId,
}

/// The organisation says which categories of help it takes and where; replaces the previous list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesOffered {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Request categories it takes referrals for.
    pub categories: Vec<CategoryCode>,
    /// Neighbourhoods it serves; empty means all of the tenant's.
    pub neighbourhoods: Vec<NeighbourhoodId>,
    /// Who recorded it.
    pub recorded_by: PersonId,
}

/// The organisation no longer takes referrals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationDeactivated {
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Who deactivated it.
    pub deactivated_by: PersonId,
}

event_enum!(
    /// Everything that can happen to an organisation.
    OrganisationEvent (id: organisation_id) {
        /// See [`OrganisationRegistered`].
        OrganisationRegistered = 1,
        /// See [`ServicesOffered`].
        ServicesOffered = 1,
        /// See [`OrganisationDeactivated`].
        OrganisationDeactivated = 1,
    }
);
