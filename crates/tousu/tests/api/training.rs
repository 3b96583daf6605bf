//! Training cases (案例库, issue 7): a closed complaint becomes an anonymised
//! case in one action — no name, phone or unit anywhere in it — searchable,
//! taggable and exported as a Markdown document; one case per complaint,
//! only closed valid complaints, written by analysts and heads.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

const PERSONAL: [&str; 6] = ["张三丰", "张先生", "1801", "13812345678", "138 1234 5678", "5678"];

fn assert_anonymous(text: &str) {
    for p in PERSONAL {
        assert!(!text.contains(p), "{p:?} left in {text}");
    }
}

#[tokio::test]
async fn a_closed_complaint_becomes_an_anonymous_searchable_training_case_exported_as_a_document() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut body = complaint_body();
    body["description"] = json!("我是张三丰，住3栋1801，电话138 1234 5678。卫生间顶上在滴水，张先生希望尽快处理。");
    let id = app.new_complaint_from(&desk, &body).await["id"].as_i64().unwrap();
    app.walk_to(id, "closed").await;
    app.act(&desk, id, json!({"action": "callback", "perceived": 9, "expected": 8})).await;

    let analyst = app.token(Role::Analyst).await;
    let notes = json!({
        "account": "接到张先生电话后两小时内上门，查明是楼上1801上层卫生间防水破损，联系13812345678确认时间。",
        "went_right": "首次响应快", "went_wrong": "第一次没有做闭水试验",
        "lesson": "渗水投诉先做闭水试验再维修", "tags": ["漏水", "防水", "漏水"]
    });
    let path = format!("/api/v1/complaints/{id}/training-case");
    let res = app.post_json(&analyst, &path, &notes).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let case: Value = res.json().await.unwrap();
    assert_anonymous(&case.to_string());
    assert_eq!(case["complaint_id"], id);
    assert_eq!(case["complaint"], "我是业主，住3栋[房号]，电话[号码]。卫生间顶上在滴水，业主希望尽快处理。");
    assert_eq!(case["building"], "3栋");
    assert_eq!(case["root_cause"], "楼上卫生间防水层破损");
    assert_eq!(case["satisfaction"], json!([1.125]));
    assert_eq!(case["tags"], json!(["漏水", "防水"]), "a tag once");

    // One case per complaint.
    let res = app.post_json(&analyst, &path, &notes).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Every staff member may read and search the library.
    let found: Value = app.get(&desk, "/api/v1/training-cases?q=闭水试验%20防水").await.json().await.unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    let none: Value = app.get(&desk, "/api/v1/training-cases?q=电梯").await.json().await.unwrap();
    assert_eq!(none, json!([]));
    let tagged: Value = app.get(&desk, "/api/v1/training-cases?tag=防水").await.json().await.unwrap();
    assert_eq!(tagged.as_array().unwrap().len(), 1);
    let by_name: Value = app.get(&desk, "/api/v1/training-cases?q=张三丰").await.json().await.unwrap();
    assert_eq!(by_name, json!([]), "not found by the customer's name: it is not in the case");

    let res = app.get(&desk, &format!("/api/v1/training-cases/{}/document", case["id"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/markdown; charset=utf-8");
    let doc = res.text().await.unwrap();
    assert!(doc.starts_with("# 培训案例：卫生间渗水\n"), "{doc}");
    assert!(doc.contains("## 经验教训\n\n渗水投诉先做闭水试验再维修"), "{doc}");
    assert!(doc.contains("- 回访满意度：1.12") || doc.contains("- 回访满意度：1.13"), "{doc}");
    assert_anonymous(&doc);
}

#[tokio::test]
async fn only_closed_valid_complaints_become_cases_and_only_analysts_heads_and_leaders_write_them() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let analyst = app.token(Role::Analyst).await;
    let notes = json!({"account": "经过", "lesson": "教训"});
    let open = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let res = app.post_json(&analyst, &format!("/api/v1/complaints/{open}/training-case"), &notes).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("complaint")).await;

    let mut other = complaint_body();
    other["customer"]["phone"] = json!("13900000001");
    let invalid = app.new_complaint_from(&desk, &other).await["id"].as_i64().unwrap();
    app.walk_to(invalid, "closed_invalid").await;
    let res = app.post_json(&analyst, &format!("/api/v1/complaints/{invalid}/training-case"), &notes).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("complaint")).await;

    app.walk_to(open, "closed").await;
    let path = format!("/api/v1/complaints/{open}/training-case");
    let res = app.post_json(&desk, &path, &notes).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.post_json(&analyst, &path, &json!({"account": "经过", "lesson": "  "})).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("lesson")).await;
    let res = app.post_json(&analyst, "/api/v1/complaints/999999/training-case", &notes).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.get(&desk, "/api/v1/training-cases/999999/document").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let head = app.token(Role::DepartmentHead).await;
    let res = app.post_json(&head, &path, &notes).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}
