//! The events of a person: registration, profile, skills, helper opt-in/out, the roles granted
//! and revoked, screening and suspension (safeguarding), the choice to share contact details
//! with matched people, and erasure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{IncidentId, NeighbourhoodId, PersonId};
use crate::macros::event_enum;
use crate::personal::Personal;
use crate::role::{Role, RoleScope};
use crate::values::{
    name_enum, ApproxLocation, Availability, ConsentRecord, DigitalAccess, Distance, Language,
    SkillCode,
};

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
    /// The area they live in (the centre of a cell of a few hundred metres, see
    /// [`ApproxLocation::area`]): all that ranking helpers by distance needs, kept in clear.
    /// Version 1 held the location itself (about 100 m); reading it gives its area.
    pub location: Option<ApproxLocation>,
    /// Where they live, approximately (about 100 m), as `lat,lon` sealed with their key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precise_location: Option<Personal>,
    /// Languages they speak.
    pub languages: Vec<Language>,
    /// How they use Noaber.
    pub digital_access: DigitalAccess,
    /// Who registered them (themselves, or a connector).
    pub registered_by: PersonId,
    /// Whether they registered themselves.
    pub self_registered: bool,
    /// The basis their data is recorded on, who took it and how (absent in registrations from
    /// before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentRecord>,
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
    /// The area of the new location (see [`PersonRegistered::location`]).
    pub location: Option<ApproxLocation>,
    /// The new location itself, sealed with their key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precise_location: Option<Personal>,
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

/// A role was granted to a person over a scope. Holds no personal data: who, which role, over
/// what, and who granted it (the tenant and the time are in the event's envelope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGranted {
    /// The person who received the role.
    pub person_id: PersonId,
    /// The role.
    pub role: Role,
    /// What the role holds over.
    pub scope: RoleScope,
    /// Who granted it (an admin, or a connector granting ambassador).
    pub granted_by: PersonId,
}

/// One grant of a role ended: the grant with exactly this role and scope. Revoking a role
/// held over several scopes records one event per scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRevoked {
    /// The person who lost the role.
    pub person_id: PersonId,
    /// The role.
    pub role: Role,
    /// The scope of the grant that ended.
    pub scope: RoleScope,
    /// Who revoked it.
    pub revoked_by: PersonId,
    /// Why, when given.
    pub reason: Option<RevocationReason>,
}

/// Why a role was revoked: a fixed list, because free text in an event could hold personal
/// data that erasure cannot reach, and because fixed reasons can be counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// The person stepped down.
    SteppedDown,
    /// The person left the organisation or the neighbourhood the role was for.
    Left,
    /// The role was granted in error.
    GrantedInError,
    /// The role was withdrawn over the person's conduct.
    Conduct,
}

name_enum!(
    /// The kind of screening a helper holds: a certificate of conduct.
    ScreeningKind, "screening kind" {
        /// A Verklaring Omtrent het Gedrag (the Netherlands).
        Vog = "vog",
        /// An extract of the criminal record, uittreksel uit het strafregister (Flanders).
        CriminalRecordExtract = "criminal_record_extract",
    }
);

name_enum!(
    /// Why a screening was withdrawn: a fixed list, like every reason in a person's events.
    ScreeningWithdrawal, "screening withdrawal reason" {
        /// The screening was recorded for the wrong person or with the wrong dates.
        RecordedInError = "recorded_in_error",
        /// The issuing authority withdrew it, or the tenant no longer accepts it.
        Revoked = "revoked",
    }
);

name_enum!(
    /// Why a helper was suspended: a fixed list (free text could hold personal data that
    /// erasure cannot reach); a connector's own words go in the suspension's personal note.
    SuspensionReason, "suspension reason" {
        /// An incident or complaint about the helper is being looked into.
        IncidentUnderReview = "incident_under_review",
        /// The helper's conduct towards a resident.
        Conduct = "conduct",
        /// The helper's screening was refused, withdrawn or not renewed.
        Screening = "screening",
        /// Another reason (say which in the note).
        Other = "other",
    }
);

/// A helper's screening was recorded: its kind and the days it is valid. Holds no certificate
/// number and no personal data: a connector saw the certificate and records that it exists.
/// The latest screening recorded replaces any earlier one (a renewal, or a correction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningRecorded {
    /// The person screened.
    pub person_id: PersonId,
    /// The kind of certificate.
    pub kind: ScreeningKind,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// The last day it counts as valid (the tenant's policy, e.g. three years after issue).
    pub valid_until: NaiveDate,
    /// The connector or admin who saw it.
    pub recorded_by: PersonId,
}

/// The person's screening no longer counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningWithdrawn {
    /// The person.
    pub person_id: PersonId,
    /// Why.
    pub reason: ScreeningWithdrawal,
    /// The connector or admin who withdrew it.
    pub withdrawn_by: PersonId,
}

/// A person was suspended as a helper: their helper role ends, they cannot offer help or be
/// matched, and they cannot opt in again until a connector lifts the suspension. Their granted
/// roles are not touched (ADR 0028).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelperSuspended {
    /// The person suspended.
    pub person_id: PersonId,
    /// Why, from a fixed list.
    pub reason: SuspensionReason,
    /// The connector's own words (subject: the person suspended), optional.
    pub note: Option<Personal>,
    /// The incident or complaint that led to it, if any.
    pub incident_id: Option<IncidentId>,
    /// The connector or admin who suspended them.
    pub suspended_by: PersonId,
}

/// A helper's suspension was lifted: they may opt in as a helper again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuspensionLifted {
    /// The person.
    pub person_id: PersonId,
    /// The connector or admin who lifted it.
    pub lifted_by: PersonId,
}

/// A person chose whether the people they are matched to may read their contact detail. Holds
/// no personal data: the choice, not the number. Until a person's first choice, nothing is
/// shared; erasure ends sharing with everything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSharingChosen {
    /// The person.
    pub person_id: PersonId,
    /// Whether matched people may read their contact detail from now on.
    pub share_with_matched: bool,
}

event_enum!(
    /// Everything that can happen to a person.
    PersonEvent (id: person_id) {
        /// See [`PersonRegistered`].
        PersonRegistered = 2,
        /// See [`ProfileUpdated`].
        ProfileUpdated = 2,
        /// See [`SkillsDeclared`].
        SkillsDeclared = 1,
        /// See [`HelperOptedIn`].
        HelperOptedIn = 1,
        /// See [`HelperOptedOut`].
        HelperOptedOut = 1,
        /// See [`PersonErased`].
        PersonErased = 1,
        /// See [`RoleGranted`].
        RoleGranted = 1,
        /// See [`RoleRevoked`].
        RoleRevoked = 1,
        /// See [`ScreeningRecorded`].
        ScreeningRecorded = 1,
        /// See [`ScreeningWithdrawn`].
        ScreeningWithdrawn = 1,
        /// See [`HelperSuspended`].
        HelperSuspended = 1,
        /// See [`SuspensionLifted`].
        SuspensionLifted = 1,
        /// See [`ContactSharingChosen`].
        ContactSharingChosen = 1,
    }
);
