//! Every refused transition: the state (409), the role (403) or the
//! department (403) says no, the message says why, and nothing changes.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

const ACTIONS: [&str; 12] = [
    "confirm",
    "invalidate",
    "assess",
    "investigate",
    "dispatch",
    "accept",
    "report_delay",
    "resolve",
    "accept_result",
    "reject_result",
    "close",
    "callback",
];

/// Each action with valid fields, so that only the state, the role or the
/// department can refuse it.
fn body(action: &str) -> Value {
    match action {
        "confirm" => json!({"action": "confirm", "note": "已确认"}),
        "invalidate" => json!({"action": "invalidate", "explanation": "属于咨询"}),
        "assess" => json!({"action": "assess", "severity": "general"}),
        "investigate" => json!({"action": "investigate", "department": "engineering", "post": "维修岗",
                                "person": "李强", "root_cause": "管道老化"}),
        "dispatch" => json!({"action": "dispatch", "department": "engineering"}),
        "accept" => json!({"action": "accept"}),
        "report_delay" => {
            json!({"action": "report_delay", "reason": "等材料", "new_time": "2099-01-01T10:00:00+08:00"})
        }
        "resolve" => json!({"action": "resolve", "resolution": "已修好"}),
        "accept_result" => json!({"action": "accept_result"}),
        "reject_result" => json!({"action": "reject_result", "reason": "还在漏"}),
        "close" => json!({"action": "close"}),
        "callback" => json!({"action": "callback", "perceived": 8, "expected": 8, "comment": "还行"}),
        other => panic!("no body for {other}"),
    }
}

/// Who may perform each action: the service centre confirms, dispatches and
/// calls back; departments accept and resolve; heads and leaders close.
fn permitted(action: &str) -> &'static [Role] {
    use Role::*;
    match action {
        "confirm" | "invalidate" | "accept_result" | "reject_result" | "callback" => &[FrontDesk],
        "assess" | "investigate" => &[FrontDesk, DepartmentHead, CompanyLeader],
        "dispatch" => &[FrontDesk, CompanyLeader],
        "accept" | "report_delay" | "resolve" => &[Handler, DepartmentHead],
        "close" => &[DepartmentHead, CompanyLeader],
        other => panic!("unknown action {other}"),
    }
}

/// The actions each state allows, whoever asks.
fn allowed_in(status: &str) -> &'static [&'static str] {
    match status {
        "received" => &["confirm", "invalidate"],
        "confirmed" => &["invalidate", "assess"],
        "assessed" => &["investigate"],
        "investigating" => &["investigate", "dispatch"],
        "dispatched" => &["accept", "report_delay"],
        "in_progress" => &["report_delay", "resolve"],
        "resolved" => &["accept_result", "reject_result"],
        "customer_accepted" => &["close"],
        "closed" => &["callback"],
        "closed_invalid" => &[],
        other => panic!("unknown status {other}"),
    }
}

/// The demo account of every role (the handler and head are in engineering).
struct Tokens(Vec<(Role, String)>);

impl Tokens {
    async fn new(app: &TestApp) -> Tokens {
        let mut all = Vec::new();
        for role in Role::ALL {
            all.push((role, app.token(role).await));
        }
        Tokens(all)
    }
    fn of(&self, role: Role) -> &str {
        &self.0.iter().find(|(r, _)| *r == role).unwrap().1
    }
}

/// Refused: answers the problem and checks the complaint is exactly as before.
async fn refused(app: &TestApp, token: &str, id: i64, body: Value, status: StatusCode, code: &str) -> Value {
    let desk = app.token(Role::FrontDesk).await;
    let before = app.complaint(&desk, id).await;
    let problem = assert_problem(app.transition(token, id, body.clone()).await, status, code, None).await;
    let after = app.complaint(&desk, id).await;
    assert_eq!(after["status"], before["status"], "{body} changed the status");
    assert_eq!(after["version"], before["version"], "{body} changed the version");
    assert_eq!(
        after["history"].as_array().unwrap().len(),
        before["history"].as_array().unwrap().len(),
        "{body} appended to the history"
    );
    assert_eq!(after, before, "{body} changed the complaint");
    problem
}

/// The lifecycle in order, each step with the token's role that performs it.
const PATH: [(&str, Role, &str); 8] = [
    ("confirm", Role::FrontDesk, "confirmed"),
    ("assess", Role::FrontDesk, "assessed"),
    ("investigate", Role::FrontDesk, "investigating"),
    ("dispatch", Role::FrontDesk, "dispatched"),
    ("accept", Role::Handler, "in_progress"),
    ("resolve", Role::Handler, "resolved"),
    ("accept_result", Role::FrontDesk, "customer_accepted"),
    ("close", Role::DepartmentHead, "closed"),
];

