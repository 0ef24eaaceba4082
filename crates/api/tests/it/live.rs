//! Noaber served on a real socket over either store, with a world of people in every role,
//! each holding a real bearer token: the ground the identity and authorization tests stand on.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Utc;
use noaber_api::http::{self, AppState, HttpConfig};
use noaber_api::identity::bootstrap::{bootstrap, Plan};
use noaber_domain::values::ApproxLocation;
use noaber_domain::{PersonId, Role, TenantId};
use noaber_store::identity::CredentialKind;
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

/// A served application.
pub struct Live {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Its state, to issue tokens and look at the identity tables.
    pub state: AppState,
    /// The embedded store's file (none on PostgreSQL).
    pub file: Option<std::path::PathBuf>,
    _dir: Option<tempfile::TempDir>,
}

impl Live {
    /// Served over a fresh embedded store.
    pub async fn sqlite() -> Live {
        let (store, dir) = noaber_store::testing::fresh_sqlite_store().await;
        let store = Arc::new(store);
        Self::serve(store.clone(), store.clone(), store, Some(dir)).await
    }

    /// Served over a fresh PostgreSQL database, or `None` when PostgreSQL tests are skipped.
    pub async fn postgres() -> Option<Live> {
        let store = Arc::new(noaber_store::testing::fresh_pg_store().await?);
        Some(Self::serve(store.clone(), store.clone(), store, None).await)
    }

    async fn serve(
        events: Arc<dyn noaber_store::EventStore>,
        keys: Arc<dyn noaber_store::KeyStore>,
        identity: Arc<dyn noaber_store::identity::IdentityStore>,
        dir: Option<tempfile::TempDir>,
    ) -> Live {
        let privacy = Arc::new(noaber_store::privacy::Privacy::new(
            noaber_store::privacy::MasterKey::generate(),
            keys,
        ));
        let state = crate::support::state_over(events, identity, privacy).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr: SocketAddr = listener.local_addr().expect("an address");
        let served = state.clone();
        tokio::spawn(async move {
            let _ = http::serve(
                listener,
                served,
                &HttpConfig::default(),
                std::future::pending(),
            )
            .await;
        });
        Live {
            base: format!("http://{addr}"),
            state,
            file: dir.as_ref().map(|d| d.path().join("noaber.db")),
            _dir: dir,
        }
    }

    /// Serves the same state again, on another port, with the identity providers `sso`; the
    /// new base address.
    pub async fn also_serve_with(&self, sso: noaber_api::identity::sso::Sso) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr: SocketAddr = listener.local_addr().expect("an address");
        let state = self.state.clone().with_sso(sso);
        tokio::spawn(async move {
            let _ = http::serve(
                listener,
                state,
                &HttpConfig::default(),
                std::future::pending(),
            )
            .await;
        });
        format!("http://{addr}")
    }

    /// A bearer token for `person` of `tenant` acting in `role`.
    pub async fn token(&self, tenant: TenantId, person: PersonId, role: Role) -> String {
        self.state
            .identity
            .issue(
                CredentialKind::Bearer,
                tenant,
                person,
                Some(role),
                Some("test".into()),
                chrono::Duration::days(1),
                Utc::now(),
            )
            .await
            .expect("a token is issued")
            .token
    }

    /// Sends `method path` with `token` and an optional JSON body; the status and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    /// Reads `path` with `token` and insists on a 200; the JSON body.
    pub async fn read(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, token, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// Sends a command and insists it was written; the aggregate id.
    pub async fn ok(&self, path: &str, token: &str, body: Value) -> Uuid {
        let (status, answer) = self.call(Method::POST, path, token, Some(body)).await;
        assert!(status.is_success(), "POST {path}: {status} {answer}");
        answer["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("no id in {answer}"))
    }

    /// Waits until the read models have everything written so far. On PostgreSQL the log's
    /// visible head stays below any transaction still open (an access-log batch, say), so one
    /// catch-up can end before a write just acknowledged: wait until two in a row agree.
    pub async fn settle(&self) {
        let catch_up = || async {
            self.state
                .projections
                .catch_up(std::time::Duration::from_secs(10))
                .await
                .expect("the read models catch up")
        };
        let mut last = catch_up().await;
        for _ in 0..50 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            let now = catch_up().await;
            if now == last {
                return;
            }
            last = now;
        }
    }
}

/// A tenant with two neighbourhoods, two organisations, a person in every role and two
/// requests, plus a second tenant with a request of its own.
pub struct World {
    /// The tenant.
    pub tenant: TenantId,
    /// The connector of `n1`.
    pub connector: PersonId,
    /// Its neighbourhoods: the connector's and ambassador's (`n1`) and another (`n2`).
    pub n1: Uuid,
    /// The other neighbourhood.
    pub n2: Uuid,
    /// The partner's organisation, which referred `q1` in.
    pub o1: Uuid,
    /// A resident of `n1`, requester of `q1`.
    pub r1: PersonId,
    /// A resident of `n2`, requester of `q2`.
    pub r2: PersonId,
    /// A helper of `n1`, matched to `q1`.
    pub helper: PersonId,
    /// A request in `n1`, referred in by `o1`, matched to the helper.
    pub q1: Uuid,
    /// A request in `n2`.
    pub q2: Uuid,
    /// A request of the other tenant.
    pub qb: Uuid,
    /// The token of each role, in [`ROLES`] order.
    pub tokens: Vec<(Role, String)>,
}

/// The roles of the matrix, in the order of its columns.
pub const ROLES: [Role; 8] = [
    Role::Admin,
    Role::Connector,
    Role::Ambassador,
    Role::Partner,
    Role::Funder,
    Role::Auditor,
    Role::Helper,
    Role::Resident,
];

