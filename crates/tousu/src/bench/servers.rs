//! `tousu bench servers`: intake throughput and lifecycle latency with one
//! or several `tousu serve` processes on one database (issue 6).
//!
//! Unlike `bench intake`, the servers are real child processes of this
//! binary (`serve --database URL`), as a deployment runs them behind a
//! load balancer; the load generator spreads its connections over them.
//! On PostgreSQL each run gets a fresh schema (`tousu_bench_…`), dropped
//! afterwards; on SQLite (the default) a temporary data folder, and one
//! process only (one server owns the file).
//!
//! Measured: complaints accepted per second over HTTP with `--clients`
//! keep-alive connections, then the latency of each lifecycle transition
//! (confirm … callback, the 9 steps of a complaint's life) from one client
//! walking `--walks` complaints, alternating servers.

use super::intake::run_intake;
use super::{Latency, Machine, histogram, latency, machine};
use crate::settings::{Backend, redacted};
use clap::Args;
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

#[derive(Debug, Args)]
pub struct ServersArgs {
    /// `postgres://…` (a fresh schema is made in it and dropped), or
    /// omitted for SQLite in a temporary folder.
    #[arg(long)]
    pub database: Option<String>,
    /// Server processes (PostgreSQL only for more than one).
    #[arg(long, default_value_t = 1)]
    pub processes: usize,
    /// Concurrent HTTP clients, spread over the servers.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Seconds of measured intake (after the warm-up).
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Seconds of unmeasured warm-up.
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Complaints walked through their whole lifecycle.
    #[arg(long, default_value_t = 200)]
    pub walks: usize,
    /// Turn group-complaint detection off in the servers.
    #[arg(long)]
    pub without_groups: bool,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct ServersReport {
    pub database: String,
    pub processes: usize,
    pub clients: usize,
    pub detect_groups: bool,
    pub seconds: f64,
    pub accepted: u64,
    pub errors: u64,
    pub per_second: f64,
    pub intake: Latency,
    pub transitions: Latency,
    pub machine: Machine,
}

/// One `tousu serve` child; killed when dropped.
struct ServerProcess {
    _child: Child,
    base: String,
}

/// A PostgreSQL schema made for one run and dropped after it.
struct BenchSchema {
    base: String,
    name: String,
}

impl BenchSchema {
    async fn create(base: &str) -> anyhow::Result<BenchSchema> {
        use sqlx::{Connection, Executor};
        let name = format!("tousu_bench_{}_{:08x}", chrono::Utc::now().timestamp(), fastrand::u32(..));
        let mut conn = sqlx::PgConnection::connect(base).await?;
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{name}\""))).await?;
        conn.close().await?;
        Ok(BenchSchema { base: base.to_string(), name })
    }

    fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options[search_path]={}", self.base, self.name)
    }

    async fn drop_schema(self) -> anyhow::Result<()> {
        use sqlx::{Connection, Executor};
        let mut conn = sqlx::PgConnection::connect(&self.base).await?;
        conn.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA \"{}\" CASCADE", self.name))).await?;
        conn.close().await?;
        Ok(())
    }
}

