//! Integration tests: the real server on a random port with a fresh
//! database, spoken to over HTTP.

mod helpers;

mod admin;
mod admin_pages;
mod auth;
mod bad_input;
mod catalogue;
mod cli;
mod copy;
mod dashboard_pages;
mod defects;
mod evidence;
mod extra_services;
mod groups;
mod intake;
mod lifecycle;
mod lists;
mod masking;
mod notifications;
mod openapi;
mod pages;
mod performance;
mod portal;
mod postgres;
mod processes;
mod refusals;
mod satisfaction;
mod search;
mod search_pages;
mod search_synonyms;
mod sinks;
mod time_limits;
mod tracking;
mod training;
mod triage_pages;
