//! Listing complaints: filters, time windows, cursor paging, bad parameters.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tousu_domain::Role;

/// The ids a list answers, in order, with its next cursor.
async fn list(app: &TestApp, token: &str, query: &[(&str, &str)]) -> (Vec<i64>, Option<String>) {
    let res = app.client.get(app.url("/api/v1/complaints")).query(query).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{query:?}");
    let page: Value = res.json().await.unwrap();
    let ids = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    (ids, page["next_cursor"].as_str().map(str::to_string))
}

async fn ids(app: &TestApp, token: &str, query: &[(&str, &str)]) -> BTreeSet<i64> {
    list(app, token, query).await.0.into_iter().collect()
}

fn set(ids: &[i64]) -> BTreeSet<i64> {
    ids.iter().copied().collect()
}

async fn record(app: &TestApp, token: &str, patch: Value) -> i64 {
    // A different customer each time: the same customer, unit and text again would be a repeat.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut body = complaint_body();
    body["customer"]["phone"] = json!(format!("139{:08}", n));
    // A different issue each time too: several households with the same
    // leak within hours would be a group complaint (群诉), raising them all.
    const ISSUES: [&str; 8] = [
        "卫生间顶上在滴水，请安排师傅上门查看。",
        "楼道里的感应灯坏了，晚上看不见路。",
        "门禁卡刷了没反应，进不了单元门。",
        "快递柜总是满的，包裹没地方放。",
        "小区里的健身器材有一个螺丝松了。",
        "地下车库的排水沟有异味。",
        "绿化带的树枝挡住了窗户。",
        "信箱的锁坏了，打不开。",
    ];
    body["description"] = json!(ISSUES[n as usize % ISSUES.len()]);
    body["subject"] = Value::Null;
    for (k, v) in patch.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app.post_complaint(token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// Six complaints spread over statuses, projects, categories, severities
/// and departments.
struct Fixture {
    received: i64,
    lhw_received: i64,
    fees_confirmed: i64,
    invalid: i64,
    engineering: i64,
    security_crisis: i64,
}

async fn fixture(app: &TestApp, desk: &str) -> Fixture {
    let received = record(app, desk, json!({})).await;
    let lhw_received = record(app, desk, json!({"project": "LHW", "building": "A座", "unit": "3204"})).await;
    let fees_confirmed = record(app, desk, json!({"category": "fees"})).await;
    app.walk_to(fees_confirmed, "confirmed").await;
    // A question, not a complaint: triage reads it as a consultation.
    let invalid = record(app, desk, json!({"subject": "咨询", "description": "请问物业费可以用微信缴纳吗？在哪里缴费？"})).await;
    app.walk_to(invalid, "closed_invalid").await;
    let engineering = record(app, desk, json!({})).await;
    app.act(desk, engineering, json!({"action": "confirm"})).await;
    app.act(desk, engineering, json!({"action": "assess", "severity": "major", "category": "facilities"})).await;
    app.walk_to(engineering, "dispatched").await;
    let security_crisis = record(app, desk, json!({"project": "LHW", "building": "B座", "unit": "101"})).await;
    app.act(desk, security_crisis, json!({"action": "confirm"})).await;
    app.act(desk, security_crisis, json!({"action": "assess", "severity": "crisis", "category": "emergency"})).await;
    app.act(
        desk,
        security_crisis,
        json!({"action": "investigate", "department": "security", "post": "巡逻岗", "person": "周安", "root_cause": "门禁失效"}),
    )
    .await;
    app.act(desk, security_crisis, json!({"action": "dispatch"})).await;
    Fixture { received, lhw_received, fees_confirmed, invalid, engineering, security_crisis }
}

#[tokio::test]
async fn filters_by_one_status_several_statuses_or_all_open_ones() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let f = fixture(&app, &desk).await;
    let all = [f.received, f.lhw_received, f.fees_confirmed, f.invalid, f.engineering, f.security_crisis];
    assert_eq!(ids(&app, &desk, &[]).await, set(&all));
    assert_eq!(ids(&app, &desk, &[("status", "received")]).await, set(&[f.received, f.lhw_received]));
    assert_eq!(
        ids(&app, &desk, &[("status", "received,confirmed")]).await,
        set(&[f.received, f.lhw_received, f.fees_confirmed])
    );
    assert_eq!(
        ids(&app, &desk, &[("status", " dispatched , closed_invalid ")]).await,
        set(&[f.engineering, f.security_crisis, f.invalid])
    );
    let open: Vec<i64> = all.iter().copied().filter(|id| *id != f.invalid).collect();
    assert_eq!(ids(&app, &desk, &[("status", "open")]).await, set(&open));
    assert_eq!(ids(&app, &desk, &[("status", "closed")]).await, set(&[]));
}

#[tokio::test]
async fn filters_by_project_category_severity_and_department_and_combines_them() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let f = fixture(&app, &desk).await;
    assert_eq!(ids(&app, &desk, &[("project", "LHW")]).await, set(&[f.lhw_received, f.security_crisis]));
    assert_eq!(ids(&app, &desk, &[("project", "NOPE")]).await, set(&[]));
    assert_eq!(ids(&app, &desk, &[("category", "fees")]).await, set(&[f.fees_confirmed]));
    // Triage reads the leak complaints as facilities when no category is given.
    let facilities = ids(&app, &desk, &[("category", "facilities")]).await;
    assert!(facilities.contains(&f.engineering), "{facilities:?}");
    assert!(!facilities.contains(&f.fees_confirmed) && !facilities.contains(&f.invalid), "{facilities:?}");
    assert_eq!(
        ids(&app, &desk, &[("category", "consultation")]).await,
        set(&[f.invalid]),
        "an invalid complaint is a consultation"
    );
    assert_eq!(ids(&app, &desk, &[("severity", "major")]).await, set(&[f.engineering]));
    assert_eq!(ids(&app, &desk, &[("severity", "crisis")]).await, set(&[f.security_crisis]));
    assert_eq!(ids(&app, &desk, &[("department", "engineering")]).await, set(&[f.engineering]));
    assert_eq!(ids(&app, &desk, &[("department", "security")]).await, set(&[f.security_crisis]));
    assert_eq!(ids(&app, &desk, &[("project", "LHW"), ("status", "received")]).await, set(&[f.lhw_received]));
    assert_eq!(ids(&app, &desk, &[("project", "JYHY"), ("severity", "crisis")]).await, set(&[]));
    assert_eq!(
        ids(&app, &desk, &[("status", "open"), ("project", "JYHY"), ("department", "engineering")]).await,
        set(&[f.engineering])
    );
}

