//! `tousu bench …`: the figures of BENCHMARKS.md, each measured against the
//! real application started in this process on a temporary data folder.
//!
//! - [`intake`]: complaints accepted per second over HTTP, then list/fetch
//!   latency with many complaints loaded (issue 2).
//! - [`escalation`]: the escalation worker's cost per tick with many open
//!   deadlines, the lateness of its firings, and the server's memory (issue 3).
//! - [`pages`]: the console's and the portal's pages with 1,000,000
//!   complaints loaded (issue 4).
//! - [`servers`]: intake and lifecycle latency with one or several `serve`
//!   processes on SQLite or PostgreSQL (issue 6).
//! - [`figures`]: every report of issue 7 with 1,000,000 complaints and
//!   300,000 callbacks, and the monthly XLSX of a 100,000-complaint month.
//! - [`search`]: the search engine's indexing rate, size and query
//!   latency at 1,000,000 complaints (issue 8).
//! - [`freshness`]: how soon a complaint is searchable under 1,000/s of
//!   intake (issue 8).
//! - [`triage`]: reading one complaint on one core, and what group-complaint
//!   detection adds per complaint after 1,000,000 of history (issue 5).

mod escalation;
mod figures;
mod freshness;
mod intake;
mod lateness;
mod pages;
mod search;
mod servers;
mod triage;

pub use escalation::{EscalationArgs, EscalationReport};
pub use figures::{FiguresArgs, FiguresReport};
pub use freshness::{FreshnessArgs, FreshnessReport};
pub use intake::{IntakeArgs, IntakeReport};
pub use pages::{PagesArgs, PagesReport};
pub use search::{SearchArgs, SearchReport};
pub use servers::{ServersArgs, ServersReport};
pub use triage::{TriageArgs, TriageReport};

use clap::Subcommand;
use hdrhistogram::Histogram;
use serde::Serialize;
use tousu_domain::classification::{Category, Channel};
use tousu_domain::intake::{CustomerDraft, IntakeDraft};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Intake throughput over HTTP, then list/fetch latency with many complaints loaded.
    Intake(IntakeArgs),
    /// The escalation worker: cost per tick with 1,000,000 open deadlines
    /// (nothing due, 1,000 due at once), lateness of firings, memory.
    Escalation(EscalationArgs),
    /// The console's and the portal's pages with 1,000,000 complaints loaded.
    Pages(PagesArgs),
    /// Intake throughput and lifecycle latency with one or several `serve`
    /// processes on one database (SQLite, or PostgreSQL with `--database`).
    Servers(ServersArgs),
    /// Every report of issue 7 with 1,000,000 complaints and 300,000
    /// callbacks, and the monthly XLSX of a 100,000-complaint month.
    Figures(FiguresArgs),
    /// The search engine: indexing rate, size, query latency at 1,000,000 complaints.
    Search(SearchArgs),
    /// How soon a complaint is searchable under a steady intake load.
    Freshness(FreshnessArgs),
    /// Triage of one complaint (median, throughput on one core) and the
    /// group detector's cost per complaint after 1,000,000 of history.
    Triage(TriageArgs),
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Intake(args) => {
            let json = args.json;
            let report = intake::intake(args).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                intake::print_report(&report);
            }
            Ok(())
        }
        BenchCommand::Escalation(args) => {
            let json = args.json;
            let report = escalation::escalation(args).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                escalation::print_report(&report);
            }
            Ok(())
        }
        BenchCommand::Pages(args) => {
            let json = args.json;
            let report = pages::pages(args).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                pages::print_report(&report);
            }
            Ok(())
        }
        BenchCommand::Figures(args) => {
            let json = args.json;
            let report = figures::figures(args).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                figures::print_report(&report);
            }
            Ok(())
        }
        BenchCommand::Search(args) => {
            let json = args.json;
            let report = tokio::task::spawn_blocking(move || search::search(args)).await??;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                search::print_report(&report);
            }
            Ok(())
        }
        BenchCommand::Freshness(args) => {
            let json = args.json;
            let report = freshness::freshness(args).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                freshness::print_report(&report);
            }
            Ok(())
        }
        BenchCommand::Servers(args) => {
            let json = args.json;
            let report = servers::servers(args).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                servers::print_report(&report);
            }
            Ok(())
        }
        BenchCommand::Triage(args) => {
            let json = args.json;
            let report = tokio::task::spawn_blocking(move || triage::triage(args)).await??;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                triage::print_report(&report);
            }
            Ok(())
        }
    }
}

