//! Value types cannot be built invalid.

use noaber_domain::values::*;
use noaber_domain::{PersonId, Role};

#[test]
fn a_location_is_rounded_to_about_a_hundred_metres() {
    let l = ApproxLocation::new(51.054_321, 3.717_89).expect("on earth");
    assert_eq!(l.lat(), 51.054);
    assert_eq!(l.lon(), 3.718);
}

#[test]
fn a_location_keeps_in_clear_only_the_area_it_falls_in() {
    let here = ApproxLocation::new(51.0543, 3.7174).expect("on earth");
    assert_eq!(
        here.area(),
        ApproxLocation::new(51.055, 3.715).expect("on earth")
    );
    assert_eq!(here.to_string(), "51.054,3.717");
    // The edges of the earth stay on it.
    let pole = ApproxLocation::new(89.999, 179.999).expect("on earth");
    assert_eq!(
        pole.area(),
        ApproxLocation::new(90.0, 180.0).expect("on earth")
    );
}

proptest::proptest! {
    /// Every location's area is a grid point no more than half a cell away, and its own area.
    #[test]
    fn an_area_is_a_grid_point_within_half_a_cell(lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
        let here = ApproxLocation::new(lat, lon).expect("on earth");
        let area = here.area();
        proptest::prop_assert_eq!(area.area(), area);
        proptest::prop_assert!((area.lat() - here.lat()).abs() <= 0.0025 + 1e-9);
        proptest::prop_assert!((area.lon() - here.lon()).abs() <= 0.0025 + 1e-9);
        let milli = |d: f64| (d * 1000.0).round() as i64;
        proptest::prop_assert_eq!(milli(area.lat()) % 5, 0);
        proptest::prop_assert_eq!(milli(area.lon()) % 5, 0);
    }
}

#[test]
fn a_location_off_the_earth_is_refused() {
    assert!(ApproxLocation::new(91.0, 0.0).is_err());
    assert!(ApproxLocation::new(0.0, f64::NAN).is_err());
    let r: Result<ApproxLocation, _> = serde_json::from_str(r#"{"lat": 100.0, "lon": 0.0}"#);
    assert!(r.is_err());
}

#[test]
fn the_distance_between_two_nearby_points_is_about_right() {
    // 0.01 degree of latitude is about 1.1 km.
    let a = ApproxLocation::new(51.00, 4.00).expect("on earth");
    let b = ApproxLocation::new(51.01, 4.00).expect("on earth");
    let d = a.distance_m(&b).metres();
    assert!((1100..=1125).contains(&d), "{d}");
    assert_eq!(a.distance_m(&a), Distance::ZERO);
}

#[test]
fn far_away_distances_are_capped_at_a_hundred_km() {
    let ghent = ApproxLocation::new(51.05, 3.72).expect("on earth");
    let lisbon = ApproxLocation::new(38.72, -9.14).expect("on earth");
    assert_eq!(ghent.distance_m(&lisbon), Distance::MAX);
}

#[test]
fn a_distance_above_a_hundred_km_is_refused() {
    assert!(Distance::from_metres(100_001).is_err());
    assert!(serde_json::from_str::<Distance>("200000").is_err());
    assert_eq!(Distance::from_km(5).expect("ok").metres(), 5000);
}

#[test]
fn hands_needed_are_between_one_and_five_hundred() {
    assert!(HandsNeeded::new(0).is_err());
    assert!(HandsNeeded::new(501).is_err());
    assert_eq!(HandsNeeded::new(500).expect("ok").get(), 500);
    assert!(serde_json::from_str::<HandsNeeded>("0").is_err());
}

#[test]
fn ratings_are_between_one_and_five() {
    assert!(Rating::new(0).is_err());
    assert!(Rating::new(6).is_err());
}

#[test]
fn unknown_taxonomy_codes_are_refused() {
    assert_eq!(
        SkillCode::parse("juggling"),
        Err(ValueError::UnknownSkill("juggling".into()))
    );
    assert!(CategoryCode::parse("errands").is_ok());
    assert!(TargetGroupCode::parse("martians").is_err());
    assert!(serde_json::from_str::<SkillCode>("\"juggling\"").is_err());
}

#[test]
fn availability_overlaps_when_a_slot_is_shared() {
    let mon_morning = Slot {
        day: Weekday::Mon,
        part: PartOfDay::Morning,
    };
    let tue_evening = Slot {
        day: Weekday::Tue,
        part: PartOfDay::Evening,
    };
    let a = Availability::from_slots([mon_morning, tue_evening]);
    let b = Availability::from_slots([tue_evening]);
    let c = Availability::from_slots([mon_morning]);
    assert!(a.overlaps(&b));
    assert!(!b.overlaps(&c));
    assert!(!Availability::none().overlaps(&Availability::always()));
    assert_eq!(Availability::always().overlap_count(&a), 2);
}

#[test]
fn channels_urgencies_and_roles_parse_from_their_names() {
    assert_eq!("home_visit".parse::<Channel>(), Ok(Channel::HomeVisit));
    assert_eq!("URGENT".parse::<Urgency>(), Ok(Urgency::Urgent));
    assert!("whenever".parse::<Urgency>().is_err());
    assert_eq!("connector".parse::<Role>(), Ok(Role::Connector));
    assert!("mayor".parse::<Role>().is_err());
    for role in Role::ALL {
        assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        assert_eq!(
            serde_json::to_value(role).expect("serialises"),
            serde_json::json!(role.as_str())
        );
    }
}

#[test]
fn ids_parse_display_and_serialise_as_plain_uuids() {
    let id: PersonId = "0190a0b0-0000-7000-8000-000000000001"
        .parse()
        .expect("a uuid");
    assert_eq!(id.to_string(), "0190a0b0-0000-7000-8000-000000000001");
    assert_eq!(
        serde_json::to_value(id).expect("serialises"),
        serde_json::json!("0190a0b0-0000-7000-8000-000000000001")
    );
    assert!("not-a-uuid".parse::<PersonId>().is_err());
}

#[test]
fn names_must_be_short_plain_text() {
    assert!(DisplayName::parse("  ").is_err());
    assert!(DisplayName::parse("a\u{0}b").is_err());
    assert_eq!(
        DisplayName::parse(" Brugse Poort ").expect("ok").as_str(),
        "Brugse Poort"
    );
    assert!(Language::parse("nld").is_err());
    assert_eq!(Language::parse("NL").expect("ok").as_str(), "nl");
}