#[tokio::test]
async fn every_action_the_state_does_not_allow_is_409_with_a_reason_and_changes_nothing() {
    let app = spawn_app().await;
    let tokens = Tokens::new(&app).await;
    let desk = tokens.of(Role::FrontDesk);

    let check_state = |id: i64, status: &'static str| {
        let (app, tokens) = (&app, &tokens);
        async move {
            let c = app.complaint(tokens.of(Role::FrontDesk), id).await;
            assert_eq!(c["status"], status);
            for action in ACTIONS.iter().filter(|a| !allowed_in(status).contains(a)) {
                // A role that may perform it (engineering's handler and head for
                // department work), so only the state can be the reason.
                let token = tokens.of(permitted(action)[0]);
                let p = refused(app, token, id, body(action), StatusCode::CONFLICT, "transition_not_allowed").await;
                let en = p["message_en"].as_str().unwrap();
                assert!(en.contains(action) && en.contains(status), "{en}");
                let zh = p["message_zh"].as_str().unwrap();
                assert!(zh.contains(c["status_label"].as_str().unwrap()), "{zh}");
            }
        }
    };

    let id = app.new_complaint(desk).await["id"].as_i64().unwrap();
    check_state(id, "received").await;
    for (action, role, status) in PATH {
        app.act(tokens.of(role), id, body(action)).await;
        check_state(id, status).await;
    }

    let invalid = app.new_complaint(desk).await["id"].as_i64().unwrap();
    app.walk_to(invalid, "closed_invalid").await;
    check_state(invalid, "closed_invalid").await;
}

#[tokio::test]
async fn every_role_that_may_not_perform_an_action_is_403_and_changes_nothing() {
    let app = spawn_app().await;
    let tokens = Tokens::new(&app).await;
    let desk = tokens.of(Role::FrontDesk);

    let check_roles = |id: i64, status: &'static str| {
        let (app, tokens) = (&app, &tokens);
        async move {
            for action in allowed_in(status) {
                for role in Role::ALL.into_iter().filter(|r| !permitted(action).contains(r)) {
                    let p = refused(app, tokens.of(role), id, body(action), StatusCode::FORBIDDEN, "role_not_allowed")
                        .await;
                    let en = p["message_en"].as_str().unwrap();
                    for may in permitted(action) {
                        assert!(en.contains(may.as_str()), "{role} on {action}: {en}");
                    }
                }
            }
            // Each role is offered exactly the actions it may take now.
            for role in Role::ALL {
                let c = app.complaint(tokens.of(role), id).await;
                let expected: Vec<&str> =
                    allowed_in(status).iter().copied().filter(|a| permitted(a).contains(&role)).collect();
                // The lifecycle's actions; the time-limit moves have their own tests.
                let mut offered: Vec<&str> = c["available_actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap())
                    .filter(|a| ACTIONS.contains(a))
                    .collect();
                offered.sort_by_key(|a| ACTIONS.iter().position(|x| x == a));
                assert_eq!(offered, expected, "{role} in {status}");
            }
        }
    };

    let id = app.new_complaint(desk).await["id"].as_i64().unwrap();
    check_roles(id, "received").await;
    for (action, role, status) in PATH {
        app.act(tokens.of(role), id, body(action)).await;
        check_roles(id, status).await;
    }
}

#[tokio::test]
async fn analysts_board_and_admins_may_perform_no_lifecycle_action() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    for role in [Role::Analyst, Role::Board, Role::Admin] {
        let token = app.token(role).await;
        for action in ACTIONS {
            refused(&app, &token, id, body(action), StatusCode::FORBIDDEN, "role_not_allowed").await;
        }
        // Quality analysts may only correct what triage read.
        let expected = if role == Role::Analyst { json!(["correct_triage"]) } else { json!([]) };
        assert_eq!(app.complaint(&token, id).await["available_actions"], expected, "{role}");
    }
}

#[tokio::test]
async fn a_handler_may_not_confirm_and_the_front_desk_may_not_accept_or_close() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let p = refused(&app, &handler, id, json!({"action": "confirm"}), StatusCode::FORBIDDEN, "role_not_allowed").await;
    assert!(p["message_zh"].as_str().unwrap().contains("处理人员"), "{p}");
    app.walk_to(id, "dispatched").await;
    refused(&app, &desk, id, json!({"action": "accept"}), StatusCode::FORBIDDEN, "role_not_allowed").await;
    app.walk_to(id, "customer_accepted").await;
    refused(&app, &desk, id, json!({"action": "close"}), StatusCode::FORBIDDEN, "role_not_allowed").await;
}

