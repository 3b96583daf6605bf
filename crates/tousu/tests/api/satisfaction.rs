//! Satisfaction figures (issue 7): four complaints with known callbacks over
//! two months give exact figures through `GET /api/v1/figures/satisfaction`
//! for every dimension, as JSON and as CSV; bad parameters are refused
//! naming the field; the front desk may not see them.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_app::AppConfig;
use tousu_domain::Role;

/// Monday 2026-11-23, 10:00 in Shanghai.
const NOVEMBER: &str = "2026-11-23T10:00:00+08:00";
/// Wednesday 2026-12-02, 10:00 in Shanghai.
const DECEMBER: &str = "2026-12-02T10:00:00+08:00";

/// Callbacks (perceived / expected; index, difference, verdict):
/// - November: c1 锦园华苑 handover 9/6 (1.5, +3, satisfied); c2 锦园华苑
///   repair 4/8 (0.5, −4, dissatisfied); c3 丽湖湾 handover 8/8 (1, 0, content);
/// - December: c4 锦园华苑 property_service 10/8 (1.25, +2, satisfied).
async fn load() -> TestApp {
    let app = spawn_app_at(at(NOVEMBER), AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let specs = [
        ("JYHY", "3栋", "1801", "handover", (9, 6)),
        ("JYHY", "3栋", "1702", "repair", (4, 8)),
        ("LHW", "A座", "1203", "handover", (8, 8)),
        ("JYHY", "1栋", "501", "property_service", (10, 8)),
    ];
    let mut ids = Vec::new();
    for (i, (project, building, unit, touchpoint, _)) in specs.iter().enumerate() {
        let mut body = complaint_body();
        body["project"] = json!(project);
        body["building"] = json!(building);
        body["unit"] = json!(unit);
        body["customer"]["phone"] = json!(format!("1380000000{i}"));
        let id = app.new_complaint_from(&desk, &body).await["id"].as_i64().unwrap();
        let c =
            app.act(&desk, id, json!({"action": "correct_triage", "field": "touchpoint", "value": touchpoint})).await;
        assert_eq!(c["triage"]["touchpoint"]["value"], *touchpoint);
        app.walk_to(id, "closed").await;
        ids.push(id);
    }
    for (i, (.., (perceived, expected))) in specs.iter().enumerate() {
        if i == 3 {
            app.set_clock(at(DECEMBER));
        }
        app.act(&desk, ids[i], json!({"action": "callback", "perceived": perceived, "expected": expected})).await;
    }
    app
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(token, &format!("/api/v1/figures/satisfaction?{query}")).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

/// `(key, callbacks, mean_index, mean_difference, satisfied, content, dissatisfied)` of each row.
fn rows(r: &Value) -> Vec<(String, u64, f64, f64, u64, u64, u64)> {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let n = |k: &str| row[k].as_u64().unwrap();
            let f = |k: &str| row[k].as_f64().unwrap();
            let key = row["key"].as_str().unwrap().to_string();
            (
                key,
                n("callbacks"),
                f("mean_index"),
                f("mean_difference"),
                n("satisfied"),
                n("content"),
                n("dissatisfied"),
            )
        })
        .collect()
}

fn row(
    key: &str,
    n: u64,
    index: f64,
    difference: f64,
    s: u64,
    c: u64,
    d: u64,
) -> (String, u64, f64, f64, u64, u64, u64) {
    (key.to_string(), n, index, difference, s, c, d)
}

