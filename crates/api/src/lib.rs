//! Noaber's HTTP API and the command-line subcommands behind the `noaber` binary.

pub mod bench;
pub mod cmd;
