//! Figures for leaders and BI tools (issue 7): JSON, or CSV with
//! `format=csv` (UTF-8 with a byte-order mark, so that Excel opens Chinese
//! labels correctly).

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, Auth};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tousu_app::satisfaction::{IcebergReport, SatisfactionQuery, SatisfactionReport};
use tousu_domain::satisfaction_figures::Dimension;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(satisfaction))
        .routes(routes!(iceberg))
        .routes(routes!(performance))
        .routes(routes!(monthly_report))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SatisfactionParams {
    /// company, project, department, category, touchpoint, stage, month or extra_service.
    by: String,
    /// First month, `YYYY-MM`.
    from: String,
    /// Last month, `YYYY-MM` (included).
    to: String,
    /// Only this project (its code).
    project: Option<String>,
    /// `json` (the default) or `csv`.
    format: Option<String>,
}

/// 满意度统计 — callbacks, mean satisfaction index (perceived ÷ expected),
/// mean difference (perceived − expected) and the shares of satisfied,
/// content and dissatisfied customers, per the chosen dimension, for the
/// months asked (the month of the callback).
#[utoipa::path(get, path = "/api/v1/figures/satisfaction", tag = "figures", params(SatisfactionParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SatisfactionReport, description = "JSON, or text/csv with format=csv"),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn satisfaction(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<SatisfactionParams>,
) -> ApiResult<Response> {
    let by = Dimension::parse(&p.by).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "统计维度应为 company、project、department、category、touchpoint、stage、month 或 extra_service",
            "`by` is one of company, project, department, category, touchpoint, stage, month, extra_service",
        )
        .with_field("by")
    })?;
    let csv = wants_csv(p.format.as_deref())?;
    let query = SatisfactionQuery { by, from: p.from, to: p.to, project: p.project };
    let report = s.services.satisfaction_report(&who, query).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let body = to_csv(&report).map_err(|e| {
        tracing::error!(error = %e, "writing the satisfaction CSV");
        crate::error::internal()
    })?;
    Ok(csv_file(format!("satisfaction-{}-{}-{}.csv", report.by.as_str(), report.from, report.to), body))
}

/// `format`: `json` (the default) or `csv`.
pub(crate) fn wants_csv(format: Option<&str>) -> ApiResult<bool> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "格式应为 json 或 csv",
            "`format` is json or csv",
        )
        .with_field("format")),
    }
}

/// A CSV download.
pub(crate) fn csv_file(name: String, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// An XLSX download.
pub(crate) fn xlsx_file(name: String, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, XLSX.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

const CSV_HEADER: [&str; 11] = [
    "key",
    "label",
    "callbacks",
    "mean_index",
    "mean_difference",
    "satisfied",
    "content",
    "dissatisfied",
    "satisfied_share",
    "content_share",
    "dissatisfied_share",
];

fn to_csv(report: &SatisfactionReport) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    out.write_record(CSV_HEADER)?;
    for r in &report.rows {
        let f = &r.figures;
        out.write_record([
            r.key.clone(),
            r.label.clone(),
            f.callbacks.to_string(),
            f.mean_index.to_string(),
            f.mean_difference.to_string(),
            f.satisfied.to_string(),
            f.content.to_string(),
            f.dissatisfied.to_string(),
            f.satisfied_share.to_string(),
            f.content_share.to_string(),
            f.dissatisfied_share.to_string(),
        ])?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct MonthsParams {
    /// First month, `YYYY-MM`.
    from: String,
    /// Last month, `YYYY-MM` (included).
    to: String,
}

/// 冰山 — per project, the complaints received in the months asked
/// (consultations left out), the silent dissatisfied customers they stand
/// for (× `iceberg_factor`, 24 by default), and the callbacks of those
/// months; most complaints first.
#[utoipa::path(get, path = "/api/v1/figures/iceberg", tag = "figures", params(MonthsParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = IcebergReport),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn iceberg(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<MonthsParams>,
) -> ApiResult<Json<IcebergReport>> {
    Ok(Json(s.services.iceberg_report(&who, p.from, p.to).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PerformanceParams {
    /// `department` or `person`.
    by: String,
    /// First month, `YYYY-MM`.
    from: String,
    /// Last month, `YYYY-MM` (included).
    to: String,
}

/// 绩效 — per department or person, over the months asked: complaints
/// handled (closed), deadlines met and breached, the median time to
/// resolve, results rejected (reopened), escalations caused, the callbacks'
/// satisfaction and those above expectation. For the reward and penalty
/// review: department heads (their own department), company leaders, the
/// board, administrators.
#[utoipa::path(get, path = "/api/v1/figures/performance", tag = "figures", params(PerformanceParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = tousu_app::performance::PerformanceReport),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn performance(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<PerformanceParams>,
) -> ApiResult<Json<tousu_app::performance::PerformanceReport>> {
    let by = tousu_domain::performance::Who::parse(&p.by).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "by 应为 department 或 person",
            "`by` is department or person",
        )
        .with_field("by")
    })?;
    Ok(Json(s.services.performance_report(&who, by, p.from, p.to).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct MonthParams {
    /// The month, `YYYY-MM`.
    month: String,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// 月度报告 — the company's monthly report as XLSX: a summary, satisfaction
/// by department (with a chart), touchpoint and project, the iceberg, and
/// departments' performance for heads and above.
#[utoipa::path(get, path = "/api/v1/reports/monthly", tag = "figures", params(MonthParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn monthly_report(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<MonthParams>,
) -> ApiResult<Response> {
    let bytes = s.services.monthly_report(&who, &p.month).await?;
    Ok(xlsx_file(format!("tousu-report-{}.xlsx", p.month), bytes))
}
