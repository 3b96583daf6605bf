//! The `tousu` binary's library: settings, startup and the CLI commands.
//! `main.rs` only parses arguments and calls [`cli::run`].

pub mod bench;
pub mod cli;
pub mod copy;
pub mod search_cmd;
pub mod settings;
pub mod startup;
pub mod telemetry;
pub mod triage_cmd;
