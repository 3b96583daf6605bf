//! Every time limit of DOMAIN.md end to end, on the test's clock: each is
//! opened with its default, met on time or late, flagged at risk then
//! breached once, and a breach raises the complaint one level up the chain
//! (客服中心 → 部门负责人 → 公司主管领导 → 董事领导). Working-day limits
//! follow the Chinese calendar (National Day 2026-10-01..07, make-up
//! Saturday 2026-10-10). The worker's step runs at the clock's time.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_app::AppConfig;
use tousu_app::escalation::StepOutcome;
use tousu_domain::Role;

/// Monday 2026-11-23 09:00 in Shanghai: no holiday within two weeks.
const MONDAY: &str = "2026-11-23T09:00:00+08:00";

fn id(c: &Value) -> i64 {
    c["id"].as_i64().expect("id")
}

/// The `n`th of several complaints in one test: another owner and unit,
/// so that none is a repeat of another.
fn owner(n: u32) -> Value {
    let mut body = complaint_body();
    body["customer"]["phone"] = json!(format!("1390000{:04}", n));
    body["unit"] = json!(format!("{}02", n % 18 + 1));
    body
}

/// A new complaint from the `n`th owner; answers its id.
async fn complaint_of(app: &TestApp, desk: &str, n: u32) -> i64 {
    id(&app.new_complaint_from(desk, &owner(n)).await)
}

/// A complaint walked to `investigating`, ready to dispatch.
async fn investigated(app: &TestApp, desk: &str, n: u32) -> i64 {
    let id = complaint_of(app, desk, n).await;
    app.walk_to(id, "investigating").await;
    id
}

fn emergency_body() -> Value {
    let mut body = complaint_body();
    body["emergency"] = json!(true);
    body["subject"] = json!("电梯困人");
    body["description"] = json!("3栋2号电梯停在12楼和13楼之间，里面困了一位老人，请马上派人。");
    body
}

#[tokio::test]
async fn dispatch_is_owed_in_12_hours_warned_at_80_percent_and_breached_once_raising_it_to_the_department_head() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let id = id(&c);
    let dispatch = deadline(&c, "dispatch");
    assert_eq!(time(&dispatch["due_at"]), t0 + hours(12));
    assert_eq!(time(&dispatch["at_risk_at"]), t0 + minutes(9 * 60 + 36));
    assert_eq!(dispatch["level"], "service_centre");
    assert_eq!(dispatch["state"], "open");
    assert_eq!(c["escalation_level"], "service_centre");

    app.advance(hours(9));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "nothing is due before 80%");
    app.advance(minutes(36));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "the warning is recorded once");
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "dispatch"), ["applied", "at_risk"]);
    assert_eq!(view["escalation_level"], "service_centre", "a warning does not escalate");

    app.set_clock(t0 + hours(12));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "the breach is recorded once");
    app.advance(hours(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "a breached deadline does not fire again");
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "dispatch"), ["applied", "at_risk", "breached"]);
    assert_eq!(view["escalation_level"], "department_head");
    let breached = view["events"].as_array().unwrap().iter().find(|e| e["happened"] == "breached").unwrap();
    assert_eq!(time(&breached["at"]), t0 + hours(12));
    assert_eq!(breached["event"], "deadline_breached");

    let c = app.complaint(&desk, id).await;
    assert_eq!(c["escalation_level"], "department_head");
    assert_eq!(c["escalation_label"], "部门负责人");
    assert_eq!(history_of(&c, "deadline_at_risk").len(), 1);
    let breaches = history_of(&c, "deadline_breached");
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0]["payload"]["rules"], json!(["dispatch"]));
    assert_eq!(breaches[0]["payload"]["from"], "service_centre");
    assert_eq!(breaches[0]["payload"]["to"], "department_head");
    assert_eq!(breaches[0]["actor"]["kind"], "system");
    let d = deadline(&c, "dispatch");
    assert_eq!(d["state"], "open", "a breached deadline stays owed");
    assert_eq!(time(&d["breached_at"]), t0 + hours(12));

    let res = app.get(&desk, "/api/v1/complaints/999999/deadlines").await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", None).await;

    // Dispatched late: met late, and it never fires again.
    app.walk_to(id, "dispatched").await;
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "dispatch"), ["applied", "at_risk", "breached", "met_late"]);
    assert_eq!(deadline(&view, "dispatch")["state"], "met");
}

#[tokio::test]
async fn a_deadline_met_before_its_time_never_fires() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = complaint_of(&app, &desk, 101).await;
    app.advance(hours(1));
    app.walk_to(id, "in_progress").await;
    app.advance(hours(19));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "dispatch and the delay notice were met");
    app.act(&handler, id, json!({"action": "resolve", "resolution": "已更换破损的防水层"})).await;
    app.advance(hours(1));
    app.act(&desk, id, json!({"action": "record_report", "report": "first_responder_update", "text": "已告知首问责任人处理结果"}))
        .await;
    app.advance(days(30));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle);

    let view = app.deadlines(&desk, id).await;
    for rule in ["dispatch", "delay_notice", "answer", "first_responder_update"] {
        assert_eq!(life(&view, rule), ["applied", "met"], "{rule}");
        assert_eq!(deadline(&view, rule)["state"], "met");
        assert!(deadline(&view, rule)["breached_at"].is_null());
    }
    assert_eq!(view["escalation_level"], "service_centre");
    let c = app.complaint(&desk, id).await;
    assert!(history_of(&c, "deadline_at_risk").is_empty());
    assert!(history_of(&c, "deadline_breached").is_empty());
}

#[tokio::test]
async fn a_department_that_neither_accepts_nor_reports_a_delay_within_2_hours_of_dispatch_is_breached() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let silent = investigated(&app, &desk, 1).await;
    let delayed = investigated(&app, &desk, 2).await;
    for id in [silent, delayed] {
        let c = app.act(&desk, id, json!({"action": "dispatch"})).await;
        assert_eq!(due(&c, "delay_notice"), t0 + hours(2));
    }
    app.advance(minutes(90));
    let new_time = t0 + days(2);
    let c = app
        .act(&handler, delayed, json!({"action": "report_delay", "reason": "防水材料需要订货", "new_time": new_time}))
        .await;
    assert_eq!(deadline(&c, "delay_notice")["state"], "met");
    assert_eq!(time(&c["promised_at"]), new_time);
    assert_eq!(time(&c["committed_at"]), new_time, "the owner is told the department's new time");

    app.set_clock(t0 + hours(2));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let view = app.deadlines(&desk, silent).await;
    // No step ran at 80% (1 h 36 min): the breach alone is recorded.
    assert_eq!(life(&view, "delay_notice"), ["applied", "breached"]);
    assert_eq!(view["escalation_level"], "department_head");
    let view = app.deadlines(&desk, delayed).await;
    assert_eq!(life(&view, "delay_notice"), ["applied", "met"]);
    assert_eq!(view["escalation_level"], "service_centre");
}

