//! A tenant's OpenID provider settings, as they stand in its configuration, and the client
//! secret they point at.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use noaber_domain::Role;
use openidconnect::url::{Host, Url};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::OidcError;

/// How Noaber signs a tenant's people in with their OpenID provider.
///
/// In TOML:
///
/// ```toml
/// issuer = "https://login.example.org/realms/buurt"
/// client_id = "noaber"
/// client_secret = { file = "/run/secrets/noaber-oidc" }   # or { env = "NOABER_OIDC_SECRET" }
/// redirect_url = "https://noaber.example.org/auth/oidc/callback"
/// role_claim = "groups"
/// default_role = "resident"
///
/// [role_map]
/// "noaber-connectors" = "connector"
/// "noaber-admins" = "admin"
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The provider's issuer URL, exactly as its discovery document spells it (a trailing
    /// slash matters). `https`, or `http` to this machine only (tests, development).
    #[serde(deserialize_with = "absolute_url")]
    pub issuer: String,
    /// The client id Noaber is registered under at the provider.
    pub client_id: String,
    /// Where the client secret is read from when the client is built.
    pub client_secret: SecretSource,
    /// Noaber's callback URL, registered at the provider as a redirect URI.
    #[serde(deserialize_with = "absolute_url")]
    pub redirect_url: String,
    /// The scopes asked for; `openid` is always asked for.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The ID token claim that carries the person's groups or roles (`groups`, `roles`, …);
    /// its value is a string or an array of strings.
    pub role_claim: String,
    /// Which Noaber role each value of the role claim gives, compared exactly (case matters).
    /// The role names are those of [`Role`]: `connector`, `admin`, `partner`, ….
    #[serde(default, deserialize_with = "role_map")]
    pub role_map: BTreeMap<String, Role>,
    /// The role of a person whose role claim maps to nothing; without it such a sign-in is
    /// refused ([`OidcError::NoRole`]).
    #[serde(default, deserialize_with = "optional_role")]
    pub default_role: Option<Role>,
}

/// The scopes asked for when the configuration names none: `openid email profile`.
pub fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"].map(String::from).to_vec()
}

/// Where a secret is kept: `{ file = "/path" }` or `{ env = "VARIABLE" }`. Only the place is
/// configuration; the secret itself is read by [`SecretSource::read`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretSource {
    /// A file holding the secret (surrounding whitespace, such as a final newline, is ignored).
    File(PathBuf),
    /// An environment variable holding the secret.
    Env(String),
}

impl SecretSource {
    /// Reads the secret now.
    ///
    /// # Errors
    /// [`OidcError::Secret`] when the file cannot be read, the variable is unset or not UTF-8,
    /// or the secret is empty.
    pub fn read(&self) -> Result<Secret, OidcError> {
        let raw = match self {
            SecretSource::File(path) => {
                std::fs::read_to_string(path).map_err(|err| OidcError::Secret {
                    reason: format!("the file {} cannot be read: {err}", path.display()),
                })?
            }
            SecretSource::Env(name) => std::env::var(name).map_err(|err| OidcError::Secret {
                reason: format!("the environment variable {name}: {err}"),
            })?,
        };
        let value = raw.trim();
        if value.is_empty() {
            return Err(OidcError::Secret {
                reason: format!("{self} is empty"),
            });
        }
        Ok(Secret(value.to_owned()))
    }
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::File(path) => write!(f, "the file {}", path.display()),
            SecretSource::Env(name) => write!(f, "the environment variable {name}"),
        }
    }
}

