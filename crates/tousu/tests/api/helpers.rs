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
