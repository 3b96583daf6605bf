//! Bad input gets a 4xx problem naming the field, and nothing is written.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

async fn count(app: &TestApp, token: &str) -> usize {
    let list: Value = app.get(token, "/api/v1/complaints?limit=200").await.json().await.unwrap();
    list["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn each_bad_field_is_named_and_nothing_is_written() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"customer": null}), "customer"),
        (json!({"customer": {"name": "张三"}}), "customer.phone"),
        (json!({"customer": {"name": "张三", "phone": "call me"}}), "customer.phone"),
        (json!({"customer": {"name": "", "phone": "13812345678"}}), "customer.name"),
        (json!({"channel": "pigeon"}), "channel"),
        (json!({"project": "NOPE"}), "project"),
        (json!({"building": "99栋"}), "building"),
        (json!({"unit": "9999"}), "unit"),
        (json!({"description": "   "}), "description"),
        (json!({"description": "漏".repeat(10_001)}), "description"),
        (json!({"remedies": ["money"]}), "remedies[0]"),
        (json!({"surprise": true}), "surprise"),
    ];
    for (patch, field) in cases {
        let mut body = complaint_body();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        if body["customer"].is_null() {
            body.as_object_mut().unwrap().remove("customer");
        }
        let res = app.post_complaint(&desk, &body).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some(field)).await;
    }
    assert_eq!(count(&app, &desk).await, 0);
}

#[tokio::test]
async fn malformed_bodies_are_refused_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let url = app.url("/api/v1/complaints");
    let send = |body: Vec<u8>, content_type: &'static str| {
        app.client.post(&url).bearer_auth(&desk).header("content-type", content_type).body(body).send()
    };
    assert_problem(send(b"{not json".to_vec(), "application/json").await.unwrap(), StatusCode::BAD_REQUEST, "malformed_json", None).await;
    assert_problem(send(vec![0xff, 0xfe, 0x00], "application/json").await.unwrap(), StatusCode::BAD_REQUEST, "invalid_utf8", None).await;
    assert_problem(send(b"{}".to_vec(), "text/plain").await.unwrap(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None).await;
    let huge = format!("{{\"description\": \"{}\"}}", "a".repeat(1024 * 1024 + 10));
    assert_problem(send(huge.into_bytes(), "application/json").await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None).await;
    // Still serving.
    let res = app.post_complaint(&desk, &complaint_body()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_complaints_and_routes_are_404_problems() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    assert_problem(app.get(&desk, "/api/v1/complaints/999999").await, StatusCode::NOT_FOUND, "not_found", None).await;
    assert_problem(app.get(&desk, "/api/v1/complaints/abc").await, StatusCode::NOT_FOUND, "not_found", None).await;
    assert_problem(app.get(&desk, "/api/v1/nothing-here").await, StatusCode::NOT_FOUND, "not_found", None).await;
}

#[tokio::test]
async fn an_unknown_action_or_missing_field_names_it() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let res = app.transition(&desk, id, json!({"action": "fly"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("action")).await;
    let res = app.transition(&desk, id, json!({"action": "invalidate"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("explanation")).await;
    let res = app.transition(&desk, id, json!({"action": "confirm", "nte": "typo"})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("nte")).await;
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["status"], "received");
    assert_eq!(c["history"].as_array().unwrap().len(), 1);
}
