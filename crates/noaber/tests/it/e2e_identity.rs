//! The promise of the README, end to end with the real binary: the first `serve` on a fresh
//! embedded log prints a sign-in link that makes the opener its administrator; `admin link`
//! prints another; the development headers need a flag that only works on loopback.

use crate::support::{data_dir_arg, noaber, run, Server};

fn token_of(line: &str) -> String {
    line.split("token=")
        .nth(1)
        .map(|t| t.trim().to_owned())
        .unwrap_or_else(|| panic!("no token in {line:?}"))
}

#[tokio::test]
async fn the_first_serve_prints_a_link_that_signs_in_its_administrator() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data_dir = data_dir_arg(&tmp.path().join("noaber-data"));
    let server = Server::start(&[&data_dir]);
    let line = server
        .printed_line("/auth/link?token=")
        .expect("serve printed a sign-in link");
    assert!(
        !server.log.iter().any(|l| l.contains(&token_of(&line))),
        "the link is never in the log"
    );
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("a client");
    let page = client
        .get(line.trim())
        .send()
        .await
        .expect("the link page answers");
    assert_eq!(page.status(), 200);
    let signed = client
        .post(server.url("/v1/auth/link"))
        .json(&serde_json::json!({"token": token_of(&line)}))
        .send()
        .await
        .expect("the link is redeemed");
    assert_eq!(signed.status(), 200);
    let me: serde_json::Value = client
        .get(server.url("/v1/me"))
        .send()
        .await
        .expect("me answers")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(me["role"], "admin");
    let (status, _) = server.terminate();
    assert!(status.success());

    // Started again, it prints no link (the log is not empty); `admin link` issues one.
    let server = Server::start(&[&data_dir]);
    assert_eq!(server.printed_line("/auth/link?token="), None);
    let (status, out, err) = run(&[&data_dir, "admin", "link", "--public-url", &server.base_url]);
    assert!(status.success(), "{err}");
    assert!(
        out.contains(&format!("{}/auth/link?token=", server.base_url)),
        "{out}"
    );
}

#[test]
fn the_development_headers_need_a_loopback_address() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let out = noaber()
        .arg(data_dir_arg(tmp.path()))
        .args([
            "serve",
            "--bind",
            "0.0.0.0",
            "--port",
            "0",
            "--insecure-dev-auth",
        ])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loopback"), "{err}");
}

#[tokio::test]
async fn after_rotating_the_master_key_personal_data_opens_with_the_new_key_only() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let data_dir = data_dir_arg(&tmp.path().join("noaber-data"));
    let (status, _) = Server::start(&[&data_dir]).terminate();
    assert!(status.success());
    let new_key = tmp.path().join("master.key.new");
    let new_key_arg = new_key.display().to_string();
    let (status, out, err) = run(&[
        &data_dir,
        "admin",
        "rotate-master-key",
        "--new-key-file",
        &new_key_arg,
    ]);
    assert!(status.success(), "{err}");
    assert!(
        out.contains("1 keys now wrapped"),
        "the administrator's key: {out}"
    );

    let key_arg = format!("--master-key-file={new_key_arg}");
    let server = Server::start(&[&data_dir, &key_arg]);
    let (status, out, err) = run(&[
        &data_dir,
        &key_arg,
        "admin",
        "link",
        "--public-url",
        &server.base_url,
    ]);
    assert!(status.success(), "{err}");
    let line = out
        .lines()
        .find(|l| l.contains("/auth/link?token="))
        .expect("a link")
        .to_owned();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("a client");
    let signed = client
        .post(server.url("/v1/auth/link"))
        .json(&serde_json::json!({"token": token_of(&line)}))
        .send()
        .await
        .expect("the link is redeemed");
    assert_eq!(signed.status(), 200);
    let me: serde_json::Value = client
        .get(server.url("/v1/me"))
        .send()
        .await
        .expect("me answers")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(
        me["name"], "Beheerder",
        "sealed under the old key, opened with the new one"
    );
}
