//! Test support: a small OpenID provider of the tests' own (an axum server on loopback that
//! signs the ID tokens a test asks for), the RSA keys it signs with, and configurations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::Utc;
use noaber_domain::Role;
use noaber_oidc::{ProviderConfig, SecretSource, Url};
use rand::distributions::Alphanumeric;
use rand::Rng;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The fake provider's client registration.
pub const CLIENT_ID: &str = "noaber-under-test";
pub const CLIENT_SECRET: &str = "the-fake-providers-client-secret";
pub const REDIRECT_URL: &str = "https://noaber.example.org/auth/oidc/callback";
/// The key id the fake provider publishes its key under.
pub const KID: &str = "fake-key-1";

/// The provider's signing key, and another one nobody publishes.
pub struct Keys {
    pub trusted: RsaPrivateKey,
    pub other: RsaPrivateKey,
}

/// The keys, generated once per test run (RSA key generation is slow).
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rand::thread_rng();
        Keys {
            trusted: RsaPrivateKey::new(&mut rng, 2048).expect("an RSA key"),
            other: RsaPrivateKey::new(&mut rng, 2048).expect("an RSA key"),
        }
    })
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWT: RS256 with `key`, or unsigned (`alg: none`) without one.
pub fn jwt(key: Option<&RsaPrivateKey>, kid: &str, claims: &Value) -> String {
    let header = match key {
        Some(_) => json!({ "alg": "RS256", "typ": "JWT", "kid": kid }),
        None => json!({ "alg": "none", "typ": "JWT" }),
    };
    let signing_input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let signature = match key {
        Some(key) => b64(SigningKey::<Sha256>::new(key.clone())
            .sign(signing_input.as_bytes())
            .to_bytes()),
        None => String::new(),
    };
    format!("{signing_input}.{signature}")
}

/// What the fake provider puts in the token response of one sign-in; a test changes it before
/// the code is issued.
pub struct Token {
    /// The ID token's claims, valid to begin with.
    pub claims: Value,
    /// The key it is signed with; `None` leaves it unsigned.
    pub key: Option<&'static RsaPrivateKey>,
    /// The key id in its header.
    pub kid: String,
    /// Whether the token response leaves the ID token out.
    pub omitted: bool,
}

/// The browser's return to Noaber: the code and the state.
#[derive(Debug, Clone)]
pub struct Callback {
    pub code: String,
    pub state: String,
}

/// What the fake's discovery endpoint does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    /// Answers with its metadata.
    Normal,
    /// Answers with metadata naming another issuer.
    OtherIssuer,
    /// Redirects to where its metadata is.
    Redirect,
}

struct Issued {
    code_challenge: String,
    redirect_uri: String,
    access_token: String,
    id_token: Option<String>,
}

struct FakeState {
    issuer: String,
    discovery: Discovery,
    codes: HashMap<String, Issued>,
    token_requests: usize,
}

