//! tousu's HTTP interface. The JSON API lives under `/api/v1`, one router per
//! resource, merged in [`router`]; every handler calls the application
//! services and maps their error once ([`error::ApiError`]).

pub mod api;
pub mod error;
pub mod extract;
pub mod views;

use axum::Router;
use tousu_app::Services;

/// The limit on any request body (evidence uploads have their own).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
}

/// The whole HTTP application.
pub fn router(services: Services) -> Router {
    api::router(AppState { services })
}
