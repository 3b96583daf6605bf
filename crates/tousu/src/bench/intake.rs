//! `tousu bench intake`: complaints accepted per second over HTTP with
//! concurrent clients (durability on: every 201 is on disk), then, with a
//! large number of complaints loaded, the latency of listing open
//! complaints and of fetching one with its history.
//!
//! The server and the load generator run in this one process, on the same
//! cores, as they would share a small machine; the figures include the
//! client's own cost.

use super::{Latency, Machine, draft, histogram, latency, machine, preload};
use crate::settings::Settings;
use crate::startup::Application;
use clap::Args;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tousu_domain::Role;

#[derive(Debug, Args)]
pub struct IntakeArgs {
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Seconds of measured intake (after the warm-up).
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Seconds of unmeasured warm-up.
    #[arg(long, default_value_t = 2)]
    pub warmup: u64,
    /// Complaints in the database before measuring reads (bulk-loaded).
    #[arg(long, default_value_t = 1_000_000)]
    pub preload: u64,
    /// Requests per read measurement.
    #[arg(long, default_value_t = 2_000)]
    pub reads: usize,
    /// Turn group-complaint detection off (`detect_groups = false`). The
    /// bench's complaints come from few texts in two projects, so with it on
    /// every complaint joins a group incident, as in a flood of one cause.
    #[arg(long)]
    pub without_groups: bool,
    /// Data folder (default: a temporary folder, removed afterwards).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct IntakeReport {
    pub clients: usize,
    /// Group-complaint detection was on.
    pub detect_groups: bool,
    pub seconds: f64,
    pub accepted: u64,
    pub errors: u64,
    pub per_second: f64,
    pub intake: Latency,
    pub complaints_loaded: u64,
    pub list_open_page: Latency,
    pub fetch_with_history: Latency,
    pub machine: Machine,
}

pub async fn intake(args: IntakeArgs) -> anyhow::Result<IntakeReport> {
    let temp = tempfile::Builder::new().prefix("tousu-bench-").tempdir()?;
    let data_dir = args.data.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let mut settings = Settings { data_dir, demo: true, search: false, ..Settings::default() };
    settings.app.detect_groups = !args.without_groups;
    settings.bind = "127.0.0.1:0".parse()?;
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let services = app.services().clone();
    let (token, staff) = services.create_api_token(Role::FrontDesk, None, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(stop.clone().cancelled_owned()));

    let client = reqwest::Client::builder().pool_max_idle_per_host(args.clients).build()?;
    eprintln!("intake: {} clients, {} s warm-up, {} s measured …", args.clients, args.warmup, args.seconds);
    let counter = Arc::new(AtomicU64::new(0));
    let bases = [base.clone()];
    run_intake(&bases, &token, args.clients, Duration::from_secs(args.warmup), &counter).await?;
    let started = Instant::now();
    let (hist, errors) = run_intake(&bases, &token, args.clients, Duration::from_secs(args.seconds), &counter).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let accepted = hist.len();

    let already = counter.load(Ordering::Relaxed);
    let loaded = preload(&services, &tousu_app::Principal::from(staff.clone()), already, args.preload).await?;

    eprintln!("reads: {} × list open page 1, {} × fetch one with history …", args.reads, args.reads);
    let list_url = format!("{base}/api/v1/complaints?status=open&limit=50");
    let list = time_gets(&client, &token, args.reads, |_| list_url.clone()).await?;
    let fetch = time_gets(&client, &token, args.reads, |_| {
        format!("{base}/api/v1/complaints/{}", 1 + fastrand::u64(0..loaded.max(1)))
    })
    .await?;

    stop.cancel();
    let _ = server.await;
    Ok(IntakeReport {
        clients: args.clients,
        detect_groups: !args.without_groups,
        seconds: elapsed,
        accepted,
        errors,
        per_second: accepted as f64 / elapsed,
        intake: latency(&hist),
        complaints_loaded: loaded,
        list_open_page: latency(&list),
        fetch_with_history: latency(&fetch),
        machine: machine(),
    })
}

/// Bodies prepared before the clock starts, cycled through by the clients:
/// a load generator should spend its CPU on sending, not on building JSON.
const DISTINCT_BODIES: u64 = 1_000;

