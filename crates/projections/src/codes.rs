//! Compact forms of the taxonomy's codes and of availability, so the read models keep a few
//! bytes per request instead of strings.
//!
//! In memory a category or skill is its index in the taxonomy; in snapshots and query results
//! it is its stable code, so a reordered taxonomy never misreads an old snapshot.

use std::sync::OnceLock;

use noaber_domain::taxonomy::taxonomy;
use noaber_domain::values::{Availability, CategoryCode, PartOfDay, SkillCode, Slot, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fastmap::FastMap;

fn skill_index() -> &'static FastMap<&'static str, u16> {
    static INDEX: OnceLock<FastMap<&'static str, u16>> = OnceLock::new();
    INDEX.get_or_init(|| {
        taxonomy()
            .skills()
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((s.code, u16::try_from(i).ok()?)))
            .collect()
    })
}

/// A request category, as its index in the taxonomy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Category(u16);

impl Category {
    /// The category of a code (codes in decoded events are always in the taxonomy; an unknown
    /// one maps to the first category rather than failing).
    pub fn of(code: &CategoryCode) -> Self {
        Self::from_code(code.as_str()).unwrap_or(Self(0))
    }

    /// The category with this code, if the taxonomy knows it.
    pub fn from_code(code: &str) -> Option<Self> {
        taxonomy()
            .categories()
            .iter()
            .position(|c| c.code == code)
            .and_then(|i| u16::try_from(i).ok())
            .map(Self)
    }

    /// The index in the taxonomy's list of categories.
    pub fn index(self) -> u16 {
        self.0
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        taxonomy()
            .categories()
            .get(usize::from(self.0))
            .map_or("unknown", |c| c.code)
    }

    /// The skills that fit this category.
    pub fn skills(self) -> SkillSet {
        taxonomy()
            .categories()
            .get(usize::from(self.0))
            .map(|c| {
                c.skills
                    .iter()
                    .filter_map(|s| Skill::from_code(s))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Self::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown category {code:?}")))
    }
}

/// A skill, as its index in the taxonomy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Skill(u16);

impl Skill {
    /// The skill of a code (see [`Category::of`] for unknown codes).
    pub fn of(code: &SkillCode) -> Self {
        Self::from_code(code.as_str()).unwrap_or(Self(0))
    }

    /// The skill with this code, if the taxonomy knows it.
    pub fn from_code(code: &str) -> Option<Self> {
        skill_index().get(code).copied().map(Self)
    }

    /// The stable code.
    pub fn code(self) -> &'static str {
        taxonomy()
            .skills()
            .get(usize::from(self.0))
            .map_or("unknown", |s| s.code)
    }
}

impl Serialize for Skill {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Skill {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Self::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown skill {code:?}")))
    }
}

/// A small sorted set of skills.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkillSet(Vec<Skill>);

impl SkillSet {
    /// Whether the set holds `skill`.
    pub fn contains(&self, skill: Skill) -> bool {
        self.0.binary_search(&skill).is_ok()
    }

    /// How many skills both sets share.
    pub fn shared(&self, other: &SkillSet) -> usize {
        self.0.iter().filter(|s| other.contains(**s)).count()
    }

    /// The skills, in taxonomy order.
    pub fn iter(&self) -> impl Iterator<Item = Skill> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<Skill> for SkillSet {
    fn from_iter<I: IntoIterator<Item = Skill>>(iter: I) -> Self {
        let mut v: Vec<Skill> = iter.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        v.shrink_to_fit();
        Self(v)
    }
}

impl<'a> FromIterator<&'a SkillCode> for SkillSet {
    fn from_iter<I: IntoIterator<Item = &'a SkillCode>>(iter: I) -> Self {
        iter.into_iter().map(Skill::of).collect()
    }
}

/// Weekly availability as a bit mask: bit `day * 3 + part` (Monday morning is bit 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SlotMask(u32);

impl SlotMask {
    /// No slot.
    pub const NONE: SlotMask = SlotMask(0);
    /// Every slot of the week.
    pub const ALL: SlotMask = SlotMask((1 << 21) - 1);

    fn bit(slot: &Slot) -> u32 {
        let day = Weekday::ALL
            .iter()
            .position(|d| *d == slot.day)
            .unwrap_or(0);
        let part = PartOfDay::ALL
            .iter()
            .position(|p| *p == slot.part)
            .unwrap_or(0);
        1 << (day * 3 + part)
    }

    /// The mask of an availability.
    pub fn of(availability: &Availability) -> Self {
        Self(availability.slots().map(Self::bit).fold(0, |a, b| a | b))
    }

    /// The slots of one weekday (0 = Monday).
    pub fn day(day: usize) -> Self {
        Self((0b111 << (day.min(6) * 3)) & Self::ALL.0)
    }

    /// Whether no slot is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The slots both masks share.
    pub fn and(self, other: SlotMask) -> SlotMask {
        SlotMask(self.0 & other.0)
    }

    /// The slots of either mask.
    pub fn or(self, other: SlotMask) -> SlotMask {
        SlotMask(self.0 | other.0)
    }

    /// How many slots are set.
    pub fn count(self) -> u32 {
        self.0.count_ones()
    }
}
