//! Confidentiality: customers' names, phones and units are masked in every
//! response; revealing them is an explicit request, recorded in the history.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

const NAME: &str = "张三丰";
const PHONE: &str = "13812345678";
const UNIT: &str = "1801";
/// A second number the owner wrote into the description, as owners do.
const PHONE_IN_TEXT: &str = "13987654321";

fn body() -> Value {
    let mut b = complaint_body();
    b["description"] = json!(format!("卫生间顶上又开始滴水了。白天打我老婆电话{PHONE_IN_TEXT}，晚上打我。"));
    b
}

/// Nothing in `v` holds the customer's name, phones or unit in clear.
fn assert_nothing_clear(v: &Value) {
    for s in strings(v) {
        assert!(!s.contains(NAME) && !s.contains("三丰"), "name in clear: {s}");
        assert!(!s.contains(PHONE) && !s.contains(PHONE_IN_TEXT), "phone in clear: {s}");
        assert_ne!(s, UNIT, "unit in clear");
    }
}

/// A complaint as staff see it: masked.
fn assert_masked(c: &Value) {
    assert_eq!(c["customer"]["name"], "张**", "{c}");
    assert_eq!(c["customer"]["phone"], "138****5678", "{c}");
    assert_eq!(c["unit"], "1***", "{c}");
    assert_eq!(c["building"], "3栋", "the building stays visible for routing");
    let description = c["description"].as_str().unwrap();
    assert!(description.contains("139****4321"), "{description}");
    assert_nothing_clear(c);
}

#[tokio::test]
async fn names_phones_and_units_are_masked_in_every_response_and_in_the_history() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let res = app.post_complaint(&desk, &body()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    assert_masked(&created);
    let id = created["id"].as_i64().unwrap();

    let confirmed = app.act(&desk, id, json!({"action": "confirm"})).await;
    assert_masked(&confirmed);

    let shown = app.complaint(&desk, id).await;
    assert_masked(&shown);
    let received = &shown["history"][0];
    assert_eq!(received["type"], "received");
    assert_eq!(received["payload"]["customer"]["name"], "张**");
    assert_eq!(received["payload"]["customer"]["phone"], "138****5678");
    assert_eq!(received["payload"]["unit"], "1***");
    assert!(received["payload"]["description"].as_str().unwrap().contains("139****4321"));

    let list: Value = app.get(&desk, "/api/v1/complaints").await.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_masked(&items[0]);

    // Every role sees the same masked data.
    for role in Role::ALL {
        let token = app.token(role).await;
        assert_masked(&app.complaint(&token, id).await);
    }
}

#[tokio::test]
async fn a_phone_written_with_spaces_or_dashes_in_the_description_is_masked_too() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut b = complaint_body();
    b["description"] = json!("请回电 139 8765 4321 或 139-8765-4321，房号不变。");
    let c: Value = app.post_complaint(&desk, &b).await.json().await.unwrap();
    let shown = app.complaint(&desk, c["id"].as_i64().unwrap()).await;
    for v in [&c, &shown] {
        for s in strings(v) {
            assert!(!s.contains("8765 4321") && !s.contains("8765-4321"), "phone in clear: {s}");
        }
    }
    assert!(shown["description"].as_str().unwrap().contains("139 **** 4321"), "{}", shown["description"]);
}

