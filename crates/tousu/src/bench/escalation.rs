//! `tousu bench escalation`: the escalation worker with many open deadlines.
//!
//! The application starts on a temporary data folder with a clock the bench
//! sets while loading, so that each complaint's receipt time, and with it
//! its deadlines, is chosen. Then, at two scales (10,000 and 1,000,000 open
//! complaints), it times the worker's tick when nothing is due, and the
//! steps that record 1,000 at-risk warnings, then 1,000 breaches, falling
//! due at the same instant. Finally ([`super::lateness`]) the real worker
//! loop runs on the machine's clock against deadlines falling due at known
//! instants, and the bench records how late each firing became visible.
//!
//! Timeline (defaults: dispatch 12 h, at risk at 80%, so 9 h 36 min):
//! the measuring instants T1 and T2 = T1 + 3 h 24 min lie a day ahead of
//! the machine's clock; batch 1 is received at T1 − 9 h 36 min (at risk at
//! T1, breached at T1 + 2 h 24 min), batch 2 likewise for T2; every other
//! complaint is received so that its first check comes 10 min after batch
//! 2's breach. Nothing but the batch is due at T1 or T2.

use super::lateness::{self, LatenessReport};
use super::{Machine, Memory, draft, histogram, machine, memory};
use crate::settings::Settings;
use crate::startup::Application;
use chrono::{DateTime, TimeDelta};
use clap::Args;
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use tousu_app::escalation::StepOutcome;
use tousu_app::{Clock, Principal, Services, SystemClock};
use tousu_domain::deadline::DeadlineRule;
use tousu_domain::{Role, Timestamp};
use tousu_worker::DEADLINE_BATCH;

#[derive(Debug, Args)]
pub struct EscalationArgs {
    /// Open complaints (each with its deadlines) at the large scale.
    #[arg(long, default_value_t = 1_000_000)]
    pub open: u64,
    /// Open complaints at the small scale, measured first for comparison.
    #[arg(long, default_value_t = 10_000)]
    pub small: u64,
    /// Complaints falling due at the same instant, at each scale.
    #[arg(long, default_value_t = 1_000)]
    pub due: u64,
    /// Idle ticks timed at each scale.
    #[arg(long, default_value_t = 10_000)]
    pub ticks: u64,
    /// Real worker run: deadlines falling due one after another…
    #[arg(long, default_value_t = 1_000)]
    pub firings: u64,
    /// …spread evenly over this many seconds.
    #[arg(long, default_value_t = 10)]
    pub spread: u64,
    /// Real worker run: then this many falling due at the same instant (0: none).
    #[arg(long, default_value_t = 1_000)]
    pub burst: u64,
    /// Seconds between the start of the real worker run's loading and its first deadline.
    #[arg(long, default_value_t = 20)]
    pub lead: u64,
    /// Data folder (default: a temporary folder, removed afterwards).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Durations in microseconds.
#[derive(Debug, Serialize)]
pub struct Micros {
    pub count: u64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

fn micros(h: &Histogram<u64>) -> Micros {
    Micros {
        count: h.len(),
        p50_us: h.value_at_quantile(0.5) as f64,
        p99_us: h.value_at_quantile(0.99) as f64,
        max_us: h.max() as f64,
        mean_us: (h.mean() * 10.0).round() / 10.0,
    }
}

/// The worker's tick when nothing is due: one `run_deadline_step` (finds
/// nothing) and one `next_deadline_check` (how long to sleep).
#[derive(Debug, Serialize)]
pub struct IdleTicks {
    pub step: Micros,
    pub next_check: Micros,
    pub tick: Micros,
}

/// The steps that record what fell due at one instant.
#[derive(Debug, Serialize)]
pub struct DueBatch {
    pub kind: &'static str,
    pub due: u64,
    pub fired: usize,
    /// Steps of at most `DEADLINE_BATCH`, the last one finding nothing.
    pub steps: usize,
    pub step_ms: Vec<f64>,
    pub total_ms: f64,
    pub per_complaint_us: f64,
    /// The due-complaints query alone, with this batch due (before recording it).
    pub query: Micros,
}

#[derive(Debug, Serialize)]
pub struct Scale {
    pub open: u64,
    pub idle: IdleTicks,
    pub at_risk: DueBatch,
    pub breach: DueBatch,
}

#[derive(Debug, Serialize)]
pub struct MemoryReport {
    pub after_start: Memory,
    pub after_small_load: Memory,
    pub after_full_load: Memory,
    pub after_steps: Memory,
    /// Highest RSS sampled (every 50 ms) while the real worker ran.
    pub worker_run_max_rss_mib: f64,
    pub at_end: Memory,
}

#[derive(Debug, Serialize)]
pub struct EscalationReport {
    pub load_seconds: f64,
    pub load_per_second: f64,
    pub scales: Vec<Scale>,
    pub lateness: LatenessReport,
    pub memory: MemoryReport,
    pub machine: Machine,
}

/// The bench's clock: a set instant while loading (receipt times of the
/// bench's choosing), the machine's clock for the real worker run.
pub(super) struct BenchClock(AtomicI64);

const FOLLOW_SYSTEM: i64 = i64::MIN;

impl BenchClock {
    pub(super) fn set(&self, t: Timestamp) {
        self.0.store(t.timestamp_millis(), Ordering::SeqCst);
    }

