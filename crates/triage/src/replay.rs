//! `tousu triage replay`: feed a timestamped stream (the format of
//! group-stream-dev.jsonl) through the [`GroupDetector`] and report the
//! incidents and repeat links; when the stream carries the ground truth
//! (`cluster`, `repeat_of`), score against it.

use crate::Triage;
use crate::group::{Finding, GroupConfig, GroupDetector, Incident, Observation};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// One line of the stream.
#[derive(Debug, Clone)]
pub struct StreamRow {
    pub observation: Observation,
    pub cluster: Option<String>,
    pub repeat_of: Option<String>,
}

pub fn parse_stream(content: &str) -> Result<Vec<StreamRow>, String> {
    let mut rows = Vec::new();
    for (i, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let ts = s("ts")
            .or_else(|| s("at"))
            .ok_or(format!("line {}: no `ts`", i + 1))?;
        let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&ts)
            .map_err(|e| format!("line {}: ts: {e}", i + 1))?
            .to_utc();
        rows.push(StreamRow {
            observation: Observation {
                id: s("id").unwrap_or_else(|| format!("#{}", i + 1)),
                project: s("project").unwrap_or_default(),
                building: s("building"),
                unit: s("unit"),
                customer: s("customer_phone").or_else(|| s("customer")),
                text: s("text").ok_or(format!("line {}: no `text`", i + 1))?,
                at,
            },
            cluster: s("cluster"),
            repeat_of: s("repeat_of"),
        });
    }
    Ok(rows)
}

#[derive(Debug, Clone, Serialize)]
pub struct RepeatLink {
    pub id: String,
    pub repeat_of: String,
}

#[derive(Debug, Clone)]
pub struct ReplayReport {
    pub incidents: Vec<Incident>,
    pub repeats: Vec<RepeatLink>,
    pub findings: Vec<Finding>,
}

/// Replays the stream in order.
pub fn replay(triage: Arc<Triage>, config: GroupConfig, rows: &[StreamRow]) -> ReplayReport {
    let mut d = GroupDetector::with_triage(config, triage);
    let mut findings = Vec::new();
    let mut repeats = Vec::new();
    for r in rows {
        for f in d.observe(r.observation.clone()) {
            if let Finding::Repeat { id, repeat_of, .. } = &f {
                repeats.push(RepeatLink {
                    id: id.clone(),
                    repeat_of: repeat_of.clone(),
                });
            }
            findings.push(f);
        }
    }
    ReplayReport {
        incidents: d.incidents(),
        repeats,
        findings,
    }
}

impl ReplayReport {
    /// One JSON object per incident and per repeat link.
    pub fn json_lines(&self) -> Vec<Value> {
        let mut out: Vec<Value> = self
            .incidents
            .iter()
            .map(|i| {
                json!({"incident": i.incident, "project": i.project, "members": i.members, "flagged_at": i.flagged_at,
                       "households": i.households, "severity": i.severity, "cause": i.cause})
            })
            .collect();
        out.extend(
            self.repeats
                .iter()
                .map(|r| json!({"id": r.id, "repeat_of": r.repeat_of})),
        );
        out
    }

    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "{} incident(s), {} repeat link(s)\n",
            self.incidents.len(),
            self.repeats.len()
        ));
        for i in &self.incidents {
            s.push_str(&format!(
                "incident {} · {} · cause {} · {} households · {} · flagged at {}\n  members: {}\n",
                i.incident,
                i.project,
                i.cause,
                i.households,
                i.severity.as_str(),
                i.flagged_at.as_deref().unwrap_or("-"),
                i.members.join(" ")
            ));
        }
        for r in &self.repeats {
            s.push_str(&format!("repeat: {} → {}\n", r.id, r.repeat_of));
        }
        s
    }
}

