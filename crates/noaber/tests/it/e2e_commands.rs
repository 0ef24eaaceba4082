//! End-to-end tests of the command and read endpoints: the real binary on a fresh PostgreSQL
//! database, spoken to over real HTTP, taking a help request through its life, trying what the
//! rules refuse, and reading what connectors and funders see.

use crate::support::{data_dir_arg, Server};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// Someone calling the API in one role.
#[derive(Clone)]
struct Caller {
    client: reqwest::Client,
    base: String,
    tenant: Uuid,
    id: Uuid,
    role: &'static str,
}

impl Caller {
    fn new(server: &Server, tenant: Uuid, role: &'static str) -> Caller {
        Caller {
            client: reqwest::Client::new(),
            base: server.base_url.clone(),
            tenant,
            id: Uuid::now_v7(),
            role,
        }
    }

    async fn post_with_key(
        &self,
        path: &str,
        body: Value,
        key: Option<Uuid>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .post(format!("{}{}", self.base, path))
            .header("x-noaber-tenant", self.tenant.to_string())
            .header("x-noaber-actor", self.id.to_string())
            .header("x-noaber-role", self.role)
            .json(&body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key.to_string());
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let body = response.json().await.expect("a JSON body");
        (status, body)
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post_with_key(path, body, None).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{}", self.base, path))
            .header("x-noaber-tenant", self.tenant.to_string())
            .header("x-noaber-actor", self.id.to_string())
            .header("x-noaber-role", self.role)
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let body = response.json().await.expect("a JSON body");
        (status, body)
    }

    /// Posts and insists on the status, showing the body when it differs.
    async fn ok(&self, path: &str, body: Value, status: StatusCode) -> Value {
        let (got, body) = self.post(path, body).await;
        assert_eq!(got, status, "POST {path} answered {body}");
        body
    }
}

fn id_of(body: &Value) -> String {
    body["id"]
        .as_str()
        .expect("the response names the id")
        .to_owned()
}

async fn start() -> Option<Server> {
    let url = noaber_store::testing::fresh_pg_database().await?;
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let server = Server::start(&[
        &format!("--database-url={url}"),
        &data_dir_arg(tmp.path()),
        &format!(
            "--master-key-file={}",
            tmp.path().join("master.key").display()
        ),
    ]);
    // The key file is written at start; the directory may go.
    drop(tmp);
    Some(server)
}

struct World {
    admin: Caller,
    connector: Caller,
    resident: Caller,
    helper: Caller,
    neighbourhood: String,
}

async fn world(server: &Server) -> World {
    let tenant = Uuid::now_v7();
    let admin = Caller::new(server, tenant, "admin");
    let connector = Caller::new(server, tenant, "connector");
    let resident = Caller::new(server, tenant, "resident");
    let helper = Caller::new(server, tenant, "helper");
    let created = admin
        .ok(
            "/v1/neighbourhoods",
            json!({"name": "De Kruidenbuurt", "centroid": {"lat": 52.2215, "lon": 6.8937}, "radius_m": 1500}),
            StatusCode::CREATED,
        )
        .await;
    let neighbourhood = id_of(&created);
    for (person, name) in [(&resident, "Anna de Vries"), (&helper, "Bram Jansen")] {
        let body = person
            .ok(
                "/v1/persons",
                json!({"name": name, "neighbourhood_id": neighbourhood, "digital_access": "digital",
                       "location": {"lat": 52.2221, "lon": 6.8941}}),
                StatusCode::CREATED,
            )
            .await;
        assert_eq!(
            id_of(&body),
            person.id.to_string(),
            "a resident registers as themselves"
        );
    }
    let skills = format!("/v1/persons/{}/skills", helper.id);
    helper
        .ok(
            &skills,
            json!({"skills": ["grocery_shopping"], "max_distance_m": 2000, "available_for_calls": true}),
            StatusCode::OK,
        )
        .await;
    helper
        .ok(
            &format!("/v1/persons/{}/opt-in", helper.id),
            json!({}),
            StatusCode::OK,
        )
        .await;
    World {
        admin,
        connector,
        resident,
        helper,
        neighbourhood,
    }
}

