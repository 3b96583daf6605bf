//! Notifications end to end: the event writes its notification row (the
//! outbox) at once; the dispatcher's step routes it to the configured
//! routes by level, department and kind and delivers it once to each — a
//! signed JSON webhook, WeCom, DingTalk and Feishu robots on a local HTTP
//! sink, email on a local SMTP sink — retrying failures with exponential
//! backoff until it gives up; failed deliveries are listed for
//! administrators, who may queue them again.

use crate::helpers::*;
use crate::sinks::{HttpSink, Reply, SmtpSink};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use tousu_app::AppConfig;
use tousu_app::config::Route;
use tousu_app::escalation::StepOutcome;
use tousu_domain::Role;
use tousu_domain::deadline::EscalationLevel;
use tousu_notify::{SmtpConfig, SmtpTls};

const MONDAY: &str = "2026-11-23T09:00:00+08:00";
const WEBHOOK_SECRET: &str = "whsec-测试-8f14e45fceea167a";
const DINGTALK_SECRET: &str = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
const FEISHU_SECRET: &str = "feishu-签名-secret";

const HOOK: &str = "/hooks/leaders";
const WECOM: &str = "/cgi-bin/webhook/send";
const DINGTALK: &str = "/robot/send";
const FEISHU: &str = "/open-apis/bot/v2/hook/4f0e9b1c-heads";

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn route(v: Value) -> Route {
    serde_json::from_value(v).expect("a route")
}

/// One route per channel, each matching notices differently:
/// the leaders' webhook by level, WeCom by kind, DingTalk by department,
/// Feishu by level, email for the board; one for another company never matches.
fn routes(sink: &HttpSink) -> Vec<Route> {
    vec![
        route(json!({"name": "leaders-webhook", "level": "company_leader",
                     "channel": {"type": "webhook", "url": sink.url(HOOK), "secret": WEBHOOK_SECRET}})),
        route(json!({"name": "wecom-breaches", "kinds": ["deadline_breached"],
                     "channel": {"type": "wecom", "url": sink.url(&format!("{WECOM}?key=693a91f6-wecom"))}})),
        route(json!({"name": "dingtalk-engineering", "department": "engineering",
                     "channel": {"type": "dingtalk", "url": sink.url(&format!("{DINGTALK}?access_token=d1ng")), "secret": DINGTALK_SECRET}})),
        route(json!({"name": "feishu-heads", "level": "department_head",
                     "channel": {"type": "feishu", "url": sink.url(FEISHU), "secret": FEISHU_SECRET}})),
        route(json!({"name": "email-board", "level": "board",
                     "channel": {"type": "email", "to": ["board@htwy.example", "chairman@htwy.example"]}})),
        route(json!({"name": "other-company", "company": "OTHER",
                     "channel": {"type": "webhook", "url": sink.url("/other")}})),
    ]
}

fn config(routes: Vec<Route>, smtp: Option<&SmtpSink>) -> AppConfig {
    let mut config = AppConfig::default();
    config.notify.routes = routes;
    config.notify.smtp = smtp.map(|s| SmtpConfig {
        host: "127.0.0.1".into(),
        port: s.port,
        username: None,
        password: None,
        from: "华庭物业投诉中心 <tousu@htwy.example>".into(),
        tls: SmtpTls::None,
    });
    config
}

