//! Upcasting: turning the stored payload of an older schema version into the current shape.
//!
//! Stored events are never edited. When an event's shape changes, its schema version goes up
//! and a step is added here that turns version `n` into `n + 1`; reading applies the steps one
//! after another, so a payload of any shipped version decodes into today's type.
//!
//! History of changes:
//! - `RequestPosted` v1 -> v2: the free text field `text` was renamed `description`, and
//!   `target_group`, `visibility` and `hands_needed` were added (defaults: none,
//!   `neighbourhood`, 1).
//! - `TenantSettingsChanged` v1 -> v2: `sensitive_categories` was added (default: absent, so
//!   the categories that require a screening did not change).
//! - `PersonRegistered` v1 -> v2, `ProfileUpdated` v1 -> v2 and `RequestPosted` v2 -> v3:
//!   `location` now holds only the area a location falls in, and the location itself is sealed
//!   in `precise_location`. An older event's location is read as its area (and has no sealed
//!   location), so nothing downstream of the log ever sees it finer (ADR 0032).
//! - `TenantSettingsChanged` v2 -> v3: `retention` was added (default: absent, so the retention
//!   policy did not change). Nothing to rewrite: the step only moves the version.

use serde_json::{Map, Value};

use crate::values::ApproxLocation;
use crate::DecodeError;

/// Brings `payload` of `event_type` from `from` up to `current`, one version step at a time.
pub fn upcast(
    event_type: &str,
    from: u32,
    current: u32,
    mut payload: Value,
) -> Result<Value, DecodeError> {
    if from == 0 || from > current {
        return Err(DecodeError::UnsupportedVersion {
            event_type: event_type.to_string(),
            schema_version: from,
            current,
        });
    }
    for version in from..current {
        payload = step(event_type, version, payload)?;
    }
    Ok(payload)
}

/// One step: version `version` of `event_type` to version `version + 1`.
fn step(event_type: &str, version: u32, payload: Value) -> Result<Value, DecodeError> {
    match (event_type, version) {
        ("RequestPosted", 1) => {
            request_posted_v1_to_v2(payload).map_err(|reason| DecodeError::InvalidPayload {
                event_type: event_type.to_string(),
                schema_version: version,
                reason,
            })
        }
        ("TenantSettingsChanged", 1) => {
            tenant_settings_changed_v1_to_v2(payload).map_err(|reason| {
                DecodeError::InvalidPayload {
                    event_type: event_type.to_string(),
                    schema_version: version,
                    reason,
                }
            })
        }
        ("TenantSettingsChanged", 2) => Ok(payload),
        ("PersonRegistered", 1) | ("ProfileUpdated", 1) | ("RequestPosted", 2) => {
            location_to_area(payload).map_err(|reason| DecodeError::InvalidPayload {
                event_type: event_type.to_string(),
                schema_version: version,
                reason,
            })
        }
        _ => Err(DecodeError::UnsupportedVersion {
            event_type: event_type.to_string(),
            schema_version: version,
            current: version + 1,
        }),
    }
}

fn object(payload: Value) -> Result<Map<String, Value>, String> {
    match payload {
        Value::Object(m) => Ok(m),
        _ => Err("the payload is not a JSON object".to_string()),
    }
}

/// `RequestPosted` v1 called the description `text` and had no target group, visibility or
/// number of hands.
fn request_posted_v1_to_v2(payload: Value) -> Result<Value, String> {
    let mut m = object(payload)?;
    if !m.contains_key("description") {
        let text = m
            .remove("text")
            .ok_or_else(|| "missing field `text` (v1 description)".to_string())?;
        m.insert("description".into(), text);
    }
    m.entry("target_group").or_insert(Value::Null);
    m.entry("visibility")
        .or_insert_with(|| Value::String("neighbourhood".into()));
    m.entry("hands_needed").or_insert_with(|| Value::from(1));
    Ok(Value::Object(m))
}

/// `TenantSettingsChanged` v1 had no sensitive categories: none changed.
fn tenant_settings_changed_v1_to_v2(payload: Value) -> Result<Value, String> {
    let mut m = object(payload)?;
    m.entry("sensitive_categories").or_insert(Value::Null);
    Ok(Value::Object(m))
}

/// A location written before areas (about 100 m) is read as the area it falls in.
fn location_to_area(payload: Value) -> Result<Value, String> {
    let mut m = object(payload)?;
    if let Some(location) = m.get_mut("location") {
        if !location.is_null() {
            let fine: ApproxLocation = serde_json::from_value(location.take())
                .map_err(|e| format!("the location does not read: {e}"))?;
            *location = serde_json::to_value(fine.area())
                .map_err(|e| format!("an area does not write: {e}"))?;
        }
    }
    Ok(Value::Object(m))
}
