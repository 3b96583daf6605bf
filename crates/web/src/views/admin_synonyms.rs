//! `GET/POST /admin/search-synonyms`: the search synonym list (同义词表)
//! edited by administrators as its TOML document, the same document
//! `PUT /api/v1/admin/search-synonyms` takes. A document that does not
//! check is refused whole, with the reason, and the list in force stays;
//! a saved one is in force for the next search and kept in the data folder.

use super::admin::{admin_only, refusal};
use super::complaints::msg;
use crate::AppState;
use crate::views::render::{PageError, render};
use crate::views::session::StaffPage;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/search-synonyms", get(show).post(save))
}

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct SynonymsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toml: String,
}

fn page_of(
    s: &AppState,
    page: &StaffPage,
    toml: &str,
    saved: bool,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let groups = s.services.search_synonyms_view(&page.who).groups.len();
    render(
        "admin/synonyms.html",
        minijinja::context! {
            section => "synonyms",
            toml => toml,
            saved => saved,
            error => error,
            groups_text => msg(page.locale, "admin.synonyms.groups", &[("n", groups.to_string())]),
            ..page.base()
        },
    )
}

pub async fn show(
    State(s): State<AppState>,
    page: StaffPage,
    q: Result<Query<Saved>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    let saved = q.is_ok_and(|q| q.done.as_deref() == Some("synonyms_saved"));
    let toml = s.services.search_synonyms_view(&page.who).toml;
    page_of(&s, &page, &toml, saved, None)
}

pub async fn save(
    State(s): State<AppState>,
    page: StaffPage,
    Form(f): Form<SynonymsForm>,
) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    // Browsers send textarea lines with CRLF; the document is kept with LF.
    let toml = f.toml.replace("\r\n", "\n");
    match s.services.update_search_synonyms(&page.who, &toml) {
        Ok(_) => Ok(Redirect::to("/admin/search-synonyms?done=synonyms_saved").into_response()),
        Err(e) => {
            let (status, message) = refusal(e, page.locale)?;
            Ok((status, page_of(&s, &page, &toml, false, Some(message))?).into_response())
        }
    }
}
