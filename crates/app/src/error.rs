//! The application's error: every way a request can fail, each with what
//! the caller needs to know. The web layer maps it to HTTP in one place.

use tousu_domain::DomainError;
use tousu_store::{ConflictKind, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The domain refused (invalid field, wrong state, wrong role…).
    #[error(transparent)]
    Domain(#[from] DomainError),

    #[error("{en} not found")]
    NotFound { zh: &'static str, en: &'static str },

    /// No valid session or token.
    #[error("authentication required")]
    Unauthenticated,

    /// Wrong username or password (never says which).
    #[error("invalid username or password")]
    InvalidCredentials,

    #[error("{en}")]
    Forbidden { zh: String, en: String },

    #[error("too many requests; retry in {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },

    /// An `Idempotency-Key` reused with a different request body.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,

    /// The complaint kept changing under us; the client may retry.
    #[error("the complaint was changed concurrently")]
    Busy,

    #[error("{en}")]
    Conflict { zh: String, en: String },

    /// An upload of a type or size we do not take.
    #[error("{en}")]
    Unsupported { zh: String, en: String },

    /// An upload over the size limit.
    #[error("{en}")]
    TooLarge { zh: String, en: String },

    /// Storage failed; details are logged, never shown.
    #[error("storage failure")]
    Store(#[source] StoreError),

    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound("complaint") => AppError::NotFound { zh: "投诉", en: "complaint" },
            StoreError::NotFound("file") => AppError::NotFound { zh: "文件", en: "file" },
            StoreError::NotFound(_) => AppError::NotFound { zh: "记录", en: "record" },
            StoreError::Conflict(ConflictKind::IdempotencyKey) => AppError::IdempotencyKeyReused,
            StoreError::Conflict(ConflictKind::Version) => AppError::Busy,
            StoreError::Conflict(ConflictKind::Duplicate(what)) => AppError::Conflict {
                zh: format!("已存在：{what}"),
                en: format!("already exists: {what}"),
            },
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn forbidden(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Forbidden { zh: zh.into(), en: en.into() }
    }

    pub fn complaint_not_found() -> Self {
        AppError::NotFound { zh: "投诉", en: "complaint" }
    }
}
