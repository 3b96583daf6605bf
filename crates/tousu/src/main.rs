//! tousu 投诉 — complaint handling for property-management companies.

use clap::Parser;

/// mimalloc: intake allocates many small strings per request; the system
/// allocator's locking showed up in profiles of `tousu bench intake`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tousu::cli::run(tousu::cli::Cli::parse())
}
