//! What the escalation worker records when deadlines fall due: an at-risk
//! warning, or a breach that raises the complaint one level up the chain
//! (客服中心 → 部门负责人 → 公司主管领导 → 董事领导). An emergency that its
//! department head has not solved in time goes to the company's leaders, and
//! one they have not solved goes to the board.

use super::schedule::{Clock, at_escalation};
use super::{DeadlineChanges, DeadlineRule, EscalationLevel};
use crate::Timestamp;
use crate::complaint::Complaint;
use crate::event::EventKind;
use crate::lifecycle::Decision;

/// The deadlines of `c` that need recording at `now`, as one event; `None`
/// when nothing is due (already recorded, met, paused, or not yet time).
pub fn check(c: &Complaint, clock: &Clock) -> Option<Decision> {
    let now = clock.now;
    let watch = c.open_deadlines().filter(|d| d.paused_at.is_none() && d.breached_at.is_none());
    let (mut breached, mut at_risk) = (Vec::new(), Vec::new());
    for d in watch {
        if d.due_at <= now {
            breached.push(d.rule);
        } else if !d.at_risk && d.at_risk_at.is_some_and(|r| r <= now) {
            at_risk.push(d.rule);
        }
    }
    if breached.is_empty() && at_risk.is_empty() {
        return None;
    }
    let flags = DeadlineChanges { at_risk: at_risk.clone(), ..Default::default() };
    if breached.is_empty() {
        return Some(Decision::with(EventKind::DeadlineAtRisk { rules: at_risk }, flags));
    }
    let from = c.escalation_level;
    let to = escalation_target(from, &breached);
    let mut changes = DeadlineChanges { breached: breached.clone(), ..flags };
    if to > from {
        changes = changes.and(at_escalation(clock, c, to).relevant_to(&c.deadlines));
    }
    Some(Decision::with(
        EventKind::DeadlineBreached { rules: breached, from, to: (to > from).then_some(to) },
        changes,
    ))
}

/// One level up for any missed limit; an unsolved emergency goes straight
/// to the level the rule names.
pub fn escalation_target(from: EscalationLevel, breached: &[DeadlineRule]) -> EscalationLevel {
    let mut to = from.next();
    if breached.contains(&DeadlineRule::EmergencyHead) {
        to = to.max(EscalationLevel::CompanyLeader);
    }
    if breached.contains(&DeadlineRule::EmergencyLeader) {
        to = EscalationLevel::Board;
    }
    to
}

/// The moment the worker must next look at `c`, if any.
pub fn next_check(c: &Complaint) -> Option<Timestamp> {
    c.deadlines.iter().filter_map(|d| d.next_check()).min()
}
