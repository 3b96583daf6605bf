//! Deadlines (时限): what a complaint owes, to whom, by when.
//!
//! A deadline is opened, met, flagged at risk, breached, extended, paused,
//! resumed or cancelled only by an event: the event carries the
//! [`DeadlineChanges`] computed when it was decided, so replaying history
//! gives the same deadlines even after the company changes its limits.
//! At most one deadline per rule is open at a time.

pub mod check;
pub mod policy;
pub mod schedule;
pub mod stream;

pub use policy::{Commitment, Limits, Span, TimePolicy, WeekendsOnly, WorkingDays};

use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A named time-limit rule (DOMAIN.md "Time limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeadlineRule {
    /// 派单: dispatch to the responsible department within 12 h of receipt.
    Dispatch,
    /// 紧急通知: emergencies — departments notified within 3 min of receipt.
    NotifyDepartments,
    /// 延期告知: within 2 h of dispatch the department accepts, or says it
    /// cannot finish on time (reason, new time).
    DelayNotice,
    /// 完成报告: the department reports completion within 2 h of finishing.
    CompletionReport,
    /// 告知首问: the service centre tells the first responder within 2 h.
    FirstResponderUpdate,
    /// 答复: 3 days for one department, 7 working days for several or leaders;
    /// or the company's commitment for the service type. What the owner is told.
    Answer,
    /// 回访: within 2 working days of closure.
    Callback,
    /// 回访上限: never later than 7 days after closure.
    CallbackLatest,
    /// 紧急升级: a department head who cannot solve an emergency escalates
    /// to the company's leaders within 5 min.
    EmergencyHead,
    /// 紧急升级: a company leader who cannot solve it escalates to the board within 10 min.
    EmergencyLeader,
    /// 书面报告: written report within 24 h of escalation to the company's leaders.
    WrittenReportLeader,
    /// 书面报告: written report within 48 h of escalation to the board.
    WrittenReportBoard,
    /// 核实: after handling an emergency, verification within 8 h.
    Verification,
}

impl DeadlineRule {
    pub const ALL: [DeadlineRule; 13] = [
        DeadlineRule::Dispatch,
        DeadlineRule::NotifyDepartments,
        DeadlineRule::DelayNotice,
        DeadlineRule::CompletionReport,
        DeadlineRule::FirstResponderUpdate,
        DeadlineRule::Answer,
        DeadlineRule::Callback,
        DeadlineRule::CallbackLatest,
        DeadlineRule::EmergencyHead,
        DeadlineRule::EmergencyLeader,
        DeadlineRule::WrittenReportLeader,
        DeadlineRule::WrittenReportBoard,
        DeadlineRule::Verification,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineRule::Dispatch => "dispatch",
            DeadlineRule::NotifyDepartments => "notify_departments",
            DeadlineRule::DelayNotice => "delay_notice",
            DeadlineRule::CompletionReport => "completion_report",
            DeadlineRule::FirstResponderUpdate => "first_responder_update",
            DeadlineRule::Answer => "answer",
            DeadlineRule::Callback => "callback",
            DeadlineRule::CallbackLatest => "callback_latest",
            DeadlineRule::EmergencyHead => "emergency_head",
            DeadlineRule::EmergencyLeader => "emergency_leader",
            DeadlineRule::WrittenReportLeader => "written_report_leader",
            DeadlineRule::WrittenReportBoard => "written_report_board",
            DeadlineRule::Verification => "verification",
        }
    }

    pub fn parse(s: &str) -> Option<DeadlineRule> {
        DeadlineRule::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DeadlineRule::Dispatch => "派单时限",
            DeadlineRule::NotifyDepartments => "紧急通知时限",
            DeadlineRule::DelayNotice => "接单/延期告知时限",
            DeadlineRule::CompletionReport => "完成报告时限",
            DeadlineRule::FirstResponderUpdate => "告知首问责任人时限",
            DeadlineRule::Answer => "答复时限",
            DeadlineRule::Callback => "回访时限",
            DeadlineRule::CallbackLatest => "回访最迟时限",
            DeadlineRule::EmergencyHead => "部门负责人处置时限",
            DeadlineRule::EmergencyLeader => "公司领导处置时限",
            DeadlineRule::WrittenReportLeader => "书面报告时限（公司领导）",
            DeadlineRule::WrittenReportBoard => "书面报告时限（董事领导）",
            DeadlineRule::Verification => "处置后核实时限",
        }
    }

    /// Whether waiting on the customer may pause this rule's clock: only the
    /// obligations whose progress depends on the customer (the answer, the
    /// callback), never those owed inside the company.
    pub fn pausable(self) -> bool {
        matches!(self, DeadlineRule::Answer | DeadlineRule::Callback | DeadlineRule::CallbackLatest)
    }
}

