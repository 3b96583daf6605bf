//! Evidence files (step 4): typed by their content, kept byte for byte,
//! served so that no browser runs them, recorded in the history.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_app::AppConfig;
use tousu_domain::Role;

fn history_len(c: &Value) -> usize {
    c["history"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_photo_is_stored_typed_by_content_and_recorded_in_the_history() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let res = app.upload(&desk, id, "leak.png", TINY_PNG.to_vec()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let file: Value = res.json().await.unwrap();
    assert!(file["id"].as_i64().is_some(), "{file}");
    assert_eq!(file["name"], "leak.png");
    assert_eq!(file["content_type"], "image/png");
    assert_eq!(file["size"], TINY_PNG.len());
    assert_eq!(file["sha256"], TINY_PNG_SHA256);

    let c = app.complaint(&desk, id).await;
    assert_eq!(c["status"], "received", "evidence does not move the complaint");
    assert_eq!(c["evidence"], json!([file.clone()]));
    let last = c["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "evidence_attached");
    assert_eq!(last["actor"]["name"], "王芳");
    assert_eq!(last["payload"]["id"], file["id"]);
    assert_eq!(last["payload"]["sha256"], TINY_PNG_SHA256);
}

#[tokio::test]
async fn a_downloaded_file_is_identical_and_served_as_an_attachment_that_is_not_sniffed() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let file: Value = app.upload(&desk, id, "漏水 照片.png", TINY_PNG.to_vec()).await.json().await.unwrap();
    let res = app.get(&desk, &format!("/api/v1/files/{}", file["id"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| res.headers().get(name).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(header("content-type").as_deref(), Some("image/png"));
    assert!(header("content-disposition").unwrap().starts_with("attachment"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert!(header("content-security-policy").unwrap().contains("sandbox"));
    let bytes = res.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), TINY_PNG.as_slice());

    let res = app.get(&desk, "/api/v1/files/424242").await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", None).await;
    let res = app.client.get(app.url(&format!("/api/v1/files/{}", file["id"]))).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "unauthenticated", None).await;
}

#[tokio::test]
async fn scripts_executables_markup_and_empty_files_are_415_and_nothing_is_appended() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let before = app.complaint(&desk, id).await;
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.resize(64, 0);
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    exe.resize(128, 0);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("leak.png", b"#!/bin/sh\nrm -rf /".to_vec()),
        ("photo.png", elf),
        ("photo.jpg", exe),
        ("photo.png", b"<html><script>alert(1)</script></html>".to_vec()),
        ("photo.png", b"PK\x03\x04 not really a photo".to_vec()),
        ("empty.png", Vec::new()),
    ];
    for (name, bytes) in cases {
        let res = app.upload(&desk, id, name, bytes).await;
        assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_file", None).await;
    }
    let after = app.complaint(&desk, id).await;
    assert_eq!(history_len(&after), history_len(&before));
    assert_eq!(after["evidence"], json!([]));
}

#[tokio::test]
async fn a_file_over_the_configured_size_is_413() {
    let app = spawn_app_with(AppConfig { max_file_bytes: 66, ..Default::default() }).await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let res = app.upload(&desk, id, "leak.png", TINY_PNG.to_vec()).await;
    assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None).await;
    assert_eq!(history_len(&app.complaint(&desk, id).await), 1);
}

#[tokio::test]
async fn a_path_in_the_file_name_is_dropped() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let file: Value = app.upload(&desk, id, "../../etc/passwd.png", TINY_PNG.to_vec()).await.json().await.unwrap();
    assert_eq!(file["name"], "passwd.png");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/complaints/{id}/files")))
        .bearer_auth(&desk)
        .header("content-type", "application/octet-stream")
        .body(TINY_PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "evidence", "a file without a name");
}

#[tokio::test]
async fn an_investigation_cites_attached_evidence_and_refuses_any_other_file() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let other = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let mine: Value = app.upload(&desk, id, "leak.png", TINY_PNG.to_vec()).await.json().await.unwrap();
    let theirs: Value = app.upload(&desk, other, "other.png", TINY_PNG.to_vec()).await.json().await.unwrap();
    app.walk_to(id, "assessed").await;
    let investigate = |evidence: Value| {
        json!({"action": "investigate", "department": "engineering", "post": "水电维修岗", "person": "李强",
               "root_cause": "防水层破损", "evidence": evidence})
    };
    let before = app.complaint(&desk, id).await;
    for evidence in [json!([theirs["id"]]), json!([424242]), json!([mine["id"], theirs["id"]])] {
        let res = app.transition(&desk, id, investigate(evidence)).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("evidence")).await;
    }
    assert_eq!(app.complaint(&desk, id).await, before);
    let c = app.act(&desk, id, investigate(json!([mine["id"]]))).await;
    assert_eq!(c["investigation"]["evidence"], json!([mine["id"]]));
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["history"].as_array().unwrap().last().unwrap()["payload"]["evidence"], json!([mine["id"]]));
}

#[tokio::test]
async fn roles_that_do_not_handle_complaints_may_not_upload() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    for role in [Role::Analyst, Role::Board, Role::Admin] {
        let token = app.token(role).await;
        let res = app.upload(&token, id, "leak.png", TINY_PNG.to_vec()).await;
        assert_problem(res, StatusCode::FORBIDDEN, "role_not_allowed", None).await;
    }
    let c = app.complaint(&desk, id).await;
    assert_eq!(history_len(&c), 1);
    assert_eq!(c["evidence"], json!([]));
    for role in [Role::Handler, Role::DepartmentHead, Role::CompanyLeader] {
        let token = app.token(role).await;
        assert_eq!(app.upload(&token, id, "leak.png", TINY_PNG.to_vec()).await.status(), StatusCode::CREATED, "{role}");
    }
}

#[tokio::test]
async fn an_upload_to_an_unknown_complaint_is_404() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let res = app.upload(&desk, 424242, "leak.png", TINY_PNG.to_vec()).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", None).await;
}
