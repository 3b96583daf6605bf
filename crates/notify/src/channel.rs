use std::fmt;

use serde::{Deserialize, Serialize};

/// Where one notification goes. Serialized with a `type` tag, so a channel
/// reads the same in a TOML configuration and in a JSON column:
///
/// ```toml
/// type = "dingtalk"
/// url = "https://oapi.dingtalk.com/robot/send?access_token=…"
/// secret = "SEC…"
/// ```
///
/// `Debug` masks the secrets and the credentials inside the URLs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Channel {
    /// A generic JSON webhook: the [`crate::Message`] itself, signed with
    /// HMAC-SHA256 when a secret is set.
    Webhook {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
    },
    /// 企业微信 group robot (the `key` in its URL is its credential).
    Wecom { url: String },
    /// 钉钉 custom robot; `secret` is the `SEC…` string of its 加签 setting.
    Dingtalk {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
    },
    /// 飞书 custom robot; `secret` is the key of its 签名校验 setting.
    Feishu {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
    },
    /// Email through the notifier's SMTP server.
    Email { to: Vec<String> },
}

impl Channel {
    /// The channel's `type` tag: `webhook`, `wecom`, `dingtalk`, `feishu`, `email`.
    pub fn kind(&self) -> &'static str {
        match self {
            Channel::Webhook { .. } => "webhook",
            Channel::Wecom { .. } => "wecom",
            Channel::Dingtalk { .. } => "dingtalk",
            Channel::Feishu { .. } => "feishu",
            Channel::Email { .. } => "email",
        }
    }
}

struct Masked<'a>(&'a Option<String>);

impl fmt::Debug for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(\"***\")"),
            None => f.write_str("None"),
        }
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Webhook { url, secret } => f
                .debug_struct("Webhook")
                .field("url", &redact_url(url))
                .field("secret", &Masked(secret))
                .finish(),
            Channel::Wecom { url } => f
                .debug_struct("Wecom")
                .field("url", &redact_url(url))
                .finish(),
            Channel::Dingtalk { url, secret } => f
                .debug_struct("Dingtalk")
                .field("url", &redact_url(url))
                .field("secret", &Masked(secret))
                .finish(),
            Channel::Feishu { url, secret } => f
                .debug_struct("Feishu")
                .field("url", &redact_url(url))
                .field("secret", &Masked(secret))
                .finish(),
            Channel::Email { to } => f.debug_struct("Email").field("to", to).finish(),
        }
    }
}

/// A URL fit for a log line or an admin page: every query value is masked
/// (WeCom's `key`, DingTalk's `access_token`), and so is every long path
/// segment (Feishu's hook id, tokens in generic webhook paths); the user
/// and password of the authority are dropped. What is left still tells
/// which server and which endpoint.
pub(crate) fn redact_url(raw: &str) -> String {
    let Ok(url) = url::Url::parse(raw) else {
        return "<unparseable url>".to_owned();
    };
    let mut out = format!("{}://", url.scheme());
    if let Some(host) = url.host_str() {
        out.push_str(host);
    }
    if let Some(port) = url.port() {
        out.push_str(&format!(":{port}"));
    }
    if let Some(segments) = url.path_segments() {
        for segment in segments {
            out.push('/');
            if segment.chars().count() >= 16 {
                out.push_str("***");
            } else {
                out.push_str(segment);
            }
        }
    }
    let keys: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    if !keys.is_empty() {
        out.push('?');
        out.push_str(
            &keys
                .iter()
                .map(|k| format!("{k}=***"))
                .collect::<Vec<_>>()
                .join("&"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            redact_url(
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
            ),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
        );
        assert_eq!(
            redact_url(
                "https://open.feishu.cn/open-apis/bot/v2/hook/f1923a0c-2b8e-4c55-9a1e-0a3d5e0f7b21"
            ),
            "https://open.feishu.cn/open-apis/bot/v2/hook/***"
        );
        assert_eq!(
            redact_url("http://user:pw@127.0.0.1:8080/hook"),
            "http://127.0.0.1:8080/hook"
        );
        assert_eq!(redact_url("not a url"), "<unparseable url>");
    }
}
