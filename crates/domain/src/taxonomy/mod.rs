//! The taxonomy shipped with Noaber: skills, request categories and target groups, each with a
//! stable code and labels in Dutch, French and English.
//!
//! Codes are stable forever: stored events refer to them, so a code is never renamed or removed
//! (a retired entry would stay, marked as such). Labels may be improved at any time. Categories
//! list the skills that fit them, so match suggestions can rank a helper's skill fit.

mod data;

use std::sync::OnceLock;

use serde::Serialize;

/// The labels of one entry in the three languages Noaber ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Labels {
    /// Dutch.
    pub nl: &'static str,
    /// French.
    pub fr: &'static str,
    /// English.
    pub en: &'static str,
}

impl Labels {
    /// The label in `language` (`nl`, `fr` or `en`); English for any other language.
    pub fn get(&self, language: &str) -> &'static str {
        match language {
            "nl" => self.nl,
            "fr" => self.fr,
            _ => self.en,
        }
    }
}

/// A skill a helper can declare.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Skill {
    /// The stable code, e.g. `grocery_shopping`.
    pub code: &'static str,
    /// The group the skill is listed under, e.g. `household`.
    pub group: &'static str,
    /// Labels.
    pub labels: Labels,
}

/// A request category, with the skills that fit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Category {
    /// The stable code, e.g. `errands`.
    pub code: &'static str,
    /// Labels.
    pub labels: Labels,
    /// Codes of the skills that fit requests of this category, best fit first.
    pub skills: Vec<&'static str>,
}

/// A target group: who a request is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TargetGroup {
    /// The stable code, e.g. `older_people`.
    pub code: &'static str,
    /// Labels.
    pub labels: Labels,
}

/// The whole taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Taxonomy {
    skills: Vec<Skill>,
    categories: Vec<Category>,
    target_groups: Vec<TargetGroup>,
}

impl Taxonomy {
    /// Every skill, grouped, in a stable order.
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// Every request category, in a stable order.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// Every target group, in a stable order.
    pub fn target_groups(&self) -> &[TargetGroup] {
        &self.target_groups
    }

    /// The skill with this code.
    pub fn skill(&self, code: &str) -> Option<&Skill> {
        self.skills.iter().find(|s| s.code == code)
    }

    /// The category with this code.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The target group with this code.
    pub fn target_group(&self, code: &str) -> Option<&TargetGroup> {
        self.target_groups.iter().find(|t| t.code == code)
    }

    /// Whether `skill` fits requests of `category`.
    pub fn skill_fits(&self, category: &str, skill: &str) -> bool {
        self.category(category)
            .is_some_and(|c| c.skills.contains(&skill))
    }
}

fn labels(l: (&'static str, &'static str, &'static str)) -> Labels {
    Labels {
        nl: l.0,
        fr: l.1,
        en: l.2,
    }
}

/// The taxonomy, built once from the data shipped in the binary.
pub fn taxonomy() -> &'static Taxonomy {
    static TAXONOMY: OnceLock<Taxonomy> = OnceLock::new();
    TAXONOMY.get_or_init(|| Taxonomy {
        skills: data::SKILLS
            .iter()
            .map(|&(code, group, nl, fr, en)| Skill {
                code,
                group,
                labels: labels((nl, fr, en)),
            })
            .collect(),
        categories: data::CATEGORIES
            .iter()
            .map(|&(code, nl, fr, en, skills)| Category {
                code,
                labels: labels((nl, fr, en)),
                skills: skills.to_vec(),
            })
            .collect(),
        target_groups: data::TARGET_GROUPS
            .iter()
            .map(|&(code, nl, fr, en)| TargetGroup {
                code,
                labels: labels((nl, fr, en)),
            })
            .collect(),
    })
}
