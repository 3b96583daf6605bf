//! `spawn_app()`: the real server on a random port with a fresh database
//! and the demo organisation, plus helpers that speak its API.
//! `spawn_app_at(start, config)`: the same with a clock the test moves
//! (days of simulated time in milliseconds), the data folder kept for a
//! restart, and the worker's steps run on demand.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tempfile::TempDir;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tousu::settings::Settings;
use tousu::startup::Application;
use tousu_app::escalation::StepOutcome;
use tousu_app::seed::SeededAccount;
use tousu_app::{AppConfig, Clock, Services};
use tousu_domain::Role;
use tousu_notify::{Notifier, NotifierConfig};

/// A clock the test sets and moves; the application reads it for every
/// request and the worker's steps run at its time.
#[derive(Debug)]
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> Arc<TestClock> {
        Arc::new(TestClock(Mutex::new(start)))
    }

    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let mut now = self.0.lock().unwrap();
        *now += by;
        *now
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap() = to;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub services: Services,
    pub accounts: Vec<SeededAccount>,
    pub company_id: i64,
    /// The test's clock (the machine's time for `spawn_app`, frozen at its start).
    pub clock: Arc<TestClock>,
    /// The data folder: database, lock file, time-limits.toml.
    pub data_dir: PathBuf,
    pub notifier: Arc<Notifier>,
    pub settings: Settings,
    /// Set when the clock is the test's: the server runs on it.
    controlled: bool,
    stop: CancellationToken,
    server: Option<JoinHandle<std::io::Result<()>>>,
    _data: Arc<TempDir>,
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
    let data = Arc::new(tempfile::tempdir().expect("temp dir"));
    let clock = TestClock::new(tousu_app::SystemClock.now());
    start(settings(data.path(), config, false), data, clock, false).await
}

/// The server on another database (`postgres://…`), with the demo
/// organisation and the machine's clock; the data folder holds only the
/// policy files.
pub async fn spawn_app_on(database: String) -> TestApp {
    let data = Arc::new(tempfile::tempdir().expect("temp dir"));
    let clock = TestClock::new(tousu_app::SystemClock.now());
    let settings = Settings { database: Some(database), ..settings(data.path(), AppConfig::default(), false) };
    start(settings, data, clock, false).await
}

/// The server with the test's clock, starting at `start`. Background loops
/// stay off: the test runs [`TestApp::run_deadlines`] and
/// [`TestApp::run_outbox`] at the clock's time.
pub async fn spawn_app_at(start_at: DateTime<Utc>, config: AppConfig) -> TestApp {
    let data = Arc::new(tempfile::tempdir().expect("temp dir"));
    start(settings(data.path(), config, false), data, TestClock::new(start_at), true).await
}

/// Like [`spawn_app_at`] with the escalation worker and the outbox
/// dispatcher running in the server, on the test's clock.
pub async fn spawn_app_at_with_worker(start_at: DateTime<Utc>, config: AppConfig) -> TestApp {
    let data = Arc::new(tempfile::tempdir().expect("temp dir"));
    start(settings(data.path(), config, true), data, TestClock::new(start_at), true).await
}

/// Like [`spawn_app_at`] on a data folder prepared beforehand (by the CLI).
pub async fn spawn_app_in(data: TempDir, start_at: DateTime<Utc>, config: AppConfig) -> TestApp {
    let data = Arc::new(data);
    start(settings(data.path(), config, false), data, TestClock::new(start_at), true).await
}

fn settings(dir: &Path, config: AppConfig, worker: bool) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        database: None,
        bind: "127.0.0.1:0".parse().expect("address"),
        demo: true,
        // Background loops stay off unless asked: tests run their steps with a chosen time.
        worker,
        search: true,
        app: config,
    }
}

async fn build(settings: &Settings, clock: &Arc<TestClock>, controlled: bool) -> Application {
    tousu::telemetry::init("warn");
    let app = if controlled {
        Application::build_with_clock(settings.clone(), clock.clone()).await
    } else {
        Application::build(settings.clone()).await
    };
    app.expect("the application builds")
}

