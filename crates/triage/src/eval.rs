//! `tousu triage eval`: run triage over a labelled JSONL file (the format of
//! complaints-dev.jsonl) and report per-label accuracy, per-class precision
//! and recall, and the confusion matrices.

use crate::{Assessment, Triage};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The labels evaluated, by the field names of the data file.
pub const LABELS: &[&str] = &[
    "category",
    "service_aspect",
    "severity",
    "emergency",
    "psychology",
    "repeat",
    "touchpoint",
    "stage",
    "building",
    "unit",
    "expected_compensation",
];

/// One labelled complaint.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub text: String,
    pub gold: Map<String, Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("line {line}: {msg}")]
    Line { line: usize, msg: String },
}

/// Parses JSON Lines; blank lines are skipped.
pub fn parse_jsonl(content: &str) -> Result<Vec<Record>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| EvalError::Line {
            line: i + 1,
            msg: e.to_string(),
        })?;
        let Value::Object(map) = v else {
            return Err(EvalError::Line {
                line: i + 1,
                msg: "not a JSON object".into(),
            });
        };
        let text = map
            .get("text")
            .and_then(Value::as_str)
            .ok_or(EvalError::Line {
                line: i + 1,
                msg: "no `text`".into(),
            })?;
        let id = map
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        out.push(Record {
            id,
            text: text.to_string(),
            gold: map.clone(),
        });
    }
    Ok(out)
}

fn value_str(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The predicted value of one label, as the data file writes it.
pub fn predicted(a: &Assessment, label: &str) -> String {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "null".into());
    match label {
        "category" => a.category.value.as_str().into(),
        "service_aspect" => a
            .service_aspect
            .value
            .map(|x| x.as_str().to_string())
            .unwrap_or_else(|| "null".into()),
        "severity" => a.severity.value.as_str().into(),
        "emergency" => a.emergency.value.to_string(),
        "psychology" => a.psychology.value.as_str().into(),
        "repeat" => a.repeat.value.to_string(),
        "touchpoint" => a.touchpoint.value.as_str().into(),
        "stage" => a.stage.value.as_str().into(),
        "building" => opt(&a.building.value),
        "unit" => opt(&a.unit.value),
        "expected_compensation" => a.expected_compensation.value.to_string(),
        _ => "null".into(),
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ClassReport {
    pub precision: f64,
    pub recall: f64,
    pub support: usize,
    pub predicted: usize,
}

#[derive(Debug, Clone, Default)]
pub struct LabelReport {
    pub accuracy: f64,
    pub n: usize,
    pub classes: BTreeMap<String, ClassReport>,
    /// gold → predicted → count
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// (id, gold, predicted) of the misses
    pub misses: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub n: usize,
    pub labels: BTreeMap<String, LabelReport>,
}

/// Classifies every record and compares with its labels (those present).
pub fn evaluate(triage: &Triage, records: &[Record]) -> EvalReport {
    let assessments: Vec<Assessment> = records.iter().map(|r| triage.classify(&r.text)).collect();
    let mut report = EvalReport {
        n: records.len(),
        labels: BTreeMap::new(),
    };
    for label in LABELS {
        let mut lr = LabelReport::default();
        let mut correct = 0usize;
        for (r, a) in records.iter().zip(&assessments) {
            if !r.gold.contains_key(*label) {
                continue;
            }
            let g = value_str(r.gold.get(*label));
            let p = predicted(a, label);
            lr.n += 1;
            if g == p {
                correct += 1;
            } else {
                lr.misses.push((r.id.clone(), g.clone(), p.clone()));
            }
            *lr.confusion
                .entry(g.clone())
                .or_default()
                .entry(p.clone())
                .or_default() += 1;
            lr.classes.entry(g).or_default().support += 1;
            lr.classes.entry(p).or_default().predicted += 1;
        }
        if lr.n == 0 {
            continue;
        }
        lr.accuracy = correct as f64 / lr.n as f64;
        let conf = lr.confusion.clone();
        for (class, c) in lr.classes.iter_mut() {
            let tp = conf
                .get(class)
                .and_then(|m| m.get(class))
                .copied()
                .unwrap_or(0);
            c.precision = if c.predicted == 0 {
                0.0
            } else {
                tp as f64 / c.predicted as f64
            };
            c.recall = if c.support == 0 {
                0.0
            } else {
                tp as f64 / c.support as f64
            };
        }
        report.labels.insert(label.to_string(), lr);
    }
    report
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl EvalReport {
    /// One object keyed by label: `accuracy` and, per class, `precision`,
    /// `recall` (and `support`, the number of gold items).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for label in LABELS {
            let Some(lr) = self.labels.get(*label) else {
                continue;
            };
            let mut m = Map::new();
            m.insert("accuracy".into(), json!(round4(lr.accuracy)));
            for (class, c) in &lr.classes {
                m.insert(
                    class.clone(),
                    json!({"precision": round4(c.precision), "recall": round4(c.recall), "support": c.support}),
                );
            }
            out.insert(label.to_string(), Value::Object(m));
        }
        Value::Object(out)
    }

    /// The human-readable report.
    pub fn to_text(&self, show_misses: bool) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "triage eval: {} complaints", self.n);
        for label in LABELS {
            let Some(lr) = self.labels.get(*label) else {
                continue;
            };
            let _ = writeln!(
                s,
                "\n== {label}: accuracy {:.1}% ({} items)",
                lr.accuracy * 100.0,
                lr.n
            );
            let _ = writeln!(
                s,
                "   {:<20} {:>9} {:>7} {:>8} {:>9}",
                "class", "precision", "recall", "support", "predicted"
            );
            for (class, c) in &lr.classes {
                let _ = writeln!(
                    s,
                    "   {:<20} {:>8.1}% {:>6.1}% {:>8} {:>9}",
                    class,
                    c.precision * 100.0,
                    c.recall * 100.0,
                    c.support,
                    c.predicted
                );
            }
            if lr.classes.len() <= 16 {
                let classes: Vec<&String> = lr.classes.keys().collect();
                let _ = writeln!(s, "   confusion (rows gold, columns predicted):");
                let short = |c: &str| c.chars().take(8).collect::<String>();
                let _ = write!(s, "   {:<20}", "");
                for c in &classes {
                    let _ = write!(s, " {:>8}", short(c));
                }
                let _ = writeln!(s);
                for g in &classes {
                    let _ = write!(s, "   {:<20}", g);
                    for p in &classes {
                        let n = lr
                            .confusion
                            .get(*g)
                            .and_then(|m| m.get(*p))
                            .copied()
                            .unwrap_or(0);
                        let _ = write!(s, " {:>8}", n);
                    }
                    let _ = writeln!(s);
                }
            }
            if show_misses && !lr.misses.is_empty() {
                let _ = writeln!(s, "   misses (id gold→predicted):");
                for (id, g, p) in &lr.misses {
                    let _ = writeln!(s, "     {id} {g} → {p}");
                }
            }
        }
        s
    }
}

