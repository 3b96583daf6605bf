//! `tousu copy --from sqlite://PATH --to postgres://URL`: an installation
//! built over HTTP on SQLite (complaints at every step, evidence files, a
//! callback, an idempotent intake, API tokens) is moved with the real
//! binary into a fresh PostgreSQL schema, and a real `serve` on that schema
//! answers exactly what the SQLite server answered. A second copy into it,
//! a copy from under a running server and bad URLs are refused and change
//! nothing.

use crate::cli::{Server, run, text};
use crate::helpers::*;
use crate::postgres::{Schema, URL_VAR};
use crate::sinks::HttpSink;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use tousu_app::AppConfig;
use tousu_app::escalation::StepOutcome;
use tousu_domain::Role;

/// The statuses the complaints are walked to, one complaint each (twice
/// over, so that the tables hold more than one row of each kind).
const STATUSES: [&str; 9] = [
    "received",
    "confirmed",
    "assessed",
    "investigating",
    "in_progress",
    "resolved",
    "closed",
    "closed",
    "closed_invalid",
];

/// Read on both servers and compared whole: everything but complaints.
const VIEWS: [&str; 5] = [
    "/api/v1/complaints?limit=100",
    "/api/v1/group-incidents",
    "/api/v1/admin/calendar",
    "/api/v1/admin/deliveries?status=delivered",
    "/api/v1/admin/deliveries?status=pending",
];

/// What the source server answers for everything the copy must carry.
struct Seen {
    complaints: Vec<Value>,
    views: Vec<Value>,
    idempotent: Value,
}

async fn get_json(base: &str, token: &str, path: &str) -> Value {
    let res = reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(token).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    res.json().await.expect("json")
}

async fn intake(base: &str, token: &str, key: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/complaints"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&complaint_body())
        .send()
        .await
        .expect("sent");
    (res.status(), res.json().await.expect("json"))
}

/// Builds the SQLite installation: answers what it shows, the ids, and the
/// evidence file's id.
async fn build_source(app: &TestApp, admin: &str) -> (Seen, Vec<i64>, i64) {
    let desk = app.token(Role::FrontDesk).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        for status in STATUSES {
            let id = app.new_complaint(&desk).await["id"].as_i64().expect("an id");
            app.walk_to(id, status).await;
            ids.push(id);
        }
    }
    let file: Value = app.upload(&desk, ids[3], "漏水照片.png", TINY_PNG.to_vec()).await.json().await.expect("json");
    let closed = ids[6];
    app.act(&desk, closed, json!({"action": "callback", "perceived": 9, "expected": 8, "comment": "处理及时"})).await;
    let (status, idempotent) = intake(&app.url(""), &desk, "copy-retry-1").await;
    assert_eq!(status, StatusCode::CREATED);
    ids.push(idempotent["id"].as_i64().expect("an id"));
    // Households of one cause: a group incident with its members.
    for (n, description) in WATER_OUTAGE.iter().enumerate() {
        ids.push(app.new_complaint_from(&desk, &household(10 + n, description)).await["id"].as_i64().expect("an id"));
    }
    let year = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../calendars/cn/2027.toml"))
        .expect("the shipped 2027 calendar");
    assert_eq!(app.put_text(admin, "/api/v1/admin/calendar", &year).await.status(), StatusCode::OK);
    // The notices so far go out once through the webhook: delivered rows.
    while app.run_outbox().await != StepOutcome::Idle {}

    let mut complaints = Vec::new();
    for id in &ids {
        complaints.push(get_json(&app.url(""), admin, &format!("/api/v1/complaints/{id}")).await);
    }
    let mut views = Vec::new();
    for path in VIEWS {
        views.push(get_json(&app.url(""), admin, path).await);
    }
    let incidents = views[1].as_array().expect("incidents");
    assert_eq!(incidents.len(), 1, "the water outage opened one incident: {incidents:?}");
    let delivered = views[3].as_array().expect("deliveries");
    assert!(!delivered.is_empty(), "notices were delivered");
    (Seen { complaints, views, idempotent }, ids, file["id"].as_i64().expect("a file id"))
}

/// Every notice goes to one webhook.
fn config(sink: &HttpSink) -> AppConfig {
    let mut config = AppConfig::default();
    config.notify.routes = vec![
        serde_json::from_value(json!({"name": "hook", "channel": {"type": "webhook", "url": sink.url("/hook")}}))
            .expect("a route"),
    ];
    config
}

