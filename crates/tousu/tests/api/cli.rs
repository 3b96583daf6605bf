//! The real binary: `serve` prints its URL and the demo logins once, `token
//! create` prints a token the server accepts, PostgreSQL is refused, one
//! server per data folder, and a 201 survives `kill -9`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;
use tousu_app::seed::demo_staff;

const BIN: &str = env!("CARGO_BIN_EXE_tousu");
/// Overall limit for anything to happen; never a fixed wait.
const TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(25);
const ROLES: [&str; 7] = ["front_desk", "handler", "department_head", "company_leader", "board", "analyst", "admin"];

fn tousu(args: &[&str], cwd: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Settings from the environment of whoever runs the tests must not leak in.
    for (key, _) in std::env::vars() {
        if key.starts_with("TOUSU_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Runs a command that must finish by itself.
pub(crate) async fn run(args: &[&str], cwd: &Path) -> Output {
    let child = tousu(args, cwd).spawn().expect("tousu starts");
    tokio::time::timeout(TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("tousu {args:?} did not finish"))
        .expect("tousu ran")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Collects a stream's lines as they arrive, until it ends.
fn collect(stream: impl AsyncRead + Unpin + Send + 'static) -> (Arc<Mutex<String>>, JoinHandle<()>) {
    let out = Arc::new(Mutex::new(String::new()));
    let sink = out.clone();
    let reader = tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let mut s = sink.lock().unwrap();
            s.push_str(&line);
            s.push('\n');
        }
    });
    (out, reader)
}

/// `tousu serve` running as a child process (killed when dropped).
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) url: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts `serve --data DATA --bind 127.0.0.1:PORT [--demo]` and waits
    /// until `/healthz` answers. Retries on another port if the chosen one
    /// was taken meanwhile.
    async fn start(data: &Path, demo: bool) -> Server {
        Server::start_with(data, if demo { &["--demo"] } else { &[] }).await
    }

    /// Like [`Server::start`], with more arguments (`--database URL`…).
    pub(crate) async fn start_with(data: &Path, extra: &[&str]) -> Server {
        for _ in 0..3 {
            let bind = format!("127.0.0.1:{}", free_port());
            let mut args = vec!["serve", "--data", data.to_str().unwrap(), "--bind", &bind];
            args.extend_from_slice(extra);
            let mut child = tousu(&args, data.parent().unwrap()).spawn().expect("tousu starts");
            let (stdout, out_reader) = collect(child.stdout.take().unwrap());
            let (stderr, err_reader) = collect(child.stderr.take().unwrap());
            let readers = vec![out_reader, err_reader];
            let mut server = Server { child, url: format!("http://{bind}"), stdout, stderr, readers };
            if server.wait_ready().await {
                return server;
            }
            assert!(server.stderr().contains("cannot listen"), "tousu serve exited: {}", server.stderr());
        }
        panic!("no free port");
    }

    /// Polls `/healthz`; false if the server exited instead.
    async fn wait_ready(&mut self) -> bool {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let health = client.get(format!("{}/healthz", self.url)).timeout(Duration::from_secs(2)).send().await;
            if health.is_ok_and(|r| r.status() == StatusCode::OK) {
                return true;
            }
            if self.child.try_wait().unwrap().is_some() {
                self.drain().await;
                return false;
            }
            assert!(Instant::now() < deadline, "tousu serve not ready: {}", self.stderr());
            tokio::time::sleep(POLL).await;
        }
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until stdout holds `needle` (its reader may lag the server).
    async fn wait_stdout(&self, needle: &str) -> String {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let s = self.stdout();
            if s.contains(needle) {
                return s;
            }
            assert!(Instant::now() < deadline, "stdout never said {needle:?}: {s}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Reads the streams to their end (the process has exited).
    async fn drain(&mut self) {
        for reader in self.readers.drain(..) {
            tokio::time::timeout(TIMEOUT, reader).await.expect("the output ends").expect("reader");
        }
    }

    /// `kill -9`: no chance to flush or shut down. Answers all it printed.
    pub(crate) async fn kill_9(mut self) -> String {
        self.child.kill().await.expect("SIGKILL");
        self.drain().await;
        self.stdout()
    }
}

/// The demo logins as printed: username → password.
fn printed_logins(stdout: &str) -> BTreeMap<String, String> {
    let mut logins = BTreeMap::new();
    for (username, _, role, _) in demo_staff() {
        let line = stdout
            .lines()
            .find(|l| {
                let mut words = l.split_whitespace();
                words.next() == Some(username) && words.next() == Some(role.as_str())
            })
            .unwrap_or_else(|| panic!("no login printed for {username}: {stdout}"));
        let password = line.split_whitespace().last().unwrap();
        logins.insert(username.to_string(), password.to_string());
    }
    logins
}

async fn login(url: &str, username: &str, password: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

/// `tousu token create --role ROLE --data DATA`: the token on the last line.
pub(crate) async fn create_token(data: &Path, role: &str) -> String {
    let out = run(&["token", "create", "--role", role, "--data", data.to_str().unwrap()], data.parent().unwrap()).await;
    assert!(out.status.success(), "token create failed: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let last = stdout.lines().last().expect("a line");
    assert!(!last.is_empty() && !last.contains(char::is_whitespace), "{last:?}");
    last.to_string()
}

async fn me(url: &str, token: &str) -> Value {
    let res = reqwest::Client::new().get(format!("{url}/api/v1/auth/me")).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

pub(crate) fn complaint(i: usize) -> Value {
    json!({
        "channel": "phone",
        "customer": {"name": "张三丰", "phone": "138 1234 5678"},
        "project": "JYHY", "building": "3栋", "unit": "1801",
        "description": format!("第{i}号投诉：卫生间漏水"),
    })
}

#[tokio::test]
async fn serve_demo_prints_the_url_and_every_demo_login_and_the_logins_work() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, true).await;
    let stdout = server.wait_stdout("tousu token create").await;
    assert!(stdout.contains(&server.url), "the URL is printed: {stdout}");
    let logins = printed_logins(&stdout);
    assert_eq!(logins.len(), 7);
    for (username, password) in &logins {
        assert!(password.len() >= 12, "{username}: {password}");
        assert_eq!(login(&server.url, username, password).await, StatusCode::OK, "{username}");
    }
    assert!(data.join("tousu.db").exists(), "the data folder is created");
}

#[tokio::test]
async fn token_create_prints_a_token_the_running_server_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, true).await;
    let token = create_token(&data, "front_desk").await;
    let who = me(&server.url, &token).await;
    assert_eq!(who["role"], "front_desk");
    assert_eq!(who["username"], "frontdesk");
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/complaints", server.url))
        .bearer_auth(&token)
        .json(&complaint(1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let handler = create_token(&data, "handler").await;
    assert_eq!(me(&server.url, &handler).await["role"], "handler");
}

#[tokio::test]
async fn token_create_with_an_unknown_role_fails_and_lists_the_roles() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(&["token", "create", "--role", "janitor", "--data", data.to_str().unwrap()], dir.path()).await;
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no token: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("janitor"), "{stderr}");
    for role in ROLES {
        assert!(stderr.contains(role), "{role} missing from: {stderr}");
    }
}

