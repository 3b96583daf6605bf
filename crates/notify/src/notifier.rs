use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::channel::redact_url;
use crate::error::status_is_retryable;
use crate::{Channel, DeliveryError, Message, render, sign};

/// The source of "now" for signatures and email dates.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How the notifier reaches the outside world. Every field has a default,
/// so an empty TOML table is a valid configuration (without email).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifierConfig {
    /// Time limit of one HTTP delivery, connection included (default 10 s).
    pub timeout_ms: u64,
    /// Time limit of establishing an HTTP connection (default 5 s).
    pub connect_timeout_ms: u64,
    /// Time limit of each SMTP command (default 30 s).
    pub smtp_timeout_ms: u64,
    /// The SMTP server for [`Channel::Email`]; without it, email
    /// deliveries fail with a configuration error.
    pub smtp: Option<SmtpConfig>,
}

impl Default for NotifierConfig {
    fn default() -> Self {
        NotifierConfig {
            timeout_ms: 10_000,
            connect_timeout_ms: 5_000,
            smtp_timeout_ms: 30_000,
            smtp: None,
        }
    }
}

/// The SMTP server that sends tousu's mail. `Debug` masks the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The sender, `addr@example.com` or `投诉中心 <addr@example.com>`.
    pub from: String,
    #[serde(default)]
    pub tls: SmtpTls,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("tls", &self.tls)
            .finish()
    }
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text, for a relay on the same host or network (and tests).
    None,
    /// STARTTLS, required (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Delivers messages to channels. Build it once and share it: it holds an
/// HTTP client (rustls, time limits, no redirects followed) and, when SMTP
/// is configured, a pool of SMTP connections.
pub struct Notifier {
    http: reqwest::Client,
    smtp: Option<Smtp>,
    clock: Clock,
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("smtp", &self.smtp.as_ref().map(|s| s.from.to_string()))
            .finish_non_exhaustive()
    }
}

/// What each robot vendor is called in messages, and which of its error
/// codes mean "later".
#[derive(Clone, Copy)]
enum Vendor {
    Wecom,
    Dingtalk,
    Feishu,
}