#[tokio::test]
async fn the_completion_report_is_due_2_hours_after_the_work_was_finished() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let on_time = complaint_of(&app, &desk, 102).await;
    let late = complaint_of(&app, &desk, 103).await;
    let unsaid = complaint_of(&app, &desk, 104).await;
    for id in [on_time, late, unsaid] {
        app.walk_to(id, "in_progress").await;
    }
    app.advance(hours(10));
    let now = app.now();

    let c = app
        .act(&handler, on_time, json!({"action": "resolve", "resolution": "已修复", "finished_at": now - minutes(90)}))
        .await;
    let report = deadline(&c, "completion_report");
    assert_eq!(time(&report["due_at"]), now + minutes(30));
    assert_eq!(report["state"], "met");
    assert_eq!(time(&report["closed_at"]), now);

    let c = app.act(&handler, late, json!({"action": "resolve", "resolution": "已修复", "finished_at": now - hours(3)})).await;
    let report = deadline(&c, "completion_report");
    assert_eq!(time(&report["due_at"]), now - hours(1));
    assert_eq!(report["state"], "met");
    assert_eq!(time(&report["breached_at"]), now, "reported an hour after its limit");

    let res = app
        .transition(&handler, unsaid, json!({"action": "resolve", "resolution": "已修复", "finished_at": now + hours(1)}))
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("finished_at")).await;

    assert_eq!(life(&app.deadlines(&desk, on_time).await, "completion_report"), ["applied", "met"]);
    assert_eq!(life(&app.deadlines(&desk, late).await, "completion_report"), ["applied", "met_late"]);
    app.advance(hours(1));
    app.run_deadlines().await;
    let late_view = app.deadlines(&desk, late).await;
    assert_eq!(life(&late_view, "completion_report"), ["applied", "met_late"], "a report already made never fires");
}

#[tokio::test]
async fn the_first_responder_is_told_within_2_hours_of_the_resolution_by_recording_the_report() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let told = complaint_of(&app, &desk, 105).await;
    let forgotten = complaint_of(&app, &desk, 106).await;
    for id in [told, forgotten] {
        app.walk_to(id, "resolved").await;
        let c = app.complaint(&desk, id).await;
        let d = deadline(&c, "first_responder_update");
        assert_eq!(time(&d["due_at"]), t0 + hours(2));
        assert_eq!(d["state"], "open");
        assert!(c["available_actions"].as_array().unwrap().contains(&json!("record_report")), "{c}");
    }
    app.advance(minutes(100));
    let c = app
        .act(&desk, told, json!({"action": "record_report", "report": "first_responder_update", "text": "已电话告知王芳处理结果"}))
        .await;
    assert_eq!(deadline(&c, "first_responder_update")["state"], "met");
    let res = app
        .transition(&desk, told, json!({"action": "record_report", "report": "first_responder_update", "text": "再报一次"}))
        .await;
    assert!(res.status().is_client_error(), "a report owed no more is refused: {}", res.status());

    app.set_clock(t0 + hours(2));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let view = app.deadlines(&desk, forgotten).await;
    assert_eq!(life(&view, "first_responder_update"), ["applied", "breached"]);
    assert_eq!(view["escalation_level"], "department_head");
    app.act(&desk, forgotten, json!({"action": "record_report", "report": "first_responder_update", "text": "迟到的告知"})).await;
    let view = app.deadlines(&desk, forgotten).await;
    assert_eq!(life(&view, "first_responder_update"), ["applied", "breached", "met_late"]);
    assert_eq!(life(&app.deadlines(&desk, told).await, "first_responder_update"), ["applied", "met"]);
    let c = app.complaint(&desk, told).await;
    let report = history_of(&c, "report_recorded");
    assert_eq!(report.len(), 1);
    assert_eq!(report[0]["payload"]["report"], "first_responder_update");
}

#[tokio::test]
async fn the_answer_is_owed_in_3_days_for_one_department_and_7_working_days_with_cooperating_departments() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let one = investigated(&app, &desk, 3).await;
    let several = investigated(&app, &desk, 4).await;
    let c = app.act(&desk, one, json!({"action": "dispatch"})).await;
    let answer = deadline(&c, "answer");
    assert_eq!(time(&answer["due_at"]), t0 + days(3));
    assert_eq!(answer["committed"], true, "the answer is what the owner is told");
    assert_eq!(time(&c["committed_at"]), t0 + days(3));

    app.advance(hours(1));
    let c = app.act(&desk, several, json!({"action": "dispatch", "cooperating": ["security", "finance"]})).await;
    // Received Monday 11-23: Tue–Fri, Mon 11-30, Tue 12-01, Wed 12-02 — the
    // 7th working day after receipt, to its end.
    assert_eq!(due(&c, "answer"), end_of_day("2026-12-02"));
    assert_eq!(time(&c["committed_at"]), end_of_day("2026-12-02"));
    assert_eq!(deadline_count(&c, "answer"), 2, "the 3-day answer is kept as history");
    assert_eq!(c["cooperating"].as_array().unwrap().len(), 2);
    let view = app.deadlines(&desk, several).await;
    assert_eq!(life(&view, "answer"), ["applied", "cancelled", "applied"]);
    let phone = owner(4)["customer"]["phone"].as_str().unwrap().to_string();
    let seen = app.track_with(c["tracking_no"].as_str().unwrap(), &phone).await;
    assert_eq!(time(&seen["committed_at"]), end_of_day("2026-12-02"));

    for id in [one, several] {
        app.act(&handler, id, json!({"action": "accept"})).await;
    }
    app.set_clock(t0 + days(3));
    app.run_deadlines().await;
    assert_eq!(life(&app.deadlines(&desk, one).await, "answer"), ["applied", "breached"]);
    let view = app.deadlines(&desk, several).await;
    assert!(!life(&view, "answer").iter().any(|h| h == "breached"), "{view}");
    app.set_clock(end_of_day("2026-12-02"));
    app.run_deadlines().await;
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle);
    assert!(life(&app.deadlines(&desk, several).await, "answer").ends_with(&["breached".to_string()]));
    app.advance(minutes(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle);
}