/// The dev targets; answers the failures (empty when all are met).
pub fn check_targets(r: &EvalReport) -> Vec<String> {
    let mut fails = Vec::new();
    let acc = |l: &str| r.labels.get(l).map(|x| x.accuracy).unwrap_or(0.0);
    let class = |l: &str, c: &str| {
        r.labels
            .get(l)
            .and_then(|x| x.classes.get(c))
            .cloned()
            .unwrap_or_default()
    };
    let mut want = |ok: bool, what: String| {
        if !ok {
            fails.push(what);
        }
    };
    want(
        acc("category") >= 0.90,
        format!("category accuracy {:.3} < 0.90", acc("category")),
    );
    let em = class("emergency", "true");
    want(
        em.recall >= 1.0,
        format!("emergency recall {:.3} < 1.0", em.recall),
    );
    want(
        em.precision >= 0.90,
        format!("emergency precision {:.3} < 0.90", em.precision),
    );
    want(
        acc("severity") >= 0.85,
        format!("severity accuracy {:.3} < 0.85", acc("severity")),
    );
    want(
        acc("psychology") >= 0.75,
        format!("psychology accuracy {:.3} < 0.75", acc("psychology")),
    );
    want(
        acc("repeat") >= 0.90,
        format!("repeat accuracy {:.3} < 0.90", acc("repeat")),
    );
    want(
        acc("expected_compensation") >= 0.90,
        format!(
            "expected_compensation accuracy {:.3} < 0.90",
            acc("expected_compensation")
        ),
    );
    fails
}
