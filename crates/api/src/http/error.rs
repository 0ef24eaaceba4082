//! The API's one error type, [`ApiError`], and its RFC 9457 problem documents.
//!
//! Every failure a handler or extractor can meet becomes an `ApiError`, and one `match` in
//! [`ApiError::status`] decides its HTTP status, so that the mapping can be read in one place.
//! Server-side failures (5xx) are logged with their detail and answered with a generic sentence:
//! internals never reach a client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use noaber_store::{StoreError, StoreErrorKind};
use serde::Serialize;

/// The media type of a problem document (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Everything that can go wrong in a request, each variant with the status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed (bad JSON, a bad header, an invalid value).
    #[error("{0}")]
    BadInput(String),
    /// 401: the request does not say who is asking.
    #[error("{0}")]
    Unauthenticated(String),
    /// 403: the caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404: nothing lives at this address, or the thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 405: the address exists but not for this method.
    #[error("this address does not accept the {0} method")]
    MethodNotAllowed(String),
    /// 409: someone else changed the same thing first, or a key was reused for something else.
    #[error("{0}")]
    Conflict(String),
    /// 415: the body is not sent as JSON.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: the request is well-formed but breaks a rule of neighbourhood help.
    #[error("{0}")]
    RuleViolation(String),
    /// 503: a service Noaber needs (the event log) cannot be reached; the detail is logged.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a fault inside Noaber; the detail is logged, never sent.
    #[error("internal: {0}")]
    Internal(String),
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
    /// The HTTP status, the problem type's slug and its title: the one mapping of the API.
    pub fn status(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::BadInput(_) => (StatusCode::BAD_REQUEST, "bad-input", "Bad input"),
            Self::Unauthenticated(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Who is asking is not known",
            ),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            Self::MethodNotAllowed(_) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            Self::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            Self::RuleViolation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "rule-violation",
                "Not possible",
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }

    /// The problem document a client receives for this error.
    pub fn problem(&self) -> Problem {
        let (status, slug, title) = self.status();
        let detail = match self {
            Self::Unavailable(_) => {
                "the event log cannot be reached just now; try again shortly".to_owned()
            }
            Self::Internal(_) => {
                "something went wrong inside Noaber; it has been logged (quote the x-request-id header when reporting it)"
                    .to_owned()
            }
            other => other.to_string(),
        };
        Problem {
            kind: format!("urn:noaber:problem:{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        if problem.status >= 500 {
            // Runs inside the request's span, so the log line carries the request id.
            tracing::error!(status = problem.status, error = %self, "request failed");
        }
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err.kind() {
            StoreErrorKind::Conflict { .. } => Self::Conflict(err.message().to_owned()),
            StoreErrorKind::EventIdReused => Self::Conflict(
                "this idempotency key was already used for a different request".to_owned(),
            ),
            StoreErrorKind::InvalidInput | StoreErrorKind::EmptyBatch => {
                Self::BadInput(err.message().to_owned())
            }
            StoreErrorKind::StreamNotFound => Self::NotFound(err.message().to_owned()),
            StoreErrorKind::Unavailable => Self::Unavailable(err.message().to_owned()),
            _ => Self::Internal(format!("{err:?}")),
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
            (ApiError::Conflict("x".into()), 409),
            (ApiError::UnsupportedMediaType("x".into()), 415),
            (ApiError::RuleViolation("x".into()), 422),
        ];
        for (error, status) in cases {
            let problem = error.problem();
            assert_eq!(problem.status, status);
            assert_eq!(problem.detail, "x");
            assert!(problem.kind.starts_with("urn:noaber:problem:"));
        }
    }

    #[test]
    fn internal_details_are_never_sent_to_the_client() {
        let problem = ApiError::Internal("pool exhausted at db.internal:5432".into()).problem();
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
        assert_eq!(ApiError::from(conflict).problem().status, 409);
        let lost = StoreError::new(StoreErrorKind::Unavailable, "gone");
        assert_eq!(ApiError::from(lost).problem().status, 503);
        let corrupt = StoreError::new(StoreErrorKind::Corrupt, "bad bytes");
        assert_eq!(ApiError::from(corrupt).problem().status, 500);
    }
}