impl Vendor {
    fn name(self) -> &'static str {
        match self {
            Vendor::Wecom => "企业微信",
            Vendor::Dingtalk => "钉钉",
            Vendor::Feishu => "飞书",
        }
    }

    /// Codes that mean "too many messages" or "busy": another attempt later
    /// can succeed. Every other non-zero code is a configuration or content
    /// problem (wrong key, wrong signature, keyword or IP not allowed,
    /// robot removed) that no retry fixes.
    fn is_retryable_code(self, code: i64) -> bool {
        match self {
            // -1 system busy; 45009 API call frequency over the limit
            // (20 messages a minute per robot).
            Vendor::Wecom => matches!(code, -1 | 45009),
            // -1 system busy; 130101 and 410100 sending too fast (20 a
            // minute, then throttled for 10 minutes).
            Vendor::Dingtalk => matches!(code, -1 | 130101 | 410100),
            // 9499 too many requests; 11232 message rate limit.
            Vendor::Feishu => matches!(code, 9499 | 11232),
        }
    }

    /// The vendor's status code and message out of its JSON answer, or
    /// `None` when the answer is not the vendor's JSON.
    fn parse(self, body: &[u8]) -> Option<(i64, String)> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let text = |key: &str| v.get(key).and_then(|m| m.as_str()).map(str::to_owned);
        match self {
            Vendor::Wecom | Vendor::Dingtalk => {
                let code = v.get("errcode")?.as_i64()?;
                Some((code, text("errmsg").unwrap_or_default()))
            }
            // Feishu answers `code`/`msg`; older robots `StatusCode`/`StatusMessage`.
            Vendor::Feishu => {
                if let Some(code) = v.get("code").and_then(|c| c.as_i64()) {
                    Some((code, text("msg").unwrap_or_default()))
                } else {
                    let code = v.get("StatusCode")?.as_i64()?;
                    Some((code, text("StatusMessage").unwrap_or_default()))
                }
            }
        }
    }
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Notifier {
    /// Builds the HTTP client and, when configured, the SMTP transport.
    /// Call it inside a Tokio runtime (the SMTP pool starts a task).
    pub fn new(config: &NotifierConfig) -> Result<Notifier, DeliveryError> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(Duration::from_millis(config.timeout_ms))
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("tousu-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DeliveryError::Config(format!("HTTP 客户端无法创建：{}", chain(&e))))?;
        let smtp = match &config.smtp {
            None => None,
            Some(c) => Some(build_smtp(
                c,
                Duration::from_millis(config.smtp_timeout_ms),
            )?),
        };
        Ok(Notifier {
            http,
            smtp,
            clock: Arc::new(Utc::now),
        })
    }

    /// Replaces the clock that [`Notifier::deliver`] reads.
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
    ) -> Notifier {
        self.clock = Arc::new(clock);
        self
    }

    /// Delivers `message` to `channel` once, with the notifier's clock.
    pub async fn deliver(&self, channel: &Channel, message: &Message) -> Result<(), DeliveryError> {
        let now = (self.clock)();
        self.deliver_at(channel, message, now).await
    }

    /// Delivers `message` to `channel` once; `now` is the time the
    /// signatures and the email date carry.
    pub async fn deliver_at(
        &self,
        channel: &Channel,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let result = match channel {
            Channel::Webhook { url, secret } => {
                self.webhook(url, secret.as_deref(), message, now).await
            }
            Channel::Wecom { url } => self.wecom(url, message).await,
            Channel::Dingtalk { url, secret } => {
                self.dingtalk(url, secret.as_deref(), message, now).await
            }
            Channel::Feishu { url, secret } => {
                self.feishu(url, secret.as_deref(), message, now).await
            }
            Channel::Email { to } => self.email(to, message, now).await,
        };
        match &result {
            Ok(()) => tracing::debug!(?channel, kind = %message.kind, "notification delivered"),
            Err(e) => tracing::debug!(
                ?channel,
                kind = %message.kind,
                error = %e,
                retryable = e.is_retryable(),
                "notification not delivered"
            ),
        }
        result
    }

    async fn webhook(
        &self,
        url: &str,
        secret: Option<&str>,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let url = parse_url(url, "Webhook")?;
        let body = serde_json::to_vec(message)
            .map_err(|e| DeliveryError::Config(format!("消息无法编码为 JSON：{e}")))?;
        let mut headers = HeaderMap::new();
        headers.insert("x-tousu-timestamp", HeaderValue::from(now.timestamp()));
        if let Ok(kind) = HeaderValue::from_str(&message.kind) {
            headers.insert("x-tousu-event", kind);
        }
        if let Some(secret) = secret {
            let signature = sign::webhook_signature(secret, &body);
            headers.insert(
                "x-tousu-signature",
                HeaderValue::from_str(&signature).expect("hex is a valid header value"),
            );
        }
        let answer = self.post(url, headers, body).await?;
        if (200..300).contains(&answer.status) {
            Ok(())
        } else {
            Err(http_error(&answer))
        }
    }

    async fn wecom(&self, url: &str, message: &Message) -> Result<(), DeliveryError> {
        let url = parse_url(url, "企业微信机器人")?;
        let body = json!({
            "msgtype": "markdown",
            "markdown": { "content": render::wecom_markdown(message) },
        });
        let answer = self.post(url, HeaderMap::new(), to_vec(&body)).await?;
        vendor_result(Vendor::Wecom, &answer)
    }

    async fn dingtalk(
        &self,
        url: &str,
        secret: Option<&str>,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let mut url = parse_url(url, "钉钉机器人")?;
        if let Some(secret) = secret {
            let timestamp = now.timestamp_millis();
            let sign = sign::dingtalk_sign(secret, timestamp);
            // `append_pair` form-encodes: `+` `/` `=` of the base64 become
            // %2B %2F %3D, which is the URL encoding DingTalk asks for.
            url.query_pairs_mut()
                .append_pair("timestamp", &timestamp.to_string())
                .append_pair("sign", &sign);
        }
        let body = json!({
            "msgtype": "markdown",
            "markdown": {
                "title": message.title,
                "text": render::dingtalk_markdown(message),
            },
        });
        let answer = self.post(url, HeaderMap::new(), to_vec(&body)).await?;
        vendor_result(Vendor::Dingtalk, &answer)
    }

    async fn feishu(
        &self,
        url: &str,
        secret: Option<&str>,
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let url = parse_url(url, "飞书机器人")?;
        let mut body = json!({
            "msg_type": "text",
            "content": { "text": render::text_with_title(message) },
        });
        if let Some(secret) = secret {
            let timestamp = now.timestamp();
            body["timestamp"] = json!(timestamp.to_string());
            body["sign"] = json!(sign::feishu_sign(secret, timestamp));
        }
        let answer = self.post(url, HeaderMap::new(), to_vec(&body)).await?;
        vendor_result(Vendor::Feishu, &answer)
    }

    async fn email(
        &self,
        to: &[String],
        message: &Message,
        now: DateTime<Utc>,
    ) -> Result<(), DeliveryError> {
        let Some(smtp) = &self.smtp else {
            return Err(DeliveryError::Config(
                "未配置 SMTP 服务器，无法发送邮件".into(),
            ));
        };
        if to.is_empty() {
            return Err(DeliveryError::Config("邮件渠道没有收件人".into()));
        }
        let mut builder = lettre::Message::builder()
            .from(smtp.from.clone())
            .subject(message.title.clone())
            .date(now.into())
            .header(ContentType::TEXT_PLAIN);
        for address in to {
            let mailbox: Mailbox = address
                .parse()
                .map_err(|e| DeliveryError::Config(format!("收件人地址无效 {address:?}：{e}")))?;
            builder = builder.to(mailbox);
        }
        let email = builder
            .body(render::email_text(message))
            .map_err(|e| DeliveryError::Config(format!("邮件无法生成：{e}")))?;
        smtp.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(smtp_error)
    }

    async fn post(
        &self,
        url: url::Url,
        mut headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Answer, DeliveryError> {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        let response = self
            .http
            .post(url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

fn build_smtp(c: &SmtpConfig, timeout: Duration) -> Result<Smtp, DeliveryError> {
    let from: Mailbox = c
        .from
        .parse()
        .map_err(|e| DeliveryError::Config(format!("发件人地址无效 {:?}：{e}", c.from)))?;
    let relay_error = |e: lettre::transport::smtp::Error| {
        DeliveryError::Config(format!("SMTP 服务器配置无效：{e}"))
    };
    let builder = match c.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.host.clone()),
        SmtpTls::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host).map_err(relay_error)?
        }
        SmtpTls::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).map_err(relay_error)?
        }
    };
    let mut builder = builder.port(c.port).timeout(Some(timeout));
    if let Some(username) = &c.username {
        builder = builder.credentials(Credentials::new(
            username.clone(),
            c.password.clone().unwrap_or_default(),
        ));
    }
    Ok(Smtp {
        transport: builder.build(),
        from,
    })
}

