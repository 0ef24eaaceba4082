//! The shipped taxonomy is complete and consistent.

use std::collections::HashSet;

use noaber_domain::taxonomy::taxonomy;

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

#[test]
fn the_taxonomy_has_at_least_seventy_skills_and_about_fifteen_categories() {
    let t = taxonomy();
    assert!(t.skills().len() >= 70, "{} skills", t.skills().len());
    assert!((14..=20).contains(&t.categories().len()));
    assert!(t.target_groups().len() >= 5);
}

#[test]
fn every_code_is_unique_snake_case_and_labelled_in_three_languages() {
    let t = taxonomy();
    let kinds: [Vec<(&str, noaber_domain::taxonomy::Labels)>; 3] = [
        t.skills().iter().map(|s| (s.code, s.labels)).collect(),
        t.categories().iter().map(|c| (c.code, c.labels)).collect(),
        t.target_groups()
            .iter()
            .map(|g| (g.code, g.labels))
            .collect(),
    ];
    for entries in kinds {
        let mut seen = HashSet::new();
        for (code, labels) in entries {
            assert!(is_code(code), "{code}");
            assert!(seen.insert(code), "{code} is used twice");
            assert!(!labels.nl.is_empty() && !labels.fr.is_empty() && !labels.en.is_empty());
        }
    }
}

#[test]
fn every_skill_a_category_lists_exists() {
    let t = taxonomy();
    for c in t.categories() {
        for s in &c.skills {
            assert!(t.skill(s).is_some(), "{} lists unknown skill {s}", c.code);
        }
    }
    assert!(t.skill_fits("errands", "grocery_shopping"));
    assert!(!t.skill_fits("errands", "dog_walking"));
}

#[test]
fn the_taxonomy_serialises_for_clients() {
    let v = serde_json::to_value(taxonomy()).expect("serialises");
    assert_eq!(v["skills"][0]["labels"]["nl"], "Boodschappen doen");
    assert!(v["categories"][0]["skills"].is_array());
}
