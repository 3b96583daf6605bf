//! The dashboard: a known set of complaints, some walked through closure
//! and callbacks, one left to breach its dispatch limit, gives exact
//! numbers from the dashboard service (read from the figures kept as events
//! are written, not from the complaints), and the page draws each of its
//! six charts as inline SVG. Leaders, the board, analysts, department heads
//! and administrators see it; the front desk and handlers get the 403 page.

use crate::admin_pages::{Browser, testid};
use crate::helpers::*;
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_app::AppConfig;
use tousu_app::dashboard::Dashboard;
use tousu_domain::Role;

/// How a chart drawn on the server starts (legend swatches are small SVGs too).
const CHART_SVG: &str = "<svg width=";

/// Monday 2026-11-23, 10:00 in Shanghai.
const MONDAY: &str = "2026-11-23T10:00:00+08:00";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn body(project: &str, building: &str, unit: &str, phone: &str, category: &str) -> Value {
    let mut b = complaint_body();
    b["category"] = json!(category);
    b["project"] = json!(project);
    b["building"] = json!(building);
    b["unit"] = json!(unit);
    b["customer"]["phone"] = json!(phone);
    b
}

/// Deadlines met on time, met late and breached, counted from the complaints
/// themselves (what the figures must agree with).
fn deadline_outcomes(complaints: &[Value]) -> (i64, i64, i64) {
    let (mut met, mut late, mut breached) = (0, 0, 0);
    for c in complaints {
        for dl in c["deadlines"].as_array().unwrap() {
            let was_breached = !dl["breached_at"].is_null();
            if was_breached {
                breached += 1;
            }
            if dl["state"] == "met" {
                if was_breached { late += 1 } else { met += 1 }
            }
        }
    }
    (met, late, breached)
}

struct Loaded {
    app: TestApp,
    ids: Vec<i64>,
}

