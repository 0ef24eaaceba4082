//! The OpenID Connect client of one tenant: discovery, the authorization URL, and the checks of
//! the provider's answer.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use noaber_domain::Role;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthType, AuthorizationCode, ClaimsVerificationError,
    ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IdTokenFields, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, SignatureVerificationError,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::config::{check_url, ProviderConfig};
use crate::error::{describe, IdTokenProblem, OidcError};
use crate::pending::PendingLogin;
use crate::roles::RoleMapping;
use crate::Url;

/// How long Noaber waits to connect to the provider.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one request to the provider may take in all.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// How far Noaber's clock may run ahead of the provider's before a fresh ID token counts as
/// expired.
const CLOCK_SKEW: TimeDelta = TimeDelta::seconds(60);

/// Every claim of the ID token beyond the standard ones, by name, so that the role claim can be
/// any claim the tenant names.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type Tokens = StandardTokenResponse<
    IdTokenFields<
        OtherClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// The library's client as discovery builds it: an authorization endpoint, maybe a token and
/// a userinfo endpoint.
type Client = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A person the provider signed in, with the ID token verified and the roles mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLogin {
    /// The provider's issuer URL (`iss`).
    pub issuer: String,
    /// The person's stable id at that provider (`sub`); with `issuer`, the key of an account.
    pub subject: String,
    /// The person's email address, when the provider shares it.
    pub email: Option<String>,
    /// Whether the provider vouches for `email` (false when it says nothing).
    pub email_verified: bool,
    /// The person's name as the provider has it, when it shares it.
    pub name: Option<String>,
    /// The Noaber roles the role claim maps to, sorted, at least one.
    pub roles: Vec<Role>,
}

/// The OpenID Connect client of one tenant, built by [`OidcClient::discover`]: it knows the
/// provider's endpoints and signing keys, the client's credentials and the role mapping.
///
/// Build it once per tenant and keep it: discovery costs two requests. Build it again to pick
/// up rotated signing keys ([`IdTokenProblem::UnknownSigningKey`]).
pub struct OidcClient {
    client: Client,
    http: reqwest::Client,
    issuer: String,
    client_id: String,
    scopes: Vec<String>,
    roles: RoleMapping,
}

impl OidcClient {
    /// Reads the client secret, fetches the provider's discovery document and its signing keys
    /// (JWKS), and builds the client.
    ///
    /// Requests time out after a few seconds and redirects are never followed: a provider's
    /// metadata is read from its issuer's own address only.
    ///
    /// # Errors
    /// [`OidcError::Config`] for an unusable issuer or redirect URL, [`OidcError::Secret`] when
    /// the secret cannot be read, [`OidcError::Discovery`] when the provider's metadata or keys
    /// cannot be fetched or do not name the configured issuer.
    pub async fn discover(config: &ProviderConfig) -> Result<OidcClient, OidcError> {
        let config_error = |reason: String| OidcError::Config { reason };
        check_url("the issuer", &config.issuer).map_err(config_error)?;
        check_url("the redirect URL", &config.redirect_url).map_err(config_error)?;
        let issuer_url = IssuerUrl::new(config.issuer.clone())
            .map_err(|err| config_error(format!("the issuer: {err}")))?;
        let redirect_url = RedirectUrl::new(config.redirect_url.clone())
            .map_err(|err| config_error(format!("the redirect URL: {err}")))?;
        let secret = config.client_secret.read()?;

        let discovery_error = |reason: String| OidcError::Discovery {
            issuer: config.issuer.clone(),
            reason,
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("noaber-oidc/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| discovery_error(format!("no HTTP client: {}", describe(&err))))?;

        let metadata = CoreProviderMetadata::discover_async(issuer_url, &http)
            .await
            .map_err(|err| discovery_error(describe(&err)))?;
        if metadata.token_endpoint().is_none() {
            return Err(discovery_error(
                "the provider announces no token endpoint".into(),
            ));
        }
        let auth_type = auth_type(metadata.token_endpoint_auth_methods_supported());

        let client = Client::from_provider_metadata(
            metadata,
            ClientId::new(config.client_id.clone()),
            Some(ClientSecret::new(secret.expose().to_owned())),
        )
        .set_redirect_uri(redirect_url)
        .set_auth_type(auth_type);

        Ok(OidcClient {
            client,
            http,
            issuer: config.issuer.clone(),
            client_id: config.client_id.clone(),
            scopes: config
                .scopes
                .iter()
                .filter(|scope| scope.as_str() != "openid")
                .cloned()
                .collect(),
            roles: RoleMapping::new(
                config.role_claim.clone(),
                config.role_map.clone(),
                config.default_role,
            ),
        })
    }

    /// The provider's issuer URL.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Starts a sign-in: the provider's authorization URL to send the browser to, and the
    /// [`PendingLogin`] to keep until it comes back.
    ///
    /// The URL asks for the authorization code flow with PKCE (S256), a fresh random `state`
    /// and `nonce`, and the configured scopes.
    pub fn begin(&self, now: DateTime<Utc>) -> (Url, PendingLogin) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let request = self
            .scopes
            .iter()
            .fold(
                self.client.authorize_url(
                    CoreAuthenticationFlow::AuthorizationCode,
                    CsrfToken::new_random,
                    Nonce::new_random,
                ),
                |request, scope| request.add_scope(Scope::new(scope.clone())),
            )
            .set_pkce_challenge(challenge);
        let (url, state, nonce) = request.url();
        let pending = PendingLogin::new(
            state.secret().clone(),
            nonce.secret().clone(),
            verifier.secret().clone(),
            now,
        );
        (url, pending)
    }

    /// Finishes a sign-in when the browser comes back with `code` and `returned_state`: checks
    /// the state, exchanges the code (with the PKCE verifier), verifies the ID token (issuer,
    /// audience, signature, expiry, nonce, and `at_hash` when present) and maps the role claim.
    ///
    /// `pending` is consumed: a sign-in finishes once, whatever the outcome.
    ///
    /// # Errors
    /// [`OidcError::StateMismatch`], [`OidcError::Expired`], [`OidcError::Exchange`],
    /// [`OidcError::InvalidIdToken`] or [`OidcError::NoRole`]; see each for its meaning.
    pub async fn finish(
        &self,
        pending: PendingLogin,
        code: &str,
        returned_state: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedLogin, OidcError> {
        if !pending.state_matches(returned_state) {
            return Err(OidcError::StateMismatch);
        }
        if pending.is_expired(now) {
            return Err(OidcError::Expired);
        }
        let nonce = Nonce::new(pending.nonce().to_owned());

        let tokens = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|err| OidcError::Exchange {
                reason: describe(&err),
            })?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.into_pkce_verifier()))
            .request_async(&self.http)
            .await
            .map_err(exchange_error)?;

