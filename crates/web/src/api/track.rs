//! Owners follow their complaint with its tracking number and their phone.

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ClientIp};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tousu_app::views::OwnerTrackingView;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(track))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TrackRequest {
    /// `TS20261123-0042`.
    tracking_no: String,
    /// The phone number given with the complaint.
    phone: String,
}

/// An owner's view of their complaint: progress in plain words, actors as
/// roles. No account needed; rate-limited. An unknown number and a wrong
/// phone both answer 404.
#[utoipa::path(post, path = "/api/v1/track", tag = "owners", request_body = TrackRequest,
    responses((status = 200, body = OwnerTrackingView), (status = 404, body = Problem),
              (status = 422, body = Problem), (status = 429, body = Problem)))]
async fn track(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TrackRequest>,
) -> ApiResult<Json<OwnerTrackingView>> {
    Ok(Json(s.services.track(ip, &req.tracking_no, &req.phone).await?))
}
