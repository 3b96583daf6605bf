//! The defect library (缺陷库, issue 7): every closed valid complaint
//! carries a component and phase (recorded, or read from its words), the
//! library counts complaints, households, cost and projects with the Pareto
//! line, a correction after closing moves the count, and the design-review
//! checklist ranks what recurred across projects, with anonymised examples.

use crate::admin_pages::Browser;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

/// The test complaint at another place, from another phone, about something else.
pub(crate) fn body(project: &str, building: &str, unit: &str, phone: &str, description: &str) -> Value {
    let mut b = complaint_body();
    b["project"] = json!(project);
    b["building"] = json!(building);
    b["unit"] = json!(unit);
    b["customer"]["phone"] = json!(phone);
    b["description"] = json!(description);
    b
}

fn row<'a>(r: &'a Value, key: &str) -> &'a Value {
    r["rows"].as_array().unwrap().iter().find(|row| row["key"] == key).unwrap_or_else(|| panic!("{key} in {r}"))
}

/// Four closed complaints in November 2026:
/// - c1 丽景花园 3栋1801, filed by the handler as 屋面渗漏 (construction), fix cost 1,200.50 元;
/// - c2 丽湖湾 A座1201, closed with nothing recorded (read from its words
///   as 卫生间渗漏), then corrected by the department head to 屋面渗漏;
/// - c3 the same household as c1 (another phone), 屋面渗漏 again;
/// - c4 丽景花园 2栋0602, closed with nothing recorded: 卫生间渗漏, construction.
async fn load() -> (TestApp, [i64; 4]) {
    let app = spawn_app_at(at("2026-11-23T10:00:00+08:00"), tousu_app::AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let head = app.token(Role::DepartmentHead).await;
    let roof = json!({"action": "record_defect", "component": "roof_leak", "phase": "construction"});

    let c1 = app.new_complaint_from(&desk, &body("JYHY", "3栋", "1801", "13800000001", "顶楼天花板渗水")).await["id"]
        .as_i64()
        .unwrap();
    app.walk_to(c1, "in_progress").await;
    let filed = app
        .act(
            &handler,
            c1,
            json!({"action": "record_defect", "component": "roof_leak", "phase": "construction", "cost": 1200.5}),
        )
        .await;
    assert_eq!(filed["defect"]["component"], "roof_leak");
    assert_eq!(filed["defect"]["cost_fen"], 120_050);
    app.walk_to(c1, "closed").await;

    let c2 = app.new_complaint_from(&desk, &body("LHW", "A座", "1201", "13800000002", "卫生间顶上滴水")).await["id"]
        .as_i64()
        .unwrap();
    let closed = app.walk_to(c2, "closed").await;
    assert_eq!(closed["defect"]["component"], "bathroom_leak", "read from 楼上卫生间防水层破损: {closed}");
    assert_eq!(closed["defect"]["inferred"], true);
    app.act(&head, c2, roof.clone()).await;

    let c3 = app.new_complaint_from(&desk, &body("JYHY", "3栋", "1801", "13900000003", "屋顶又渗水了")).await["id"]
        .as_i64()
        .unwrap();
    app.walk_to(c3, "in_progress").await;
    app.act(&handler, c3, roof).await;
    app.walk_to(c3, "closed").await;

    let c4 = app.new_complaint_from(&desk, &body("JYHY", "2栋", "602", "13800000004", "卫生间渗水")).await["id"]
        .as_i64()
        .unwrap();
    app.walk_to(c4, "closed").await;
    (app, [c1, c2, c3, c4])
}

#[tokio::test]
async fn the_library_counts_complaints_households_cost_and_projects_with_the_pareto_line() {
    let (app, [_, c2, ..]) = load().await;
    let leader = app.token(Role::CompanyLeader).await;
    let lib: Value = app.get(&leader, "/api/v1/figures/defects?from=2026-11&to=2026-11").await.json().await.unwrap();
    assert_eq!(lib["complaints"], 4);
    let roof = row(&lib, "roof_leak");
    assert_eq!(roof["label"], "防水 › 屋面渗漏");
    assert_eq!(roof["phase"], "construction");
    assert_eq!(
        (
            roof["complaints"].as_i64(),
            roof["households"].as_i64(),
            roof["projects"].as_i64(),
            roof["cost_yuan"].as_f64()
        ),
        (Some(3), Some(2), Some(2), Some(1200.5)),
        "c1, c2 (corrected) and c3; c3 is c1's household again"
    );
    assert_eq!((roof["share"].as_f64(), roof["cumulative_share"].as_f64()), (Some(0.75), Some(0.75)));
    let bathroom = row(&lib, "bathroom_leak");
    assert_eq!((bathroom["complaints"].as_i64(), bathroom["households"].as_i64()), (Some(1), Some(1)), "c2 moved out");
    assert_eq!(bathroom["cumulative_share"], 1.0);
    assert_eq!(lib["rows"][0]["key"], "roof_leak", "most complaints first");
    assert_eq!(lib["trend"][0]["month"], "2026-11");
    assert_eq!(lib["trend"][0]["components"]["waterproofing"], 4);

    // Rolled up to top-level components, and by phase.
    let top: Value =
        app.get(&leader, "/api/v1/figures/defects?by=top&from=2026-11&to=2026-11").await.json().await.unwrap();
    assert_eq!(
        (top["rows"][0]["key"].as_str(), top["rows"][0]["complaints"].as_i64()),
        (Some("waterproofing"), Some(4))
    );
    let phases: Value =
        app.get(&leader, "/api/v1/figures/defects?by=phase&from=2026-11&to=2026-11").await.json().await.unwrap();
    assert_eq!(row(&phases, "construction")["complaints"], 4);
    // One project.
    let lhw: Value =
        app.get(&leader, "/api/v1/figures/defects?from=2026-11&to=2026-11&project=LHW").await.json().await.unwrap();
    assert_eq!(lhw["complaints"], 1);
    // CSV for BI tools, with a byte-order mark for Excel.
    let res = app.get(&leader, "/api/v1/figures/defects?from=2026-11&to=2026-11&format=csv").await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let text = res.text().await.unwrap();
    assert!(text.starts_with("\u{feff}key,label,phase,complaints,households"), "{text}");
    assert!(text.contains("roof_leak,防水 › 屋面渗漏,construction,3,2,0,0,1200.50,2,0.75,0.75"), "{text}");

    // The correction is in the history, with what it replaced.
    let desk = app.token(Role::FrontDesk).await;
    let c = app.complaint(&desk, c2).await;
    let recorded = c["history"].as_array().unwrap().iter().find(|e| e["type"] == "defect_recorded").expect("recorded");
    assert_eq!(recorded["payload"]["previous"]["component"], "bathroom_leak");

    // Figures are for heads and above; bad input is named.
    assert_eq!(app.get(&desk, "/api/v1/figures/defects").await.status(), StatusCode::FORBIDDEN);
    let res = app.get(&leader, "/api/v1/figures/defects?by=colour").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("by")).await;
    let res = app.get(&leader, "/api/v1/figures/defects?from=2026-13").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("from")).await;
}