#[tokio::test]
async fn staff_of_another_department_may_not_accept_report_delays_resolve_or_close() {
    let app = spawn_app().await;
    let sec_handler = app.add_staff("sec_handler", "周安", Role::Handler, Some("security")).await;
    let sec_head = app.add_staff("sec_head", "吴卫", Role::DepartmentHead, Some("security")).await;
    let handler = app.token(Role::Handler).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.walk_to(id, "dispatched").await;

    let not_yours = StatusCode::FORBIDDEN;
    for token in [&sec_handler, &sec_head] {
        for action in ["accept", "report_delay"] {
            let p = refused(&app, token, id, body(action), not_yours, "not_your_department").await;
            assert!(p["message_zh"].as_str().unwrap().contains("工程部"), "names the assigned department: {p}");
        }
        assert_eq!(app.complaint(token, id).await["available_actions"], json!([]));
    }
    app.act(&handler, id, body("accept")).await;
    for token in [&sec_handler, &sec_head] {
        for action in ["report_delay", "resolve"] {
            refused(&app, token, id, body(action), not_yours, "not_your_department").await;
        }
    }
    app.act(&handler, id, body("resolve")).await;
    app.act(&desk, id, body("accept_result")).await;
    refused(&app, &sec_head, id, body("close"), not_yours, "not_your_department").await;
    // A company leader is not bound to a department.
    let leader = app.token(Role::CompanyLeader).await;
    assert_eq!(app.act(&leader, id, body("close")).await["status"], "closed");
}

#[tokio::test]
async fn department_work_on_a_complaint_dispatched_elsewhere_is_refused_to_engineering() {
    let app = spawn_app().await;
    app.add_staff("sec_handler", "周安", Role::Handler, Some("security")).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.walk_to(id, "investigating").await;
    let c = app.act(&desk, id, json!({"action": "dispatch", "department": "security", "handler": "sec_handler"})).await;
    assert_eq!(c["department"]["name"], "秩序部");
    assert_eq!(c["handler"]["name"], "周安");
    let p = refused(&app, &handler, id, body("accept"), StatusCode::FORBIDDEN, "not_your_department").await;
    assert!(p["message_en"].as_str().unwrap().contains("engineering"), "names the caller's department: {p}");
}

#[tokio::test]
async fn a_second_callback_in_the_same_round_is_409_already_called_back() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.walk_to(id, "closed").await;
    let c = app.act(&desk, id, body("callback")).await;
    assert_eq!(c["awaiting_callback"], false);
    let again = json!({"action": "callback", "perceived": 10, "expected": 5});
    let p = refused(&app, &desk, id, again, StatusCode::CONFLICT, "already_called_back").await;
    assert!(!p["message_zh"].as_str().unwrap().is_empty());
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["callbacks"].as_array().unwrap().len(), 1);
    assert_eq!(c["satisfaction"]["perceived"], 8);
}

#[tokio::test]
async fn a_delay_to_a_time_already_past_is_422_naming_new_time() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.walk_to(id, "in_progress").await;
    let before = app.complaint(&desk, id).await;
    for past in ["2020-01-01T10:00:00+08:00", &(chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339()] {
        let res =
            app.transition(&handler, id, json!({"action": "report_delay", "reason": "等材料", "new_time": past})).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("new_time")).await;
    }
    let res = app
        .transition(&handler, id, json!({"action": "report_delay", "reason": "等材料", "new_time": "next week"}))
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("new_time")).await;
    assert_eq!(app.complaint(&desk, id).await, before);
}

#[tokio::test]
async fn an_unknown_department_or_a_handler_of_another_department_is_422_naming_the_field() {
    let app = spawn_app().await;
    app.add_staff("sec_handler", "周安", Role::Handler, Some("security")).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.walk_to(id, "assessed").await;
    let res = app
        .transition(&desk, id, json!({"action": "investigate", "department": "plumbing", "post": "岗", "person": "某人", "root_cause": "未知"}))
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("department")).await;
    app.walk_to(id, "investigating").await;
    let before = app.complaint(&desk, id).await;
    let res = app.transition(&desk, id, json!({"action": "dispatch", "department": "plumbing"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("department")).await;
    let res = app
        .transition(&desk, id, json!({"action": "dispatch", "department": "engineering", "handler": "sec_handler"}))
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("handler")).await;
    let res = app.transition(&desk, id, json!({"action": "dispatch", "handler": "nobody"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("handler")).await;
    assert_eq!(app.complaint(&desk, id).await, before);
}

#[tokio::test]
async fn callback_scores_outside_one_to_ten_are_422_naming_the_score() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    app.walk_to(id, "closed").await;
    let before = app.complaint(&desk, id).await;
    for (perceived, expected, field) in
        [(11, 5, "perceived"), (0, 5, "perceived"), (5, 0, "expected"), (5, 11, "expected")]
    {
        let res = app
            .transition(&desk, id, json!({"action": "callback", "perceived": perceived, "expected": expected}))
            .await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some(field)).await;
    }
    let res = app.transition(&desk, id, json!({"action": "callback", "perceived": -1, "expected": 5})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("perceived")).await;
    assert_eq!(app.complaint(&desk, id).await, before);
}

#[tokio::test]
async fn a_transition_on_an_unknown_complaint_is_404() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let res = app.transition(&desk, 424242, json!({"action": "confirm"})).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", None).await;
}