#[tokio::test]
async fn the_front_desk_reveals_in_clear_and_the_reveal_is_recorded_with_actor_and_fields() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.post_complaint(&desk, &body()).await.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = app
        .post_json(&desk, &format!("/api/v1/complaints/{id}/reveal"), &json!({"fields": ["name", "phone", "unit"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let revealed: Value = res.json().await.unwrap();
    assert_eq!(revealed["complaint_id"], id);
    assert_eq!(revealed["name"], NAME);
    assert_eq!(revealed["phone"], PHONE);
    assert_eq!(revealed["unit"], UNIT);
    assert!(revealed["description"].as_str().unwrap().contains(PHONE_IN_TEXT));

    let c = app.complaint(&desk, id).await;
    let history = c["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    let event = &history[1];
    assert_eq!(event["type"], "personal_data_revealed");
    assert_eq!(revealed["recorded_as_seq"], event["seq"]);
    assert_eq!(event["actor"]["name"], "王芳");
    assert_eq!(event["actor"]["role"], "front_desk");
    assert_eq!(event["payload"]["fields"], json!(["name", "phone", "unit"]));
    assert_eq!(c["status"], "received", "a reveal does not move the complaint");
    // Still masked for everyone afterwards, the revealer included.
    assert_masked(&c);
}

#[tokio::test]
async fn a_reveal_shows_only_the_fields_asked_for() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let res =
        app.post_json(&desk, &format!("/api/v1/complaints/{id}/reveal"), &json!({"fields": ["phone", "phone"]})).await;
    let revealed: Value = res.json().await.unwrap();
    assert_eq!(revealed["phone"], PHONE);
    assert!(revealed["name"].is_null() && revealed["unit"].is_null(), "{revealed}");
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["history"][1]["payload"]["fields"], json!(["phone"]));
}

#[tokio::test]
async fn analysts_and_administrators_may_not_reveal_and_nothing_is_recorded() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    for role in [Role::Analyst, Role::Admin] {
        let token = app.token(role).await;
        let res = app.post_json(&token, &format!("/api/v1/complaints/{id}/reveal"), &json!({"fields": ["name"]})).await;
        assert_problem(res, StatusCode::FORBIDDEN, "role_not_allowed", None).await;
    }
    assert_eq!(app.complaint(&desk, id).await["history"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn department_staff_reveal_only_for_complaints_dispatched_to_their_department() {
    let app = spawn_app().await;
    let sec_handler = app.add_staff("sec_handler", "周安", Role::Handler, Some("security")).await;
    let desk = app.token(Role::FrontDesk).await;
    let handler = app.token(Role::Handler).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let reveal = |token: String| {
        let app = &app;
        async move { app.post_json(&token, &format!("/api/v1/complaints/{id}/reveal"), &json!({"fields": ["phone"]})).await }
    };
    // Not dispatched yet: no department's business.
    assert_problem(reveal(handler.clone()).await, StatusCode::FORBIDDEN, "not_your_department", None).await;
    app.walk_to(id, "dispatched").await;
    assert_problem(reveal(sec_handler.clone()).await, StatusCode::FORBIDDEN, "not_your_department", None).await;
    let history = app.complaint(&desk, id).await["history"].as_array().unwrap().len();
    let res = reveal(handler).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["phone"], PHONE);
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["history"].as_array().unwrap().len(), history + 1, "only the allowed reveal is recorded");
    assert_eq!(c["history"][history]["actor"]["name"], "李强");
}

#[tokio::test]
async fn a_handler_who_received_the_complaint_may_reveal_it() {
    let app = spawn_app().await;
    let sec_handler = app.add_staff("sec_handler", "周安", Role::Handler, Some("security")).await;
    let c: Value = app.post_complaint(&sec_handler, &complaint_body()).await.json().await.unwrap();
    assert_eq!(c["first_responder"]["name"], "周安");
    let id = c["id"].as_i64().unwrap();
    let res =
        app.post_json(&sec_handler, &format!("/api/v1/complaints/{id}/reveal"), &json!({"fields": ["name"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], NAME);
}

#[tokio::test]
async fn a_reveal_without_fields_or_with_an_unknown_field_is_422() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/complaints/{id}/reveal");
    let res = app.post_json(&desk, &path, &json!({"fields": []})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("fields")).await;
    let res = app.post_json(&desk, &path, &json!({"fields": ["id_card"]})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("fields[0]")).await;
    let res = app.post_json(&desk, &path, &json!({})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("fields")).await;
    assert_eq!(app.complaint(&desk, id).await["history"].as_array().unwrap().len(), 1);
    let res = app.post_json(&desk, "/api/v1/complaints/424242/reveal", &json!({"fields": ["name"]})).await;
    assert_problem(res, StatusCode::NOT_FOUND, "not_found", None).await;
}
