//! Administration of time limits and the working-day calendar: the policy
//! document (TOML) and calendar years are replaced through the admin API
//! (checked first: a bad document is 422 naming the problem and changes
//! nothing), saved in the data folder and kept across a restart; new
//! complaints get the new deadlines. Calendar years are also imported
//! with the `tousu calendar` command.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;
use tousu_app::AppConfig;
use tousu_domain::Role;

const MONDAY: &str = "2026-11-23T09:00:00+08:00";
const BIN: &str = env!("CARGO_BIN_EXE_tousu");

const POLICY: &str = r#"# 华庭物业的时限
[limits]
dispatch = "12h"

[companies.HTWY.projects.JYHY.limits]
dispatch = "6h"

[[companies.HTWY.commitments]]
service = "lift"
name = "电梯故障"
answer = "24h"
"#;

/// 2027 with 2027-01-04 (a Monday) as a holiday.
const YEAR_2027: &str = r#"# 测试用：2027 年元旦假期延至 1 月 4 日
year = 2027
official = true
source = "测试通知"
holidays = ["2027-01-01", "2027-01-04"]
workdays = []
"#;

fn lift(project: &str, building: &str, unit: &str) -> Value {
    let mut body = complaint_body();
    body["project"] = json!(project);
    body["building"] = json!(building);
    body["unit"] = json!(unit);
    body["subject"] = json!("电梯故障");
    body["description"] = json!("电梯按钮失灵，按了没有反应。");
    body["service"] = json!("lift");
    body["customer"]["phone"] = json!(format!("137{unit:0>8}"));
    body
}

fn leak(project: &str, building: &str, unit: &str) -> Value {
    let mut body = complaint_body();
    body["project"] = json!(project);
    body["building"] = json!(building);
    body["unit"] = json!(unit);
    body["customer"]["phone"] = json!(format!("136{unit:0>8}"));
    body
}

async fn policy(app: &TestApp, admin: &str) -> Value {
    let res = app.get(admin, "/api/v1/admin/time-limits").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn calendar(app: &TestApp, admin: &str) -> Vec<Value> {
    let res = app.get(admin, "/api/v1/admin/calendar").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

fn year(years: &[Value], y: i64) -> &Value {
    years.iter().find(|v| v["year"] == y).unwrap_or_else(|| panic!("{y} not covered: {years:?}"))
}

#[tokio::test]
async fn a_project_override_and_a_service_commitment_set_the_deadlines_of_new_complaints_and_survive_a_restart() {
    let t0 = at(MONDAY);
    let mut app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let file = app.data_dir.join("time-limits.toml");
    let shipped = std::fs::read_to_string(&file).expect("the defaults are written on first start");
    assert!(shipped.contains("dispatch = \"12h\"") && shipped.contains("answer_multi = \"7wd\""), "{shipped}");
    let view = policy(&app, &admin).await;
    assert_eq!(view["toml"], shipped);
    assert_eq!(view["effective"][0]["limits"]["dispatch"], "12h");
    let before = app.new_complaint_from(&desk, &lift("JYHY", "1栋", "101")).await;

    let res = app.put_text(&admin, "/api/v1/admin/time-limits", POLICY).await;
    assert_eq!(res.status(), StatusCode::OK);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["toml"], POLICY);
    let project = view["effective"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["company"] == "HTWY" && p["project"] == "JYHY")
        .expect("the project's policy");
    assert_eq!(project["limits"]["dispatch"], "6h");
    assert_eq!(project["commitments"][0]["answer"], "24h");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), POLICY, "saved in the data folder");

    // In the project, for the lift: dispatch in 6 h, the committed answer in 24 h.
    let c = app.new_complaint_from(&desk, &lift("JYHY", "1栋", "102")).await;
    assert_eq!(due(&c, "dispatch"), t0 + hours(6));
    assert_eq!(due(&c, "answer"), t0 + hours(24));
    assert_eq!(deadline(&c, "answer")["committed"], true);
    assert_eq!(time(&c["committed_at"]), t0 + hours(24));
    // Another service in the project: its dispatch, the default answer.
    let c = app.new_complaint_from(&desk, &leak("JYHY", "2栋", "201")).await;
    assert_eq!(due(&c, "dispatch"), t0 + hours(6));
    assert_eq!(due(&c, "answer"), t0 + days(3));
    // Another project of the company: the default dispatch, the company's commitment.
    let c = app.new_complaint_from(&desk, &lift("LHW", "A座", "1201")).await;
    assert_eq!(due(&c, "dispatch"), t0 + hours(12));
    assert_eq!(due(&c, "answer"), t0 + hours(24));
    // A complaint received earlier keeps the deadlines it was given.
    let before = app.complaint(&desk, before["id"].as_i64().unwrap()).await;
    assert_eq!(due(&before, "dispatch"), t0 + hours(12));
    assert_eq!(due(&before, "answer"), t0 + days(3));

    app.restart().await;
    assert_eq!(policy(&app, &admin).await["toml"], POLICY);
    app.advance(hours(1));
    let c = app.new_complaint_from(&desk, &lift("JYHY", "3栋", "301")).await;
    assert_eq!(due(&c, "dispatch"), t0 + hours(7));
    assert_eq!(due(&c, "answer"), t0 + hours(25));
}

