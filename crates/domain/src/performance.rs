//! 绩效 — how people and departments handle complaints, per month, for the
//! reward and penalty review (奖惩, issue 7): complaints handled (closed),
//! deadlines met and breached, the time to resolve, results the customer
//! rejected (reopened), escalations caused by a missed limit, and the
//! callbacks' satisfaction.
//!
//! Kept as events are written ([`crate::stats`]), under
//! `perf:{department|person}:{code or staff id}:{measure}` in the month of
//! the event, and credited to whoever holds the complaint when it happens:
//! its department and its handler (the person who accepted it).

use crate::complaint::Complaint;
use crate::event::{Event, EventKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const PREFIX: &str = "perf:";

/// Upper bounds, in hours, of the time-to-resolve buckets; a last bucket
/// holds the rest. The median is reported as the bound of its bucket.
pub const RESOLVE_BUCKETS_HOURS: [u32; 12] = [1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720];

/// Whose figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Who {
    Department,
    Person,
}

impl Who {
    pub fn parse(s: &str) -> Option<Who> {
        match s {
            "department" => Some(Who::Department),
            "person" => Some(Who::Person),
            _ => None,
        }
    }

    pub fn key_prefix(self) -> &'static str {
        match self {
            Who::Department => "perf:department:",
            Who::Person => "perf:person:",
        }
    }
}

fn bucket(hours: f64) -> usize {
    RESOLVE_BUCKETS_HOURS.iter().position(|b| hours <= f64::from(*b)).unwrap_or(RESOLVE_BUCKETS_HOURS.len())
}

/// The counts `event` adds to the figures of the department and the person
/// holding `after` (the complaint after the event).
pub fn deltas(after: &Complaint, event: &Event) -> Vec<(String, i64)> {
    let mut measures: Vec<(String, i64)> = Vec::new();
    match &event.kind {
        EventKind::Closed { .. } => measures.push(("handled".into(), 1)),
        EventKind::ResultRejected { .. } => measures.push(("reopened".into(), 1)),
        EventKind::DeadlineBreached { to: Some(_), .. } => measures.push(("escalations".into(), 1)),
        EventKind::Resolved { .. } => {
            let hours = (event.at - after.received_at).num_seconds() as f64 / 3600.0;
            measures.push(("resolved".into(), 1));
            measures.push((format!("resolve_bucket_{}", bucket(hours)), 1));
        }
        EventKind::CallbackRecorded(s) => {
            measures.push(("callbacks".into(), 1));
            measures.push(("index_milli".into(), (s.index * 1000.0).round() as i64));
            if s.index > 1.0 {
                measures.push(("exceeded".into(), 1));
            }
        }
        _ => {}
    }
    let met = event.deadlines.met.len() as i64
        + event.deadlines.opened.iter().filter(|d| d.state == crate::DeadlineState::Met).count() as i64;
    if met > 0 {
        measures.push(("deadlines_met".into(), met));
    }
    let breached = event.deadlines.breached.len() as i64;
    if breached > 0 {
        measures.push(("deadlines_breached".into(), breached));
    }
    if measures.is_empty() {
        return Vec::new();
    }
    let mut holders = Vec::new();
    if let Some(d) = &after.department {
        holders.push(format!("department:{}", d.code));
    }
    if let Some(h) = &after.handler {
        holders.push(format!("person:{}", h.id));
    }
    holders.iter().flat_map(|h| measures.iter().map(move |(m, v)| (format!("{PREFIX}{h}:{m}"), *v))).collect()
}

/// One department's or person's figures over the months asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceFigure {
    /// The department code, or the staff id.
    pub key: String,
    /// Complaints closed.
    pub handled: u64,
    pub deadlines_met: u64,
    pub deadlines_breached: u64,
    /// met ÷ (met + breached), 0–1; none without deadlines.
    pub deadlines_met_share: Option<f64>,
    pub resolved: u64,
    /// The median time from receipt to resolution, as the upper bound (in
    /// hours) of its bucket; none above the last bound or without any.
    pub median_hours_to_resolve: Option<u32>,
    /// Results the customer rejected, and their share of those resolved.
    pub reopened: u64,
    pub reopened_share: Option<f64>,
    /// Escalations caused by a breached limit.
    pub escalations: u64,
    pub callbacks: u64,
    pub mean_index: Option<f64>,
    /// Callbacks above expectation (index > 1): the praise the callbacks carry.
    pub exceeded: u64,
}

