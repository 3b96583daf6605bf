//! The search synonym list (同义词表, issue 8) over HTTP: every staff member
//! reads it, only administrators replace it, a faulty list is a 422 naming
//! `synonyms` and changes nothing, a new group is in force for the very
//! next search (no reindex), and the list lives in `search-synonyms.toml`
//! in the data folder, written with the built-in one on first start and
//! read again after a restart. The admin page edits the same document.

use crate::admin_pages::Browser;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tousu_domain::Role;

const PATH: &str = "/api/v1/admin/search-synonyms";

async fn total(app: &TestApp, token: &str, query: &str) -> u64 {
    let res = app.client.get(app.url("/api/v1/search")).query(&[("q", query)]).bearer_auth(token).send().await;
    let page: Value = res.expect("sent").json().await.expect("json");
    page["total"].as_u64().expect("a total")
}

async fn until_indexed(app: &TestApp, token: &str, query: &str, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while total(app, token, query).await != n {
        assert!(Instant::now() < deadline, "{query} never found {n}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn synonyms(app: &TestApp, token: &str) -> Value {
    let res = app.get(token, "/api/v1/search-synonyms").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

fn has_group(view: &Value, word: &str) -> bool {
    view["groups"]
        .as_array()
        .is_some_and(|gs| gs.iter().any(|g| g["words"].as_array().is_some_and(|w| w.contains(&json!(word)))))
}

/// The built-in list with a group for door-access words.
fn with_door_group(view: &Value) -> String {
    format!("{}\n[[group]]\nwords = [\"门禁\", \"门卡\"]\n", view["toml"].as_str().expect("the document"))
}

#[tokio::test]
async fn staff_read_the_list_and_only_administrators_replace_it() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let view = synonyms(&app, &desk).await;
    assert!(has_group(&view, "升降机") && view["toml"].as_str().unwrap_or_default().contains("[[group]]"), "{view}");
    let on_disk = std::fs::read_to_string(app.data_dir.join("search-synonyms.toml")).expect("written on first start");
    assert_eq!(on_disk, view["toml"].as_str().unwrap_or_default(), "the built-in list, written to the data folder");

    for role in [Role::FrontDesk, Role::DepartmentHead, Role::CompanyLeader, Role::Analyst] {
        let token = app.token(role).await;
        let res = app.put_text(&token, PATH, &with_door_group(&view)).await;
        assert_problem(res, StatusCode::FORBIDDEN, "forbidden", None).await;
    }
    assert!(!has_group(&synonyms(&app, &desk).await, "门禁"), "a refused edit changes nothing");
    let res = app.client.get(app.url("/api/v1/search-synonyms")).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_faulty_list_is_a_422_naming_synonyms_and_the_list_in_force_stays() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin).await;
    for bad in [
        "[[group]]\nwords = [\"门禁\"]\n",
        "[[group]]\nwords = [\"门禁\", \"门禁\"]\n",
        "[[group]\nwords = [\"门禁\", \"门卡\"]\n",
        "[[group]]\nwords = \"门禁\"\n",
        "[[group]]\nterms = [\"门禁\", \"门卡\"]\n",
    ] {
        let res = app.put_text(&admin, PATH, bad).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("synonyms")).await;
        assert!(problem["message_zh"].as_str().is_some_and(|m| !m.is_empty()), "{bad}: {problem}");
    }
    let res = app.put_text(&admin, PATH, "[[group]]\nwords = [\"门禁\"]\n").await;
    let problem: Value = res.json().await.expect("json");
    assert!(problem["message_zh"].as_str().unwrap_or_default().contains("第 1 组"), "the group is named: {problem}");
    // As groups in JSON, the same checks.
    let res = app
        .client
        .put(app.url(PATH))
        .bearer_auth(&admin)
        .json(&json!({"groups": [{"words": ["门禁"]}]}))
        .send()
        .await
        .expect("sent");
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("synonyms")).await;
    let res = app.client.put(app.url(PATH)).bearer_auth(&admin).json(&json!({"words": []})).send().await.expect("sent");
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("synonyms")).await;
    assert!(has_group(&synonyms(&app, &admin).await, "升降机"), "the built-in list is still in force");
}

#[tokio::test]
async fn a_new_group_is_in_force_for_the_next_search_and_survives_a_restart() {
    let mut app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let admin = app.token(Role::Admin).await;
    let mut b = complaint_body();
    b["subject"] = json!(null);
    b["description"] = json!("单元楼下的门卡刷了没反应，老人进不了门");
    app.new_complaint_from(&desk, &b).await;
    until_indexed(&app, &desk, "门卡", 1).await;
    assert_eq!(total(&app, &desk, "门禁").await, 0, "not a synonym yet");

    let view = synonyms(&app, &desk).await;
    let res = app.put_text(&admin, PATH, &with_door_group(&view)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let saved: Value = res.json().await.expect("json");
    assert!(has_group(&saved, "门禁") && has_group(&saved, "升降机"), "{saved}");
    // At once, with no reindex.
    assert_eq!(total(&app, &desk, "门禁").await, 1, "the very next search uses the new group");
    let found: Value = app
        .client
        .get(app.url("/api/v1/search"))
        .query(&[("q", "门禁")])
        .bearer_auth(&desk)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert!(found["items"][0]["snippet"].as_str().unwrap_or_default().contains("<mark>门卡</mark>"), "{found}");
    let on_disk = std::fs::read_to_string(app.data_dir.join("search-synonyms.toml")).expect("the file");
    assert!(on_disk.contains("门禁"), "saved to the data folder");
    assert!(!app.data_dir.join("search-synonyms.toml.tmp").exists(), "written through a renamed temporary file");

    app.restart().await;
    assert!(has_group(&synonyms(&app, &desk).await, "门禁"), "read again on start");
    until_indexed(&app, &desk, "门禁", 1).await;

    // Replaced again, as groups in JSON: the door group is gone.
    let res = app
        .client
        .put(app.url(PATH))
        .bearer_auth(&admin)
        .json(&json!({"groups": [{"words": ["电梯", "升降机"]}]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(total(&app, &desk, "门禁").await, 0, "the door group is no longer in force");
    assert!(std::fs::read_to_string(app.data_dir.join("search-synonyms.toml")).expect("the file").contains("升降机"));
}

#[tokio::test]
async fn administrators_edit_the_list_on_its_page() {
    let app = spawn_app().await;
    let admin = Browser::demo(&app, "admin").await;
    let page = admin.get("/admin/search-synonyms").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("搜索同义词表") && page.html.contains("升降机"), "{}", page.html);
    let bad = admin
        .submit("/admin/search-synonyms", "/admin/search-synonyms", &[("toml", "[[group]]\r\nwords = [\"门禁\"]\r\n")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains(r#"data-testid="error""#) && bad.html.contains("第 1 组"), "{}", bad.html);
    let good = "[[group]]\r\nwords = [\"门禁\", \"门卡\"]\r\n";
    let saved = admin.submit("/admin/search-synonyms", "/admin/search-synonyms", &[("toml", good)]).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.html.contains("同义词表已保存"), "{}", saved.html);
    let desk = app.token(Role::FrontDesk).await;
    let view = synonyms(&app, &desk).await;
    assert_eq!(view["toml"], "[[group]]\nwords = [\"门禁\", \"门卡\"]\n", "kept with LF line ends");
    let desk_page = Browser::demo(&app, "frontdesk").await.get("/admin/search-synonyms").await;
    assert_eq!(desk_page.status, StatusCode::FORBIDDEN);
}