/// How the replay compares with the stream's ground truth.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayScore {
    /// cluster → (incident matched, position of flagged_at among the cluster's members, 1-based)
    pub clusters: BTreeMap<String, Option<usize>>,
    pub false_incidents: usize,
    pub repeats_expected: usize,
    pub repeats_found: usize,
    pub wrong_repeats: usize,
    /// members put in an incident that belong to no cluster or another one
    pub impure_members: usize,
    /// cluster members in no incident of theirs
    pub missed_members: usize,
}

pub fn score(rows: &[StreamRow], report: &ReplayReport) -> ReplayScore {
    let cluster_of: HashMap<&str, &str> = rows
        .iter()
        .filter_map(|r| r.cluster.as_deref().map(|c| (r.observation.id.as_str(), c)))
        .collect();
    let mut members: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in rows {
        if let Some(c) = &r.cluster {
            members.entry(c).or_default().push(&r.observation.id);
        }
    }
    let mut clusters: BTreeMap<String, Option<usize>> =
        members.keys().map(|c| (c.to_string(), None)).collect();
    let mut false_incidents = 0;
    let mut impure = 0;
    let mut covered: HashSet<&str> = HashSet::new();
    for inc in &report.incidents {
        // the cluster most of its members belong to
        let mut count: HashMap<&str, usize> = HashMap::new();
        for m in &inc.members {
            if let Some(c) = cluster_of.get(m.as_str()) {
                *count.entry(c).or_default() += 1;
            }
        }
        let best = count.iter().max_by_key(|(_, n)| **n).map(|(c, n)| (*c, *n));
        match best {
            Some((c, n)) if n * 2 > inc.members.len() => {
                impure += inc.members.len() - n;
                let flagged = inc.flagged_at.as_deref().unwrap_or("");
                let pos = members[c].iter().position(|m| *m == flagged).map(|p| p + 1);
                // a flag on a non-member counts at the position of the members seen so far
                let pos = pos.or_else(|| {
                    let seen = inc
                        .members
                        .iter()
                        .take_while(|m| m.as_str() != flagged)
                        .filter(|m| cluster_of.get(m.as_str()) == Some(&c))
                        .count();
                    Some(seen + 1)
                });
                let entry = clusters.get_mut(c).expect("known cluster");
                match entry {
                    Some(_) => false_incidents += 1, // a second incident for one cluster
                    None => *entry = pos,
                }
                for m in &inc.members {
                    if cluster_of.get(m.as_str()) == Some(&c) {
                        covered.insert(m.as_str());
                    }
                }
            }
            _ => {
                false_incidents += 1;
                impure += inc.members.len();
            }
        }
    }
    let missed = cluster_of
        .keys()
        .filter(|id| !covered.contains(**id))
        .count();
    let expected: HashMap<&str, &str> = rows
        .iter()
        .filter_map(|r| {
            r.repeat_of
                .as_deref()
                .map(|p| (r.observation.id.as_str(), p))
        })
        .collect();
    let mut found = 0;
    let mut wrong = 0;
    for link in &report.repeats {
        match expected.get(link.id.as_str()) {
            Some(p) if *p == link.repeat_of => found += 1,
            _ => wrong += 1,
        }
    }
    ReplayScore {
        clusters,
        false_incidents,
        repeats_expected: expected.len(),
        repeats_found: found,
        wrong_repeats: wrong,
        impure_members: impure,
        missed_members: missed,
    }
}

impl ReplayScore {
    /// The targets: every cluster flagged by its 5th member, at most
    /// one false incident, every repeat linked.
    pub fn failures(&self) -> Vec<String> {
        let mut f = Vec::new();
        for (c, pos) in &self.clusters {
            match pos {
                None => f.push(format!("cluster {c} not flagged")),
                Some(p) if *p > 5 => {
                    f.push(format!("cluster {c} flagged at its member #{p} (> 5)"))
                }
                _ => {}
            }
        }
        if self.false_incidents > 1 {
            f.push(format!("{} false incidents (> 1)", self.false_incidents));
        }
        if self.repeats_found < self.repeats_expected {
            f.push(format!(
                "{} of {} repeats linked",
                self.repeats_found, self.repeats_expected
            ));
        }
        f
    }
}
