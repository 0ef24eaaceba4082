//! The HTTP API: the axum application, its shared state, and serving it until a shutdown signal.
//!
//! [`app`] builds the whole router from an [`AppState`] so that tests can drive it with
//! `tower::ServiceExt::oneshot` without a socket. Each area has its own module with a
//! `router()`; this module merges them, adds the request-id and tracing layer, and turns
//! unknown addresses (404) and wrong methods (405) into problem documents like every other error.
//! [`app_with`] does the same under an [`HttpConfig`]: the security headers every response
//! carries, HSTS behind an https public address and the CORS allow-list ([`security`]).

pub mod auth;
pub mod authn;
pub mod call_view;
pub mod calls;
pub mod commands;
pub mod conventions;
pub mod docs_page;
pub mod error;
pub mod export;
pub mod extract;
pub mod health;
pub mod limits;
pub mod me;
pub mod metrics;
pub mod mine;
pub mod openapi;
pub mod organisations;
pub mod page;
pub mod people;
pub mod personal;
pub mod persons;
pub mod policy;
pub mod problems;
pub mod reads;
pub mod request_view;
pub mod requests;
pub mod roles;
pub mod safeguarding;
pub mod security;
pub mod server;
pub mod social_map;
pub mod sso;
pub mod standing_offers;
pub mod stream;
pub mod taxonomy;
pub mod tenant;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use noaber_projections::runner::{Projections, RunnerConfig};
use noaber_projections::snapshot::SnapshotStore;
use noaber_store::exec::Executor;
use noaber_store::identity::IdentityStore;
use noaber_store::privacy::Privacy;
use noaber_store::EventStore;

use crate::identity::sso::Sso;
use crate::identity::{Identity, IdentitySettings};
use tracing::Instrument;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

pub use error::{ApiError, Problem};
pub use extract::{Actor, ApiJson, ApiPath, ApiQuery, CommandId, Via};
pub use security::{HttpConfig, Origin, PublicUrl};

/// The header that carries a request's id, taken from the client when sane, otherwise made up.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// What every handler can reach: the event log, the executor and the read models. A handle:
/// every extractor and handler clones it, so it is one shared allocation (cloning the parts
/// one by one cost several percent of a read's time).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of an [`AppState`].
#[derive(Clone, Debug)]
pub struct Shared {
    /// The append-only event log.
    pub store: Arc<dyn EventStore>,
    /// Carries out the domain's commands against the log; checks the aggregates a command
    /// names against the read models.
    pub executor: Executor,
    /// The read models, in memory, following the log.
    pub projections: Projections,
    /// Accounts, sign-in, sessions, tokens and the access log.
    pub identity: Identity,
    /// Opens personal data on read, for those the policy allows.
    pub privacy: Arc<Privacy>,
    /// How the HTTP layer is exposed (set by [`app_with`]).
    pub config: Arc<HttpConfig>,
    /// The tenants' identity providers (none unless configured, see [`AppState::with_sso`]).
    pub sso: Arc<Sso>,
}

impl AppState {
    /// Starts the read models over `store` (restored from `snapshots`, evicting erased people
    /// from `privacy`'s key cache as they follow the log) and the state around them.
    pub async fn start(
        store: Arc<dyn EventStore>,
        identity: Arc<dyn IdentityStore>,
        privacy: Arc<Privacy>,
        snapshots: Arc<dyn SnapshotStore>,
        config: RunnerConfig,
    ) -> Self {
        let projections =
            Projections::start_evicting(store.clone(), snapshots, config, privacy.clone()).await;
        Self::new(store, identity, privacy, projections)
    }

    /// State over an opened log, its identity tables and the read models following it, with
    /// the default identity settings (starts the access log writer: call inside a runtime).
    pub fn new(
        store: Arc<dyn EventStore>,
        identity: Arc<dyn IdentityStore>,
        privacy: Arc<Privacy>,
        projections: Projections,
    ) -> Self {
        let executor = Executor::new(store.clone(), privacy.clone())
            .with_owners(Arc::new(projections.clone()));
        Self(Arc::new(Shared {
            store,
            executor,
            projections,
            identity: Identity::new(identity, privacy.clone(), IdentitySettings::default()),
            privacy,
            config: Arc::new(HttpConfig::default()),
            sso: Arc::new(Sso::default()),
        }))
    }

    /// The same state with its parts changed by `change` (the handle is shared, so this makes
    /// a new one).
    fn changed(self, change: impl FnOnce(&mut Shared)) -> Self {
        let mut shared = Arc::unwrap_or_clone(self.0);
        change(&mut shared);
        Self(Arc::new(shared))
    }

