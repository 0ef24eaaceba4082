//! `noaber taxonomy`: prints the skills, request categories and target groups with their
//! labels, as aligned tables for a person or as the JSON the API serves.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::cli::CliError;

/// Options of `noaber taxonomy`.
#[derive(Debug, Args)]
pub struct TaxonomyArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = TaxonomyFormat::Table)]
    pub format: TaxonomyFormat,
}

/// How `noaber taxonomy` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaxonomyFormat {
    /// Aligned columns for a person.
    Table,
    /// The whole taxonomy as JSON, as the API serves it.
    Json,
}

/// Prints the taxonomy in the chosen format.
pub fn run(args: &TaxonomyArgs) -> Result<ExitCode, CliError> {
    let taxonomy = noaber_domain::taxonomy::taxonomy();
    match args.format {
        TaxonomyFormat::Json => println!("{}", serde_json::to_string_pretty(taxonomy)?),
        TaxonomyFormat::Table => print!("{}", taxonomy_table(taxonomy)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The taxonomy as aligned text tables: skills, request categories, target groups.
pub fn taxonomy_table(taxonomy: &noaber_domain::taxonomy::Taxonomy) -> String {
    let mut out = String::new();
    let skills: Vec<Vec<String>> = taxonomy
        .skills()
        .iter()
        .map(|s| {
            vec![
                s.code.to_owned(),
                s.group.to_owned(),
                s.labels.nl.to_owned(),
                s.labels.fr.to_owned(),
                s.labels.en.to_owned(),
            ]
        })
        .collect();
    push_table(
        &mut out,
        &format!("SKILLS ({})", skills.len()),
        &["code", "group", "nl", "fr", "en"],
        &skills,
    );
    let categories: Vec<Vec<String>> = taxonomy
        .categories()
        .iter()
        .map(|c| {
            vec![
                c.code.to_owned(),
                c.labels.nl.to_owned(),
                c.labels.fr.to_owned(),
                c.labels.en.to_owned(),
                c.skills.len().to_string(),
            ]
        })
        .collect();
    push_table(
        &mut out,
        &format!("REQUEST CATEGORIES ({})", categories.len()),
        &["code", "nl", "fr", "en", "skills"],
        &categories,
    );
    let groups: Vec<Vec<String>> = taxonomy
        .target_groups()
        .iter()
        .map(|t| {
            vec![
                t.code.to_owned(),
                t.labels.nl.to_owned(),
                t.labels.fr.to_owned(),
                t.labels.en.to_owned(),
            ]
        })
        .collect();
    push_table(
        &mut out,
        &format!("TARGET GROUPS ({})", groups.len()),
        &["code", "nl", "fr", "en"],
        &groups,
    );
    out
}

fn push_table(out: &mut String, title: &str, header: &[&str], rows: &[Vec<String>]) {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            if i + 1 == widths.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                let pad = widths[i] - cell.chars().count() + 2;
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        text.trim_end().to_owned()
    };
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(title);
    out.push('\n');
    out.push_str(&line(&mut header.iter().copied()));
    out.push('\n');
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
        out.push('\n');
    }
}
