//! Shared helpers of the HTTP tests: the application built in-process over a temporary
//! embedded store, and the identity headers of a `/v1` call.

use std::sync::Arc;

pub use noaber_store::testing::CountingStore;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

/// The in-process application over a fresh embedded store, with the store's guard.
pub async fn sqlite_app() -> (axum::Router, tempfile::TempDir) {
    let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let privacy = Arc::new(noaber_store::privacy::Privacy::new(
        noaber_store::privacy::MasterKey::generate(),
        store.clone(),
    ));
    let state = state_over(store.clone(), store.clone(), privacy).await;
    (dev_app(state), dir)
}

/// The application over `state` accepting the development identity headers, as the command
/// tests drive it (the authorization matrix uses real sessions and tokens instead).
pub fn dev_app(state: noaber_api::http::AppState) -> axum::Router {
    noaber_api::http::app_with(state, &noaber_api::http::HttpConfig::insecure_dev())
}

/// Application state over `store`, with read models following it (snapshots kept in memory)
/// and the identity tables in `identity`.
pub async fn state_over(
    store: Arc<dyn noaber_store::EventStore>,
    identity: Arc<dyn noaber_store::identity::IdentityStore>,
    privacy: Arc<noaber_store::privacy::Privacy>,
) -> noaber_api::http::AppState {
    noaber_api::http::AppState::start(
        store,
        identity,
        privacy,
        Arc::new(noaber_projections::snapshot::MemorySnapshotStore::new()),
        noaber_projections::runner::RunnerConfig::default(),
    )
    .await
}

/// Headers saying who is asking, for `/v1` calls.
pub fn actor_headers(role: &str) -> [(&'static str, String); 3] {
    [
        (
            "x-noaber-tenant",
            "0190a0a0-0000-7000-8000-000000000001".to_owned(),
        ),
        (
            "x-noaber-actor",
            "0190a0a0-0000-7000-8000-000000000002".to_owned(),
        ),
        ("x-noaber-role", role.to_owned()),
    ]
}

/// The application over a fresh embedded store, with a handle on the log so that a test can
/// see what a command wrote (or that a refusal wrote nothing).
pub struct TestApp {
    /// The application, driven with `oneshot`.
    pub app: axum::Router,
    /// The log under it.
    pub store: Arc<dyn noaber_store::EventStore>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The application over a fresh embedded store.
    pub async fn start() -> Self {
        let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
        let store = Arc::new(store);
        Self::over(store.clone(), store.clone(), store, dir).await
    }

    /// The application over `store` (the embedded store living in `dir`, or a wrapper of it)
    /// with personal-data keys kept in `keys`.
    pub async fn over(
        store: Arc<dyn noaber_store::EventStore>,
        keys: Arc<dyn noaber_store::KeyStore>,
        identity: Arc<dyn noaber_store::identity::IdentityStore>,
        dir: tempfile::TempDir,
    ) -> Self {
        let privacy = Arc::new(noaber_store::privacy::Privacy::new(
            noaber_store::privacy::MasterKey::generate(),
            keys.clone(),
        ));
        let state = state_over(store.clone(), identity, privacy).await;
        Self {
            app: dev_app(state),
            store,
            _dir: dir,
        }
    }

    /// The log's head: unchanged by a refused command.
    pub async fn head(&self) -> noaber_store::Checkpoint {
        self.store.head().await.expect("the log answers")
    }

    /// The version of the stream of aggregate `id` of `category` (0 when it has no events).
    pub async fn version(&self, category: &str, id: Uuid) -> u64 {
        let stream = noaber_store::StreamId::for_aggregate(category, id);
        self.store
            .stream_version(&stream)
            .await
            .expect("the log answers")
    }

    /// Sends one request as `caller` with an optional JSON body and idempotency key.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        caller: &Caller,
        body: Option<&Value>,
        key: Option<Uuid>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("x-noaber-tenant", caller.tenant.to_string())
            .header("x-noaber-actor", caller.id.to_string())
            .header("x-noaber-role", caller.role);
        if let Some(key) = key {
            request = request.header("idempotency-key", key.to_string());
        }
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        }
        .expect("a valid request");
        self.send(request).await
    }

    /// Sends a prepared request.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.expect("a response");
        Answer::read(response).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, caller: &Caller, body: Value) -> Answer {
        self.call(Method::POST, path, caller, Some(&body), None)
            .await
    }

    /// `POST path` with a JSON body and an idempotency key.
    pub async fn post_with_key(
        &self,
        path: &str,
        caller: &Caller,
        body: Value,
        key: Uuid,
    ) -> Answer {
        self.call(Method::POST, path, caller, Some(&body), Some(key))
            .await
    }

    /// `POST path` with a body that is not sent as JSON.
    pub async fn post_text(&self, path: &str, caller: &Caller, text: &str) -> Answer {
        let request = Request::post(path)
            .header("x-noaber-tenant", caller.tenant.to_string())
            .header("x-noaber-actor", caller.id.to_string())
            .header("x-noaber-role", caller.role)
            .header("content-type", "text/plain")
            .body(Body::from(text.to_owned()))
            .expect("a valid request");
        self.send(request).await
    }

    /// `POST path` with a body that claims to be JSON but is not.
    pub async fn post_broken_json(&self, path: &str, caller: &Caller) -> Answer {
        let request = Request::post(path)
            .header("x-noaber-tenant", caller.tenant.to_string())
            .header("x-noaber-actor", caller.id.to_string())
            .header("x-noaber-role", caller.role)
            .header("content-type", "application/json")
            .body(Body::from("{\"oops\": "))
            .expect("a valid request");
        self.send(request).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str, caller: &Caller) -> Answer {
        self.call(Method::GET, path, caller, None, None).await
    }

    /// `POST path`, insisting on `status`: for the steps that arrange a test.
    pub async fn ok(&self, path: &str, caller: &Caller, body: Value, status: StatusCode) -> Uuid {
        let answer = self.post(path, caller, body).await;
        assert_eq!(
            answer.status, status,
            "POST {path} answered {}",
            answer.body
        );
        answer.id()
    }
}