    /// The same state with the tenants' identity providers `sso`.
    pub fn with_sso(self, sso: Sso) -> Self {
        self.changed(|s| s.sso = Arc::new(sso))
    }
}

/// The whole HTTP application under the default [`HttpConfig`]: security headers, no HSTS,
/// same-origin calls only.
pub fn app(state: AppState) -> Router {
    app_with(state, &HttpConfig::default())
}

/// The whole HTTP application under `config`.
///
/// From the outside in: the security headers (so that every answer carries them, preflights
/// and fallbacks included), the request id and its span, CORS, the log of server errors, then
/// the routes.
pub fn app_with(state: AppState, config: &HttpConfig) -> Router {
    let state = state.changed(|s| s.config = Arc::new(config.clone()));
    let guard = middleware::from_fn_with_state(state.clone(), authn::require_actor);
    let after = middleware::from_fn_with_state(state.clone(), conventions::after);
    let (routes, _) =
        routes(|protected| protected.route_layer(after).route_layer(guard)).split_for_parts();
    metrics::install();
    let routes = routes
        .layer(middleware::from_fn(conventions::etags))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(middleware::from_fn(limits::refuse_large_bodies))
        .layer(middleware::from_fn(error::log_server_errors))
        .layer(middleware::from_fn(metrics::track));
    let routes = match security::cors(config) {
        Some(cors) => routes.layer(cors),
        None => routes,
    };
    let routes = routes.layer(middleware::from_fn(request_context));
    security::with_headers(routes, config).with_state(state)
}

/// Every route of the application with its OpenAPI description, before the layers every
/// answer goes through. `guard` wraps the protected tree: the authentication middleware in
/// [`app_with`], nothing when only the document is wanted ([`openapi::document`]). Each area
/// registers its routes through `routes!`, so no route exists without its description.
pub fn routes(
    guard: impl FnOnce(OpenApiRouter<AppState>) -> OpenApiRouter<AppState>,
) -> OpenApiRouter<AppState> {
    let protected = OpenApiRouter::new()
        .merge(me::router())
        .merge(export::router())
        .merge(request_view::router())
        .merge(call_view::router())
        .merge(persons::router())
        .merge(people::router())
        .merge(requests::router())
        .merge(calls::router())
        .merge(organisations::router())
        .merge(reads::router())
        .merge(roles::router())
        .merge(safeguarding::router())
        .merge(tenant::router())
        .merge(social_map::router())
        .merge(mine::router())
        .merge(stream::router())
        .merge(standing_offers::router());
    let protected = guard(openapi::protect(protected));
    let v1 = OpenApiRouter::new()
        .merge(taxonomy::router())
        .merge(auth::router())
        .merge(protected);
    OpenApiRouter::new()
        .merge(health::router())
        .merge(metrics::router())
        .merge(auth::pages())
        .merge(sso::pages())
        .merge(openapi::router())
        .merge(docs_page::router())
        .nest("/v1", v1)
}

async fn not_found(req: Request) -> ApiError {
    ApiError::NotFound(format!("nothing lives at {}", req.uri().path()))
}

async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}

/// Gives every request an id (the client's `x-request-id` when sane), runs it inside a span
/// carrying that id, logs its outcome, and echoes the id in the response.
async fn request_context(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if path == "/healthz" || path == "/readyz" || path == "/metrics" {
            tracing::debug!(status, millis, "request served");
        } else {
            tracing::info!(status, millis, "request served");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Serves `app_with(state, config)` on `listener` until `shutdown` resolves (see
/// [`shutdown_signal`]), then lets requests in flight end; a connection that does not send a
/// request's headers within the configured time is closed ([`server`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    config: &HttpConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let timeout = config
        .header_read_timeout
        .unwrap_or(server::HEADER_READ_TIMEOUT);
    server::serve(listener, app_with(state, config), timeout, shutdown).await
}

/// A future that resolves on ctrl-c or, on Unix, SIGTERM (what container runtimes send).
///
/// The signal handlers are installed when this function is called, not when the future is
/// first polled: call it before announcing that the server listens, so that a signal sent right
/// after the announcement stops the server gracefully instead of killing the process.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        )
    };
    async move {
        #[cfg(unix)]
        match handlers {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = interrupt.recv() => {}
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(error = %e, "cannot listen for shutdown signals; stop the process by killing it");
                std::future::pending::<()>().await;
            }
        }
        #[cfg(not(unix))]
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}
