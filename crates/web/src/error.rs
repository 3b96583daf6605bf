//! One error type for every HTTP response that is not a success:
//! `application/problem+json` (RFC 9457) with a stable `code`, the field at
//! fault when there is one, and the message in Chinese (`detail`,
//! `message_zh`) and English (`message_en`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tousu_app::AppError;
use tousu_domain::DomainError;

/// The problem document, as served.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:tousu:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status.
    pub status: u16,
    /// Stable, machine-readable: `invalid_field`, `transition_not_allowed`, …
    pub code: &'static str,
    /// The message in Chinese.
    pub title: String,
    pub detail: String,
    pub message_zh: String,
    pub message_en: String,
    /// The JSON path of the field at fault (`customer.phone`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error response.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError { status, code, zh: zh.into(), en: en.into(), field: None, retry_after: None }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "请求的资源不存在", "no such resource")
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match &e {
            DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::NotAllowedInState { .. } | DomainError::AlreadyCalledBack => StatusCode::CONFLICT,
            DomainError::RoleNotAllowed { .. } | DomainError::NotYourDepartment { .. } => StatusCode::FORBIDDEN,
        };
        ApiError {
            status,
            code: e.code(),
            zh: e.message_zh(),
            en: e.message_en(),
            field: e.field().map(str::to_string),
            retry_after: None,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        use StatusCode as S;
        match e {
            AppError::Domain(d) => d.into(),
            AppError::NotFound { zh, en } => ApiError::new(S::NOT_FOUND, "not_found", format!("找不到{zh}"), format!("{en} not found")),
            AppError::Unauthenticated => ApiError::new(
                S::UNAUTHORIZED,
                "unauthenticated",
                "请先登录，或在 Authorization 头中提供有效的令牌",
                "log in, or send a valid token in the Authorization header",
            ),
            AppError::InvalidCredentials => {
                ApiError::new(S::UNAUTHORIZED, "invalid_credentials", "用户名或密码错误", "invalid username or password")
            }
            AppError::Forbidden { zh, en } => ApiError::new(S::FORBIDDEN, "forbidden", zh, en),
            AppError::RateLimited { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(
                    S::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("请求过于频繁，请 {retry_after_secs} 秒后再试"),
                    format!("too many requests; retry in {retry_after_secs} s"),
                )
            },
            AppError::IdempotencyKeyReused => ApiError::new(
                S::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "该幂等键已用于另一个不同的请求",
                "this Idempotency-Key was already used for a different request",
            )
            .with_field("Idempotency-Key"),
            AppError::Busy => ApiError::new(
                S::CONFLICT,
                "concurrent_change",
                "投诉正被他人同时修改，请刷新后重试",
                "the complaint is being changed concurrently; reload and retry",
            ),
            AppError::Conflict { zh, en } => ApiError::new(S::CONFLICT, "conflict", zh, en),
            AppError::Unsupported { zh, en } => ApiError::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_file", zh, en),
            AppError::TooLarge { zh, en } => ApiError::new(S::PAYLOAD_TOO_LARGE, "payload_too_large", zh, en),
            e @ (AppError::Store(_) | AppError::Internal(_)) => {
                // Logged once with its cause chain; the client learns nothing of it.
                tracing::error!(error = ?e, "request failed");
                internal()
            }
        }
    }
}

pub fn internal() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "服务器内部错误，已记录，请稍后重试",
        "internal error; it has been logged, please retry later",
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("urn:tousu:problem:{}", self.code),
            status: self.status.as_u16(),
            code: self.code,
            title: self.zh.clone(),
            detail: self.zh.clone(),
            message_zh: self.zh,
            message_en: self.en,
            field: self.field,
        };
        let json = serde_json::to_vec(&body).unwrap_or_default();
        let mut res = (self.status, json).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
