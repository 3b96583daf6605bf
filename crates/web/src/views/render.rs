//! Templates (embedded at build time) and the page error type.

use super::i18n::{Locale, text};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Environment, State, Value};
use std::sync::LazyLock;

/// The page templates. Immutable and embedded, so one for the process.
pub static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    minijinja_embed::load_templates!(&mut env);
    env.add_function("t", t);
    env.add_filter("local", local_time);
    env.add_filter("local_date", local_date);
    env.add_filter("truncate", truncate);
    env
});

/// `{{ t("nav.complaints") }}`: the text in the page's locale.
fn t(state: &State, key: &str) -> String {
    let locale = state.lookup("locale").and_then(|v| v.as_str().and_then(Locale::parse)).unwrap_or(Locale::ZhCn);
    text(locale, key)
}

fn parse_time(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    v.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|t| t.to_utc())
}

/// An RFC 3339 time shown in China time: `2026-11-23 20:15`.
fn local_time(v: Value) -> String {
    parse_time(&v)
        .map(|t| t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn local_date(v: Value) -> String {
    parse_time(&v).map(|t| t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// `{{ text | truncate(24) }}`: at most `n` characters (not bytes: the
/// text is mostly Chinese), with `…` when cut. minijinja has no such
/// filter without its contrib crate.
fn truncate(v: &str, n: Option<usize>) -> String {
    let n = n.unwrap_or(255);
    if v.chars().count() <= n {
        return v.to_string();
    }
    let mut out: String = v.chars().take(n).collect();
    out.push('…');
    out
}

/// Any serialisable value as a template value.
pub fn val<T: serde::Serialize>(x: &T) -> Value {
    Value::from(minijinja::value::Serde(x))
}

/// Renders a template; a template error is logged and becomes a 500 page.
pub fn render(name: &str, ctx: Value) -> Result<Html<String>, PageError> {
    TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map(Html)
        .map_err(|e| {
            tracing::error!(template = name, error = ?e, "a page failed to render");
            PageError::Internal { locale: Locale::ZhCn }
        })
}

/// Why a page could not be shown. Each renders the error page in the
/// visitor's language, except `Login`, which sends them to log in.
#[derive(Debug)]
pub enum PageError {
    Login { next: String },
    Forbidden { locale: Locale },
    NotFound { locale: Locale },
    /// A refusal with its reason, already in the visitor's language.
    Refused { locale: Locale, status: StatusCode, message: String },
    Internal { locale: Locale },
}

impl PageError {
    pub fn from_app(e: tousu_app::AppError, locale: Locale) -> PageError {
        let api = crate::error::ApiError::from(e);
        match api.status {
            StatusCode::UNAUTHORIZED => PageError::Login { next: "/".into() },
            StatusCode::NOT_FOUND => PageError::NotFound { locale },
            StatusCode::INTERNAL_SERVER_ERROR => PageError::Internal { locale },
            status => PageError::Refused {
                locale,
                status,
                message: if locale == Locale::En { api.en } else { api.zh },
            },
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (locale, status, key, message) = match self {
            PageError::Login { next } => {
                let target = format!("/login?next={}", urlencode(&next));
                return Redirect::to(&target).into_response();
            }
            PageError::Forbidden { locale } => (locale, StatusCode::FORBIDDEN, "error.forbidden", None),
            PageError::NotFound { locale } => (locale, StatusCode::NOT_FOUND, "error.not_found", None),
            PageError::Refused { locale, status, message } => (locale, status, "error.refused", Some(message)),
            PageError::Internal { locale } => (locale, StatusCode::INTERNAL_SERVER_ERROR, "error.internal", None),
        };
        let ctx = minijinja::context! { locale => locale.code(), title_key => key, message => message, status => status.as_u16() };
        let body = TEMPLATES
            .get_template("error.html")
            .and_then(|t| t.render(ctx))
            .unwrap_or_else(|_| text(locale, key));
        let mut res = (status, Html(body)).into_response();
        res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        res
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only same-site paths are followed after login (no open redirects).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains("\\") => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let names: Vec<_> = TEMPLATES.templates().map(|(n, _)| n.to_string()).collect();
        assert!(names.iter().any(|n| n == "layout.html"), "{names:?}");
        for n in names {
            assert!(TEMPLATES.get_template(&n).is_ok(), "{n}");
        }
    }

    #[test]
    fn a_long_text_is_cut_at_a_character_with_an_ellipsis() {
        let out = TEMPLATES
            .render_str("{{ a | truncate(4) }}|{{ b | truncate(4) }}", minijinja::context! { a => "厨房吊顶渗水", b => "漏水" })
            .unwrap();
        assert_eq!(out, "厨房吊顶…|漏水");
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/complaints/3")), "/complaints/3");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
