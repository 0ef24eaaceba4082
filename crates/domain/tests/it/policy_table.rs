//! The table in `docs/authorization.md` is the policy: every cell of the document equals
//! `policy::reach` for its role and action, and every action and role has its row and column.

use noaber_domain::policy::{reach, Action};
use noaber_domain::Role;

const DOC: &str = include_str!("../../../../docs/authorization.md");

/// The roles in the order of the document's columns.
const COLUMNS: [Role; 8] = [
    Role::Admin,
    Role::Connector,
    Role::Ambassador,
    Role::Partner,
    Role::Helper,
    Role::Resident,
    Role::Funder,
    Role::Auditor,
];

/// The table as the code has it, in the document's form.
fn expected() -> String {
    let mut text = String::from("| action |");
    for role in COLUMNS {
        text.push_str(&format!(" {} |", role.as_str()));
    }
    text.push('\n');
    text.push_str(&"|---".repeat(COLUMNS.len() + 1));
    text.push_str("|\n");
    for action in Action::ALL {
        text.push_str(&format!("| `{}` |", action.as_str()));
        for role in COLUMNS {
            text.push_str(&format!(" {} |", reach(role, action).as_str()));
        }
        text.push('\n');
    }
    text
}

#[test]
fn the_documented_table_is_the_policy() {
    let table = expected();
    assert!(
        DOC.contains(&table),
        "docs/authorization.md does not hold the policy's table; it should read:\n\n{table}"
    );
}
