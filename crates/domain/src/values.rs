//! Value types that cannot be built invalid: codes from the taxonomy, channels, urgency,
//! approximate locations, distances, availability and small counted quantities.
//!
//! Each type parses its input once (`parse`, `new` or `TryFrom`) and keeps its field private, so
//! a value that reaches `decide` is always valid. Deserialising goes through the same checks.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::taxonomy::taxonomy;

/// Why a value could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// The code is not one of the skills in the taxonomy.
    #[error("'{0}' is not a known skill")]
    UnknownSkill(String),
    /// The code is not one of the request categories in the taxonomy.
    #[error("'{0}' is not a known request category")]
    UnknownCategory(String),
    /// The code is not one of the target groups in the taxonomy.
    #[error("'{0}' is not a known target group")]
    UnknownTargetGroup(String),
    /// The text names no known value of this kind.
    #[error("'{input}' is not a valid {what}")]
    Unknown {
        /// What kind of value was expected.
        what: &'static str,
        /// The input, cut to 64 characters.
        input: String,
    },
    /// A latitude or longitude outside the earth, or not a number.
    #[error("the location {lat}, {lon} is not on earth (latitude -90..90, longitude -180..180)")]
    LocationOutOfRange {
        /// The latitude given.
        lat: f64,
        /// The longitude given.
        lon: f64,
    },
    /// A distance above the maximum.
    #[error("{0} m is too far: at most 100 km")]
    DistanceTooFar(u32),
    /// A number outside the allowed range.
    #[error("{what} must be between {min} and {max}, not {value}")]
    OutOfRange {
        /// What was counted.
        what: &'static str,
        /// The smallest allowed value.
        min: u32,
        /// The largest allowed value.
        max: u32,
        /// The value given.
        value: u64,
    },
    /// A name that is empty, too long, or holds control characters.
    #[error("a {what} must be 1 to {max} characters of text without control characters")]
    BadText {
        /// What the text names.
        what: &'static str,
        /// The longest allowed length.
        max: usize,
    },
}

fn cut(s: &str) -> String {
    s.chars().take(64).collect()
}

macro_rules! taxonomy_code {
    ($(#[$meta:meta])* $name:ident, $lookup:ident, $err:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses a code, accepting it only if the taxonomy knows it.
            pub fn parse(code: &str) -> Result<Self, ValueError> {
                let code = code.trim();
                match taxonomy().$lookup(code) {
                    Some(entry) => Ok(Self(entry.code.to_string())),
                    None => Err(ValueError::$err(cut(code))),
                }
            }

            /// The stable code.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ValueError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.0
            }
        }
    };
}

taxonomy_code!(
    /// A skill a helper can declare (e.g. `shopping`), validated against the taxonomy.
    SkillCode,
    skill,
    UnknownSkill
);
taxonomy_code!(
    /// A request category (e.g. `errands`), validated against the taxonomy.
    CategoryCode,
    category,
    UnknownCategory
);
taxonomy_code!(
    /// A target group (e.g. `older_people`), validated against the taxonomy.
    TargetGroupCode,
    target_group,
    UnknownTargetGroup
);

/// Declares a fieldless enum with stable snake_case names, `as_str`, `ALL`, Display and FromStr.
macro_rules! name_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant, )+
        }

        impl $name {
            /// Every value, in a stable order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case name.
            pub const fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::schema::names($what, &[$($text),+])
            }
        }

        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::values::ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| $crate::values::ValueError::Unknown { what: $what, input: s.chars().take(64).collect() })
            }
        }
    };
}
pub(crate) use name_enum;

name_enum!(
    /// How a request reached Noaber (the 100% digital, 50-50 and 0% digital residents).
    Channel, "channel" {
        /// The resident used the app themselves.
        App = "app",
        /// Posted with help at a physical match point (library, community centre).
        MatchPoint = "match_point",
        /// Taken down by a connector during a home visit.
        HomeVisit = "home_visit",
        /// Taken down by phone.
        Phone = "phone",
        /// Referred in by a partner organisation.
        PartnerReferral = "partner_referral",
    }
);

impl Channel {
    /// Channels where someone else always writes the request down for the resident.
    pub const fn needs_someone_on_behalf(&self) -> bool {
        matches!(
            self,
            Channel::HomeVisit | Channel::Phone | Channel::PartnerReferral
        )
    }
}