/// Someone calling the API: their tenant, their id and the role they act in.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The tenant they act in.
    pub tenant: Uuid,
    /// Who they are.
    pub id: Uuid,
    /// The role they act in.
    pub role: &'static str,
}

impl Caller {
    /// A new person of `tenant` acting as `role`.
    pub fn new(tenant: Uuid, role: &'static str) -> Self {
        Self {
            tenant,
            id: Uuid::now_v7(),
            role,
        }
    }

    /// The same person acting in another role.
    pub fn as_role(&self, role: &'static str) -> Self {
        Self {
            role,
            ..self.clone()
        }
    }
}

/// A response: its status, its content type and its body read as JSON (`null` when empty).
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The content type, empty when absent.
    pub content_type: String,
    /// The body as JSON.
    pub body: Value,
}

impl Answer {
    async fn read(response: axum::response::Response) -> Self {
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
            .await
            .expect("the body can be read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Self {
            status,
            content_type,
            body,
        }
    }

    /// The id a command answered with.
    pub fn id(&self) -> Uuid {
        self.body["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no id in {}", self.body))
    }

    /// Insists this is a problem document of `status` and type `urn:noaber:problem:<code>`.
    #[track_caller]
    pub fn assert_problem(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        assert_eq!(
            self.body["type"],
            format!("urn:noaber:problem:{code}"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        assert!(self.body["detail"].is_string(), "{}", self.body);
    }

    /// Insists this is what a command wrote: `status` (201 or 200), the aggregate `id`, its
    /// stream `<category>-<id>`, and the `events` written; returns the stream's version.
    #[track_caller]
    pub fn assert_written(
        &self,
        status: StatusCode,
        category: &str,
        id: Uuid,
        events: &[&str],
    ) -> u64 {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, "application/json", "{}", self.body);
        let written: noaber_api::http::commands::Written =
            serde_json::from_value(self.body.clone()).expect("a Written body");
        assert_eq!(written.id, id);
        assert_eq!(written.stream, format!("{category}-{id}"));
        assert_eq!(written.events, events);
        assert_eq!(written.positions.len(), events.len(), "{}", self.body);
        assert!(!written.retry, "{}", self.body);
        assert!(written.version >= 1, "{}", self.body);
        written.version
    }
}

