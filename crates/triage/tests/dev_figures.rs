//! The figures on the development files, when they are present
//! (`../shared/data` beside the workspace root). Fails if a target is missed.

use std::path::PathBuf;
use std::sync::Arc;
use tousu_triage::{GroupConfig, Triage, eval, replay};

fn data_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("../shared/data");
    dir.join("complaints-dev.jsonl").exists().then_some(dir)
}

#[test]
fn eval_on_the_dev_set_meets_the_targets() {
    let Some(dir) = data_dir() else {
        println!("skipped: ../shared/data/complaints-dev.jsonl not found beside the workspace");
        return;
    };
    let content = std::fs::read_to_string(dir.join("complaints-dev.jsonl")).unwrap();
    let records = eval::parse_jsonl(&content).unwrap();
    let report = eval::evaluate(&Triage::new(), &records);
    println!("{}", report.to_text(false));
    let fails = eval::check_targets(&report);
    assert!(fails.is_empty(), "targets missed: {fails:?}");
}

#[test]
fn replay_on_the_dev_stream_meets_the_targets() {
    let Some(dir) = data_dir() else {
        println!("skipped: ../shared/data not found beside the workspace");
        return;
    };
    let path = dir.join("group-stream-dev.jsonl");
    if !path.exists() {
        println!("skipped: {} not found", path.display());
        return;
    }
    let rows = replay::parse_stream(&std::fs::read_to_string(path).unwrap()).unwrap();
    let report = replay::replay(Arc::new(Triage::new()), GroupConfig::default(), &rows);
    let score = replay::score(&rows, &report);
    println!(
        "{}\n{}",
        report.to_text(),
        serde_json::to_string_pretty(&score).unwrap()
    );
    let fails = score.failures();
    assert!(fails.is_empty(), "targets missed: {fails:?}");
}

/// Complaints written for the repository (crates/triage/tests/data), never
/// used to write the rules' wording: a small check that the figures are not
/// an artefact of the development set.
#[test]
fn own_examples_hold_up() {
    let content = include_str!("data/own-examples.jsonl");
    let records = eval::parse_jsonl(content).unwrap();
    let report = eval::evaluate(&Triage::new(), &records);
    println!("{}", report.to_text(true));
    let acc = |l: &str| report.labels[l].accuracy;
    assert!(acc("category") >= 0.8, "category {}", acc("category"));
    assert!(acc("severity") >= 0.75, "severity {}", acc("severity"));
    assert!(acc("psychology") >= 0.7, "psychology {}", acc("psychology"));
    assert!(acc("repeat") >= 0.9, "repeat {}", acc("repeat"));
    assert!(
        acc("expected_compensation") >= 0.9,
        "compensation {}",
        acc("expected_compensation")
    );
    assert_eq!(
        report.labels["emergency"].classes["true"].recall, 1.0,
        "an emergency was missed"
    );
}
