//! The HTTP application's integration tests, in one test binary: the application is built
//! in-process (no server, no port) over a temporary embedded store.

mod support;

mod commands_calls;
mod commands_organisations;
mod commands_persons;
mod commands_requests;
mod commands_safeguarding;
mod http_basics;
mod http_v1;
mod roles;
mod security_headers;