/// Runs `clients` keep-alive HTTP/1.1 connections (hyper's low-level client,
/// lighter than a pooled client) posting complaints until `duration` is up;
/// each request carries a unique `Idempotency-Key`. The connections are
/// spread over `bases` (several servers), as a load balancer would.
pub(super) async fn run_intake(
    bases: &[String],
    token: &str,
    clients: usize,
    duration: Duration,
    counter: &Arc<AtomicU64>,
) -> anyhow::Result<(Histogram<u64>, u64)> {
    let deadline = Instant::now() + duration;
    let addrs: Vec<String> = bases.iter().map(|b| b.trim_start_matches("http://").to_string()).collect();
    // Each request patches its own customer's phone into a prepared body
    // (the 8 digits after `"phone":"13x`): repeated bodies would be repeat
    // complaints, which intake escalates and notifies about.
    let bodies: Arc<Vec<(Vec<u8>, usize)>> = Arc::new(
        (0..DISTINCT_BODIES)
            .map(|n| {
                let body = serde_json::to_vec(&draft(n))?;
                let marker = br#""phone":"13"#;
                let at = body
                    .windows(marker.len())
                    .position(|w| w == marker)
                    .map(|p| p + marker.len() + 1)
                    .ok_or_else(|| anyhow::anyhow!("no phone in the prepared body"))?;
                Ok((body, at))
            })
            .collect::<anyhow::Result<_>>()?,
    );
    let mut tasks = Vec::with_capacity(clients);
    for worker in 0..clients {
        let addr = addrs[worker % addrs.len()].clone();
        let (token, counter, bodies) = (token.to_string(), counter.clone(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(&addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut hist = histogram()?;
            let mut errors = 0u64;
            let authorization = format!("Bearer {token}");
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let (prepared, at) = &bodies[(n % DISTINCT_BODIES) as usize];
                let mut body = prepared.clone();
                body[*at..*at + 8].copy_from_slice(format!("{:08}", n % 100_000_000).as_bytes());
                let body = bytes::Bytes::from(body);
                let req = hyper::Request::post("/api/v1/complaints")
                    .header("host", &addr)
                    .header("content-type", "application/json")
                    .header("authorization", &authorization)
                    .header("idempotency-key", format!("bench-{worker}-{n}"))
                    .body(http_body_util::Full::new(body))?;
                let started = Instant::now();
                sender.ready().await?;
                let res = sender.send_request(req).await?;
                let status = res.status();
                http_body_util::BodyExt::collect(res.into_body()).await?;
                if status == hyper::StatusCode::CREATED {
                    hist.record(started.elapsed().as_micros() as u64)?;
                } else {
                    errors += 1;
                }
            }
            anyhow::Ok((hist, errors))
        }));
    }
    let mut all = histogram()?;
    let mut errors = 0;
    for t in tasks {
        let (h, e) = t.await??;
        all.add(&h)?;
        errors += e;
    }
    Ok((all, errors))
}

async fn time_gets(
    client: &reqwest::Client,
    token: &str,
    count: usize,
    url: impl Fn(usize) -> String,
) -> anyhow::Result<Histogram<u64>> {
    let mut hist = histogram()?;
    for i in 0..count {
        let u = url(i);
        let started = Instant::now();
        let r = client.get(&u).bearer_auth(token).send().await?;
        let status = r.status();
        let _ = r.bytes().await?;
        anyhow::ensure!(status.is_success(), "GET {u} answered {status}");
        hist.record(started.elapsed().as_micros() as u64)?;
    }
    Ok(hist)
}

pub(super) fn print_report(r: &IntakeReport) {
    println!("tousu bench intake — {} CPUs ({}), {} GiB, Linux {}", r.machine.cpus, r.machine.cpu_model, r.machine.memory_gib, r.machine.os);
    println!(
        "intake over HTTP, {} clients, group detection {}, {:.1} s: {} accepted ({:.0}/s), {} errors; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        r.clients, if r.detect_groups { "on" } else { "off" }, r.seconds, r.accepted, r.per_second, r.errors, r.intake.p50_ms, r.intake.p99_ms, r.intake.max_ms
    );
    println!("with {} complaints loaded:", r.complaints_loaded);
    println!(
        "  list open complaints, page 1 (50): p50 {:.2} ms, p99 {:.2} ms ({} requests)",
        r.list_open_page.p50_ms, r.list_open_page.p99_ms, r.list_open_page.count
    );
    println!(
        "  fetch one with its history:       p50 {:.2} ms, p99 {:.2} ms ({} requests)",
        r.fetch_with_history.p50_ms, r.fetch_with_history.p99_ms, r.fetch_with_history.count
    );
}
