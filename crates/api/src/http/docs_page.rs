//! `GET /docs`: the API reference as one HTML page, rendered here from the OpenAPI document
//! (no script, no CDN: the page works offline and under the app's strict CSP), with its
//! stylesheet at `GET /docs/style.css` so no inline style is needed.
//!
//! Operations are grouped by tag, each with its parameters, body and responses; then every
//! schema and every problem type. All text from the document is escaped.

use std::fmt::Write as _;
use std::sync::OnceLock;

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::html_escape as esc;
use super::AppState;

/// The documentation routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(docs))
        .routes(routes!(stylesheet))
}

/// The API reference.
///
/// An HTML page made from this document: operations by tag, schemas and problem types.
#[utoipa::path(
    get,
    path = "/docs",
    tag = "documentation",
    responses((status = 200, description = "The reference page.", body = String, content_type = "text/html"))
)]
async fn docs() -> Html<&'static str> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(PAGE.get_or_init(|| render(&super::openapi::cached().value)))
}

/// The reference page's stylesheet.
#[utoipa::path(
    get,
    path = "/docs/style.css",
    tag = "documentation",
    responses((status = 200, description = "The stylesheet.", body = String, content_type = "text/css"))
)]
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

const STYLE: &str = include_str!("docs_page.css");

/// The HTTP methods in the order the page lists them.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Renders the whole page from the document `doc`.
pub fn render(doc: &Value) -> String {
    let title = text(&doc["info"]["title"]);
    let version = text(&doc["info"]["version"]);
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} {v} · reference</title><link rel=\"stylesheet\" href=\"/docs/style.css\">\
         </head><body><header><h1>{t} <small>{v}</small></h1>\
         <p>OpenAPI 3.1 document: <a href=\"/openapi.json\">/openapi.json</a></p><nav><ul>",
        t = esc(&title),
        v = esc(&version),
    );
    let tags = tags(doc);
    for (name, _) in &tags {
        let _ = write!(out, "<li><a href=\"#tag-{0}\">{0}</a></li>", esc(name));
    }
    out.push_str(
        "<li><a href=\"#schemas\">schemas</a></li><li><a href=\"#problems\">problem types</a></li>\
         </ul></nav></header><main><section id=\"introduction\">",
    );
    markdown(&mut out, &text(&doc["info"]["description"]));
    out.push_str("</section>");
    security_schemes(&mut out, &doc["components"]["securitySchemes"]);
    for (name, description) in &tags {
        let _ = write!(
            out,
            "<section id=\"tag-{n}\"><h2>{n}</h2><p>{d}</p>",
            n = esc(name),
            d = esc(description)
        );
        for (path, method, op) in operations(doc, name) {
            operation(&mut out, path, method, op);
        }
        out.push_str("</section>");
    }
    schemas(&mut out, &doc["components"]["schemas"]);
    problems(&mut out, &doc["x-problem-types"]);
    out.push_str("</main></body></html>\n");
    out
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn tags(doc: &Value) -> Vec<(String, String)> {
    doc["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .map(|t| (text(&t["name"]), text(&t["description"])))
                .collect()
        })
        .unwrap_or_default()
}

/// The operations tagged `tag`, by path then method.
fn operations<'a>(doc: &'a Value, tag: &str) -> Vec<(&'a str, &'static str, &'a Value)> {
    let mut found = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return found;
    };
    for (path, item) in paths {
        for method in METHODS {
            let op = &item[method];
            let tagged = op["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x.as_str() == Some(tag)));
            if tagged {
                found.push((path.as_str(), method, op));
            }
        }
    }
    found
}

fn security_schemes(out: &mut String, schemes: &Value) {
    out.push_str("<section id=\"security\"><h2>Signing in</h2><table><thead><tr><th>scheme</th><th>how</th><th>meaning</th></tr></thead><tbody>");
    if let Some(schemes) = schemes.as_object() {
        for (name, scheme) in schemes {
            let how = match scheme["type"].as_str() {
                Some("http") => format!("Authorization: {}", text(&scheme["scheme"])),
                _ => format!("{} {}", text(&scheme["in"]), text(&scheme["name"])),
            };
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                esc(name),
                esc(&how),
                inline(&text(&scheme["description"]))
            );
        }
    }
    out.push_str("</tbody></table></section>");
}

