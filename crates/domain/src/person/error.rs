//! Why a person refused a command.

use chrono::NaiveDate;

use crate::access::Refusal;
use crate::error::{DomainError, ErrorKind};
use crate::role::{Role, ScopeKind};

/// Why a command on a person was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    /// The actor may not give this command at all.
    #[error(transparent)]
    Access(#[from] Refusal),
    /// The person is already registered.
    #[error("this person is already registered")]
    AlreadyRegistered,
    /// The person is not registered.
    #[error("this person is not registered")]
    NotRegistered,
    /// The person was erased.
    #[error("this person was erased; nothing more can be recorded about them")]
    Erased,
    /// The name is empty.
    #[error("please give a name")]
    EmptyName,
    /// Someone registering a resident must say on which basis their data is recorded.
    #[error("registering someone else must say on which basis their data is recorded (consent: explicit_consent or care_provision)")]
    ConsentBasisRequired,
    /// Personal data about someone else.
    #[error("personal data in a profile must be about that person")]
    WrongSubject,
    /// Nothing changes.
    #[error("this update changes nothing")]
    NothingToUpdate,
    /// No skills declared.
    #[error("please choose at least one skill")]
    NoSkills,
    /// Already a helper.
    #[error("this person is already a helper")]
    AlreadyHelper,
    /// Not a helper.
    #[error("this person is not a helper")]
    NotHelper,
    /// Resident and helper are facts of their own (registration, opt-in), never granted.
    #[error("the {0} role is not granted or revoked: a resident is anyone registered, a helper someone who opted in")]
    RoleNotGrantable(Role),
    /// The scope does not fit the role.
    #[error("a {role} is granted for {needs}")]
    ScopeDoesNotFit {
        /// The role.
        role: Role,
        /// The kind of scope it needs.
        needs: ScopeKind,
    },
    /// The person already holds this role with this scope.
    #[error("this person already holds the {0} role with this scope")]
    RoleAlreadyGranted(Role),
    /// The person does not hold the role (with the scope named), so it cannot be revoked.
    #[error("this person does not hold the {0} role with that scope; there is nothing to revoke")]
    RoleNotGranted(Role),
    /// A suspended person cannot opt in as a helper.
    #[error("this person is suspended as a helper; a connector must lift the suspension first")]
    HelperSuspended,
    /// The person is already suspended.
    #[error("this person is already suspended as a helper")]
    AlreadySuspended,
    /// The person is not suspended, so there is nothing to lift.
    #[error("this person is not suspended as a helper")]
    NotSuspended,
    /// A screening issued after the day it is recorded.
    #[error("a screening cannot be issued after the day it is recorded ({0})")]
    ScreeningIssuedInFuture(NaiveDate),
    /// A screening that ends before it was issued.
    #[error("a screening cannot be valid until a day before it was issued")]
    ScreeningEndsBeforeIssued,
    /// The same screening is already the one that counts.
    #[error("this screening is already recorded")]
    ScreeningAlreadyRecorded,
    /// There is no screening to withdraw.
    #[error("this person holds no screening")]
    NoScreening,
}

impl DomainError for PersonError {
    fn code(&self) -> &'static str {
        match self {
            Self::Access(refusal) => refusal.code(),
            Self::AlreadyRegistered => "person-already-registered",
            Self::NotRegistered => "person-not-registered",
            Self::Erased => "person-erased",
            Self::EmptyName => "empty-name",
            Self::ConsentBasisRequired => "consent-basis-required",
            Self::WrongSubject => "profile-about-someone-else",
            Self::NothingToUpdate => "nothing-to-update",
            Self::NoSkills => "no-skills",
            Self::AlreadyHelper => "already-helper",
            Self::NotHelper => "not-helper",
            Self::RoleNotGrantable(_) => "role-not-grantable",
            Self::ScopeDoesNotFit { .. } => "scope-does-not-fit-role",
            Self::RoleAlreadyGranted(_) => "role-already-granted",
            Self::RoleNotGranted(_) => "role-not-granted",
            Self::HelperSuspended => "helper-suspended",
            Self::AlreadySuspended => "already-suspended",
            Self::NotSuspended => "not-suspended",
            Self::ScreeningIssuedInFuture(_) => "screening-issued-in-future",
            Self::ScreeningEndsBeforeIssued => "screening-ends-before-issued",
            Self::ScreeningAlreadyRecorded => "screening-already-recorded",
            Self::NoScreening => "no-screening",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::Access(refusal) => refusal.kind(),
            Self::NotRegistered => ErrorKind::NotFound,
            Self::AlreadyRegistered | Self::RoleAlreadyGranted(_) => ErrorKind::Conflict,
            // An erased person still has a stream; what is refused is recording more about them.
            _ => ErrorKind::Rule,
        }
    }
}