/// The escalation chain (客服中心 → 部门负责人 → 公司主管领导 → 董事领导).
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

impl EscalationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            EscalationLevel::ServiceCentre => "service_centre",
            EscalationLevel::DepartmentHead => "department_head",
            EscalationLevel::CompanyLeader => "company_leader",
            EscalationLevel::Board => "board",
        }
    }

    pub fn parse(s: &str) -> Option<EscalationLevel> {
        [Self::ServiceCentre, Self::DepartmentHead, Self::CompanyLeader, Self::Board]
            .into_iter()
            .find(|l| l.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            EscalationLevel::ServiceCentre => "客服中心",
            EscalationLevel::DepartmentHead => "部门负责人",
            EscalationLevel::CompanyLeader => "公司主管领导",
            EscalationLevel::Board => "董事领导",
        }
    }

    /// One level up; the board is the top.
    pub fn next(self) -> EscalationLevel {
        match self {
            EscalationLevel::ServiceCentre => EscalationLevel::DepartmentHead,
            EscalationLevel::DepartmentHead => EscalationLevel::CompanyLeader,
            EscalationLevel::CompanyLeader | EscalationLevel::Board => EscalationLevel::Board,
        }
    }
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

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::Open => "open",
            DeadlineState::Met => "met",
            DeadlineState::Cancelled => "cancelled",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One obligation with a due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub rule: DeadlineRule,
    pub due_at: chrono::DateTime<chrono::Utc>,
    /// The escalation level the complaint was at when the deadline opened.
    pub level: EscalationLevel,
    pub state: DeadlineState,
    /// When it was met or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When it becomes at risk (a warning before the breach).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The at-risk warning was given.
    #[serde(default, skip_serializing_if = "is_false")]
    pub at_risk: bool,
    /// When the breach was recorded; a breached deadline stays owed until met ("met late").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breached_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Set while the clock is paused (waiting on the customer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Approved extensions.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub extensions: u32,
    /// This is the time the owner was told (the committed answer time).
    #[serde(default, skip_serializing_if = "is_false")]
    pub committed: bool,
}

impl Deadline {
    pub fn open(rule: DeadlineRule, due_at: Timestamp, level: EscalationLevel) -> Deadline {
        Deadline {
            rule,
            due_at,
            level,
            state: DeadlineState::Open,
            closed_at: None,
            at_risk_at: None,
            at_risk: false,
            breached_at: None,
            paused_at: None,
            extensions: 0,
            committed: false,
        }
    }

    /// When the worker must look at this deadline next: its at-risk moment,
    /// then its due time; never once breached, closed or while paused.
    pub fn next_check(&self) -> Option<Timestamp> {
        if self.state != DeadlineState::Open || self.paused_at.is_some() || self.breached_at.is_some() {
            return None;
        }
        match self.at_risk_at {
            Some(r) if !self.at_risk && r < self.due_at => Some(r),
            _ => Some(self.due_at),
        }
    }

    /// Met after its breach.
    pub fn met_late(&self) -> bool {
        self.state == DeadlineState::Met && self.breached_at.is_some()
    }
}

/// An approved extension: the rule's new due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extended {
    pub rule: DeadlineRule,
    pub due_at: Timestamp,
    /// When the new time is at risk, counted from the approval (absent in
    /// events written before it was kept: those were never warned again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_at: Option<Timestamp>,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_risk: Vec<DeadlineRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breached: Vec<DeadlineRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extended: Vec<Extended>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paused: Vec<DeadlineRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<DeadlineRule>,
}

impl DeadlineChanges {
    pub fn none() -> Self {
        Self::default()
    }
    pub fn opened(opened: Vec<Deadline>) -> Self {
        DeadlineChanges { opened, ..Self::default() }
    }
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
    pub fn meet(mut self, rule: DeadlineRule) -> Self {
        self.met.push(rule);
        self
    }
    pub fn cancel(mut self, rule: DeadlineRule) -> Self {
        self.cancelled.push(rule);
        self
    }
    pub fn open(mut self, deadline: Deadline) -> Self {
        self.opened.push(deadline);
        self
    }
    /// Adds `other`'s changes after these.
    pub fn and(mut self, other: DeadlineChanges) -> Self {
        self.opened.extend(other.opened);
        self.met.extend(other.met);
        self.cancelled.extend(other.cancelled);
        self.at_risk.extend(other.at_risk);
        self.breached.extend(other.breached);
        self.extended.extend(other.extended);
        self.paused.extend(other.paused);
        self.resumed.extend(other.resumed);
        self
    }
    /// Drops changes to rules that are not open in `deadlines` (meeting a
    /// rule that was never opened is a no-op, and recording it would only
    /// clutter the history).
    pub fn relevant_to(mut self, deadlines: &[Deadline]) -> Self {
        let open = |r: &DeadlineRule| deadlines.iter().any(|d| d.rule == *r && d.state == DeadlineState::Open);
        self.met.retain(open);
        // A rule met by this event is not also cancelled by it (escalating an
        // emergency in time meets the head's minutes, and the escalation's
        // own changes would cancel them): the deadline was kept, and its
        // stream must say so once.
        let met = self.met.clone();
        self.cancelled.retain(|r| open(r) && !met.contains(r));
        self.at_risk.retain(open);
        self.breached.retain(open);
        self.extended.retain(|e| open(&e.rule));
        self.paused.retain(open);
        self.resumed.retain(open);
        self
    }
}

