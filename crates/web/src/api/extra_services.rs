//! 惊喜服务 — the extra-services ledger over HTTP.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tousu_app::extra_services::{ExtraServiceDraft, ExtraServiceView};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record, list))
}

/// Logs an unannounced extra service given to a household (what, who,
/// when). Never shown to owners.
#[utoipa::path(post, path = "/api/v1/extra-services", tag = "figures", request_body = ExtraServiceDraft,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = ExtraServiceView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn record(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiJson(draft): ApiJson<ExtraServiceDraft>,
) -> ApiResult<(StatusCode, Json<ExtraServiceView>)> {
    Ok((StatusCode::CREATED, Json(s.services.record_extra_service(&who, draft).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListParams {
    /// Entries with ids below this (the next page).
    before_id: Option<i64>,
    /// At most this many (1–200, 50 by default).
    limit: Option<u32>,
}

/// The company's extra services, newest first.
#[utoipa::path(get, path = "/api/v1/extra-services", tag = "figures", params(ListParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<ExtraServiceView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<ExtraServiceView>>> {
    Ok(Json(s.services.list_extra_services(&who, p.before_id, p.limit).await?))
}
