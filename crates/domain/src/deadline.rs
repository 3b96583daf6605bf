//! Time limits (时限) of DOMAIN.md and the deadlines they put on a complaint.
//!
//! A deadline is opened, met or cancelled only by an event: the event carries
//! the [`DeadlineChanges`] computed when it was decided, so replaying history
//! gives the same deadlines even after the company changes its limits.

use crate::Timestamp;
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// A named time-limit rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeadlineRule {
    /// 派单: dispatch to the responsible department within 12 h of receipt.
    Dispatch,
    /// 紧急通知: emergencies — departments notified within 3 min of receipt.
    NotifyDepartments,
    /// 答复: answer within 3 days (one department).
    Answer,
    /// 回访: callback after closure, never later than 7 days.
    Callback,
}

impl DeadlineRule {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineRule::Dispatch => "dispatch",
            DeadlineRule::NotifyDepartments => "notify_departments",
            DeadlineRule::Answer => "answer",
            DeadlineRule::Callback => "callback",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DeadlineRule::Dispatch => "派单时限",
            DeadlineRule::NotifyDepartments => "紧急通知时限",
            DeadlineRule::Answer => "答复时限",
            DeadlineRule::Callback => "回访时限",
        }
    }
}

/// The escalation chain (客服中心 → 部门负责人 → 公司主管领导 → 董事领导).
/// A deadline names the level that answers for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EscalationLevel {
    #[default]
    ServiceCentre,
    DepartmentHead,
    CompanyLeader,
    Board,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    Open,
    Met,
    /// No longer owed (the complaint was found invalid, or the obligation lapsed).
    Cancelled,
}

impl EscalationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationLevel::ServiceCentre => "service_centre",
            EscalationLevel::DepartmentHead => "department_head",
            EscalationLevel::CompanyLeader => "company_leader",
            EscalationLevel::Board => "board",
        }
    }
}

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::Open => "open",
            DeadlineState::Met => "met",
            DeadlineState::Cancelled => "cancelled",
        }
    }
}

/// One obligation with a due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub rule: DeadlineRule,
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub level: EscalationLevel,
    pub state: DeadlineState,
    /// When it was met or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Deadline {
    pub fn open(rule: DeadlineRule, due_at: Timestamp, level: EscalationLevel) -> Deadline {
        Deadline { rule, due_at, level, state: DeadlineState::Open, closed_at: None }
    }
}

/// What one event does to the deadlines.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeadlineChanges {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opened: Vec<Deadline>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub met: Vec<DeadlineRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancelled: Vec<DeadlineRule>,
}

impl DeadlineChanges {
    pub fn none() -> Self {
        Self::default()
    }
    pub fn opened(opened: Vec<Deadline>) -> Self {
        DeadlineChanges { opened, ..Self::default() }
    }
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty() && self.met.is_empty() && self.cancelled.is_empty()
    }
    pub fn meet(mut self, rule: DeadlineRule) -> Self {
        self.met.push(rule);
        self
    }
    pub fn open(mut self, deadline: Deadline) -> Self {
        self.opened.push(deadline);
        self
    }
}

/// Applies `changes`, made at `at`, to a complaint's deadlines. Meeting or
/// cancelling a rule touches only its open entry; opening a rule again (an
/// answer owed anew after a rejected result) adds a fresh entry and keeps
/// the old one as history.
pub fn apply_changes(deadlines: &mut Vec<Deadline>, changes: &DeadlineChanges, at: Timestamp) {
    for d in deadlines.iter_mut().filter(|d| d.state == DeadlineState::Open) {
        if changes.met.contains(&d.rule) {
            d.state = DeadlineState::Met;
            d.closed_at = Some(at);
        } else if changes.cancelled.contains(&d.rule) {
            d.state = DeadlineState::Cancelled;
            d.closed_at = Some(at);
        }
    }
    deadlines.extend(changes.opened.iter().cloned());
}

/// The company's time limits (DOMAIN.md "Time limits"), defaults per 002/003.
/// Limits counted in working days come with the working-day calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimits {
    /// Dispatch to the responsible department: 12 h.
    pub dispatch_minutes: i64,
    /// Emergencies: departments notified within 3 min.
    pub emergency_notify_minutes: i64,
    /// Answer for matters of one department: 3 days.
    pub answer_minutes: i64,
    /// Callback never later than 7 days after closure.
    pub callback_latest_minutes: i64,
}

impl Default for TimeLimits {
    fn default() -> Self {
        TimeLimits {
            dispatch_minutes: 12 * 60,
            emergency_notify_minutes: 3,
            answer_minutes: 3 * 24 * 60,
            callback_latest_minutes: 7 * 24 * 60,
        }
    }
}

impl TimeLimits {
    /// Deadlines that start when a complaint is received.
    pub fn at_receipt(&self, now: Timestamp, emergency: bool) -> Vec<Deadline> {
        let first = if emergency {
            Deadline::open(
                DeadlineRule::NotifyDepartments,
                now + Duration::minutes(self.emergency_notify_minutes),
                EscalationLevel::ServiceCentre,
            )
        } else {
            Deadline::open(
                DeadlineRule::Dispatch,
                now + Duration::minutes(self.dispatch_minutes),
                EscalationLevel::ServiceCentre,
            )
        };
        vec![first, self.answer(now)]
    }

    /// The answer owed to the customer, from `now`.
    pub fn answer(&self, now: Timestamp) -> Deadline {
        Deadline::open(DeadlineRule::Answer, now + Duration::minutes(self.answer_minutes), EscalationLevel::DepartmentHead)
    }

    /// The callback owed after closure.
    pub fn callback(&self, closed_at: Timestamp) -> Deadline {
        Deadline::open(
            DeadlineRule::Callback,
            closed_at + Duration::minutes(self.callback_latest_minutes),
            EscalationLevel::ServiceCentre,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap()
    }

    #[test]
    fn an_ordinary_complaint_must_be_dispatched_within_12_hours_and_answered_within_3_days() {
        let d = TimeLimits::default().at_receipt(t(1), false);
        assert_eq!(d[0].rule, DeadlineRule::Dispatch);
        assert_eq!(d[0].due_at, t(13));
        assert_eq!(d[1].rule, DeadlineRule::Answer);
        assert_eq!(d[1].due_at, t(1) + Duration::days(3));
    }

    #[test]
    fn an_emergency_must_reach_the_departments_within_3_minutes() {
        let d = TimeLimits::default().at_receipt(t(1), true);
        assert_eq!(d[0].rule, DeadlineRule::NotifyDepartments);
        assert_eq!(d[0].due_at, t(1) + Duration::minutes(3));
    }

    #[test]
    fn meeting_a_rule_records_when_and_leaves_others_open() {
        let mut d = TimeLimits::default().at_receipt(t(1), false);
        apply_changes(&mut d, &DeadlineChanges::none().meet(DeadlineRule::Dispatch), t(2));
        assert_eq!(d[0].state, DeadlineState::Met);
        assert_eq!(d[0].closed_at, Some(t(2)));
        assert_eq!(d[1].state, DeadlineState::Open);
    }
}
