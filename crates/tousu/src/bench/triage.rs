//! `tousu bench triage`: what triage costs at intake (issue 5) — the time
//! to read one complaint on one core, and what group-complaint detection
//! adds per new complaint once 1,000,000 complaints are in its history.
//!
//! Both run the engine in this process on one thread, as intake does (each
//! request reads its own complaint; nothing is shared but the lexicons).

use super::{Machine, machine};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use tousu_triage::Triage;
use tousu_triage::bench::{BenchResult, GroupBenchResult, SAMPLE_TEXTS, classify_bench, group_bench};

#[derive(Debug, Args)]
pub struct TriageArgs {
    /// Complaints to classify (round-robin over the texts).
    #[arg(long, default_value_t = 200_000)]
    pub iterations: usize,
    /// Complaints already observed by the group detector before measuring.
    #[arg(long, default_value_t = 1_000_000)]
    pub history: usize,
    /// New complaints whose group-detection cost is measured after the history.
    #[arg(long, default_value_t = 10_000)]
    pub measured: usize,
    /// A JSON-lines file whose `text` fields are classified instead of the
    /// built-in sample (for example ../shared/data/complaints-dev.jsonl).
    #[arg(long)]
    pub texts: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct TriageReport {
    pub machine: Machine,
    pub texts: usize,
    pub texts_from: String,
    pub classify: BenchResult,
    /// The detector's cost with an empty history, for comparison.
    pub group_empty: GroupBenchResult,
    pub group: GroupBenchResult,
}

pub(super) fn read_texts(path: &PathBuf) -> anyhow::Result<Vec<String>> {
    let data = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut texts = Vec::new();
    for (n, line) in data.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| anyhow::anyhow!("{}:{}: not JSON: {e}", path.display(), n + 1))?;
        match v.get("text").and_then(|t| t.as_str()) {
            Some(t) => texts.push(t.to_string()),
            None => anyhow::bail!("{}:{}: no `text` field", path.display(), n + 1),
        }
    }
    anyhow::ensure!(!texts.is_empty(), "{} holds no complaint texts", path.display());
    Ok(texts)
}

pub fn triage(args: TriageArgs) -> anyhow::Result<TriageReport> {
    anyhow::ensure!(args.iterations > 0 && args.measured > 0, "--iterations and --measured must be positive");
    let (texts, texts_from) = match &args.texts {
        Some(path) => (read_texts(path)?, path.display().to_string()),
        None => (SAMPLE_TEXTS.iter().map(|s| s.to_string()).collect(), "built-in sample (8 texts)".to_string()),
    };
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let engine = Arc::new(Triage::new());
    eprintln!("classifying {} complaints …", args.iterations);
    let classify = classify_bench(&engine, &refs, args.iterations);
    eprintln!("group detection with an empty history …");
    let group_empty = group_bench(engine.clone(), 0, args.measured);
    eprintln!("group detection after {} complaints of history …", args.history);
    let group = group_bench(engine, args.history, args.measured);
    Ok(TriageReport { machine: machine(), texts: texts.len(), texts_from, classify, group_empty, group })
}

pub fn print_report(r: &TriageReport) {
    let m = &r.machine;
    println!("machine: {} × {} ({} GiB), Linux {}", m.cpus, m.cpu_model, m.memory_gib, m.os);
    println!("texts: {} from {}", r.texts, r.texts_from);
    let c = &r.classify;
    println!(
        "triage of one complaint: median {:.1} µs, p99 {:.1} µs, {:.0} complaints/s on one core ({} classified)",
        c.median_us, c.p99_us, c.per_second, c.complaints
    );
    for g in [&r.group_empty, &r.group] {
        println!(
            "group detection after {:>9} complaints of history: median {:.1} µs, p99 {:.1} µs per new complaint ({} measured)",
            g.history, g.median_us, g.p99_us, g.measured
        );
    }
}