async fn start(settings: Settings, data: Arc<TempDir>, clock: Arc<TestClock>, controlled: bool) -> TestApp {
    let app = build(&settings, &clock, controlled).await;
    let address = format!("http://127.0.0.1:{}", app.port());
    let services = app.services().clone();
    // A second server on a database another one seeded has no accounts printed.
    let accounts = app.seeded_accounts().map(|a| a.to_vec()).unwrap_or_default();
    let company_id = services.store().list_companies().await.expect("companies")[0].id;
    let notifier = notifier(&settings.app, &clock);
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(stop.clone().cancelled_owned()));
    TestApp {
        address,
        client: client(),
        services,
        accounts,
        company_id,
        data_dir: data.path().to_path_buf(),
        notifier,
        settings,
        controlled,
        clock,
        stop,
        server: Some(server),
        _data: data,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().expect("client")
}

fn notifier(config: &AppConfig, clock: &Arc<TestClock>) -> Arc<Notifier> {
    let config = NotifierConfig { smtp: config.notify.smtp.clone(), ..NotifierConfig::default() };
    let clock = clock.clone();
    Arc::new(Notifier::new(&config).expect("notifier").with_clock(move || clock.now()))
}

impl TestApp {
    /// The clock's time.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Moves the clock on.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        self.clock.advance(by)
    }

    /// Sets the clock.
    pub fn set_clock(&self, to: DateTime<Utc>) {
        self.clock.set(to)
    }

    /// Polls `GET …/deadlines` until `rule` has `happened` (the background
    /// worker records it on its own time); answers the view.
    pub async fn wait_for_deadline(&self, token: &str, id: i64, rule: &str, happened: &str) -> Value {
        let limit = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let view = self.deadlines(token, id).await;
            if life(&view, rule).iter().any(|h| h == happened) {
                return view;
            }
            assert!(std::time::Instant::now() < limit, "{rule} never {happened}: {view}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// One step of the escalation worker at the clock's time.
    pub async fn run_deadlines(&self) -> StepOutcome {
        self.services.run_deadline_step(self.now(), 1000).await.expect("the deadline step runs")
    }

    /// One step of the outbox dispatcher at the clock's time.
    pub async fn run_outbox(&self) -> StepOutcome {
        self.services.run_outbox_step(&self.notifier, self.now()).await.expect("the outbox step runs")
    }

    /// Stops the server, waits until it has let go of the database (its
    /// lock file included), and starts a new one on the same data folder
    /// and clock. Accounts and tokens live in the database and stay valid.
    pub async fn restart(&mut self) {
        self.stop.cancel();
        if let Some(server) = self.server.take() {
            server.await.expect("the server task ends").expect("the server stopped cleanly");
        }
        let app = build(&self.settings, &self.clock, self.controlled).await;
        assert!(app.seeded_accounts().is_none(), "a restart finds the organisation it left");
        self.address = format!("http://127.0.0.1:{}", app.port());
        self.services = app.services().clone();
        self.client = client();
        self.stop = CancellationToken::new();
        self.server = Some(tokio::spawn(app.run_until_stopped(self.stop.clone().cancelled_owned())));
    }
}

impl TestApp {
    /// Stops the server and waits until it has let go of the database (its
    /// lock file included); answers the data folder, which outlives it.
    pub async fn stop(mut self) -> Arc<TempDir> {
        self.stop.cancel();
        if let Some(server) = self.server.take() {
            server.await.expect("the server task ends").expect("the server stopped cleanly");
        }
        self._data.clone()
    }
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
        "subject": "卫生间渗水",
        // A first, ordinary complaint: triage reads it as general facilities.
        "description": "3栋1801卫生间顶上在滴水，请安排师傅上门查看。",
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

/// An instant written as RFC 3339 (`2026-09-30T10:00:00+08:00`).
pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap_or_else(|e| panic!("{rfc3339}: {e}")).to_utc()
}

/// A time as the API serves it, read back.
pub fn time(v: &Value) -> DateTime<Utc> {
    at(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
}

/// The end of a local day in Asia/Shanghai (23:59:59.999 +08:00), as
/// working-day limits fall due.
pub fn end_of_day(date: &str) -> DateTime<Utc> {
    at(&format!("{date}T23:59:59.999+08:00"))
}

pub fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

pub fn hours(n: i64) -> Duration {
    Duration::hours(n)
}

pub fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// The latest deadline of `rule` in a complaint or a deadlines view.
pub fn deadline<'a>(c: &'a Value, rule: &str) -> &'a Value {
    c["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .rev()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} deadline in {}", c["deadlines"]))
}

