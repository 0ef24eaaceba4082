//! The OpenAPI 3.1 document of the HTTP API, generated from the routes themselves and served
//! at `GET /openapi.json` (ADR 0041).
//!
//! Every route is registered through `utoipa-axum`'s `OpenApiRouter` and `routes!`, which take
//! the path and method from the handler's `#[utoipa::path]`: a route cannot exist without its
//! description. What every operation shares is added here, once, from the code that decides
//! it: the security of the protected tree (the operations behind `authn::require_actor`), the
//! problem responses by what an operation takes (a body, a path, a signed-in caller, a command)
//! with the problem types of [`super::problems`], and the `idempotency-key` header of every
//! command. The document is kept in `docs/openapi.json`; a test fails when the two differ.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::PROBLEM_JSON;
use super::problems::{self, ProblemType};
use super::AppState;

/// Where the document is served.
pub const PATH: &str = "/openapi.json";

/// The API's version in the document: the crate's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The route of the document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(openapi_json))
}

/// This document.
///
/// The OpenAPI 3.1 description of every route of this server, as JSON. Generate a client
/// from it; `GET /docs` shows it as a page.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "documentation",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object, content_type = "application/json"))
)]
async fn openapi_json() -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        cached().json.clone(),
    )
        .into_response()
}

/// The document, made once per process.
#[derive(Debug)]
pub struct Document {
    /// As a JSON value.
    pub value: Value,
    /// As served and checked in: pretty, keys sorted, ending in a newline.
    pub json: String,
}

/// The document of this build, made on first use.
pub fn cached() -> &'static Document {
    static DOCUMENT: OnceLock<Document> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let value = document();
        let json = pretty(&value);
        Document { value, json }
    })
}

/// The document as text: pretty-printed, every object's keys sorted (`serde_json` keeps them
/// in a sorted map), with a final newline.
pub fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Builds the document from the routes of the application.
pub fn document() -> Value {
    let (_, api) = super::routes(|protected| protected).split_for_parts();
    finish(api)
}

/// Marks every operation of `router` as needing a signed-in caller: a bearer token, or the
/// session cookie (with the CSRF header on a change). Applied to the tree behind
/// `authn::require_actor`, so the document says exactly what the middleware enforces.
pub fn protect(mut router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let none = Vec::<String>::new;
    for item in router.get_openapi_mut().paths.paths.values_mut() {
        let reads = [&mut item.get, &mut item.head];
        for op in reads.into_iter().flatten() {
            op.security = Some(vec![
                SecurityRequirement::new("bearer", none()),
                SecurityRequirement::new("session", none()),
            ]);
        }
        let changes = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in changes.into_iter().flatten() {
            op.security = Some(vec![
                SecurityRequirement::new("bearer", none()),
                SecurityRequirement::new("session", none()).add("csrf", none()),
            ]);
        }
    }
    router
}

/// The document's introduction (Markdown).
const DESCRIPTION: &str = include_str!("openapi_intro.md");

/// The tags, in the order the documentation page shows them, each with its description.
const TAGS: &[(&str, &str)] = &[
    (
        "sign-in",
        "Signing in with a password or a single-use link, and the pages a link opens.",
    ),
    (
        "me",
        "The signed-in person: who am I, roles, password, bearer tokens, own lists, own data.",
    ),
    (
        "requests",
        "Help requests and every step of their life: offers, matches, referrals, resolution.",
    ),
    (
        "calls",
        "Calls (oproepen): an organisation asks many hands at once; residents answer.",
    ),
    (
        "standing-offers",
        "Standing offers (aanbod): specific help a neighbour offers, taken up by a resident.",
    ),
    (
        "persons",
        "Registering people, their profile, skills, helper opt-in, erasure and roles.",
    ),
    (
        "people",
        "Looking people up by name, skill and availability, and the volunteer list.",
    ),
    (
        "safeguarding",
        "Screenings, suspensions, sensitive categories, incidents and complaints.",
    ),
    (
        "social-map",
        "Neighbourhoods and organisations: the social map a connector refers to.",
    ),
    (
        "reads",
        "The read models: feed, queue, suggestions, helpers, figures, signals, histories.",
    ),
    (
        "tenant",
        "Settings of the tenant: retention of personal data.",
    ),
    ("live", "Live updates as Server-Sent Events."),
    (
        "taxonomy",
        "Skills, request categories and target groups with their labels.",
    ),
    ("operations", "Probes and metrics for those who run Noaber."),
    ("documentation", "This document and its page."),
];