fn parse_url(raw: &str, what: &str) -> Result<url::Url, DeliveryError> {
    match url::Url::parse(raw) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(DeliveryError::Config(format!(
            "{what}地址无效：{}",
            redact_url(raw)
        ))),
    }
}

fn to_vec(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("a JSON value always serializes")
}

/// The error and its causes, one after the other: reqwest's own sentence
/// ("error sending request") says little without them.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = cause.source();
    }
    s
}

fn transport_error(e: reqwest::Error) -> DeliveryError {
    // The URL carries the robots' credentials: it never goes into a message.
    let e = e.without_url();
    let text = chain(&e);
    if e.is_timeout() {
        DeliveryError::Timeout(text)
    } else if e.is_builder() {
        DeliveryError::Config(text)
    } else {
        // Connection refused or reset, DNS, TLS handshake, a body cut
        // short: the network's fault, worth another attempt.
        DeliveryError::Connect(text)
    }
}

/// The start of an answer body, for the admin's eyes.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "（无应答内容）".to_owned();
    }
    let mut out: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

fn http_error(answer: &Answer) -> DeliveryError {
    DeliveryError::Http {
        status: answer.status,
        detail: snippet(&answer.body),
        retry_after: answer.retry_after,
    }
}

/// A robot's answer: a retryable status first (a 5xx stays retryable
/// whatever its body says), then the vendor's code (which Feishu also
/// sends with HTTP 400), then the status.
fn vendor_result(vendor: Vendor, answer: &Answer) -> Result<(), DeliveryError> {
    if status_is_retryable(answer.status) {
        return Err(http_error(answer));
    }
    let parsed = vendor.parse(&answer.body);
    if let Some((code, message)) = &parsed
        && *code != 0
    {
        return Err(DeliveryError::Vendor {
            vendor: vendor.name(),
            code: *code,
            message: message.clone(),
            retryable: vendor.is_retryable_code(*code),
        });
    }
    if !(200..300).contains(&answer.status) {
        return Err(http_error(answer));
    }
    match parsed {
        Some(_) => Ok(()),
        None => Err(DeliveryError::BadResponse(format!(
            "{}机器人的应答不是预期的 JSON：{}",
            vendor.name(),
            snippet(&answer.body)
        ))),
    }
}

fn smtp_error(e: lettre::transport::smtp::Error) -> DeliveryError {
    let text = chain(&e);
    if e.is_timeout() {
        DeliveryError::Timeout(text)
    } else if e.is_permanent() || e.is_client() || e.is_tls() {
        // 5xx (address refused, authentication failed …), a message the
        // client itself cannot send, or a certificate the client does not
        // accept: a person has to look.
        DeliveryError::Smtp {
            message: text,
            retryable: false,
        }
    } else {
        // 4xx, connection refused or cut, a garbled reply.
        DeliveryError::Smtp {
            message: text,
            retryable: true,
        }
    }
}
