//! `GET /api/v1/openapi.json` describes every endpoint of the contract,
//! generated from the code.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn document(app: &TestApp) -> Value {
    let res = app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "public, no credentials needed");
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    res.json().await.expect("the document is JSON")
}

/// Follows a `$ref` to its component.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => doc.pointer(r.strip_prefix('#').expect("a local ref")).unwrap_or_else(|| panic!("dangling {r}")),
        None => v,
    }
}

#[tokio::test]
async fn the_document_is_openapi_3_with_every_endpoint_of_the_contract() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert!(!doc["info"]["title"].as_str().unwrap().is_empty());
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    for (path, methods) in [
        ("/api/v1/complaints", &["post", "get"][..]),
        ("/api/v1/complaints/{id}", &["get"]),
        ("/api/v1/complaints/{id}/transitions", &["post"]),
        ("/api/v1/complaints/{id}/reveal", &["post"]),
        ("/api/v1/complaints/{id}/files", &["post"]),
        ("/api/v1/files/{id}", &["get"]),
        ("/api/v1/projects", &["get"]),
        ("/api/v1/departments", &["get"]),
        ("/api/v1/track", &["post"]),
        ("/api/v1/auth/login", &["post"]),
        ("/api/v1/auth/logout", &["post"]),
        ("/api/v1/auth/me", &["get"]),
    ] {
        for method in methods {
            let op = &doc["paths"][path][method];
            assert!(op.is_object(), "{method} {path} is not described");
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path} has no responses");
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["securitySchemes"]["session"].is_object());
}

#[tokio::test]
async fn the_transition_request_documents_every_action_and_its_fields() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let body = &doc["paths"]["/api/v1/complaints/{id}/transitions"]["post"]["requestBody"];
    let schema = resolve(&doc, &body["content"]["application/json"]["schema"]);
    let variants = schema["oneOf"].as_array().expect("one schema per action");
    let by_action = |name: &str| -> &Value {
        variants
            .iter()
            .map(|v| resolve(&doc, v))
            .find(|v| v["properties"]["action"]["enum"].as_array().is_some_and(|e| e.iter().any(|a| a == name)))
            .unwrap_or_else(|| panic!("action {name} is not documented"))
    };
    for (action, required) in [
        ("confirm", &[][..]),
        ("invalidate", &["explanation"]),
        ("assess", &["severity"]),
        ("investigate", &["department", "post", "person", "root_cause"]),
        ("dispatch", &[]),
        ("accept", &[]),
        ("report_delay", &["reason", "new_time"]),
        ("resolve", &["resolution"]),
        ("accept_result", &[]),
        ("reject_result", &["reason"]),
        ("close", &[]),
        ("callback", &["perceived", "expected"]),
    ] {
        let v = by_action(action);
        let listed: Vec<&str> = v["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        assert!(listed.contains(&"action"), "{action}: {v}");
        for field in required {
            assert!(listed.contains(field), "{action} must require {field}: {v}");
            assert!(v["properties"][field].is_object(), "{action}.{field} undocumented");
        }
    }
    assert_eq!(variants.len(), tousu_domain::action::ACTION_NAMES.len());
    assert!(by_action("investigate")["properties"]["evidence"].is_object());
    assert!(by_action("callback")["properties"]["comment"].is_object());
}

#[tokio::test]
async fn every_reference_resolves_and_every_response_is_described() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        assert!(doc.pointer(r.trim_start_matches('#')).is_some(), "dangling {r}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                let described = response["description"].as_str().is_some_and(|d| !d.is_empty());
                assert!(described, "{method} {path} {status} has no description (required by OpenAPI)");
                if status.starts_with('4') {
                    let content = response["content"].as_object().unwrap();
                    assert!(content.contains_key("application/problem+json"), "{method} {path} {status}: {response}");
                }
            }
        }
    }
}

#[tokio::test]
async fn list_filters_are_optional_query_parameters() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let params = doc["paths"]["/api/v1/complaints"]["get"]["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    for name in
        ["status", "project", "category", "severity", "department", "received_from", "received_to", "limit", "cursor"]
    {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    for p in params {
        assert_eq!(p["in"], "query", "{p}");
        assert_eq!(p["required"], false, "{p}");
    }
    let upload = doc["paths"]["/api/v1/complaints/{id}/files"]["post"]["parameters"].as_array().unwrap();
    let name = upload.iter().find(|p| p["name"] == "name").unwrap();
    assert_eq!(name["in"], "query");
}
