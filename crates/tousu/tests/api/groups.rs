//! Triage at intake and group complaints (群诉) end to end.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

#[tokio::test]
async fn triage_reads_each_complaint_and_its_script_is_shown_with_the_unit_masked() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut body = complaint_body();
    body["subject"] = Value::Null;
    body["description"] = json!("我家3栋1801的物业费多收了两百元，你们必须退给我，否则我就去12345投诉！");
    let c = app.new_complaint_from(&desk, &body).await;
    let t = &c["triage"];
    assert_eq!(t["category"]["value"], "fees", "{t}");
    assert_eq!(c["category"], "fees", "a category triage is sure of is applied when none was given");
    assert_eq!(t["compensation"]["value"], true, "{t}");
    assert!(t["category"]["evidence"].as_array().is_some_and(|e| !e.is_empty()), "the evidence is shown");
    assert_eq!(t["unit"]["value"], "1***", "the unit read from the text is masked like the unit");
    assert!(t["script"]["feelings"].as_str().is_some_and(|s| !s.is_empty()), "a script to say first");
}

#[tokio::test]
async fn an_emergency_described_calmly_still_runs_the_emergency_path() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint_from(&desk, &household(1, "你好，我在家里闻到很浓的煤气味，不知道是哪里漏了。")).await;
    assert_eq!(c["emergency"], true, "{}", c["triage"]);
    assert!(c["deadlines"].as_array().unwrap().iter().any(|d| d["rule"] == "notify_departments"));
}

#[tokio::test]
async fn a_person_corrects_triage_and_the_correction_wins_and_is_in_the_history() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let analyst = app.token(Role::Analyst).await;
    let c = app.new_complaint_from(&desk, &household(2, "小区门口的垃圾两天没人清理了，味道很大。")).await;
    let id = c["id"].as_i64().unwrap();
    let c = app.act(&analyst, id, json!({"action": "correct_triage", "field": "category", "value": "facilities", "note": "垃圾站设施损坏"})).await;
    assert_eq!(c["category"], "facilities");
    assert_eq!(c["triage"]["category"]["value"], "facilities");
    assert_eq!(c["triage"]["category"]["corrected_by"]["name"], "孙敏");
    let history = app.complaint(&desk, id).await["history"].clone();
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "triage_corrected");
    assert_eq!(last["payload"]["to"], "facilities");
    let res = app.transition(&analyst, id, json!({"action": "correct_triage", "field": "psychology", "value": "furious"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("value")).await;
}

#[tokio::test]
async fn households_complaining_of_one_cause_open_a_group_incident_and_the_leaders_are_told() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut ids = Vec::new();
    for (n, text) in WATER_OUTAGE.iter().enumerate() {
        ids.push(app.new_complaint_from(&desk, &household(10 + n, text)).await["id"].as_i64().unwrap());
    }
    let incidents: Value = app.get(&desk, "/api/v1/group-incidents").await.json().await.unwrap();
    let incidents = incidents.as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{incidents:?}");
    let g = &incidents[0];
    let members: Vec<i64> = g["members"].as_array().unwrap().iter().map(|m| m.as_i64().unwrap()).collect();
    assert!(members.len() >= 3 && members.iter().all(|m| ids.contains(m)), "{g}");
    assert!(g["households"].as_u64().unwrap() >= 3);
    for m in &members {
        let c = app.complaint(&desk, *m).await;
        assert_eq!(c["group"]["incident"], g["id"], "every member is linked: {}", c["group"]);
        assert!(c["history"].as_array().unwrap().iter().any(|e| e["type"] == "group_linked"));
    }
    let waiting = app.services.store().list_unrouted_notifications(100).await.unwrap();
    assert!(
        waiting.iter().any(|n| n.kind == "group_incident" && n.level == Some(tousu_domain::EscalationLevel::CompanyLeader)),
        "the company's leaders are told"
    );
}

#[tokio::test]
async fn different_causes_in_one_project_open_no_incident() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    for (n, text) in ["电梯坏了一整天", "物业费多收了", "楼下装修太吵了", "车库的灯不亮"].iter().enumerate() {
        app.new_complaint_from(&desk, &household(20 + n, text)).await;
    }
    let incidents: Value = app.get(&desk, "/api/v1/group-incidents").await.json().await.unwrap();
    assert_eq!(incidents.as_array().unwrap().len(), 0, "{incidents}");
}

#[tokio::test]
async fn triage_can_be_asked_without_recording_anything() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let res = app.post_json(&desk, "/api/v1/triage", &json!({"text": "電梯困人了，快來救命！"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["emergency"]["value"], true, "Traditional Chinese is read too: {t}");
    assert_eq!(t["language"], "zh_hant");
    let list: Value = app.get(&desk, "/api/v1/complaints").await.json().await.unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
}