/// Latency in milliseconds.
#[derive(Debug, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_gib: f64,
    pub os: String,
}

const PLACES: [(&str, &[&str]); 2] = [("JYHY", &["1栋", "2栋", "3栋"]), ("LHW", &["A座", "B座"])];

const TEXTS: [&str; 8] = [
    "卫生间顶上又开始滴水了，上个月修过一次，说是楼上防水的问题，结果现在比之前还严重，天天拿盆接。",
    "电梯这周已经停了三次，老人孩子上下楼很不方便，物业到底有没有在维保？",
    "楼下商铺晚上十一点还在装修，电钻声吵得孩子没法睡觉，保安说管不了。",
    "公摊水电费比去年同期多了四十多块，请问公摊是怎么算的？能不能公示明细？",
    "地下车库B区的灯坏了一半，晚上停车很危险，已经报修两次了没人来。",
    "小区门口的垃圾桶满了两天没人清理，味道很大，夏天还有苍蝇。",
    "交房时发现客厅墙面有裂缝，开发商说是正常现象，我不接受，要求维修。",
    "快递柜经常满，快递员直接把包裹放在大堂，丢了两次了，谁负责？",
];

/// A realistic complaint for the demo organisation (random unit and phone).
fn draft(n: u64) -> IntakeDraft {
    let (project, buildings) = PLACES[(n % 2) as usize];
    let building = buildings[(n as usize / 2) % buildings.len()];
    let floors = if project == "JYHY" { 18 } else { 32 };
    let per_floor = if project == "JYHY" { 2 } else { 4 };
    let unit = format!("{}{:02}", 1 + fastrand::u32(0..floors), 1 + fastrand::u32(0..per_floor));
    IntakeDraft {
        channel: [Channel::Phone, Channel::Wechat, Channel::App, Channel::FrontDesk][(n % 4) as usize],
        customer: CustomerDraft {
            name: ["张伟", "王芳", "李娜", "刘洋", "陈静"][(n % 5) as usize].into(),
            // One customer per complaint (n < 10^8): a benchmark of intake,
            // not of repeats (a repeat is escalated, and notifies).
            phone: format!("13{}{:08}", 5 + n % 5, n % 100_000_000),
        },
        project: project.into(),
        building: building.into(),
        unit,
        description: TEXTS[fastrand::usize(0..TEXTS.len())].into(),
        subject: None,
        remedy_sought: Some("尽快处理并给出答复".into()),
        remedies: vec![],
        first_responder: None,
        // As intake's triage would file them: mostly facilities, then service, fees, questions.
        category: Some(match n % 20 {
            0..8 => Category::Facilities,
            8..13 => Category::Service,
            13..16 => Category::Fees,
            _ => Category::Consultation,
        }),
        emergency: false,
        service: None,
    }
}

/// Bulk-loads complaints (not over HTTP) until `target` are in the
/// database, `already` being there; answers how many there are.
async fn preload(services: &tousu_app::Services, who: &tousu_app::Principal, already: u64, target: u64) -> anyhow::Result<u64> {
    use indicatif::{ProgressBar, ProgressStyle};
    let to_load = target.saturating_sub(already);
    if to_load > 0 {
        eprintln!("loading {to_load} complaints (bulk, not over HTTP) …");
        let bar = ProgressBar::new(to_load).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}").unwrap_or(ProgressStyle::default_bar()),
        );
        let mut n = already;
        while n < target {
            let size = (target - n).min(5_000);
            let drafts = (n..n + size).map(draft).collect();
            services.record_complaints_bulk(who, drafts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            n += size;
            bar.inc(size);
        }
        bar.finish_and_clear();
    }
    Ok(already.max(target))
}

/// Microseconds, from 1 µs to 60 s, 3 significant digits.
fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?)
}

fn latency(h: &Histogram<u64>) -> Latency {
    let ms = |us: u64| us as f64 / 1000.0;
    Latency { count: h.len(), p50_ms: ms(h.value_at_quantile(0.5)), p99_ms: ms(h.value_at_quantile(0.99)), max_ms: ms(h.max()) }
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib: f64 = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    Machine {
        cpus: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        cpu_model,
        memory_gib: (kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        os: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_string(),
    }
}

/// This process's resident memory and its peak, in MiB (`/proc/self/status`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Memory {
    pub rss_mib: f64,
    pub peak_rss_mib: f64,
}

fn memory() -> Memory {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kib| (kib / 1024.0 * 10.0).round() / 10.0)
    };
    Memory { rss_mib: field("VmRSS:"), peak_rss_mib: field("VmHWM:") }
}
