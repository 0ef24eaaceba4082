//! The OpenAPI contract: the document the code makes is the one checked in as
//! `docs/openapi.json` and the one served at `/openapi.json`; every route is in it and says
//! the truth about who may call it; every problem type the API can answer with is listed with
//! its status; and `/docs` shows it.
//!
//! When the code's document changes on purpose, bring the checked-in copy up to date with
//! `UPDATE_OPENAPI=1 cargo test -p noaber-api --test it openapi` (or
//! `cargo run -p noaber -- openapi > docs/openapi.json`) and commit it with the change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use noaber_api::http::openapi;
use noaber_api::http::problems;
use reqwest::StatusCode;
use serde_json::Value;

use crate::live::Live;

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn checked_in() -> String {
    std::fs::read_to_string(repo_file("docs/openapi.json")).unwrap_or_default()
}

/// Every operation of the document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            found.push((path.clone(), method.clone(), op.clone()));
        }
    }
    found
}

fn is_protected(op: &Value) -> bool {
    op["security"].as_array().is_some_and(|s| !s.is_empty())
}

#[test]
fn the_checked_in_document_is_the_one_the_code_makes() {
    let made = &openapi::cached().json;
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(repo_file("docs/openapi.json"), made)
            .expect("docs/openapi.json is writable");
        return;
    }
    assert!(
        checked_in() == *made,
        "docs/openapi.json differs from the document the code makes; if the change is meant, \
         regenerate it with `UPDATE_OPENAPI=1 cargo test -p noaber-api --test it openapi` \
         (or `cargo run -p noaber -- openapi > docs/openapi.json`) and commit it"
    );
}

#[test]
fn every_operation_is_named_summarised_tagged_and_answers_something_good() {
    let doc = &openapi::cached().value;
    assert_eq!(doc["openapi"], "3.1.0");
    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    let mut ids = BTreeSet::new();
    for (path, method, op) in operations(doc) {
        let id = op["operationId"].as_str().expect("an operation id");
        assert!(ids.insert(id.to_owned()), "operation id {id} is used twice");
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path} has no summary"
        );
        let tag = op["tags"][0].as_str().expect("a tag");
        assert!(
            tags.contains(tag),
            "{method} {path} has the unknown tag {tag}"
        );
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses
                .keys()
                .any(|s| s.starts_with('2') || s.starts_with('3')),
            "{method} {path} answers nothing but problems"
        );
        assert!(
            responses.contains_key("500"),
            "{method} {path} lacks its 500"
        );
        if is_protected(&op) {
            for status in ["401", "403"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} lacks {status}"
                );
            }
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("400"), "{method} {path} lacks 400");
        }
    }
    assert!(ids.len() > 80, "only {} operations", ids.len());
}

#[test]
fn the_protected_operations_are_every_v1_operation_but_the_public_ones() {
    let doc = &openapi::cached().value;
    let public_v1 = [
        ("/v1/taxonomy", "get"),
        ("/v1/auth/sign-in", "post"),
        ("/v1/auth/link", "post"),
    ];
    for (path, method, op) in operations(doc) {
        let public =
            !path.starts_with("/v1/") || public_v1.contains(&(path.as_str(), method.as_str()));
        assert_eq!(
            is_protected(&op),
            !public,
            "{method} {path}: protected in the document is not what the routes say"
        );
        if is_protected(&op) && method != "get" {
            let ways = op["security"].to_string();
            assert!(
                ways.contains("csrf"),
                "{method} {path}: a change by cookie needs the CSRF header"
            );
        }
    }
}

/// The slugs and statuses of `docs/problem-types.md`'s tables.
fn markdown_problem_types() -> BTreeMap<String, u16> {
    let text = std::fs::read_to_string(repo_file("docs/problem-types.md")).expect("readable");
    let mut found = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let (Some(slug), Ok(status)) = (
            cells[1].strip_prefix('`').and_then(|c| c.strip_suffix('`')),
            cells[2].parse::<u16>(),
        ) else {
            continue;
        };
        found.insert(slug.to_owned(), status);
    }
    found
}

#[test]
fn the_problem_table_lists_what_the_documentation_lists_with_the_same_statuses() {
    let table: BTreeMap<String, u16> = problems::ALL
        .iter()
        .map(|p| (p.slug.to_owned(), p.status))
        .collect();
    assert_eq!(
        table.len(),
        problems::ALL.len(),
        "a slug is in the table twice"
    );
    assert_eq!(table, markdown_problem_types());
}