/// Adds what every operation shares and turns the document into JSON.
fn finish(mut api: OpenApi) -> Value {
    api.openapi = utoipa::openapi::OpenApiVersion::Version31;
    let mut doc = serde_json::to_value(&api).unwrap_or_else(|_| json!({}));
    doc["openapi"] = json!("3.1.0");
    doc["info"] = json!({
        "title": "Noaber API",
        "version": VERSION,
        "summary": "Neighbourhood help (burenhulp), event-sourced: requests, offers, matches, calls, referrals.",
        "description": DESCRIPTION,
        "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
    });
    doc["tags"] = Value::Array(
        TAGS.iter()
            .map(|(name, description)| json!({"name": name, "description": description}))
            .collect(),
    );
    doc["x-problem-types"] = Value::Array(problems::ALL.iter().map(problem_entry).collect());
    let components = doc
        .as_object_mut()
        .map(|d| d.entry("components").or_insert_with(|| json!({})));
    if let Some(components) = components {
        add_components(components);
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                complete_operation(path, method, op);
            }
        }
    }
    doc
}

fn problem_entry(p: &ProblemType) -> Value {
    json!({
        "type": p.urn(),
        "status": p.status,
        "title": p.title(),
        "group": p.group,
        "meaning": p.meaning,
    })
}

/// The statuses a problem can be answered with, each with its component response's name.
const PROBLEM_RESPONSES: &[(u16, &str, &str)] = &[
    (400, "BadInput", "The request is malformed: its body, a path id, a query parameter or a header."),
    (401, "Unauthenticated", "Who is asking is not known, or the sign-in was refused."),
    (403, "Forbidden", "The caller may not do this, or it lies outside their reach."),
    (404, "NotFound", "Nothing lives here, or the thing named does not exist in the caller's tenant."),
    (409, "Conflict", "Someone changed the same thing first, the thing exists already, or the idempotency key was used for another request."),
    (413, "BodyTooLarge", "The body is larger than the API reads."),
    (415, "UnsupportedMediaType", "The body is not sent as JSON."),
    (422, "Refused", "A rule of neighbourhood help refused the command; the problem type names the rule."),
    (429, "TooManyAttempts", "Too many failed sign-ins; `Retry-After` says when to try again."),
    (500, "Internal", "A fault inside Noaber; logged, never detailed (quote the x-request-id header)."),
    (503, "Unavailable", "The event log cannot be reached or the read models lag; try again shortly."),
];

fn add_components(components: &mut Value) {
    // The `data` of each event of `GET /v1/stream`: named by the operation's description, but
    // not by any schema of a JSON body, so it is added here.
    let stream_event = <super::stream::StreamEvent as utoipa::PartialSchema>::schema();
    components["schemas"]["StreamEvent"] = serde_json::to_value(stream_event).unwrap_or_default();
    components["securitySchemes"] = json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "nbr_...",
            "description": "A bearer token (made with `POST /v1/me/tokens`): `Authorization: Bearer nbr_...`. It acts in the one role it was made for.",
        },
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": super::authn::SESSION_COOKIE,
            "description": "The session cookie a sign-in sets (`__Host-noaber_session` when served over https). A change made with it must also carry the CSRF header.",
        },
        "csrf": {
            "type": "apiKey",
            "in": "header",
            "name": super::authn::CSRF_HEADER,
            "description": "The session's CSRF token (from the sign-in answer or `GET /v1/me`), required with the session cookie on every POST and PUT.",
        },
    });
    let urns: Vec<String> = problems::ALL.iter().map(ProblemType::urn).collect();
    let schemas = &mut components["schemas"];
    schemas["Problem"] = json!({
        "type": "object",
        "description": "An RFC 9457 problem document (`application/problem+json`). Branch on `type`, never on `detail`.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "enum": urns, "description": "The kind of problem, a stable URN (see x-problem-types)."},
            "title": {"type": "string", "description": "A short summary of the kind of problem."},
            "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status."},
            "detail": {"type": "string", "description": "What went wrong this time, for a person."},
        },
        "examples": [{
            "type": "urn:noaber:problem:already-offered",
            "title": "Not possible",
            "status": 422,
            "detail": "this helper already offered to help with this request",
        }],
    });
    schemas["ProblemType"] = json!({
        "type": "object",
        "description": "An entry of `x-problem-types`: one kind of problem, its status and meaning.",
        "required": ["type", "status", "title", "group", "meaning"],
        "properties": {
            "type": {"type": "string"},
            "status": {"type": "integer"},
            "title": {"type": "string"},
            "group": {"type": "string"},
            "meaning": {"type": "string"},
        },
    });
    let responses = &mut components["responses"];
    for (status, name, description) in PROBLEM_RESPONSES {
        let of_status: Vec<&ProblemType> = problems::ALL
            .iter()
            .filter(|p| p.status == *status)
            .collect();
        let slugs: Vec<String> = of_status.iter().map(|p| format!("`{}`", p.slug)).collect();
        let example = of_status.first().map(|p| {
            json!({"type": p.urn(), "title": p.title(), "status": p.status, "detail": p.meaning})
        });
        let mut content = json!({"schema": {"$ref": "#/components/schemas/Problem"}});
        if let Some(example) = example {
            content["example"] = example;
        }
        responses[*name] = json!({
            "description": format!("{description} Problem types: {}.", slugs.join(", ")),
            "content": {PROBLEM_JSON: content},
        });
    }
    let mut too_many = responses["TooManyAttempts"].take();
    too_many["headers"] = json!({"Retry-After": {
        "description": "Seconds until a sign-in may succeed again.",
        "schema": {"type": "integer", "minimum": 0},
    }});
    responses["TooManyAttempts"] = too_many;
}