async fn copy(from: &str, to: &str, cwd: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["copy", "--from", from, "--to", to];
    args.extend_from_slice(extra);
    run(&args, cwd).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_moves_a_whole_sqlite_installation_to_postgres_where_a_server_answers_the_same() {
    let Ok(base) = std::env::var(URL_VAR) else {
        eprintln!("SKIPPED: tousu copy was not tested: set {URL_VAR} (e.g. postgres://postgres@127.0.0.1:5432/test)");
        return;
    };
    let schema = Schema::create(base).await;
    let target = schema.url();
    let sink = HttpSink::start(vec![]).await;
    let app = spawn_app_with(config(&sink)).await;
    let admin = app.token(Role::Admin).await;
    let desk = app.token(Role::FrontDesk).await;
    let password = app.password("admin");
    let (seen, ids, file_id) = build_source(&app, &admin).await;
    let source = format!("sqlite://{}", app.data_dir.join("tousu.db").display());
    let cwd = app.data_dir.parent().expect("a parent folder").to_path_buf();

    // Never from under a running server.
    let out = copy(&source, &target, &cwd, &[]).await;
    assert!(!out.status.success(), "copied from under a running server: {}", text(&out.stdout));
    let data = app.stop().await;

    let out = copy(&source, &target, &cwd, &[]).await;
    let report = text(&out.stdout);
    assert!(out.status.success(), "copy failed: {}\n{report}", text(&out.stderr));
    assert!(report.contains("counts and checksums agree"), "{report}");
    assert!(report.contains("time-limits.toml"), "the policy file is named as one to copy by hand: {report}");
    let rows = |table: &str| {
        let line = report.lines().find(|l| l.split_whitespace().next() == Some(table));
        line.and_then(|l| l.split_whitespace().nth(1)).and_then(|n| n.parse::<usize>().ok())
    };
    assert_eq!(rows("complaints"), Some(ids.len()), "{report}");
    for table in [
        "complaint_events",
        "deadlines",
        "notifications",
        "deliveries",
        "files",
        "file_blobs",
        "group_incidents",
        "group_members",
        "calendar_years",
        "credentials",
        "idempotency_keys",
        "stats_daily",
    ] {
        assert!(rows(table).is_some_and(|n| n > 0), "{table} was not copied, or had nothing to copy: {report}");
    }

    // A real server on the copy: the same complaints, histories, lists,
    // files, logins and tokens.
    let folder = tempfile::tempdir().expect("a data folder");
    let server = Server::start_with(folder.path(), &["--database", &target]).await;
    let url = server.url.clone();
    for (id, before) in ids.iter().zip(&seen.complaints) {
        let after = get_json(&url, &admin, &format!("/api/v1/complaints/{id}")).await;
        assert_eq!(&after, before, "complaint {id} differs after the copy");
    }
    for (path, before) in VIEWS.iter().zip(&seen.views) {
        assert_eq!(&get_json(&url, &admin, path).await, before, "{path} differs after the copy");
    }
    let res = reqwest::Client::new()
        .get(format!("{url}/api/v1/files/{file_id}"))
        .bearer_auth(&desk)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.expect("bytes").as_ref(), TINY_PNG.as_slice());
    let login = reqwest::Client::new()
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), StatusCode::OK, "the admin's password works on the copy");
    // The idempotency key came along: a retry answers the first complaint.
    let (status, retried) = intake(&url, &desk, "copy-retry-1").await;
    assert!(status.is_success(), "{retried}");
    assert_eq!(retried["id"], seen.idempotent["id"]);
    assert_eq!(retried["tracking_no"], seen.idempotent["tracking_no"]);

    // New complaints take the next id and a tracking number of their own.
    let (status, new) = intake(&url, &desk, "copy-new-1").await;
    assert_eq!(status, StatusCode::CREATED, "{new}");
    let max = *ids.iter().max().expect("ids");
    assert!(new["id"].as_i64().expect("an id") > max, "{new}");
    let numbers: Vec<&str> = seen.complaints.iter().map(|c| c["tracking_no"].as_str().expect("a number")).collect();
    let fresh = new["tracking_no"].as_str().expect("a number");
    assert!(!numbers.contains(&fresh), "{fresh} was already given");
    let last = numbers.iter().max().expect("numbers");
    if last[..last.len() - 4] == fresh[..fresh.len() - 4] {
        let n = |s: &str| s[s.len() - 4..].parse::<u32>().expect("a sequence number");
        assert_eq!(n(fresh), n(last) + 1, "the day's counter goes on from {last}");
    }

    // A second copy into the now non-empty schema is refused, writes nothing.
    let out = copy(&source, &target, &cwd, &[]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--into-non-empty"), "{}", text(&out.stderr));
    let list = get_json(&url, &admin, "/api/v1/complaints?limit=100").await;
    assert_eq!(list["items"].as_array().expect("items").len(), ids.len() + 1);
    // Even when told to: every id is already there, so it rolls back whole.
    let out = copy(&source, &target, &cwd, &["--into-non-empty"]).await;
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert_eq!(get_json(&url, &admin, "/api/v1/complaints?limit=100").await, list);
    drop(server);
    drop(data);
}

#[tokio::test]
async fn copy_refuses_urls_it_cannot_copy_between_and_a_missing_source() {
    let folder = tempfile::tempdir().expect("a folder");
    let cwd = folder.path();
    let missing = format!("sqlite://{}", cwd.join("nothing-here.db").display());
    let pg = "postgres://postgres@127.0.0.1:5432/test";
    for (from, to, says) in [
        ("postgres://postgres@127.0.0.1:5432/test", pg, "--from must be sqlite://PATH"),
        (missing.as_str(), "sqlite://elsewhere.db", "--to must be postgres://"),
        (missing.as_str(), pg, "no SQLite database at"),
        ("mysql://root@localhost/tousu", pg, "mysql"),
    ] {
        let out = copy(from, to, cwd, &[]).await;
        assert!(!out.status.success(), "{from} → {to} was accepted");
        assert!(text(&out.stderr).contains(says), "{from} → {to}: {}", text(&out.stderr));
    }
    assert!(!cwd.join("nothing-here.db").exists(), "a missing source is not created");
}
