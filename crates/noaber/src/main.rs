//! The `noaber` binary: parses the command line and runs the chosen subcommand.

use clap::Parser;

fn main() -> std::process::ExitCode {
    noaber_api::cli::main(noaber_api::cli::Cli::parse())
}