#[tokio::test]
async fn a_bad_policy_is_422_naming_the_problem_and_changes_nothing() {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let res = app.put_text(&admin, "/api/v1/admin/time-limits", POLICY).await;
    assert_eq!(res.status(), StatusCode::OK);
    let file = app.data_dir.join("time-limits.toml");

    for (body, names) in [
        ("[companies.HTWY.limits]\ndispach = \"6h\"\n", vec!["companies.HTWY", "dispach"]),
        ("[companies.HTWY.projects.JYHY.limits]\ndispatch = \"6 hours\"\n", vec!["companies.HTWY.projects.JYHY", "6 hours"]),
        ("[limits]\ndispatch = \"12h\"\nnot toml [", vec!["TOML"]),
        ("[limits]\nat_risk_percent = 150\n", vec!["at_risk_percent"]),
        ("[[companies.HTWY.commitments]]\nservice = \"lift\"\nanswer = \"1d\"\n[[companies.HTWY.commitments]]\nservice = \"lift\"\nanswer = \"2d\"\n", vec!["lift"]),
        ("[limit]\ndispatch = \"6h\"\n", vec!["limit"]),
    ] {
        let res = app.put_text(&admin, "/api/v1/admin/time-limits", body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", None).await;
        let message = problem["message_en"].as_str().unwrap();
        for name in names {
            assert!(message.contains(name), "{body:?}: `{message}` should name {name}");
        }
        assert!(!problem["message_zh"].as_str().unwrap().is_empty());
        assert_eq!(policy(&app, &admin).await["toml"], POLICY, "{body:?} changed the policy");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), POLICY, "{body:?} changed the file");
    }
    let res = app
        .client
        .put(app.url("/api/v1/admin/time-limits"))
        .bearer_auth(&admin)
        .body(vec![0xff, 0xfe, b'['])
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST, "invalid_utf8", None).await;

    for role in [Role::FrontDesk, Role::DepartmentHead, Role::CompanyLeader, Role::Board, Role::Analyst] {
        let token = app.token(role).await;
        let res = app.put_text(&token, "/api/v1/admin/time-limits", "[limits]\ndispatch = \"1h\"\n").await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden", None).await;
        let res = app.get(&token, "/api/v1/admin/time-limits").await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden", None).await;
    }
    let c = app.new_complaint_from(&desk, &leak("JYHY", "1栋", "101")).await;
    assert_eq!(due(&c, "dispatch"), t0 + hours(6), "the good policy is still in force");
}

#[tokio::test]
async fn a_calendar_year_imported_through_the_api_moves_working_day_deadlines_and_survives_a_restart() {
    // Thursday 2026-12-31; 2027-01-01 is a holiday, 01-02/03 a weekend.
    let t0 = at("2026-12-31T10:00:00+08:00");
    let mut app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let years = calendar(&app, &admin).await;
    for y in [2025, 2026] {
        assert_eq!(year(&years, y)["official"], true);
    }
    assert_eq!(year(&years, 2027)["official"], false, "2027 ships provisional");

    let id = app.new_complaint_from(&desk, &leak("JYHY", "1栋", "101")).await["id"].as_i64().unwrap();
    let before = app.walk_to(id, "closed").await;
    assert_eq!(due(&before, "callback"), end_of_day("2027-01-05"), "Mon 01-04 and Tue 01-05");

    let res = app.put_text(&admin, "/api/v1/admin/calendar", YEAR_2027).await;
    assert_eq!(res.status(), StatusCode::OK);
    let imported: Value = res.json().await.unwrap();
    assert_eq!(imported["year"], 2027);
    assert_eq!(imported["official"], true);
    assert_eq!(imported["holidays"], 2);
    assert_eq!(imported["workdays"], 0);
    assert_eq!(imported["source"], "测试通知");
    let years = calendar(&app, &admin).await;
    assert_eq!(year(&years, 2027)["official"], true);
    assert_eq!(year(&years, 2027)["holidays"], 2);

    let id = app.new_complaint_from(&desk, &leak("JYHY", "1栋", "102")).await["id"].as_i64().unwrap();
    let after = app.walk_to(id, "closed").await;
    assert_eq!(due(&after, "callback"), end_of_day("2027-01-06"), "01-04 is now a holiday");
    assert_eq!(due(&after, "callback_latest"), t0 + days(7), "calendar days do not move");
    let before = app.complaint(&desk, before["id"].as_i64().unwrap()).await;
    assert_eq!(due(&before, "callback"), end_of_day("2027-01-05"), "deadlines already given stay");

    // Bad files are refused, naming what is wrong, and change nothing.
    for (body, names) in [
        ("year = 2027\nofficial = true\nholidays = [\"2027-01-01\"]\nworkdays = [\"2027-01-05\"]\n", vec!["2027-01-05", "Saturday or a Sunday"]),
        ("year = 2027\nofficial = true\nholidays = [\"2026-12-31\"]\n", vec!["2026-12-31", "2027"]),
        ("year = 2027\nofficial = true\nholiday = [\"2027-01-01\"]\n", vec!["holiday"]),
        ("year = 2027\nholidays = []\n", vec!["official"]),
        ("year = 2027\nofficial = true\nholidays = [\"2027-02-30\"]\n", vec!["2027-02-30"]),
        ("holidays = [", vec!["TOML"]),
    ] {
        let res = app.put_text(&admin, "/api/v1/admin/calendar", body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("calendar")).await;
        let message = problem["message_en"].as_str().unwrap();
        for name in names {
            assert!(message.contains(name), "{body:?}: `{message}` should name {name}");
        }
        let years = calendar(&app, &admin).await;
        assert_eq!(year(&years, 2027)["holidays"], 2, "{body:?} changed the calendar");
    }
    for role in [Role::FrontDesk, Role::CompanyLeader, Role::Analyst] {
        let token = app.token(role).await;
        let res = app.put_text(&token, "/api/v1/admin/calendar", YEAR_2027).await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden", None).await;
        let res = app.get(&token, "/api/v1/admin/calendar").await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden", None).await;
    }

    // A year the shipped calendar does not cover extends it.
    let res = app
        .put_text(&admin, "/api/v1/admin/calendar", "year = 2028\nofficial = false\nholidays = [2028-01-01]\n")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(year(&calendar(&app, &admin).await, 2028)["holidays"], 1);

    app.restart().await;
    assert_eq!(year(&calendar(&app, &admin).await, 2027)["holidays"], 2, "kept in the database");
    assert_eq!(year(&calendar(&app, &admin).await, 2028)["official"], false);
    let id = app.new_complaint_from(&desk, &leak("JYHY", "1栋", "201")).await["id"].as_i64().unwrap();
    let c = app.walk_to(id, "closed").await;
    assert_eq!(due(&c, "callback"), end_of_day("2027-01-06"));
}

