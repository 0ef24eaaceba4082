//! The words of the demo data: invented first and family names, neighbourhood names and short
//! request texts, so generated histories read like real ones without being anyone's.

/// Invented first names.
pub(super) const FIRST_NAMES: &[&str] = &[
    "Anneke", "Bram", "Clara", "Daan", "Els", "Fenna", "Gerrit", "Hanna", "Ilse", "Jan", "Karim",
    "Lotte", "Mehmet", "Nora", "Otto", "Petra", "Quinten", "Rosa", "Sami", "Tineke", "Umar",
    "Vera", "Wim", "Yara", "Zeynep", "Aziz", "Berna", "Chantal", "Dirk", "Emma", "Fatima", "Guus",
    "Hendrik", "Inge", "Joost", "Kees", "Leila", "Marieke", "Noor", "Omar", "Pieter", "Riet",
    "Sophie", "Thijs", "Wouter", "Yusuf", "Marie", "Lucas", "Camille", "Louis",
];

/// Invented family names.
pub(super) const FAMILY_NAMES: &[&str] = &[
    "Aarts",
    "Bakker",
    "Claes",
    "De Boer",
    "Dekker",
    "El Amrani",
    "Geurts",
    "Hermans",
    "Jansen",
    "Kok",
    "Lambrechts",
    "Maes",
    "Mulder",
    "Nijhuis",
    "Oosterhof",
    "Peeters",
    "Roelofs",
    "Smits",
    "Timmermans",
    "Van Dam",
    "Van Dijk",
    "Verhoeven",
    "Visser",
    "Wouters",
    "Yilmaz",
    "Zwart",
    "Brouwer",
    "Hendriks",
    "Kuipers",
    "Vos",
];

/// Invented street names, for addresses (always encrypted).
pub(super) const STREETS: &[&str] = &[
    "Molenstraat",
    "Kerkweg",
    "Lindelaan",
    "Esweg",
    "Beukenhof",
    "Schoolstraat",
    "Veldweg",
    "Dorpsstraat",
    "Kastanjelaan",
    "Brinkstraat",
];

/// Neighbourhood names; large scale numbers them.
pub(super) const NEIGHBOURHOODS: &[&str] = &[
    "Molenveld",
    "Kerkebuurt",
    "De Esch",
    "Lindenhof",
    "Oude Haven",
    "Bolwerk",
    "Hoge Brink",
    "Nieuwland",
];

/// Municipality-like tenant names; large scale numbers them.
pub(super) const TENANTS: &[&str] = &[
    "Buurtzorg Oost",
    "Burenhulp Noord",
    "Samen Thuis",
    "Noaberschap West",
    "Hulp om de Hoek",
];

/// Openings of a request, in the requester's words.
pub(super) const OPENINGS: &[&str] = &[
    "Wie kan mij helpen met",
    "Ik zoek iemand voor",
    "Graag wat hulp bij",
    "Is er een buur die kan helpen met",
    "Na mijn operatie lukt het niet meer:",
];

/// Details that make a request concrete.
pub(super) const DETAILS: &[&str] = &[
    "Het mag ook in het weekend.",
    "Liefst in de ochtend.",
    "Ik woon op de tweede verdieping zonder lift.",
    "Mijn dochter woont ver weg.",
    "Het hoeft niet vandaag, wel deze week.",
    "Ik betaal graag de onkosten.",
    "Mijn buurman deed het altijd, maar die is verhuisd.",
    "Ik spreek ook Frans en Engels.",
];

/// Messages helpers send with an offer.
pub(super) const OFFER_MESSAGES: &[&str] = &[
    "Ik kan donderdagmiddag langskomen.",
    "Dat doe ik graag, ik woon om de hoek.",
    "Zaterdag heb ik tijd.",
    "Ik heb er gereedschap voor.",
];

/// Feedback comments.
pub(super) const FEEDBACK: &[&str] = &[
    "Heel fijn geholpen, dank je wel!",
    "Snel en vriendelijk.",
    "Het was gezellig, we drinken nog eens koffie.",
    "Goed geregeld.",
];

/// Notes of connectors and partners.
pub(super) const NOTES: &[&str] = &[
    "Besproken tijdens huisbezoek.",
    "Telefonisch nagebeld.",
    "Past beter bij de thuiszorg.",
    "Eerst contact met de huisarts opnemen.",
];

/// Calls (oproepen) an organisation may publish: title and description.
pub(super) const CALLS: &[(&str, &str)] = &[
    (
        "Sneeuwruimen bij ouderen",
        "Wie helpt de stoep sneeuwvrij te maken bij oudere buren?",
    ),
    (
        "Verhuizing buurthuis",
        "Het buurthuis verhuist: we zoeken sterke handen voor een zaterdag.",
    ),
    (
        "Buurtfeest opbouwen",
        "Help mee met tenten en tafels voor het buurtfeest.",
    ),
    (
        "Kerstpakketten rondbrengen",
        "Wie brengt een pakket rond bij alleenstaande buren?",
    ),
];

/// Standing offers (*aanbod*): title, description, category and the skill it takes.
pub(super) const STANDING_OFFERS: &[(&str, &str, &str, &str)] = &[
    (
        "Ik rijd op dinsdag naar het ziekenhuis",
        "Ik vertrek rond negen uur vanaf het plein en heb plek voor één.",
        "transport",
        "driving_medical",
    ),
    (
        "Een ladder en een boormachine te leen",
        "Ophalen en terugbrengen in overleg; ik help ook graag een gaatje boren.",
        "odd_jobs",
        "small_repairs",
    ),
    (
        "Soep voor wie ziek is",
        "Op woensdag kook ik een grote pan en breng graag een portie langs.",
        "meals",
        "meal_delivery",
    ),
];

/// What a neighbour says when taking up a standing offer.
pub(super) const TAKE_UPS: &[&str] = &[
    "Graag! Dat zou mij deze week erg helpen.",
    "Mag ik daar gebruik van maken? Ik woon om de hoek.",
    "Wat fijn dat u dit aanbiedt; komt het volgende week uit?",
];
