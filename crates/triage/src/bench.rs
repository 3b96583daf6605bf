//! A criterion-free micro benchmark of `Triage::classify` (for `tousu bench
//! triage`): median and throughput on one core.

use crate::Triage;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchResult {
    pub complaints: usize,
    pub median_us: f64,
    pub p99_us: f64,
    pub per_second: f64,
}

/// Classifies `texts` round-robin `iterations` times (after one warm-up
/// pass) and reports the median and p99 time per complaint and throughput.
pub fn classify_bench(triage: &Triage, texts: &[&str], iterations: usize) -> BenchResult {
    assert!(!texts.is_empty());
    for t in texts {
        std::hint::black_box(triage.classify(t));
    }
    let mut times: Vec<Duration> = Vec::with_capacity(iterations);
    let start = Instant::now();
    for i in 0..iterations {
        let t = texts[i % texts.len()];
        let s = Instant::now();
        std::hint::black_box(triage.classify(std::hint::black_box(t)));
        times.push(s.elapsed());
    }
    let total = start.elapsed();
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    BenchResult {
        complaints: iterations,
        median_us: us(times[times.len() / 2]),
        p99_us: us(times[(times.len() * 99 / 100).min(times.len() - 1)]),
        per_second: iterations as f64 / total.as_secs_f64(),
    }
}

/// Some complaint texts written for the benchmark (not from the dev set).
pub const SAMPLE_TEXTS: &[&str] = &[
    "6栋2单元1502卫生间天花板一直在渗水，报修两次了还没人来看，墙都发霉了！",
    "物业费凭什么从2.2涨到2.8？没开业主大会就涨价，我们不同意，请退还多收的部分。",
    "保安态度太差了，我问个路他爱答不理，还翻白眼，希望给个说法。",
    "紧急！B座电梯卡在12楼，里面有个老人被困，按警铃没人应！",
    "请问装修押金什么时候可以退？需要带什么材料去办理？",
    "The lift in Block 3 has been out of order for a week. This is the third time I have reported it.",
    "管理處你好，第二座升降機成日壞，今日又停咗，我屋企有老人家，麻煩盡快處理。",
    "楼上邻居装修天天早上七点就开始电钻，周末也不停，吵得孩子没法睡觉，你们到底管不管？",
];

#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupBenchResult {
    pub history: usize,
    pub measured: usize,
    /// median time to observe one complaint after `history` complaints
    pub median_us: f64,
    pub p99_us: f64,
}

/// Feeds `history` synthetic complaints (spread over projects and a year)
/// into a [`crate::GroupDetector`], then measures `measured` more. The
/// texts are a small rotating set, so what is measured is the detector's
/// bookkeeping cost, which must not grow with the history.
pub fn group_bench(
    triage: std::sync::Arc<Triage>,
    history: usize,
    measured: usize,
) -> GroupBenchResult {
    use crate::{GroupConfig, GroupDetector, Observation};
    use chrono::{TimeZone, Utc};
    let mut d = GroupDetector::with_triage(GroupConfig::default(), triage);
    let start = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let obs = |i: usize| Observation {
        id: format!("b{i}"),
        project: format!("项目{}", i % 200),
        building: Some(format!("{}栋", i % 17 + 1)),
        unit: Some(format!("{}", 100 + i % 3000)),
        customer: Some(format!("1390{:07}", i % 400_000)),
        text: SAMPLE_TEXTS[i % SAMPLE_TEXTS.len()].to_string(),
        at: start + chrono::Duration::seconds((i as i64) * 30),
    };
    for i in 0..history {
        d.observe(obs(i));
    }
    let mut times = Vec::with_capacity(measured);
    for i in history..history + measured {
        let o = obs(i);
        let s = Instant::now();
        std::hint::black_box(d.observe(o));
        times.push(s.elapsed());
    }
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    GroupBenchResult {
        history,
        measured,
        median_us: us(times[times.len() / 2]),
        p99_us: us(times[(times.len() * 99 / 100).min(times.len() - 1)]),
    }
}