async fn person(live: &Live, admin: &str, name: &str, contact: &str, n: Uuid) -> PersonId {
    PersonId::new(
        live.ok(
            "/v1/persons",
            admin,
            json!({"person_id": Uuid::now_v7(), "name": name, "contact": contact, "consent": "explicit_consent",
                   "neighbourhood_id": n, "digital_access": "digital",
                   "location": {"lat": 52.0911, "lon": 5.1220}}),
        )
        .await,
    )
}

async fn grant(live: &Live, admin: &str, person: PersonId, role: &str, scope: Value) {
    live.ok(
        &format!("/v1/persons/{person}/roles"),
        admin,
        json!({"role": role, "scope": scope}),
    )
    .await;
}

impl World {
    /// Sets the world up in `live`, through the API as its administrators.
    pub async fn new(live: &Live) -> World {
        let plan = Plan {
            centre: ApproxLocation::new(52.0907, 5.1214).expect("a location"),
            ..Plan::first_run()
        };
        let a = bootstrap(
            &live.state.executor,
            &live.state.identity,
            &plan,
            Utc::now(),
        )
        .await
        .expect("tenant A is set up");
        let b = bootstrap(
            &live.state.executor,
            &live.state.identity,
            &plan,
            Utc::now(),
        )
        .await
        .expect("tenant B is set up");
        live.settle().await;
        let admin = live.token(a.tenant, a.admin, Role::Admin).await;
        let admin_b = live.token(b.tenant, b.admin, Role::Admin).await;
        let n1 = a.neighbourhood.as_uuid();
        let n2 = live
            .ok(
                "/v1/neighbourhoods",
                &admin,
                json!({"name": "Oost", "centroid": {"lat": 52.09, "lon": 5.14}, "radius_m": 1500}),
            )
            .await;
        let o1 = live
            .ok(
                "/v1/organisations",
                &admin,
                json!({"name": "Buurtzorg Oost", "kind": "social_service"}),
            )
            .await;
        let connector = person(live, &admin, "Carla Verbinder", "06-1", n1).await;
        let ambassador = person(live, &admin, "Ahmed Ambassadeur", "06-2", n1).await;
        let partner = person(live, &admin, "Petra Partner", "06-3", n1).await;
        let funder = person(live, &admin, "Frits Fonds", "06-4", n1).await;
        let auditor = person(live, &admin, "Anke Audit", "06-5", n1).await;
        let helper = person(live, &admin, "Bram Helper", "06-6", n1).await;
        let r1 = person(live, &admin, "Anna de Vries", "06-12345678", n1).await;
        let r2 = person(live, &admin, "Rob Oost", "06-7", n2).await;
        grant(
            live,
            &admin,
            connector,
            "connector",
            json!({"neighbourhoods": [n1]}),
        )
        .await;
        grant(
            live,
            &admin,
            ambassador,
            "ambassador",
            json!({"neighbourhoods": [n1]}),
        )
        .await;
        grant(
            live,
            &admin,
            partner,
            "partner",
            json!({"organisation": o1}),
        )
        .await;
        grant(live, &admin, funder, "funder", json!("tenant")).await;
        grant(live, &admin, auditor, "auditor", json!("tenant")).await;
        let tenant = a.tenant;
        let helper_as_resident = live.token(tenant, helper, Role::Resident).await;
        live.ok(
            &format!("/v1/persons/{helper}/skills"),
            &helper_as_resident,
            json!({"skills": ["grocery_shopping"], "max_distance_m": 2000, "available_for_calls": true}),
        )
        .await;
        live.ok(
            &format!("/v1/persons/{helper}/opt-in"),
            &helper_as_resident,
            json!({}),
        )
        .await;
        let q1 = live
            .ok(
                "/v1/requests",
                &admin,
                json!({"requester": r1, "category": "errands", "neighbourhood_id": n1, "consent": "explicit_consent",
                       "referred_by": o1, "channel": "partner_referral",
                       "description": "Wie kan zaterdag boodschappen voor mij doen?"}),
            )
            .await;
        let q2 = live
            .ok(
                "/v1/requests",
                &admin,
                json!({"requester": r2, "category": "errands", "neighbourhood_id": n2, "consent": "explicit_consent",
                       "description": "Hulp bij het invullen van een formulier"}),
            )
            .await;
        live.ok(
            &format!("/v1/requests/{q1}/matches"),
            &admin,
            json!({"helper": helper}),
        )
        .await;
        let rb = person(
            live,
            &admin_b,
            "Bea Ander",
            "06-9",
            b.neighbourhood.as_uuid(),
        )
        .await;
        let qb = live
            .ok(
                "/v1/requests",
                &admin_b,
                json!({"requester": rb, "category": "errands", "neighbourhood_id": b.neighbourhood, "consent": "explicit_consent",
                       "description": "Iets in een andere gemeente"}),
            )
            .await;
        live.settle().await;
        let mut tokens = Vec::new();
        for role in ROLES {
            let who = match role {
                Role::Admin => a.admin,
                Role::Connector => connector,
                Role::Ambassador => ambassador,
                Role::Partner => partner,
                Role::Funder => funder,
                Role::Auditor => auditor,
                Role::Helper => helper,
                _ => r1,
            };
            tokens.push((role, live.token(tenant, who, role).await));
        }
        World {
            tenant,
            connector,
            n1,
            n2,
            o1,
            r1,
            r2,
            helper,
            q1,
            q2,
            qb,
            tokens,
        }
    }

    /// The token of `role`.
    pub fn token(&self, role: Role) -> &str {
        self.tokens
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, t)| t.as_str())
            .unwrap_or_default()
    }
}
