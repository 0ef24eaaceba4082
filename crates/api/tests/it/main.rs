//! The HTTP application's integration tests, in one test binary. Most build the application
//! in-process over a temporary embedded store and drive it without a socket (with the
//! development identity headers); the identity and authorization tests serve it on a real
//! socket over both stores with real sessions and tokens (`live`).

mod live;
mod support;

mod authorization_matrix;
mod commands_calls;
mod commands_organisations;
mod commands_persons;
mod commands_requests;
mod commands_safeguarding;
mod contact_sharing;
mod conventions;
mod data_lifetime;
mod fuzz_findings;
mod http_basics;
mod http_v1;
mod identity;
mod limits;
mod metrics;
mod mine;
mod openapi;
mod people;
mod personal_calls;
mod personal_data;
mod personal_fields;
mod regressions;
mod roles;
mod security_headers;
mod social_map;
mod sso;
mod standing_offers;
mod stream;
mod tenant_export;
mod wire;