/// How many deadlines of `rule` a complaint carries (a rule opened again keeps the old entry).
pub fn deadline_count(c: &Value, rule: &str) -> usize {
    c["deadlines"].as_array().expect("deadlines").iter().filter(|d| d["rule"] == rule).count()
}

/// The due time of the latest deadline of `rule`.
pub fn due(c: &Value, rule: &str) -> DateTime<Utc> {
    time(&deadline(c, rule)["due_at"])
}

/// What happened to `rule`, in order, in a deadlines view (`GET …/deadlines`).
pub fn life(view: &Value, rule: &str) -> Vec<String> {
    view["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["rule"] == rule)
        .map(|e| e["happened"].as_str().expect("happened").to_string())
        .collect()
}

/// The history entries of one type.
pub fn history_of<'a>(c: &'a Value, kind: &str) -> Vec<&'a Value> {
    c["history"].as_array().expect("history").iter().filter(|e| e["type"] == kind).collect()
}

impl TestApp {
    /// `GET /api/v1/complaints/{id}/deadlines`.
    pub async fn deadlines(&self, token: &str, id: i64) -> Value {
        let res = self.get(token, &format!("/api/v1/complaints/{id}/deadlines")).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("json")
    }

    /// Records `body` (a complaint as a channel sends it) and answers it.
    pub async fn new_complaint_from(&self, token: &str, body: &Value) -> Value {
        let res = self.post_complaint(token, body).await;
        let status = res.status();
        let json: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json
    }

    /// A request with a text body (TOML documents for the admin API).
    pub async fn put_text(&self, token: &str, path: &str, body: &str) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/toml")
            .body(body.to_string())
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_empty(&self, token: &str, path: &str) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).send().await.expect("request sent")
    }

    /// What the owner sees with the tracking number and phone of `complaint_body()`.
    pub async fn track(&self, tracking_no: &str) -> Value {
        self.track_with(tracking_no, "13812345678").await
    }

    /// What the owner sees with a tracking number and the phone given.
    pub async fn track_with(&self, tracking_no: &str, phone: &str) -> Value {
        let res = self
            .client
            .post(self.url("/api/v1/track"))
            .json(&json!({"tracking_no": tracking_no, "phone": phone}))
            .send()
            .await
            .expect("request sent");
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.expect("json")
    }
}

/// Four households of one project telling of one cause (a water outage),
/// each in their own words: a group complaint (群诉) once recorded.
pub const WATER_OUTAGE: [&str; 4] = [
    "从早上开始就停水了，家里一滴水都没有，什么时候能恢复？",
    "我们这栋楼停水大半天了，也没有通知，做饭都没法做。",
    "一直没有水，水龙头打开什么都没有，物业能不能说明一下停水原因？",
    "家里停水了，老人小孩都等着用水，请尽快恢复供水！",
];

/// A complaint from household `n` of the demo project (its own phone and unit).
pub fn household(n: usize, description: &str) -> Value {
    let mut body = complaint_body();
    body["customer"]["phone"] = json!(format!("1390000{n:04}"));
    body["building"] = json!(["1栋", "2栋", "3栋"][n % 3]);
    body["unit"] = json!(format!("{}0{}", 2 + n % 15, 1 + n % 2));
    body["subject"] = Value::Null;
    body["description"] = json!(description);
    body
}