#[tokio::test]
async fn filters_by_the_time_received_from_inclusive_to_exclusive() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut created = Vec::new();
    for _ in 0..6 {
        let c = app.new_complaint(&desk).await;
        let at = chrono::DateTime::parse_from_rfc3339(c["received_at"].as_str().unwrap()).unwrap().to_utc();
        created.push((c["id"].as_i64().unwrap(), at));
    }
    // A boundary on a whole millisecond, given in Beijing time.
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let boundary = created[3].1.with_timezone(&beijing);
    let boundary = boundary - chrono::Duration::nanoseconds(i64::from(boundary.timestamp_subsec_nanos() % 1_000_000));
    let t = boundary.to_rfc3339();
    assert!(t.ends_with("+08:00"), "{t}");
    let from: Vec<i64> = created.iter().filter(|(_, at)| *at >= boundary).map(|(id, _)| *id).collect();
    let before: Vec<i64> = created.iter().filter(|(_, at)| *at < boundary).map(|(id, _)| *id).collect();
    assert!(from.contains(&created[3].0) && !before.is_empty());
    assert_eq!(ids(&app, &desk, &[("received_from", &t)]).await, set(&from));
    assert_eq!(ids(&app, &desk, &[("received_to", &t)]).await, set(&before));
    let end = created[5].1 + chrono::Duration::seconds(1);
    assert_eq!(ids(&app, &desk, &[("received_from", &t), ("received_to", &end.to_rfc3339())]).await, set(&from));
    assert_eq!(
        ids(&app, &desk, &[("received_from", "2000-01-01T00:00:00Z"), ("received_to", "2000-01-02T00:00:00Z")]).await,
        set(&[])
    );
}

