//! The `noaber` binary: parses the command line and runs the chosen subcommand.

mod cli;
mod cmd;
mod config;

use clap::Parser;

fn main() -> std::process::ExitCode {
    cli::main(cli::Cli::parse())
}
