//! What every read under `/v1` does alike: wait for the caller's own writes (`?after=`), and
//! answer with an `ETag` that a later `If-None-Match` turns into a `304 Not Modified`.
//!
//! Every command answers with a `position` token (see [`commands::Written`]); a read given that
//! token as `?after=` first waits until the read models have applied it, so a client reads its
//! own writes without guessing how long to wait. The parameter is taken off the query before
//! the read sees it, so every signed-in read accepts it and none has to declare it. It is looked
//! at only after authentication ([`after`], a route layer of the protected routes); the tags are
//! given to every read ([`etags`]).
//!
//! [`commands::Written`]: super::commands::Written

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use noaber_store::Checkpoint;
use sha2::{Digest, Sha256};

use super::{ApiError, AppState};

/// The query parameter carrying a write's position token.
pub const AFTER: &str = "after";

/// How long a read waits for the read models to apply a position before answering 503.
pub const AFTER_WAIT: Duration = Duration::from_secs(2);

/// The largest response whose `ETag` is computed; larger ones (exports) go without one.
const MAX_TAGGED_BYTES: usize = 4 * 1024 * 1024;

fn is_read(req: &Request) -> bool {
    req.method() == Method::GET || req.method() == Method::HEAD
}

/// Waits for `?after=` on a signed-in read: a route layer of the protected routes, inside
/// authentication, so that nobody unknown can make the server wait.
pub async fn after(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_read(&req) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    match take_after(&parts.uri) {
        Ok(None) => {}
        Ok(Some((checkpoint, uri))) => {
            parts.uri = uri;
            if let Err(e) = state.projections.wait_for(checkpoint, AFTER_WAIT).await {
                return ApiError::from(e).into_response();
            }
        }
        Err(e) => return e.into_response(),
    }
    next.run(Request::from_parts(parts, body)).await
}

/// Tags every successful JSON read under `/v1` with an `ETag` and answers `If-None-Match`.
pub async fn etags(req: Request, next: Next) -> Response {
    if !is_read(&req) || !req.uri().path().starts_with("/v1/") {
        return next.run(req).await;
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(req).await;
    tag(response, if_none_match.as_ref()).await
}

/// The position token of `?after=` and the address without it; `None` when it is absent.
fn take_after(uri: &Uri) -> Result<Option<(Checkpoint, Uri)>, ApiError> {
    let Some(query) = uri.query() else {
        return Ok(None);
    };
    let mut after = None;
    let mut rest = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((AFTER, value)) => {
                if after.is_some() {
                    return Err(ApiError::BadInput(
                        "after is given more than once: give the position token of your last write once"
                            .into(),
                    ));
                }
                after = Some(value.parse::<Checkpoint>().map_err(|_| {
                    ApiError::BadInput(format!(
                        "after={value:?} is not a position token: give the `position` a write answered with, such as 0:42"
                    ))
                })?);
            }
            _ if pair == AFTER => {
                return Err(ApiError::BadInput(
                    "after needs a value: the `position` a write answered with".into(),
                ))
            }
            _ => rest.push(pair),
        }
    }
    let Some(after) = after else {
        return Ok(None);
    };
    let path = uri.path();
    let rebuilt = if rest.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", rest.join("&"))
    };
    let uri = rebuilt.parse::<Uri>().map_err(ApiError::internal)?;
    Ok(Some((after, uri)))
}

/// Gives a successful JSON answer a strong `ETag` (a digest of its body) and answers `304`
/// when the client already holds it.
async fn tag(response: Response, if_none_match: Option<&HeaderValue>) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if response.status() != StatusCode::OK || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_TAGGED_BYTES).await {
        Ok(bytes) => bytes,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let etag = etag_of(&bytes);
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        // Answers depend on who asks: browsers may keep them, but must ask again each time
        // (and hear 304 when nothing changed); shared caches must not keep them.
        parts.headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    let value = HeaderValue::from_str(&etag).expect("an ETag is visible ASCII");
    parts.headers.insert(header::ETAG, value);
    if if_none_match.is_some_and(|given| matches(given, &etag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A strong entity tag for a body: the first 128 bits of its SHA-256, in hex, quoted.
pub fn etag_of(body: &Bytes) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex_of(&digest[..16]))
}

fn hex_of(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(32), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Whether an `If-None-Match` value names `etag`: `*`, or a list of tags of which one is it
/// (compared weakly, as RFC 9110 asks for `If-None-Match`).
fn matches(given: &HeaderValue, etag: &str) -> bool {
    let Ok(given) = given.to_str() else {
        return false;
    };
    given
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_position_token_is_taken_off_the_query_and_the_rest_kept() {
        let uri: Uri = "/v1/queue?limit=5&after=0:42&cursor=abc"
            .parse()
            .expect("an address");
        let (at, rest) = take_after(&uri).expect("valid").expect("given");
        assert_eq!(
            at,
            Checkpoint {
                tx: 0,
                position: 42
            }
        );
        assert_eq!(rest, "/v1/queue?limit=5&cursor=abc");
        let (_, rest) = take_after(&"/v1/me?after=7:9".parse().expect("an address"))
            .expect("valid")
            .expect("given");
        assert_eq!(rest, "/v1/me");
        assert!(take_after(&"/v1/me?limit=5".parse().expect("an address"))
            .expect("valid")
            .is_none());
        for bad in [
            "/v1/me?after=x",
            "/v1/me?after",
            "/v1/me?after=1:1&after=1:2",
            "/v1/me?after=-",
        ] {
            assert!(
                matches!(
                    take_after(&bad.parse().expect("an address")),
                    Err(ApiError::BadInput(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn if_none_match_names_a_tag_by_list_star_or_weak_form() {
        let tag = etag_of(&Bytes::from_static(b"{}"));
        let check = |v: &str| matches(&HeaderValue::from_str(v).expect("a header"), &tag);
        assert!(check(&tag));
        assert!(check(&format!("\"other\", {tag}")));
        assert!(check(&format!("W/{tag}")));
        assert!(check("*"));
        assert!(!check("\"other\""));
        assert_ne!(tag, etag_of(&Bytes::from_static(b"[]")));
    }
}
