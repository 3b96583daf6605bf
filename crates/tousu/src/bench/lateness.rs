//! The real worker run of `tousu bench escalation`: `tousu_worker::
//! run_escalation`, with the outbox dispatcher beside it as `tousu serve`
//! runs them, on the machine's clock, against deadlines falling due at known
//! instants. A watcher reads each complaint's history (every 2 ms, only the
//! oldest not yet seen) and notes when its firing became visible to readers.
//!
//! Half of the spread deadlines fire an at-risk warning, half a breach (their
//! warning is recorded beforehand). The burst is at-risk warnings all due at
//! one instant; the worker records them in order, and the watcher, which
//! waits on the oldest, may see a later one late, never early: its p50/p99
//! are upper bounds, its max is exact.

use super::escalation::{Bench, EscalationArgs};
use super::{Latency, histogram, latency, memory};
use chrono::{TimeDelta, Utc};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tousu_app::escalation::StepOutcome;
use tousu_app::{Clock, SystemClock};
use tousu_domain::Timestamp;
use tousu_domain::deadline::DeadlineRule;
use tousu_domain::event::EventKind;
use tousu_worker::DEADLINE_BATCH;

/// How often the watcher looks.
const POLL: Duration = Duration::from_millis(2);
/// How long after the last deadline the watcher gives up.
const GIVE_UP: TimeDelta = TimeDelta::seconds(60);

#[derive(Debug, Serialize)]
pub struct Firings {
    pub firings: u64,
    pub over_seconds: f64,
    pub at_risk: u64,
    pub breaches: u64,
    /// From the instant a deadline fell due to the first read that saw its event.
    pub visible: Latency,
    /// From the instant it fell due to the time on its event (the worker's `now`).
    pub recorded: Latency,
    /// Not seen within a minute of the last deadline.
    pub missed: u64,
}

#[derive(Debug, Serialize)]
pub struct LatenessReport {
    pub poll_ms: f64,
    pub spread: Firings,
    pub burst: Option<Firings>,
    /// Highest RSS sampled (every 50 ms) while the worker ran.
    pub max_rss_mib: f64,
}