#[tokio::test]
async fn seven_working_days_skip_national_day_and_count_the_make_up_saturday() {
    // Received Tuesday 2026-09-29; 09-30 is the 1st working day, 10-01..07
    // are the holiday, then Thu 10-08, Fri 10-09, Sat 10-10 (调休上班),
    // Mon 10-12, Tue 10-13, Wed 10-14.
    let t0 = at("2026-09-29T15:00:00+08:00");
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = investigated(&app, &desk, 5).await;
    let c = app.act(&desk, id, json!({"action": "dispatch", "cooperating": ["security"]})).await;
    assert_eq!(due(&c, "answer"), end_of_day("2026-10-14"));
    // Hour limits run around the clock through the holiday.
    let c = app.new_complaint_from(&desk, &owner(2)).await;
    assert_eq!(due(&c, "dispatch"), t0 + hours(12));
    assert_eq!(due(&c, "answer"), t0 + days(3), "3 days, not 3 working days: 10-02 in the holiday");
}

/// Closes a new complaint of the `n`th owner at the clock's time.
async fn closed_now(app: &TestApp, desk: &str, n: u32) -> Value {
    let id = complaint_of(app, desk, n).await;
    app.walk_to(id, "closed").await
}

#[tokio::test]
async fn the_callback_is_owed_in_2_working_days_across_national_day_and_never_later_than_7_days() {
    let app = spawn_app_at(at("2026-09-30T10:00:00+08:00"), AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;

    // Closed Wednesday 09-30: the holiday runs 10-01..07; Thu 10-08 and Fri 10-09 are the two working days.
    let before_holiday = closed_now(&app, &desk, 1).await;
    assert_eq!(before_holiday["status"], "closed");
    assert_eq!(due(&before_holiday, "callback"), end_of_day("2026-10-09"));
    assert_eq!(due(&before_holiday, "callback_latest"), at("2026-10-07T10:00:00+08:00"));
    assert_eq!(deadline(&before_holiday, "callback")["level"], "service_centre");

    // Closed Thursday 10-08: Fri 10-09, then Saturday 10-10, a make-up working day.
    app.set_clock(at("2026-10-08T10:00:00+08:00"));
    let thursday = closed_now(&app, &desk, 2).await;
    assert_eq!(due(&thursday, "callback"), end_of_day("2026-10-10"));
    assert_eq!(due(&thursday, "callback_latest"), at("2026-10-15T10:00:00+08:00"));

    // Closed Friday 10-09: Saturday 10-10 counts, Sunday 10-11 does not: Monday 10-12.
    app.set_clock(at("2026-10-09T10:00:00+08:00"));
    let friday = closed_now(&app, &desk, 3).await;
    assert_eq!(due(&friday, "callback"), end_of_day("2026-10-12"));

    // Over the holiday the 7-day cap falls first (10-07 10:00) and is breached first.
    app.set_clock(at("2026-10-07T10:00:00+08:00"));
    let b = id(&before_holiday);
    app.run_deadlines().await;
    let view = app.deadlines(&desk, b).await;
    assert_eq!(life(&view, "callback_latest").last().unwrap(), "breached");
    assert!(!life(&view, "callback").contains(&"breached".to_string()));

    // At the end of the make-up Saturday, Thursday's callback is breached and Friday's is not.
    app.set_clock(end_of_day("2026-10-10"));
    app.run_deadlines().await;
    app.run_deadlines().await;
    assert!(life(&app.deadlines(&desk, id(&thursday)).await, "callback").contains(&"breached".to_string()));
    assert!(!life(&app.deadlines(&desk, id(&friday)).await, "callback").contains(&"breached".to_string()));

    // A callback made in time meets both.
    app.set_clock(at("2026-10-12T09:00:00+08:00"));
    let c = app
        .act(&desk, id(&friday), json!({"action": "callback", "perceived": 9, "expected": 8, "comment": "满意"}))
        .await;
    assert_eq!(deadline(&c, "callback")["state"], "met");
    assert_eq!(deadline(&c, "callback_latest")["state"], "met");
    let view = app.deadlines(&desk, id(&friday)).await;
    assert_eq!(life(&view, "callback_latest"), ["applied", "met"]);
}

#[tokio::test]
async fn missed_limits_climb_the_chain_one_level_each_to_the_board_with_written_reports() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let leader = app.token(Role::CompanyLeader).await;
    let id = complaint_of(&app, &desk, 107).await;

    // 12 h: dispatch missed → 部门负责人.
    app.set_clock(t0 + hours(12));
    app.run_deadlines().await;
    assert_eq!(app.deadlines(&desk, id).await["escalation_level"], "department_head");

    // 3 days: the answer missed → 公司主管领导, who owes a written report in 24 h.
    app.set_clock(t0 + days(3));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["escalation_level"], "company_leader");
    let report = deadline(&c, "written_report_leader");
    assert_eq!(time(&report["due_at"]), t0 + days(4));
    assert_eq!(report["level"], "company_leader");

    // 24 h later, no report → 董事领导, who is owed one in 48 h.
    app.set_clock(t0 + days(4));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["escalation_level"], "board");
    assert_eq!(c["escalation_label"], "董事领导");
    assert_eq!(due(&c, "written_report_board"), t0 + days(6));
    assert_eq!(deadline(&c, "written_report_board")["level"], "board");

    let breaches = history_of(&c, "deadline_breached");
    let steps: Vec<(Value, Value, Value)> = breaches
        .iter()
        .map(|b| (b["payload"]["rules"].clone(), b["payload"]["from"].clone(), b["payload"]["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (json!(["dispatch"]), json!("service_centre"), json!("department_head")),
            (json!(["answer"]), json!("department_head"), json!("company_leader")),
            (json!(["written_report_leader"]), json!("company_leader"), json!("board")),
        ]
    );
    // No step ran between the 80% marks and the due times: breaches only.
    assert!(history_of(&c, "deadline_at_risk").is_empty());

    // The leader's report, late for the leaders but in time for the board.
    app.advance(hours(2));
    app.act(&leader, id, json!({"action": "record_report", "report": "written_report", "text": "情况说明：楼上防水层破损，已安排施工"}))
        .await;
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "written_report_leader"), ["applied", "breached", "met_late"]);
    assert_eq!(life(&view, "written_report_board"), ["applied", "met"]);
    app.set_clock(t0 + days(30));
    app.run_deadlines().await;
    let view = app.deadlines(&desk, id).await;
    assert_eq!(view["escalation_level"], "board", "the board is the top");
    assert_eq!(life(&view, "written_report_board"), ["applied", "met"]);
}

