//! `noaber taxonomy`: the table names every code with its labels, and the JSON it prints is the
//! taxonomy a running server serves, so the command line and client apps label codes alike.

use serde_json::Value;

use crate::support::{data_dir_arg, run, Server};

#[tokio::test]
async fn the_taxonomy_the_api_serves_is_the_one_the_command_line_prints() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let server = Server::start(&[&data_dir_arg(tmp.path())]);
    let served: Value = reqwest::Client::new()
        .get(server.url("/v1/taxonomy"))
        .header("x-noaber-tenant", "0190a0a0-0000-7000-8000-000000000001")
        .header("x-noaber-actor", "0190a0a0-0000-7000-8000-000000000002")
        .header("x-noaber-role", "connector")
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is JSON");
    let (status, printed, stderr) = run(&["taxonomy", "--format", "json"]);
    assert!(status.success(), "{stderr}");
    let printed: Value = serde_json::from_str(&printed).expect("the command prints JSON");
    assert_eq!(served, printed);
}

#[test]
fn the_taxonomy_table_lists_every_code_with_its_labels() {
    let (status, table, stderr) = run(&["taxonomy"]);
    assert!(status.success(), "{stderr}");
    let taxonomy = noaber_domain::taxonomy::taxonomy();
    for skill in taxonomy.skills() {
        assert!(table.contains(skill.code), "{} is missing", skill.code);
        assert!(
            table.contains(skill.labels.nl),
            "{} is missing",
            skill.labels.nl
        );
    }
    for category in taxonomy.categories() {
        assert!(
            table.contains(category.code),
            "{} is missing",
            category.code
        );
        assert!(
            table.contains(category.labels.fr),
            "{} is missing",
            category.labels.fr
        );
    }
    assert!(table.contains("TARGET GROUPS"));
}
