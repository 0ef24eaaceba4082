//! The domain's integration tests, in one binary so they compile and link once.

mod aggregates;
mod codec;
mod common;
mod contact_sharing;
mod error_codes;
mod policy_table;
mod references;
mod request_properties;
mod request_rules;
mod request_times;
mod retention_rules;
mod role_rules;
mod safeguarding_rules;
mod standing_offer_properties;
mod standing_offer_rules;
mod take_up_rules;
mod taxonomy;
mod values;
