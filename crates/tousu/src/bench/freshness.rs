//! `tousu bench freshness`: how soon a complaint is searchable under a
//! steady intake load (issue 8: "within 1 s", measured at 1,000/s). The
//! real server runs in this process with its background indexer; clients
//! post complaints at the given rate over HTTP, each with a word of its
//! own, and one complaint in `--sample` is watched: from its 201 the
//! search API is asked for its word every 10 ms until it is found. The
//! lag is the time from the 201 to the first answer that finds it.

use super::{Latency, Machine, draft, histogram, latency, machine};
use crate::settings::Settings;
use crate::startup::Application;
use clap::Args;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tousu_domain::Role;

#[derive(Debug, Args)]
pub struct FreshnessArgs {
    /// Complaints posted per second.
    #[arg(long, default_value_t = 1_000)]
    pub rate: u64,
    /// Seconds of load measured (after 5 s of warm-up).
    #[arg(long, default_value_t = 30)]
    pub seconds: u64,
    /// One complaint in this many is watched.
    #[arg(long, default_value_t = 50)]
    pub sample: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct FreshnessReport {
    pub rate_asked: u64,
    pub posted_per_second: f64,
    pub errors: u64,
    pub watched: u64,
    /// From the 201 to the first search that finds it.
    pub lag: Latency,
    pub lag_p95_ms: f64,
    pub machine: Machine,
}

/// Clients sharing the rate (each paced on its own).
const CLIENTS: u64 = 32;
const PROBE_EVERY: Duration = Duration::from_millis(10);
const WARMUP: Duration = Duration::from_secs(5);

/// The word complaint `n` alone has: letters and digits, one token.
fn marker(n: u64) -> String {
    format!("fresh{n:08}q")
}

pub async fn freshness(args: FreshnessArgs) -> anyhow::Result<FreshnessReport> {
    let temp = tempfile::Builder::new().prefix("tousu-bench-freshness-").tempdir()?;
    let mut settings =
        Settings { data_dir: temp.path().to_path_buf(), demo: true, search: true, ..Settings::default() };
    settings.bind = "127.0.0.1:0".parse()?;
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let (token, _) =
        app.services().create_api_token(Role::FrontDesk, None, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(stop.clone().cancelled_owned()));
    let client = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS as usize * 2).build()?;
    eprintln!(
        "freshness: {}/s for {} s (after {} s warm-up), one in {} watched …",
        args.rate,
        args.seconds,
        WARMUP.as_secs(),
        args.sample
    );

    let counter = Arc::new(AtomicU64::new(0));
    let lags = Arc::new(std::sync::Mutex::new(histogram()?));
    let (errors, posted) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let started = Instant::now();
    let measure_from = started + WARMUP;
    let deadline = measure_from + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    let period = Duration::from_secs_f64(CLIENTS as f64 / args.rate.max(1) as f64);
    for _ in 0..CLIENTS {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let (counter, lags, errors, posted) = (counter.clone(), lags.clone(), errors.clone(), posted.clone());
        let sample = args.sample.max(1);
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut probes = Vec::new();
            while Instant::now() < deadline {
                tick.tick().await;
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let mut body = serde_json::to_value(draft(n))?;
                let text = format!("{} {}", marker(n), body["description"].as_str().unwrap_or_default());
                body["description"] = serde_json::Value::String(text);
                let res =
                    client.post(format!("{base}/api/v1/complaints")).bearer_auth(&token).json(&body).send().await?;
                let answered = Instant::now();
                if res.status() != reqwest::StatusCode::CREATED {
                    errors.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                if answered >= measure_from {
                    posted.fetch_add(1, Ordering::Relaxed);
                }
                if n % sample == 0 && answered >= measure_from {
                    let (client, base, token, lags) = (client.clone(), base.clone(), token.clone(), lags.clone());
                    probes.push(tokio::spawn(async move {
                        let q = marker(n);
                        loop {
                            let page: serde_json::Value = client
                                .get(format!("{base}/api/v1/search"))
                                .query(&[("q", q.as_str()), ("limit", "1")])
                                .bearer_auth(&token)
                                .send()
                                .await?
                                .json()
                                .await?;
                            if page["total"].as_u64() == Some(1) {
                                let lag = answered.elapsed().as_micros() as u64;
                                lags.lock().map_err(|_| anyhow::anyhow!("a probe panicked"))?.record(lag.max(1))?;
                                return anyhow::Ok(());
                            }
                            anyhow::ensure!(answered.elapsed() < Duration::from_secs(60), "{q} never found");
                            tokio::time::sleep(PROBE_EVERY).await;
                        }
                    }));
                }
            }
            for p in probes {
                p.await??;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    stop.cancel();
    let _ = server.await;
    let lags = lags.lock().map_err(|_| anyhow::anyhow!("a probe panicked"))?.clone();
    Ok(FreshnessReport {
        rate_asked: args.rate,
        posted_per_second: posted.load(Ordering::Relaxed) as f64 / args.seconds.max(1) as f64,
        errors: errors.load(Ordering::Relaxed),
        watched: lags.len(),
        lag_p95_ms: lags.value_at_quantile(0.95) as f64 / 1000.0,
        lag: latency(&lags),
        machine: machine(),
    })
}

pub(super) fn print_report(r: &FreshnessReport) {
    let m = &r.machine;
    println!("tousu bench freshness — {} CPUs ({}), {} GiB, Linux {}", m.cpus, m.cpu_model, m.memory_gib, m.os);
    println!("intake asked {}/s, posted {:.0}/s, {} errors", r.rate_asked, r.posted_per_second, r.errors);
    println!(
        "201 → searchable ({} watched): p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        r.lag.count, r.lag.p50_ms, r.lag_p95_ms, r.lag.p99_ms, r.lag.max_ms
    );
}