/// A secret read from its [`SecretSource`]. It has no `Display`, and its `Debug` prints
/// `Secret(***)`, so it cannot end up in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Checks that `url` is an absolute `https` URL, or `http` to this machine.
pub(crate) fn check_url(what: &str, url: &str) -> Result<(), String> {
    let parsed = Url::parse(url).map_err(|err| format!("{what} {url:?}: {err}"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err(format!(
            "{what} {url:?} uses plain http to another machine; use https"
        )),
        other => Err(format!("{what} {url:?} has the scheme {other}; use https")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn absolute_url<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let url = String::deserialize(deserializer)?;
    check_url("the URL", &url).map_err(serde::de::Error::custom)?;
    Ok(url)
}

/// Role names are read with [`Role`]'s `FromStr`, which forgives case and surrounding spaces
/// and names every role in its error.
fn parse_role<E: serde::de::Error>(name: &str) -> Result<Role, E> {
    name.parse().map_err(E::custom)
}

fn role_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Role>, D::Error> {
    BTreeMap::<String, String>::deserialize(deserializer)?
        .into_iter()
        .map(|(value, role)| Ok((value, parse_role(&role)?)))
        .collect()
}

fn optional_role<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Role>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|role| parse_role(&role))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
        issuer = "https://login.example.org/realms/buurt"
        client_id = "noaber"
        client_secret = { file = "/run/secrets/noaber-oidc" }
        redirect_url = "https://noaber.example.org/auth/oidc/callback"
        role_claim = "groups"
        default_role = "resident"

        [role_map]
        "noaber-connectors" = "connector"
        "Noaber Admins" = "Admin"
    "#;

    fn parse(text: &str) -> Result<ProviderConfig, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn a_tenant_configuration_in_toml_reads_into_a_provider_config() {
        let config = parse(TOML).expect("the example parses");

        assert_eq!(config.issuer, "https://login.example.org/realms/buurt");
        assert_eq!(config.client_id, "noaber");
        assert_eq!(
            config.client_secret,
            SecretSource::File("/run/secrets/noaber-oidc".into())
        );
        assert_eq!(config.role_claim, "groups");
        assert_eq!(config.role_map["noaber-connectors"], Role::Connector);
        assert_eq!(config.role_map["Noaber Admins"], Role::Admin);
        assert_eq!(config.default_role, Some(Role::Resident));
    }

    #[test]
    fn scopes_default_to_openid_email_and_profile() {
        let config = parse(TOML).expect("the example parses");

        assert_eq!(config.scopes, ["openid", "email", "profile"]);
    }

    #[test]
    fn a_secret_can_come_from_an_environment_variable() {
        let text = TOML.replace(
            r#"{ file = "/run/secrets/noaber-oidc" }"#,
            r#"{ env = "NOABER_OIDC_SECRET" }"#,
        );

        let config = parse(&text).expect("parses");

        assert_eq!(
            config.client_secret,
            SecretSource::Env("NOABER_OIDC_SECRET".into())
        );
    }

    #[test]
    fn the_same_configuration_reads_from_json() {
        let json = serde_json::json!({
            "issuer": "https://login.example.org",
            "client_id": "noaber",
            "client_secret": { "env": "NOABER_OIDC_SECRET" },
            "redirect_url": "https://noaber.example.org/auth/oidc/callback",
            "scopes": ["openid", "groups"],
            "role_claim": "roles",
            "role_map": { "helpdesk": "partner" }
        });

        let config: ProviderConfig = serde_json::from_value(json).expect("parses");

        assert_eq!(config.scopes, ["openid", "groups"]);
        assert_eq!(config.role_map["helpdesk"], Role::Partner);
        assert_eq!(config.default_role, None);
    }

    #[test]
    fn a_role_map_naming_an_unknown_role_is_refused_with_the_known_ones() {
        let text = TOML.replace(r#"= "connector""#, r#"= "superuser""#);

        let err = parse(&text).expect_err("superuser is no role").to_string();

        assert!(err.contains("'superuser' is not a role"), "{err}");
        assert!(err.contains("connector"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused_so_that_a_typo_does_not_pass_silently() {
        let text = TOML.replace("role_claim", "role_claims");

        assert!(parse(&text).is_err());
    }

    #[test]
    fn an_issuer_over_plain_http_is_refused_unless_it_is_this_machine() {
        let remote = TOML.replace("https://login.example.org", "http://login.example.org");
        let local = TOML.replace("https://login.example.org", "http://127.0.0.1:8080");

        let err = parse(&remote).expect_err("plain http").to_string();

        assert!(err.contains("plain http"), "{err}");
        assert!(parse(&local).is_ok());
    }

    #[test]
    fn an_issuer_that_is_not_a_url_is_refused() {
        let text = TOML.replace(
            "https://login.example.org/realms/buurt",
            "login.example.org",
        );

        assert!(parse(&text).is_err());
    }

    #[test]
    fn a_secret_is_read_from_its_file_without_the_final_newline() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("secret");
        std::fs::write(&path, "s3cr3t-value\n").expect("written");

        let secret = SecretSource::File(path).read().expect("readable");

        assert_eq!(secret.expose(), "s3cr3t-value");
    }

    #[test]
    fn a_missing_secret_file_is_a_secret_error_naming_the_file() {
        let source = SecretSource::File("/nonexistent/noaber/secret".into());

        let err = source.read().expect_err("no such file");

        assert!(
            matches!(&err, OidcError::Secret { reason } if reason.contains("/nonexistent/noaber/secret"))
        );
    }

    #[test]
    fn a_secret_is_read_from_its_environment_variable() {
        // A variable no other test touches; set once, before it is read.
        std::env::set_var("NOABER_OIDC_UNIT_TEST_SECRET", "from-the-environment");

        let secret = SecretSource::Env("NOABER_OIDC_UNIT_TEST_SECRET".into())
            .read()
            .expect("set");

        assert_eq!(secret.expose(), "from-the-environment");
    }

    #[test]
    fn an_unset_secret_variable_is_a_secret_error_naming_the_variable() {
        let err = SecretSource::Env("NOABER_OIDC_UNIT_TEST_NEVER_SET".into())
            .read()
            .expect_err("unset");

        assert!(
            matches!(&err, OidcError::Secret { reason } if reason.contains("NOABER_OIDC_UNIT_TEST_NEVER_SET"))
        );
    }

    #[test]
    fn an_empty_secret_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("secret");
        std::fs::write(&path, " \n").expect("written");

        let err = SecretSource::File(path).read().expect_err("empty");

        assert!(matches!(&err, OidcError::Secret { reason } if reason.ends_with("is empty")));
    }

    #[test]
    fn a_secret_never_appears_in_debug_output() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("secret");
        std::fs::write(&path, "do-not-print-me").expect("written");

        let secret = SecretSource::File(path).read().expect("readable");

        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert!(!format!("{secret:#?}").contains("do-not-print-me"));
    }
}
