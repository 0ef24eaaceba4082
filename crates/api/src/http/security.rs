//! The security basics every response carries: browser security headers, HSTS when Noaber is
//! served over https, and a CORS allow-list of the client apps' origins.
//!
//! The headers are set by `tower-http`'s `SetResponseHeaderLayer` around the whole router, so
//! problem documents and the 404/405 fallbacks carry them like any other answer; CORS is
//! `tower-http`'s `CorsLayer` fed with origins validated at start-up ([`Origin::parse`]).
//! ADR 0026 says what each header prevents.

use std::fmt;
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use super::REQUEST_ID_HEADER;

/// The content security policy: only Noaber's own scripts, styles and images (no inline
/// script or style), no plugins, no `<base>` rewriting, forms post only to Noaber, and no page
/// may frame Noaber's.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// HSTS, sent only when the public address is https: browsers then refuse plain http to this
/// host (and its subdomains) for a year.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// The browser features Noaber never uses, disabled for every page and frame.
pub const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=()";

/// How long a browser may cache a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The request headers a client app may send cross-origin.
const ALLOWED_HEADERS: [&str; 8] = [
    "content-type",
    "idempotency-key",
    "authorization",
    "x-csrf-token",
    REQUEST_ID_HEADER,
    // The development identity headers, for as long as they exist (ADR 0008).
    "x-noaber-tenant",
    "x-noaber-actor",
    "x-noaber-role",
];

/// How the HTTP layer is exposed: the address people reach it at and the client apps allowed to
/// call it from a browser. The default means no HSTS and same-origin calls only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpConfig {
    /// The address people reach Noaber at (behind a proxy, say); `https://…` turns HSTS on.
    pub public_url: Option<PublicUrl>,
    /// The origins of client apps that may call the API from a browser; empty: none.
    pub cors_origins: Vec<Origin>,
    /// Proxies whose `X-Forwarded-For` is believed: the client address (for sign-in rate
    /// limits) is then the last address the proxies added; otherwise the peer's own.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Accept the development identity headers (`x-noaber-tenant`, `-actor`, `-role`) as proof
    /// of identity. Only for tests; `noaber serve --insecure-dev-auth` refuses to start with it
    /// unless bound to loopback.
    pub insecure_dev_headers: bool,
    /// How long a connection may take to send a request's headers before it is closed;
    /// `None`: [`HEADER_READ_TIMEOUT`](super::server::HEADER_READ_TIMEOUT).
    pub header_read_timeout: Option<Duration>,
    /// How many events the read models may be behind the log before `/readyz` says not ready;
    /// `None`: [`READY_MAX_LAG`](super::health::READY_MAX_LAG).
    pub ready_max_lag: Option<u64>,
}

impl HttpConfig {
    /// Whether responses carry `Strict-Transport-Security`.
    pub fn hsts(&self) -> bool {
        self.public_url.as_ref().is_some_and(PublicUrl::is_https)
    }

    /// The configuration of the in-process tests: the development identity headers accepted.
    pub fn insecure_dev() -> Self {
        Self {
            insecure_dev_headers: true,
            ..Self::default()
        }
    }

    /// Whether cookies must be `Secure` (the public address is https).
    pub fn secure_cookies(&self) -> bool {
        self.hsts()
    }

    /// The base of links handed out (sign-in, invitation), when a public address is known.
    pub fn public_base(&self) -> Option<String> {
        self.public_url.as_ref().map(ToString::to_string)
    }
}

/// Why a configured origin or public address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not {what}: {reason}")]
pub struct ConfigError {
    /// What was given.
    pub value: String,
    /// What it should have been (`a CORS origin`, `a public URL`).
    pub what: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

/// A browser origin, `scheme://host[:port]`, in the form browsers send in the `Origin` header
/// (lowercase, default port left out), so that comparing it with that header is exact.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin(String);

impl Origin {
    /// Parses `http(s)://host[:port]`; refuses `*`, paths, user names, queries and anything
    /// that is not a plain host name, IPv4 or bracketed IPv6 address.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let refuse = |reason: &str| ConfigError {
            value: text.to_owned(),
            what: "a CORS origin (scheme://host[:port])",
            reason: reason.to_owned(),
        };
        let trimmed = text.trim();
        if trimmed == "*" {
            return Err(refuse(
                "the wildcard is refused: name each client app's origin, since calls will carry credentials",
            ));
        }
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| refuse("it has no scheme; write it as https://host[:port]"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return Err(refuse("the scheme must be http or https")),
        };
        if rest.is_empty() {
            return Err(refuse("the host is missing"));
        }
        if let Some(c) = rest.chars().find(|c| matches!(c, '/' | '?' | '#' | '@')) {
            return Err(refuse(&format!(
                "an origin has no path, query, fragment or user name (found {c:?})"
            )));
        }
        let (host, port) = split_host_port(rest).map_err(refuse)?;
        let host = host.to_ascii_lowercase();
        let origin = match port {
            Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
            _ => format!("{scheme}://{host}"),
        };
        Ok(Self(origin))
    }

    /// The origin as text, as a browser sends it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the scheme is https.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Origin {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Splits `host[:port]`, checking the host's characters and the port's range.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), &'static str> {
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let end = inner
            .find(']')
            .ok_or("an IPv6 address must be closed with ]")?;
        let (address, after) = (&inner[..end], &inner[end + 1..]);
        if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err("the IPv6 address is malformed");
        }
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or("junk after the IPv6 address")?,
            ),
        };
        (&authority[..end + 2], port)
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if !host.starts_with('[') {
        let label_ok = |label: &str| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if host.is_empty() {
            return Err("the host is missing");
        }
        if !host.split('.').all(label_ok) {
            return Err("the host may hold only letters, digits, dots and hyphens");
        }
    }
    let port = match port {
        None => None,
        Some(port) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            match port.parse::<u16>() {
                Ok(port) if port != 0 => Some(port),
                _ => return Err("the port must be a number from 1 to 65535"),
            }
        }
        Some(_) => return Err("the port must be a number from 1 to 65535"),
    };
    Ok((host, port))
}

