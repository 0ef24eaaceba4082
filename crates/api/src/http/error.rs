//! The API's one error type, [`ApiError`], and its RFC 9457 problem documents.
//!
//! Handlers return `Result<_, ApiError>` and use `?` on every lower layer's error: the `From`
//! impls here are the one mapping from the executor's, the store's and the read models' errors
//! to HTTP, and [`ApiError::status`] is the one `match` from variant to status. A domain refusal
//! keeps its rule's stable code, so the problem `type` tells a client which rule said no
//! (`urn:noaber:problem:already-offered`), not only that one did. Server-side failures (5xx)
//! carry their source; [`log_server_errors`] logs it with its whole chain, and the client gets a
//! fixed sentence: internals never reach a client. [`problems`] lists every type
//! (and `docs/problem-types.md` explains them).

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use noaber_domain::{DomainError, ErrorKind};
use noaber_projections::audit::AuditError;
use noaber_projections::directory::DirectoryError;
use noaber_projections::feed::FeedError;
use noaber_projections::RunnerError;
use noaber_store::exec::ExecError;
use noaber_store::privacy::PrivacyError;
use noaber_store::{StoreError, StoreErrorKind};
use serde::Serialize;

use super::problems;

/// The media type of a problem document (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The prefix of every problem type.
pub const PROBLEM_PREFIX: &str = "urn:noaber:problem:";

