//! End-to-end tests of the `noaber` binary, in one test binary: each test runs the real
//! executable (which only its own package can locate) against the embedded log in a temporary
//! directory or a fresh PostgreSQL database.

mod support;

mod e2e_binary;
mod e2e_commands;
mod e2e_doctor;
mod e2e_identity;
mod e2e_verify;
mod taxonomy;