struct Pending {
    id: i64,
    due: Timestamp,
    breach: bool,
    burst: bool,
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Records one complaint received at `receipt`; answers its dispatch deadline's
/// at-risk moment and due time.
async fn record(b: &Bench, n: u64, receipt: Timestamp) -> anyhow::Result<(i64, Timestamp, Timestamp)> {
    b.clock.set(receipt);
    let rec = b.services.record_complaint(&b.who, super::draft(n), None).await.map_err(err)?;
    let d = rec.view.deadlines.iter().find(|d| d.rule == DeadlineRule::Dispatch).ok_or_else(|| err("no dispatch deadline"))?;
    Ok((rec.view.id, d.at_risk_at.unwrap_or(d.due_at), d.due_at))
}

fn us(d: TimeDelta) -> u64 {
    d.num_microseconds().unwrap_or(i64::MAX).max(1) as u64
}

pub(super) async fn run(b: &Bench, args: &EscalationArgs) -> anyhow::Result<LatenessReport> {
    let services = &b.services;
    let store = services.store().clone();
    let cancel = CancellationToken::new();
    let config = tousu_notify::NotifierConfig { smtp: services.config().notify.smtp.clone(), ..Default::default() };
    let notifier = Arc::new(tousu_notify::Notifier::new(&config).map_err(err)?);
    let outbox = tokio::spawn(tousu_worker::run_outbox(services.clone(), notifier, cancel.clone()));
    eprintln!("real worker run: routing the notifications of the steps above first …");
    while !store.list_unrouted_notifications(1).await?.is_empty() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let w0 = SystemClock.now() + TimeDelta::seconds(args.lead as i64);
    let spread_ms = args.spread as i64 * 1000;
    eprintln!(
        "real worker run: {} deadlines due over {} s from {w0}, then {} at once …",
        args.firings, args.spread, args.burst
    );
    let loading = std::time::Instant::now();
    let mut pending = Vec::new();
    let mut warn_before = None;
    for i in 0..args.firings {
        let due = w0 + TimeDelta::milliseconds(spread_ms * i as i64 / args.firings as i64);
        let breach = i % 2 == 1;
        let receipt = due - if breach { b.offsets.due } else { b.offsets.at_risk };
        let (id, at_risk, due_at) = record(b, i, receipt).await?;
        if breach {
            warn_before = warn_before.max(Some(at_risk));
        }
        pending.push(Pending { id, due: if breach { due_at } else { at_risk }, breach, burst: false });
    }
    let burst_at = w0 + TimeDelta::milliseconds(spread_ms) + TimeDelta::seconds(3);
    for j in 0..args.burst {
        let (id, at_risk, _) = record(b, j, burst_at - b.offsets.at_risk).await?;
        pending.push(Pending { id, due: at_risk, breach: false, burst: true });
    }
    // The breaches' at-risk warnings, recorded before the run.
    if let Some(x) = warn_before {
        let mut warned = 0;
        while let StepOutcome::Processed(n) = services.run_deadline_step(x, DEADLINE_BATCH).await.map_err(err)? {
            warned += n;
        }
        let breaches = pending.iter().filter(|p| p.breach).count();
        anyhow::ensure!(warned == breaches, "{warned} warnings recorded beforehand, expected {breaches}");
    }
    eprintln!("  {} recorded one by one and {} warnings recorded in {:.1} s", pending.len(), pending.iter().filter(|p| p.breach).count(), loading.elapsed().as_secs_f64());
    let ready = SystemClock.now();
    anyhow::ensure!(
        ready + TimeDelta::milliseconds(500) < w0,
        "loading the real worker run took until {ready}, after its first deadline {w0}: raise --lead"
    );

    b.clock.follow_system();
    let worker = tokio::spawn(tousu_worker::run_escalation(services.clone(), cancel.clone()));
    let sampler = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let mut max: f64 = 0.0;
            while !cancel.is_cancelled() {
                max = max.max(memory().rss_mib);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            max
        })
    };

    pending.sort_by_key(|p| (p.due, p.id));
    let give_up = pending.last().map_or(w0, |p| p.due) + GIVE_UP;
    let mut h = [[histogram()?, histogram()?], [histogram()?, histogram()?]];
    let mut kinds = [[0u64; 2]; 2];
    let mut idx = 0;
    while idx < pending.len() && Utc::now() < give_up {
        while let Some(p) = pending.get(idx).filter(|p| p.due <= Utc::now()) {
            let events = store.list_events(p.id).await?;
            let seen = Utc::now();
            let fired = events.iter().find(|e| match e.kind {
                EventKind::DeadlineBreached { .. } => p.breach,
                EventKind::DeadlineAtRisk { .. } => !p.breach,
                _ => false,
            });
            let Some(e) = fired else { break };
            let set = usize::from(p.burst);
            h[set][0].record(us(seen - p.due))?;
            h[set][1].record(us(e.at - p.due))?;
            kinds[set][usize::from(p.breach)] += 1;
            idx += 1;
        }
        tokio::time::sleep(POLL).await;
    }
    cancel.cancel();
    let _ = worker.await;
    let _ = outbox.await;
    let max_rss_mib = sampler.await.unwrap_or(0.0);

    let missed = |burst: bool| pending[idx..].iter().filter(|p| p.burst == burst).count() as u64;
    let firings = |set: usize, n: u64, over: f64, hs: &[Histogram<u64>; 2], burst: bool| Firings {
        firings: n,
        over_seconds: over,
        at_risk: kinds[set][0],
        breaches: kinds[set][1],
        visible: latency(&hs[0]),
        recorded: latency(&hs[1]),
        missed: missed(burst),
    };
    let spread = firings(0, args.firings, args.spread as f64, &h[0], false);
    let burst = (args.burst > 0).then(|| firings(1, args.burst, 0.0, &h[1], true));
    Ok(LatenessReport { poll_ms: POLL.as_secs_f64() * 1000.0, spread, burst, max_rss_mib })
}

pub(super) fn print_report(r: &LatenessReport) {
    println!("real worker loop (run_escalation, machine clock), lateness from due to visible / to recorded time:");
    let line = |what: String, f: &Firings| {
        println!(
            "  {what}: visible p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; recorded p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} at risk, {} breaches, {} missed)",
            f.visible.p50_ms, f.visible.p99_ms, f.visible.max_ms, f.recorded.p50_ms, f.recorded.p99_ms, f.recorded.max_ms, f.at_risk, f.breaches, f.missed
        )
    };
    line(format!("{} due over {} s", r.spread.firings, r.spread.over_seconds), &r.spread);
    if let Some(b) = &r.burst {
        line(format!("{} due at one instant", b.firings), b);
    }
}
