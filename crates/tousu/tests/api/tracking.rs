//! Owners follow their complaint without an account: tracking number plus
//! phone, rate-limited, staff reduced to roles, internal findings left out.

use crate::helpers::*;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tousu_app::AppConfig;
use tousu_domain::{Role, Status};

async fn track(app: &TestApp, tracking_no: &str, phone: &str) -> Response {
    app.client
        .post(app.url("/api/v1/track"))
        .json(&json!({"tracking_no": tracking_no, "phone": phone}))
        .send()
        .await
        .unwrap()
}

async fn tracked(app: &TestApp, tracking_no: &str, phone: &str) -> Value {
    let res = track(app, tracking_no, phone).await;
    assert_eq!(res.status(), StatusCode::OK, "{tracking_no} / {phone}");
    res.json().await.unwrap()
}

fn time(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}"))).unwrap().to_utc()
}

/// What owners may see as an actor: a role or 业主/系统, never a person.
const PUBLIC_ACTORS: [&str; 9] =
    ["客服", "处理人员", "部门负责人", "公司主管领导", "董事领导", "品质分析员", "系统管理员", "业主", "系统"];

#[tokio::test]
async fn an_owner_follows_a_complaint_with_its_number_and_phone_typed_any_way() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let no = c["tracking_no"].as_str().unwrap();
    for (tracking_no, phone) in [
        (no.to_string(), "13812345678"),
        (no.to_lowercase(), "+86 138-1234-5678"),
        (format!("  {}  ", no.to_lowercase()), "0086 138 1234 5678"),
        (no.to_string(), "(138) 1234.5678"),
        (no.to_string(), "１３８１２３４５６７８"),
    ] {
        let view = tracked(&app, &tracking_no, phone).await;
        assert_eq!(view["tracking_no"], no);
        assert_eq!(view["status"], "received");
        assert_eq!(view["status_text"], Status::Received.owner_text_zh());
        assert_eq!(view["project"], "锦园华苑");
        let history = view["history"].as_array().unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0]["type"], "received");
        assert_eq!(history[0]["actor"], "客服");
        assert!(history[0]["text"].as_str().unwrap().contains(no), "{}", history[0]);
    }
}

#[tokio::test]
async fn the_owner_sees_roles_never_staff_names_and_no_internal_findings() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let head = app.token(Role::DepartmentHead).await;
    let handler = app.token(Role::Handler).await;
    let leader = app.token(Role::CompanyLeader).await;
    let c = app.new_complaint(&desk).await;
    let id = c["id"].as_i64().unwrap();
    let no = c["tracking_no"].as_str().unwrap();

    app.act(&desk, id, json!({"action": "confirm", "note": "王芳已电话确认"})).await;
    app.act(&desk, id, json!({"action": "assess", "severity": "major", "category": "facilities"})).await;
    let file: Value = app.upload(&handler, id, "现场.png", TINY_PNG.to_vec()).await.json().await.unwrap();
    app.act(
        &head,
        id,
        json!({"action": "investigate", "department": "engineering", "post": "水电维修岗", "person": "李强",
               "root_cause": "楼上卫生间防水层破损", "evidence": [file["id"]], "report": "内部报告：18层防水失效"}),
    )
    .await;
    app.act(&leader, id, json!({"action": "dispatch", "handler": "handler"})).await;
    app.post_json(&desk, &format!("/api/v1/complaints/{id}/reveal"), &json!({"fields": ["phone"]})).await;
    app.act(&handler, id, json!({"action": "accept"})).await;
    app.act(
        &handler,
        id,
        json!({"action": "report_delay", "reason": "防水材料需要订货", "new_time": "2099-01-01T10:00:00+08:00"}),
    )
    .await;
    app.act(&handler, id, json!({"action": "resolve", "resolution": "已重做楼上防水并闭水试验48小时"})).await;

    // Staff see every event, with names.
    let staff_history = app.complaint(&desk, id).await["history"].as_array().unwrap().len();
    assert_eq!(staff_history, 10);

    let view = tracked(&app, no, "138 1234 5678").await;
    assert_eq!(view["status"], "resolved");
    assert_eq!(view["status_text"], Status::Resolved.owner_text_zh());
    assert_eq!(view["department"], "工程部");
    assert_eq!(view["resolution"], "已重做楼上防水并闭水试验48小时");
    let history = view["history"].as_array().unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["received", "confirmed", "assessed", "investigated", "dispatched", "accepted", "delay_reported", "resolved"],
        "no evidence or reveal events"
    );
    for e in history {
        let actor = e["actor"].as_str().unwrap();
        assert!(PUBLIC_ACTORS.contains(&actor), "{actor} is not a role");
    }
    assert_eq!(history[4]["actor"], "公司主管领导");
    assert_eq!(history[5]["actor"], "处理人员");
    assert!(history[6]["text"].as_str().unwrap().contains("防水材料需要订货"));

    let text = view.to_string();
    for (_, name, _, _) in tousu_app::seed::demo_staff() {
        assert!(!text.contains(name), "the owner view names {name}: {text}");
    }
    for internal in [
        "楼上卫生间防水层破损",
        "水电维修岗",
        "内部报告",
        "现场.png",
        "evidence",
        "personal_data_revealed",
        "root_cause",
    ] {
        assert!(!text.contains(internal), "the owner view shows {internal}: {text}");
    }
}

