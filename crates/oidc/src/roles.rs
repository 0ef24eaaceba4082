//! From the values of a provider's role claim to Noaber roles.

use std::collections::BTreeMap;

use noaber_domain::Role;
use serde_json::Value;

use crate::error::OidcError;

/// The tenant's mapping from role claim values to roles, taken from its configuration.
#[derive(Debug, Clone)]
pub(crate) struct RoleMapping {
    claim: String,
    map: BTreeMap<String, Role>,
    default: Option<Role>,
}

impl RoleMapping {
    /// The mapping for claim `claim`.
    pub(crate) fn new(claim: String, map: BTreeMap<String, Role>, default: Option<Role>) -> Self {
        Self {
            claim,
            map,
            default,
        }
    }

    /// The name of the claim that carries the roles.
    pub(crate) fn claim(&self) -> &str {
        &self.claim
    }

    /// The roles the claim's value gives, sorted and without repeats: every value the map
    /// knows, or else the default role.
    ///
    /// # Errors
    /// [`OidcError::NoRole`] when no value is known and there is no default; values that are
    /// not strings (numbers, objects) are ignored.
    pub(crate) fn roles(&self, claim: Option<&Value>) -> Result<Vec<Role>, OidcError> {
        let values = claim_values(claim);
        let mut roles: Vec<Role> = values
            .iter()
            .filter_map(|value| self.map.get(value).copied())
            .collect();
        roles.sort_unstable();
        roles.dedup();
        if roles.is_empty() {
            match self.default {
                Some(role) => roles.push(role),
                None => {
                    return Err(OidcError::NoRole {
                        claim_values: values,
                    })
                }
            }
        }
        Ok(roles)
    }
}

/// A claim's string values: the string itself, or the strings of an array.
fn claim_values(claim: Option<&Value>) -> Vec<String> {
    match claim {
        Some(Value::String(value)) => vec![value.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mapping(default: Option<Role>) -> RoleMapping {
        RoleMapping::new(
            "groups".into(),
            BTreeMap::from([
                ("noaber-connectors".to_owned(), Role::Connector),
                ("noaber-admins".to_owned(), Role::Admin),
                ("wijkteam".to_owned(), Role::Connector),
            ]),
            default,
        )
    }

    #[test]
    fn a_single_string_value_maps_to_its_role() {
        let roles = mapping(None).roles(Some(&json!("noaber-admins")));

        assert_eq!(roles, Ok(vec![Role::Admin]));
    }

    #[test]
    fn every_known_value_of_an_array_counts_once_and_unknown_ones_are_ignored() {
        let claim = json!([
            "wijkteam",
            "everyone",
            "noaber-admins",
            "noaber-connectors",
            7
        ]);

        let roles = mapping(None).roles(Some(&claim));

        assert_eq!(roles, Ok(vec![Role::Connector, Role::Admin]));
    }

    #[test]
    fn values_are_compared_exactly() {
        let roles = mapping(None).roles(Some(&json!(["Noaber-Connectors"])));

        assert!(matches!(roles, Err(OidcError::NoRole { .. })));
    }

    #[test]
    fn nothing_known_and_no_default_is_no_role_listing_the_values() {
        let roles = mapping(None).roles(Some(&json!(["everyone", "staff"])));

        assert_eq!(
            roles,
            Err(OidcError::NoRole {
                claim_values: vec!["everyone".into(), "staff".into()]
            })
        );
    }

    #[test]
    fn a_missing_claim_is_no_role_with_no_values() {
        let roles = mapping(None).roles(None);

        assert_eq!(
            roles,
            Err(OidcError::NoRole {
                claim_values: vec![]
            })
        );
    }

    #[test]
    fn nothing_known_gives_the_default_role_when_there_is_one() {
        let roles = mapping(Some(Role::Resident)).roles(Some(&json!(["everyone"])));

        assert_eq!(roles, Ok(vec![Role::Resident]));
    }

    #[test]
    fn a_known_value_wins_over_the_default_role() {
        let roles = mapping(Some(Role::Resident)).roles(Some(&json!("wijkteam")));

        assert_eq!(roles, Ok(vec![Role::Connector]));
    }
}