/// Operations that answer without the log or the read models: no 503.
const WITHOUT_STORE: &[&str] = &[
    "/healthz",
    "/metrics",
    "/v1/taxonomy",
    PATH,
    "/docs",
    "/docs/style.css",
];

/// Adds an operation's problem responses and, for a command, its idempotency header.
fn complete_operation(path: &str, method: &str, op: &mut Value) {
    let Some(op) = op.as_object_mut() else {
        return;
    };
    let protected = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let has_body = op.contains_key("requestBody");
    let has_params = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty());
    let in_path = path.contains('{');
    let command = is_command(op);
    let change = method != "get";
    if command {
        add_idempotency_header(op);
    }
    let mut statuses: Vec<u16> = vec![500];
    if has_body || has_params || protected || command {
        statuses.push(400);
    }
    if protected {
        // 422 on a read too: a rule of the read's own (suggestions for a closed request).
        statuses.extend([401, 403, 404, 422]);
    }
    if in_path {
        statuses.push(404);
    }
    if has_body {
        statuses.extend([413, 415]);
    }
    if protected && change {
        statuses.extend([409, 422]);
    }
    // Signing in: refused (401), a rule of accounts (422: a weak password, a reset link
    // without one), too many failed attempts (429).
    let link_page = method == "get" && path == "/auth/link";
    if !protected && path.contains("/auth/") && !link_page {
        statuses.extend([401, 422, 429]);
    }
    if !WITHOUT_STORE.contains(&path) {
        statuses.push(503);
    }
    let responses = op.entry("responses").or_insert_with(|| json!({}));
    for status in statuses {
        let key = status.to_string();
        if responses.get(&key).is_some() {
            continue;
        }
        if let Some((_, name, _)) = PROBLEM_RESPONSES.iter().find(|(s, _, _)| *s == status) {
            responses[key] = json!({"$ref": format!("#/components/responses/{name}")});
        }
    }
}

/// Whether an operation answers with [`Written`](super::commands::Written): a command.
fn is_command(op: &Map<String, Value>) -> bool {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return false;
    };
    responses.values().any(|r| {
        r.pointer("/content/application~1json/schema/$ref")
            .and_then(Value::as_str)
            == Some("#/components/schemas/Written")
    })
}

fn add_idempotency_header(op: &mut Map<String, Value>) {
    let parameters = op.entry("parameters").or_insert_with(|| json!([]));
    if let Some(list) = parameters.as_array_mut() {
        list.push(json!({
            "name": super::extract::IDEMPOTENCY_HEADER,
            "in": "header",
            "required": false,
            "description": "A UUID naming this command: a retry with the same key answers the first outcome (`retry: true`) and writes nothing again; the same key for another command is `idempotency-key-reused` (409).",
            // No example: a client that copied one key into every command would see every
            // command but the first refused as `idempotency-key-reused`.
            "schema": {"type": "string", "format": "uuid"},
        }));
    }
}
