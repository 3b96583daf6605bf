//! Three `tousu serve` processes on one PostgreSQL database share the
//! background work, and one of them is killed (`kill -9`) in the middle of
//! it: every deadline still fires exactly once, every notification is
//! delivered, the killed process's leases pass to the others, and no
//! delivery is sent twice except one the killed process had already sent
//! (it died before recording it: the webhook's `delivery_id` tells).
//!
//! Real time, real processes: the time limits are one minute (the policy
//! file's smallest span), so the at-risk warnings fall due after 48 s and
//! the breaches after 60 s; the leases last 3 s; the webhook answers after
//! 1.5 s, so the first process to lease the burst of emergency notices is
//! still sending it when it is killed.

use crate::cli::{Server, run, text};
use crate::helpers::complaint_body;
use crate::postgres::{Schema, URL_VAR};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};
use tousu_test_sinks::{HttpSink, Reply};

const PROCESSES: usize = 3;
const COMPLAINTS: usize = 24;
const HOOK: &str = "/hook";
/// Long enough for the breaches (60 s) and the leases of the killed one.
const TIMEOUT: Duration = Duration::from_secs(180);

const POLICY: &str = r#"
[limits]
dispatch = "1min"
emergency_notify = "1min"
"#;

fn settings(hook: &str) -> String {
    format!(
        r#"
[app]
worker_lease_seconds = 3

[[app.notify.routes]]
name = "hook"
channel = {{ type = "webhook", url = "{hook}" }}
"#
    )
}

fn data_folder(root: &Path, i: usize, hook: &str) -> std::path::PathBuf {
    let dir = root.join(format!("server{i}"));
    std::fs::create_dir_all(&dir).expect("a data folder");
    std::fs::write(dir.join("tousu.toml"), settings(hook)).expect("settings written");
    std::fs::write(dir.join("time-limits.toml"), POLICY).expect("policy written");
    dir
}

/// `host:pid:random` → pid.
fn pid_of(worker: &str) -> Option<u32> {
    worker.split(':').nth(1)?.parse().ok()
}