#[tokio::test]
async fn a_wrong_phone_and_an_unknown_number_answer_the_same_404() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let no = app.new_complaint(&desk).await["tracking_no"].as_str().unwrap().to_string();
    let unknown = format!("{}-9999", &no[..10]);
    let wrong_phone = track(&app, &no, "13900000000").await;
    let unknown_no = track(&app, &unknown, "13812345678").await;
    let a = assert_problem(wrong_phone, StatusCode::NOT_FOUND, "not_found", None).await;
    let b = assert_problem(unknown_no, StatusCode::NOT_FOUND, "not_found", None).await;
    assert_eq!(a, b, "the answer must not tell which was wrong");
}

#[tokio::test]
async fn a_malformed_tracking_number_or_phone_is_422_naming_it() {
    let app = spawn_app().await;
    for bad in ["", "TS2026-0042", "hello", "TS20261332-0001", "TS20261123-42"] {
        assert_problem(
            track(&app, bad, "13812345678").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            Some("tracking_no"),
        )
        .await;
    }
    assert_problem(
        track(&app, "TS20261123-0001", "call me").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        Some("phone"),
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/v1/track"))
        .json(&json!({"tracking_no": "TS20261123-0001"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("phone")).await;
}

#[tokio::test]
async fn the_lookup_is_rate_limited_per_client_with_retry_after() {
    let app = spawn_app_with(AppConfig { track_per_minute: 2, track_burst: 2, ..Default::default() }).await;
    let desk = app.token(Role::FrontDesk).await;
    let no = app.new_complaint(&desk).await["tracking_no"].as_str().unwrap().to_string();
    for _ in 0..2 {
        assert_eq!(track(&app, &no, "13812345678").await.status(), StatusCode::OK);
    }
    let res = track(&app, &no, "13812345678").await;
    let retry_after: u64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None).await;
    // Staff work is not limited by owners' lookups.
    assert_eq!(app.get(&desk, "/api/v1/complaints").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn guessing_phones_for_one_tracking_number_is_rate_limited_per_number() {
    let app = spawn_app_with(AppConfig { track_per_number_per_hour: 2, ..Default::default() }).await;
    let desk = app.token(Role::FrontDesk).await;
    let no = app.new_complaint(&desk).await["tracking_no"].as_str().unwrap().to_string();
    let other = app.new_complaint(&desk).await["tracking_no"].as_str().unwrap().to_string();
    for guess in ["13900000001", "13900000002"] {
        assert_eq!(track(&app, &no, guess).await.status(), StatusCode::NOT_FOUND);
    }
    assert_problem(track(&app, &no, "13812345678").await, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None).await;
    assert_eq!(track(&app, &other, "13812345678").await.status(), StatusCode::OK, "other numbers are unaffected");
}

#[tokio::test]
async fn the_committed_time_is_the_answer_deadline_then_the_promised_time_and_none_once_closed() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let c = app.new_complaint(&desk).await;
    let (id, no) = (c["id"].as_i64().unwrap(), c["tracking_no"].as_str().unwrap().to_string());
    let answer = c["deadlines"].as_array().unwrap().iter().find(|d| d["rule"] == "answer").unwrap().clone();
    assert_eq!(time(&tracked(&app, &no, PHONE).await["committed_at"]), time(&answer["due_at"]));

    app.walk_to(id, "in_progress").await;
    assert_eq!(
        time(&tracked(&app, &no, PHONE).await["committed_at"]),
        time(&answer["due_at"]),
        "still the answer deadline"
    );
    app.act(
        &handler,
        id,
        json!({"action": "report_delay", "reason": "等材料", "new_time": "2099-01-01T10:00:00+08:00"}),
    )
    .await;
    let view = tracked(&app, &no, PHONE).await;
    assert_eq!(time(&view["committed_at"]), time(&json!("2099-01-01T10:00:00+08:00")));

    app.walk_to(id, "closed").await;
    assert!(tracked(&app, &no, PHONE).await["committed_at"].is_null());
}

const PHONE: &str = "13812345678";