#[tokio::test]
async fn bad_parameters_are_422_naming_the_parameter() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    app.new_complaint(&desk).await;
    let res = app.client.get(app.url("/api/v1/complaints?limit=ten")).bearer_auth(&desk).send().await.unwrap();
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("limit")).await;
    let cases: [(&[(&str, &str)], &str); 10] = [
        (&[("received_from", "yesterday")], "received_from"),
        (&[("received_from", "2026-11-23")], "received_from"),
        (&[("received_to", "2026-11-23 08:00")], "received_to"),
        (&[("limit", "0")], "limit"),
        (&[("limit", "201")], "limit"),
        (&[("status", "lost")], "status"),
        (&[("category", "weather")], "category"),
        (&[("severity", "mild")], "severity"),
        (&[("cursor", "forged")], "cursor"),
        (&[("cursor", "djE6YWJj")], "cursor"),
    ];
    for (query, field) in cases {
        let res = app.client.get(app.url("/api/v1/complaints")).query(query).bearer_auth(&desk).send().await.unwrap();
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some(field)).await;
    }
    // The bounds themselves are fine.
    for limit in ["1", "200"] {
        assert_eq!(list(&app, &desk, &[("limit", limit)]).await.0.len(), 1);
    }
}

#[tokio::test]
async fn cursor_paging_gives_every_complaint_exactly_once_newest_first() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut created = Vec::new();
    for _ in 0..25 {
        created.push(app.new_complaint(&desk).await["id"].as_i64().unwrap());
    }
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("limit", "10")];
        if let Some(c) = &cursor {
            query.push(("cursor", c));
        }
        let (page, next) = list(&app, &desk, &query).await;
        sizes.push(page.len());
        seen.extend(page);
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(sizes.len() < 10, "paging does not end");
    }
    assert_eq!(sizes, [10, 10, 5]);
    let mut newest_first = created.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first, "each once, newest first");

    // Exactly one full page: no cursor to an empty page.
    let (page, next) = list(&app, &desk, &[("limit", "25")]).await;
    assert_eq!(page.len(), 25);
    assert!(next.is_none());
    // The default page holds them all.
    assert_eq!(list(&app, &desk, &[]).await.0.len(), 25);
}

#[tokio::test]
async fn paging_keeps_the_filter_and_sees_complaints_recorded_meanwhile_on_the_first_page_only() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut confirmed = Vec::new();
    for i in 0..12 {
        let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
        if i % 2 == 0 {
            app.walk_to(id, "confirmed").await;
            confirmed.push(id);
        }
    }
    let (first, cursor) = list(&app, &desk, &[("status", "confirmed"), ("limit", "4")]).await;
    // Recorded between pages: newer than the cursor, so not on later pages.
    let late = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.walk_to(late, "confirmed").await;
    let (second, cursor) =
        list(&app, &desk, &[("status", "confirmed"), ("limit", "4"), ("cursor", &cursor.unwrap())]).await;
    assert!(cursor.is_none());
    let mut all = first.clone();
    all.extend(second);
    confirmed.reverse();
    assert_eq!(all, confirmed);
    assert_eq!(list(&app, &desk, &[("status", "confirmed"), ("limit", "4")]).await.0[0], late);
}

#[tokio::test]
async fn every_staff_role_may_list_and_owners_without_credentials_may_not() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    for role in Role::ALL {
        let token = app.token(role).await;
        assert_eq!(list(&app, &token, &[]).await.0, [id], "{role}");
    }
    let res = app.client.get(app.url("/api/v1/complaints")).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "unauthenticated", None).await;
}
