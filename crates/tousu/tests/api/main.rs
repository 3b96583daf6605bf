//! Integration tests: the real server on a random port with a fresh
//! database, spoken to over HTTP.

mod helpers;

mod auth;
mod bad_input;
mod intake;
mod lifecycle;