name_enum!(
    /// How soon help is needed.
    Urgency, "urgency" {
        /// Whenever it suits.
        Low = "low",
        /// Within days.
        Normal = "normal",
        /// Soon.
        High = "high",
        /// Today.
        Urgent = "urgent",
    }
);

name_enum!(
    /// Who may see a request in the neighbourhood feed.
    Visibility, "visibility" {
        /// Residents of the neighbourhood (and connectors).
        Neighbourhood = "neighbourhood",
        /// Only connectors: the request needs a human to look first.
        Connectors = "connectors",
    }
);

name_enum!(
    /// The lawful basis on which a resident's request (care needs: special-category data,
    /// GDPR article 9) is recorded.
    ConsentBasis, "consent basis" {
        /// The resident's explicit consent (article 9(2)(a)), given to whoever took the request.
        ExplicitConsent = "explicit_consent",
        /// Social care by a professional bound to secrecy (article 9(2)(h)), for a resident
        /// who cannot consent themselves.
        CareProvision = "care_provision",
    }
);

/// How the basis of a request was established: which basis, who took it and how (a home
/// visit, a phone call, the app). Recorded with the request it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// The lawful basis.
    pub basis: ConsentBasis,
    /// Who took it: the resident themselves, or the connector or partner posting for them.
    pub taken_by: crate::ids::PersonId,
    /// How they were in touch, when known (a request always says; a registration may).
    pub channel: Option<Channel>,
}

name_enum!(
    /// How a resident uses Noaber (the "100% digital / 50-50 / 0% digital" types).
    DigitalAccess, "digital access" {
        /// Uses the app themselves.
        Digital = "digital",
        /// Uses it with help (match point, family).
        WithHelp = "with_help",
        /// Never goes online: a professional posts and stays the go-between.
        Offline = "offline",
    }
);

name_enum!(
    /// A day of the week.
    Weekday, "weekday" {
        /// Monday.
        Mon = "mon",
        /// Tuesday.
        Tue = "tue",
        /// Wednesday.
        Wed = "wed",
        /// Thursday.
        Thu = "thu",
        /// Friday.
        Fri = "fri",
        /// Saturday.
        Sat = "sat",
        /// Sunday.
        Sun = "sun",
    }
);

name_enum!(
    /// A part of the day.
    PartOfDay, "part of day" {
        /// Morning (until noon).
        Morning = "morning",
        /// Afternoon.
        Afternoon = "afternoon",
        /// Evening.
        Evening = "evening",
    }
);

/// One weekly slot: a weekday and a part of the day.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub struct Slot {
    /// The weekday.
    pub day: Weekday,
    /// The part of the day.
    pub part: PartOfDay,
}

/// When someone is available, as a set of weekly slots (empty means "not said").
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Availability {
    slots: BTreeSet<Slot>,
}

impl Availability {
    /// No slots given.
    pub fn none() -> Self {
        Self::default()
    }

    /// Every slot of the week.
    pub fn always() -> Self {
        let slots = Weekday::ALL
            .iter()
            .flat_map(|&day| PartOfDay::ALL.iter().map(move |&part| Slot { day, part }))
            .collect();
        Self { slots }
    }

    /// Availability from a list of slots (duplicates collapse).
    pub fn from_slots(slots: impl IntoIterator<Item = Slot>) -> Self {
        Self {
            slots: slots.into_iter().collect(),
        }
    }

    /// The slots, in weekday order.
    pub fn slots(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter()
    }

    /// Whether no slot was given.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether both share at least one slot.
    pub fn overlaps(&self, other: &Availability) -> bool {
        self.slots.iter().any(|s| other.slots.contains(s))
    }

    /// How many slots both share (used to rank helpers).
    pub fn overlap_count(&self, other: &Availability) -> usize {
        self.slots.intersection(&other.slots).count()
    }
}

/// A distance in whole metres, from 0 to 100 km.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Distance(u32);

impl Distance {
    /// The largest distance Noaber deals with: 100 km.
    pub const MAX_METRES: u32 = 100_000;
    /// Zero metres.
    pub const ZERO: Distance = Distance(0);
    /// The maximum distance, 100 km.
    pub const MAX: Distance = Distance(Self::MAX_METRES);

    /// A distance in metres; more than 100 km is refused.
    pub fn from_metres(metres: u32) -> Result<Self, ValueError> {
        if metres > Self::MAX_METRES {
            return Err(ValueError::DistanceTooFar(metres));
        }
        Ok(Self(metres))
    }