async fn post_request(world: &World) -> String {
    let body = world
        .resident
        .ok(
            "/v1/requests",
            json!({"category": "errands", "neighbourhood_id": world.neighbourhood,
                   "description": "Wie kan zaterdag boodschappen voor mij doen?"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(body["events"], json!(["RequestPosted"]));
    id_of(&body)
}

#[tokio::test]
async fn a_request_goes_from_posted_to_resolved_with_feedback_over_http() {
    let Some(server) = start().await else { return };
    let world = world(&server).await;
    let request = post_request(&world).await;
    let r = |tail: &str| format!("/v1/requests/{request}/{tail}");

    world
        .connector
        .ok(
            &r("triage"),
            json!({"route": "informal", "note": "graag deze week"}),
            StatusCode::OK,
        )
        .await;
    world
        .helper
        .ok(
            &r("offers"),
            json!({"message": "Ik ga toch al"}),
            StatusCode::OK,
        )
        .await;
    world
        .resident
        .ok(
            &r("matches"),
            json!({"helper": world.helper.id}),
            StatusCode::OK,
        )
        .await;
    let resolved = world
        .helper
        .ok(
            &r("resolve"),
            json!({"resolution": "neighbour", "helpers_credited": [world.helper.id], "minutes_given": 45}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(resolved["events"], json!(["RequestResolved"]));
    let feedback = world
        .resident
        .ok(
            &r("feedback"),
            json!({"rating": 5, "comment": "Top!"}),
            StatusCode::OK,
        )
        .await;
    assert!(
        feedback["version"].as_u64().expect("a version") >= 5,
        "{feedback}"
    );
}

#[tokio::test]
async fn a_retried_command_with_the_same_idempotency_key_writes_nothing_new() {
    let Some(server) = start().await else { return };
    let world = world(&server).await;
    let key = Uuid::now_v7();
    let body = json!({"category": "errands", "neighbourhood_id": world.neighbourhood,
                      "description": "Hulp bij het ophangen van een lamp"});
    let (first_status, first) = world
        .resident
        .post_with_key("/v1/requests", body.clone(), Some(key))
        .await;
    assert_eq!(first_status, StatusCode::CREATED, "{first}");
    let (_, again) = world
        .resident
        .post_with_key("/v1/requests", body, Some(key))
        .await;
    assert_eq!(again["id"], first["id"], "the retry names the same request");
    assert_eq!(again["positions"], first["positions"]);
    assert_eq!(again["retry"], true);
}

#[tokio::test]
async fn the_rules_refuse_with_the_right_status_and_a_problem_document() {
    let Some(server) = start().await else { return };
    let world = world(&server).await;
    let request = post_request(&world).await;

    // A requester cannot offer on their own request, even as a helper: a broken rule, 422.
    let requester_as_helper = Caller {
        role: "helper",
        ..world.resident.clone()
    };
    let (status, problem) = requester_as_helper
        .post(&format!("/v1/requests/{request}/offers"), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["type"], "urn:noaber:problem:own-request");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("own request")),
        "{problem}"
    );

    // A resident who did not opt in as helper may not offer at all: 403.
    let neighbour = Caller::new(&server, world.admin.tenant, "resident");
    let (status, problem) = neighbour
        .post(&format!("/v1/requests/{request}/offers"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    // A funder can cause no event at all: 403.
    let funder = Caller::new(&server, world.admin.tenant, "funder");
    let (status, problem) = funder
        .post(
            &format!("/v1/requests/{request}/triage"),
            json!({"route": "informal"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");

    // An unknown category never reaches the domain: 400.
    let (status, problem) = world
        .resident
        .post(
            "/v1/requests",
            json!({"category": "no_such_category", "neighbourhood_id": world.neighbourhood, "description": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    // A request of another tenant is not found, and not changed.
    let stranger = Caller::new(&server, Uuid::now_v7(), "connector");
    let (status, problem) = stranger
        .post(&format!("/v1/requests/{request}/void"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");

    // A request that was never posted: 404.
    let (status, _) = world
        .connector
        .post(&format!("/v1/requests/{}/void", Uuid::now_v7()), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_json_and_missing_identity_are_answered_with_problem_documents() {
    let Some(server) = start().await else { return };
    let client = reqwest::Client::new();

    let response = client
        .post(server.url("/v1/requests"))
        .header("x-noaber-tenant", Uuid::now_v7().to_string())
        .header("x-noaber-actor", Uuid::now_v7().to_string())
        .header("x-noaber-role", "resident")
        .header("content-type", "application/json")
        .body("{\"category\": ")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.expect("a problem document");
    assert_eq!(problem["status"], 400);
    assert_eq!(problem["type"], "urn:noaber:problem:bad-input");

    let response = client
        .post(server.url("/v1/requests"))
        .json(&json!({}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let problem: Value = response.json().await.expect("a problem document");
    assert_eq!(problem["type"], "urn:noaber:problem:unauthenticated");
}

#[tokio::test]
async fn a_referral_needs_an_organisation_of_the_same_tenant() {
    let Some(server) = start().await else { return };
    let world = world(&server).await;
    let request = post_request(&world).await;
    let organisation = world
        .connector
        .ok(
            "/v1/organisations",
            json!({"name": "Sociaal Huis Oost", "kind": "social_service"}),
            StatusCode::CREATED,
        )
        .await;
    let organisation = id_of(&organisation);

    let elsewhere = Caller::new(&server, Uuid::now_v7(), "connector");
    let foreign = elsewhere
        .ok(
            "/v1/organisations",
            json!({"name": "Elders", "kind": "care_provider"}),
            StatusCode::CREATED,
        )
        .await;
    let (status, problem) = world
        .connector
        .post(
            &format!("/v1/requests/{request}/referrals"),
            json!({"organisation_id": id_of(&foreign)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    let referred = world
        .connector
        .ok(
            &format!("/v1/requests/{request}/referrals"),
            json!({"organisation_id": organisation, "reason": "vraagt om een vakman"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(referred["events"], json!(["ReferredToProfessional"]));
}

#[tokio::test]
async fn connectors_residents_and_funders_each_read_what_they_may() {
    let Some(server) = start().await else { return };
    let world = world(&server).await;
    let request = post_request(&world).await;
    let feed = format!("/v1/neighbourhoods/{}/feed?fresh=true", world.neighbourhood);

    // The resident feed shows the open request, posted by a resident.
    let (status, page) = world.helper.get(&feed).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().expect("feed items");
    let item = items
        .iter()
        .find(|i| i["id"] == request.as_str())
        .expect("the new request is in the feed");
    assert_eq!(item["posted_by"], "resident");

    // The connector queue holds it as untriaged.
    let (status, queue) = world
        .connector
        .get(&format!(
            "/v1/queue?fresh=true&neighbourhoods={}",
            world.neighbourhood
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let entry = queue
        .as_array()
        .expect("queue items")
        .iter()
        .find(|i| i["subject"]["id"] == request.as_str())
        .expect("the request is in the queue");
    assert!(
        entry["reasons"]
            .as_array()
            .is_some_and(|r| r.contains(&json!("untriaged"))),
        "{entry}"
    );

    // Suggestions name the helper who declared a fitting skill.
    let (status, suggestions) = world
        .connector
        .get(&format!("/v1/requests/{request}/suggestions?fresh=true"))
        .await;
    assert_eq!(status, StatusCode::OK, "{suggestions}");
    assert!(
        suggestions
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x["helper"] == world.helper.id.to_string())),
        "{suggestions}"
    );

    // The audit view holds the request's history with who did it.
    let (status, history) = world
        .connector
        .get(&format!("/v1/requests/{request}/history"))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history[0]["event_type"], "RequestPosted");
    assert_eq!(history[0]["actor_role"], "resident");

    // A funder gets figures, with small counts suppressed, and nothing else.
    let funder = Caller::new(&server, world.admin.tenant, "funder");
    let (status, figures) = funder
        .get("/v1/kpis?fresh=true&from=2000-01-01&to=2040-01-01")
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert!(
        figures.to_string().contains("suppressed"),
        "one request is below the threshold and must be suppressed: {figures}"
    );
    let (status, series) = funder
        .get("/v1/kpis?from=2000-01-01&to=2040-01-01&by=category&series=quarter&compare_from=1990-01-01&compare_to=2000-01-01")
        .await;
    assert_eq!(status, StatusCode::OK, "{series}");
    let (status, problem) = funder.get("/v1/kpis?from=2020-01-01&to=2019-01-01").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (status, _) = funder.get(&feed).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Signals and the helper directory, for connectors.
    let (status, signals) = world
        .connector
        .get(&format!(
            "/v1/signals?neighbourhoods={}&from=2000-01-01&to=2040-01-01&granularity=month",
            world.neighbourhood
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{signals}");
    let (status, helpers) = world
        .connector
        .get("/v1/helpers?skill=grocery_shopping&lat=52.2215&lon=6.8937&fresh=true")
        .await;
    assert_eq!(status, StatusCode::OK, "{helpers}");
    assert!(
        helpers
            .as_array()
            .is_some_and(|h| h.iter().any(|x| x["person"] == world.helper.id.to_string())),
        "{helpers}"
    );

    // A resident reads their own history, not someone else's.
    let (status, own) = world
        .resident
        .get(&format!(
            "/v1/persons/{}/history?fresh=true",
            world.resident.id
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(
        own.as_array().is_some_and(|h| h.len() >= 2),
        "registration and request: {own}"
    );
    let (status, _) = world
        .resident
        .get(&format!("/v1/persons/{}/history", world.helper.id))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = funder.get(&format!("/v1/requests/{request}/history")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Another tenant's connector cannot read this neighbourhood's feed.
    let stranger = Caller::new(&server, Uuid::now_v7(), "connector");
    let (status, _) = stranger.get(&feed).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_call_is_published_answered_and_closed_over_http() {
    let Some(server) = start().await else { return };
    let world = world(&server).await;
    let deadline = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let call = world
        .connector
        .ok(
            "/v1/calls",
            json!({"title": "Sneeuwruimen rond het buurthuis", "fields_asked": ["name", "contact"],
                   "hands_needed": 5, "deadline": deadline, "neighbourhoods": [world.neighbourhood]}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(call["events"], json!(["CallPublished"]));
    let call = id_of(&call);

    let (status, problem) = world
        .resident
        .post(
            &format!("/v1/calls/{call}/answers"),
            json!({"name": "Anna"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the contact asked for is missing: {problem}"
    );
    world
        .resident
        .ok(
            &format!("/v1/calls/{call}/answers"),
            json!({"name": "Anna", "contact": "06-12345678"}),
            StatusCode::OK,
        )
        .await;
    let closed = world
        .connector
        .ok(
            &format!("/v1/calls/{call}/close"),
            json!({"reason": "filled"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(closed["events"], json!(["CallClosed"]));
}

#[tokio::test]
async fn erasing_a_person_over_http_makes_later_personal_data_about_them_impossible() {
    let Some(server) = start().await else { return };
    let world = world(&server).await;
    let erased = world
        .connector
        .ok(
            &format!("/v1/persons/{}/erase", world.resident.id),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(erased["events"], json!(["PersonErased"]));
    let (status, problem) = world
        .connector
        .post(
            &format!("/v1/persons/{}/profile", world.resident.id),
            json!({"name": "Anna opnieuw"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
}

#[tokio::test]
async fn a_description_posted_over_http_is_not_stored_in_clear() {
    let Some(url) = noaber_store::testing::fresh_pg_database().await else {
        return;
    };
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let server = Server::start(&[&format!("--database-url={url}"), &data_dir_arg(tmp.path())]);
    let world = world(&server).await;
    let secret = "Mijn buurman mag niet weten dat ik hulp nodig heb";
    world
        .resident
        .ok(
            "/v1/requests",
            json!({"category": "errands", "neighbourhood_id": world.neighbourhood, "description": secret}),
            StatusCode::CREATED,
        )
        .await;
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("the test database accepts connections");
    let (rows, leaks): (i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where payload::text like '%' || $1 || '%') from events",
    )
    .bind("buurman mag niet")
    .fetch_one(&mut conn)
    .await
    .expect("the log can be read");
    assert!(rows > 0, "events were written");
    assert_eq!(leaks, 0, "the description was stored in clear");
}