fn tousu(args: &[&str], cwd: &Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.args(args).current_dir(cwd).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    for (key, _) in std::env::vars() {
        if key.starts_with("TOUSU_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

async fn run(args: &[&str], cwd: &Path) -> Output {
    let child = tousu(args, cwd).spawn().expect("tousu starts");
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("tousu {args:?} did not finish"))
        .expect("tousu ran")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn tousu_calendar_import_replaces_a_year_that_calendar_list_shows_and_a_server_started_there_uses() {
    let work = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap().to_string();
    let file = work.path().join("2027.toml");
    std::fs::write(&file, YEAR_2027).unwrap();

    let out = run(&["calendar", "list", "--data", &dir], work.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    let line = listed.lines().find(|l| l.starts_with("2027")).unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains("provisional"), "{line}");

    let out = run(&["calendar", "import", file.to_str().unwrap(), "--data", &dir], work.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 2027: 2 holidays, 0 make-up working days (official)"), "{}", text(&out.stdout));

    let out = run(&["calendar", "list", "--data", &dir], work.path()).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    let line = listed.lines().find(|l| l.starts_with("2027")).unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains("official") && !line.contains("provisional"), "{line}");
    assert!(line.contains("holidays  2") && line.contains("测试通知"), "{line}");
    assert!(listed.lines().any(|l| l.starts_with("2026") && l.contains("official")), "{listed}");

    // A bad file: exit status 2, the reason in Chinese and English, the year unchanged.
    let bad = work.path().join("bad.toml");
    std::fs::write(&bad, "year = 2027\nofficial = true\nholidays = [\"2027-01-01\"]\nworkdays = [\"2027-01-05\"]\n").unwrap();
    let out = run(&["calendar", "import", bad.to_str().unwrap(), "--data", &dir], work.path()).await;
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("调休上班日必须是周六或周日") && err.contains("must be a Saturday or a Sunday"), "{err}");
    let out = run(&["calendar", "import", work.path().join("missing.toml").to_str().unwrap(), "--data", &dir], work.path()).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.toml"), "{}", text(&out.stderr));
    let out = run(&["calendar", "list", "--data", &dir], work.path()).await;
    assert!(text(&out.stdout).lines().any(|l| l.starts_with("2027") && l.contains("holidays  2")));

    // A server started on that data folder counts with the imported year.
    let t0 = at("2026-12-31T10:00:00+08:00");
    let app = spawn_app_in(data, t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    assert_eq!(year(&calendar(&app, &admin).await, 2027)["official"], true);
    let id = app.new_complaint_from(&desk, &leak("JYHY", "1栋", "101")).await["id"].as_i64().unwrap();
    let c = app.walk_to(id, "closed").await;
    assert_eq!(due(&c, "callback"), end_of_day("2027-01-06"));
}