    /// A distance in kilometres (whole km).
    pub fn from_km(km: u32) -> Result<Self, ValueError> {
        Self::from_metres(km.saturating_mul(1000))
    }

    /// The distance in metres.
    pub const fn metres(&self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Distance {
    type Error = ValueError;
    fn try_from(m: u32) -> Result<Self, Self::Error> {
        Self::from_metres(m)
    }
}

impl From<Distance> for u32 {
    fn from(d: Distance) -> u32 {
        d.0
    }
}

impl fmt::Display for Distance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 1000 {
            write!(f, "{:.1} km", f64::from(self.0) / 1000.0)
        } else {
            write!(f, "{} m", self.0)
        }
    }
}

/// An approximate location: latitude and longitude rounded to 0.001 degree (about 100 m), so it
/// can rank helpers near to far but cannot find a door.
///
/// The log keeps in clear only the [`ApproxLocation::area`] a location falls in; the location
/// itself is sealed with its person's key (ADR 0032).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawLocation", into = "RawLocation")]
pub struct ApproxLocation {
    /// Latitude in thousandths of a degree.
    lat_milli: i32,
    /// Longitude in thousandths of a degree.
    lon_milli: i32,
}

/// The JSON shape of an [`ApproxLocation`]: `{"lat": 51.054, "lon": 3.717}`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct RawLocation {
    lat: f64,
    lon: f64,
}

impl ApproxLocation {
    /// Rounds a position to the 0.001 degree grid; positions off the earth are refused.
    pub fn new(lat: f64, lon: f64) -> Result<Self, ValueError> {
        if !lat.is_finite()
            || !lon.is_finite()
            || !(-90.0..=90.0).contains(&lat)
            || !(-180.0..=180.0).contains(&lon)
        {
            return Err(ValueError::LocationOutOfRange { lat, lon });
        }
        // In range, so the rounded thousandths fit an i32 comfortably.
        #[allow(clippy::cast_possible_truncation)]
        let (lat_milli, lon_milli) = ((lat * 1000.0).round() as i32, (lon * 1000.0).round() as i32);
        Ok(Self {
            lat_milli,
            lon_milli,
        })
    }

    /// The grid of areas, in thousandths of a degree: 0.005 degree, about 560 m north to south
    /// and 350 m east to west in the Low Countries.
    pub const AREA_GRID_MILLI: i32 = 5;

    /// The centre of the area this location falls in: the nearest point of the 0.005 degree
    /// grid. What ranking by distance needs, and no finer: a few hundred metres hold many
    /// doors. An area is its own area.
    pub fn area(&self) -> ApproxLocation {
        let snap = |milli: i32| {
            let grid = Self::AREA_GRID_MILLI;
            (milli + grid / 2).div_euclid(grid) * grid
        };
        Self {
            lat_milli: snap(self.lat_milli).clamp(-90_000, 90_000),
            lon_milli: snap(self.lon_milli).clamp(-180_000, 180_000),
        }
    }

    /// The rounded latitude in degrees.
    pub fn lat(&self) -> f64 {
        f64::from(self.lat_milli) / 1000.0
    }

    /// The rounded longitude in degrees.
    pub fn lon(&self) -> f64 {
        f64::from(self.lon_milli) / 1000.0
    }

    /// The great-circle distance to `other`; anything beyond 100 km is reported as 100 km,
    /// since no helper travels that far for neighbourhood help.
    pub fn distance_m(&self, other: &ApproxLocation) -> Distance {
        const EARTH_RADIUS_M: f64 = 6_371_000.0;
        let (lat1, lat2) = (self.lat().to_radians(), other.lat().to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon() - self.lon()).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        let metres = 2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin();
        if !metres.is_finite() || metres >= f64::from(Distance::MAX_METRES) {
            return Distance::MAX;
        }
        // Non-negative and below 100 000, so the conversion is exact enough and cannot overflow.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Distance(metres.round().max(0.0) as u32)
    }
}

impl fmt::Display for ApproxLocation {
    /// `51.054,3.717`: the text a sealed location holds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3},{:.3}", self.lat(), self.lon())
    }
}

impl TryFrom<RawLocation> for ApproxLocation {
    type Error = ValueError;
    fn try_from(raw: RawLocation) -> Result<Self, Self::Error> {
        Self::new(raw.lat, raw.lon)
    }
}