fn operation(out: &mut String, path: &str, method: &str, op: &Value) {
    let id = text(&op["operationId"]);
    let _ = write!(
        out,
        "<article id=\"op-{id}\"><h3><span class=\"method {m}\">{M}</span> <code>{p}</code></h3><p class=\"summary\">{s}</p>",
        id = esc(&id),
        m = esc(method),
        M = esc(&method.to_ascii_uppercase()),
        p = esc(path),
        s = esc(&text(&op["summary"])),
    );
    let description = text(&op["description"]);
    if !description.is_empty() {
        markdown(out, &description);
    }
    let access = match op["security"].as_array() {
        Some(list) if !list.is_empty() => {
            let ways: Vec<String> = list
                .iter()
                .filter_map(Value::as_object)
                .map(|req| req.keys().cloned().collect::<Vec<_>>().join(" + "))
                .collect();
            format!("Signed in: {}", ways.join(" or "))
        }
        _ => "Public".to_owned(),
    };
    let _ = write!(
        out,
        "<p class=\"access\">{} · operation <code>{}</code></p>",
        esc(&access),
        esc(&id)
    );
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        out.push_str("<table><thead><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr></thead><tbody>");
        for p in params {
            let required = if p["required"].as_bool() == Some(true) {
                " <em>required</em>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&text(&p["name"])),
                required,
                esc(&text(&p["in"])),
                type_of(&p["schema"]),
                inline(&text(&p["description"]))
            );
        }
        out.push_str("</tbody></table>");
    }
    if let Some(content) = op["requestBody"]["content"].as_object() {
        for (media, body) in content {
            let _ = write!(
                out,
                "<p>Body (<code>{}</code>): {}</p>",
                esc(media),
                type_of(&body["schema"])
            );
        }
    }
    out.push_str(
        "<table><thead><tr><th>status</th><th>answer</th><th>body</th></tr></thead><tbody>",
    );
    if let Some(responses) = op["responses"].as_object() {
        for (status, response) in responses {
            let (description, body) = match response["$ref"].as_str() {
                Some(reference) => {
                    let name = reference.rsplit('/').next().unwrap_or_default();
                    (
                        format!("a problem ({name})"),
                        "<a href=\"#schema-Problem\">Problem</a>".to_owned(),
                    )
                }
                None => {
                    let bodies: Vec<String> = response["content"]
                        .as_object()
                        .map(|c| {
                            c.iter()
                                .map(|(media, b)| {
                                    format!("{} <code>{}</code>", type_of(&b["schema"]), esc(media))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    (text(&response["description"]), bodies.join("<br>"))
                }
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(status),
                inline(&description),
                body
            );
        }
    }
    out.push_str("</tbody></table></article>");
}

/// A schema's type in a few words, its named schemas linked.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema[key].as_array() {
            let sep = if key == "allOf" { " &amp; " } else { " | " };
            return parts.iter().map(type_of).collect::<Vec<_>>().join(sep);
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values
            .iter()
            .map(|v| format!("<code>{}</code>", esc(&v.to_string())))
            .collect();
        return format!("one of {}", values.join(", "));
    }
    let kinds: Vec<String> = match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts.iter().map(text).collect(),
        _ => Vec::new(),
    };
    let kinds: Vec<String> = kinds
        .into_iter()
        .map(|k| match k.as_str() {
            "array" => format!("array of {}", type_of(&schema["items"])),
            _ => match schema["format"].as_str() {
                Some(format) => format!("{} ({})", esc(&k), esc(format)),
                None => esc(&k),
            },
        })
        .collect();
    if kinds.is_empty() {
        "any".to_owned()
    } else {
        kinds.join(" | ")
    }
}

fn schemas(out: &mut String, schemas: &Value) {
    out.push_str("<section id=\"schemas\"><h2>Schemas</h2>");
    if let Some(schemas) = schemas.as_object() {
        for (name, schema) in schemas {
            let _ = write!(out, "<article id=\"schema-{0}\"><h3>{0}</h3>", esc(name));
            let description = text(&schema["description"]);
            if !description.is_empty() {
                markdown(out, &description);
            }
            properties(out, schema);
            if schema["properties"].is_null() {
                let _ = write!(out, "<p>{}</p>", type_of(schema));
            }
            out.push_str("</article>");
        }
    }
    out.push_str("</section>");
}

fn properties(out: &mut String, schema: &Value) {
    let Some(props) = schema["properties"].as_object() else {
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str(
        "<table><thead><tr><th>field</th><th>type</th><th>description</th></tr></thead><tbody>",
    );
    for (field, prop) in props {
        let mark = if required.contains(&field.as_str()) {
            " <em>required</em>"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
            esc(field),
            mark,
            type_of(prop),
            inline(&text(&prop["description"]))
        );
    }
    out.push_str("</tbody></table>");
}

fn problems(out: &mut String, list: &Value) {
    out.push_str("<section id=\"problems\"><h2>Problem types</h2><p>Every error is an RFC 9457 problem document; branch on its <code>type</code>.</p><table><thead><tr><th>type</th><th>status</th><th>group</th><th>meaning</th></tr></thead><tbody>");
    for p in list.as_array().into_iter().flatten() {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&text(&p["type"])),
            esc(&text(&p["status"])),
            esc(&text(&p["group"])),
            inline(&text(&p["meaning"]))
        );
    }
    out.push_str("</tbody></table></section>");
}

/// Escaped text with `code` spans.
fn inline(raw: &str) -> String {
    let escaped = esc(raw);
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The little Markdown the document's descriptions use: `##` headings, `-` lists, paragraphs
/// and `code` spans; everything else is text.
fn markdown(out: &mut String, raw: &str) {
    for block in raw.split("\n\n") {
        let block = block.trim();
        if block.is_empty() {
            continue;
        }
        if let Some(heading) = block.strip_prefix("## ") {
            let _ = write!(out, "<h3>{}</h3>", inline(heading));
        } else if block.starts_with("- ") {
            out.push_str("<ul>");
            for item in block.split("\n- ") {
                let item = item.trim_start_matches("- ").replace('\n', " ");
                let _ = write!(out, "<li>{}</li>", inline(&item));
            }
            out.push_str("</ul>");
        } else {
            let _ = write!(out, "<p>{}</p>", inline(&block.replace('\n', " ")));
        }
    }
}
