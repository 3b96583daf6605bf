//! Integration tests: the real server on a random port with a fresh
//! database, spoken to over HTTP.

mod helpers;

mod admin;
mod auth;
mod bad_input;
mod cli;
mod evidence;
mod intake;
mod lifecycle;
mod lists;
mod masking;
mod notifications;
mod openapi;
mod pages;
mod portal;
mod postgres;
mod refusals;
mod sinks;
mod time_limits;
mod tracking;
mod groups;
mod admin_pages;
mod dashboard_pages;
mod triage_pages;