/// A running fake provider on 127.0.0.1, stopped when dropped.
pub struct FakeProvider {
    pub issuer: String,
    state: Arc<Mutex<FakeState>>,
    secret_dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeProvider {
    /// Starts a fake provider on a free port.
    pub async fn start() -> FakeProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let issuer = format!("http://{}", listener.local_addr().expect("bound"));
        let state = Arc::new(Mutex::new(FakeState {
            issuer: issuer.clone(),
            discovery: Discovery::Normal,
            codes: HashMap::new(),
            token_requests: 0,
        }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/metadata", get(metadata))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the fake provider serves");
        });
        let secret_dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(
            secret_dir.path().join("client-secret"),
            format!("{CLIENT_SECRET}\n"),
        )
        .expect("the secret file is written");
        FakeProvider {
            issuer,
            state,
            secret_dir,
            server,
        }
    }

    /// Changes what discovery answers.
    pub fn set_discovery(&self, discovery: Discovery) {
        self.state.lock().expect("not poisoned").discovery = discovery;
    }

    /// How many token requests the fake has answered.
    pub fn token_requests(&self) -> usize {
        self.state.lock().expect("not poisoned").token_requests
    }

    /// A configuration for this provider: the client registered above, its secret in a file,
    /// `groups` as the role claim, `noaber-connectors` mapped to connector and
    /// `noaber-admins` to admin, no default role.
    pub fn config(&self) -> ProviderConfig {
        ProviderConfig {
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: SecretSource::File(self.secret_dir.path().join("client-secret")),
            redirect_url: REDIRECT_URL.into(),
            scopes: noaber_oidc::default_scopes(),
            role_claim: "groups".into(),
            role_map: [
                ("noaber-connectors".to_owned(), Role::Connector),
                ("noaber-admins".to_owned(), Role::Admin),
            ]
            .into(),
            default_role: None,
        }
    }

    /// Plays the person signing in at the provider: reads the authorization request in `url`,
    /// issues a code whose token response `change` may alter, and returns the callback the
    /// browser would bring back.
    pub fn sign_in(&self, url: &Url, change: impl FnOnce(&mut Token)) -> Callback {
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(query.get("response_type").map(String::as_str), Some("code"));
        assert_eq!(query.get("client_id").map(String::as_str), Some(CLIENT_ID));
        assert_eq!(
            query.get("code_challenge_method").map(String::as_str),
            Some("S256")
        );
        let nonce = query.get("nonce").expect("a nonce is sent").clone();
        let state = query.get("state").expect("a state is sent").clone();

        let access_token = random_text(32);
        let at_hash = b64(&Sha256::digest(access_token.as_bytes())[..16]);
        let now = Utc::now().timestamp();
        let mut token = Token {
            claims: json!({
                "iss": self.issuer,
                "aud": CLIENT_ID,
                "sub": "person-4711",
                "iat": now,
                "exp": now + 300,
                "nonce": nonce,
                "at_hash": at_hash,
                "email": "alice@example.org",
                "email_verified": true,
                "name": "Alice de Vries",
                "groups": ["noaber-connectors", "everyone"],
            }),
            key: Some(&keys().trusted),
            kid: KID.into(),
            omitted: false,
        };
        change(&mut token);

        let code = random_text(24);
        let issued = Issued {
            code_challenge: query
                .get("code_challenge")
                .expect("a PKCE challenge")
                .clone(),
            redirect_uri: query.get("redirect_uri").expect("a redirect URI").clone(),
            access_token,
            id_token: (!token.omitted).then(|| jwt(token.key, &token.kid, &token.claims)),
        };
        self.state
            .lock()
            .expect("not poisoned")
            .codes
            .insert(code.clone(), issued);
        Callback { code, state }
    }
}

fn random_text(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

type Shared = State<Arc<Mutex<FakeState>>>;

async fn discovery(State(state): Shared) -> Response {
    let (issuer, mode) = {
        let state = state.lock().expect("not poisoned");
        (state.issuer.clone(), state.discovery)
    };
    match mode {
        Discovery::Normal => Json(provider_metadata(&issuer, &issuer)).into_response(),
        Discovery::OtherIssuer => {
            Json(provider_metadata("https://someone-else.example", &issuer)).into_response()
        }
        Discovery::Redirect => Redirect::temporary("/metadata").into_response(),
    }
}

async fn metadata(State(state): Shared) -> Json<Value> {
    let issuer = state.lock().expect("not poisoned").issuer.clone();
    Json(provider_metadata(&issuer, &issuer))
}

fn provider_metadata(issuer: &str, base: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    })
}

async fn jwks() -> Json<Value> {
    let public = keys().trusted.to_public_key();
    Json(json!({
        "keys": [{
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": KID,
            "n": b64(public.n().to_bytes_be()),
            "e": b64(public.e().to_bytes_be()),
        }]
    }))
}

fn token_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({ "error": error }))).into_response()
}

/// The token endpoint: client_secret_basic, a code used once, the PKCE verifier of its
/// challenge, the redirect URI it was issued for.
async fn token(
    State(state): Shared,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut state = state.lock().expect("not poisoned");
    state.token_requests += 1;

    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&expected)
    {
        return token_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    let Some(issued) = form.get("code").and_then(|code| state.codes.remove(code)) else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let verifier = form.get("code_verifier").map(String::as_str).unwrap_or("");
    if b64(Sha256::digest(verifier.as_bytes())) != issued.code_challenge
        || form.get("redirect_uri") != Some(&issued.redirect_uri)
    {
        return token_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }

    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": 300,
    });
    if let Some(id_token) = issued.id_token {
        body["id_token"] = json!(id_token);
    }
    Json(body).into_response()
}