    pub(super) fn follow_system(&self) {
        self.0.store(FOLLOW_SYSTEM, Ordering::SeqCst);
    }
}

impl Clock for BenchClock {
    fn now(&self) -> Timestamp {
        match self.0.load(Ordering::SeqCst) {
            FOLLOW_SYSTEM => SystemClock.now(),
            ms => DateTime::from_timestamp_millis(ms).unwrap_or_default(),
        }
    }
}

/// How long after receipt the dispatch deadline is at risk, and due, under
/// the policy in force (read from a recorded complaint, not assumed).
#[derive(Debug, Clone, Copy)]
pub(super) struct Offsets {
    pub at_risk: TimeDelta,
    pub due: TimeDelta,
}

/// The services and who records complaints, shared by the phases.
pub(super) struct Bench {
    pub services: Services,
    pub who: Principal,
    pub clock: Arc<BenchClock>,
    pub offsets: Offsets,
}

impl Bench {
    /// Records `count` complaints received at `receipt(k)` (k from 0), in
    /// bulk writes of up to 5,000 that share one receipt time.
    async fn load(&self, count: u64, receipt: impl Fn(u64) -> Timestamp, bar: &ProgressBar) -> anyhow::Result<()> {
        let mut k = 0;
        while k < count {
            let size = (count - k).min(5_000);
            self.clock.set(receipt(k));
            let drafts = (k..k + size).map(draft).collect();
            self.services.record_complaints_bulk(&self.who, drafts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            k += size;
            bar.inc(size);
        }
        Ok(())
    }
}

fn elapsed_us(since: Instant) -> u64 {
    (since.elapsed().as_micros() as u64).max(1)
}

fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

async fn probe(services: &Services, who: &Principal, clock: &BenchClock, at: Timestamp) -> anyhow::Result<Offsets> {
    clock.set(at);
    let rec = services.record_complaint(who, draft(0), None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let d = rec
        .view
        .deadlines
        .iter()
        .find(|d| d.rule == DeadlineRule::Dispatch)
        .ok_or_else(|| anyhow::anyhow!("a new complaint has no dispatch deadline"))?;
    let at_risk = d.at_risk_at.ok_or_else(|| anyhow::anyhow!("the policy gives no at-risk warning (at_risk_percent)"))?;
    Ok(Offsets { at_risk: at_risk - at, due: d.due_at - at })
}

async fn idle_ticks(services: &Services, at: Timestamp, ticks: u64) -> anyhow::Result<IdleTicks> {
    let (mut step, mut next, mut tick) = (histogram()?, histogram()?, histogram()?);
    for i in 0..ticks + ticks / 10 {
        let started = Instant::now();
        let outcome = services.run_deadline_step(at, DEADLINE_BATCH).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let stepped = elapsed_us(started);
        let between = Instant::now();
        let next_check = services.next_deadline_check().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let checked = elapsed_us(between);
        anyhow::ensure!(outcome == StepOutcome::Idle, "something was due at {at}");
        anyhow::ensure!(next_check.is_some_and(|n| n > at), "the next check {next_check:?} is not after {at}");
        if i >= ticks / 10 {
            // The first tenth warms the caches up.
            step.record(stepped)?;
            next.record(checked)?;
            tick.record(elapsed_us(started))?;
        }
    }
    Ok(IdleTicks { step: micros(&step), next_check: micros(&next), tick: micros(&tick) })
}

async fn fire(services: &Services, kind: &'static str, at: Timestamp, due: u64) -> anyhow::Result<DueBatch> {
    let mut query = histogram()?;
    for _ in 0..20 {
        let started = Instant::now();
        let found = services.store().find_due_complaints(at, DEADLINE_BATCH).await?;
        query.record(elapsed_us(started))?;
        anyhow::ensure!(found.len() as u64 == due.min(u64::from(DEADLINE_BATCH)), "{} due at {at}, expected {due}", found.len());
    }
    let (mut step_ms, mut fired) = (Vec::new(), 0);
    let started = Instant::now();
    loop {
        let step = Instant::now();
        let outcome = services.run_deadline_step(at, DEADLINE_BATCH).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        step_ms.push(ms(step.elapsed()));
        match outcome {
            StepOutcome::Processed(n) => fired += n,
            StepOutcome::Idle => break,
        }
    }
    let total = started.elapsed();
    Ok(DueBatch {
        kind,
        due,
        fired,
        steps: step_ms.len(),
        step_ms,
        total_ms: ms(total),
        per_complaint_us: (total.as_secs_f64() * 1e6 / fired.max(1) as f64).round(),
        query: micros(&query),
    })
}

async fn scale(b: &Bench, open: u64, t: Timestamp, ticks: u64, due: u64) -> anyhow::Result<Scale> {
    eprintln!("{open} open: {ticks} idle ticks, then {due} at risk and {due} breached at once …");
    let idle = idle_ticks(&b.services, t - TimeDelta::milliseconds(1), ticks).await?;
    let at_risk = fire(&b.services, "at_risk", t, due).await?;
    let breach = fire(&b.services, "breach", t - b.offsets.at_risk + b.offsets.due, due).await?;
    Ok(Scale { open, idle, at_risk, breach })
}

fn progress(len: u64) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}").unwrap_or(ProgressStyle::default_bar()),
    )
}

pub async fn escalation(args: EscalationArgs) -> anyhow::Result<EscalationReport> {
    anyhow::ensure!(args.due > 0 && args.small > 2 * args.due && args.open >= args.small, "need open ≥ small > 2 × due > 0");
    let temp = tempfile::Builder::new().prefix("tousu-bench-").tempdir()?;
    let data_dir = args.data.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let mut settings = Settings { data_dir, demo: true, worker: false, search: false, ..Settings::default() };
    settings.bind = "127.0.0.1:0".parse()?;
    let clock = Arc::new(BenchClock(AtomicI64::new(FOLLOW_SYSTEM)));
    let app = Application::build_with_clock(settings, clock.clone()).await?;
    let services = app.services().clone();
    let (_, staff) = services.create_api_token(Role::FrontDesk, None, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let who = Principal::from(staff);
    // The HTTP server runs (idle) as in production; the worker loops are
    // started by the real-worker phase.
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(stop.clone().cancelled_owned()));
    let after_start = memory();

    let wall = SystemClock.now();
    let t1 = DateTime::from_timestamp(wall.timestamp() + 86_400, 0).unwrap_or(wall);
    let offsets = probe(&services, &who, &clock, t1 + TimeDelta::days(30)).await?;
    let b = Bench { services: services.clone(), who, clock: clock.clone(), offsets };
    let warning = offsets.due - offsets.at_risk;
    let t2 = t1 + warning + TimeDelta::hours(1);
    let bulk_from = t2 + warning - offsets.at_risk + TimeDelta::minutes(10);
    let bulk = args.open - 2 * args.due - 1;
    let bulk_receipt = |k: u64| bulk_from + TimeDelta::milliseconds((3_600_000.0 * k as f64 / bulk as f64) as i64);

    eprintln!("loading {} complaints (bulk writes; batches due at {t1} and {t2}) …", args.small);
    let bar = progress(args.small - 1);
    let started = Instant::now();
    b.load(args.due, |_| t1 - offsets.at_risk, &bar).await?;
    b.load(args.due, |_| t2 - offsets.at_risk, &bar).await?;
    let small_bulk = args.small - 2 * args.due - 1;
    b.load(small_bulk, &bulk_receipt, &bar).await?;
    let mut load_time = started.elapsed();
    bar.finish_and_clear();
    let after_small_load = memory();
    let small = scale(&b, args.small, t1, args.ticks, args.due).await?;

    eprintln!("loading up to {} open complaints …", args.open);
    let bar = progress(bulk - small_bulk);
    let started = Instant::now();
    b.load(bulk - small_bulk, |k| bulk_receipt(k + small_bulk), &bar).await?;
    load_time += started.elapsed();
    bar.finish_and_clear();
    let after_full_load = memory();
    let large = scale(&b, args.open, t2, args.ticks, args.due).await?;
    let after_steps = memory();

    let lateness = lateness::run(&b, &args).await?;
    stop.cancel();
    let _ = server.await;
    let at_end = memory();
    Ok(EscalationReport {
        load_seconds: (load_time.as_secs_f64() * 10.0).round() / 10.0,
        load_per_second: ((args.open - 1) as f64 / load_time.as_secs_f64()).round(),
        scales: vec![small, large],
        memory: MemoryReport {
            after_start,
            after_small_load,
            after_full_load,
            after_steps,
            worker_run_max_rss_mib: lateness.max_rss_mib,
            at_end,
        },
        lateness,
        machine: machine(),
    })
}

pub(super) fn print_report(r: &EscalationReport) {
    let m = &r.machine;
    println!("tousu bench escalation — {} CPUs ({}), {} GiB, Linux {}", m.cpus, m.cpu_model, m.memory_gib, m.os);
    println!("loaded in {:.1} s ({:.0} complaints/s, bulk writes)", r.load_seconds, r.load_per_second);
    for s in &r.scales {
        println!("with {} open complaints:", s.open);
        let i = &s.idle;
        println!(
            "  tick, nothing due ({} ticks): p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs (step p50 {:.0} µs, next-check p50 {:.0} µs)",
            i.tick.count, i.tick.p50_us, i.tick.p99_us, i.tick.max_us, i.step.p50_us, i.next_check.p50_us
        );
        for d in [&s.at_risk, &s.breach] {
            println!(
                "  {} {} due at once: {} fired in {} steps, {:.1} ms ({:.0} µs each; steps {:?} ms); due query p50 {:.0} µs",
                d.due, d.kind, d.fired, d.steps, d.total_ms, d.per_complaint_us, d.step_ms, d.query.p50_us
            );
        }
    }
    lateness::print_report(&r.lateness);
    let mem = &r.memory;
    println!(
        "memory (RSS MiB): start {:.0}; {} open {:.0}; {} open {:.0}; after steps {:.0}; worker run max {:.0}; end {:.0}; peak {:.0}",
        mem.after_start.rss_mib,
        r.scales[0].open,
        mem.after_small_load.rss_mib,
        r.scales[1].open,
        mem.after_full_load.rss_mib,
        mem.after_steps.rss_mib,
        mem.worker_run_max_rss_mib,
        mem.at_end.rss_mib,
        mem.at_end.peak_rss_mib,
    );
}