#[tokio::test]
async fn at_risk_and_breach_are_each_recorded_once_per_deadline_when_the_worker_runs_often() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = complaint_of(&app, &desk, 108).await;
    // Every 30 minutes for 95.5 hours (the leaders' report falls due at 96 h).
    for _ in 0..191 {
        app.advance(minutes(30));
        app.run_deadlines().await;
    }
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "dispatch"), ["applied", "at_risk", "breached"]);
    assert_eq!(life(&view, "answer"), ["applied", "at_risk", "breached"]);
    assert_eq!(life(&view, "written_report_leader"), ["applied", "at_risk"]);
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["escalation_level"], "company_leader");
    assert_eq!(history_of(&c, "deadline_breached").len(), 2);
    assert_eq!(history_of(&c, "deadline_at_risk").len(), 3);
}

#[tokio::test]
async fn limits_missed_while_nothing_ran_are_caught_up_one_level_each_as_if_it_had_run() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = id(&app.new_complaint(&desk).await);
    // Nothing runs from receipt until after the answer's 3 days.
    app.set_clock(t0 + days(3) + hours(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "one step catches up");
    let c = app.complaint(&desk, id).await;
    let steps: Vec<(Value, Value, Value)> = history_of(&c, "deadline_breached")
        .iter()
        .map(|b| (b["payload"]["rules"].clone(), b["payload"]["from"].clone(), b["payload"]["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        [
            (json!(["dispatch"]), json!("service_centre"), json!("department_head")),
            (json!(["answer"]), json!("department_head"), json!("company_leader")),
        ],
        "two missed limits are two escalations, as when the worker runs throughout"
    );
    assert_eq!(c["escalation_level"], "company_leader");
    assert_eq!(due(&c, "written_report_leader"), t0 + days(4), "owed from when the answer was missed");
    for b in history_of(&c, "deadline_breached") {
        assert_eq!(time(&b["at"]), t0 + days(3) + hours(1), "recorded when the worker ran");
    }
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "dispatch"), ["applied", "breached"]);
    assert_eq!(life(&view, "answer"), ["applied", "breached"]);
}

#[tokio::test]
async fn after_a_long_stop_the_catch_up_reaches_the_level_a_running_worker_would_have() {
    let t0 = at(MONDAY);
    let mut app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = id(&app.new_complaint(&desk).await);
    app.set_clock(t0 + hours(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle);
    // Down from 1 h to 5 days: dispatch (12 h), the answer (3 d) and the
    // leaders' report (3 d + 24 h) were all missed meanwhile.
    app.set_clock(t0 + days(5));
    app.restart().await;
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["escalation_level"], "board");
    let rules: Vec<Value> = history_of(&c, "deadline_breached").iter().map(|b| b["payload"]["rules"].clone()).collect();
    assert_eq!(rules, [json!(["dispatch"]), json!(["answer"]), json!(["written_report_leader"])]);
    assert_eq!(due(&c, "written_report_board"), t0 + days(6));
    // The board's report is owed from 4 d: warned at 80% of its 48 h, not yet.
    assert_eq!(life(&app.deadlines(&desk, id).await, "written_report_board"), ["applied"]);
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle);
    app.set_clock(t0 + days(4) + minutes(38 * 60 + 24));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    assert_eq!(life(&app.deadlines(&desk, id).await, "written_report_board"), ["applied", "at_risk"]);
}

#[tokio::test]
async fn an_emergency_runs_from_receipt_to_the_board_in_minutes_with_written_reports_and_verification() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let leader = app.token(Role::CompanyLeader).await;

    let c = app.new_complaint_from(&desk, &emergency_body()).await;
    let id = id(&c);
    assert_eq!(c["emergency"], true);
    assert_eq!(due(&c, "notify_departments"), t0 + minutes(3));
    assert!(c["deadlines"].as_array().unwrap().iter().all(|d| d["rule"] != "dispatch"), "the 3-minute notice replaces the 12 h dispatch");
    assert!(c["available_actions"].as_array().unwrap().contains(&json!("dispatch")), "{}", c["available_actions"]);

    // Dispatched straight from receipt, in 2 minutes.
    app.advance(minutes(2));
    let c = app.act(&desk, id, json!({"action": "dispatch", "department": "engineering"})).await;
    assert_eq!(c["status"], "dispatched");
    assert_eq!(deadline(&c, "notify_departments")["state"], "met");
    assert_eq!(due(&c, "emergency_head"), t0 + minutes(7), "the head has 5 minutes to solve it");

    // 5 minutes pass unsolved → 公司主管领导, written report in 24 h, 10 minutes to solve it.
    app.set_clock(t0 + minutes(7));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["escalation_level"], "company_leader", "an unsolved emergency goes straight to the leaders");
    assert_eq!(due(&c, "written_report_leader"), t0 + minutes(7) + hours(24));
    assert_eq!(due(&c, "emergency_leader"), t0 + minutes(17));

    // 10 more minutes → 董事领导, written report in 48 h.
    app.set_clock(t0 + minutes(17));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["escalation_level"], "board");
    assert_eq!(due(&c, "written_report_board"), t0 + minutes(17) + hours(48));
    let breaches = history_of(&c, "deadline_breached");
    assert_eq!(breaches.len(), 2);
    assert_eq!(breaches[0]["payload"]["to"], "company_leader");
    assert_eq!(breaches[1]["payload"]["to"], "board");

    // Handled: accepted, resolved; verification within 8 h.
    app.advance(minutes(3));
    app.act(&handler, id, json!({"action": "accept"})).await;
    app.advance(minutes(40));
    let c = app.act(&handler, id, json!({"action": "resolve", "resolution": "已救出被困老人，电梯停用检修"})).await;
    let resolved_at = app.now();
    assert_eq!(due(&c, "verification"), resolved_at + hours(8));
    app.advance(hours(2));
    app.act(&leader, id, json!({"action": "record_report", "report": "written_report", "text": "电梯困人事件书面报告"})).await;
    app.advance(hours(5));
    app.act(&desk, id, json!({"action": "record_report", "report": "verification", "text": "开发商客服部与物业公司已现场核实"})).await;
    app.set_clock(t0 + days(5));
    app.run_deadlines().await;

    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "notify_departments"), ["applied", "met"]);
    assert_eq!(life(&view, "emergency_head"), ["applied", "breached", "cancelled"]);
    assert!(life(&view, "emergency_leader").starts_with(&["applied".to_string(), "breached".to_string()]));
    assert_eq!(life(&view, "written_report_leader"), ["applied", "met"]);
    assert_eq!(life(&view, "written_report_board"), ["applied", "met"]);
    assert_eq!(life(&view, "verification"), ["applied", "met"]);
}

