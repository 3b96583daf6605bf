//! `tousu bench search`: the search engine on its own (issue 8): how fast
//! it indexes complaints of realistic Chinese text, the index's size per
//! complaint, and query latency (one word, two words, filtered) with
//! 1,000,000 complaints in it. The texts are owners' complaints
//! (`--texts FILE.jsonl`, e.g. ../shared/data/complaints-dev.jsonl, or the
//! built-in sample), two joined at random, each with a unit string, so no
//! two documents are alike.

use super::{Latency, Machine, TEXTS, histogram, latency, machine};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use tousu_search::{Filters, ParsedQuery, SearchDoc, SearchIndex, SortBy, Synonyms};

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub complaints: u64,
    /// Complaint texts (JSON Lines with a `text` field).
    #[arg(long)]
    pub texts: Option<PathBuf>,
    /// Runs of each query measured.
    #[arg(long, default_value_t = 300)]
    pub runs: usize,
    #[arg(long)]
    pub json: bool,
    /// Keep the index in this folder, and reuse it when it already holds
    /// `--complaints` documents (then only the queries are measured).
    #[arg(long)]
    pub index: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct QueryFigure {
    pub query: String,
    pub matches: usize,
    pub p95_ms: f64,
    pub latency: Latency,
}

#[derive(Debug, Serialize)]
pub struct SearchReport {
    pub complaints: u64,
    pub texts: usize,
    /// `None`: the index of an earlier run was reused (`--index`).
    pub build_seconds: Option<f64>,
    /// Merging the built index into one segment, after the build.
    pub merge_seconds: Option<f64>,
    pub complaints_per_second: Option<f64>,
    pub index_bytes: u64,
    pub bytes_per_complaint: f64,
    pub queries: Vec<QueryFigure>,
    pub machine: Machine,
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

fn doc(n: u64, texts: &[String]) -> SearchDoc {
    let pick = |k: u64| &texts[(k % texts.len() as u64) as usize];
    let (a, b) = (pick(n.wrapping_mul(2_654_435_761)), pick(n / 7 + 3));
    let building = ["1栋", "2栋", "3栋", "A座", "B座"][(n % 5) as usize];
    let unit = format!("{}{:02}", 1 + n % 30, 1 + n % 4);
    SearchDoc {
        id: n,
        company: 1,
        project: ["JYHY", "LHW", "XHY", "BLC"][(n % 4) as usize].into(),
        building: building.into(),
        status: ["received", "in_progress", "resolved", "closed"][(n % 4) as usize].into(),
        category: ["facilities", "service", "fees", "consultation"][(n / 4 % 4) as usize].into(),
        severity: "general".into(),
        department: "engineering".into(),
        received_ms: 1_767_225_600_000 + n as i64 * 30_000,
        text: format!("{building}{unit}，{a}\n{b}"),
        personal: format!("业主{} 13{:09}", n % 1000, n),
    }
}

pub fn search(args: SearchArgs) -> anyhow::Result<SearchReport> {
    let texts: Vec<String> = match &args.texts {
        Some(path) => super::triage::read_texts(path)?,
        None => TEXTS.iter().map(|t| t.to_string()).collect(),
    };
    let temp = tempfile::Builder::new().prefix("tousu-bench-search-").tempdir()?;
    let dir = args.index.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let index = SearchIndex::open(&dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let reused = index.len() == args.complaints;
    if !reused {
        index.clear().map_err(|e| anyhow::anyhow!("{e}"))?;
        eprintln!("search: indexing {} complaints …", args.complaints);
    } else {
        eprintln!("search: reusing the {} complaints of {}", args.complaints, dir.display());
    }
    let bar = indicatif::ProgressBar::new(args.complaints);
    let started = Instant::now();
    for n in (0..args.complaints).filter(|_| !reused) {
        // As `tousu search reindex` adds them to its emptied index.
        index.insert_new(&doc(n, &texts)).map_err(|e| anyhow::anyhow!("{e}"))?;
        if n % 100_000 == 99_999 {
            index.commit_at(&n.to_string()).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if n % 10_000 == 0 {
            bar.set_position(n);
        }
    }
    if !reused {
        index.commit_at(&args.complaints.to_string()).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    bar.finish_and_clear();
    let build_seconds = (!reused).then(|| started.elapsed().as_secs_f64());
    // As a rebuild ends: one segment (not counted in the build rate: the
    // index is searchable before).
    let merging = Instant::now();
    if !reused {
        eprintln!("search: merging segments …");
        index.merge_all().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let merge_seconds = (!reused).then(|| merging.elapsed().as_secs_f64());
    let index_bytes = dir_size(&dir);
    let synonyms = Synonyms::builtin();
    let all = Filters { company: 1, ..Filters::default() };
    let filtered = Filters {
        company: 1,
        project: Some("JYHY".into()),
        status: vec!["in_progress".into(), "received".into()],
        ..Filters::default()
    };
    // (name, query, filters, personal data searched, order)
    let cases: [(&str, &str, &Filters, bool, SortBy); 9] = [
        ("one word: 电梯", "电梯", &all, false, SortBy::Relevance),
        ("one word: 物业费 (with synonyms)", "物业费", &all, false, SortBy::Relevance),
        ("two words: 卫生间 漏水", "卫生间 漏水", &all, false, SortBy::Relevance),
        ("two words, reversed order: 维修电梯", "维修电梯", &all, false, SortBy::Relevance),
        ("unit string: 3栋1802", "3栋1802", &all, false, SortBy::Relevance),
        ("filtered: 漏水, one project, open", "漏水", &filtered, false, SortBy::Relevance),
        ("newest first: 电梯", "电梯", &all, false, SortBy::Newest),
        ("front desk (personal data too): 电梯", "电梯", &all, true, SortBy::Relevance),
        ("front desk: a phone number", "13000123456", &all, true, SortBy::Relevance),
    ];
    let mut queries = Vec::new();
    for (name, q, filters, personal, sort) in cases {
        let parsed = ParsedQuery::parse(q).map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut hist = histogram()?;
        let mut matches = 0;
        for i in 0..args.runs + 10 {
            let t = Instant::now();
            let hits = index
                .search(&parsed, filters, &synonyms, personal, sort, 0, 20)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            // The first runs warm the page cache; not measured.
            if i >= 10 {
                hist.record((t.elapsed().as_micros() as u64).max(1))?;
            }
            matches = hits.total;
        }
        let p95_ms = hist.value_at_quantile(0.95) as f64 / 1000.0;
        queries.push(QueryFigure { query: name.to_string(), matches, p95_ms, latency: latency(&hist) });
    }
    Ok(SearchReport {
        complaints: args.complaints,
        texts: texts.len(),
        build_seconds,
        merge_seconds,
        complaints_per_second: build_seconds.map(|s| args.complaints as f64 / s.max(0.001)),
        index_bytes,
        bytes_per_complaint: index_bytes as f64 / args.complaints.max(1) as f64,
        queries,
        machine: machine(),
    })
}

pub(super) fn print_report(r: &SearchReport) {
    let m = &r.machine;
    println!("tousu bench search — {} CPUs ({}), {} GiB, Linux {}", m.cpus, m.cpu_model, m.memory_gib, m.os);
    match (r.build_seconds, r.complaints_per_second) {
        (Some(seconds), Some(rate)) => {
            println!("indexed {} complaints ({} source texts) in {seconds:.1} s: {rate:.0}/s", r.complaints, r.texts)
        }
        _ => println!("{} complaints: the index of an earlier run (--index)", r.complaints),
    }
    if let Some(seconds) = r.merge_seconds {
        println!("merged into one segment in {seconds:.1} s");
    }
    println!("index {:.1} MiB, {:.0} bytes per complaint", r.index_bytes as f64 / 1_048_576.0, r.bytes_per_complaint);
    for q in &r.queries {
        println!(
            "  {:<40} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  ({} matches, {} runs)",
            q.query, q.latency.p50_ms, q.p95_ms, q.latency.p99_ms, q.matches, q.latency.count
        );
    }
}
