//! The 8 steps of DOMAIN.md, end to end over HTTP.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;
use tousu_domain::Role;

#[tokio::test]
async fn a_complaint_walks_all_eight_steps_and_its_history_records_each() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let head = app.token(Role::DepartmentHead).await;

    let c = app.new_complaint(&desk).await;
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["status"], "received");

    let steps = [
        (&desk, json!({"action": "confirm", "note": "已电话确认"}), "confirmed"),
        (&desk, json!({"action": "assess", "severity": "major", "category": "facilities"}), "assessed"),
        (
            &head,
            json!({"action": "investigate", "department": "engineering", "post": "水电维修岗",
                   "person": "李强", "root_cause": "楼上卫生间防水层破损", "report": "现场查看，18层防水失效"}),
            "investigating",
        ),
        (&desk, json!({"action": "dispatch", "handler": "handler"}), "dispatched"),
        (&handler, json!({"action": "accept"}), "in_progress"),
        (
            &handler,
            json!({"action": "report_delay", "reason": "防水材料需要订货", "new_time": "2099-01-01T10:00:00+08:00"}),
            "in_progress",
        ),
        (&handler, json!({"action": "resolve", "resolution": "已重做1901卫生间防水并闭水试验48小时"}), "resolved"),
        (&desk, json!({"action": "accept_result", "note": "业主电话确认不再漏水"}), "customer_accepted"),
        (&head, json!({"action": "close", "note": "同意关闭，资料归档"}), "closed"),
        (&desk, json!({"action": "callback", "perceived": 9, "expected": 8, "comment": "处理及时"}), "closed"),
    ];
    for (token, body, status) in steps {
        let c = app.act(token, id, body).await;
        assert_eq!(c["status"], status);
    }

    let c = app.complaint(&desk, id).await;
    assert_eq!(c["satisfaction"]["perceived"], 9);
    assert_eq!(c["satisfaction"]["expected"], 8);
    assert_eq!(c["satisfaction"]["index"], 1.125);
    assert_eq!(c["department"]["name"], "工程部");
    assert_eq!(c["investigation"]["root_cause"], "楼上卫生间防水层破损");
    let history = c["history"].as_array().unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "received", "confirmed", "assessed", "investigated", "dispatched", "accepted", "delay_reported",
            "resolved", "result_accepted", "closed", "callback_recorded"
        ]
    );
    for (i, e) in history.iter().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1);
        assert!(e["at"].is_string());
        assert!(e["actor"]["role"].is_string(), "{e}");
        assert!(e["actor"]["name"].is_string(), "{e}");
    }
    assert_eq!(history[4]["actor"]["role"], "front_desk");
    assert_eq!(history[5]["actor"]["name"], "李强");
    assert_eq!(history[6]["payload"]["reason"], "防水材料需要订货");
    // Deadlines: dispatch and answer met, callback met.
    let deadlines = c["deadlines"].as_array().unwrap();
    for rule in ["dispatch", "answer", "callback"] {
        let d = deadlines.iter().find(|d| d["rule"] == rule).unwrap_or_else(|| panic!("{rule} missing"));
        assert_eq!(d["state"], "met", "{d}");
        assert!(d["closed_at"].is_string());
    }
}

#[tokio::test]
async fn a_dissatisfied_callback_sends_the_complaint_back_for_rehandling() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let head = app.token(Role::DepartmentHead).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    for (t, body) in [
        (&desk, json!({"action": "confirm"})),
        (&desk, json!({"action": "assess", "severity": "general"})),
        (&desk, json!({"action": "investigate", "department": "engineering", "post": "维修岗", "person": "李强", "root_cause": "管道老化"})),
        (&desk, json!({"action": "dispatch"})),
        (&handler, json!({"action": "accept"})),
        (&handler, json!({"action": "resolve", "resolution": "更换管道"})),
        (&desk, json!({"action": "accept_result"})),
        (&head, json!({"action": "close"})),
    ] {
        app.act(t, id, body).await;
    }
    let c = app.act(&desk, id, json!({"action": "callback", "perceived": 3, "expected": 8, "comment": "还在漏"})).await;
    assert_eq!(c["status"], "dispatched", "重办: back to the department");
    assert_eq!(c["rehandle_count"], 1);
    assert_eq!(c["satisfaction"]["index"], 0.375);
    assert_eq!(c["satisfaction"]["rehandle"], true);
    // The department must accept it again.
    let c = app.act(&handler, id, json!({"action": "accept"})).await;
    assert_eq!(c["status"], "in_progress");
}

#[tokio::test]
async fn a_rejected_result_reopens_the_complaint() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    for (t, body) in [
        (&desk, json!({"action": "confirm"})),
        (&desk, json!({"action": "assess", "severity": "general"})),
        (&desk, json!({"action": "investigate", "department": "engineering", "post": "维修岗", "person": "李强", "root_cause": "管道老化"})),
        (&desk, json!({"action": "dispatch"})),
        (&handler, json!({"action": "accept"})),
        (&handler, json!({"action": "resolve", "resolution": "更换管道"})),
    ] {
        app.act(t, id, body).await;
    }
    let c = app.act(&desk, id, json!({"action": "reject_result", "reason": "还是漏"})).await;
    assert_eq!(c["status"], "in_progress");
    assert_eq!(c["reopen_count"], 1);
}

#[tokio::test]
async fn an_invalid_complaint_is_explained_and_closed() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let c = app.act(&desk, id, json!({"action": "invalidate", "explanation": "属于咨询，已告知缴费方式"})).await;
    assert_eq!(c["status"], "closed_invalid");
    assert_eq!(c["invalid_explanation"], "属于咨询，已告知缴费方式");
    assert!(c["deadlines"].as_array().unwrap().iter().all(|d| d["state"] == "cancelled"));
    let res = app.transition(&desk, id, json!({"action": "confirm"})).await;
    assert_problem(res, StatusCode::CONFLICT, "transition_not_allowed", None).await;
}
