//! Triage on demand (the intake form shows it while the agent types) and
//! the response scripts (话术) administrators edit.

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, Auth, body_rejection};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tousu_domain::Role;
use tousu_domain::triage::TriageResult;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(assess))
        .routes(routes!(show_scripts, update_scripts))
        .routes(routes!(group_incidents))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AssessRequest {
    /// The complaint text (subject and description), at most 10,000 characters.
    text: String,
}

/// What triage reads in a text: category, service aspect, severity,
/// emergency, psychology, touchpoint and stage, repeat, compensation,
/// building and unit — each with confidence and evidence — and the
/// suggested response script. Nothing is recorded.
#[utoipa::path(post, path = "/api/v1/triage", tag = "complaints", request_body = AssessRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TriageResult), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn assess(State(s): State<AppState>, Auth(_who): Auth, ApiJson(req): ApiJson<AssessRequest>) -> ApiResult<Json<TriageResult>> {
    let text = tousu_domain::text::required_text("text", &req.text, tousu_domain::text::MAX_DESCRIPTION_CHARS)?;
    Ok(Json(s.services.assess(&text)))
}

#[derive(Serialize, ToSchema)]
struct ScriptsView {
    /// The response scripts as TOML (the format of crates/triage/data/scripts.toml).
    toml: String,
}

fn admin(role: Role) -> ApiResult<()> {
    if role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "仅系统管理员可以操作", "administrators only"))
    }
}

/// The response scripts (话术) in force.
#[utoipa::path(get, path = "/api/v1/admin/scripts", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ScriptsView), (status = 403, body = Problem)))]
async fn show_scripts(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<ScriptsView>> {
    admin(who.role)?;
    Ok(Json(ScriptsView { toml: s.services.scripts_text() }))
}

/// Replaces the response scripts (TOML body); checked first, then in force.
#[utoipa::path(put, path = "/api/v1/admin/scripts", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 200, body = ScriptsView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn update_scripts(
    State(s): State<AppState>,
    Auth(who): Auth,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ScriptsView>> {
    admin(who.role)?;
    let bytes = body.map_err(body_rejection)?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_utf8", "请求体不是有效的 UTF-8 文本", "the body is not valid UTF-8")
    })?;
    s.services.set_scripts(&text)?;
    Ok(Json(ScriptsView { toml: s.services.scripts_text() }))
}

/// A group complaint (群诉) as the API shows it.
#[derive(Serialize, ToSchema)]
struct IncidentView {
    id: i64,
    project_id: i64,
    /// The common cause (`lift`, `water_supply` …).
    cause: String,
    severity: tousu_domain::Severity,
    households: u32,
    /// The complaint whose arrival flagged it.
    flagged_complaint_id: i64,
    /// Member complaint ids, oldest first.
    members: Vec<i64>,
    opened_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// The company's group complaints (群诉), newest first.
#[utoipa::path(get, path = "/api/v1/group-incidents", tag = "complaints",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [IncidentView]), (status = 401, body = Problem)))]
async fn group_incidents(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<Vec<IncidentView>>> {
    let list = s.services.list_group_incidents(&who, 100).await?;
    Ok(Json(
        list.into_iter()
            .map(|g| IncidentView {
                id: g.id,
                project_id: g.project_id,
                cause: g.cause,
                severity: g.severity,
                households: g.households,
                flagged_complaint_id: g.flagged_complaint_id,
                members: g.members,
                opened_at: g.opened_at,
                updated_at: g.updated_at,
            })
            .collect(),
    ))
}