impl From<ApproxLocation> for RawLocation {
    fn from(l: ApproxLocation) -> RawLocation {
        RawLocation {
            lat: l.lat(),
            lon: l.lon(),
        }
    }
}

/// Declares a bounded whole number type.
macro_rules! bounded {
    ($(#[$meta:meta])* $name:ident, $what:literal, $min:expr, $max:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "u32", into = "u32")]
        pub struct $name(u32);

        impl $name {
            /// The smallest allowed value.
            pub const MIN: u32 = $min;
            /// The largest allowed value.
            pub const MAX: u32 = $max;

            /// Checks the bounds.
            pub fn new(value: u32) -> Result<Self, ValueError> {
                if (Self::MIN..=Self::MAX).contains(&value) {
                    Ok(Self(value))
                } else {
                    Err(ValueError::OutOfRange { what: $what, min: Self::MIN, max: Self::MAX, value: u64::from(value) })
                }
            }

            /// The number.
            pub const fn get(&self) -> u32 {
                self.0
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::schema::bounded($what, $min, $max)
            }
        }

        impl utoipa::ToSchema for $name {}

        impl TryFrom<u32> for $name {
            type Error = ValueError;
            fn try_from(v: u32) -> Result<Self, Self::Error> {
                Self::new(v)
            }
        }

        impl From<$name> for u32 {
            fn from(v: $name) -> u32 {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

bounded!(
    /// How many helpers a request or call needs: 1 to 500.
    HandsNeeded,
    "the number of hands needed",
    1,
    500
);

impl HandsNeeded {
    /// One pair of hands, the usual case.
    pub const ONE: HandsNeeded = HandsNeeded(1);
}

bounded!(
    /// A feedback rating from 1 (poor) to 5 (excellent).
    Rating,
    "a rating",
    1,
    5
);

bounded!(
    /// How many days a tenant keeps the personal data of an ended request: 1 to 36,500.
    RetentionDays,
    "the days personal data is kept",
    1,
    36_500
);

/// How long a tenant keeps personal data (ADR 0033).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Retention {
    /// Days after a request was resolved, closed or voided before the personal data written
    /// with it (description, notes, messages, feedback) becomes unreadable; absent: kept until
    /// the person is erased.
    pub closed_request_days: Option<RetentionDays>,
}

bounded!(
    /// Minutes of help given, from 1 minute to 1000 hours.
    Minutes,
    "the minutes of help given",
    1,
    60_000
);

/// A language as a two-letter ISO 639-1 code in lower case (e.g. `nl`, `fr`, `en`, `ar`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Language(String);

impl Language {
    /// Parses a two-letter code (case is folded).
    pub fn parse(code: &str) -> Result<Self, ValueError> {
        let code = code.trim().to_ascii_lowercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Self(code))
        } else {
            Err(ValueError::Unknown {
                what: "language code (two letters, e.g. nl)",
                input: cut(&code),
            })
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Language {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Language> for String {
    fn from(l: Language) -> String {
        l.0
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The public name of an organisation, neighbourhood or tenant (not personal data):
/// 1 to 200 characters, trimmed, without control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// The longest name allowed, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Trims and checks a name.
    pub fn parse(name: &str) -> Result<Self, ValueError> {
        let name = name.trim();
        let len = name.chars().count();
        if len == 0 || len > Self::MAX_CHARS || name.chars().any(char::is_control) {
            return Err(ValueError::BadText {
                what: "name",
                max: Self::MAX_CHARS,
            });
        }
        Ok(Self(name.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DisplayName> for String {
    fn from(n: DisplayName) -> String {
        n.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// How these values read in an OpenAPI document (see `crate::schema`): what serde puts on the
// wire, with the bounds their parsers enforce.

impl utoipa::PartialSchema for SkillCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::code("skill", taxonomy().skills().iter().map(|s| s.code))
    }
}

impl utoipa::ToSchema for SkillCode {}

impl utoipa::PartialSchema for CategoryCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::code(
            "request category",
            taxonomy().categories().iter().map(|c| c.code),
        )
    }
}

impl utoipa::ToSchema for CategoryCode {}

impl utoipa::PartialSchema for TargetGroupCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::code(
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
        crate::schema::text(
            "A public name: 1 to 200 characters, no control characters.",
            1,
            DisplayName::MAX_CHARS,
            "Buurthuis De Linde",
        )
    }
}

impl utoipa::ToSchema for DisplayName {}
