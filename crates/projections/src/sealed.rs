//! Personal values kept sealed inside read models, to be opened on read by the API for readers
//! the policy allows: never in clear in a model or a snapshot, unreadable once their person's
//! key is destroyed.

use noaber_domain::{PersonId, Personal, PersonalValue};
use serde::{Deserialize, Serialize};

/// A personal text still sealed, as the inner object of its `$sealed` form in compact JSON, with
/// its subject: opened on read for those allowed (never in clear in a model or a snapshot).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SealedText {
    subject: PersonId,
    inner: Box<str>,
}

impl SealedText {
    pub(crate) fn of(value: &Personal) -> Option<Self> {
        match &value.value {
            PersonalValue::Sealed(inner) => Some(Self {
                subject: value.subject,
                inner: inner.to_string().into_boxed_str(),
            }),
            _ => None,
        }
    }

    pub(crate) fn personal(&self) -> Option<Personal> {
        serde_json::from_str(&self.inner)
            .ok()
            .map(|inner| Personal::sealed(self.subject, inner))
    }
}
