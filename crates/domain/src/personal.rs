//! Personal data: every name, contact detail, address or free text in an event or command.
//!
//! A [`Personal`] value names its data subject (the person the data is about), so the store can
//! encrypt it with that person's key on the way in and erasing the person (destroying the key)
//! makes it unreadable everywhere. Its JSON forms are fixed, because the store's codec works at
//! the JSON level:
//!
//! - clear:  `{"$pii": {"subject": "<uuid>", "text": "..."}}`
//! - sealed: `{"$sealed": {"subject": "<uuid>", ...opaque fields...}}`
//! - erased: `{"$pii": {"subject": "<uuid>", "erased": true}}`

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::ids::PersonId;

/// A piece of personal data, tagged with the person it is about.
#[derive(Clone, PartialEq, Eq)]
pub struct Personal {
    /// The data subject: whose key protects this value and whose erasure wipes it.
    pub subject: PersonId,
    /// The value itself, in clear, sealed by the store, or erased.
    pub value: PersonalValue,
}

/// The three states a personal value can be in.
#[derive(Clone, PartialEq, Eq)]
pub enum PersonalValue {
    /// Readable text (inside the application, never in the stored log).
    Clear(String),
    /// Encrypted by the store: the whole inner object of `$sealed`, kept unchanged.
    Sealed(Value),
    /// The subject was erased: the value can never be read again.
    Erased,
}

impl Personal {
    /// Personal text in clear about `subject`.
    pub fn clear(subject: PersonId, text: impl Into<String>) -> Self {
        Self {
            subject,
            value: PersonalValue::Clear(text.into()),
        }
    }

    /// An erased value of `subject`.
    pub fn erased(subject: PersonId) -> Self {
        Self {
            subject,
            value: PersonalValue::Erased,
        }
    }

    /// A sealed value: `inner` is the whole object under `$sealed` (it should hold `subject`).
    pub fn sealed(subject: PersonId, inner: Value) -> Self {
        Self {
            subject,
            value: PersonalValue::Sealed(inner),
        }
    }

    /// The same value about `subject`: a clear value is re-tagged, so whoever typed it, it is
    /// encrypted with the key of the person it is about. Sealed and erased values keep their
    /// subject, since their key was already chosen.
    pub fn about(self, subject: PersonId) -> Self {
        match self.value {
            PersonalValue::Clear(_) => Self { subject, ..self },
            _ => self,
        }
    }

    /// The clear text, if this value is in clear.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            PersonalValue::Clear(t) => Some(t),
            _ => None,
        }
    }

    /// Whether the subject was erased and this value is gone for good.
    pub fn is_erased(&self) -> bool {
        matches!(self.value, PersonalValue::Erased)
    }

    /// Whether the value is still sealed (encrypted).
    pub fn is_sealed(&self) -> bool {
        matches!(self.value, PersonalValue::Sealed(_))
    }

    /// Whether the clear text is empty or only whitespace (sealed and erased values are not blank).
    pub fn is_blank(&self) -> bool {
        self.text().is_some_and(|t| t.trim().is_empty())
    }
}

impl fmt::Debug for Personal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            PersonalValue::Erased => f.write_str("<erased>"),
            _ => f.write_str("<personal>"),
        }
    }
}

impl fmt::Debug for PersonalValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersonalValue::Erased => f.write_str("<erased>"),
            _ => f.write_str("<personal>"),
        }
    }
}

impl Serialize for Personal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let subject = Value::String(self.subject.to_string());
        let (tag, inner) = match &self.value {
            PersonalValue::Clear(text) => {
                let mut m = Map::new();
                m.insert("subject".into(), subject);
                m.insert("text".into(), Value::String(text.clone()));
                ("$pii", Value::Object(m))
            }
            PersonalValue::Erased => {
                let mut m = Map::new();
                m.insert("subject".into(), subject);
                m.insert("erased".into(), Value::Bool(true));
                ("$pii", Value::Object(m))
            }
            PersonalValue::Sealed(inner) => {
                // The opaque object is written back exactly as it was read.
                let mut m = match inner {
                    Value::Object(m) => m.clone(),
                    other => {
                        let mut m = Map::new();
                        m.insert("value".into(), other.clone());
                        m
                    }
                };
                m.entry("subject").or_insert(subject);
                ("$sealed", Value::Object(m))
            }
        };
        let mut outer = Map::new();
        outer.insert(tag.into(), inner);
        Value::Object(outer).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Personal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Value::Object(mut outer) = value else {
            return Err(D::Error::custom(
                "personal data must be an object with `$pii` or `$sealed`",
            ));
        };
        if outer.len() != 1 {
            return Err(D::Error::custom(
                "personal data must hold exactly one of `$pii` or `$sealed`",
            ));
        }
        let subject_of = |inner: &Map<String, Value>| -> Result<PersonId, D::Error> {
            inner
                .get("subject")
                .and_then(Value::as_str)
                .ok_or_else(|| D::Error::custom("personal data has no `subject`"))?
                .parse::<PersonId>()
                .map_err(D::Error::custom)
        };
        if let Some(inner) = outer.remove("$sealed") {
            let Value::Object(map) = &inner else {
                return Err(D::Error::custom("`$sealed` must be an object"));
            };
            let subject = subject_of(map)?;
            return Ok(Personal::sealed(subject, inner));
        }
        if let Some(Value::Object(inner)) = outer.remove("$pii") {
            let subject = subject_of(&inner)?;
            if inner.get("erased").and_then(Value::as_bool) == Some(true) {
                return Ok(Personal::erased(subject));
            }
            return match inner.get("text") {
                Some(Value::String(text)) => Ok(Personal::clear(subject, text.clone())),
                _ => Err(D::Error::custom(
                    "`$pii` must hold a `text` string or `erased: true`",
                )),
            };
        }
        Err(D::Error::custom(
            "personal data must be `{\"$pii\": {...}}` or `{\"$sealed\": {...}}`",
        ))
    }
}