/// A tenant with a neighbourhood, its staff, a registered resident and a registered helper who
/// opted in, as the command tests need them.
pub struct World {
    /// The tenant.
    pub tenant: Uuid,
    /// An admin of the tenant.
    pub admin: Caller,
    /// A connector of the tenant.
    pub connector: Caller,
    /// A registered resident.
    pub resident: Caller,
    /// A registered helper who opted in.
    pub helper: Caller,
    /// The tenant's neighbourhood.
    pub neighbourhood: Uuid,
}

impl World {
    /// Sets up a fresh tenant in `app`.
    pub async fn new(app: &TestApp) -> Self {
        let tenant = Uuid::now_v7();
        let admin = Caller::new(tenant, "admin");
        let connector = Caller::new(tenant, "connector");
        let resident = Caller::new(tenant, "resident");
        let helper = Caller::new(tenant, "helper");
        let neighbourhood = app
            .ok(
                "/v1/neighbourhoods",
                &admin,
                json!({"name": "De Kruidenbuurt", "centroid": {"lat": 52.2215, "lon": 6.8937}, "radius_m": 1500}),
                StatusCode::CREATED,
            )
            .await;
        for (person, name) in [(&resident, "Anna de Vries"), (&helper, "Bram Jansen")] {
            app.ok(
                "/v1/persons",
                person,
                json!({"name": name, "neighbourhood_id": neighbourhood, "digital_access": "digital",
                       "location": {"lat": 52.2221, "lon": 6.8941}}),
                StatusCode::CREATED,
            )
            .await;
        }
        app.ok(
            &format!("/v1/persons/{}/skills", helper.id),
            &helper,
            json!({"skills": ["grocery_shopping"], "max_distance_m": 2000, "available_for_calls": true}),
            StatusCode::OK,
        )
        .await;
        app.ok(
            &format!("/v1/persons/{}/opt-in", helper.id),
            &helper,
            json!({}),
            StatusCode::OK,
        )
        .await;
        Self {
            tenant,
            admin,
            connector,
            resident,
            helper,
            neighbourhood,
        }
    }

    /// The resident posts a request for errands; its id.
    pub async fn post_request(&self, app: &TestApp) -> Uuid {
        app.ok(
            "/v1/requests",
            &self.resident,
            json!({"category": "errands", "neighbourhood_id": self.neighbourhood,
                   "description": "Wie kan zaterdag boodschappen voor mij doen?"}),
            StatusCode::CREATED,
        )
        .await
    }

    /// An organisation of the tenant, registered by its admin; its id.
    pub async fn organisation(&self, app: &TestApp) -> Uuid {
        app.ok(
            "/v1/organisations",
            &self.admin,
            json!({"name": "Buurtzorg Oost", "kind": "social_service"}),
            StatusCode::CREATED,
        )
        .await
    }
}

/// The application over a counting wrapper of a fresh embedded store, and the counter: to pin
/// how many stream reads a command costs.
pub async fn counting_app() -> (TestApp, Arc<CountingStore>) {
    let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
    let store = Arc::new(store);
    let counting = Arc::new(CountingStore::new(store.clone()));
    (
        TestApp::over(counting.clone(), store.clone(), store, dir).await,
        counting,
    )
}
