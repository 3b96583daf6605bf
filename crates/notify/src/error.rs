use std::time::Duration;

/// Why a delivery failed. `Display` is the sentence for the admin view (in
/// Chinese, with the vendor's or the server's own words after it); it never
/// holds a secret or a URL. [`DeliveryError::is_retryable`] tells the
/// dispatcher whether another attempt may succeed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// The channel or the notifier is misconfigured (a URL that does not
    /// parse, an email channel without SMTP, an address that is not one).
    /// Retrying cannot help; fixing the configuration can.
    #[error("配置错误：{0}")]
    Config(String),
    /// No answer within the notifier's time limit.
    #[error("请求超时：{0}")]
    Timeout(String),
    /// The server could not be reached, or the connection broke.
    #[error("无法连接：{0}")]
    Connect(String),
    /// The server answered with a status that is not success. 408, 429 and
    /// 5xx are worth another attempt; any other status is not.
    #[error("对方返回 HTTP {status}：{detail}")]
    Http {
        status: u16,
        detail: String,
        /// The `Retry-After` the server asked for, in seconds, if any.
        retry_after: Option<Duration>,
    },
    /// The robot answered HTTP 200 with an error code in its JSON
    /// (`errcode` for WeCom and DingTalk, `code` for Feishu). Only the
    /// vendors' rate-limit and system-busy codes are retryable.
    #[error("{vendor}拒绝了消息（错误码 {code}）：{message}")]
    Vendor {
        vendor: &'static str,
        code: i64,
        message: String,
        retryable: bool,
    },
    /// A success status with an answer that is not the vendor's JSON.
    #[error("无法识别的应答：{0}")]
    BadResponse(String),
    /// The SMTP server refused the message or the conversation failed.
    /// 4xx replies and network failures are retryable; 5xx are not.
    #[error("邮件发送失败：{message}")]
    Smtp { message: String, retryable: bool },
}

impl DeliveryError {
    /// Whether another attempt, later, may succeed: timeouts, connection
    /// failures, HTTP 408/429/5xx, vendor rate limits, SMTP 4xx. Anything
    /// else needs a person (a wrong URL, a wrong secret, a refused address).
    pub fn is_retryable(&self) -> bool {
        match self {
            DeliveryError::Config(_) | DeliveryError::BadResponse(_) => false,
            DeliveryError::Timeout(_) | DeliveryError::Connect(_) => true,
            DeliveryError::Http { status, .. } => status_is_retryable(*status),
            DeliveryError::Vendor { retryable, .. } | DeliveryError::Smtp { retryable, .. } => {
                *retryable
            }
        }
    }

    /// The wait the server asked for (HTTP `Retry-After` in seconds), to be
    /// used by the dispatcher as a lower bound of its backoff.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            DeliveryError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A short machine-readable name for storage and metrics: `config`,
    /// `timeout`, `connect`, `http`, `vendor`, `bad_response`, `smtp`.
    pub fn kind(&self) -> &'static str {
        match self {
            DeliveryError::Config(_) => "config",
            DeliveryError::Timeout(_) => "timeout",
            DeliveryError::Connect(_) => "connect",
            DeliveryError::Http { .. } => "http",
            DeliveryError::Vendor { .. } => "vendor",
            DeliveryError::BadResponse(_) => "bad_response",
            DeliveryError::Smtp { .. } => "smtp",
        }
    }
}

pub(crate) fn status_is_retryable(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}
