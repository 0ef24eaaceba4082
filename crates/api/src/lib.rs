//! Noaber's HTTP API and the command-line subcommands behind the `noaber` binary.
//!
//! `main.rs` only parses the command line and hands it to [`cli::run`]; everything else lives
//! here so that tests can build the HTTP application ([`http::app`]) without a process.
#![deny(missing_docs)]

pub mod bench;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod http;
