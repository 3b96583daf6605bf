//! Delivery of one notification to one channel.
//!
//! This crate knows the wire formats and the signatures of the channels tousu
//! notifies through, and nothing about queues: the outbox, the dispatcher,
//! its retries and its backoff live elsewhere and call
//! [`Notifier::deliver`] once per attempt. The answer says whether the
//! attempt succeeded and, when it did not, whether another attempt may help
//! ([`DeliveryError::is_retryable`]) and what to show the administrator
//! (its `Display`).
//!
//! | channel | request |
//! |---|---|
//! | [`Channel::Webhook`] | `POST url`, body = the [`Message`] as JSON, `X-Tousu-Timestamp: <unix seconds>`, and with a secret `X-Tousu-Signature: sha256=<hex HMAC-SHA256(secret, exact body bytes)>` |
//! | [`Channel::Wecom`] | 企业微信群机器人: `POST url` (`…/cgi-bin/webhook/send?key=…`), `{"msgtype":"markdown","markdown":{"content":…}}`; an answer with `errcode` ≠ 0 is a failure |
//! | [`Channel::Dingtalk`] | 钉钉自定义机器人: `POST url&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)))>`, `{"msgtype":"markdown","markdown":{"title":…,"text":…}}`; `errcode` ≠ 0 is a failure |
//! | [`Channel::Feishu`] | 飞书自定义机器人: `POST url`, `{"timestamp":"<s>","sign":<base64(HMAC-SHA256(key = timestamp + "\n" + secret, empty message))>,"msg_type":"text","content":{"text":…}}`; `code` ≠ 0 is a failure |
//! | [`Channel::Email`] | SMTP through the [`SmtpConfig`] given to the notifier: subject = title, plain-text UTF-8 body |
//!
//! Time is injected: signatures use [`Notifier::deliver_at`]'s `now`, or the
//! notifier's clock ([`Notifier::with_clock`]) for [`Notifier::deliver`].
//!
//! Secrets never reach a log line or an error message: `Debug` of a channel
//! or of the SMTP configuration masks them, and so it does the credentials
//! that the robots carry in their URLs (`key=`, `access_token=`, the
//! Feishu hook id); transport errors are reported without their URL.

mod channel;
mod error;
mod message;
mod notifier;
mod render;
mod sign;

pub use channel::Channel;
pub use error::DeliveryError;
pub use message::Message;
pub use notifier::{Clock, Notifier, NotifierConfig, SmtpConfig, SmtpTls};
