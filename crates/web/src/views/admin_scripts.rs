//! `GET/POST /admin/scripts`: the response scripts (话术) handlers are shown
//! beside a complaint, edited by administrators as the TOML document the
//! triage engine reads (`crates/triage/data/scripts.toml` is the shipped
//! one). A document that does not parse is refused whole, with the reason,
//! and the one in force stays; a saved one is in force at once and kept in
//! the data folder.

use crate::AppState;
use crate::views::render::{PageError, render};
use crate::views::session::StaffPage;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use super::admin::admin_only;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/scripts", get(show).post(save))
}

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct ScriptsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toml: String,
}

fn page_of(page: &StaffPage, toml: &str, saved: bool, error: Option<String>) -> Result<Html<String>, PageError> {
    render(
        "admin/scripts.html",
        minijinja::context! { section => "scripts", toml => toml, saved => saved, error => error, ..page.base() },
    )
}

pub async fn show(
    State(s): State<AppState>,
    page: StaffPage,
    q: Result<Query<Saved>, axum::extract::rejection::QueryRejection>,
) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    let saved = q.is_ok_and(|q| q.done.as_deref() == Some("scripts_saved"));
    page_of(&page, &s.services.scripts_text(), saved, None)
}

pub async fn save(State(s): State<AppState>, page: StaffPage, Form(f): Form<ScriptsForm>) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    // Browsers send textarea lines with CRLF; the document is kept with LF.
    let toml = f.toml.replace("\r\n", "\n");
    match s.services.set_scripts(&toml) {
        Ok(()) => Ok(Redirect::to("/admin/scripts?done=scripts_saved").into_response()),
        Err(e) => {
            let (status, message) = super::admin::refusal(e, page.locale)?;
            Ok((status, page_of(&page, &toml, false, Some(message))?).into_response())
        }
    }
}
