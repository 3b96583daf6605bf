//! Administration: the time-limit policy, the working-day calendar and the
//! notification deliveries. Administrators only.

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, Auth, Id, body_rejection};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tousu_app::admin::PolicyView;
use tousu_app::calendar::CalendarYear;
use tousu_store::{Delivery, DeliveryStatus};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_policy, update_policy))
        .routes(routes!(calendar_years, import_calendar))
        .routes(routes!(deliveries))
        .routes(routes!(retry_delivery))
}

pub(crate) fn text_body(body: Result<Bytes, BytesRejection>, field: &str) -> ApiResult<String> {
    let bytes = body.map_err(body_rejection)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_utf8",
            "请求体不是有效的 UTF-8 文本",
            "the body is not valid UTF-8",
        )
        .with_field(field)
    })
}

/// The time-limit policy document (TOML) and every policy it resolves to.
#[utoipa::path(get, path = "/api/v1/admin/time-limits", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = PolicyView), (status = 403, body = Problem)))]
async fn show_policy(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<PolicyView>> {
    Ok(Json(s.services.policy_view(&who)?))
}

/// Replaces the time-limit policy: the body is the TOML document. It is
/// checked first (422 naming what is wrong), then saved and put in force.
#[utoipa::path(put, path = "/api/v1/admin/time-limits", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 200, body = PolicyView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn update_policy(
    State(s): State<AppState>,
    Auth(who): Auth,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<PolicyView>> {
    let text = text_body(body, "time_limits")?;
    Ok(Json(s.services.update_policy(&who, &text)?))
}

/// The years the working-day calendar covers, official or provisional.
#[utoipa::path(get, path = "/api/v1/admin/calendar", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [CalendarYear]), (status = 403, body = Problem)))]
async fn calendar_years(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<Vec<CalendarYear>>> {
    Ok(Json(s.services.admin_calendar_years(&who)?))
}

/// Imports one year of holidays and 调休 make-up working days (the file
/// format of `calendars/cn/*.toml`), replacing that year.
#[utoipa::path(put, path = "/api/v1/admin/calendar", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 200, body = CalendarYear), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn import_calendar(
    State(s): State<AppState>,
    Auth(who): Auth,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<CalendarYear>> {
    let text = text_body(body, "calendar")?;
    Ok(Json(s.services.admin_import_calendar(&who, &text).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveryQuery {
    /// `pending`, `delivered` or `failed`.
    status: Option<String>,
    /// At most this many (default 100, up to 1000).
    limit: Option<u32>,
}

/// A delivery as administrators see it (channel secrets never leave the configuration).
#[derive(Serialize, ToSchema)]
struct DeliveryView {
    id: i64,
    route: String,
    status: &'static str,
    attempts: u32,
    next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    last_error: Option<String>,
    delivered_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The server process that made the last attempt (`host:pid:…`).
    attempted_by: Option<String>,
    notification_id: i64,
    complaint_id: Option<i64>,
    kind: String,
    title: String,
    body: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            id: d.id,
            route: d.route,
            status: d.status.as_str(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            attempted_by: d.attempted_by,
            notification_id: d.notification.id,
            complaint_id: d.notification.complaint_id,
            kind: d.notification.kind,
            title: d.notification.title,
            body: d.notification.body,
            created_at: d.notification.created_at,
        }
    }
}

/// Notification deliveries, newest first; `status=failed` for what needs attention.
#[utoipa::path(get, path = "/api/v1/admin/deliveries", tag = "admin", params(DeliveryQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [DeliveryView]), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn deliveries(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<Vec<DeliveryView>>> {
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(DeliveryStatus::parse(s).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "状态应为 pending、delivered 或 failed",
                "status must be pending, delivered or failed",
            )
            .with_field("status")
        })?),
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let list = s.services.admin_deliveries(&who, status, limit).await?;
    Ok(Json(list.into_iter().map(DeliveryView::from).collect()))
}

/// Puts a failed delivery back in the queue.
#[utoipa::path(post, path = "/api/v1/admin/deliveries/{id}/retry", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "queued again"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn retry_delivery(State(s): State<AppState>, Auth(who): Auth, Id(id): Id) -> ApiResult<StatusCode> {
    s.services.admin_retry_delivery(&who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
