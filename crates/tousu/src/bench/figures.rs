//! `tousu bench figures`: every report of issue 7 with 1,000,000
//! complaints and 300,000 callbacks in the database (target ≤ 100 ms each),
//! and the monthly XLSX of a 100,000-complaint month (target ≤ 5 s).
//!
//! Loading: ten months (March–December 2026) of 100,000 complaints each,
//! bulk-recorded in batches on twenty days of the month; of each batch, 30 %
//! are walked through the whole lifecycle (confirm, assess, investigate,
//! dispatch, accept, the defect filed for two in three, resolve, accept,
//! close, callback) by the demo's front desk, handler and head, each step
//! decided by the lifecycle rules and written by the same code as a request
//! ([`tousu_app::Services::walk_complaint`]), so the figures are exactly
//! those the events make. Then each report is fetched over HTTP with a real
//! session, as the console and BI tools do.

use super::pages::{Visitor, time_page, visitor};
use super::{Latency, Machine, draft, histogram, latency, machine};
use crate::settings::Settings;
use crate::startup::Application;
use chrono::{Duration, TimeZone};
use clap::Args;
use futures_util::StreamExt;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use tousu_app::Principal;
use tousu_app::clock::Clock;
use tousu_domain::defects::Phase;
use tousu_domain::{Action, Role, Severity, Timestamp};

#[derive(Debug, Args)]
pub struct FiguresArgs {
    /// Complaints per month, for ten months.
    #[arg(long, default_value_t = 100_000)]
    pub per_month: u64,
    /// Share of them walked to a callback (0.3: 300,000 of 1,000,000).
    #[arg(long, default_value_t = 0.3)]
    pub walked: f64,
    /// Requests per report measured (the XLSX workbooks: a fifth of it).
    #[arg(long, default_value_t = 30)]
    pub requests: usize,
    /// Complaints walked at once.
    #[arg(long, default_value_t = 128)]
    pub concurrency: usize,
    /// Data folder (default: a temporary folder, removed afterwards).
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct FigureTiming {
    pub report: String,
    pub path: String,
    pub bytes: usize,
    pub latency: Latency,
}

#[derive(Debug, Serialize)]
pub struct FiguresReport {
    pub complaints: u64,
    pub callbacks: u64,
    pub transitions: u64,
    pub load_seconds: f64,
    pub transitions_per_second: f64,
    pub reports: Vec<FigureTiming>,
    pub machine: Machine,
}

/// The bench's clock: set to each batch's day while loading.
struct BenchClock(Mutex<Timestamp>);

impl Clock for BenchClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl BenchClock {
    fn set(&self, t: Timestamp) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }
}

const DEFECTS: [(&str, Phase); 15] = [
    ("roof_leak", Phase::Construction),
    ("wall_leak", Phase::Construction),
    ("bathroom_leak", Phase::Construction),
    ("basement_leak", Phase::Design),
    ("windows", Phase::Construction),
    ("walls", Phase::Construction),
    ("lifts", Phase::Operation),
    ("plumbing", Phase::Construction),
    ("electrical", Phase::Handover),
    ("parking", Phase::Operation),
    ("fees", Phase::Operation),
    ("staff_conduct", Phase::Operation),
    ("cleaning", Phase::Operation),
    ("noise", Phase::Operation),
    ("sales_promise", Phase::SalesPromise),
];

struct Staff {
    desk: Principal,
    handler: Principal,
    head: Principal,
}