#[tokio::test]
async fn an_emergency_not_passed_to_a_department_in_3_minutes_is_breached() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = id(&app.new_complaint_from(&desk, &emergency_body()).await);
    app.set_clock(t0 + minutes(3));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "notify_departments"), ["applied", "breached"]);
    assert_eq!(view["escalation_level"], "department_head");
    app.advance(minutes(1));
    let c = app.act(&desk, id, json!({"action": "dispatch", "department": "engineering"})).await;
    assert_eq!(due(&c, "emergency_head"), t0 + minutes(9));
    assert_eq!(life(&app.deadlines(&desk, id).await, "notify_departments"), ["applied", "breached", "met_late"]);
}

#[tokio::test]
async fn an_emergency_not_verified_within_8_hours_of_its_handling_is_breached() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = id(&app.new_complaint_from(&desk, &emergency_body()).await);
    app.act(&desk, id, json!({"action": "dispatch", "department": "engineering"})).await;
    app.act(&handler, id, json!({"action": "accept"})).await;
    app.advance(minutes(4));
    let c = app.act(&handler, id, json!({"action": "resolve", "resolution": "已断电并救出被困人员"})).await;
    assert_eq!(due(&c, "verification"), t0 + minutes(4) + hours(8));
    assert_eq!(deadline(&c, "emergency_head")["state"], "met", "solved within the head's 5 minutes");
    app.advance(hours(1));
    app.act(&desk, id, json!({"action": "record_report", "report": "first_responder_update", "text": "已告知首问责任人"})).await;
    app.set_clock(t0 + minutes(4) + hours(8));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "verification"), ["applied", "breached"]);
    assert_eq!(life(&view, "emergency_head"), ["applied", "met"]);
    assert_eq!(view["escalation_level"], "department_head");
}

#[tokio::test]
async fn an_emergency_escalated_by_hand_in_time_meets_the_head_s_and_the_leader_s_minutes() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let head = app.token(Role::DepartmentHead).await;
    let leader = app.token(Role::CompanyLeader).await;
    let id = id(&app.new_complaint_from(&desk, &emergency_body()).await);
    app.advance(minutes(1));
    app.act(&desk, id, json!({"action": "dispatch", "department": "engineering"})).await;
    app.advance(minutes(3));
    let c = app.act(&head, id, json!({"action": "escalate", "reason": "需要公司协调电梯维保单位"})).await;
    assert_eq!(c["escalation_level"], "company_leader");
    assert_eq!(due(&c, "emergency_leader"), t0 + minutes(14));
    assert_eq!(due(&c, "written_report_leader"), t0 + minutes(4) + hours(24));
    app.advance(minutes(6));
    let c = app.act(&leader, id, json!({"action": "escalate", "reason": "需要集团调配资源"})).await;
    assert_eq!(c["escalation_level"], "board");
    assert_eq!(due(&c, "written_report_board"), t0 + minutes(10) + hours(48));
    app.set_clock(t0 + hours(1));
    app.run_deadlines().await;
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "emergency_head"), ["applied", "met"]);
    assert_eq!(life(&view, "emergency_leader"), ["applied", "met"]);
    let c = app.complaint(&desk, id).await;
    assert!(history_of(&c, "deadline_breached").iter().all(|b| !b["payload"]["rules"].to_string().contains("emergency")));
    assert_eq!(history_of(&c, "escalated").len(), 2);
}

#[tokio::test]
async fn major_and_crisis_complaints_start_higher_up_the_chain() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let major = complaint_of(&app, &desk, 109).await;
    let crisis = complaint_of(&app, &desk, 110).await;
    app.act(&desk, major, json!({"action": "confirm"})).await;
    app.act(&desk, crisis, json!({"action": "confirm"})).await;
    let c = app.act(&desk, major, json!({"action": "assess", "severity": "major", "category": "facilities"})).await;
    assert_eq!(c["escalation_level"], "department_head");
    let c = app.act(&desk, crisis, json!({"action": "assess", "severity": "crisis", "category": "facilities"})).await;
    assert_eq!(c["escalation_level"], "company_leader");
    assert_eq!(due(&c, "written_report_leader"), t0 + hours(24), "a crisis owes the leaders a written report");

    // One missed limit takes each one level further.
    app.set_clock(t0 + hours(12));
    app.run_deadlines().await;
    let c = app.complaint(&desk, major).await;
    assert_eq!(c["escalation_level"], "company_leader");
    assert_eq!(due(&c, "written_report_leader"), t0 + hours(36));
    let c = app.complaint(&desk, crisis).await;
    assert_eq!(c["escalation_level"], "board");
    assert_eq!(due(&c, "written_report_board"), t0 + hours(60));
}

