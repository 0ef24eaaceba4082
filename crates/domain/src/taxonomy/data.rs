//! The taxonomy data: skills, categories and target groups with Dutch, French and English labels.

/// `(code, group, nl, fr, en)`.
pub(super) const SKILLS: &[(&str, &str, &str, &str, &str)] = &[
    ("grocery_shopping", "errands", "Boodschappen doen", "Faire les courses", "Grocery shopping"),
    ("pharmacy_pickup", "errands", "Medicijnen ophalen", "Chercher des médicaments", "Picking up medicines"),
];

/// `(code, nl, fr, en, skills that fit)`.
pub(super) const CATEGORIES: &[(&str, &str, &str, &str, &[&str])] = &[
    ("errands", "Boodschappen en klusjes buitenshuis", "Courses et petites commissions", "Errands", &["grocery_shopping", "pharmacy_pickup"]),
];

/// `(code, nl, fr, en)`.
pub(super) const TARGET_GROUPS: &[(&str, &str, &str, &str)] = &[
    ("older_people", "Ouderen", "Personnes âgées", "Older people"),
];