#[tokio::test]
async fn recording_a_defect_is_checked_against_the_tree_the_state_and_the_role() {
    let app = spawn_app_at(at("2026-11-23T10:00:00+08:00"), tousu_app::AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = app.new_complaint_from(&desk, &complaint_body()).await["id"].as_i64().unwrap();
    let roof = json!({"action": "record_defect", "component": "roof_leak", "phase": "construction"});
    // Not before anyone looked for the cause.
    assert_eq!(app.transition(&handler, id, roof.clone()).await.status(), StatusCode::CONFLICT);
    app.walk_to(id, "in_progress").await;
    // The service centre does not file defects; the department does.
    assert_eq!(app.transition(&desk, id, roof.clone()).await.status(), StatusCode::FORBIDDEN);
    let res =
        app.transition(&handler, id, json!({"action": "record_defect", "component": "nope", "phase": "design"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("component")).await;
    let res = app
        .transition(
            &handler,
            id,
            json!({"action": "record_defect", "component": "lifts", "phase": "design", "cost": -5}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("cost")).await;
    let res = app
        .transition(&handler, id, json!({"action": "record_defect", "component": "lifts", "phase": "sometime"}))
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    let c = app.complaint(&desk, id).await;
    assert!(c.get("defect").is_none_or(Value::is_null), "nothing written: {c}");
}

#[tokio::test]
async fn administrators_edit_the_component_tree_and_staff_read_it() {
    let app = spawn_app_at(at("2026-11-23T10:00:00+08:00"), tousu_app::AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let tree: Value = app.get(&desk, "/api/v1/defect-components").await.json().await.unwrap();
    let roof = tree["components"].as_array().unwrap().iter().find(|c| c["code"] == "roof_leak").expect("roof_leak");
    assert_eq!(
        (roof["path"].as_str(), roof["default_phase"].as_str()),
        (Some("防水 › 屋面渗漏"), Some("construction"))
    );
    assert!(tree["toml"].as_str().unwrap().contains("[[component]]"));

    let admin = app.token(Role::Admin).await;
    let analyst = app.token(Role::Analyst).await;
    let text = "[[component]]\ncode = \"balcony\"\nname = \"阳台\"\nkeywords = [\"阳台\"]\nphase = \"design\"\n\
                [[component]]\ncode = \"other\"\nname = \"其他\"\n";
    assert_eq!(app.put_text(&analyst, "/api/v1/admin/defect-components", text).await.status(), StatusCode::FORBIDDEN);
    let res = app
        .put_text(&admin, "/api/v1/admin/defect-components", "[[component]]\ncode = \"balcony\"\nname = \"阳台\"\n")
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("components")).await;
    let res = app.put_text(&admin, "/api/v1/admin/defect-components", text).await;
    assert_eq!(res.status(), StatusCode::OK);
    // In force at once: a closing complaint about the balcony is filed under it.
    let mut b = complaint_body();
    b["description"] = json!("阳台地漏设计在高处，积水");
    let id = app.new_complaint_from(&desk, &b).await["id"].as_i64().unwrap();
    let closed = app.walk_to(id, "closed").await;
    assert_eq!(
        (closed["defect"]["component"].as_str(), closed["defect"]["phase"].as_str()),
        (Some("balcony"), Some("design"))
    );
}

#[tokio::test]
async fn the_design_review_checklist_ranks_what_recurred_across_projects_without_personal_data() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let (app, [c1, c2, c3, _]) = load().await;
    let leader = app.token(Role::CompanyLeader).await;
    let review: Value = app
        .get(&leader, "/api/v1/reports/design-review?format=json&from=2026-11&to=2026-11")
        .await
        .json()
        .await
        .unwrap();
    let items = review["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only 屋面渗漏 hit two projects: {review}");
    assert_eq!(
        (items[0]["rank"].as_i64(), items[0]["key"].as_str(), items[0]["projects"].as_i64()),
        (Some(1), Some("roof_leak"), Some(2))
    );
    assert_eq!(items[0]["project_names"], json!(["锦园华苑", "丽湖湾"]), "{review}");
    let examples: Vec<&str> =
        items[0]["examples"].as_array().unwrap().iter().map(|e| e["tracking_no"].as_str().unwrap()).collect();
    let desk = app.token(Role::FrontDesk).await;
    let mut expected = Vec::new();
    for id in [c3, c2, c1] {
        expected.push(app.complaint(&desk, id).await["tracking_no"].as_str().unwrap().to_string());
    }
    assert_eq!(examples, expected, "newest first");
    for s in strings(&review) {
        assert!(!s.contains("张三丰") && !s.contains("138") && !s.contains("1801"), "personal data in {s}");
    }
    // For a new phase of 丽景花园 its own complaints are left out: nothing recurs elsewhere.
    let own: Value = app
        .get(&leader, "/api/v1/reports/design-review?format=json&from=2026-11&to=2026-11&project=JYHY")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["items"].as_array().unwrap().len(), 0);

    // The workbook the design department opens.
    let res = app.get(&leader, "/api/v1/reports/design-review?from=2026-11&to=2026-11&project=新项目").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    let sheet = book.worksheet_range("审图清单").unwrap();
    let cell = |row: u32, col: u32| sheet.get_value((row, col)).cloned();
    assert!(matches!(cell(0, 0), Some(Data::String(s)) if s.contains("新项目")));
    assert_eq!(cell(4, 1), Some(Data::String("防水 › 屋面渗漏".into())));
    assert_eq!(cell(4, 2), Some(Data::String("施工".into())));
    assert_eq!((cell(4, 3), cell(4, 5)), (Some(Data::Float(2.0)), Some(Data::Float(3.0))));

    // The monthly report carries the library with its Pareto chart.
    let bytes = app.get(&leader, "/api/v1/reports/monthly?month=2026-11").await.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    let lib = book.worksheet_range("缺陷库").unwrap();
    assert_eq!(lib.get_value((1, 0)).cloned(), Some(Data::String("防水 › 屋面渗漏".into())));
    assert_eq!(lib.get_value((1, 9)).cloned(), Some(Data::Float(0.75)));

    let res = app.get(&leader, "/api/v1/reports/design-review?format=pdf").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("format")).await;
    assert_eq!(app.get(&desk, "/api/v1/reports/design-review").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_figures_page_draws_the_pareto_the_trend_the_heatmap_and_satisfaction_as_svg() {
    let (app, [c1, _, _, c4]) = load().await;
    let desk = app.token(Role::FrontDesk).await;
    app.act(&desk, c1, json!({"action": "callback", "perceived": 9, "expected": 8})).await;
    app.act(&desk, c4, json!({"action": "callback", "perceived": 6, "expected": 8})).await;
    let leader = Browser::demo(&app, "leader").await;
    assert!(leader.get("/").await.html.contains(">报表分析</a>"), "leaders are shown the link");
    let p = leader.get("/figures?from=2026-11&to=2026-11").await;
    assert_eq!(p.status, StatusCode::OK);
    let html = &p.html;
    for chart in ["pareto", "defect-trend", "heatmap", "satisfaction-trend"] {
        let at = html.find(&format!("id=\"chart-{chart}\"")).unwrap_or_else(|| panic!("the {chart} chart"));
        let section = &html[at..at + html[at..].find("</section>").expect("the section ends")];
        assert_eq!(section.matches("<svg width=").count(), 1, "one chart SVG in {chart}: {section}");
        assert!(section.contains("font-family=\"PingFang SC"), "the CJK font stack in {chart}");
    }
    // The Pareto's numbers beside it: 屋面渗漏 3 of 4, then 卫生间渗漏.
    let pareto = &html[html.find("data-testid=\"pareto-table\"").unwrap()..];
    let roof =
        pareto.find("防水 › 屋面渗漏</td><td>3</td><td>2</td>").expect("屋面渗漏 with 3 complaints, 2 households");
    let bathroom = pareto.find("防水 › 卫生间渗漏</td><td>1</td>").expect("卫生间渗漏");
    assert!(roof < bathroom, "most first");
    assert!(pareto.contains("<td>75.0%</td><td>75.0%</td>"));
    // Two callbacks about repairs in 丽景花园 (touchpoint as triage read it): (1.125 + 0.75) / 2.
    let heat = &html[html.find("data-testid=\"heatmap-table\"").unwrap()..];
    assert!(heat.contains("0.94 (2)"), "{}", &heat[..heat.find("</table>").unwrap()]);
    assert!(html.contains("/api/v1/reports/design-review?from=2026-11&amp;to=2026-11"));
    // Not for the front desk.
    let desk_page = Browser::demo(&app, "frontdesk").await.get("/figures").await;
    assert_eq!(desk_page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_department_files_the_defect_from_the_complaint_page_and_sees_it_there() {
    let app = spawn_app_at(at("2026-11-23T10:00:00+08:00"), tousu_app::AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint_from(&desk, &complaint_body()).await["id"].as_i64().unwrap();
    app.walk_to(id, "in_progress").await;
    let handler = Browser::demo(&app, "handler").await;
    let path = format!("/complaints/{id}");
    let page = handler.get(&path).await;
    assert!(page.html.contains("id=\"act-record_defect\""), "the form is offered");
    assert!(
        page.html.contains("value=\"roof_leak\"") && page.html.contains("防水 › 屋面渗漏"),
        "the tree's components"
    );
    let done = handler
        .submit(
            &path,
            &format!("/complaints/{id}/act"),
            &[("action", "record_defect"), ("component", "roof_leak"), ("phase", "construction"), ("cost", "350.5")],
        )
        .await;
    assert!(done.status.is_success() || done.status.is_redirection(), "{}", done.status);
    let c = app.complaint(&desk, id).await;
    assert_eq!(
        (c["defect"]["component"].as_str(), c["defect"]["cost_fen"].as_i64()),
        (Some("roof_leak"), Some(35_050))
    );
    let page = handler.get(&path).await;
    assert!(page.html.contains("防水 › 屋面渗漏 · 施工 · 350.50"), "shown among the facts");
    // A cost that is not a number is named on the form.
    let bad = handler
        .submit(
            &path,
            &format!("/complaints/{id}/act"),
            &[("action", "record_defect"), ("component", "lifts"), ("phase", "operation"), ("cost", "很多")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("请输入不小于 0 的金额"), "the reason in Chinese");
}

#[tokio::test]
async fn a_complaint_walked_in_bulk_obeys_the_rules_and_fills_the_library() {
    use tousu_domain::Action;
    use tousu_domain::defects::Phase;
    let app = spawn_app_at(at("2026-11-23T10:00:00+08:00"), tousu_app::AppConfig::default()).await;
    let who = |role| {
        let app = &app;
        async move { app.services.authenticate(&app.token(role).await).await.expect("a principal") }
    };
    let (desk, handler, head) = (who(Role::FrontDesk).await, who(Role::Handler).await, who(Role::DepartmentHead).await);
    let id = app.new_complaint_from(&app.token(Role::FrontDesk).await, &complaint_body()).await["id"].as_i64().unwrap();
    let c = app.services.store().find_complaint(desk.company_id, id).await.unwrap();
    let t = |minutes: i64| at("2026-11-23T10:00:00+08:00") + chrono::Duration::minutes(minutes);
    // A step the rules refuse stops the walk: nothing of it is written.
    let refused =
        app.services.walk_complaint(c.clone(), &[(handler.clone(), Action::Confirm { note: None }, t(1))]).await;
    assert!(refused.is_err());
    let steps = vec![
        (desk.clone(), Action::Confirm { note: None }, t(5)),
        (desk.clone(), Action::Assess { severity: tousu_domain::Severity::General, category: None, note: None }, t(10)),
        (
            desk.clone(),
            Action::Investigate {
                department: "engineering".into(),
                post: "水电维修岗".into(),
                person: "李强".into(),
                root_cause: "屋面防水层老化".into(),
                evidence: vec![],
                report: None,
            },
            t(20),
        ),
        (desk.clone(), Action::Dispatch { department: None, handler: None, cooperating: vec![], note: None }, t(30)),
        (handler.clone(), Action::Accept { note: None }, t(60)),
        (
            handler.clone(),
            Action::RecordDefect { component: "roof_leak".into(), phase: Phase::Construction, cost: None },
            t(70),
        ),
        (handler.clone(), Action::Resolve { resolution: "已重做防水".into(), finished_at: None }, t(120)),
        (desk.clone(), Action::AcceptResult { note: None }, t(130)),
        (head.clone(), Action::Close { note: None }, t(140)),
    ];
    let walked = app.services.walk_complaint(c, &steps).await.expect("walked");
    assert_eq!(walked.status, tousu_domain::Status::Closed);
    assert_eq!(walked.version, 1 + steps.len() as u32, "one event per step, none for the refused one");
    let leader = app.token(Role::CompanyLeader).await;
    let lib: Value = app.get(&leader, "/api/v1/figures/defects?from=2026-11&to=2026-11").await.json().await.unwrap();
    assert_eq!(
        (row(&lib, "roof_leak")["complaints"].as_i64(), row(&lib, "roof_leak")["households"].as_i64()),
        (Some(1), Some(1))
    );
}
