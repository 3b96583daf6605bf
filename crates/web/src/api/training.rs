//! 案例库 — training cases over HTTP.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, Id};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tousu_app::training::TrainingCaseView;
use tousu_domain::training::CaseNotes;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(list)).routes(routes!(document))
}

/// Turns a closed complaint into a training case in one action, anonymised
/// (no customer name, phone or unit, in any text), with the handler's
/// account, what went right or wrong, the lesson and tags.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/training-case", tag = "figures", request_body = CaseNotes,
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = TrainingCaseView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create(
    State(s): State<AppState>,
    Auth(who): Auth,
    Id(id): Id,
    ApiJson(notes): ApiJson<CaseNotes>,
) -> ApiResult<(StatusCode, Json<TrainingCaseView>)> {
    Ok((StatusCode::CREATED, Json(s.services.create_training_case(&who, id, notes).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListParams {
    /// Words every case found contains (title, texts, tags).
    q: Option<String>,
    /// Only cases with this tag.
    tag: Option<String>,
}

/// The company's training cases, newest first, searched and filtered.
#[utoipa::path(get, path = "/api/v1/training-cases", tag = "figures", params(ListParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<TrainingCaseView>), (status = 401, body = Problem)))]
async fn list(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<TrainingCaseView>>> {
    Ok(Json(s.services.list_training_cases(&who, p.q.as_deref(), p.tag.as_deref()).await?))
}

/// One case as a Markdown document for the training file.
#[utoipa::path(get, path = "/api/v1/training-cases/{id}/document", tag = "figures",
    security(("bearer" = []), ("session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/markdown", body = String), (status = 404, body = Problem)))]
async fn document(State(s): State<AppState>, Auth(who): Auth, Id(id): Id) -> ApiResult<Response> {
    let text = s.services.training_case_document(&who, id).await?;
    let name = format!("attachment; filename=\"training-case-{id}.md\"");
    Ok((
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
        text,
    )
        .into_response())
}