        let invalid = |reason| OidcError::InvalidIdToken { reason };
        let id_token = tokens.id_token().ok_or(invalid(IdTokenProblem::Missing))?;
        let verifier = self
            .client
            .id_token_verifier()
            .set_time_fn(move || now - CLOCK_SKEW);
        let claims = id_token
            .claims(&verifier, &nonce)
            .map_err(|err| invalid(id_token_problem(err)))?;

        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token
                .signing_alg()
                .map_err(|_| invalid(IdTokenProblem::BadSignature))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|_| invalid(IdTokenProblem::UnknownSigningKey))?;
            let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
                .map_err(|err| invalid(IdTokenProblem::Other(describe(&err))))?;
            if actual != *expected {
                return Err(invalid(IdTokenProblem::AccessTokenHashMismatch));
            }
        }

        let roles = self
            .roles
            .roles(claims.additional_claims().claims.get(self.roles.claim()))?;
        Ok(VerifiedLogin {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|email| email.to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|name| name.get(None))
                .map(|name| name.to_string()),
            roles,
        })
    }
}

impl fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcClient")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("role_claim", &self.roles.claim())
            .finish_non_exhaustive()
    }
}

/// `client_secret_basic` unless the provider announces only `client_secret_post` (a provider
/// that announces nothing supports basic, by the discovery specification).
fn auth_type(supported: Option<&Vec<CoreClientAuthMethod>>) -> AuthType {
    match supported {
        Some(methods)
            if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
        {
            AuthType::RequestBody
        }
        _ => AuthType::BasicAuth,
    }
}

/// The exchange's failure as a reason that holds no token: a body that could not be parsed is
/// named by where it failed, never quoted.
fn exchange_error<RE>(
    err: RequestTokenError<RE, StandardErrorResponse<CoreErrorResponseType>>,
) -> OidcError
where
    RE: std::error::Error + 'static,
{
    let reason = match &err {
        RequestTokenError::ServerResponse(response) => {
            format!("the provider answered {}", response.error().as_ref())
        }
        RequestTokenError::Parse(parse, _body) => format!(
            "the provider's token response could not be read (at `{}`)",
            parse.path()
        ),
        _ => describe(&err),
    };
    OidcError::Exchange { reason }
}

fn id_token_problem(err: ClaimsVerificationError) -> IdTokenProblem {
    match err {
        ClaimsVerificationError::Expired(_) => IdTokenProblem::Expired,
        ClaimsVerificationError::InvalidAudience(_) => IdTokenProblem::WrongAudience,
        ClaimsVerificationError::InvalidIssuer(_) => IdTokenProblem::WrongIssuer,
        ClaimsVerificationError::InvalidNonce(_) => IdTokenProblem::NonceMismatch,
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        ) => IdTokenProblem::UnknownSigningKey,
        ClaimsVerificationError::SignatureVerification(_) => IdTokenProblem::BadSignature,
        other => IdTokenProblem::Other(describe(&other)),
    }
}
