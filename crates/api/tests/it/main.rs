//! The HTTP application's integration tests, in one test binary: the application is built
//! in-process (no server, no port) over a temporary embedded store.

mod support;

mod http_basics;
mod http_v1;
mod roles;
