//! People's and departments' performance (绩效, issue 7): complaints walked
//! by known people at known times give exact figures; department heads see
//! only their own department, the front desk and analysts nothing.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

const MONTH: &str = "from=2026-11&to=2026-11";

fn row<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["rows"].as_array().unwrap().iter().find(|row| row["name"] == name).unwrap_or_else(|| panic!("{name} in {r}"))
}

#[tokio::test]
async fn handling_gives_exact_figures_per_person_and_department_seen_by_heads_and_above() {
    let app = spawn_app_at(at("2026-11-23T10:00:00+08:00"), tousu_app::AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let body = |phone: &str| {
        let mut b = complaint_body();
        b["customer"]["phone"] = json!(phone);
        b
    };
    // c1: resolved within the hour by 李强 (engineering), called back 9/8.
    let c1 = app.new_complaint_from(&desk, &body("13800000001")).await["id"].as_i64().unwrap();
    app.walk_to(c1, "closed").await;
    app.act(&desk, c1, json!({"action": "callback", "perceived": 9, "expected": 8})).await;
    // c2: resolved after 30 h, the result rejected, resolved again, closed, called back 6/8.
    let c2 = app.new_complaint_from(&desk, &body("13800000002")).await["id"].as_i64().unwrap();
    app.walk_to(c2, "in_progress").await;
    app.advance(hours(30));
    app.act(&handler, c2, json!({"action": "resolve", "resolution": "已更换管道"})).await;
    app.act(&desk, c2, json!({"action": "reject_result", "reason": "还在漏"})).await;
    app.walk_to(c2, "closed").await;
    app.act(&desk, c2, json!({"action": "callback", "perceived": 6, "expected": 8})).await;
    // c3: 秩序部, handled by 周杰.
    let guard = app.add_staff("guard", "周杰", Role::Handler, Some("security")).await;
    let c3 = app.new_complaint_from(&desk, &body("13800000003")).await["id"].as_i64().unwrap();
    for step in [
        json!({"action": "confirm"}),
        json!({"action": "assess", "severity": "general", "category": "service"}),
        json!({"action": "investigate", "department": "security", "post": "秩序岗", "person": "周杰", "root_cause": "夜间巡逻不到位"}),
        json!({"action": "dispatch"}),
    ] {
        app.act(&desk, c3, step).await;
    }
    app.act(&guard, c3, json!({"action": "accept"})).await;
    app.act(&guard, c3, json!({"action": "resolve", "resolution": "已加强巡逻"})).await;

    let leader = app.token(Role::CompanyLeader).await;
    let people: Value =
        app.get(&leader, &format!("/api/v1/figures/performance?by=person&{MONTH}")).await.json().await.unwrap();
    let li = row(&people, "李强");
    assert_eq!(li["department"], "engineering");
    assert_eq!((li["handled"].as_u64(), li["resolved"].as_u64(), li["reopened"].as_u64()), (Some(2), Some(3), Some(1)));
    assert_eq!(li["median_hours_to_resolve"], 48, "≤1 h, then twice ≤48 h (30 h)");
    assert_eq!(li["reopened_share"], 0.333);
    assert_eq!(
        (li["callbacks"].as_u64(), li["mean_index"].as_f64(), li["exceeded"].as_u64()),
        (Some(2), Some(0.938), Some(1))
    );
    assert!(li["deadlines_met"].as_u64().unwrap() > 0);
    let zhou = row(&people, "周杰");
    assert_eq!(
        (zhou["handled"].as_u64(), zhou["resolved"].as_u64(), zhou["median_hours_to_resolve"].as_u64()),
        (Some(0), Some(1), Some(1))
    );
    assert!(zhou["mean_index"].is_null(), "no callback yet");

    let departments: Value =
        app.get(&leader, &format!("/api/v1/figures/performance?by=department&{MONTH}")).await.json().await.unwrap();
    assert_eq!(row(&departments, "工程部")["handled"], 2);
    assert_eq!(row(&departments, "秩序部")["resolved"], 1);

    // A department head sees their own department and its people only.
    let head = app.token(Role::DepartmentHead).await;
    let theirs: Value =
        app.get(&head, &format!("/api/v1/figures/performance?by=person&{MONTH}")).await.json().await.unwrap();
    let names: Vec<&str> = theirs["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["李强"]);
    let theirs: Value =
        app.get(&head, &format!("/api/v1/figures/performance?by=department&{MONTH}")).await.json().await.unwrap();
    assert_eq!(theirs["rows"].as_array().unwrap().len(), 1);

    for role in [Role::FrontDesk, Role::Analyst, Role::Handler] {
        let token = app.token(role).await;
        let res = app.get(&token, &format!("/api/v1/figures/performance?by=person&{MONTH}")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{role:?}");
    }
    let res = app.get(&leader, &format!("/api/v1/figures/performance?by=team&{MONTH}")).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("by")).await;
    let res = app.get(&leader, "/api/v1/figures/performance?by=person&from=2026-11&to=2026-1x").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("to")).await;
}
