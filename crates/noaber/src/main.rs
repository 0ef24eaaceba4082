//! The `noaber` binary: parses the command line and runs the chosen subcommand.

mod cli;
mod cmd;
mod config;

use clap::Parser;

/// mimalloc instead of the system allocator: a busy server allocates small buffers on every
/// thread, where glibc's allocator spent an eighth of the CPU in the HTTP benchmark (ADR 0035).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main(cli::Cli::parse())
}
