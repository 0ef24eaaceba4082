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
//!
//! A value may also name a key **scope** (`"scope": "<uuid>"`, the request it belongs to): it is
//! then sealed under a key that needs both the subject's key and the scope's key, so destroying
//! the scope's key when its retention period ends makes it unreadable while the subject's other
//! data stays readable (see ADR 0033).

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use uuid::Uuid;

use crate::ids::PersonId;

/// A piece of personal data, tagged with the person it is about.
#[derive(Clone, PartialEq, Eq)]
pub struct Personal {
    /// The data subject: whose key protects this value and whose erasure wipes it.
    pub subject: PersonId,
    /// The key scope, if the value is kept only as long as that scope (a request) is.
    pub scope: Option<Uuid>,
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
            scope: None,
            value: PersonalValue::Clear(text.into()),
        }
    }

    /// An erased value of `subject`.
    pub fn erased(subject: PersonId) -> Self {
        Self {
            subject,
            scope: None,
            value: PersonalValue::Erased,
        }
    }

    /// A sealed value: `inner` is the whole object under `$sealed` (it should hold `subject`).
    pub fn sealed(subject: PersonId, inner: Value) -> Self {
        Self {
            subject,
            scope: None,
            value: PersonalValue::Sealed(inner),
        }
    }

    /// The same value kept under the key scope `scope` (a request): a clear value is scoped so
    /// the store seals it under the scope's key too; sealed and erased values keep their keys.
    pub fn within(self, scope: impl Into<Uuid>) -> Self {
        match self.value {
            PersonalValue::Clear(_) => Self {
                scope: Some(scope.into()),
                ..self
            },
            _ => self,
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
        let tagged = |extra: (&str, Value)| {
            let mut m = Map::new();
            m.insert("subject".into(), subject.clone());
            if let Some(scope) = self.scope {
                m.insert("scope".into(), Value::String(scope.to_string()));
            }
            m.insert(extra.0.into(), extra.1);
            Value::Object(m)
        };
        let (tag, inner) = match &self.value {
            PersonalValue::Clear(text) => ("$pii", tagged(("text", Value::String(text.clone())))),
            PersonalValue::Erased => ("$pii", tagged(("erased", Value::Bool(true)))),
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
                m.entry("subject").or_insert(subject.clone());
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
        let scope_of = |inner: &Map<String, Value>| -> Result<Option<Uuid>, D::Error> {
            inner
                .get("scope")
                .map(|s| {
                    s.as_str()
                        .ok_or_else(|| D::Error::custom("a personal value's `scope` is not text"))?
                        .parse::<Uuid>()
                        .map_err(D::Error::custom)
                })
                .transpose()
        };
        if let Some(inner) = outer.remove("$sealed") {
            let Value::Object(map) = &inner else {
                return Err(D::Error::custom("`$sealed` must be an object"));
            };
            let (subject, scope) = (subject_of(map)?, scope_of(map)?);
            return Ok(Personal {
                scope,
                ..Personal::sealed(subject, inner)
            });
        }
        if let Some(Value::Object(inner)) = outer.remove("$pii") {
            let (subject, scope) = (subject_of(&inner)?, scope_of(&inner)?);
            let value = if inner.get("erased").and_then(Value::as_bool) == Some(true) {
                PersonalValue::Erased
            } else {
                match inner.get("text") {
                    Some(Value::String(text)) => PersonalValue::Clear(text.clone()),
                    _ => {
                        return Err(D::Error::custom(
                            "`$pii` must hold a `text` string or `erased: true`",
                        ))
                    }
                }
            };
            return Ok(Personal {
                subject,
                scope,
                value,
            });
        }
        Err(D::Error::custom(
            "personal data must be `{\"$pii\": {...}}` or `{\"$sealed\": {...}}`",
        ))
    }
}
