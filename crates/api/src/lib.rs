//! Noaber's HTTP API as a library: [`http::app`] builds the application over an opened event
//! log and the read models, so that tests can drive it without a process and the `noaber`
//! binary can serve it.
#![deny(missing_docs)]

pub mod http;
pub mod identity;
pub mod retention;
pub mod tenant_export;