#[tokio::test]
async fn a_repeat_complaint_is_linked_and_each_repeat_starts_more_severe_and_higher() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let first = app.new_complaint(&desk).await;
    assert!(first["repeat"].is_null());
    assert!(first["severity"].is_null());

    let mut again = complaint_body();
    again["customer"]["phone"] = json!("13812345678");
    again["description"] = json!("3栋1801卫生间顶上还在滴水，修过一次又开始漏了，请尽快处理。");
    let mut expected = vec![];
    let mut previous = first.clone();
    for (n, severity, level) in [(1, "major", "department_head"), (2, "crisis", "company_leader"), (3, "crisis", "board")] {
        app.advance(days(10));
        let c = app.new_complaint_from(&desk, &again).await;
        assert_eq!(c["repeat"]["of"], previous["id"], "repeat {n}");
        assert_eq!(c["repeat"]["tracking_no"], previous["tracking_no"]);
        assert_eq!(c["repeat"]["count"], n);
        assert_eq!(c["severity"], severity, "repeat {n}");
        assert_eq!(c["escalation_level"], level, "repeat {n}");
        assert_eq!(deadline(&c, "dispatch")["level"], level);
        expected.push(c.clone());
        previous = c;
    }
    assert_eq!(due(&expected[1], "written_report_leader"), t0 + days(20) + hours(24));
    assert_eq!(due(&expected[2], "written_report_board"), t0 + days(30) + hours(48));
    let history = app.complaint(&desk, id(&expected[0])).await;
    assert_eq!(history["history"][0]["payload"]["repeat"]["count"], 1);

    // Assessment cannot lower a repeat's severity or level.
    let r = id(&expected[0]);
    app.act(&desk, r, json!({"action": "confirm"})).await;
    let c = app.act(&desk, r, json!({"action": "assess", "severity": "general"})).await;
    assert_eq!(c["severity"], "major");
    assert_eq!(c["escalation_level"], "department_head");

    // Not a repeat: another issue, another unit, or outside the 90-day window.
    let mut fees = again.clone();
    fees["subject"] = json!("物业费");
    fees["description"] = json!("今年物业费比去年多收了两百元，请解释收费标准。");
    assert!(app.new_complaint_from(&desk, &fees).await["repeat"].is_null());
    let mut other_unit = again.clone();
    other_unit["unit"] = json!("1802");
    assert!(app.new_complaint_from(&desk, &other_unit).await["repeat"].is_null());
    app.advance(days(91));
    let c = app.new_complaint_from(&desk, &again).await;
    assert!(c["repeat"].is_null(), "{}", c["repeat"]);
    assert_eq!(c["escalation_level"], "service_centre");
}

#[tokio::test]
async fn the_repeat_window_is_configuration() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig { repeat_window_days: 7, ..AppConfig::default() }).await;
    let desk = app.token(Role::FrontDesk).await;
    app.new_complaint(&desk).await;
    app.advance(days(6));
    assert_eq!(app.new_complaint(&desk).await["repeat"]["count"], 1);
    app.advance(days(8));
    assert!(app.new_complaint(&desk).await["repeat"].is_null());
}

#[tokio::test]
async fn an_approved_extension_moves_the_answer_deadline_and_the_owner_s_committed_time() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let head = app.token(Role::DepartmentHead).await;
    let c = app.new_complaint(&desk).await;
    let (id, tracking_no) = (id(&c), c["tracking_no"].as_str().unwrap().to_string());
    app.walk_to(id, "in_progress").await;
    assert_eq!(time(&app.track(&tracking_no).await["committed_at"]), t0 + days(3));

    app.advance(days(1));
    let res = app
        .transition(&handler, id, json!({"action": "request_extension", "reason": "需要等厂家配件", "new_time": t0 + days(2)}))
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("new_time")).await;
    let new_time = t0 + days(5);
    let c = app
        .act(&handler, id, json!({"action": "request_extension", "reason": "需要等厂家配件", "new_time": new_time}))
        .await;
    assert_eq!(c["pending_extension"]["reason"], "需要等厂家配件");
    assert_eq!(time(&c["pending_extension"]["due_at"]), new_time);
    assert_eq!(time(&c["committed_at"]), t0 + days(3), "nothing moves before approval");
    let res = app.transition(&handler, id, json!({"action": "decide_extension", "approve": true})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a handler does not approve their own request");

    let c = app.act(&head, id, json!({"action": "decide_extension", "approve": true, "note": "同意延期"})).await;
    assert!(c["pending_extension"].is_null());
    let answer = deadline(&c, "answer");
    assert_eq!(time(&answer["due_at"]), new_time);
    assert_eq!(answer["extensions"], 1);
    assert_eq!(time(&c["committed_at"]), new_time);
    let owner = app.track(&tracking_no).await;
    assert_eq!(time(&owner["committed_at"]), new_time, "the owner is told the new time");
    assert!(owner["history"].as_array().unwrap().iter().any(|e| e["type"] == "extension_decided"), "{owner}");

    let c = app.complaint(&desk, id).await;
    let requested = history_of(&c, "extension_requested");
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0]["actor"]["role"], "handler");
    let decided = history_of(&c, "extension_decided");
    assert_eq!(decided[0]["payload"]["approved"], true);
    assert_eq!(decided[0]["actor"]["role"], "department_head");
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "answer"), ["applied", "extended"]);
    let extended = view["events"].as_array().unwrap().iter().find(|e| e["happened"] == "extended").unwrap();
    assert_eq!(time(&extended["due_at"]), new_time);

    // The old time passes quietly; the new one is enforced.
    app.set_clock(t0 + days(3) + hours(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle);
    app.set_clock(new_time);
    app.run_deadlines().await;
    assert_eq!(life(&app.deadlines(&desk, id).await, "answer").last().unwrap(), "breached");
}

#[tokio::test]
async fn an_extended_deadline_is_warned_at_80_percent_of_its_new_time() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let head = app.token(Role::DepartmentHead).await;
    let id = complaint_of(&app, &desk, 1).await;
    app.walk_to(id, "in_progress").await;
    app.advance(days(1));
    let new_time = t0 + days(5);
    app.act(&handler, id, json!({"action": "request_extension", "reason": "需要等厂家配件", "new_time": new_time})).await;
    let c = app.act(&head, id, json!({"action": "decide_extension", "approve": true})).await;
    // Approved at 1 day: warned at 80% of the 4 days left.
    let warn_at = t0 + days(1) + hours(76) + minutes(48);
    assert_eq!(deadline(&c, "answer")["at_risk_at"].as_str().map(at), Some(warn_at));
    app.set_clock(warn_at);
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    app.set_clock(new_time);
    app.run_deadlines().await;
    assert_eq!(life(&app.deadlines(&desk, id).await, "answer"), ["applied", "extended", "at_risk", "breached"]);
}

