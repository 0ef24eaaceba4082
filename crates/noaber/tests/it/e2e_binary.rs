//! End-to-end tests of the real `noaber` binary: started as a process, spoken to over real HTTP,
//! against the embedded default in a temporary directory and against a fresh PostgreSQL database.

use crate::support::{data_dir_arg, run, Server};

#[tokio::test]
async fn serve_on_the_embedded_default_answers_healthz_and_names_its_data_dir_first() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data_dir = tmp.path().join("fresh").join("noaber-data");
    let server = Server::start(&[&data_dir_arg(&data_dir)]);

    let absolute = data_dir
        .canonicalize()
        .expect("serve created the data directory");
    let first = server.log.first().expect("serve logged something");
    assert!(
        first.contains(&absolute.display().to_string()),
        "the first log line names the data directory {}: {first}",
        absolute.display()
    );
    assert!(
        absolute.join("noaber.db").exists(),
        "the log file is in the data directory"
    );

    let response = reqwest::get(server.url("/healthz"))
        .await
        .expect("healthz answers");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body, serde_json::json!({"status": "ok"}));

    let response = reqwest::get(server.url("/readyz"))
        .await
        .expect("readyz answers");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn serve_stops_cleanly_on_sigterm() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let server = Server::start(&[&data_dir_arg(tmp.path())]);
    let (status, log) = server.terminate();
    assert!(
        status.success(),
        "exit status {status:?}; log:\n{}",
        log.join("\n")
    );
    assert!(
        log.iter().any(|l| l.contains("shutting down")),
        "the shutdown is logged:\n{}",
        log.join("\n")
    );
}

#[tokio::test]
async fn serve_on_a_fresh_postgres_database_is_live_and_ready() {
    let Some(url) = noaber_store::testing::fresh_pg_database().await else {
        return;
    };
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let server = Server::start(&[&format!("--database-url={url}"), &data_dir_arg(tmp.path())]);

    let response = reqwest::get(server.url("/healthz"))
        .await
        .expect("healthz answers");
    assert_eq!(response.status(), 200);
    let response = reqwest::get(server.url("/readyz"))
        .await
        .expect("readyz answers");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("a JSON body");
    assert_eq!(body["backend"], "postgres");
}

#[tokio::test]
async fn migrate_applies_to_a_fresh_postgres_database_and_is_harmless_the_second_time() {
    let Some(url) = noaber_store::testing::fresh_pg_database().await else {
        return;
    };
    let db = format!("--database-url={url}");
    for attempt in ["first", "second"] {
        let (status, stdout, stderr) = run(&[&db, "migrate"]);
        assert!(
            status.success(),
            "the {attempt} migrate succeeds:\n{stdout}\n{stderr}"
        );
        assert!(stdout.contains("up to date"), "{stdout}");
    }
}

#[tokio::test]
async fn migrate_on_the_embedded_default_creates_the_log() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let (status, stdout, stderr) = run(&[&data_dir_arg(tmp.path()), "migrate"]);
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(tmp.path().join("noaber.db").exists());
}

#[tokio::test]
async fn verify_of_an_empty_log_succeeds() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let (status, stdout, stderr) = run(&[&data_dir_arg(tmp.path()), "verify"]);
    assert!(status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("every hash chain holds"), "{stdout}");
}

#[test]
fn the_database_password_never_reaches_the_log() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    // Port 1 on loopback: nothing listens there, so connecting fails and is reported.
    let (status, stdout, stderr) = run(&[
        "--database-url=postgres://noaber:hunter2-secret@127.0.0.1:1/noaber",
        &data_dir_arg(tmp.path()),
        "migrate",
    ]);
    assert!(!status.success(), "no database there, so migrate fails");
    assert!(
        stderr.contains("postgres://noaber:***@127.0.0.1:1/noaber"),
        "the redacted URL is logged:\n{stderr}"
    );
    assert!(
        !stderr.contains("hunter2"),
        "the password leaked:\n{stderr}"
    );
    assert!(
        !stdout.contains("hunter2"),
        "the password leaked:\n{stdout}"
    );
}

#[test]
fn an_unknown_subcommand_is_refused_with_usage() {
    let (status, _stdout, stderr) = run(&["frobnicate"]);
    assert!(!status.success());
    assert!(stderr.contains("Usage"), "{stderr}");
}