/// The source of a server-side failure, kept for the log.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in a request, each variant with the status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `bad-input`: the request is malformed (bad JSON, a bad header, an unknown code, an
    /// invalid value in the path or the query).
    #[error("{0}")]
    BadInput(String),
    /// 401 `unauthenticated`: the request does not say who is asking.
    #[error("{0}")]
    Unauthenticated(String),
    /// 401 with its own code: a sign-in was refused (`sign-in-failed`) or a link cannot be
    /// used (`link-not-valid`); never says whether an account exists.
    #[error("{detail}")]
    SignIn {
        /// The problem type's slug.
        code: &'static str,
        /// What happened, for a person.
        detail: String,
    },
    /// 429 `too-many-attempts`: too many failed sign-ins; try again after the pause.
    #[error("too many failed sign-ins; try again in {retry_after_secs} seconds")]
    TooManyAttempts {
        /// Seconds until the next attempt may succeed (also in `Retry-After`).
        retry_after_secs: u64,
    },
    /// 403 `forbidden`: the caller's role may not use this address.
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not-found`: nothing lives at this address, or the thing asked for does not exist
    /// in the caller's tenant.
    #[error("{0}")]
    NotFound(String),
    /// 405 `method-not-allowed`: the address exists but not for this method.
    #[error("this address does not accept the {0} method")]
    MethodNotAllowed(String),
    /// 409: someone else changed the same thing first (`concurrent-change`), or an idempotency
    /// key was reused for another request (`idempotency-key-reused`).
    #[error("{detail}")]
    Conflict {
        /// The problem type's slug.
        code: &'static str,
        /// What happened, for a person.
        detail: String,
    },
    /// 413 `body-too-large`: the body is larger than the API reads ([`super::limits`]).
    #[error("{0}")]
    BodyTooLarge(String),
    /// 415 `unsupported-media-type`: the body is not sent as JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 403, 404, 409 or 422 by the rule's kind: a rule of neighbourhood help refused the
    /// request; the problem type is the rule's code (`already-offered`, `unknown-reference`, ...).
    #[error("{detail}")]
    Refused {
        /// What kind of refusal: decides the status.
        kind: ErrorKind,
        /// The rule's stable code: the problem type's slug.
        code: &'static str,
        /// The rule's sentence, for a person.
        detail: String,
    },
    /// 503 `unavailable`: a service Noaber needs (the event log) cannot be reached, or the read
    /// models did not catch up in time; the source is logged.
    #[error("unavailable")]
    Unavailable(#[source] Source),
    /// 500 `internal`: a fault inside Noaber; the source is logged, never sent.
    #[error("internal error")]
    Internal(#[source] Source),
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Problem {
    /// A URI naming the kind of problem (stable; clients may match on it).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
}

impl ApiError {
    /// A refusal by a rule of this layer (not the domain's): 422 with its own code.
    pub fn rule(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Refused {
            kind: ErrorKind::Rule,
            code,
            detail: detail.into(),
        }
    }

    /// A server-side fault with its source.
    pub fn internal(source: impl Into<Source>) -> Self {
        Self::Internal(source.into())
    }

    /// The HTTP status, the problem type's slug and its title: the one mapping of the API.
    pub fn status(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::BadInput(_) => (
                StatusCode::BAD_REQUEST,
                problems::BAD_INPUT.slug,
                "Bad input",
            ),
            Self::Unauthenticated(_) => (
                StatusCode::UNAUTHORIZED,
                problems::UNAUTHENTICATED.slug,
                "Who is asking is not known",
            ),
            Self::SignIn { code, .. } => (StatusCode::UNAUTHORIZED, code, "Not signed in"),
            Self::TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                problems::TOO_MANY_ATTEMPTS.slug,
                "Too many attempts",
            ),
            Self::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                problems::FORBIDDEN.slug,
                "Not allowed",
            ),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, problems::NOT_FOUND.slug, "Not found"),
            Self::MethodNotAllowed(_) => (
                StatusCode::METHOD_NOT_ALLOWED,
                problems::METHOD_NOT_ALLOWED.slug,
                "Method not allowed",
            ),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code, "Conflict"),
            Self::BodyTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                problems::BODY_TOO_LARGE.slug,
                "Body too large",
            ),
            Self::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                problems::UNSUPPORTED_MEDIA_TYPE.slug,
                "Unsupported media type",
            ),
            Self::Refused { kind, code, .. } => match kind {
                ErrorKind::Forbidden => (StatusCode::FORBIDDEN, code, "Not allowed"),
                ErrorKind::NotFound => (StatusCode::NOT_FOUND, code, "Not found"),
                ErrorKind::Conflict => (StatusCode::CONFLICT, code, "Conflict"),
                ErrorKind::Rule => (StatusCode::UNPROCESSABLE_ENTITY, code, "Not possible"),
            },
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                problems::UNAVAILABLE.slug,
                "Service unavailable",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                problems::INTERNAL.slug,
                "Internal error",
            ),
        }
    }

    /// The problem document a client receives for this error.
    pub fn problem(&self) -> Problem {
        let (status, slug, title) = self.status();
        let detail = match self {
            Self::Unavailable(_) => {
                "Noaber cannot answer just now (the event log is out of reach or busy); try again shortly".to_owned()
            }
            Self::Internal(_) => {
                "something went wrong inside Noaber; it has been logged (quote the x-request-id header when reporting it)"
                    .to_owned()
            }
            other => other.to_string(),
        };
        Problem {
            kind: format!("{PROBLEM_PREFIX}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
        }
    }
}

/// A server-side failure kept in the response's extensions for [`log_server_errors`].
#[derive(Clone, Debug)]
pub struct ServerFault(pub Arc<ApiError>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Self::TooManyAttempts { retry_after_secs } = &self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if status.is_server_error() {
            response
                .extensions_mut()
                .insert(ServerFault(Arc::new(self)));
        }
        response
    }
}

/// Logs every server-side failure with its whole source chain, inside the request's span (so
/// with its request id); the client saw only the fixed sentence of [`ApiError::problem`].
pub async fn log_server_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if let Some(ServerFault(error)) = response.extensions().get::<ServerFault>() {
        tracing::error!(
            status = response.status().as_u16(),
            error = %chain(error.as_ref()),
            "request failed"
        );
    }
    response
}

/// An error and its sources, outermost first, joined by `: `.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err.kind() {
            StoreErrorKind::Conflict { .. } => Self::Conflict {
                code: problems::CONCURRENT_CHANGE.slug,
                detail: err.message().to_owned(),
            },
            StoreErrorKind::EventIdReused => Self::Conflict {
                code: problems::IDEMPOTENCY_KEY_REUSED.slug,
                detail: "this idempotency key was already used for a different request".to_owned(),
            },
            StoreErrorKind::InvalidInput | StoreErrorKind::EmptyBatch => {
                Self::BadInput(err.message().to_owned())
            }
            StoreErrorKind::StreamNotFound => Self::NotFound(err.message().to_owned()),
            StoreErrorKind::Unavailable => Self::Unavailable(Box::new(err)),
            _ => Self::Internal(Box::new(err)),
        }
    }
}

impl<E> From<ExecError<E>> for ApiError
where
    E: DomainError + Send + Sync + 'static,
{
    fn from(err: ExecError<E>) -> Self {
        match err {
            ExecError::Domain(e) => Self::Refused {
                kind: e.kind(),
                code: e.code(),
                detail: e.to_string(),
            },
            e @ ExecError::NotHere { .. } => Self::NotFound(e.to_string()),
            e @ ExecError::UnknownReference { .. } => {
                Self::rule("unknown-reference", e.to_string())
            }
            e @ ExecError::Conflict { .. } => Self::Conflict {
                code: problems::CONCURRENT_CHANGE.slug,
                detail: e.to_string(),
            },
            ExecError::Privacy(PrivacyError::SubjectErased(_)) => Self::rule(
                "person-erased",
                "this person was erased; personal data about them can no longer be recorded",
            ),
            ExecError::Privacy(PrivacyError::Store(e)) | ExecError::Store(e) => e.into(),
            e @ (ExecError::Decode { .. } | ExecError::Privacy(_)) => Self::Internal(Box::new(e)),
        }
    }
}

impl From<RunnerError> for ApiError {
    fn from(err: RunnerError) -> Self {
        match err {
            RunnerError::Store(e) => e.into(),
            e @ (RunnerError::Timeout { .. } | RunnerError::Stopped) => {
                Self::Unavailable(Box::new(e))
            }
            e => Self::Internal(Box::new(e)),
        }
    }
}

impl From<DirectoryError> for ApiError {
    fn from(err: DirectoryError) -> Self {
        match err {
            DirectoryError::UnknownRequest(_) => Self::NotFound(err.to_string()),
            DirectoryError::RequestNotOpen(_) => Self::rule("request-not-open", err.to_string()),
            DirectoryError::UnknownSkill(_) => Self::BadInput(err.to_string()),
        }
    }
}

impl From<FeedError> for ApiError {
    fn from(err: FeedError) -> Self {
        Self::BadInput(err.to_string())
    }
}

impl From<AuditError> for ApiError {
    fn from(err: AuditError) -> Self {
        match err {
            AuditError::NotFound(_) => Self::NotFound(err.to_string()),
            AuditError::Store(e) => e.into(),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(err: serde_json::Error) -> Self {
        Self::Internal(Box::new(err))
    }
}

impl From<PrivacyError> for ApiError {
    fn from(err: PrivacyError) -> Self {
        match err {
            PrivacyError::SubjectErased(_) => Self::rule("person-erased", err.to_string()),
            PrivacyError::Store(e) => e.into(),
            other => Self::Internal(Box::new(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_error_keeps_its_detail_and_status() {
        let cases = [
            (ApiError::BadInput("x".into()), 400),
            (ApiError::Unauthenticated("x".into()), 401),
            (ApiError::Forbidden("x".into()), 403),
            (ApiError::NotFound("x".into()), 404),
            (
                ApiError::Conflict {
                    code: "concurrent-change",
                    detail: "x".into(),
                },
                409,
            ),
            (ApiError::BodyTooLarge("x".into()), 413),
            (ApiError::UnsupportedMediaType("x".into()), 415),
            (ApiError::rule("some-rule", "x"), 422),
        ];
        for (error, status) in cases {
            let problem = error.problem();
            assert_eq!(problem.status, status);
            assert_eq!(problem.detail, "x");
            assert!(problem.kind.starts_with(PROBLEM_PREFIX));
        }
    }

    #[test]
    fn a_refusal_is_typed_by_its_rule_and_answered_by_its_kind() {
        let refused = |kind| ApiError::Refused {
            kind,
            code: "already-offered",
            detail: "x".into(),
        };
        let problem = refused(ErrorKind::Rule).problem();
        assert_eq!(problem.kind, "urn:noaber:problem:already-offered");
        assert_eq!(problem.status, 422);
        assert_eq!(refused(ErrorKind::Forbidden).problem().status, 403);
        assert_eq!(refused(ErrorKind::NotFound).problem().status, 404);
        assert_eq!(refused(ErrorKind::Conflict).problem().status, 409);
    }

    #[test]
    fn internal_details_are_never_sent_to_the_client() {
        let problem = ApiError::internal("pool exhausted at db.internal:5432").problem();
        assert_eq!(problem.status, 500);
        assert!(!problem.detail.contains("db.internal"));
        let problem = ApiError::Unavailable("password authentication failed".into()).problem();
        assert_eq!(problem.status, 503);
        assert!(!problem.detail.contains("password"));
    }

    #[test]
    fn a_store_conflict_becomes_a_409_and_a_lost_database_a_503() {
        let conflict =
            StoreError::conflict("request-1", noaber_store::ExpectedVersion::Exact(1), 2);
        let problem = ApiError::from(conflict).problem();
        assert_eq!(problem.status, 409);
        assert_eq!(problem.kind, "urn:noaber:problem:concurrent-change");
        let lost = StoreError::new(StoreErrorKind::Unavailable, "gone");
        assert_eq!(ApiError::from(lost).problem().status, 503);
        let corrupt = StoreError::new(StoreErrorKind::Corrupt, "bad bytes");
        assert_eq!(ApiError::from(corrupt).problem().status, 500);
    }

    #[test]
    fn the_log_line_carries_the_whole_source_chain() {
        let store = StoreError::new(StoreErrorKind::Corrupt, "row 7 is not JSON");
        let error = ApiError::from(store);
        let text = chain(&error);
        assert!(text.starts_with("internal error: "), "{text}");
        assert!(text.contains("row 7 is not JSON"), "{text}");
    }
}
