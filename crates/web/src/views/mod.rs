//! Server-rendered pages: the staff console and (later) the owners' portal.
//! Pages call the same application services as the API, render embedded
//! templates, take every string from the message catalogues, and have their
//! own error page. Every asset is served by the binary (no CDN).

pub mod admin;
mod admin_scripts;
mod admin_synonyms;
pub mod assets;
pub mod charts;
pub mod complaints;
pub mod dashboard;
pub mod figure_charts;
pub mod figures;
pub mod home;
pub mod i18n;
pub mod login;
pub mod nav;
pub mod portal;
pub mod render;
pub mod search;
pub mod session;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(login::switch_language))
        .route("/assets/{file}", get(assets::serve))
        .merge(portal::router())
        .merge(dashboard::router())
        .merge(figures::router())
        .merge(admin::router())
        .merge(admin_scripts::router())
        .merge(admin_synonyms::router())
        .merge(complaints::router())
        .merge(search::router())
}
