//! Complaints: intake, reading, listing, transitions, reveal, evidence.

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, Id, body_rejection};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use tousu_app::complaints::ListRequest;
use tousu_app::views::{ComplaintPage, ComplaintView, DeadlinesView, RevealedView};
use tousu_domain::Action;
use tousu_domain::event::EvidenceFile;
use tousu_domain::intake::IntakeDraft;
use tousu_domain::masking::PersonalField;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Evidence uploads may be larger than other bodies; the service checks
/// the configured limit and answers 413 past it.
const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new().routes(routes!(upload)).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES));
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
        .routes(routes!(transition))
        .routes(routes!(reveal))
        .routes(routes!(deadlines))
        .routes(routes!(download))
        .merge(uploads)
}

/// Records a complaint from any channel (step 1 受理). Answers 201 once it is
/// on disk, with its tracking number and deadlines. With an
/// `Idempotency-Key`, a retried request answers the first complaint again
/// (header `Idempotent-Replayed: true`) instead of recording a second.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = IntakeDraft,
    security(("bearer" = []), ("session" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters")),
    responses(
        (status = 201, body = ComplaintView, description = "recorded (or replayed)"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(who): Auth,
    headers: HeaderMap,
    ApiJson(draft): ApiJson<IntakeDraft>,
) -> ApiResult<impl IntoResponse> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", "幂等键只能是 ASCII 字符", "Idempotency-Key must be ASCII")
                .with_field("Idempotency-Key")
        })?),
    };
    let recorded = s.services.record_complaint(&who, draft, key).await?;
    let mut out = HeaderMap::new();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/complaints/{}", recorded.view.id)) {
        out.insert(header::LOCATION, location);
    }
    if recorded.replayed {
        out.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok((StatusCode::CREATED, out, Json(recorded.view)))
}

/// Lists complaints, newest first, with filters and cursor paging.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", params(ListRequest),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ComplaintPage), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn list(State(s): State<AppState>, Auth(who): Auth, ApiQuery(q): ApiQuery<ListRequest>) -> ApiResult<Json<ComplaintPage>> {
    Ok(Json(s.services.list_complaints(&who, q).await?))
}

/// One complaint with its whole history, oldest event first.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintView), (status = 401, body = Problem), (status = 404, body = Problem)))]
async fn show(State(s): State<AppState>, Auth(who): Auth, Id(id): Id) -> ApiResult<Json<ComplaintView>> {
    Ok(Json(s.services.show_complaint(&who, id).await?))
}

/// Performs one lifecycle action (`{"action": "confirm", …}`). Refused with
/// 403 when the caller's role (or department) may not, 409 when the
/// complaint's state does not allow it, 422 for a bad field; a refusal
/// changes nothing.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/transitions", tag = "complaints", request_body = Action,
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintView), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn transition(
    State(s): State<AppState>,
    Auth(who): Auth,
    Id(id): Id,
    ApiJson(action): ApiJson<Action>,
) -> ApiResult<Json<ComplaintView>> {
    Ok(Json(s.services.transition(&who, id, action).await?))
}

/// A complaint's deadlines and each one's life: applied, at risk, met (on
/// time or late), breached, extended, paused, resumed, cancelled.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/deadlines", tag = "complaints",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = DeadlinesView), (status = 404, body = Problem)))]
async fn deadlines(State(s): State<AppState>, Auth(who): Auth, Id(id): Id) -> ApiResult<Json<DeadlinesView>> {
    Ok(Json(s.services.show_deadlines(&who, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RevealRequest {
    /// Which personal data to show in clear: `name`, `phone`, `unit`.
    fields: Vec<PersonalField>,
}

/// Shows a complainant's personal data in clear. Allowed to roles that need
/// it; every reveal is recorded in the complaint's history first.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/reveal", tag = "complaints", request_body = RevealRequest,
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = RevealedView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn reveal(
    State(s): State<AppState>,
    Auth(who): Auth,
    Id(id): Id,
    ApiJson(req): ApiJson<RevealRequest>,
) -> ApiResult<Json<RevealedView>> {
    Ok(Json(s.services.reveal(&who, id, &req.fields).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UploadQuery {
    /// The file's name, as shown in the history.
    name: Option<String>,
}

/// Attaches an evidence file (the raw bytes as the body). The type is
/// decided from the content: images, PDF, audio, MP4 video; others 415.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/files", tag = "complaints",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = EvidenceFile), (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem)))]
async fn upload(
    State(s): State<AppState>,
    Auth(who): Auth,
    Id(id): Id,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    let bytes = body.map_err(body_rejection)?;
    let file = s.services.attach_evidence(&who, id, q.name.as_deref().unwrap_or(""), bytes.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// Downloads an evidence file. Served as an attachment that browsers will
/// not run or sniff.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "complaints",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "the file's bytes"), (status = 404, body = Problem)))]
async fn download(State(s): State<AppState>, Auth(who): Auth, Id(id): Id) -> ApiResult<impl IntoResponse> {
    let file = s.services.find_evidence(&who, id).await?;
    let mut headers = HeaderMap::new();
    let content_type = HeaderValue::from_str(&file.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    Ok((headers, file.bytes))
}
