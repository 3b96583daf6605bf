//! Extractors whose rejections are problem documents: JSON bodies (naming
//! the field at fault), path ids, query strings, the caller's identity.

use crate::AppState;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use tousu_app::Principal;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "tousu_session";

/// A JSON body, deserialised with the path of any bad field reported.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求体应为 JSON（Content-Type: application/json）",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_rejection)?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub fn body_rejection(r: BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "请求体过大",
            "request body too large",
        )
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", "无法读取请求体", "cannot read the request body")
    }
}

/// Parses JSON, telling apart bytes that are not UTF-8 (400), text that is
/// not JSON (400) and JSON with a bad or missing field (422, field named).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_utf8",
            "请求体不是有效的 UTF-8 文本",
            "the request body is not valid UTF-8",
        ));
    }
    let malformed = |e: &dyn std::fmt::Display| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("请求体不是合法的 JSON：{e}"),
            format!("the body is not valid JSON: {e}"),
        )
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                let mut field = field_of(&path, &message);
                if field == "body" {
                    field = probe_field::<T>(bytes).unwrap_or(field);
                }
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("字段 {field} 无效：{}", strip_position(&message)),
                    format!("{field}: {}", strip_position(&message)),
                )
                .with_field(field)
            }
            _ => malformed(&inner),
        }
    })?;
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

/// The field at fault. serde reports a missing field at its parent's path,
/// an unknown field at its own.
fn field_of(path: &str, message: &str) -> String {
    let root = path.is_empty() || path == ".";
    let quoted = |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next());
    match quoted("missing field `") {
        Some(name) if root => name.to_string(),
        Some(name) => format!("{path}.{name}"),
        // Inside a tagged enum the unknown field is reported at the root.
        None if root && quoted("unknown field `").is_some() => quoted("unknown field `").unwrap_or_default().to_string(),
        // Only a tagged enum (a transition's `action`) fails at the root with an unknown variant.
        None if root && message.starts_with("unknown variant") => "action".to_string(),
        None if root => "body".to_string(),
        None => path.to_string(),
    }
}

/// Inside an internally tagged enum (a transition) serde buffers the body
/// and loses the path of a bad value (`"new_time": "next week"` fails at the
/// root). Found by elimination: the one field whose removal makes the body
/// deserialize, or makes it miss exactly that field. The tag `action` is
/// skipped: a bad action is already named as an unknown variant.
const MAX_PROBED_FIELDS: usize = 16;

fn probe_field<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return None;
    };
    // Each probe re-parses the body: bounded so a body of many keys cannot cost much.
    if map.len() > MAX_PROBED_FIELDS {
        return None;
    }
    let mut culprits = map.keys().filter(|k| k.as_str() != "action").filter(|k| {
        let mut rest = map.clone();
        rest.remove(k.as_str());
        match serde_json::from_value::<T>(serde_json::Value::Object(rest)) {
            Ok(_) => true,
            Err(e) => e.to_string().starts_with(&format!("missing field `{k}`")),
        }
    });
    match (culprits.next(), culprits.next()) {
        (Some(k), None) => Some(k.clone()),
        _ => None,
    }
}

fn strip_position(message: &str) -> &str {
    message.split(" at line ").next().unwrap_or(message)
}

/// A numeric id from the path.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e: PathRejection| ApiError::new(StatusCode::BAD_REQUEST, "bad_path", "路径参数无效", e.body_text()))?;
        raw.parse::<i64>().map(Id).map_err(|_| ApiError::not_found())
    }
}

/// A query string, with a problem document when it does not parse.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| ApiQuery(q.0)).map_err(
            |e: QueryRejection| {
                let text = e.body_text();
                let field = query_field(&text).unwrap_or("query").to_string();
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", format!("查询参数 {field} 无效"), text)
                    .with_field(field)
            },
        )
    }
}

/// The parameter at fault in axum's message, which carries the path
/// (`Failed to deserialize query string: limit: invalid digit found in string`).
fn query_field(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("Failed to deserialize query string: ")?;
    let (field, _) = rest.split_once(": ")?;
    let plain = !field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    plain.then_some(field)
}

/// The authenticated staff member: `Authorization: Bearer tsu_…` or the
/// session cookie.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let secret = credential(parts).ok_or_else(|| ApiError::from(tousu_app::AppError::Unauthenticated))?;
        Ok(Auth(state.services.authenticate(&secret).await?))
    }
}

/// The secret presented by the request, if any: bearer first, then cookie.
pub fn credential(parts: &Parts) -> Option<String> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    bearer.or_else(|| session_cookie(parts))
}

pub fn session_cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// The client's address, for rate limits.
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        customer: Inner,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
        phone: String,
    }

    fn field(body: &str) -> Option<String> {
        parse_json::<Outer>(body.as_bytes()).unwrap_err().field
    }

    #[test]
    fn a_missing_nested_field_is_named_by_its_full_path() {
        assert_eq!(field(r#"{"customer": {"name": "张三"}}"#).as_deref(), Some("customer.phone"));
    }

    #[test]
    fn a_wrong_type_is_named_by_its_path() {
        assert_eq!(field(r#"{"customer": {"name": "张三", "phone": 138}}"#).as_deref(), Some("customer.phone"));
    }

    #[test]
    fn a_missing_top_level_field_is_named() {
        assert_eq!(field(r#"{}"#).as_deref(), Some("customer"));
    }

    #[derive(Debug, Deserialize)]
    #[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
    #[allow(dead_code)]
    enum Tagged {
        Score { perceived: u8, expected: u8, #[serde(default)] comment: Option<String> },
    }

    #[test]
    fn a_bad_value_inside_a_tagged_enum_is_named() {
        let field = |body: &str| parse_json::<Tagged>(body.as_bytes()).unwrap_err().field;
        assert_eq!(field(r#"{"action": "score", "perceived": -1, "expected": 5}"#).as_deref(), Some("perceived"));
        assert_eq!(field(r#"{"action": "score", "perceived": 1, "expected": 5, "comment": 7}"#).as_deref(), Some("comment"));
        assert_eq!(field(r#"{"action": "score", "perceived": -1, "expected": -1}"#).as_deref(), Some("body"));
        assert_eq!(field(r#"["score"]"#).as_deref(), Some("body"));
    }

    #[test]
    fn a_bad_query_parameter_is_named() {
        assert_eq!(query_field("Failed to deserialize query string: limit: invalid digit found in string"), Some("limit"));
        assert_eq!(query_field("Failed to deserialize query string: invalid type"), None);
    }

    #[test]
    fn invalid_utf8_and_broken_json_are_bad_requests() {
        assert_eq!(parse_json::<Outer>(&[0xff, 0xfe]).unwrap_err().status, StatusCode::BAD_REQUEST);
        assert_eq!(parse_json::<Outer>(b"{\"customer\":").unwrap_err().status, StatusCode::BAD_REQUEST);
    }
}