#[tokio::test]
async fn the_policy_may_name_the_company_leaders_as_the_approvers_of_extensions() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let head = app.token(Role::DepartmentHead).await;
    let leader = app.token(Role::CompanyLeader).await;
    let admin = app.token(Role::Admin).await;
    let res = app
        .put_text(&admin, "/api/v1/admin/time-limits", "[companies.HTWY.limits]\nextension_approver = \"company_leader\"\n")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let id = complaint_of(&app, &desk, 1).await;
    app.walk_to(id, "in_progress").await;
    app.act(&handler, id, json!({"action": "request_extension", "reason": "需要业委会表决", "new_time": t0 + days(10)})).await;
    let res = app.transition(&head, id, json!({"action": "decide_extension", "approve": true})).await;
    let problem = assert_problem(res, StatusCode::FORBIDDEN, "role_not_allowed", None).await;
    assert!(problem["message_en"].as_str().unwrap().contains("company_leader"), "{problem}");
    let c = app.act(&leader, id, json!({"action": "decide_extension", "approve": true})).await;
    assert_eq!(due(&c, "answer"), t0 + days(10));
    let c = app.complaint(&desk, id).await;
    assert_eq!(history_of(&c, "extension_decided")[0]["actor"]["role"], "company_leader");
}

#[tokio::test]
async fn a_refused_extension_leaves_the_answer_deadline_where_it_was() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let head = app.token(Role::DepartmentHead).await;
    let c = app.new_complaint(&desk).await;
    let (id, tracking_no) = (id(&c), c["tracking_no"].as_str().unwrap().to_string());
    app.walk_to(id, "in_progress").await;
    app.act(&handler, id, json!({"action": "request_extension", "reason": "人手不足", "new_time": t0 + days(6)})).await;
    let c = app.act(&head, id, json!({"action": "decide_extension", "approve": false, "note": "请按原时限办理"})).await;
    assert!(c["pending_extension"].is_null());
    assert_eq!(due(&c, "answer"), t0 + days(3));
    assert_eq!(deadline(&c, "answer").get("extensions"), None);
    assert_eq!(time(&c["committed_at"]), t0 + days(3));
    assert_eq!(time(&app.track(&tracking_no).await["committed_at"]), t0 + days(3));
    let c = app.complaint(&desk, id).await;
    assert_eq!(history_of(&c, "extension_decided")[0]["payload"]["approved"], false);
    assert_eq!(life(&app.deadlines(&desk, id).await, "answer"), ["applied"]);
    app.set_clock(t0 + days(3));
    app.run_deadlines().await;
    assert_eq!(life(&app.deadlines(&desk, id).await, "answer").last().unwrap(), "breached");
}

#[tokio::test]
async fn a_returned_complaint_is_dispatched_again_without_restarting_the_answer_clock() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let cleaner = app.add_staff("cleaner", "周洁", Role::Handler, Some("environment")).await;
    let id = investigated(&app, &desk, 6).await;
    app.advance(hours(1));
    let c = app.act(&desk, id, json!({"action": "dispatch"})).await;
    assert_eq!(c["department"]["code"], "engineering");
    let answer_due = due(&c, "answer");
    assert_eq!(answer_due, t0 + days(3));

    app.advance(hours(1));
    let c = app.act(&handler, id, json!({"action": "return", "reason": "楼道垃圾属于环境部，非工程部"})).await;
    assert_eq!(c["status"], "investigating");
    assert!(c["department"].is_null());
    assert_eq!(c["returned_count"], 1);
    assert_eq!(deadline(&c, "delay_notice")["state"], "cancelled");
    assert_eq!(due(&c, "answer"), answer_due);
    let res = app.transition(&handler, id, json!({"action": "accept"})).await;
    assert!(res.status().is_client_error());

    app.advance(hours(2));
    let c = app.act(&desk, id, json!({"action": "dispatch", "department": "environment"})).await;
    assert_eq!(c["department"]["code"], "environment");
    assert_eq!(due(&c, "delay_notice"), t0 + hours(6), "the new department gets its own 2 hours");
    assert_eq!(due(&c, "answer"), answer_due, "the answer clock does not restart");
    assert_eq!(deadline_count(&c, "answer"), 1);
    assert_eq!(time(&deadline(&c, "dispatch")["closed_at"]), t0 + hours(1), "dispatch was met by the first dispatch");
    app.act(&cleaner, id, json!({"action": "accept"})).await;

    let c = app.complaint(&desk, id).await;
    let returned = history_of(&c, "returned");
    assert_eq!(returned.len(), 1);
    assert_eq!(returned[0]["payload"]["reason"], "楼道垃圾属于环境部，非工程部");
    assert_eq!(returned[0]["payload"]["department"]["code"], "engineering");
    assert_eq!(history_of(&c, "dispatched").len(), 2);

    app.set_clock(answer_due);
    app.run_deadlines().await;
    assert_eq!(life(&app.deadlines(&desk, id).await, "answer"), ["applied", "breached"]);
}

#[tokio::test]
async fn urges_are_counted_and_shown() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let leader = app.token(Role::CompanyLeader).await;
    let id = complaint_of(&app, &desk, 111).await;
    let res = app.transition(&desk, id, json!({"action": "urge"})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "nothing to urge before dispatch");
    app.walk_to(id, "dispatched").await;
    app.act(&desk, id, json!({"action": "urge", "note": "业主第二次来电"})).await;
    app.act(&desk, id, json!({"action": "urge"})).await;
    let c = app.act(&leader, id, json!({"action": "urge", "note": "请今天内处理"})).await;
    assert_eq!(c["urge_count"], 3);
    let c = app.complaint(&desk, id).await;
    let urges = history_of(&c, "urged");
    assert_eq!(urges.len(), 3);
    assert_eq!(urges[2]["actor"]["role"], "company_leader");
    assert_eq!(urges[0]["payload"]["note"], "业主第二次来电");
    let notices = app.services.store().list_unrouted_notifications(100).await.unwrap();
    let urged: Vec<_> = notices.iter().filter(|n| n.kind == "urged").collect();
    assert_eq!(urged.len(), 3);
    assert!(urged[2].body.contains("第 3 次"), "{}", urged[2].body);
    assert_eq!(urged[2].department.as_deref(), Some("engineering"));
}

