//! Figures kept as events are written, so that dashboards and reports read
//! a few hundred rows instead of scanning a million complaints.
//!
//! Each event turns into [`StatDelta`]s: counts to add to a daily figure
//! (`received:facilities` on the day received, `breached` on the day of the
//! breach …) or to a current figure (`status:in_progress`). Storage adds them
//! in the event's transaction, so the figures are always those of the
//! history; replaying every event rebuilds them.

use crate::complaint::Complaint;
use crate::deadline::DeadlineState;
use crate::event::{Event, EventKind};
use crate::satisfaction::Verdict;
use crate::status::Status;
use crate::Timestamp;
use chrono::{Datelike, NaiveDate};

/// Where a delta goes: a day's figure, or the figure now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    Day(NaiveDate),
    Now,
}

/// One change to one figure of one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatDelta {
    pub period: Period,
    pub project_id: i64,
    /// `received:{category}`, `received_building:{building}`, `status:{status}`,
    /// `closed`, `invalid`, `met`, `met_late`, `breached`, `callbacks`,
    /// `index_milli` (sum of satisfaction indexes × 1000), `satisfied`,
    /// `content`, `dissatisfied`, `rehandled`, `reopened`, `escalated`; per
    /// month, `sat:{dimension}:{value}:{measure}` (see
    /// [`crate::satisfaction_figures`]), `perf:…` ([`crate::performance`])
    /// and `defect:{component}:{phase}:{measure}` ([`crate::defects`]).
    pub key: String,
    pub delta: i64,
}

fn local_day(t: Timestamp) -> NaiveDate {
    t.with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
}

/// The first day of the month: buildings are counted per month.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn category_key(c: Option<crate::Category>) -> String {
    format!("received:{}", c.map(|c| c.as_str()).unwrap_or("uncategorised"))
}

/// What the figures need of a complaint before an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Before {
    pub status: Status,
    pub category: Option<crate::Category>,
}

impl From<&Complaint> for Before {
    fn from(c: &Complaint) -> Self {
        Before { status: c.status, category: c.category }
    }
}

/// The figures `event` changes; `before` is the complaint before it (none
/// for the first event), `after` the complaint after it.
pub fn deltas(before: Option<Before>, after: &Complaint, event: &Event) -> Vec<StatDelta> {
    let p = after.project.id;
    let day = Period::Day(local_day(event.at));
    let received_day = Period::Day(local_day(after.received_at));
    let mut out = Vec::new();
    let mut add = |period, key: String, delta: i64| out.push(StatDelta { period, project_id: p, key, delta });

    // Current status counts follow every status change.
    let old_status = before.map(|b| b.status);
    if old_status != Some(after.status) {
        if let Some(s) = old_status {
            add(Period::Now, format!("status:{}", s.as_str()), -1);
        }
        add(Period::Now, format!("status:{}", after.status.as_str()), 1);
    }
    // Complaints received, by category, on the day received: a later
    // (re)categorisation moves the count between categories.
    let old_category = before.map(|b| b.category);
    if old_category != Some(after.category) {
        if let Some(c) = old_category {
            add(received_day, category_key(c), -1);
        }
        add(received_day, category_key(after.category), 1);
    }
    if before.is_none() {
        let month = Period::Day(month_of(local_day(after.received_at)));
        add(month, format!("received_building:{}", after.building), 1);
    }
    match &event.kind {
        EventKind::Closed { .. } => add(day, "closed".into(), 1),
        EventKind::Invalidated { .. } => add(day, "invalid".into(), 1),
        EventKind::ResultRejected { .. } => add(day, "reopened".into(), 1),
        EventKind::DeadlineBreached { to, .. } => {
            if to.is_some() {
                add(day, "escalated".into(), 1);
            }
        }
        EventKind::Escalated { .. } => add(day, "escalated".into(), 1),
        EventKind::CallbackRecorded(s) => {
            add(day, "callbacks".into(), 1);
            add(day, "index_milli".into(), (s.index * 1000.0).round() as i64);
            let verdict = match s.verdict() {
                Verdict::Satisfied => "satisfied",
                Verdict::Content => "content",
                Verdict::Dissatisfied => "dissatisfied",
            };
            add(day, verdict.into(), 1);
            if s.rehandle {
                add(day, "rehandled".into(), 1);
            }
            let month = Period::Day(month_of(local_day(event.at)));
            for (key, delta) in crate::satisfaction_figures::callback_deltas(after, s) {
                add(month, key, delta);
            }
        }
        _ => {}
    }
    // Deadlines met (on time or late) and breached, on the day it happened.
    let late = |rule| after.deadlines.iter().any(|d| d.rule == rule && d.closed_at == Some(event.at) && d.breached_at.is_some());
    for rule in &event.deadlines.met {
        add(day, if late(*rule) { "met_late".into() } else { "met".into() }, 1);
    }
    for d in &event.deadlines.opened {
        if d.state == DeadlineState::Met {
            add(day, if d.breached_at.is_some() { "met_late".into() } else { "met".into() }, 1);
        }
    }
    add(day, "breached".into(), event.deadlines.breached.len() as i64);
    // People's and departments' figures, per month (crate::performance).
    let month = Period::Day(month_of(local_day(event.at)));
    for (key, delta) in crate::performance::deltas(after, event) {
        add(month, key, delta);
    }
    // The defect library, in the month the complaint closed (crate::defects).
    if let Some(closed) = after.closed_at {
        let month = Period::Day(month_of(local_day(closed)));
        for (key, delta) in crate::defects::deltas(after, event) {
            add(month, key, delta);
        }
    }
    out.retain(|d| d.delta != 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_starts_on_its_first_day() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(month_of(d), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    }
}
