//! The organisation as callers need it to fill a complaint.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::Auth;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(projects)).routes(routes!(departments)).routes(routes!(services))
}

#[derive(Serialize, ToSchema)]
struct BuildingView {
    /// `3栋`, `A座`.
    name: String,
    units: Vec<String>,
}

#[derive(Serialize, ToSchema)]
struct ProjectView {
    code: String,
    name: String,
    buildings: Vec<BuildingView>,
}

#[derive(Serialize, ToSchema)]
struct DepartmentView {
    /// Used by transitions (`engineering`).
    code: String,
    /// Chinese name (工程部).
    name: String,
}

/// The projects the caller may see, with buildings and units.
#[utoipa::path(get, path = "/api/v1/projects", tag = "organisation",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [ProjectView]), (status = 401, body = Problem)))]
async fn projects(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<Vec<ProjectView>>> {
    let projects = s.services.list_projects(&who).await?;
    Ok(Json(
        projects
            .into_iter()
            .map(|p| ProjectView {
                code: p.code,
                name: p.name,
                buildings: p.buildings.into_iter().map(|b| BuildingView { name: b.name, units: b.units }).collect(),
            })
            .collect(),
    ))
}

/// The caller's company's departments.
#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = [DepartmentView]), (status = 401, body = Problem)))]
async fn departments(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<Vec<DepartmentView>>> {
    let departments = s.services.list_departments(&who).await?;
    Ok(Json(departments.into_iter().map(|d| DepartmentView { code: d.code, name: d.name }).collect()))
}

/// 服务目录 — the company's services: Kano class (basic, expected,
/// surprise), commitment tier, committed answer time and to whom each is
/// published. Edited in the time-limit policy (`/api/v1/admin/time-limits`).
#[utoipa::path(get, path = "/api/v1/services", tag = "organisation",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<tousu_app::catalogue::CatalogueEntry>), (status = 401, body = Problem)))]
async fn services(
    State(s): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<Vec<tousu_app::catalogue::CatalogueEntry>>> {
    Ok(Json(s.services.service_catalogue(&who).await?))
}