/// The steps of complaint `n` received at `t`.
fn script(s: &Staff, n: u64, t: Timestamp) -> Vec<(Principal, Action, Timestamp)> {
    let m = |minutes: i64| t + Duration::minutes(minutes);
    let mut steps = vec![
        (s.desk.clone(), Action::Confirm { note: None }, m(5)),
        (s.desk.clone(), Action::Assess { severity: Severity::General, category: None, note: None }, m(10)),
        (
            s.desk.clone(),
            Action::Investigate {
                department: "engineering".into(),
                post: "水电维修岗".into(),
                person: "李强".into(),
                root_cause: ["楼上卫生间防水层破损", "电梯门机老化", "外墙窗边打胶开裂", "公摊计算口径未公示"]
                    [(n % 4) as usize]
                    .into(),
                evidence: vec![],
                report: None,
            },
            m(20),
        ),
        (s.desk.clone(), Action::Dispatch { department: None, handler: None, cooperating: vec![], note: None }, m(30)),
        (s.handler.clone(), Action::Accept { note: None }, m(60)),
    ];
    if n % 3 != 0 {
        let (component, phase) = DEFECTS[(n as usize / 3) % DEFECTS.len()];
        let cost = (n % 5 == 0).then_some(100.0 + (n % 900) as f64);
        steps.push((s.handler.clone(), Action::RecordDefect { component: component.into(), phase, cost }, m(120)));
    }
    steps.extend([
        (s.handler.clone(), Action::Resolve { resolution: "已处理完毕".into(), finished_at: None }, m(360)),
        (s.desk.clone(), Action::AcceptResult { note: None }, m(24 * 60)),
        (s.head.clone(), Action::Close { note: None }, m(25 * 60)),
        (
            s.desk.clone(),
            Action::Callback { perceived: 4 + (n % 7) as u8, expected: 6 + (n % 4) as u8, comment: None, method: None },
            m(48 * 60),
        ),
    ]);
    steps
}

async fn principal(services: &tousu_app::Services, role: Role) -> anyhow::Result<Principal> {
    let (_, staff) = services.create_api_token(role, None, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Principal::from(staff))
}

