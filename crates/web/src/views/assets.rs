//! Stylesheet and script, embedded in the binary.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: [(&str, &str, &str); 2] = [
    ("app.css", "text/css; charset=utf-8", include_str!("../../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_str!("../../assets/app.js")),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => {
            let mut res = (*body).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
            h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
            res
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