#[tokio::test]
async fn token_create_without_an_organisation_fails_and_prints_no_token() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = run(&["token", "create", "--role", "front_desk", "--data", data.to_str().unwrap()], dir.path()).await;
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no token: {}", text(&out.stdout));
    assert!(!text(&out.stderr).trim().is_empty());
}

#[tokio::test]
async fn serve_with_an_unreachable_postgres_server_fails_clearly_before_binding_or_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Hold the port: a server that tried to bind would fail with another message.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = held.local_addr().unwrap().to_string();
    // Nothing listens on port 1: the connection is refused at once.
    let url = "postgres://tousu@127.0.0.1:1/tousu";
    let args = ["serve", "--database", url, "--bind", &bind, "--data", data.to_str().unwrap()];
    let out = run(&args, dir.path()).await;
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("PostgreSQL"), "{stderr}");
    assert!(!stderr.contains("cannot listen"), "it tried to bind: {stderr}");
    assert!(!data.exists(), "nothing is created for a refused database");
    drop(held);
}

#[tokio::test]
async fn a_second_server_on_the_same_data_folder_is_refused_while_the_first_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = Server::start(&data, true).await;
    let bind = format!("127.0.0.1:{}", free_port());
    let out = run(&["serve", "--data", data.to_str().unwrap(), "--bind", &bind, "--demo"], dir.path()).await;
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("another tousu server is already using"), "{stderr}");
    assert!(!text(&out.stdout).contains("Demo organisation"), "nothing seeded or printed");
    let health = reqwest::get(format!("{}/healthz", first.url)).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the first keeps serving");
}