/// Applies `changes`, made at `at`, to a complaint's deadlines. Changes to
/// a rule touch only its open entry; opening a rule adds an entry (a rule
/// opened again, say an answer owed anew after a rejected result, keeps the
/// old entry as history).
pub fn apply_changes(deadlines: &mut Vec<Deadline>, changes: &DeadlineChanges, at: Timestamp) {
    for d in deadlines.iter_mut().filter(|d| d.state == DeadlineState::Open) {
        if changes.at_risk.contains(&d.rule) {
            d.at_risk = true;
        }
        if changes.breached.contains(&d.rule) {
            d.breached_at = Some(at);
        }
        if let Some(e) = changes.extended.iter().find(|e| e.rule == d.rule) {
            d.due_at = e.due_at;
            d.extensions += 1;
            d.at_risk = false;
            d.at_risk_at = e.at_risk_at;
            d.breached_at = None;
        }
        if changes.paused.contains(&d.rule) && d.paused_at.is_none() {
            d.paused_at = Some(at);
        }
        if changes.resumed.contains(&d.rule) {
            if let Some(p) = d.paused_at.take() {
                let waited = at - p;
                d.due_at += waited;
                d.at_risk_at = d.at_risk_at.map(|r| r + waited);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(h: i64) -> Timestamp {
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    #[test]
    fn meeting_a_rule_records_when_and_leaves_others_open() {
        let mut d = vec![Deadline::open(DeadlineRule::Dispatch, t(12), EscalationLevel::ServiceCentre)];
        d.push(Deadline::open(DeadlineRule::Answer, t(72), EscalationLevel::ServiceCentre));
        apply_changes(&mut d, &DeadlineChanges::none().meet(DeadlineRule::Dispatch), t(2));
        assert_eq!(d[0].state, DeadlineState::Met);
        assert_eq!(d[0].closed_at, Some(t(2)));
        assert_eq!(d[1].state, DeadlineState::Open);
    }

    #[test]
    fn a_breached_deadline_stays_owed_and_is_met_late() {
        let mut d = vec![Deadline::open(DeadlineRule::Dispatch, t(12), EscalationLevel::ServiceCentre)];
        apply_changes(&mut d, &DeadlineChanges { breached: vec![DeadlineRule::Dispatch], ..Default::default() }, t(12));
        assert_eq!(d[0].state, DeadlineState::Open);
        assert_eq!(d[0].next_check(), None, "a breach fires once");
        apply_changes(&mut d, &DeadlineChanges::none().meet(DeadlineRule::Dispatch), t(14));
        assert!(d[0].met_late());
    }

    #[test]
    fn a_paused_clock_moves_the_due_time_by_the_pause() {
        let mut d = vec![Deadline::open(DeadlineRule::Answer, t(72), EscalationLevel::ServiceCentre)];
        apply_changes(&mut d, &DeadlineChanges { paused: vec![DeadlineRule::Answer], ..Default::default() }, t(10));
        assert_eq!(d[0].next_check(), None, "paused deadlines do not fire");
        apply_changes(&mut d, &DeadlineChanges { resumed: vec![DeadlineRule::Answer], ..Default::default() }, t(34));
        assert_eq!(d[0].due_at, t(96));
        assert_eq!(d[0].next_check(), Some(t(96)));
    }

    #[test]
    fn the_at_risk_warning_comes_before_the_due_time_and_only_once() {
        let mut d = Deadline::open(DeadlineRule::Answer, t(100), EscalationLevel::ServiceCentre);
        d.at_risk_at = Some(t(80));
        assert_eq!(d.next_check(), Some(t(80)));
        d.at_risk = true;
        assert_eq!(d.next_check(), Some(t(100)));
    }

    #[test]
    fn levels_climb_to_the_board_and_stop() {
        let mut l = EscalationLevel::ServiceCentre;
        for expected in [EscalationLevel::DepartmentHead, EscalationLevel::CompanyLeader, EscalationLevel::Board, EscalationLevel::Board] {
            l = l.next();
            assert_eq!(l, expected);
        }
    }
}