/// The address people reach Noaber at: an origin and an optional path (`https://host/noaber`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl {
    origin: Origin,
    path: String,
}

impl PublicUrl {
    /// Parses `http(s)://host[:port][/path]`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let trimmed = text.trim();
        let after_scheme = trimmed.find("://").map_or(0, |i| i + 3);
        let path_start = trimmed[after_scheme..]
            .find('/')
            .map_or(trimmed.len(), |i| after_scheme + i);
        let (origin, path) = trimmed.split_at(path_start);
        let origin = Origin::parse(origin).map_err(|e| ConfigError {
            value: text.to_owned(),
            what: "a public URL (http(s)://host[:port][/path])",
            reason: e.reason,
        })?;
        Ok(Self {
            origin,
            path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// Whether people reach Noaber over https.
    pub fn is_https(&self) -> bool {
        self.origin.is_https()
    }

    /// The origin part.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.path)
    }
}

impl std::str::FromStr for PublicUrl {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The security headers every response carries under `config`.
pub fn headers(config: &HttpConfig) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        ),
    ];
    if config.hsts() {
        headers.push((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        ));
    }
    headers
}

/// Wraps `router` in the security headers: set on every response that does not set its own
/// (a handler that needs a different policy for one answer may), outermost so that the
/// fallbacks, the problem documents and CORS preflights carry them too.
pub fn with_headers<S>(router: Router<S>, config: &HttpConfig) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    headers(config)
        .into_iter()
        .fold(router, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::if_not_present(name, value))
        })
}

/// The CORS layer for `config`'s allow-list, or `None` when the list is empty (same-origin
/// only: no CORS headers at all, and `OPTIONS` stays a 405).
pub fn cors(config: &HttpConfig) -> Option<CorsLayer> {
    if config.cors_origins.is_empty() {
        return None;
    }
    let origins = config
        .cors_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin.as_str()).ok());
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
            .expose_headers([HeaderName::from_static(REQUEST_ID_HEADER)])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_kept_in_the_form_browsers_send() {
        let parse = |s| Origin::parse(s).expect("a valid origin").to_string();
        assert_eq!(parse("https://app.example.org"), "https://app.example.org");
        assert_eq!(parse("HTTPS://App.Example.org"), "https://app.example.org");
        assert_eq!(
            parse("https://app.example.org:443"),
            "https://app.example.org"
        );
        assert_eq!(parse("http://localhost:5173"), "http://localhost:5173");
        assert_eq!(parse("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(parse("http://[::1]:3000"), "http://[::1]:3000");
    }

    #[test]
    fn a_malformed_origin_is_refused_with_a_clear_reason() {
        for (bad, reason) in [
            ("*", "wildcard"),
            ("app.example.org", "no scheme"),
            ("ftp://app.example.org", "http or https"),
            ("https://", "host is missing"),
            ("https://app.example.org/", "no path"),
            ("https://app.example.org/path", "no path"),
            ("https://user@app.example.org", "user name"),
            ("https://app.example.org:0", "port"),
            ("https://app.example.org:99999", "port"),
            ("https://app.example.org:+80", "port"),
            ("https://app example.org", "letters, digits"),
            ("https://app.example..org", "letters, digits"),
            ("https://[::1", "closed"),
        ] {
            let error = Origin::parse(bad).expect_err(bad);
            let text = error.to_string();
            assert!(text.contains(reason), "{bad}: {text}");
            assert!(text.contains("CORS origin"), "{bad}: {text}");
        }
    }

    #[test]
    fn a_public_url_may_have_a_path_and_turns_on_hsts_only_over_https() {
        let url = PublicUrl::parse("https://noaber.example.org/buurt/").expect("valid");
        assert_eq!(url.to_string(), "https://noaber.example.org/buurt");
        assert!(url.is_https());
        let plain = PublicUrl::parse("http://localhost:8080").expect("valid");
        assert!(!plain.is_https());
        let config = |public_url| HttpConfig {
            public_url,
            ..HttpConfig::default()
        };
        assert!(config(Some(url)).hsts());
        assert!(!config(Some(plain)).hsts());
        assert!(!config(None).hsts());
        let error = PublicUrl::parse("noaber.example.org").expect_err("no scheme");
        assert!(error.to_string().contains("public URL"), "{error}");
    }

    #[test]
    fn the_policy_allows_no_inline_script_and_no_framing() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(HeaderValue::from_str(CONTENT_SECURITY_POLICY).is_ok());
    }

    #[test]
    fn no_cors_layer_is_built_for_an_empty_allow_list() {
        assert!(cors(&HttpConfig::default()).is_none());
    }
}