#[derive(Default)]
struct Sums {
    counts: std::collections::BTreeMap<String, i64>,
}

impl Sums {
    fn get(&self, k: &str) -> u64 {
        u64::try_from(*self.counts.get(k).unwrap_or(&0)).unwrap_or(0)
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Folds stored rows `(month, project, key, value)` of `who.key_prefix()`
/// into one figure per department or person, by key.
pub fn aggregate(who: Who, rows: &[(NaiveDate, i64, String, i64)]) -> Vec<PerformanceFigure> {
    let mut sums: std::collections::BTreeMap<String, Sums> = std::collections::BTreeMap::new();
    for (_, _, key, value) in rows {
        let Some(rest) = key.strip_prefix(who.key_prefix()) else { continue };
        let Some((holder, measure)) = rest.rsplit_once(':') else { continue };
        *sums.entry(holder.to_string()).or_default().counts.entry(measure.to_string()).or_default() += value;
    }
    sums.into_iter()
        .map(|(key, s)| {
            let (met, breached, resolved, reopened, callbacks) = (
                s.get("deadlines_met"),
                s.get("deadlines_breached"),
                s.get("resolved"),
                s.get("reopened"),
                s.get("callbacks"),
            );
            let share = |a: u64, b: u64| (b > 0).then(|| round3(a as f64 / b as f64));
            let buckets: Vec<u64> =
                (0..=RESOLVE_BUCKETS_HOURS.len()).map(|b| s.get(&format!("resolve_bucket_{b}"))).collect();
            let in_buckets: u64 = buckets.iter().sum();
            let median_hours_to_resolve = (in_buckets > 0)
                .then(|| {
                    let half = in_buckets.div_ceil(2);
                    let mut seen = 0;
                    buckets.iter().position(|n| {
                        seen += n;
                        seen >= half
                    })
                })
                .flatten()
                .and_then(|b| RESOLVE_BUCKETS_HOURS.get(b).copied());
            PerformanceFigure {
                key,
                handled: s.get("handled"),
                deadlines_met: met,
                deadlines_breached: breached,
                deadlines_met_share: share(met, met + breached),
                resolved,
                median_hours_to_resolve,
                reopened,
                reopened_share: share(reopened, resolved),
                escalations: s.get("escalations"),
                callbacks,
                mean_index: (callbacks > 0).then(|| {
                    round3(s.counts.get("index_milli").copied().unwrap_or(0) as f64 / 1000.0 / callbacks as f64)
                }),
                exceeded: s.get("exceeded"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn the_median_time_to_resolve_is_the_bound_of_the_middle_bucket_and_shares_need_a_base() {
        let row = |k: &str, v: i64| (d("2026-11-01"), 1, format!("perf:person:7:{k}"), v);
        // Resolved in ≤2 h, ≤24 h (twice) and ≤72 h: the median is in ≤24 h.
        let rows = vec![
            row("resolved", 4),
            row("resolve_bucket_1", 1),
            row("resolve_bucket_5", 2),
            row("resolve_bucket_7", 1),
            row("reopened", 1),
            row("deadlines_met", 3),
            row("deadlines_breached", 1),
            row("callbacks", 2),
            row("index_milli", 2250),
            (d("2026-11-01"), 1, "perf:department:engineering:handled".into(), 9),
        ];
        let people = aggregate(Who::Person, &rows);
        assert_eq!(people.len(), 1);
        let p = &people[0];
        assert_eq!(p.key, "7");
        assert_eq!(p.median_hours_to_resolve, Some(24));
        assert_eq!((p.reopened_share, p.deadlines_met_share, p.mean_index), (Some(0.25), Some(0.75), Some(1.125)));
        let departments = aggregate(Who::Department, &rows);
        assert_eq!((departments[0].handled, departments[0].deadlines_met_share), (9, None));
        assert_eq!(departments[0].median_hours_to_resolve, None);
    }

    #[test]
    fn a_resolution_falls_in_the_first_bucket_its_time_fits() {
        assert_eq!(bucket(0.5), 0);
        assert_eq!(bucket(1.0), 0);
        assert_eq!(bucket(23.9), 5);
        assert_eq!(bucket(10_000.0), RESOLVE_BUCKETS_HOURS.len());
    }
}
