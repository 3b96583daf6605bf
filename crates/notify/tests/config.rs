//! Channels and the notifier's configuration read from TOML and JSON, and
//! what `Debug` lets out of them.

use serde::Deserialize;
use tousu_notify::{Channel, Message, NotifierConfig, SmtpTls};

#[derive(Deserialize)]
struct File {
    notifier: NotifierConfig,
    channels: Vec<Channel>,
}

const TOML: &str = r#"
[notifier]
timeout_ms = 8000

[notifier.smtp]
host = "smtp.exmail.qq.com"
port = 465
username = "tousu@wuye.example.com"
password = "smtp-password-123"
from = "投诉中心 <tousu@wuye.example.com>"
tls = "tls"

[[channels]]
type = "webhook"
url = "https://ops.example.com/hooks/tousu"
secret = "whsec-abcdef"

[[channels]]
type = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7b2c-4bc4-97a0-0ec2f1fa5aaa"

[[channels]]
type = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef"
secret = "SECd2f1a0b3c4e5f60718293a4b5c6d7e8f9"

[[channels]]
type = "feishu"
url = "https://open.feishu.cn/open-apis/bot/v2/hook/f1923a0c-2b8e-4c55-9a1e-0a3d5e0f7b21"

[[channels]]
type = "email"
to = ["gongcheng@wuye.example.com"]
"#;

#[test]
fn channels_and_smtp_read_from_toml() {
    let file: File = toml::from_str(TOML).unwrap();
    assert_eq!(file.notifier.timeout_ms, 8000);
    assert_eq!(
        file.notifier.connect_timeout_ms,
        NotifierConfig::default().connect_timeout_ms
    );
    let smtp = file.notifier.smtp.as_ref().unwrap();
    assert_eq!((smtp.port, smtp.tls), (465, SmtpTls::Tls));
    let kinds: Vec<_> = file.channels.iter().map(Channel::kind).collect();
    assert_eq!(kinds, ["webhook", "wecom", "dingtalk", "feishu", "email"]);
    assert_eq!(
        file.channels[3],
        Channel::Feishu {
            url:
                "https://open.feishu.cn/open-apis/bot/v2/hook/f1923a0c-2b8e-4c55-9a1e-0a3d5e0f7b21"
                    .into(),
            secret: None
        }
    );
}

#[test]
fn channels_round_trip_through_json() {
    let file: File = toml::from_str(TOML).unwrap();
    for channel in &file.channels {
        let json = serde_json::to_string(channel).unwrap();
        assert!(
            json.starts_with(&format!("{{\"type\":\"{}\"", channel.kind())),
            "{json}"
        );
        let back: Channel = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, channel);
    }
    // An unknown type or field is refused rather than silently ignored.
    assert!(serde_json::from_str::<Channel>(r#"{"type":"sms","to":"1"}"#).is_err());
    assert!(serde_json::from_str::<Channel>(r#"{"type":"wecom","url":"x","secret":"s"}"#).is_err());
}

#[test]
fn debug_masks_secrets_and_url_credentials() {
    let file: File = toml::from_str(TOML).unwrap();
    let shown = format!("{:?} {:?}", file.channels, file.notifier);
    for secret in [
        "whsec-abcdef",
        "693a91f6-7b2c-4bc4-97a0-0ec2f1fa5aaa",
        "0123456789abcdef0123456789abcdef",
        "SECd2f1a0b3c4e5f60718293a4b5c6d7e8f9",
        "f1923a0c-2b8e-4c55-9a1e-0a3d5e0f7b21",
        "smtp-password-123",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
    // Still enough to tell the channels apart.
    assert!(
        shown.contains("qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"),
        "{shown}"
    );
    assert!(
        shown.contains("oapi.dingtalk.com/robot/send?access_token=***"),
        "{shown}"
    );
    assert!(
        shown.contains("open.feishu.cn/open-apis/bot/v2/hook/***"),
        "{shown}"
    );
    assert!(shown.contains("gongcheng@wuye.example.com"), "{shown}");
}

#[test]
fn a_message_needs_only_kind_title_and_body() {
    let m: Message = serde_json::from_str(
        r#"{"kind":"callback_due","title":"回访提醒","body":"请在2个工作日内回访"}"#,
    )
    .unwrap();
    assert_eq!(m.complaint_id, None);
    assert_eq!(m.data, serde_json::Value::Null);
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind":"callback_due","title":"回访提醒","body":"请在2个工作日内回访","data":null})
    );
}
