//! The extra-services ledger (惊喜服务, issue 7): staff log an extra
//! service given to a household; a later callback from that household is
//! counted apart, so the figures compare households that had one with those
//! that did not. Bad entries are refused naming the field.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

async fn log(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post_json(token, "/api/v1/extra-services", &body).await
}

#[tokio::test]
async fn callbacks_of_households_given_an_extra_service_are_counted_apart() {
    let app = spawn_app_at(at("2026-11-23T10:00:00+08:00"), tousu_app::AppConfig::default()).await;
    let desk = app.token(Role::FrontDesk).await;
    // Two complaints from two households of 3栋, closed.
    let mut ids = Vec::new();
    for (unit, phone) in [("1801", "13800000001"), ("1702", "13800000002")] {
        let mut body = complaint_body();
        body["unit"] = json!(unit);
        body["customer"]["phone"] = json!(phone);
        let id = app.new_complaint_from(&desk, &body).await["id"].as_i64().unwrap();
        app.walk_to(id, "closed").await;
        ids.push(id);
    }
    // 1801 is given an extra service before its callback; 1702 is not.
    let res = log(
        &app,
        &desk,
        json!({"project": "JYHY", "building": "3栋", "unit": "1801", "service": "rain_umbrella",
               "description": "雨天把伞送到家门口", "given_by": "秩序员 小李"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let entry: Value = res.json().await.unwrap();
    assert_eq!((entry["unit"].as_str(), entry["given_by"].as_str()), (Some("1801"), Some("秩序员 小李")));
    app.advance(minutes(5));
    app.act(&desk, ids[0], json!({"action": "callback", "perceived": 10, "expected": 8})).await;
    app.act(&desk, ids[1], json!({"action": "callback", "perceived": 7, "expected": 7})).await;

    let history = app.complaint(&desk, ids[0]).await["history"].clone();
    let callback = history.as_array().unwrap().iter().find(|e| e["type"] == "callback_recorded").expect("recorded");
    assert_eq!(callback["payload"]["extra_service"], true, "{callback}");

    let analyst = app.token(Role::Analyst).await;
    let r: Value = app
        .get(&analyst, "/api/v1/figures/satisfaction?by=extra_service&from=2026-11&to=2026-11")
        .await
        .json()
        .await
        .unwrap();
    let rows: Vec<(&str, u64, f64)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (row["key"].as_str().unwrap(), row["callbacks"].as_u64().unwrap(), row["mean_index"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(rows, [("no", 1, 1.0), ("yes", 1, 1.25)]);

    // The ledger, newest first; analysts read the figures, not log entries.
    let second =
        log(&app, &desk, json!({"project": "JYHY", "building": "3栋", "unit": "1702", "description": "生日送上贺卡"}))
            .await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let listed: Value = app.get(&desk, "/api/v1/extra-services").await.json().await.unwrap();
    let units: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["unit"].as_str().unwrap()).collect();
    assert_eq!(units, ["1702", "1801"]);
    assert_eq!(listed[0]["given_by"], "王芳", "the caller when not named");
    let res =
        log(&app, &analyst, json!({"project": "JYHY", "building": "3栋", "unit": "1702", "description": "x"})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bad_extra_service_is_refused_naming_the_field_and_nothing_is_recorded() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let ok = json!({"project": "JYHY", "building": "3栋", "unit": "1801", "description": "雨天送伞"});
    let with = |field: &str, value: Value| {
        let mut b = ok.clone();
        b[field] = value;
        b
    };
    for (body, field) in [
        (with("project", json!("NOPE")), "project"),
        (with("unit", json!("9999")), "unit"),
        (with("description", json!("   ")), "description"),
        (with("description", json!("长".repeat(10_001))), "description"),
        (with("given_at", json!("2099-01-01T00:00:00Z")), "given_at"),
    ] {
        let res = log(&app, &desk, body).await;
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some(field)).await;
    }
    let res = log(&app, &desk, with("colour", json!("red"))).await;
    assert!(res.status().is_client_error());
    let listed: Value = app.get(&desk, "/api/v1/extra-services").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}
