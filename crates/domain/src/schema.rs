//! How the value types read in an OpenAPI document: the serde shapes of ids, taxonomy codes,
//! fixed names and bounded numbers, described by hand where a derive cannot see them (a
//! `try_from`/`into` or transparent newtype is a plain string or number on the wire).
//!
//! Only descriptions live here; nothing in `decide` depends on them.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

use crate::taxonomy::taxonomy;
use crate::values::{
    ApproxLocation, Availability, CategoryCode, DisplayName, Distance, Language, SkillCode, Slot,
    TargetGroupCode,
};

/// An id: a UUID string. No example here: the operations give their own, each naming the
/// thing their example needs (a fuzzer would otherwise send one id to every operation).
pub fn id(what: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .description(Some(format!("The id of a {what} (a UUID).")))
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

// The value types whose shape a derive cannot see (`try_from`/`into`, transparent, or checked
// against the taxonomy): what serde puts on the wire, with the bounds their parsers enforce.

impl utoipa::PartialSchema for SkillCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        code("skill", taxonomy().skills().iter().map(|s| s.code))
    }
}

impl utoipa::ToSchema for SkillCode {}

impl utoipa::PartialSchema for CategoryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        code(
            "request category",
            taxonomy().categories().iter().map(|c| c.code),
        )
    }
}

impl utoipa::ToSchema for CategoryCode {}

impl utoipa::PartialSchema for TargetGroupCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        code(
            "target group",
            taxonomy().target_groups().iter().map(|t| t.code),
        )
    }
}

impl utoipa::ToSchema for TargetGroupCode {}

impl utoipa::PartialSchema for Distance {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(0))
            .maximum(Some(Distance::MAX_METRES))
            .description(Some("A distance in metres, from 0 to 100000."))
            .examples([2000])
            .into()
    }
}

impl utoipa::ToSchema for Distance {}

impl utoipa::PartialSchema for ApproxLocation {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        let degrees = |what: &str, max: f64| {
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .minimum(Some(-max))
                .maximum(Some(max))
                .description(Some(what))
        };
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("lat", degrees("Latitude in degrees.", 90.0))
            .property("lon", degrees("Longitude in degrees.", 180.0))
            .required("lat")
            .required("lon")
            .description(Some(
                "An approximate location, rounded to a thousandth of a degree (about 100 m).",
            ))
            .examples([serde_json::json!({"lat": 52.37, "lon": 4.895})])
            .into()
    }
}

impl utoipa::ToSchema for ApproxLocation {}

impl utoipa::PartialSchema for Availability {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::ArrayBuilder;
        ArrayBuilder::new()
            .items(<Slot as utoipa::PartialSchema>::schema())
            .unique_items(true)
            .description(Some("The weekly slots a person can help in."))
            .examples([serde_json::json!([{"day": "tue", "part": "evening"}])])
            .into()
    }
}

impl utoipa::ToSchema for Availability {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        schemas.push((
            <Slot as utoipa::ToSchema>::name().into_owned(),
            <Slot as utoipa::PartialSchema>::schema(),
        ));
        <Slot as utoipa::ToSchema>::schemas(schemas);
    }
}

impl utoipa::PartialSchema for Language {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[a-zA-Z]{2}$"))
            .description(Some("A language, as its two-letter code (ISO 639-1)."))
            .examples(["nl"])
            .into()
    }
}

impl utoipa::ToSchema for Language {}

impl utoipa::PartialSchema for DisplayName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        text(
            "A public name: 1 to 200 characters, no control characters.",
            1,
            DisplayName::MAX_CHARS,
            "Buurthuis De Linde",
        )
    }
}

impl utoipa::ToSchema for DisplayName {}
