//! `spawn_app()`: the real server on a random port with a fresh database
//! and the demo organisation, plus helpers that speak its API.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;
use tousu::settings::Settings;
use tousu::startup::Application;
use tousu_app::seed::SeededAccount;
use tousu_app::{AppConfig, Services};
use tousu_domain::Role;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub services: Services,
    pub accounts: Vec<SeededAccount>,
    pub company_id: i64,
    stop: CancellationToken,
    _data: TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppConfig::default()).await
}

pub async fn spawn_app_with(config: AppConfig) -> TestApp {
    tousu::telemetry::init("warn");
    let data = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        data_dir: data.path().to_path_buf(),
        database: None,
        bind: "127.0.0.1:0".parse().expect("address"),
        demo: true,
        // Background loops stay off: tests run their steps with a chosen time.
        worker: false,
        app: config,
    };
    let app = Application::build(settings).await.expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let services = app.services().clone();
    let accounts = app.seeded_accounts().expect("demo seeded").to_vec();
    let company_id = services.store().list_companies().await.expect("companies")[0].id;
    let stop = CancellationToken::new();
    tokio::spawn(app.run_until_stopped(stop.clone().cancelled_owned()));
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    TestApp { address, client, services, accounts, company_id, stop, _data: data }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// An API token for the demo account holding `role`.
    pub async fn token(&self, role: Role) -> String {
        self.services.create_api_token(role, None, None).await.expect("token").0
    }

    /// An API token for a named staff member.
    pub async fn token_for(&self, username: &str, role: Role) -> String {
        self.services.create_api_token(role, Some(username), None).await.expect("token").0
    }

    /// Adds a staff member and answers a token for them.
    pub async fn add_staff(&self, username: &str, name: &str, role: Role, department: Option<&str>) -> String {
        self.services.add_staff(self.company_id, username, name, role, department).await.expect("staff added");
        self.token_for(username, role).await
    }

    pub fn password(&self, username: &str) -> String {
        self.accounts.iter().find(|a| a.username == username).expect("account").password.clone()
    }

    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("request sent")
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request sent")
    }

    pub async fn post_complaint(&self, token: &str, body: &Value) -> Response {
        self.post_json(token, "/api/v1/complaints", body).await
    }

    /// Records a valid complaint and answers its JSON.
    pub async fn new_complaint(&self, token: &str) -> Value {
        let res = self.post_complaint(token, &complaint_body()).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.expect("json")
    }

    pub async fn transition(&self, token: &str, id: i64, body: Value) -> Response {
        self.post_json(token, &format!("/api/v1/complaints/{id}/transitions"), &body).await
    }

    /// Performs a transition that must succeed; answers the complaint.
    pub async fn act(&self, token: &str, id: i64, body: Value) -> Value {
        let res = self.transition(token, id, body.clone()).await;
        let status = res.status();
        let json: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "{body} was refused: {json}");
        json
    }

    pub async fn complaint(&self, token: &str, id: i64) -> Value {
        let res = self.get(token, &format!("/api/v1/complaints/{id}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("json")
    }
}

/// A valid complaint as a channel would send it.
pub fn complaint_body() -> Value {
    json!({
        "channel": "phone",
        "customer": {"name": "张三丰", "phone": "138 1234 5678"},
        "project": "JYHY",
        "building": "3栋",
        "unit": "1801",
        "subject": "卫生间漏水",
        "description": "3栋1801卫生间顶上又开始滴水了，上个月修过一次，请尽快处理。",
        "remedy_sought": "彻底修好楼上防水",
        "remedies": ["repair", "apology"]
    })
}

/// Asserts a problem response: status, content type, code and field.
pub async fn assert_problem(res: Response, status: StatusCode, code: &str, field: Option<&str>) -> Value {
    assert_eq!(res.status(), status);
    let content_type = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = res.json().await.expect("problem json");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["message_zh"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["message_en"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{body}");
    }
    body
}

/// A valid 1×1 RGBA PNG (67 bytes): a real photo as far as content sniffing goes.
pub const TINY_PNG: [u8; 67] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0a, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// SHA-256 of [`TINY_PNG`], computed outside tousu (`sha256sum`).
pub const TINY_PNG_SHA256: &str = "ebf4f635a17d10d6eb46ba680b70142419aa3220f228001a036d311a22ee9d2a";

impl TestApp {
    /// Uploads `bytes` as evidence of complaint `id`, as an octet stream.
    pub async fn upload(&self, token: &str, id: i64, name: &str, bytes: Vec<u8>) -> Response {
        self.client
            .post(self.url(&format!("/api/v1/complaints/{id}/files")))
            .query(&[("name", name)])
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .expect("request sent")
    }

    /// Walks complaint `id` forward with the demo accounts (front desk,
    /// the engineering handler and head) until it reaches `target`, one of
    /// `confirmed` … `closed` in lifecycle order, or `closed_invalid`.
    /// Answers the complaint as the last action left it.
    pub async fn walk_to(&self, id: i64, target: &str) -> Value {
        let desk = self.token(Role::FrontDesk).await;
        if target == "closed_invalid" {
            return self.act(&desk, id, json!({"action": "invalidate", "explanation": "属于咨询，已当面解释"})).await;
        }
        let handler = self.token(Role::Handler).await;
        let head = self.token(Role::DepartmentHead).await;
        let steps = [
            (&desk, json!({"action": "confirm"}), "confirmed"),
            (&desk, json!({"action": "assess", "severity": "general", "category": "facilities"}), "assessed"),
            (
                &desk,
                json!({"action": "investigate", "department": "engineering", "post": "水电维修岗",
                       "person": "李强", "root_cause": "楼上卫生间防水层破损"}),
                "investigating",
            ),
            (&desk, json!({"action": "dispatch"}), "dispatched"),
            (&handler, json!({"action": "accept"}), "in_progress"),
            (&handler, json!({"action": "resolve", "resolution": "已重做防水"}), "resolved"),
            (&desk, json!({"action": "accept_result"}), "customer_accepted"),
            (&head, json!({"action": "close"}), "closed"),
        ];
        let mut current = self.complaint(&desk, id).await;
        if current["status"] == target {
            return current;
        }
        let start = steps.iter().position(|(_, _, s)| current["status"] == *s).map_or(0, |i| i + 1);
        for (token, body, status) in &steps[start..] {
            current = self.act(token, id, body.clone()).await;
            assert_eq!(current["status"], *status);
            if *status == target {
                return current;
            }
        }
        panic!("cannot walk complaint {id} to {target}");
    }
}

/// Every string inside a JSON value, depth first.
pub fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}
