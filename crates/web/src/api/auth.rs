//! Staff log in with a password and get an HttpOnly, SameSite session cookie.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, SESSION_COOKIE, session_cookie};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};
use tousu_domain::Role;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login)).routes(routes!(logout)).routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    username: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
struct MeView {
    id: i64,
    username: String,
    name: String,
    role: Role,
    role_label: &'static str,
    department: Option<String>,
}

impl From<tousu_app::Principal> for MeView {
    fn from(p: tousu_app::Principal) -> Self {
        MeView {
            id: p.staff_id,
            username: p.username,
            name: p.name,
            role: p.role,
            role_label: p.role.label_zh(),
            department: p.department,
        }
    }
}

fn session_cookie_header(value: String, max_age_secs: i64, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// Opens a session: sets the `tousu_session` cookie (HttpOnly, SameSite=Lax).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = MeView), (status = 401, body = Problem), (status = 429, body = Problem)))]
async fn login(State(s): State<AppState>, ApiJson(req): ApiJson<LoginRequest>) -> ApiResult<impl IntoResponse> {
    let session = s.services.login(&req.username, &req.password).await?;
    let max_age = (session.expires_at - s.services.now()).num_seconds();
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie_header(session.secret, max_age, s.services.config().secure_cookies));
    Ok((headers, Json(MeView::from(session.principal))))
}

/// The raw request parts, to read the cookie being logged out.
struct RawParts(Parts);

impl<S: Send + Sync> FromRequestParts<S> for RawParts {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RawParts(parts.clone()))
    }
}

/// Ends the session (revoked, not deleted) and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "logged out")))]
async fn logout(State(s): State<AppState>, RawParts(parts): RawParts) -> ApiResult<impl IntoResponse> {
    if let Some(secret) = session_cookie(&parts) {
        s.services.logout(&secret).await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie_header(String::new(), 0, s.services.config().secure_cookies));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// Who the caller is.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = MeView), (status = 401, body = Problem)))]
async fn me(Auth(who): Auth) -> Json<MeView> {
    Json(MeView::from(who))
}
