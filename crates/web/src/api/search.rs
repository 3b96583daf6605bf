//! `GET /api/v1/search` (issue 8): complaints found by their words, with
//! filters, by relevance or newest first, with highlighted snippets.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Auth};
use axum::Json;
use axum::extract::State;
use tousu_app::search::{SearchPage, SearchRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// 搜索 — complaints of the caller's company whose words match `q`: the
/// subject, description, notes, reports, resolution and callback comments,
/// Chinese segmented into words and read as character n-grams (word order,
/// unknown words and unit strings like 3栋1801 all match), Traditional as
/// Simplified, with synonyms (电梯/升降机/lift …). Names, phone numbers and
/// units are searched only for roles that may see them. A query of only
/// punctuation finds nothing; over 200 characters is a 422.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchRequest),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SearchPage), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn search(
    State(s): State<AppState>,
    Auth(who): Auth,
    ApiQuery(q): ApiQuery<SearchRequest>,
) -> ApiResult<Json<SearchPage>> {
    Ok(Json(s.services.search(&who, q).await?))
}
