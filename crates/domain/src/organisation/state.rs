//! The state of an organisation.

use crate::ids::OrganisationId;
use crate::values::name_enum;

name_enum!(
    /// Whether an organisation can take referrals. The application layer looks this up and puts
    /// it in a referral command, since a request's decider cannot read another aggregate.
    OrganisationStatus, "organisation status" {
        /// No such organisation in this tenant.
        Unknown = "unknown",
        /// Registered and taking referrals.
        Active = "active",
        /// Registered but no longer taking referrals.
        Inactive = "inactive",
    }
);

// The enum comes from `name_enum!`, which derives no `Default`.
#[allow(clippy::derivable_impls)]
impl Default for OrganisationStatus {
    fn default() -> Self {
        OrganisationStatus::Unknown
    }
}

/// The state of one organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationState {
    /// Status (unknown until registered).
    pub status: OrganisationStatus,
    /// Its id, once registered.
    pub organisation_id: Option<OrganisationId>,
}
