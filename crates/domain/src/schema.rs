//! How the value types read in an OpenAPI document: the serde shapes of ids, taxonomy codes,
//! fixed names and bounded numbers, described by hand where a derive cannot see them (a
//! `try_from`/`into` or transparent newtype is a plain string or number on the wire).
//!
//! Only descriptions live here; nothing in `decide` depends on them.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// An id: a UUID string.
pub fn id(what: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .description(Some(format!("The id of a {what} (a UUID).")))
        .examples(["0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"])
        .into()
}

/// A code of the taxonomy: one of `codes` (`GET /v1/taxonomy` gives their labels).
pub fn code<'a>(what: &str, codes: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    let codes: Vec<&str> = codes.into_iter().collect();
    let example = codes.first().copied().unwrap_or_default().to_owned();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(codes))
        .description(Some(format!(
            "A {what} code of the taxonomy (GET /v1/taxonomy lists them with their labels)."
        )))
        .examples([example])
        .into()
}

/// One of a fixed list of names.
pub fn names(what: &str, names: &[&'static str]) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names.iter().copied()))
        .description(Some(format!("A {what}.")))
        .into()
}

/// A whole number from `min` to `max`.
pub fn bounded(what: &str, min: u32, max: u32) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(min))
        .maximum(Some(max))
        .description(Some(format!("{what}, from {min} to {max}.")))
        .examples([min])
        .into()
}

/// A text of `min` to `max` characters.
pub fn text(description: &str, min: usize, max: usize, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .description(Some(description))
        .examples([example])
        .into()
}
