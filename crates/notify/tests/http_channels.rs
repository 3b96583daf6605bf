//! Deliveries to a local HTTP sink, one per channel type, with the
//! signatures recomputed here from the vendors' descriptions.

mod support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use support::{HttpSink, Reply, closed_port};
use tousu_notify::{Channel, DeliveryError, Message, Notifier, NotifierConfig};

/// 2025-01-01 12:00:00.001 in Beijing (04:00:00.001 UTC).
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_735_704_000_001).unwrap()
}

fn notifier() -> Notifier {
    Notifier::new(&NotifierConfig::default())
        .unwrap()
        .with_clock(now)
}

fn message() -> Message {
    Message {
        kind: "deadline_breached".into(),
        title: "【超时升级】3栋电梯困人投诉派单超时".into(),
        body: "业主投诉3栋2单元电梯困人，受理后12小时内未派单。\n已升级至部门负责人，请立即处理并回复客服中心。".into(),
        complaint_id: Some(1024),
        tracking_no: Some("TS-20250101-0007".into()),
        level: Some("部门负责人".into()),
        url: Some("https://tousu.example.com/complaints/1024".into()),
        data: json!({"rule": "dispatch_12h", "due_at": "2025-01-01T03:00:00Z"}),
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn webhook_posts_the_message_as_json_signed_over_the_exact_body() {
    let sink = HttpSink::start(vec![]).await;
    let secret = "whsec-物业-42";
    let channel = Channel::Webhook {
        url: sink.url("/hooks/tousu?source=prod"),
        secret: Some(secret.into()),
    };
    notifier().deliver(&channel, &message()).await.unwrap();

    let req = sink.single();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/hooks/tousu");
    assert_eq!(req.query.as_deref(), Some("source=prod"));
    assert!(
        req.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(req.header("x-tousu-timestamp"), Some("1735704000"));
    assert_eq!(req.header("x-tousu-event"), Some("deadline_breached"));
    let expected = format!(
        "sha256={}",
        hex::encode(hmac_sha256(secret.as_bytes(), &req.body))
    );
    assert_eq!(req.header("x-tousu-signature"), Some(expected.as_str()));
    // The body is the message itself.
    let received: Message = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(received, message());
    assert_eq!(req.json()["data"]["rule"], "dispatch_12h");
}

#[tokio::test]
async fn webhook_without_secret_is_not_signed() {
    let sink = HttpSink::start(vec![]).await;
    let channel = Channel::Webhook {
        url: sink.url("/hook"),
        secret: None,
    };
    notifier().deliver(&channel, &message()).await.unwrap();
    let req = sink.single();
    assert_eq!(req.header("x-tousu-signature"), None);
    assert_eq!(req.header("x-tousu-timestamp"), Some("1735704000"));
    assert_eq!(req.json()["title"], message().title);
}

#[tokio::test]
async fn wecom_gets_a_markdown_message() {
    let sink = HttpSink::start(vec![]).await;
    let key = "693a91f6-7b2c-4bc4-97a0-0ec2f1fa5aaa";
    let channel = Channel::Wecom {
        url: sink.url(&format!("/cgi-bin/webhook/send?key={key}")),
    };
    notifier().deliver(&channel, &message()).await.unwrap();

    let req = sink.single();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/cgi-bin/webhook/send");
    assert_eq!(req.query_pairs(), vec![("key".to_owned(), key.to_owned())]);
    assert!(
        req.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = req.json();
    assert_eq!(body["msgtype"], "markdown");
    assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("### 【超时升级】3栋电梯困人投诉派单超时\n"),
        "{content}"
    );
    assert!(
        content.contains("业主投诉3栋2单元电梯困人，受理后12小时内未派单。\n已升级至部门负责人")
    );
    assert!(content.contains("TS-20250101-0007"));
    assert!(content.contains("[查看详情](https://tousu.example.com/complaints/1024)"));
    assert!(content.len() <= 4096);
}

#[tokio::test]
async fn wecom_errcode_is_a_permanent_failure() {
    let sink = HttpSink::start(vec![(
        "/cgi-bin/webhook/send",
        Reply::json(
            200,
            json!({"errcode": 93000, "errmsg": "invalid webhook url, hint: [1735704000_1]"}),
        ),
    )])
    .await;
    let channel = Channel::Wecom {
        url: sink.url("/cgi-bin/webhook/send?key=wrong"),
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Vendor { code: 93000, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("企业微信"), "{err}");
    assert!(err.to_string().contains("invalid webhook url"), "{err}");
}

#[tokio::test]
async fn wecom_rate_limit_is_retryable() {
    let sink = HttpSink::start(vec![(
        "/cgi-bin/webhook/send",
        Reply::json(
            200,
            json!({"errcode": 45009, "errmsg": "api freq out of limit"}),
        ),
    )])
    .await;
    let channel = Channel::Wecom {
        url: sink.url("/cgi-bin/webhook/send?key=k"),
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn dingtalk_is_signed_in_the_query_and_gets_markdown() {
    let sink = HttpSink::start(vec![]).await;
    let secret = "SECd2f1a0b3c4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff";
    let channel = Channel::Dingtalk {
        url: sink.url("/robot/send?access_token=abc123token"),
        secret: Some(secret.into()),
    };
    notifier().deliver(&channel, &message()).await.unwrap();

    let req = sink.single();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/robot/send");
    let query = req.query.clone().unwrap();
    assert!(
        query.starts_with("access_token=abc123token&timestamp=1735704000001&sign="),
        "{query}"
    );
    assert_eq!(
        req.query_value("access_token").as_deref(),
        Some("abc123token")
    );
    let timestamp = req.query_value("timestamp").unwrap();
    assert_eq!(timestamp, "1735704000001");
    // DingTalk: base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)), URL-encoded.
    let expected = STANDARD.encode(hmac_sha256(
        secret.as_bytes(),
        format!("{timestamp}\n{secret}").as_bytes(),
    ));
    assert_eq!(req.query_value("sign").unwrap(), expected);
    // The raw query carries the URL-encoded form: no bare + / = of base64.
    let raw_sign = query.split("&sign=").nth(1).unwrap();
    assert!(!raw_sign.contains(['+', '/', '=']), "{raw_sign}");

    let body = req.json();
    assert_eq!(body["msgtype"], "markdown");
    assert_eq!(body["markdown"]["title"], message().title);
    let text = body["markdown"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("### 【超时升级】3栋电梯困人投诉派单超时\n\n"),
        "{text}"
    );
    assert!(text.contains("未派单。\n\n已升级至部门负责人"));
    assert!(text.contains("> 投诉单号：TS-20250101-0007"));
}

#[tokio::test]
async fn dingtalk_signature_is_url_encoded() {
    // With this secret and this millisecond the signature contains + and /.
    let sink = HttpSink::start(vec![]).await;
    let secret = "SECd2f1a0b3c4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff";
    let channel = Channel::Dingtalk {
        url: sink.url("/robot/send?access_token=t"),
        secret: Some(secret.into()),
    };
    let at = DateTime::from_timestamp_millis(1_735_700_400_001).unwrap();
    notifier()
        .deliver_at(&channel, &message(), at)
        .await
        .unwrap();
    let req = sink.single();
    // The value the vendor's own Python sample prints for these inputs.
    assert_eq!(
        req.query.as_deref(),
        Some(
            "access_token=t&timestamp=1735700400001&sign=4KnJqgO%2FlyT%2BxvlDTtKdJFT1aUEJtP6aV%2FAK7Ht0IRg%3D"
        )
    );
}

#[tokio::test]
async fn dingtalk_without_secret_adds_nothing_to_the_query() {
    let sink = HttpSink::start(vec![]).await;
    let channel = Channel::Dingtalk {
        url: sink.url("/robot/send?access_token=t"),
        secret: None,
    };
    notifier().deliver(&channel, &message()).await.unwrap();
    assert_eq!(sink.single().query.as_deref(), Some("access_token=t"));
}

#[tokio::test]
async fn dingtalk_errcode_310000_is_a_permanent_failure() {
    let sink = HttpSink::start(vec![(
        "/robot/send",
        Reply::json(200, json!({"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"})),
    )])
    .await;
    let channel = Channel::Dingtalk {
        url: sink.url("/robot/send?access_token=t"),
        secret: Some("SECwrong".into()),
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    match &err {
        DeliveryError::Vendor {
            code,
            message,
            retryable,
            ..
        } => {
            assert_eq!(*code, 310000);
            assert!(message.contains("sign not match"));
            assert!(!retryable);
        }
        other => panic!("expected a vendor error, got {other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(
        err.to_string()
            .starts_with("钉钉拒绝了消息（错误码 310000）"),
        "{err}"
    );
}

#[tokio::test]
async fn feishu_is_signed_in_the_body_and_gets_text() {
    let sink = HttpSink::start(vec![]).await;
    let secret = "feishu-secret-测试";
    let hook = "/open-apis/bot/v2/hook/f1923a0c-2b8e-4c55-9a1e-0a3d5e0f7b21";
    let channel = Channel::Feishu {
        url: sink.url(hook),
        secret: Some(secret.into()),
    };
    notifier().deliver(&channel, &message()).await.unwrap();

    let req = sink.single();
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, hook);
    assert_eq!(req.query, None);
    let body = req.json();
    assert_eq!(body["timestamp"], "1735704000", "a string, in seconds");
    // Feishu: base64(HMAC-SHA256(key = timestamp + "\n" + secret, empty message)).
    let expected = STANDARD.encode(hmac_sha256(format!("1735704000\n{secret}").as_bytes(), b""));
    assert_eq!(body["sign"], expected);
    assert_eq!(body["msg_type"], "text");
    let text = body["content"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("【超时升级】3栋电梯困人投诉派单超时\n业主投诉3栋2单元电梯困人"),
        "{text}"
    );
    assert!(text.contains("投诉单号：TS-20250101-0007"));
    assert!(text.contains("详情：https://tousu.example.com/complaints/1024"));
    assert_eq!(body.as_object().unwrap().len(), 4, "{body}");
}

#[tokio::test]
async fn feishu_without_secret_sends_no_signature() {
    let sink = HttpSink::start(vec![(
        "/open-apis/bot/v2/hook/x",
        Reply::json(200, json!({"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"})),
    )])
    .await;
    let channel = Channel::Feishu {
        url: sink.url("/open-apis/bot/v2/hook/x"),
        secret: None,
    };
    notifier().deliver(&channel, &message()).await.unwrap();
    let body = sink.single().json();
    assert!(
        body.get("sign").is_none() && body.get("timestamp").is_none(),
        "{body}"
    );
}

#[tokio::test]
async fn feishu_code_19021_is_a_permanent_failure() {
    let sink = HttpSink::start(vec![(
        "/open-apis/bot/v2/hook/x",
        Reply::json(200, json!({"code": 19021, "data": {}, "msg": "sign match fail or timestamp is not within one hour from current time"})),
    )])
    .await;
    let channel = Channel::Feishu {
        url: sink.url("/open-apis/bot/v2/hook/x"),
        secret: Some("wrong".into()),
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Vendor { code: 19021, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("sign match fail"), "{err}");
}

#[tokio::test]
async fn feishu_rate_limit_sent_with_http_400_is_retryable() {
    let sink = HttpSink::start(vec![(
        "/open-apis/bot/v2/hook/x",
        Reply::json(400, json!({"code": 9499, "msg": "too many request"})),
    )])
    .await;
    let channel = Channel::Feishu {
        url: sink.url("/open-apis/bot/v2/hook/x"),
        secret: None,
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Vendor { code: 9499, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn http_503_is_retryable_for_webhooks_and_robots() {
    let sink = HttpSink::start(vec![
        ("/hook", Reply::text(503, "upstream unavailable")),
        ("/robot/send", Reply::json(503, json!({"errcode": 0}))),
    ])
    .await;
    let n = notifier();
    let webhook = Channel::Webhook {
        url: sink.url("/hook"),
        secret: Some("s".into()),
    };
    let err = n.deliver(&webhook, &message()).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Http { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(err.to_string().contains("upstream unavailable"), "{err}");

    let robot = Channel::Dingtalk {
        url: sink.url("/robot/send?access_token=t"),
        secret: None,
    };
    let err = n.deliver(&robot, &message()).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Http { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn http_429_is_retryable_and_carries_retry_after() {
    let sink = HttpSink::start(vec![(
        "/hook",
        Reply::text(429, "slow down").header("retry-after", "30"),
    )])
    .await;
    let channel = Channel::Webhook {
        url: sink.url("/hook"),
        secret: None,
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn http_4xx_is_permanent() {
    let sink = HttpSink::start(vec![
        ("/gone", Reply::text(404, "no such hook")),
        ("/denied", Reply::text(401, "bad signature")),
    ])
    .await;
    for path in ["/gone", "/denied"] {
        let channel = Channel::Webhook {
            url: sink.url(path),
            secret: None,
        };
        let err = notifier().deliver(&channel, &message()).await.unwrap_err();
        assert!(matches!(err, DeliveryError::Http { .. }), "{err:?}");
        assert!(!err.is_retryable(), "{path}: {err:?}");
    }
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let sink = HttpSink::start(vec![(
        "/moved",
        Reply::text(302, "").header("location", "/elsewhere"),
    )])
    .await;
    let channel = Channel::Webhook {
        url: sink.url("/moved"),
        secret: None,
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(
        matches!(err, DeliveryError::Http { status: 302, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(sink.requests().len(), 1);
}

#[tokio::test]
async fn a_robot_answer_that_is_not_the_vendors_json_is_a_failure() {
    let sink = HttpSink::start(vec![(
        "/cgi-bin/webhook/send",
        Reply::text(200, "<html>captive portal</html>"),
    )])
    .await;
    let channel = Channel::Wecom {
        url: sink.url("/cgi-bin/webhook/send?key=k"),
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(matches!(err, DeliveryError::BadResponse(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_closed_port_is_retryable_and_the_error_hides_the_url() {
    let port = closed_port().await;
    let channel = Channel::Dingtalk {
        url: format!("http://127.0.0.1:{port}/robot/send?access_token=TOPSECRETTOKEN"),
        secret: Some("SECsecret".into()),
    };
    let err = notifier().deliver(&channel, &message()).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Connect(_)), "{err:?}");
    assert!(err.is_retryable());
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("TOPSECRETTOKEN") && !shown.contains("SECsecret"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_slow_server_times_out_and_that_is_retryable() {
    let sink = HttpSink::start(vec![(
        "/slow",
        Reply::text(200, "ok").delayed(Duration::from_secs(3)),
    )])
    .await;
    let config = NotifierConfig {
        timeout_ms: 300,
        ..NotifierConfig::default()
    };
    let notifier = Notifier::new(&config).unwrap();
    let channel = Channel::Webhook {
        url: sink.url("/slow"),
        secret: None,
    };
    let started = std::time::Instant::now();
    let err = notifier.deliver(&channel, &message()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(err, DeliveryError::Timeout(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_bad_url_is_a_configuration_error() {
    for url in ["not a url", "ftp://example.com/hook", "mailto:a@b.c"] {
        let channel = Channel::Wecom { url: url.into() };
        let err = notifier().deliver(&channel, &message()).await.unwrap_err();
        assert!(matches!(err, DeliveryError::Config(_)), "{url}: {err:?}");
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn the_injected_clock_signs() {
    // deliver() reads the notifier's clock; deliver_at() takes the time given.
    let sink = HttpSink::start(vec![]).await;
    let channel = Channel::Feishu {
        url: sink.url("/open-apis/bot/v2/hook/x"),
        secret: Some("s".into()),
    };
    let n = Notifier::new(&NotifierConfig::default())
        .unwrap()
        .with_clock(|| DateTime::from_timestamp(1_800_000_000, 0).unwrap());
    n.deliver(&channel, &message()).await.unwrap();
    n.deliver_at(
        &channel,
        &message(),
        DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
    )
    .await
    .unwrap();
    let stamps: Vec<_> = sink
        .requests()
        .iter()
        .map(|r| r.json()["timestamp"].clone())
        .collect();
    assert_eq!(stamps, vec![json!("1800000000"), json!("1700000000")]);
}
