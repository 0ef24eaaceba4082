//! What every domain error tells a connector beside its sentence: a stable code and a kind.
//!
//! The sentence may be reworded at any time; the code never changes once shipped, so a client
//! can branch on it, and the kind decides how an API answers without knowing the aggregate.

/// What kind of refusal an error is: decides how an API answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The actor may not give this command, whatever the state (HTTP 403).
    Forbidden,
    /// The aggregate the command is about does not exist (HTTP 404).
    NotFound,
    /// The command would create what already exists (HTTP 409).
    Conflict,
    /// The command breaks a rule of the aggregate in its current state (HTTP 422).
    Rule,
}

/// An error a decider refuses a command with.
pub trait DomainError: std::error::Error {
    /// A stable kebab-case slug naming what went wrong, e.g. `"already-offered"`.
    fn code(&self) -> &'static str;
    /// What kind of refusal this is.
    fn kind(&self) -> ErrorKind;
}

/// Whether `code` is a kebab-case slug: lowercase ASCII words joined by single hyphens.
pub fn is_kebab_case(code: &str) -> bool {
    !code.is_empty()
        && code.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}
