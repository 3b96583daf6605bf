//! Email through a local SMTP sink, without TLS, decoded with a MIME parser.

mod support;

use chrono::{DateTime, Utc};
use mail_parser::MessageParser;
use support::{SmtpSink, closed_port};
use tousu_notify::{
    Channel, DeliveryError, Message, Notifier, NotifierConfig, SmtpConfig, SmtpTls,
};

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_735_704_000, 0).unwrap()
}

fn smtp(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "投诉中心 <tousu@wuye.example.com>".into(),
        tls: SmtpTls::None,
    }
}

fn notifier(port: u16) -> Notifier {
    let config = NotifierConfig {
        smtp: Some(smtp(port)),
        smtp_timeout_ms: 5_000,
        ..NotifierConfig::default()
    };
    Notifier::new(&config).unwrap().with_clock(now)
}

fn message() -> Message {
    Message {
        kind: "escalated".into(),
        title: "【升级】投诉 TS-20250101-0007 已升级至公司主管领导".into(),
        body: "业主反映地下车库漏水三次未修复（投诉多少次了）。\n部门负责人未在5分钟内解决，已按应急流程升级。".into(),
        complaint_id: Some(7),
        tracking_no: Some("TS-20250101-0007".into()),
        level: Some("公司主管领导".into()),
        url: Some("https://tousu.example.com/complaints/7".into()),
        data: serde_json::Value::Null,
    }
}

#[tokio::test]
async fn email_arrives_with_recipients_subject_and_chinese_body() {
    let sink = SmtpSink::start(None).await;
    let channel = Channel::Email {
        to: vec![
            "gongcheng@wuye.example.com".into(),
            "王经理 <wang@wuye.example.com>".into(),
        ],
    };
    notifier(sink.port)
        .deliver(&channel, &message())
        .await
        .unwrap();

    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.mail_from, "tousu@wuye.example.com");
    assert_eq!(
        mail.rcpt_to,
        vec!["gongcheng@wuye.example.com", "wang@wuye.example.com"]
    );

    let parsed = MessageParser::default()
        .parse(&mail.data)
        .expect("a MIME message");
    assert_eq!(parsed.subject(), Some(message().title.as_str()));
    let to: Vec<_> = parsed
        .to()
        .unwrap()
        .iter()
        .map(|a| (a.name().map(str::to_owned), a.address().unwrap().to_owned()))
        .collect();
    assert_eq!(
        to,
        vec![
            (None, "gongcheng@wuye.example.com".to_owned()),
            (
                Some("王经理".to_owned()),
                "wang@wuye.example.com".to_owned()
            ),
        ]
    );
    let from = parsed.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("投诉中心"));
    assert_eq!(parsed.date().unwrap().to_timestamp(), now().timestamp());

    // Text travels with CRLF line ends (RFC 2046 4.1.1).
    let body = parsed.body_text(0).unwrap().replace("\r\n", "\n");
    assert_eq!(
        body.trim_end(),
        "业主反映地下车库漏水三次未修复（投诉多少次了）。\n部门负责人未在5分钟内解决，已按应急流程升级。\n\n\
         投诉单号：TS-20250101-0007\n级别：公司主管领导\n详情：https://tousu.example.com/complaints/7"
    );
    // The Chinese text travels encoded, and the part says it is UTF-8 text.
    let raw = String::from_utf8_lossy(&mail.data);
    assert!(
        !raw.contains("地下车库"),
        "the body should be transfer-encoded"
    );
    let head = raw.to_ascii_lowercase();
    assert!(
        head.contains("content-type: text/plain; charset=utf-8"),
        "{raw}"
    );
    assert!(
        head.contains("content-transfer-encoding: base64")
            || head.contains("content-transfer-encoding: quoted-printable"),
        "{raw}"
    );
}

#[tokio::test]
async fn a_refused_recipient_is_permanent() {
    let sink = SmtpSink::start(Some("550 5.1.1 mailbox unavailable")).await;
    let channel = Channel::Email {
        to: vec!["nobody@wuye.example.com".into()],
    };
    let err = notifier(sink.port)
        .deliver(&channel, &message())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DeliveryError::Smtp {
                retryable: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("mailbox unavailable"), "{err}");
    assert!(sink.mails().is_empty());
}

#[tokio::test]
async fn a_temporary_refusal_is_retryable() {
    let sink = SmtpSink::start(Some("451 4.3.0 try again later")).await;
    let channel = Channel::Email {
        to: vec!["someone@wuye.example.com".into()],
    };
    let err = notifier(sink.port)
        .deliver(&channel, &message())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DeliveryError::Smtp {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_retryable() {
    let port = closed_port().await;
    let channel = Channel::Email {
        to: vec!["someone@wuye.example.com".into()],
    };
    let err = notifier(port)
        .deliver(&channel, &message())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn email_without_smtp_or_with_a_bad_address_is_a_configuration_error() {
    let no_smtp = Notifier::new(&NotifierConfig::default()).unwrap();
    let channel = Channel::Email {
        to: vec!["a@example.com".into()],
    };
    let err = no_smtp.deliver(&channel, &message()).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Config(_)), "{err:?}");
    assert!(!err.is_retryable());

    let sink = SmtpSink::start(None).await;
    let n = notifier(sink.port);
    for to in [vec![], vec!["not an address".to_owned()]] {
        let err = n
            .deliver(&Channel::Email { to: to.clone() }, &message())
            .await
            .unwrap_err();
        assert!(matches!(err, DeliveryError::Config(_)), "{to:?}: {err:?}");
    }
    assert!(sink.mails().is_empty());

    let mut bad_from = smtp(sink.port);
    bad_from.from = "nobody".into();
    let config = NotifierConfig {
        smtp: Some(bad_from),
        ..NotifierConfig::default()
    };
    assert!(matches!(
        Notifier::new(&config),
        Err(DeliveryError::Config(_))
    ));
}

#[tokio::test]
async fn the_pool_sends_several_messages() {
    let sink = SmtpSink::start(None).await;
    let n = notifier(sink.port);
    for i in 0..3 {
        let mut m = message();
        m.title = format!("第{i}封");
        n.deliver(
            &Channel::Email {
                to: vec!["a@example.com".into()],
            },
            &m,
        )
        .await
        .unwrap();
    }
    let subjects: Vec<String> = sink
        .mails()
        .iter()
        .map(|m| {
            MessageParser::default()
                .parse(&m.data)
                .unwrap()
                .subject()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(subjects, vec!["第0封", "第1封", "第2封"]);
}
