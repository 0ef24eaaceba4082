//! Regressions for what the schema fuzzing (scripts/schemathesis.sh) found: answers the
//! OpenAPI document did not describe.

use reqwest::StatusCode;

use crate::live::Live;

/// Found by schemathesis: `POST /auth/link` without a form body answered axum's plain-text
/// 415, not a problem document.
#[tokio::test]
async fn the_link_pages_form_answers_a_problem_document_for_a_body_that_is_not_a_form() {
    let live = Live::sqlite().await;
    let client = reqwest::Client::new();
    let url = format!("{}/auth/link", live.base);
    let cases = [
        (
            None,
            "",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        ),
        (
            Some("application/json"),
            "{}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        ),
        (
            Some("application/x-www-form-urlencoded"),
            "nothing=here",
            StatusCode::BAD_REQUEST,
            "bad-input",
        ),
    ];
    for (content_type, body, status, code) in cases {
        let mut request = client.post(&url).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let answer = request.send().await.expect("an answer");
        assert_eq!(answer.status(), status, "{content_type:?}");
        assert_eq!(
            answer.headers()["content-type"].to_str().ok(),
            Some("application/problem+json")
        );
        let problem: serde_json::Value = answer.json().await.expect("a problem");
        assert_eq!(problem["type"], format!("urn:noaber:problem:{code}"));
    }
}