pub async fn figures(args: FiguresArgs) -> anyhow::Result<FiguresReport> {
    let temp = tempfile::Builder::new().prefix("tousu-bench-").tempdir()?;
    let data_dir = args.data.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let mut settings = Settings { data_dir, demo: true, worker: false, search: false, ..Settings::default() };
    settings.bind = "127.0.0.1:0".parse()?;
    let china = chrono::FixedOffset::east_opt(8 * 3600).ok_or_else(|| anyhow::anyhow!("UTC+8"))?;
    let at = |month: u32, day: u32| {
        china.with_ymd_and_hms(2026, month, day, 9, 0, 0).single().map(|t| t.to_utc()).unwrap_or_default()
    };
    let clock = Arc::new(BenchClock(Mutex::new(at(3, 1))));
    let app = Application::build_with_clock(settings, clock.clone()).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let services = app.services().clone();
    let staff = Staff {
        desk: principal(&services, Role::FrontDesk).await?,
        handler: principal(&services, Role::Handler).await?,
        head: principal(&services, Role::DepartmentHead).await?,
    };

    let per_batch = (args.per_month / 20).max(1);
    let walked_per_batch = ((per_batch as f64) * args.walked).round() as usize;
    let (mut complaints, mut callbacks, mut transitions) = (0u64, 0u64, 0u64);
    let started = Instant::now();
    let bar = indicatif::ProgressBar::new(args.per_month * 10);
    for month in 3..=12u32 {
        for batch in 0..20u32 {
            let t = at(month, 1 + batch);
            clock.set(t);
            let drafts = (complaints..complaints + per_batch).map(draft).collect();
            let recorded = services
                .record_complaints_bulk_returning(&staff.desk, drafts)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let first = complaints;
            let walks = recorded.into_iter().take(walked_per_batch).enumerate().map(|(i, c)| {
                let steps = script(&staff, first + i as u64, t);
                let services = services.clone();
                async move {
                    let n = steps.len() as u64;
                    services.walk_complaint(c, &steps).await.map(|_| n)
                }
            });
            let mut done = futures_util::stream::iter(walks).buffer_unordered(args.concurrency.max(1));
            while let Some(r) = done.next().await {
                transitions += r.map_err(|e| anyhow::anyhow!("walking a complaint: {e}"))?;
                callbacks += 1;
            }
            complaints += per_batch;
            bar.inc(per_batch);
        }
    }
    bar.finish_and_clear();
    let load_seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "figures: loaded {complaints} complaints, {callbacks} walked to a callback ({transitions} transitions) in {load_seconds:.0} s"
    );
    clock.set(at(12, 28));
    // Logged in now: a session opened at the first batch's time would have expired.
    let leader: Visitor = visitor(&app, Role::CompanyLeader).await?;
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(stop.clone().cancelled_owned()));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let n = args.requests;
    let range = "from=2026-03&to=2026-12";
    let mut paths: Vec<(String, String)> = Vec::new();
    for by in ["company", "project", "department", "category", "touchpoint", "stage", "month", "extra_service"] {
        paths.push((format!("satisfaction by {by}"), format!("/api/v1/figures/satisfaction?by={by}&{range}")));
    }
    paths.extend([
        (
            "satisfaction by touchpoint, CSV".into(),
            format!("/api/v1/figures/satisfaction?by=touchpoint&{range}&format=csv"),
        ),
        ("iceberg".into(), format!("/api/v1/figures/iceberg?{range}")),
        ("performance by department".into(), format!("/api/v1/figures/performance?by=department&{range}")),
        ("performance by person".into(), format!("/api/v1/figures/performance?by=person&{range}")),
        ("defect library by component and phase".into(), format!("/api/v1/figures/defects?by=component_phase&{range}")),
        ("defect library by top-level component".into(), format!("/api/v1/figures/defects?by=top&{range}")),
        ("defect library, CSV".into(), format!("/api/v1/figures/defects?{range}&format=csv")),
        ("design-review checklist, JSON".into(), format!("/api/v1/reports/design-review?format=json&{range}")),
        ("dashboard page (SVG)".into(), "/dashboard".into()),
        ("figures page (SVG)".into(), format!("/figures?{range}")),
    ]);
    let mut reports = Vec::new();
    for (name, path) in &paths {
        let f = time_page(&client, &base, n, Some(&leader), name, |_| path.clone()).await?;
        reports.push(FigureTiming { report: name.clone(), path: path.clone(), bytes: f.bytes, latency: f.latency });
    }
    let workbooks = [
        ("design-review checklist, XLSX".to_string(), format!("/api/v1/reports/design-review?{range}")),
        (
            format!("monthly report XLSX (2026-12: {} complaints)", args.per_month),
            "/api/v1/reports/monthly?month=2026-12".to_string(),
        ),
    ];
    for (name, path) in workbooks {
        let mut hist = histogram()?;
        let mut bytes = 0;
        for _ in 0..(n / 5).max(3) {
            let t = Instant::now();
            let res = client.get(format!("{base}{path}")).header("cookie", &leader.cookie).send().await?;
            anyhow::ensure!(res.status().is_success(), "GET {path} answered {}", res.status());
            bytes = res.bytes().await?.len();
            hist.record((t.elapsed().as_micros() as u64).max(1))?;
        }
        reports.push(FigureTiming { report: name, path, bytes, latency: latency(&hist) });
    }
    stop.cancel();
    server.await??;
    Ok(FiguresReport {
        complaints,
        callbacks,
        transitions,
        load_seconds,
        transitions_per_second: transitions as f64 / load_seconds.max(0.001),
        reports,
        machine: machine(),
    })
}

pub(super) fn print_report(r: &FiguresReport) {
    let m = &r.machine;
    println!("tousu bench figures — {} CPUs ({}), {} GiB, Linux {}", m.cpus, m.cpu_model, m.memory_gib, m.os);
    println!(
        "{} complaints, {} walked to a callback ({} transitions, {:.0}/s while loading, {:.0} s)",
        r.complaints, r.callbacks, r.transitions, r.transitions_per_second, r.load_seconds
    );
    for f in &r.reports {
        println!(
            "  {:<52} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  ({} B, {} requests)",
            f.report, f.latency.p50_ms, f.latency.p99_ms, f.latency.max_ms, f.bytes, f.latency.count
        );
    }
}