#[tokio::test]
async fn pausing_while_waiting_on_the_customer_moves_the_answer_due_time_by_the_pause() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = complaint_of(&app, &desk, 112).await;
    app.walk_to(id, "in_progress").await;
    app.advance(hours(10));
    let c = app.act(&desk, id, json!({"action": "pause", "reason": "等待业主提供楼上住户联系方式"})).await;
    assert_eq!(time(&c["paused_at"]), t0 + hours(10));
    assert_eq!(time(&deadline(&c, "answer")["paused_at"]), t0 + hours(10));
    assert!(deadline(&c, "delay_notice")["paused_at"].is_null(), "internal limits never pause");

    app.set_clock(t0 + days(4));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "a paused clock does not fire");
    let c = app.act(&desk, id, json!({"action": "resume", "note": "业主已提供"})).await;
    assert!(c["paused_at"].is_null());
    // Paused 86 hours: due at 72 h + 86 h.
    let answer = deadline(&c, "answer");
    assert_eq!(time(&answer["due_at"]), t0 + hours(158));
    assert_eq!(time(&answer["at_risk_at"]), t0 + minutes(3456) + hours(86));
    assert_eq!(time(&c["committed_at"]), t0 + hours(158));

    app.set_clock(t0 + hours(158) - minutes(1));
    app.run_deadlines().await;
    app.set_clock(t0 + hours(158));
    app.run_deadlines().await;
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "answer"), ["applied", "paused", "resumed", "at_risk", "breached"]);
    let c = app.complaint(&desk, id).await;
    assert_eq!(history_of(&c, "paused")[0]["payload"]["reason"], "等待业主提供楼上住户联系方式");
    assert_eq!(history_of(&c, "resumed").len(), 1);
}

#[tokio::test]
async fn a_restart_neither_repeats_a_recorded_firing_nor_loses_one_that_fell_due_meanwhile() {
    let t0 = at(MONDAY);
    let mut app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let early = complaint_of(&app, &desk, 113).await;
    app.advance(hours(6));
    let late = complaint_of(&app, &desk, 114).await;

    app.set_clock(t0 + hours(12));
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    assert_eq!(life(&app.deadlines(&desk, early).await, "dispatch"), ["applied", "breached"]);

    app.restart().await;
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle, "the breach recorded before the restart is not repeated");
    let c = app.complaint(&desk, early).await;
    assert_eq!(history_of(&c, "deadline_breached").len(), 1);
    assert_eq!(c["escalation_level"], "department_head");

    // The late complaint's warning (15.6 h) and due time (18 h) both pass while
    // nothing runs; after the restart the breach is recorded once.
    app.set_clock(t0 + hours(18));
    app.restart().await;
    assert_eq!(app.run_deadlines().await, StepOutcome::Processed(1));
    assert_eq!(app.run_deadlines().await, StepOutcome::Idle);
    let view = app.deadlines(&desk, late).await;
    assert_eq!(life(&view, "dispatch"), ["applied", "breached"]);
    assert_eq!(view["escalation_level"], "department_head");
    assert_eq!(history_of(&app.complaint(&desk, early).await, "deadline_breached").len(), 1);
}

#[tokio::test]
async fn the_background_worker_fires_deadlines_on_the_injected_clock_and_once_across_a_restart() {
    let t0 = at(MONDAY);
    let mut app = spawn_app_at_with_worker(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = complaint_of(&app, &desk, 115).await;
    app.set_clock(t0 + hours(12));
    let view = app.wait_for_deadline(&desk, id, "dispatch", "breached").await;
    assert_eq!(life(&view, "dispatch"), ["applied", "breached"]);

    app.restart().await;
    // The next firing (the answer at 80% of 3 days) proves the new worker ran.
    app.set_clock(t0 + hours(58));
    let view = app.wait_for_deadline(&desk, id, "answer", "at_risk").await;
    assert_eq!(life(&view, "dispatch"), ["applied", "breached"], "not repeated by the new worker");
    let c = app.complaint(&desk, id).await;
    assert_eq!(history_of(&c, "deadline_breached").len(), 1);
    assert_eq!(history_of(&c, "deadline_at_risk").len(), 1);
}

#[tokio::test]
async fn a_repeat_is_still_found_after_a_restart() {
    // Intake asks the database only about customers known to have complained
    // (kept in memory): after a restart that knowledge is read back.
    let t0 = at(MONDAY);
    let mut app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let first = app.new_complaint(&desk).await;
    app.restart().await;
    let desk = app.token(Role::FrontDesk).await;
    app.advance(days(3));
    let mut again = complaint_body();
    again["description"] = json!("3栋1801卫生间顶上还在滴水，修过一次又开始漏了，请尽快处理。");
    let c = app.new_complaint_from(&desk, &again).await;
    assert_eq!(c["repeat"]["of"], first["id"], "{}", c["repeat"]);
}

#[tokio::test]
async fn when_the_company_s_leaders_take_a_complaint_the_answer_gets_7_working_days_from_receipt() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let head = app.token(Role::DepartmentHead).await;
    let c = app.new_complaint(&desk).await;
    let (id, tracking_no) = (id(&c), c["tracking_no"].as_str().unwrap().to_string());
    assert_eq!(due(&c, "answer"), t0 + days(3));
    app.walk_to(id, "in_progress").await;
    app.advance(hours(5));
    let c = app.act(&head, id, json!({"action": "escalate", "reason": "需要公司领导协调"})).await;
    assert_eq!(c["escalation_level"], "company_leader");
    // Received Monday 11-23: the 7th working day after receipt is Wed 12-02.
    assert_eq!(due(&c, "answer"), end_of_day("2026-12-02"));
    assert_eq!(time(&c["committed_at"]), end_of_day("2026-12-02"), "the owner is told the longer time");
    assert_eq!(time(&app.track(&tracking_no).await["committed_at"]), end_of_day("2026-12-02"));
    let view = app.deadlines(&desk, id).await;
    assert_eq!(life(&view, "answer"), ["applied", "cancelled", "applied"]);
    // Escalating further does not move it again.
    let leader = app.token(Role::CompanyLeader).await;
    let c = app.act(&leader, id, json!({"action": "escalate", "reason": "需要集团调配资源"})).await;
    assert_eq!(due(&c, "answer"), end_of_day("2026-12-02"));
}