async fn deliveries(app: &TestApp, token: &str, status: &str) -> Vec<Value> {
    let res = app.get(token, &format!("/api/v1/admin/deliveries?status={status}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

fn emergency_body() -> Value {
    let mut body = complaint_body();
    body["emergency"] = json!(true);
    body["subject"] = json!("电梯困人");
    body["description"] = json!("3栋2号电梯停在12楼和13楼之间，里面困了一位老人。");
    body
}

#[tokio::test]
async fn a_breach_writes_its_notification_with_the_event_and_the_dispatcher_delivers_it_once_to_each_matching_route() {
    let t0 = at(MONDAY);
    let sink = HttpSink::start(vec![]).await;
    let app = spawn_app_at(t0, config(routes(&sink), None)).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let c = app.new_complaint(&desk).await;
    let id = c["id"].as_i64().unwrap();
    let tracking_no = c["tracking_no"].as_str().unwrap().to_string();

    app.set_clock(t0 + hours(12));
    app.run_deadlines().await;
    // Written with the event, before any dispatcher ran.
    let waiting = app.services.store().list_unrouted_notifications(100).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let n = &waiting[0];
    assert_eq!(n.kind, "deadline_breached");
    assert_eq!(n.complaint_id, Some(id));
    assert_eq!(n.level, Some(EscalationLevel::DepartmentHead), "addressed to the level it rose to");
    assert_eq!(n.department, None, "not dispatched yet");
    assert_eq!(n.created_at, t0 + hours(12));
    assert!(n.body.contains(&tracking_no), "{}", n.body);
    assert!(n.body.contains("派单时限") && n.body.contains("部门负责人"), "{}", n.body);
    assert!(sink.requests().is_empty());
    assert!(deliveries(&app, &admin, "pending").await.is_empty());

    assert_ne!(app.run_outbox().await, StepOutcome::Idle);
    assert!(app.services.store().list_unrouted_notifications(100).await.unwrap().is_empty());
    // WeCom takes every breach; Feishu takes the department heads' notices.
    let paths: Vec<String> = sink.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.contains(&WECOM.to_string()) && paths.contains(&FEISHU.to_string()), "{paths:?}");

    let wecom = &sink.on(WECOM)[0];
    assert_eq!(wecom.query_value("key").as_deref(), Some("693a91f6-wecom"));
    let body = wecom.json();
    assert_eq!(body["msgtype"], "markdown");
    let content = body["markdown"]["content"].as_str().unwrap();
    assert!(content.starts_with("### 超时升级"), "{content}");
    assert!(content.contains(&tracking_no), "{content}");
    assert!(content.contains("级别：<font color=\"comment\">部门负责人</font>"), "levels are shown in Chinese: {content}");

    let feishu = sink.on(FEISHU)[0].json();
    assert_eq!(feishu["msg_type"], "text");
    let ts = feishu["timestamp"].as_str().unwrap();
    assert_eq!(ts, (t0 + hours(12)).timestamp().to_string(), "signed at the dispatcher's time");
    let expected = STANDARD.encode(hmac(format!("{ts}\n{FEISHU_SECRET}").as_bytes(), b""));
    assert_eq!(feishu["sign"], expected);
    assert!(feishu["content"]["text"].as_str().unwrap().starts_with("超时升级\n"));

    // Delivered once: later steps send nothing more.
    app.advance(hours(1));
    assert_eq!(app.run_outbox().await, StepOutcome::Idle);
    assert_eq!(sink.requests().len(), 2);
    let delivered = deliveries(&app, &admin, "delivered").await;
    assert_eq!(delivered.len(), 2);
    for d in &delivered {
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["kind"], "deadline_breached");
        assert_eq!(d["complaint_id"], id);
        assert_eq!(time(&d["delivered_at"]), t0 + hours(12));
        let text = d.to_string();
        for secret in [WEBHOOK_SECRET, DINGTALK_SECRET, FEISHU_SECRET, "693a91f6-wecom"] {
            assert!(!text.contains(secret), "a channel secret reached the admin API: {text}");
        }
    }
    let mut names: Vec<&str> = delivered.iter().map(|d| d["route"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["feishu-heads", "wecom-breaches"]);
}

#[tokio::test]
async fn an_emergency_escalating_to_the_board_reaches_each_channel_that_routes_its_notices() {
    let t0 = at(MONDAY);
    let sink = HttpSink::start(vec![]).await;
    let smtp = SmtpSink::start(None).await;
    let app = spawn_app_at(t0, config(routes(&sink), Some(&smtp))).await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint_from(&desk, &emergency_body()).await;
    let id = c["id"].as_i64().unwrap();
    let tracking_no = c["tracking_no"].as_str().unwrap().to_string();

    app.advance(minutes(1));
    app.act(&desk, id, json!({"action": "dispatch", "department": "engineering"})).await;
    app.run_outbox().await;
    app.set_clock(t0 + minutes(6));
    app.run_deadlines().await; // the head's 5 minutes: → company leader
    app.run_outbox().await;
    app.set_clock(t0 + minutes(16));
    app.run_deadlines().await; // the leader's 10 minutes: → board
    app.run_outbox().await;
    app.advance(minutes(1));
    assert_eq!(app.run_outbox().await, StepOutcome::Idle);

    // The leaders' webhook: the breach that reached them, signed.
    let hooks = sink.on(HOOK);
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    let signature = hook.header("x-tousu-signature").expect("signed");
    assert_eq!(signature, format!("sha256={}", hex::encode(hmac(WEBHOOK_SECRET.as_bytes(), &hook.body))));
    assert_eq!(hook.header("x-tousu-timestamp"), Some((t0 + minutes(6)).timestamp().to_string().as_str()));
    assert_eq!(hook.header("x-tousu-event"), Some("deadline_breached"));
    let message = hook.json();
    assert_eq!(message["kind"], "deadline_breached");
    assert_eq!(message["complaint_id"], id);
    assert_eq!(message["title"], "超时升级");
    assert!(message["body"].as_str().unwrap().contains("公司主管领导"), "{message}");
    assert_eq!(message["data"]["department"], "engineering");
    assert_eq!(message["data"]["level"], "company_leader");
    assert_eq!(message["level"], "公司主管领导");
    assert!(message["data"]["delivery_id"].is_i64());

    // DingTalk takes what concerns engineering: the dispatch and both breaches.
    let ding = sink.on(DINGTALK);
    assert_eq!(ding.len(), 3);
    let kinds: Vec<String> =
        ding.iter().map(|r| r.json()["markdown"]["title"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["新派单", "超时升级", "超时升级"]);
    for r in &ding {
        assert_eq!(r.query_value("access_token").as_deref(), Some("d1ng"));
        let ts = r.query_value("timestamp").expect("timestamp");
        let sign = r.query_value("sign").expect("sign");
        assert_eq!(sign, STANDARD.encode(hmac(DINGTALK_SECRET.as_bytes(), format!("{ts}\n{DINGTALK_SECRET}").as_bytes())));
        assert_eq!(r.json()["msgtype"], "markdown");
    }
    assert_eq!(ding[0].query_value("timestamp").unwrap(), (t0 + minutes(1)).timestamp_millis().to_string());

    assert_eq!(sink.on(WECOM).len(), 2, "both breaches");
    assert!(sink.on(FEISHU).is_empty(), "nothing was addressed to the department heads");
    assert!(sink.on("/other").is_empty(), "another company's route");

    // The board by email.
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.mail_from, "tousu@htwy.example");
    let mut rcpt = mail.rcpt_to.clone();
    rcpt.sort();
    assert_eq!(rcpt, ["board@htwy.example", "chairman@htwy.example"]);
    let parsed = mail_parser::MessageParser::default().parse(&mail.data).expect("MIME");
    assert_eq!(parsed.subject(), Some("超时升级"));
    let text = parsed.body_text(0).unwrap();
    assert!(text.contains("董事领导") && text.contains(&tracking_no), "{text}");
    assert!(text.contains("级别：董事领导"), "{text}");
    assert!(text.contains("紧急升级") || text.contains("公司领导处置时限"), "{text}");

    let admin = app.token(Role::Admin).await;
    assert_eq!(deliveries(&app, &admin, "delivered").await.len(), 1 + 3 + 2 + 1);
    assert!(deliveries(&app, &admin, "failed").await.is_empty());
}

#[tokio::test]
async fn a_failing_channel_is_retried_with_backoff_then_failed_listed_for_admins_and_retried_on_request() {
    let t0 = at(MONDAY);
    let sink = HttpSink::start(vec![]).await;
    sink.reply("/flaky", Reply::new(500, r#"{"error":"down"}"#));
    let mut config = config(vec![route(json!({"name": "flaky", "channel": {"type": "webhook", "url": sink.url("/flaky")}}))], None);
    config.notify.max_attempts = 3;
    let app = spawn_app_at(t0, config).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.set_clock(t0 + hours(12));
    app.run_deadlines().await;
    let t1 = app.now();

    app.run_outbox().await;
    assert_eq!(sink.on("/flaky").len(), 1);
    let pending = deliveries(&app, &admin, "pending").await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["attempts"], 1);
    assert_eq!(time(&pending[0]["next_attempt_at"]), t1 + chrono::Duration::seconds(5));
    assert!(pending[0]["last_error"].as_str().unwrap().contains("500"), "{}", pending[0]);

    // Not before its time.
    app.run_outbox().await;
    app.advance(chrono::Duration::seconds(4));
    app.run_outbox().await;
    assert_eq!(sink.on("/flaky").len(), 1);
    // 5 s after the first attempt, then 10 s after the second.
    app.advance(chrono::Duration::seconds(1));
    app.run_outbox().await;
    assert_eq!(sink.on("/flaky").len(), 2);
    let pending = deliveries(&app, &admin, "pending").await;
    assert_eq!(time(&pending[0]["next_attempt_at"]), t1 + chrono::Duration::seconds(15));
    app.advance(chrono::Duration::seconds(10));
    app.run_outbox().await;
    assert_eq!(sink.on("/flaky").len(), 3);

    // max_attempts reached: failed, and left alone.
    app.advance(days(1));
    assert_eq!(app.run_outbox().await, StepOutcome::Idle);
    assert_eq!(sink.on("/flaky").len(), 3);
    assert!(deliveries(&app, &admin, "pending").await.is_empty());
    let failed = deliveries(&app, &admin, "failed").await;
    assert_eq!(failed.len(), 1);
    let f = &failed[0];
    assert_eq!(f["route"], "flaky");
    assert_eq!(f["attempts"], 3);
    assert_eq!(f["kind"], "deadline_breached");
    assert_eq!(f["complaint_id"], id);
    assert!(f["last_error"].as_str().unwrap().contains("500"));
    let delivery = f["id"].as_i64().unwrap();

    // Administrators only.
    for role in [Role::FrontDesk, Role::DepartmentHead, Role::CompanyLeader, Role::Board, Role::Analyst] {
        let token = app.token(role).await;
        let res = app.get(&token, "/api/v1/admin/deliveries?status=failed").await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden", None).await;
        let res = app.post_empty(&token, &format!("/api/v1/admin/deliveries/{delivery}/retry")).await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden", None).await;
    }
    assert_eq!(deliveries(&app, &admin, "failed").await.len(), 1, "a refused retry changed nothing");
    let res = app.get(&admin, "/api/v1/admin/deliveries?status=lost").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("status")).await;

    // The channel is back; the administrator queues it again.
    sink.reply("/flaky", Reply::new(204, ""));
    let res = app.post_empty(&admin, &format!("/api/v1/admin/deliveries/{delivery}/retry")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(deliveries(&app, &admin, "pending").await.len(), 1);
    app.run_outbox().await;
    assert_eq!(sink.on("/flaky").len(), 4);
    let delivered = deliveries(&app, &admin, "delivered").await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["attempts"], 4);
    assert_eq!(time(&delivered[0]["delivered_at"]), app.now());
    let res = app.post_empty(&admin, &format!("/api/v1/admin/deliveries/{delivery}/retry")).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", None).await;
    let res = app.post_empty(&admin, "/api/v1/admin/deliveries/999999/retry").await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", None).await;
}

#[tokio::test]
async fn a_server_asking_to_retry_sooner_than_the_backoff_still_waits_the_backoff() {
    let t0 = at(MONDAY);
    let sink = HttpSink::start(vec![]).await;
    sink.reply("/busy", Reply::new(503, "{}").header("retry-after", "1"));
    let config = config(vec![route(json!({"name": "busy", "channel": {"type": "webhook", "url": sink.url("/busy")}}))], None);
    let app = spawn_app_at(t0, config).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    app.new_complaint(&desk).await;
    app.set_clock(t0 + hours(12));
    app.run_deadlines().await;
    let mut waits = Vec::new();
    for _ in 0..4 {
        app.run_outbox().await;
        let pending = deliveries(&app, &admin, "pending").await;
        let next = time(&pending[0]["next_attempt_at"]);
        waits.push((next - app.now()).num_seconds());
        app.set_clock(next);
    }
    assert_eq!(waits, [5, 10, 20, 40], "exponential, whatever Retry-After says");

    // A server asking for longer is given longer.
    sink.reply("/busy", Reply::new(429, "{}").header("retry-after", "600"));
    app.run_outbox().await;
    let pending = deliveries(&app, &admin, "pending").await;
    assert_eq!((time(&pending[0]["next_attempt_at"]) - app.now()).num_seconds(), 600);
}

#[tokio::test]
async fn a_robot_refusing_the_message_for_good_is_failed_at_once() {
    let t0 = at(MONDAY);
    let sink = HttpSink::start(vec![]).await;
    sink.reply(WECOM, Reply::new(200, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#));
    let config = config(
        vec![route(json!({"name": "wecom", "channel": {"type": "wecom", "url": sink.url(&format!("{WECOM}?key=gone"))}}))],
        None,
    );
    let app = spawn_app_at(t0, config).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    app.new_complaint(&desk).await;
    app.set_clock(t0 + hours(12));
    app.run_deadlines().await;
    app.run_outbox().await;
    let failed = deliveries(&app, &admin, "failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["attempts"], 1);
    assert!(failed[0]["last_error"].as_str().unwrap().contains("93000"), "{}", failed[0]);
    assert!(!failed[0].to_string().contains("key=gone"), "the robot's key is its credential");
}

#[tokio::test]
async fn notices_without_a_matching_route_stay_in_the_history_only() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let id = app.new_complaint_from(&desk, &emergency_body()).await["id"].as_i64().unwrap();
    let waiting = app.services.store().list_unrouted_notifications(100).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].kind, "emergency_received");
    assert_eq!(waiting[0].complaint_id, Some(id));
    app.run_outbox().await;
    assert!(app.services.store().list_unrouted_notifications(100).await.unwrap().is_empty());
    assert_eq!(app.run_outbox().await, StepOutcome::Idle);
    let res = app.get(&admin, "/api/v1/admin/deliveries").await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!([]));
}

#[tokio::test]
async fn a_restart_neither_loses_nor_repeats_a_notification() {
    let t0 = at(MONDAY);
    let sink = HttpSink::start(vec![]).await;
    sink.reply("/hook", Reply::new(503, "{}"));
    let config = config(vec![route(json!({"name": "hook", "channel": {"type": "webhook", "url": sink.url("/hook")}}))], None);
    let mut app = spawn_app_at(t0, config).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let first = app.new_complaint_from(&desk, &emergency_body()).await["id"].as_i64().unwrap();

    // One notice delivered, one failing and waiting for its retry, one not yet routed.
    app.run_outbox().await; // emergency_received → 503, retry in 5 s
    assert_eq!(sink.on("/hook").len(), 1);
    app.restart().await;
    sink.reply("/hook", Reply::new(200, "{}"));
    app.advance(chrono::Duration::seconds(5));
    app.run_outbox().await;
    assert_eq!(sink.on("/hook").len(), 2, "the retry survives the restart");
    app.set_clock(t0 + minutes(3));
    app.run_deadlines().await; // the 3-minute notice missed → deadline_breached
    app.restart().await;
    app.run_outbox().await;
    app.advance(hours(1));
    app.restart().await;
    assert_eq!(app.run_outbox().await, StepOutcome::Idle);

    let requests = sink.on("/hook");
    let kinds: Vec<String> = requests.iter().map(|r| r.json()["kind"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["emergency_received", "emergency_received", "deadline_breached"]);
    assert!(requests.iter().all(|r| r.json()["complaint_id"] == first));
    let delivered = deliveries(&app, &admin, "delivered").await;
    assert_eq!(delivered.len(), 2);
    assert!(deliveries(&app, &admin, "pending").await.is_empty());
}

#[tokio::test]
async fn the_dispatcher_running_in_the_server_delivers_on_its_own() {
    let t0 = at(MONDAY);
    let sink = HttpSink::start(vec![]).await;
    let config = config(vec![route(json!({"name": "breaches", "kinds": ["deadline_breached"],
        "channel": {"type": "webhook", "url": sink.url("/hook"), "secret": WEBHOOK_SECRET}}))], None);
    let app = spawn_app_at_with_worker(t0, config).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.set_clock(t0 + hours(12));
    let limit = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while sink.on("/hook").is_empty() {
        assert!(std::time::Instant::now() < limit, "nothing was delivered");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let hook = &sink.on("/hook")[0];
    assert_eq!(hook.json()["complaint_id"], id);
    assert_eq!(hook.header("x-tousu-timestamp"), Some((t0 + hours(12)).timestamp().to_string().as_str()), "the server's clock");
    let signature = format!("sha256={}", hex::encode(hmac(WEBHOOK_SECRET.as_bytes(), &hook.body)));
    assert_eq!(hook.header("x-tousu-signature"), Some(signature.as_str()));
}