#[tokio::test]
async fn callbacks_give_exact_satisfaction_figures_by_every_dimension() {
    let app = load().await;
    let analyst = app.token(Role::Analyst).await;
    let both = "from=2026-11&to=2026-12";

    let company = report(&app, &analyst, &format!("by=company&{both}")).await;
    assert_eq!(rows(&company), [row("all", 4, 1.063, 0.25, 2, 1, 1)], "(1.5 + 0.5 + 1 + 1.25) / 4 = 1.0625");
    let all = &company["rows"][0];
    assert_eq!(all["label"], "全公司");
    assert_eq!((all["satisfied_share"].as_f64(), all["content_share"].as_f64()), (Some(0.5), Some(0.25)));

    let projects = report(&app, &analyst, &format!("by=project&{both}")).await;
    assert_eq!(rows(&projects), [row("JYHY", 3, 1.083, 0.333, 2, 0, 1), row("LHW", 1, 1.0, 0.0, 0, 1, 0)]);
    assert_eq!(projects["rows"][0]["label"], "锦园华苑");

    let touchpoints = report(&app, &analyst, &format!("by=touchpoint&{both}")).await;
    assert_eq!(
        rows(&touchpoints),
        [
            row("handover", 2, 1.25, 1.5, 1, 1, 0),
            row("property_service", 1, 1.25, 2.0, 1, 0, 0),
            row("repair", 1, 0.5, -4.0, 0, 0, 1)
        ]
    );
    let stages = report(&app, &analyst, &format!("by=stage&{both}")).await;
    assert_eq!(rows(&stages), [row("handover", 3, 1.0, -0.333, 1, 1, 1), row("living", 1, 1.25, 2.0, 1, 0, 0)]);

    let months = report(&app, &analyst, &format!("by=month&{both}")).await;
    assert_eq!(rows(&months), [row("2026-11", 3, 1.0, -0.333, 1, 1, 1), row("2026-12", 1, 1.25, 2.0, 1, 0, 0)]);

    let departments = report(&app, &analyst, &format!("by=department&{both}")).await;
    assert_eq!(rows(&departments), [row("engineering", 4, 1.063, 0.25, 2, 1, 1)]);
    assert_eq!(departments["rows"][0]["label"], "工程部");
    let categories = report(&app, &analyst, &format!("by=category&{both}")).await;
    assert_eq!(rows(&categories), [row("facilities", 4, 1.063, 0.25, 2, 1, 1)]);

    // One month, one project.
    let november = report(&app, &analyst, "by=company&from=2026-11&to=2026-11").await;
    assert_eq!(rows(&november), [row("all", 3, 1.0, -0.333, 1, 1, 1)]);
    let lhw = report(&app, &analyst, &format!("by=touchpoint&{both}&project=LHW")).await;
    assert_eq!(rows(&lhw), [row("handover", 1, 1.0, 0.0, 0, 1, 0)]);
    let before = report(&app, &analyst, "by=company&from=2026-01&to=2026-10").await;
    assert!(rows(&before).is_empty(), "no callbacks then");

    // The same figures as CSV, for BI tools and Excel.
    let res = app.get(&analyst, &format!("/api/v1/figures/satisfaction?by=project&{both}&format=csv")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "\u{feff}key,label,callbacks,mean_index,mean_difference,satisfied,content,dissatisfied,satisfied_share,content_share,dissatisfied_share",
            "JYHY,锦园华苑,3,1.083,0.333,2,0,1,0.667,0,0.333",
            "LHW,丽湖湾,1,1,0,0,1,0,0,1,0",
        ]
    );
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_the_field_and_the_front_desk_may_not_see_figures() {
    let app = spawn_app().await;
    let analyst = app.token(Role::Analyst).await;
    for (query, field) in [
        ("by=building&from=2026-11&to=2026-12", "by"),
        ("by=company&from=2026-13&to=2026-12", "from"),
        ("by=company&from=2026-11&to=november", "to"),
        ("by=company&from=2026-12&to=2026-11", "to"),
        ("by=company&from=2000-01&to=2026-12", "to"),
        ("by=company&from=2026-11&to=2026-12&project=NOPE", "project"),
        ("by=company&from=2026-11&to=2026-12&format=xml", "format"),
    ] {
        let res = app.get(&analyst, &format!("/api/v1/figures/satisfaction?{query}")).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some(field)).await;
    }
    let res = app.get(&analyst, "/api/v1/figures/satisfaction?by=company").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "months are required");

    let desk = app.token(Role::FrontDesk).await;
    let res = app.get(&desk, "/api/v1/figures/satisfaction?by=company&from=2026-11&to=2026-12").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.get("", "/api/v1/figures/satisfaction?by=company&from=2026-11&to=2026-12").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_iceberg_shows_the_silent_customers_behind_each_projects_complaints() {
    let app = load().await;
    let leader = app.token(Role::CompanyLeader).await;
    // A consultation is a question, not dissatisfaction: not counted.
    let desk = app.token(Role::FrontDesk).await;
    let mut question = complaint_body();
    question["category"] = json!("consultation");
    question["customer"]["phone"] = json!("13800000009");
    let id = app.new_complaint_from(&desk, &question).await["id"].as_i64().unwrap();
    app.walk_to(id, "closed_invalid").await;

    let res = app.get(&leader, "/api/v1/figures/iceberg?from=2026-11&to=2026-12").await;
    assert_eq!(res.status(), StatusCode::OK);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["factor"], 24);
    let projects: Vec<(&str, u64, u64, u64)> = r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let n = |k: &str| p[k].as_u64().unwrap();
            (
                p["project"].as_str().unwrap(),
                n("complaints"),
                n("silent_estimate"),
                p["callbacks"]["callbacks"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(projects, [("JYHY", 3, 72, 3), ("LHW", 1, 24, 1)]);
    assert_eq!(r["projects"][0]["name"], "锦园华苑");
    assert_eq!(r["projects"][0]["callbacks"]["dissatisfied"], 1);

    // December only: one callback, no complaint received.
    let r: Value = app.get(&leader, "/api/v1/figures/iceberg?from=2026-12&to=2026-12").await.json().await.unwrap();
    assert_eq!(r["projects"][0]["project"], "JYHY");
    assert_eq!(
        (r["projects"][0]["complaints"].as_u64(), r["projects"][0]["silent_estimate"].as_u64()),
        (Some(0), Some(0))
    );

    let res = app.get(&leader, "/api/v1/figures/iceberg?from=2026-12&to=2026-11").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("to")).await;
    let res = app.get(&desk, "/api/v1/figures/iceberg?from=2026-11&to=2026-12").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_iceberg_factor_comes_from_the_configuration() {
    let config = AppConfig { iceberg_factor: 10, ..AppConfig::default() };
    let app = spawn_app_at(at(NOVEMBER), config).await;
    let desk = app.token(Role::FrontDesk).await;
    app.new_complaint(&desk).await;
    let analyst = app.token(Role::Analyst).await;
    let r: Value = app.get(&analyst, "/api/v1/figures/iceberg?from=2026-11&to=2026-11").await.json().await.unwrap();
    assert_eq!(r["factor"], 10);
    assert_eq!(
        (r["projects"][0]["complaints"].as_u64(), r["projects"][0]["silent_estimate"].as_u64()),
        (Some(1), Some(10))
    );
    assert!(r["projects"][0].get("callbacks").is_none(), "no callbacks yet");
}

#[tokio::test]
async fn the_monthly_report_is_a_workbook_with_the_same_figures() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let app = load().await;
    let leader = app.token(Role::CompanyLeader).await;
    let res = app.get(&leader, "/api/v1/reports/monthly?month=2026-11").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    assert_eq!(book.sheet_names(), ["概要", "满意度-部门", "满意度-触点", "满意度-项目", "冰山", "缺陷库", "绩效-部门"]);

    let summary = book.worksheet_range("概要").unwrap();
    let cell = |r: &calamine::Range<Data>, row: u32, col: u32| r.get_value((row, col)).cloned();
    assert_eq!(cell(&summary, 2, 0), Some(Data::String("收到投诉（不含咨询）".into())));
    assert_eq!(cell(&summary, 2, 1), Some(Data::Float(4.0)), "four complaints received in November");
    assert_eq!(cell(&summary, 3, 1), Some(Data::Float(96.0)), "× 24");
    assert_eq!(cell(&summary, 4, 1), Some(Data::Float(3.0)), "November's three callbacks");
    assert_eq!(cell(&summary, 5, 1), Some(Data::Float(1.0)), "(1.5 + 0.5 + 1) / 3");

    let touchpoints = book.worksheet_range("满意度-触点").unwrap();
    assert_eq!(cell(&touchpoints, 1, 0), Some(Data::String("handover".into())));
    assert_eq!(cell(&touchpoints, 1, 2), Some(Data::Float(2.0)));
    assert_eq!(cell(&touchpoints, 1, 3), Some(Data::Float(1.25)));
    let iceberg = book.worksheet_range("冰山").unwrap();
    assert_eq!(
        (cell(&iceberg, 1, 0), cell(&iceberg, 1, 2)),
        (Some(Data::String("JYHY".into())), Some(Data::Float(3.0)))
    );
    let performance = book.worksheet_range("绩效-部门").unwrap();
    assert_eq!(
        (cell(&performance, 1, 0), cell(&performance, 1, 1)),
        (Some(Data::String("工程部".into())), Some(Data::Float(4.0)))
    );

    // Analysts get the report without the performance sheet; the front desk none.
    let analyst = app.token(Role::Analyst).await;
    let bytes = app.get(&analyst, "/api/v1/reports/monthly?month=2026-11").await.bytes().await.unwrap().to_vec();
    let book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    assert!(!book.sheet_names().contains(&"绩效-部门".to_string()));
    let desk = app.token(Role::FrontDesk).await;
    assert_eq!(app.get(&desk, "/api/v1/reports/monthly?month=2026-11").await.status(), StatusCode::FORBIDDEN);
    let res = app.get(&leader, "/api/v1/reports/monthly?month=November").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("month")).await;
}