/// Six complaints over two days:
/// - Monday: c1 and c2 (锦园华苑 3栋, facilities) closed and called back,
///   9/8 and 8/8; c3 (丽湖湾 A座, fees) left received, so its 12 h dispatch
///   limit breaches; c4 (锦园华苑 1栋, facilities) in progress; c5 (锦园华苑
///   3栋, consultation) closed as invalid.
/// - Tuesday: c6 (丽湖湾 B座) recorded as fees, assessed as service.
async fn load() -> Loaded {
    let t0 = at(MONDAY);
    let app = spawn_app_at(t0, AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let mut ids = Vec::new();
    let specs = [
        ("JYHY", "3栋", "1801", "13800000001", "facilities"),
        ("JYHY", "3栋", "1702", "13800000002", "facilities"),
        ("LHW", "A座", "1203", "13800000003", "fees"),
        ("JYHY", "1栋", "501", "13800000004", "facilities"),
        ("JYHY", "3栋", "1601", "13800000005", "consultation"),
    ];
    for (p, b, u, phone, category) in specs {
        ids.push(app.new_complaint_from(&desk, &body(p, b, u, phone, category)).await["id"].as_i64().unwrap());
    }
    app.walk_to(ids[0], "closed").await;
    app.act(&desk, ids[0], json!({"action": "callback", "perceived": 9, "expected": 8, "comment": "很及时"})).await;
    app.walk_to(ids[1], "closed").await;
    app.act(&desk, ids[1], json!({"action": "callback", "perceived": 8, "expected": 8})).await;
    app.walk_to(ids[3], "in_progress").await;
    app.walk_to(ids[4], "closed_invalid").await;

    // Tuesday 10:00: the worker finds c3 undispatched after 24 h.
    app.set_clock(t0 + hours(24));
    app.run_deadlines().await;
    let c6 = app.new_complaint_from(&desk, &body("LHW", "B座", "2001", "13800000006", "fees")).await["id"].as_i64().unwrap();
    app.act(&desk, c6, json!({"action": "confirm"})).await;
    app.act(&desk, c6, json!({"action": "assess", "severity": "general", "category": "service"})).await;
    ids.push(c6);
    Loaded { app, ids }
}

async fn dashboard_as(app: &TestApp, role: Role) -> Result<Dashboard, tousu_app::AppError> {
    let token = app.token(role).await;
    let who = app.services.authenticate(&token).await.expect("a principal");
    app.services.dashboard(&who).await
}

#[tokio::test]
async fn the_dashboard_service_answers_the_exact_figures_of_a_known_set_of_complaints() {
    let Loaded { app, ids } = load().await;
    let d = dashboard_as(&app, Role::CompanyLeader).await.expect("leaders see the dashboard");
    assert_eq!(d.today, day("2026-11-24"));

    // Received per day by category, the last 30 days.
    let r = &d.received;
    assert_eq!((r.days.len(), r.days[0], r.days[29]), (30, day("2026-10-26"), day("2026-11-24")));
    let series = |c: &str| r.series.iter().find(|s| s.category == c).expect(c);
    assert_eq!(series("facilities").counts[28], 3, "c1, c2, c4, counted on Monday");
    assert_eq!(series("fees").counts[28], 1, "c3");
    assert_eq!(series("consultation").counts[28], 1, "c5");
    assert_eq!(series("service").counts[29], 1, "c6 on Tuesday, recorded as fees and assessed as service");
    assert_eq!((series("fees").total, series("emergency").total, series("uncategorised").total), (1, 0, 0));
    assert_eq!((r.per_day[28], r.per_day[29], r.total), (5, 1, 6));
    assert_eq!(r.per_day.iter().take(28).sum::<i64>(), 0);

    // Open complaints by state.
    let open: Vec<(&str, i64)> = d.open_by_status.iter().filter(|s| s.count > 0).map(|s| (s.status.as_str(), s.count)).collect();
    assert_eq!(open, [("received", 1), ("assessed", 1), ("in_progress", 1)]);
    assert_eq!(d.open_total, 3);

    // Deadlines this week: what the complaints say, and exactly these numbers.
    let mut complaints = Vec::new();
    let desk = app.token(Role::FrontDesk).await;
    for id in &ids {
        complaints.push(app.complaint(&desk, *id).await);
    }
    let (met, late, breached) = deadline_outcomes(&complaints);
    assert_eq!(d.deadlines.len(), 12);
    let week = &d.deadlines[11];
    assert_eq!(week.week, day("2026-11-23"));
    assert_eq!((week.met, week.met_late, week.breached), (met, late, breached), "the figures agree with the complaints");
    // c3's dispatch limit, and c1's and c2's 2 h to tell the first responder
    // the outcome (nobody recorded it before the worker ran on Tuesday).
    assert_eq!(breached, EXPECTED_BREACHED);
    assert_eq!((week.met, week.met_late), (EXPECTED_MET, 0));
    assert!(d.deadlines[..11].iter().all(|w| (w.met, w.met_late, w.breached) == (0, 0, 0)));

    // Satisfaction: November's callbacks, 9/8 and 8/8, average 1.0625.
    assert_eq!(d.satisfaction.len(), 12);
    let nov = &d.satisfaction[11];
    assert_eq!((nov.month, nov.callbacks, nov.index_milli, nov.index), (day("2026-11-01"), 2, 1125 + 1000, Some(1.0625)));
    assert!(d.satisfaction[..11].iter().all(|m| m.callbacks == 0 && m.index.is_none()));

    // The most complained-of projects and buildings.
    let projects: Vec<(&str, i64)> = d.top_projects.iter().map(|p| (p.project_name.as_str(), p.count)).collect();
    assert_eq!(projects, [("锦园华苑", 4), ("丽湖湾", 2)]);
    let buildings: Vec<(&str, &str, i64)> =
        d.top_buildings.iter().map(|b| (b.project_code.as_str(), b.building.as_deref().unwrap(), b.count)).collect();
    assert_eq!(buildings, [("JYHY", "3栋", 3), ("JYHY", "1栋", 1), ("LHW", "A座", 1), ("LHW", "B座", 1)]);
    assert_eq!(d.ranking_since, day("2025-12-01"));

    // The same figures for every role allowed; refused to the others.
    for role in [Role::Board, Role::Analyst, Role::DepartmentHead, Role::Admin] {
        assert_eq!(dashboard_as(&app, role).await.expect("allowed"), d, "{role:?}");
    }
    for role in [Role::FrontDesk, Role::Handler] {
        let err = dashboard_as(&app, role).await.expect_err("refused");
        assert!(matches!(err, tousu_app::AppError::Forbidden { .. }), "{role:?}: {err:?}");
    }
}

/// Deadlines met on time by the walks of [`load`], as the complaints list
/// them: c1 and c2 five each (dispatch, delay notice, answer, callback,
/// latest callback), c4 two (dispatch, delay notice).
const EXPECTED_MET: i64 = 12;
/// c3's dispatch, c1's and c2's first-responder update.
const EXPECTED_BREACHED: i64 = 3;

#[tokio::test]
async fn the_page_draws_each_chart_as_inline_svg_with_the_figures_beside_it() {
    let Loaded { app, .. } = load().await;
    let leader = Browser::demo(&app, "leader").await;
    let home = leader.get("/").await;
    assert!(home.html.contains(">数据看板</a>"), "leaders are shown the dashboard link");
    let p = leader.get("/dashboard").await;
    assert_eq!(p.status, StatusCode::OK);
    let html = &p.html;
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("数据看板"));
    for chart in ["received", "open", "deadlines", "satisfaction", "top-projects", "top-buildings"] {
        let at = html.find(&format!("id=\"chart-{chart}\"")).unwrap_or_else(|| panic!("the {chart} chart"));
        let section = &html[at..at + html[at..].find("</section>").expect("the section ends")];
        assert_eq!(section.matches(CHART_SVG).count(), 1, "one inline chart SVG in {chart}");
        assert!(section.contains("viewBox=") && section.contains("</svg>"), "{chart}");
        assert!(section.contains("font-family=\"PingFang SC"), "the CJK font stack in {chart}");
    }
    assert_eq!(html.matches(CHART_SVG).count(), 6);
    assert_eq!(testid(html, "received-total"), "6");
    assert_eq!(testid(html, "open-total"), "3");
    assert_eq!(testid(html, "latest-index"), "1.06");
    // 12 met on time of 12 + 3 that came due: 80 %.
    assert_eq!(EXPECTED_MET * 100 / (EXPECTED_MET + EXPECTED_BREACHED), 80);
    assert_eq!(testid(html, "on-time"), "80%");
    // Labels drawn inside the SVG, escaped and in Chinese.
    let top = &html[html.find("id=\"chart-top-buildings\"").unwrap()..];
    assert!(top.contains(">锦园华苑 3栋<") || top.contains(">\n锦园华苑 3栋\n<"), "the building's name in the chart");
    assert!(html.contains("设施设备") && html.contains("已受理") && html.contains("超时"), "legends and states in Chinese");

    // Another language: the same charts, labelled from its catalogue.
    leader.get("/lang/en?next=/dashboard").await;
    let en = leader.get("/dashboard").await;
    assert_eq!(en.html.matches(CHART_SVG).count(), 6);
    assert!(en.html.contains("Facilities") && en.html.contains("Breached") && en.html.contains("Received"), "English labels");
    assert!(!en.html.contains("设施设备"));

    for username in ["depthead", "board", "analyst", "admin"] {
        let b = Browser::demo(&app, username).await;
        let p = b.get("/dashboard").await;
        assert_eq!(p.status, StatusCode::OK, "{username}");
        assert_eq!(p.html.matches(CHART_SVG).count(), 6, "{username}");
    }
    for username in ["frontdesk", "handler"] {
        let b = Browser::demo(&app, username).await;
        assert!(!b.get("/").await.html.contains(">数据看板</a>"), "{username} is not shown the link");
        let p = b.get("/dashboard").await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{username}");
        assert!(p.html.contains("您没有权限查看此页面"));
    }
}

#[tokio::test]
async fn an_empty_company_has_a_dashboard_of_zeros_with_every_chart_drawn() {
    let app = spawn_app_at(at(MONDAY), AppConfig::default()).await;
    let d = dashboard_as(&app, Role::Analyst).await.expect("analysts see it");
    assert_eq!((d.received.total, d.open_total), (0, 0));
    assert!(d.top_projects.is_empty() && d.top_buildings.is_empty());
    assert!(d.satisfaction.iter().all(|m| m.index.is_none()));
    let b = Browser::demo(&app, "analyst").await;
    let p = b.get("/dashboard").await;
    assert_eq!(p.status, StatusCode::OK);
    assert_eq!(p.html.matches(CHART_SVG).count(), 6);
    assert_eq!(testid(&p.html, "latest-index"), "—");
    assert!(p.html.contains("暂无数据"));
}