async fn scalar_i64(conn: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&mut *conn).await.expect("the query runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_share_deadlines_and_deliveries_and_take_over_from_one_killed_mid_work() {
    let Ok(base) = std::env::var(URL_VAR) else {
        eprintln!("SKIPPED: several servers on PostgreSQL were not tested: set {URL_VAR}");
        return;
    };
    let schema = Schema::create(base).await;
    let url = schema.url();
    let sink =
        HttpSink::start(vec![(HOOK, Reply::json(200, json!({"ok": true})).delayed(Duration::from_millis(1500)))]).await;
    let root = tempfile::tempdir().expect("a temporary folder");
    let folders: Vec<_> = (0..PROCESSES).map(|i| data_folder(root.path(), i, &sink.url(HOOK))).collect();

    let mut servers = vec![Server::start_with(&folders[0], &["--database", &url, "--demo"]).await];
    for folder in &folders[1..] {
        servers.push(Server::start_with(folder, &["--database", &url]).await);
    }
    let out = run(
        &["token", "create", "--role", "front_desk", "--data", folders[0].to_str().unwrap(), "--database", &url],
        root.path(),
    )
    .await;
    assert!(out.status.success(), "token create: {}", text(&out.stderr));
    let token = text(&out.stdout).lines().last().expect("the token").to_string();

    // Emergencies, spread over the servers: each calls for a notice at once.
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..COMPLAINTS {
        let mut body = complaint_body();
        body["emergency"] = json!(true);
        body["subject"] = json!("电梯困人");
        body["description"] = json!(format!("{}栋电梯停在两层之间，里面困了人（第{i}起）。", i % 3 + 1));
        body["customer"]["phone"] = json!(format!("1380013{:04}", 1000 + i));
        let res = client
            .post(format!("{}/api/v1/complaints", servers[i % PROCESSES].url))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
        let c: Value = res.json().await.expect("json");
        ids.push(c["id"].as_i64().expect("an id"));
    }

    // Whoever leased the burst is killed while its webhook calls hang.
    let mut db = PgConnection::connect(&url).await.expect("the test database");
    let started = Instant::now();
    let (victim, leased): (String, Vec<i64>) = loop {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT leased_by, id FROM deliveries WHERE leased_by IS NOT NULL AND status = 'pending' ORDER BY id",
        )
        .fetch_all(&mut db)
        .await
        .expect("leases read");
        let mut by: HashMap<String, Vec<i64>> = HashMap::new();
        for (worker, id) in rows {
            by.entry(worker).or_default().push(id);
        }
        if let Some((worker, held)) = by.into_iter().max_by_key(|(_, held)| held.len()).filter(|(_, h)| h.len() >= 8) {
            break (worker, held);
        }
        assert!(started.elapsed() < TIMEOUT, "no server leased the burst of deliveries");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let pid = pid_of(&victim).expect("the worker id names its process");
    let index = servers.iter().position(|s| s.child.id() == Some(pid)).expect("the lease holder is one of ours");
    servers.remove(index).kill_9().await;
    let sent_before_kill: HashSet<i64> = delivery_ids(&sink).into_iter().collect();
    eprintln!(
        "killed server {index} (pid {pid}) holding {} leases, {} deliveries sent",
        leased.len(),
        sent_before_kill.len()
    );

    // The others finish everything: both firings of both limits of every
    // complaint, and every delivery.
    loop {
        let breached =
            scalar_i64(&mut db, "SELECT COUNT(*) FROM complaint_events WHERE kind = 'deadline_breached'").await;
        let open = scalar_i64(&mut db, "SELECT COUNT(*) FROM deliveries WHERE status <> 'delivered'").await;
        let unrouted = scalar_i64(&mut db, "SELECT COUNT(*) FROM notifications WHERE routed_at IS NULL").await;
        if breached >= COMPLAINTS as i64 && open == 0 && unrouted == 0 {
            break;
        }
        assert!(
            started.elapsed() < TIMEOUT,
            "not finished: {breached} breaches, {open} deliveries open, {unrouted} unrouted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Each firing recorded once per complaint, limit and kind.
    let twice: Vec<(i64, String, Value, i64)> = sqlx::query_as(
        "SELECT complaint_id, kind, payload -> 'rules', COUNT(*) FROM complaint_events \
         WHERE kind IN ('deadline_at_risk', 'deadline_breached') GROUP BY 1, 2, 3 HAVING COUNT(*) > 1",
    )
    .fetch_all(&mut db)
    .await
    .expect("events read");
    assert!(twice.is_empty(), "a deadline fired twice: {twice:?}");
    for id in &ids {
        let kinds: Vec<String> = sqlx::query_scalar(
            "SELECT kind FROM complaint_events WHERE complaint_id = $1 AND kind LIKE 'deadline_%' ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&mut db)
        .await
        .expect("events read");
        assert!(kinds.iter().any(|k| k == "deadline_at_risk"), "complaint {id}: {kinds:?}");
        assert!(kinds.iter().any(|k| k == "deadline_breached"), "complaint {id}: {kinds:?}");
    }

    // Every delivery reached the webhook; only what the killed process had
    // already sent may have arrived twice; its leases were taken over (what
    // it held is recorded as attempted by a live server).
    let deliveries: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, attempted_by FROM deliveries ORDER BY id").fetch_all(&mut db).await.expect("read");
    let mut received: HashMap<i64, usize> = HashMap::new();
    for id in delivery_ids(&sink) {
        *received.entry(id).or_default() += 1;
    }
    for (id, _) in &deliveries {
        let n = received.get(id).copied().unwrap_or(0);
        assert!(n >= 1, "delivery {id} never reached the webhook");
        assert!(n == 1 || sent_before_kill.contains(id), "delivery {id} was sent {n} times by live servers");
    }
    let taken_over: Vec<i64> = deliveries
        .iter()
        .filter(|(id, by)| leased.contains(id) && by.as_deref().is_some_and(|by| by != victim))
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(taken_over.len(), leased.len(), "every lease of the killed server was taken over: {leased:?}");
    assert!(
        deliveries.iter().all(|(_, by)| by.as_deref().and_then(pid_of).is_some()),
        "every delivery names the server that sent it"
    );
    db.close().await.ok();
    drop(servers);
    drop(schema);
}

/// The `delivery_id` of every request the webhook received, in order.
fn delivery_ids(sink: &HttpSink) -> Vec<i64> {
    sink.on(HOOK).iter().filter_map(|r| r.json()["data"]["delivery_id"].as_i64()).collect()
}

/// An organisation change written to the database by one server (here by
/// hand, as its admin pages would) reaches the other servers' caches
/// within their lifetime, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_change_reaches_every_server_without_a_restart() {
    let Ok(base) = std::env::var(URL_VAR) else {
        eprintln!("SKIPPED: several servers on PostgreSQL were not tested: set {URL_VAR}");
        return;
    };
    let schema = Schema::create(base).await;
    let url = schema.url();
    let root = tempfile::tempdir().expect("a temporary folder");
    let folders: Vec<_> = (0..2).map(|i| data_folder(root.path(), i, "http://127.0.0.1:9/unused")).collect();
    let first = Server::start_with(&folders[0], &["--database", &url, "--demo"]).await;
    let second = Server::start_with(&folders[1], &["--database", &url]).await;
    let out = run(
        &["token", "create", "--role", "admin", "--data", folders[0].to_str().unwrap(), "--database", &url],
        root.path(),
    )
    .await;
    assert!(out.status.success(), "token create: {}", text(&out.stderr));
    let token = text(&out.stdout).lines().last().expect("the token").to_string();
    let client = reqwest::Client::new();
    let codes = |server: &Server| {
        let (client, token, url) = (client.clone(), token.clone(), server.url.clone());
        async move {
            let list: Value = client
                .get(format!("{url}/api/v1/departments"))
                .bearer_auth(&token)
                .send()
                .await
                .expect("answered")
                .json()
                .await
                .expect("json");
            list.as_array().expect("a list").iter().filter_map(|d| d["code"].as_str().map(str::to_string)).collect::<Vec<_>>()
        }
    };
    assert!(!codes(&second).await.contains(&"landscape".to_string()), "cached before the change");

    let mut db = PgConnection::connect(&url).await.expect("the test database");
    sqlx::query("INSERT INTO departments (company_id, code, name) SELECT id, 'landscape', '绿化部' FROM companies")
        .execute(&mut db)
        .await
        .expect("a department added");
    let started = Instant::now();
    for server in [&first, &second] {
        while !codes(server).await.contains(&"landscape".to_string()) {
            assert!(started.elapsed() < Duration::from_secs(30), "{} never saw the new department", server.url);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    db.close().await.ok();
    drop((first, second));
    drop(schema);
}
