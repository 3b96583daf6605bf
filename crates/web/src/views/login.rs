//! Logging in and out, and choosing the language.

use super::i18n::{LANG_COOKIE, Locale, text};
use super::render::{PageError, render, safe_next};
use super::session::StaffPage;
use crate::AppState;
use crate::extract::{SESSION_COOKIE, session_cookie};
use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

fn login_page(locale: Locale, next: &str, error: Option<String>, username: &str) -> Result<Html<String>, PageError> {
    render(
        "login.html",
        minijinja::context! { locale => locale.code(), next => next, error => error, username => username },
    )
}

pub async fn form(headers: HeaderMap, Query(q): Query<Next>) -> Result<Html<String>, PageError> {
    login_page(Locale::from_headers(&headers), &safe_next(q.next.as_deref()), None, "")
}

#[derive(Deserialize)]
pub struct Credentials {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

fn session_cookie_value(secret: String, max_age: i64, secure: bool) -> HeaderValue {
    let c = Cookie::build((SESSION_COOKIE, secret))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build();
    HeaderValue::from_str(&c.to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// Checks the password and opens a session; a wrong one shows the form again.
pub async fn submit(State(s): State<AppState>, headers: HeaderMap, Form(f): Form<Credentials>) -> Response {
    let locale = Locale::from_headers(&headers);
    let next = safe_next(f.next.as_deref());
    match s.services.login(&f.username, &f.password).await {
        Ok(session) => {
            let max_age = (session.expires_at - s.services.now()).num_seconds();
            let mut res = Redirect::to(&next).into_response();
            res.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie_value(session.secret, max_age, s.services.config().secure_cookies),
            );
            res
        }
        Err(e) => {
            let message = match e {
                tousu_app::AppError::RateLimited { .. } => text(locale, "login.too_many"),
                _ => text(locale, "login.failed"),
            };
            match login_page(locale, &next, Some(message), &f.username) {
                Ok(page) => (axum::http::StatusCode::UNAUTHORIZED, page).into_response(),
                Err(e) => e.into_response(),
            }
        }
    }
}

/// The raw parts, to read the session cookie being ended.
pub struct Parts_(Parts);

impl<S: Send + Sync> FromRequestParts<S> for Parts_ {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Parts_(parts.clone()))
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session (revoked, not deleted) and clears the cookie.
pub async fn logout(State(s): State<AppState>, page: StaffPage, Parts_(parts): Parts_, Form(f): Form<CsrfForm>) -> Response {
    if let Err(e) = page.check_csrf(&f.csrf) {
        return e.into_response();
    }
    if let Some(secret) = session_cookie(&parts) {
        let _ = s.services.logout(&secret).await;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie_value(String::new(), 0, s.services.config().secure_cookies));
    res
}

/// Sets the language cookie and goes back where the visitor was.
pub async fn switch_language(Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    let locale = Locale::parse(&code).unwrap_or(Locale::ZhCn);
    let c = Cookie::build((LANG_COOKIE, locale.code()))
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build();
    let mut res = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}