/// Every Rust source file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a readable source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The string literals that follow `marker` in `text`.
fn literals_after<'a>(text: &'a str, marker: &str) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &text[i + marker.len()..];
            rest.split('"').next()
        })
        .collect()
}

#[test]
fn every_problem_type_a_handler_names_is_in_the_table_with_its_status() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut named = Vec::new();
    for file in sources(&src) {
        let text = std::fs::read_to_string(&file).expect("readable");
        for slug in literals_after(&text, "rule(\"") {
            named.push((slug.to_owned(), 422, file.clone()));
        }
        for slug in literals_after(&text, "code: \"") {
            named.push((slug.to_owned(), 0, file.clone()));
        }
    }
    assert!(named.len() > 10, "the scan found too little: {named:?}");
    for (slug, status, file) in named {
        if slug == "some-rule" || slug == "already-offered" {
            continue; // the examples of error.rs's own unit tests
        }
        let entry = problems::find(&slug).unwrap_or_else(|| {
            panic!(
                "{} answers `{slug}`, which the problem table lacks",
                file.display()
            )
        });
        if status != 0 {
            assert_eq!(
                entry.status, status,
                "`{slug}` is answered with another status"
            );
        }
    }
}

#[test]
fn no_route_is_registered_outside_the_document() {
    // `routes!` takes a route's path and method from its description; a plain `.route(` (or a
    // nested plain router) would serve an address the document does not know.
    let http = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    for file in sources(&http) {
        let text = std::fs::read_to_string(&file).expect("readable");
        for forbidden in [
            ".route(",
            ".route_service(",
            ".nest_service(",
            "Router::new()",
        ] {
            let used = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .any(|l| l.contains(forbidden) && !l.contains("OpenApiRouter::new()"));
            assert!(
                !used,
                "{} registers a route with `{forbidden}`",
                file.display()
            );
        }
    }
}

#[tokio::test]
async fn the_served_document_is_the_checked_in_one_and_the_page_shows_it() {
    let live = Live::sqlite().await;
    let client = reqwest::Client::new();
    let answer = client
        .get(format!("{}/openapi.json", live.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        answer.headers()["content-type"].to_str().ok(),
        Some("application/json")
    );
    let served = answer.text().await.expect("a body");
    assert!(
        served == checked_in(),
        "GET /openapi.json is not docs/openapi.json"
    );

    let page = client
        .get(format!("{}/docs", live.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(page.status(), StatusCode::OK);
    let content_type = page.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = page.text().await.expect("a body");
    for shown in [
        "<code>/v1/requests/{id}/offers</code>",
        "Offer help",
        "<code>/v1/me/tokens</code>",
        "id=\"schema-Written\"",
        "urn:noaber:problem:already-offered",
        "href=\"/docs/style.css\"",
    ] {
        assert!(html.contains(shown), "the page lacks {shown}");
    }
    assert!(!html.contains("<script"), "the page runs no script");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page loads nothing from elsewhere"
    );

    let style = client
        .get(format!("{}/docs/style.css", live.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(style.status(), StatusCode::OK);
    assert!(style.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .starts_with("text/css"));
}

#[tokio::test]
async fn an_unsigned_call_is_refused_exactly_where_the_document_asks_for_a_sign_in() {
    let live = Live::sqlite().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let some_id = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b";
    for (path, method, op) in operations(&openapi::cached().value) {
        if path == "/v1/stream" && !is_protected(&op) {
            panic!("the stream must be protected");
        }
        let url = format!(
            "{}{}",
            live.base,
            path.replace("{id}", some_id)
                .replace("{helper}", some_id)
                .replace("{name}", "nobody")
        );
        let method =
            reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("a method");
        let answer = client
            .request(method.clone(), &url)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("an answer");
        let unauthenticated = answer.status() == StatusCode::UNAUTHORIZED
            && answer
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
        if is_protected(&op) {
            assert!(
                unauthenticated,
                "{method} {path} answered {} without a sign-in",
                answer.status()
            );
        } else if path != "/v1/auth/sign-in" && path != "/v1/auth/link" && path != "/auth/link" {
            assert!(
                !unauthenticated,
                "{method} {path} is public in the document but wants a sign-in"
            );
        }
    }
}
