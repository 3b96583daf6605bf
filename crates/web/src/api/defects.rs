//! The defect library (缺陷库, issue 7): its component tree, its figures
//! per component and phase with the Pareto line and the trend (JSON or
//! CSV), and the design-review checklist (JSON or XLSX).

use super::admin::text_body;
use super::figures::{csv_file, wants_csv, xlsx_file};
use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, Auth};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tousu_app::defects::{ComponentTreeView, DefectLibrary, LibraryQuery};
use tousu_app::design_review::DesignReview;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_tree))
        .routes(routes!(update_tree))
        .routes(routes!(library))
        .routes(routes!(design_review))
}

/// 缺陷部位树 — the components complaints are filed under (with each
/// one's path and default phase) and the TOML document that defines them.
#[utoipa::path(get, path = "/api/v1/defect-components", tag = "defects",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ComponentTreeView), (status = 401, body = Problem)))]
async fn show_tree(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<ComponentTreeView>> {
    Ok(Json(s.services.defect_tree_view(&who)))
}

/// Replaces the component tree (administrators): the body is the TOML
/// document (`[[component]]` with `code`, `name`, optional `parent`,
/// `keywords`, `phase`). Checked first (422 naming what is wrong), then
/// saved and put in force. Figures already kept stay under their codes.
#[utoipa::path(put, path = "/api/v1/admin/defect-components", tag = "defects",
    security(("bearer" = []), ("session" = [])),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 200, body = ComponentTreeView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn update_tree(
    State(s): State<AppState>,
    Auth(who): Auth,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ComponentTreeView>> {
    let text = text_body(body, "components")?;
    Ok(Json(s.services.update_defect_tree(&who, &text)?))
}

/// 缺陷库 — closed valid complaints per component and phase (or component,
/// top-level component, phase): complaints, households, repeat and
/// escalated ones, cost, projects, each row's share and the running share
/// (the Pareto line), and the trend per month of closing.
#[utoipa::path(get, path = "/api/v1/figures/defects", tag = "defects", params(LibraryQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DefectLibrary, description = "JSON, or text/csv with format=csv"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn library(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<LibraryQuery>,
) -> ApiResult<Response> {
    let csv = wants_csv(q.format.as_deref())?;
    let report = s.services.defect_library(&who, q).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let body = library_csv(&report).map_err(|e| {
        tracing::error!(error = %e, "writing the defect library CSV");
        crate::error::internal()
    })?;
    Ok(csv_file(format!("defects-{}-{}-{}.csv", report.by, report.from, report.to), body))
}

fn library_csv(report: &DefectLibrary) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record([
        "key",
        "label",
        "phase",
        "complaints",
        "households",
        "repeat",
        "escalated",
        "cost_yuan",
        "projects",
        "share",
        "cumulative_share",
    ])?;
    for r in &report.rows {
        out.write_record([
            r.key.clone(),
            r.label.clone(),
            r.phase.map(|p| p.as_str().to_string()).unwrap_or_default(),
            r.complaints.to_string(),
            r.households.to_string(),
            r.repeat.to_string(),
            r.escalated.to_string(),
            format!("{:.2}", r.cost_yuan),
            r.projects.to_string(),
            r.share.to_string(),
            r.cumulative_share.to_string(),
        ])?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReviewParams {
    /// The new project it is for (a name, or a code whose own complaints are then left out).
    project: Option<String>,
    /// First and last month of closing, `YYYY-MM`; the last 60 months by default.
    from: Option<String>,
    to: Option<String>,
    /// `xlsx` (the default) or `json`.
    format: Option<String>,
}

/// 审图清单 — the design-review checklist: defects that recurred on at
/// least two past projects in a phase drawing review can stop (design,
/// construction, handover), ranked by projects hit, with anonymised
/// example complaints. An XLSX workbook, or JSON with `format=json`.
#[utoipa::path(get, path = "/api/v1/reports/design-review", tag = "defects", params(ReviewParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 200, content_type = "application/json", body = DesignReview),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn design_review(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<ReviewParams>,
) -> ApiResult<Response> {
    match p.format.as_deref() {
        None | Some("xlsx") => {
            let bytes = s.services.design_review_xlsx(&who, p.project, p.from, p.to).await?;
            Ok(xlsx_file("design-review.xlsx".to_string(), bytes))
        }
        Some("json") => Ok(Json(s.services.design_review(&who, p.project, p.from, p.to).await?).into_response()),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "格式应为 xlsx 或 json",
            "`format` is xlsx or json",
        )
        .with_field("format")),
    }
}
