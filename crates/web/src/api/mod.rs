//! The JSON API under `/api/v1`, described by the OpenAPI document it serves
//! at `/api/v1/openapi.json` (generated from these handlers).

mod admin;
mod auth;
mod complaints;
mod defects;
mod extra_services;
mod figures;
mod org;
mod search;
mod search_synonyms;
mod track;
mod training;
mod triage;

use crate::AppState;
use crate::error::{ApiError, Problem};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tousu 投诉 API",
        description = "Complaint handling for property-management companies: intake on every channel, \
                       the 8-step lifecycle, history, masking of personal data, owner tracking. \
                       Errors are application/problem+json with a stable `code`, the `field` at fault, \
                       and messages in Chinese (`detail`, `message_zh`) and English (`message_en`).",
        version = env!("CARGO_PKG_VERSION")
    ),
    modifiers(&Security),
    components(schemas(Problem)),
    tags(
        (name = "complaints", description = "投诉：受理、流转、查询"),
        (name = "organisation", description = "项目、部门"),
        (name = "auth", description = "登录、会话"),
        (name = "owners", description = "业主查询进度"),
        (name = "admin", description = "时限规则、工作日历、通知投递"),
        (name = "figures", description = "满意度等统计，JSON 或 CSV")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("tsu_…").build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::extract::SESSION_COOKIE))),
        );
    }
}

/// Touches up the generated document: error responses are served as
/// `application/problem+json`, and OpenAPI requires every response to have
/// a description (the annotations give only a status and a body).
fn touch_up(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in operations.into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                let utoipa::openapi::RefOr::T(response) = response else { continue };
                if response.description.is_empty() {
                    let reason = status.parse::<u16>().ok().and_then(|s| StatusCode::from_u16(s).ok());
                    response.description = reason.and_then(|s| s.canonical_reason()).unwrap_or("response").to_string();
                }
                if status.starts_with(['4', '5'])
                    && let Some(content) = response.content.shift_remove("application/json")
                {
                    response.content.insert("application/problem+json".to_string(), content);
                }
            }
        }
    }
}

/// Every route, with the OpenAPI document built from them.
pub fn router(state: AppState) -> Router {
    let (api, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(complaints::router())
        .merge(org::router())
        .merge(auth::router())
        .merge(track::router())
        .merge(admin::router())
        .merge(triage::router())
        .merge(figures::router())
        .merge(defects::router())
        .merge(search::router())
        .merge(search_synonyms::router())
        .merge(extra_services::router())
        .merge(training::router())
        .split_for_parts();
    let mut doc = doc;
    touch_up(&mut doc);
    let doc = Arc::new(doc);
    Router::new()
        .merge(api)
        .merge(crate::views::router())
        .route("/api/v1/openapi.json", get(move || async move { Json(doc.as_ref().clone()) }))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(|| async { ApiError::not_found() })
        .method_not_allowed_fallback(|| async {
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "不支持该请求方法", "method not allowed")
        })
        .layer(DefaultBodyLimit::max(crate::MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(|_| crate::error::internal().into_response()))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
