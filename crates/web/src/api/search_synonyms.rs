//! The search synonym list (同义词表, issue 8): read by staff, replaced by
//! administrators, in force for the next query (no reindex: synonyms are
//! applied to queries, not to the index).

use super::admin::text_body;
use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::Auth;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use tousu_app::search_synonyms::{SynonymsUpdate, SynonymsView, synonyms_toml};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show)).routes(routes!(update))
}

/// 同义词表 — the groups of words a search treats as one (电梯/升降机/lift,
/// 物业费/管理费 …): the TOML document as written and its groups.
#[utoipa::path(get, path = "/api/v1/search-synonyms", tag = "search",
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SynonymsView), (status = 401, body = Problem)))]
async fn show(State(s): State<AppState>, Auth(who): Auth) -> ApiResult<Json<SynonymsView>> {
    Ok(Json(s.services.search_synonyms_view(&who)))
}

/// Replaces the synonym list (administrators): the body is the TOML
/// document (`[[group]]` with `words = [...]`), or with
/// `Content-Type: application/json` the groups (`{"groups": [{"words":
/// ["门禁", "门卡"]}]}`). Checked first — bad TOML, an unknown key, a group
/// of fewer than two different words is a 422 naming `synonyms` and the
/// group — then saved to `search-synonyms.toml` in the data folder and in
/// force for the next search.
#[utoipa::path(put, path = "/api/v1/admin/search-synonyms", tag = "search",
    security(("bearer" = []), ("session" = [])),
    request_body(content(
        (String = "application/toml"),
        (SynonymsUpdate = "application/json"),
    )),
    responses((status = 200, body = SynonymsView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn update(
    State(s): State<AppState>,
    Auth(who): Auth,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<SynonymsView>> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    let text = if json {
        let bytes = body.map_err(crate::extract::body_rejection)?;
        let update: SynonymsUpdate = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("同义词表应为 {{\"groups\": [{{\"words\": [...]}}]}}：{e}"),
                format!("synonyms: expected {{\"groups\": [{{\"words\": [...]}}]}}: {e}"),
            )
            .with_field("synonyms")
        })?;
        synonyms_toml(&update.groups)?
    } else {
        text_body(body, "synonyms")?
    };
    Ok(Json(s.services.update_search_synonyms(&who, &text)?))
}
