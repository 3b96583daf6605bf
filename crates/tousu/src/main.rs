//! tousu 投诉 — complaint handling for property-management companies.

use clap::Parser;

fn main() -> std::process::ExitCode {
    tousu::cli::run(tousu::cli::Cli::parse())
}
