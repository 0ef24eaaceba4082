//! The commands a person accepts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{IncidentId, NeighbourhoodId, PersonId};
use crate::personal::Personal;
use crate::role::{Role, RoleScope};
use crate::values::{
    ApproxLocation, Availability, Channel, ConsentBasis, DigitalAccess, Distance, Language,
    SkillCode,
};

/// What someone asks of a person aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum PersonCommand {
    /// Register a person (oneself, or someone else as connector, partner, ambassador or admin).
    Register(RegisterPerson),
    /// Change part of the profile (fields left out stay as they are).
    UpdateProfile(UpdateProfile),
    /// Declare skills, availability and reach.
    DeclareSkills(DeclareSkills),
    /// Opt in as helper.
    OptIn(OptInAsHelper),
    /// Opt out as helper.
    OptOut(OptOutAsHelper),
    /// Erase the person (GDPR article 17).
    Erase(ErasePerson),
    /// Grant the person a role with a scope.
    GrantRole(GrantRole),
    /// Revoke a role the person holds.
    RevokeRole(RevokeRole),
    /// Record the person's screening (a connector or admin saw the certificate).
    RecordScreening(RecordScreening),
    /// Withdraw the person's screening.
    WithdrawScreening(WithdrawScreening),
    /// Suspend the person as a helper.
    Suspend(SuspendHelper),
    /// Lift the person's suspension.
    LiftSuspension(LiftSuspension),
    /// Choose whether the people one is matched to may read one's contact detail.
    ChooseContactSharing(ChooseContactSharing),
}

/// Register a person (oneself, or someone else as connector, partner, ambassador or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterPerson {
    /// The new person's id.
    pub person_id: PersonId,
    /// Their name.
    pub name: Personal,
    /// Contact detail.
    pub contact: Option<Personal>,
    /// Address.
    pub address: Option<Personal>,
    /// Neighbourhood.
    pub neighbourhood_id: NeighbourhoodId,
    /// Approximate location.
    pub location: Option<ApproxLocation>,
    /// Languages.
    pub languages: Vec<Language>,
    /// Digital access.
    pub digital_access: DigitalAccess,
    /// The basis their data is recorded on: required when someone registers them (a connector
    /// after a home visit); registering oneself is one's own consent.
    #[serde(default)]
    pub consent: Option<ConsentBasis>,
    /// How the one registering them was in touch (home visit, phone, match point), if someone
    /// else registers them.
    #[serde(default)]
    pub channel: Option<Channel>,
}

/// Change part of the profile (fields left out stay as they are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateProfile {
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
    /// New location.
    pub location: Option<ApproxLocation>,
    /// New languages.
    pub languages: Option<Vec<Language>>,
    /// New digital access.
    pub digital_access: Option<DigitalAccess>,
}

/// Declare skills, availability and reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclareSkills {
    /// The person.
    pub person_id: PersonId,
    /// Skills.
    pub skills: Vec<SkillCode>,
    /// Availability.
    pub availability: Availability,
    /// How far they will go.
    pub max_distance: Distance,
    /// Whether calls may be sent to them.
    pub available_for_calls: bool,
}

/// Opt in as helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptInAsHelper {
    /// The person.
    pub person_id: PersonId,
}

/// Opt out as helper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOutAsHelper {
    /// The person.
    pub person_id: PersonId,
}

/// Erase the person (GDPR article 17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasePerson {
    /// The person.
    pub person_id: PersonId,
}

/// Grant the person a role over a scope (an admin grants every role; a connector only
/// ambassador).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRole {
    /// The person receiving the role.
    pub person_id: PersonId,
    /// The role granted; never resident or helper, which are facts of their own.
    pub role: Role,
    /// What the role holds over; it must fit the role.
    pub scope: RoleScope,
}

/// Revoke a role the person holds: the grant with this scope, or every grant of the role when
/// no scope is named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeRole {
    /// The person losing the role.
    pub person_id: PersonId,
    /// The role revoked.
    pub role: Role,
    /// Only the grant with this scope; every grant of the role when absent.
    pub scope: Option<RoleScope>,
    /// Why, from a fixed list (free text could hold personal data).
    pub reason: Option<super::RevocationReason>,
}

/// Record a screening: a connector or admin saw the certificate of conduct and records its kind
/// and the days it is valid; the certificate itself, and its number, stay out of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordScreening {
    /// The person screened.
    pub person_id: PersonId,
    /// The kind of certificate.
    pub kind: super::ScreeningKind,
    /// The day it was issued (not after the day it is recorded).
    pub issued_on: NaiveDate,
    /// The last day it counts as valid (not before it was issued).
    pub valid_until: NaiveDate,
}

/// Withdraw the person's screening: it no longer counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawScreening {
    /// The person.
    pub person_id: PersonId,
    /// Why, from a fixed list.
    pub reason: super::ScreeningWithdrawal,
}

/// Suspend a person as a helper (a connector or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspendHelper {
    /// The person suspended.
    pub person_id: PersonId,
    /// Why, from a fixed list.
    pub reason: super::SuspensionReason,
    /// The connector's own words (recorded as about the person suspended).
    pub note: Option<Personal>,
    /// The incident or complaint that led to it, which must exist in the caller's tenant.
    pub incident_id: Option<IncidentId>,
}

/// Lift a person's suspension as a helper (a connector or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiftSuspension {
    /// The person.
    pub person_id: PersonId,
}

/// Choose whether the people one is matched to (the requester of a request one helps, the
/// helpers matched to one's own request) may read one's contact detail. A choice only the
/// person makes, for themselves; until they make it, nothing is shared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChooseContactSharing {
    /// The person choosing.
    pub person_id: PersonId,
    /// Whether matched people may read their contact detail.
    pub share_with_matched: bool,
}

impl PersonCommand {
    /// The person the command is about.
    pub fn person_id(&self) -> PersonId {
        match self {
            PersonCommand::Register(RegisterPerson { person_id, .. })
            | PersonCommand::UpdateProfile(UpdateProfile { person_id, .. })
            | PersonCommand::DeclareSkills(DeclareSkills { person_id, .. })
            | PersonCommand::OptIn(OptInAsHelper { person_id })
            | PersonCommand::OptOut(OptOutAsHelper { person_id })
            | PersonCommand::Erase(ErasePerson { person_id })
            | PersonCommand::GrantRole(GrantRole { person_id, .. })
            | PersonCommand::RevokeRole(RevokeRole { person_id, .. })
            | PersonCommand::RecordScreening(RecordScreening { person_id, .. })
            | PersonCommand::WithdrawScreening(WithdrawScreening { person_id, .. })
            | PersonCommand::Suspend(SuspendHelper { person_id, .. })
            | PersonCommand::LiftSuspension(LiftSuspension { person_id })
            | PersonCommand::ChooseContactSharing(ChooseContactSharing { person_id, .. }) => {
                *person_id
            }
        }
    }
}

crate::macros::command_from!(PersonCommand {
    Register(RegisterPerson),
    UpdateProfile(UpdateProfile),
    DeclareSkills(DeclareSkills),
    OptIn(OptInAsHelper),
    OptOut(OptOutAsHelper),
    Erase(ErasePerson),
    GrantRole(GrantRole),
    RevokeRole(RevokeRole),
    RecordScreening(RecordScreening),
    WithdrawScreening(WithdrawScreening),
    Suspend(SuspendHelper),
    LiftSuspension(LiftSuspension),
    ChooseContactSharing(ChooseContactSharing),
});