fn tousu(args: &[&str], without_groups: bool, log: &Path) -> anyhow::Result<Command> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(std::fs::File::create(log)?).kill_on_drop(true);
    if without_groups {
        cmd.env("TOUSU_APP__DETECT_GROUPS", "false");
    }
    Ok(cmd)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn start_server(dir: &Path, url: &str, demo: bool, without_groups: bool) -> anyhow::Result<ServerProcess> {
    std::fs::create_dir_all(dir)?;
    let bind = format!("127.0.0.1:{}", free_port()?);
    let data = dir.to_str().ok_or_else(|| anyhow::anyhow!("the temporary folder's path is not UTF-8"))?;
    let mut args = vec!["serve", "--data", data, "--database", url, "--bind", &bind];
    if demo {
        args.push("--demo");
    }
    let log = dir.join("server.log");
    let mut child = tousu(&args, without_groups, &log)?.spawn()?;
    let base = format!("http://{bind}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(ServerProcess { _child: child, base });
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("tousu serve exited ({status}): {}", std::fs::read_to_string(&log).unwrap_or_default());
        }
        anyhow::ensure!(Instant::now() < deadline, "tousu serve did not start within 120 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn token(dir: &Path, url: &str, role: &str) -> anyhow::Result<String> {
    let data = dir.to_str().ok_or_else(|| anyhow::anyhow!("the temporary folder's path is not UTF-8"))?;
    let out = Command::new(std::env::current_exe()?)
        .args(["token", "create", "--role", role, "--data", data, "--database", url])
        .output()
        .await?;
    anyhow::ensure!(out.status.success(), "token create failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)?
        .lines()
        .last()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("token create printed nothing"))
}

pub async fn servers(args: ServersArgs) -> anyhow::Result<ServersReport> {
    let temp = tempfile::Builder::new().prefix("tousu-bench-").tempdir()?;
    let (url, schema) = match args.database.as_deref() {
        None => (format!("sqlite://{}", temp.path().join("tousu.db").display()), None),
        Some(given) => match Backend::from_url(given)? {
            Backend::Postgres(_) => {
                let schema = BenchSchema::create(given).await?;
                (schema.url(), Some(schema))
            }
            Backend::Sqlite(_) => (given.to_string(), None),
        },
    };
    anyhow::ensure!(
        args.processes >= 1 && (schema.is_some() || args.processes == 1),
        "several server processes need PostgreSQL: one process owns a SQLite file"
    );
    let outcome = measure(&args, &url, temp.path()).await;
    if let Some(schema) = schema {
        schema.drop_schema().await?;
    }
    let (accepted, errors, seconds, intake, transitions) = outcome?;
    Ok(ServersReport {
        database: redacted(args.database.as_deref().unwrap_or("sqlite (temporary folder)")),
        processes: args.processes,
        clients: args.clients,
        detect_groups: !args.without_groups,
        seconds,
        accepted,
        errors,
        per_second: accepted as f64 / seconds,
        intake: latency(&intake),
        transitions: latency(&transitions),
        machine: machine(),
    })
}

type Measured = (u64, u64, f64, Histogram<u64>, Histogram<u64>);

async fn measure(args: &ServersArgs, url: &str, root: &Path) -> anyhow::Result<Measured> {
    let dirs: Vec<PathBuf> = (0..args.processes).map(|i| root.join(format!("server{i}"))).collect();
    let mut servers = vec![start_server(&dirs[0], url, true, args.without_groups).await?];
    for dir in &dirs[1..] {
        servers.push(start_server(dir, url, false, args.without_groups).await?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let desk = token(&dirs[0], url, "front_desk").await?;
    eprintln!(
        "servers: {} process(es) on {}, {} clients, {} s warm-up, {} s measured …",
        args.processes,
        redacted(url),
        args.clients,
        args.warmup,
        args.seconds
    );
    let counter = Arc::new(AtomicU64::new(0));
    run_intake(&bases, &desk, args.clients, Duration::from_secs(args.warmup), &counter).await?;
    let started = Instant::now();
    let (intake, errors) = run_intake(&bases, &desk, args.clients, Duration::from_secs(args.seconds), &counter).await?;
    let seconds = started.elapsed().as_secs_f64();

    eprintln!("lifecycle: {} complaints walked through 9 transitions …", args.walks);
    let tokens = Tokens {
        desk: desk.clone(),
        handler: token(&dirs[0], url, "handler").await?,
        head: token(&dirs[0], url, "department_head").await?,
    };
    let transitions = walk(&bases, &tokens, args.walks).await?;
    drop(servers);
    Ok((intake.len(), errors, seconds, intake, transitions))
}

struct Tokens {
    desk: String,
    handler: String,
    head: String,
}

/// Walks `walks` new complaints through their whole life, timing each
/// transition; the servers take turns.
async fn walk(bases: &[String], tokens: &Tokens, walks: usize) -> anyhow::Result<Histogram<u64>> {
    let client = reqwest::Client::new();
    let mut hist = histogram()?;
    for n in 0..walks {
        let base = &bases[n % bases.len()];
        let body = serde_json::to_value(super::draft(90_000_000 + n as u64))?;
        let res = client.post(format!("{base}/api/v1/complaints")).bearer_auth(&tokens.desk).json(&body).send().await?;
        anyhow::ensure!(res.status() == reqwest::StatusCode::CREATED, "intake answered {}", res.status());
        let id = res.json::<Value>().await?["id"].as_i64().ok_or_else(|| anyhow::anyhow!("no id"))?;
        for (i, (who, step)) in steps(tokens).into_iter().enumerate() {
            let base = &bases[(n + i) % bases.len()];
            let started = Instant::now();
            let res = client
                .post(format!("{base}/api/v1/complaints/{id}/transitions"))
                .bearer_auth(who)
                .json(&step)
                .send()
                .await?;
            let status = res.status();
            let text = res.text().await?;
            anyhow::ensure!(status.is_success(), "{} answered {status}: {text}", step["action"]);
            hist.record(started.elapsed().as_micros() as u64)?;
        }
    }
    Ok(hist)
}

fn steps(t: &Tokens) -> [(&str, Value); 9] {
    [
        (&t.desk, json!({"action": "confirm", "note": "已电话确认"})),
        (&t.desk, json!({"action": "assess", "severity": "general"})),
        (&t.desk, json!({"action": "investigate", "department": "engineering", "post": "维修岗", "person": "李强", "root_cause": "管道老化"})),
        (&t.desk, json!({"action": "dispatch", "handler": "handler"})),
        (&t.handler, json!({"action": "accept"})),
        (&t.handler, json!({"action": "resolve", "resolution": "已更换管道并试水"})),
        (&t.desk, json!({"action": "accept_result", "note": "业主确认"})),
        (&t.head, json!({"action": "close", "note": "同意关闭"})),
        (&t.desk, json!({"action": "callback", "perceived": 9, "expected": 8, "comment": "处理及时"})),
    ]
}

pub(super) fn print_report(r: &ServersReport) {
    println!(
        "tousu bench servers — {} CPUs ({}), {} GiB, Linux {}",
        r.machine.cpus, r.machine.cpu_model, r.machine.memory_gib, r.machine.os
    );
    println!("{} server process(es) on {}, group detection {}", r.processes, r.database, if r.detect_groups { "on" } else { "off" });
    println!(
        "intake over HTTP, {} clients, {:.1} s: {} accepted ({:.0}/s), {} errors; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        r.clients, r.seconds, r.accepted, r.per_second, r.errors, r.intake.p50_ms, r.intake.p99_ms, r.intake.max_ms
    );
    println!(
        "lifecycle transitions (one client): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} transitions)",
        r.transitions.p50_ms, r.transitions.p99_ms, r.transitions.max_ms, r.transitions.count
    );
}
