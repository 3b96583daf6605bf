//! Who is looking at a page: the staff session (cookie) with the page's
//! language and the form token that protects it against cross-site posts.

use super::i18n::Locale;
use super::render::PageError;
use crate::AppState;
use crate::extract::session_cookie;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use tousu_app::Principal;

/// A logged-in staff member viewing a page.
pub struct StaffPage {
    pub who: Principal,
    pub locale: Locale,
    /// The form token of this session (hidden field `csrf` in every form).
    pub csrf: String,
    /// The page's own path and query (to come back to after switching language).
    pub path: String,
}

/// The CSRF token of a session: derived from the session secret (which only
/// the browser's HttpOnly cookie holds), so a cross-site page cannot know it.
pub fn csrf_token(session_secret: &str) -> String {
    let digest = Sha256::digest(format!("tousu-csrf:{session_secret}").as_bytes());
    hex::encode(&digest[..16])
}

impl FromRequestParts<AppState> for StaffPage {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let locale = Locale::from_headers(&parts.headers);
        let next = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        let secret = session_cookie(parts).ok_or(PageError::Login { next: next.clone() })?;
        let who = state.services.authenticate(&secret).await.map_err(|_| PageError::Login { next: next.clone() })?;
        Ok(StaffPage { who, locale, csrf: csrf_token(&secret), path: next })
    }
}

impl StaffPage {
    /// Refuses a form whose token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), PageError> {
        let ok = !token.is_empty()
            && subtle_eq(token.as_bytes(), self.csrf.as_bytes());
        if ok {
            Ok(())
        } else {
            Err(PageError::Refused {
                locale: self.locale,
                status: axum::http::StatusCode::FORBIDDEN,
                message: super::i18n::text(self.locale, "error.csrf"),
            })
        }
    }

    /// The context every staff page starts from.
    pub fn base(&self) -> minijinja::Value {
        minijinja::context! {
            locale => self.locale.code(),
            request_path => &self.path,
            csrf => &self.csrf,
            user => minijinja::context! {
                name => &self.who.name,
                username => &self.who.username,
                role => self.who.role.as_str(),
                department => &self.who.department,
            },
            nav => super::render::val(&super::nav::for_role(self.who.role)),
        }
    }
}

fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_token_is_stable_per_session_and_differs_between_sessions() {
        assert_eq!(csrf_token("tsu_a"), csrf_token("tsu_a"));
        assert_ne!(csrf_token("tsu_a"), csrf_token("tsu_b"));
        assert_eq!(csrf_token("tsu_a").len(), 32);
    }
}