#[tokio::test]
async fn every_201_survives_kill_9_and_a_restart_neither_reseeds_nor_reprints_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let server = Server::start(&data, true).await;
    let passwords = printed_logins(&server.wait_stdout("tousu token create").await);
    let token = create_token(&data, "front_desk").await;
    let client = reqwest::Client::new();
    let url = server.url.clone();

    // 50 complaints at once (one with an Idempotency-Key), each answered 201.
    let mut tasks = Vec::new();
    for i in 0..50 {
        let mut req = client.post(format!("{url}/api/v1/complaints")).bearer_auth(&token).json(&complaint(i));
        if i == 7 {
            req = req.header("idempotency-key", "durable-key");
        }
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::CREATED);
            let c: Value = res.json().await.unwrap();
            (c["id"].as_i64().unwrap(), c["tracking_no"].as_str().unwrap().to_string())
        }));
    }
    let mut recorded = BTreeMap::new();
    for t in tasks {
        let (id, no) = t.await.unwrap();
        recorded.insert(id, no);
    }
    assert_eq!(recorded.len(), 50);
    let numbers: std::collections::BTreeSet<&String> = recorded.values().collect();
    assert_eq!(numbers.len(), 50, "tracking numbers are unique");
    // Some of them move on, so their history has more than one event.
    let confirmed: Vec<i64> = recorded.keys().copied().step_by(5).collect();
    for id in &confirmed {
        let res = client
            .post(format!("{url}/api/v1/complaints/{id}/transitions"))
            .bearer_auth(&token)
            .json(&json!({"action": "confirm", "note": "已电话确认"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    server.kill_9().await;
    let server = Server::start(&data, false).await;
    let url = server.url.clone();
    assert_eq!(me(&url, &token).await["username"], "frontdesk", "the token survives");

    let list: Value = client
        .get(format!("{url}/api/v1/complaints?limit=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found: BTreeMap<i64, String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c["tracking_no"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(found, recorded, "every acknowledged complaint is there with its number");
    for (id, no) in &recorded {
        let c: Value = client
            .get(format!("{url}/api/v1/complaints/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(&c["tracking_no"], no);
        let kinds: Vec<&str> = c["history"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        if confirmed.contains(id) {
            assert_eq!(kinds, ["received", "confirmed"], "{id}");
            assert_eq!(c["status"], "confirmed");
        } else {
            assert_eq!(kinds, ["received"], "{id}");
        }
    }

    // The idempotency key is remembered too.
    let replay = client
        .post(format!("{url}/api/v1/complaints"))
        .bearer_auth(&token)
        .header("idempotency-key", "durable-key")
        .json(&complaint(7))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::CREATED);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replayed: Value = replay.json().await.unwrap();
    assert_eq!(recorded[&replayed["id"].as_i64().unwrap()], replayed["tracking_no"].as_str().unwrap());

    // The next complaint continues the sequence.
    let res =
        client.post(format!("{url}/api/v1/complaints")).bearer_auth(&token).json(&complaint(50)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let next: Value = res.json().await.unwrap();
    let next_no = next["tracking_no"].as_str().unwrap().to_string();
    assert!(!numbers.contains(&next_no), "{next_no} was already given");
    let last = numbers.iter().max().unwrap();
    let seq = |no: &str| no.rsplit('-').next().unwrap().parse::<u64>().unwrap();
    if last[..10] == next_no[..10] {
        assert_eq!(seq(&next_no), seq(last) + 1, "{last} then {next_no}");
    }

    let stdout = server.kill_9().await;
    assert!(stdout.contains(&url), "{stdout}");
    assert!(!stdout.contains("Demo organisation") && !stdout.contains("演示账号"), "re-printed: {stdout}");

    // Started again with --demo: the organisation is kept, not re-seeded.
    let server = Server::start(&data, true).await;
    assert_eq!(
        login(&server.url, "frontdesk", &passwords["frontdesk"]).await,
        StatusCode::OK,
        "the first passwords still work"
    );
    let stdout = server.kill_9().await;
    assert!(stdout.contains("is running at"), "{stdout}");
    assert!(!stdout.contains("Demo organisation") && !stdout.contains("演示账号"), "re-seeded: {stdout}");
}

#[tokio::test]
async fn migrate_creates_an_up_to_date_database_twice_over_and_never_under_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for _ in 0..2 {
        let out = run(&["migrate", "--data", data.to_str().unwrap()], dir.path()).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("schema up to date"), "{}", text(&out.stdout));
    }
    assert!(data.join("tousu.db").exists());
    let server = Server::start(&data, true).await;
    let out = run(&["migrate", "--data", data.to_str().unwrap()], dir.path()).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("another tousu server is already using"), "{}", text(&out.stderr));
    let health = reqwest::get(format!("{}/healthz", server.url)).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
