//! Step 1: recording complaints.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

#[tokio::test]
async fn a_recorded_complaint_answers_201_with_its_tracking_number_and_deadlines() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let res = app.post_complaint(&desk, &complaint_body()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let c: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/complaints/{}", c["id"]));
    assert_eq!(c["status"], "received");
    let no = c["tracking_no"].as_str().unwrap();
    assert!(no.starts_with("TS") && no.ends_with("-0001"), "{no}");
    assert_eq!(no.len(), "TS20261123-0001".len());
    let rules: Vec<&str> = c["deadlines"].as_array().unwrap().iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["dispatch", "answer"]);
    assert_eq!(c["first_responder"]["name"], "王芳");
    assert_eq!(c["available_actions"], json!(["confirm", "invalidate", "pause", "escalate", "correct_triage"]));
}

#[tokio::test]
async fn tracking_numbers_count_up_within_a_day() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let a = app.new_complaint(&desk).await;
    let b = app.new_complaint(&desk).await;
    let (a, b) = (a["tracking_no"].as_str().unwrap(), b["tracking_no"].as_str().unwrap());
    assert!(a.ends_with("-0001") && b.ends_with("-0002"), "{a} {b}");
    assert_eq!(a[..10], b[..10]);
}

#[tokio::test]
async fn a_retried_request_with_the_same_idempotency_key_returns_the_first_complaint() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let send = || {
        app.client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(&desk)
            .header("idempotency-key", "call-2026-11-23-0001")
            .json(&complaint_body())
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first["id"], second["id"]);
    assert_eq!(first["tracking_no"], second["tracking_no"]);
    let list: Value = app.get(&desk, "/api/v1/complaints").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "no second complaint");
}

#[tokio::test]
async fn concurrent_retries_with_one_key_record_one_complaint() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let req = app
            .client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(&desk)
            .header("idempotency-key", "same-key")
            .json(&complaint_body());
        tasks.push(tokio::spawn(async move { req.send().await.unwrap().json::<Value>().await.unwrap() }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap()["id"].clone());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
}

#[tokio::test]
async fn reusing_an_idempotency_key_for_another_complaint_is_refused() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut other = complaint_body();
    other["description"] = json!("另一件事：电梯停了");
    for (body, expected) in [(complaint_body(), StatusCode::CREATED), (other, StatusCode::UNPROCESSABLE_ENTITY)] {
        let res = app
            .client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(&desk)
            .header("idempotency-key", "k1")
            .json(&body)
            .send()
            .await
            .unwrap();
        if expected == StatusCode::CREATED {
            assert_eq!(res.status(), expected);
        } else {
            assert_problem(res, expected, "idempotency_key_reused", Some("Idempotency-Key")).await;
        }
    }
}

#[tokio::test]
async fn projects_and_departments_describe_the_organisation() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let projects: Value = app.get(&desk, "/api/v1/projects").await.json().await.unwrap();
    let jy = projects.as_array().unwrap().iter().find(|p| p["code"] == "JYHY").unwrap();
    assert_eq!(jy["name"], "锦园华苑");
    assert!(jy["buildings"][0]["units"].as_array().unwrap().iter().any(|u| u == "101"));
    let departments: Value = app.get(&desk, "/api/v1/departments").await.json().await.unwrap();
    assert!(departments.as_array().unwrap().iter().any(|d| d["code"] == "engineering" && d["name"] == "工程部"));
}
