//! When deadlines open and close: the schedule of DOMAIN.md's time limits
//! along the lifecycle. [`crate::lifecycle::decide`] asks these functions
//! for the changes an action makes.

use super::{Deadline, DeadlineChanges, DeadlineRule, DeadlineState, EscalationLevel, Span, TimePolicy, WorkingDays};
use crate::Timestamp;
use crate::complaint::Complaint;

/// Time as the rules need it: now, the policy and the working-day calendar.
pub struct Clock<'a> {
    pub now: Timestamp,
    pub policy: &'a TimePolicy,
    pub days: &'a dyn WorkingDays,
}

impl Clock<'_> {
    /// A deadline of `span` from `start`, with its at-risk moment.
    pub fn deadline_from(&self, start: Timestamp, rule: DeadlineRule, span: Span, level: EscalationLevel) -> Deadline {
        let due = span.after(start, self.days);
        let mut d = Deadline::open(rule, due, level);
        d.at_risk_at = self.at_risk_moment(start, due);
        d
    }

    /// When a deadline running from `start` to `due` is at risk: once the
    /// policy's share of the time (80% by default) has passed.
    pub fn at_risk_moment(&self, start: Timestamp, due: Timestamp) -> Option<Timestamp> {
        let pct = i64::from(self.policy.limits.at_risk_percent.min(100));
        ((1..100).contains(&pct) && due > start).then(|| {
            // Whole milliseconds, as storage keeps them, so that the worker
            // and the stored state agree on the instant.
            let at = start + (due - start) * (pct as i32) / 100;
            chrono::SubsecRound::trunc_subsecs(at, 3)
        })
    }

    /// A deadline of `span` from now.
    pub fn deadline(&self, rule: DeadlineRule, span: Span, level: EscalationLevel) -> Deadline {
        self.deadline_from(self.now, rule, span, level)
    }

    /// The answer owed to the customer, counted from `start`: the commitment
    /// for the service type, else one department's or several's limit.
    pub fn answer_from(&self, start: Timestamp, service: Option<&str>, multi: bool, level: EscalationLevel) -> Deadline {
        let mut d = self.deadline_from(start, DeadlineRule::Answer, self.policy.answer_span(service, multi), level);
        d.committed = true;
        d
    }
}

/// Step 1: what is owed from receipt. An emergency must reach the
/// departments in minutes; anything else must be dispatched in hours.
pub fn at_receipt(clock: &Clock, emergency: bool, service: Option<&str>, level: EscalationLevel) -> Vec<Deadline> {
    let l = &clock.policy.limits;
    let first = if emergency {
        clock.deadline(DeadlineRule::NotifyDepartments, l.emergency_notify, level)
    } else {
        clock.deadline(DeadlineRule::Dispatch, l.dispatch, level)
    };
    vec![first, clock.answer_from(clock.now, service, long_answer(false, level), level)]
}

/// The answer takes the longer limit (7 working days by default) when
/// several departments cooperate or the company's leaders handle it
/// (DOMAIN.md: "several departments or leaders").
fn long_answer(multi_department: bool, level: EscalationLevel) -> bool {
    multi_department || level >= EscalationLevel::CompanyLeader
}

fn is_open(c: &Complaint, rule: DeadlineRule) -> bool {
    c.deadlines.iter().any(|d| d.rule == rule && d.state == DeadlineState::Open)
}

/// Step 5, dispatch: dispatching meets the dispatch (or emergency notice)
/// limit and starts the department's 2 h to accept or report a delay.
/// Several cooperating departments turn the answer into the multi-
/// department limit, still counted from receipt; an emergency starts the
/// department head's minutes to solve it.
pub fn at_dispatch(clock: &Clock, c: &Complaint, cooperating: bool) -> DeadlineChanges {
    let l = &clock.policy.limits;
    let level = c.escalation_level;
    let mut changes = DeadlineChanges::none()
        .meet(DeadlineRule::Dispatch)
        .meet(DeadlineRule::NotifyDepartments)
        .cancel(DeadlineRule::DelayNotice)
        .open(clock.deadline(DeadlineRule::DelayNotice, l.delay_notice, level));
    if cooperating && is_open(c, DeadlineRule::Answer) && !c.multi_department {
        let answer = clock.answer_from(c.received_at, c.service.as_deref(), true, level);
        changes = changes.cancel(DeadlineRule::Answer).open(answer);
    }
    if c.emergency && !is_open(c, DeadlineRule::EmergencyHead) && level < EscalationLevel::CompanyLeader {
        changes = changes.open(clock.deadline(DeadlineRule::EmergencyHead, l.emergency_head, level));
    }
    changes
}

/// Step 5, resolution: the answer is given; the first responder must be
/// told; the completion report was due 2 h after the work was finished; an
/// emergency must be verified after handling.
pub fn at_resolution(clock: &Clock, c: &Complaint, finished_at: Option<Timestamp>) -> DeadlineChanges {
    let l = &clock.policy.limits;
    let level = c.escalation_level;
    let mut changes = DeadlineChanges::none()
        .meet(DeadlineRule::Answer)
        .meet(DeadlineRule::DelayNotice)
        .meet(DeadlineRule::EmergencyHead)
        .meet(DeadlineRule::EmergencyLeader)
        // A new outcome supersedes one the first responder was not yet told
        // of (a rejected result resolved again): one update is owed, not two.
        .cancel(DeadlineRule::FirstResponderUpdate)
        .open(clock.deadline(DeadlineRule::FirstResponderUpdate, l.first_responder_update, level));
    if let Some(finished) = finished_at {
        let mut report = clock.deadline_from(finished, DeadlineRule::CompletionReport, l.completion_report, level);
        report.state = DeadlineState::Met;
        report.closed_at = Some(clock.now);
        if clock.now > report.due_at {
            report.breached_at = Some(clock.now);
        }
        changes = changes.open(report);
    }
    if c.emergency {
        changes = changes.cancel(DeadlineRule::Verification).open(clock.deadline(DeadlineRule::Verification, l.verification, level));
    }
    changes
}

/// Step 6, closure: the callback is owed within 2 working days, and never
/// later than 7 days.
pub fn at_closure(clock: &Clock, c: &Complaint) -> DeadlineChanges {
    let l = &clock.policy.limits;
    let level = c.escalation_level;
    DeadlineChanges::none()
        .open(clock.deadline(DeadlineRule::Callback, l.callback, level))
        .open(clock.deadline(DeadlineRule::CallbackLatest, l.callback_latest, level))
}

/// A new answer owed (a rejected result, a dissatisfied callback).
pub fn answer_again(clock: &Clock, c: &Complaint) -> DeadlineChanges {
    DeadlineChanges::none()
        .cancel(DeadlineRule::Answer)
        .open(clock.answer_from(clock.now, c.service.as_deref(), long_answer(c.multi_department, c.escalation_level), c.escalation_level))
}

/// Escalation to `to`: the written report owed by that level, and for an
/// emergency the next level's minutes to solve it.
pub fn at_escalation(clock: &Clock, c: &Complaint, to: EscalationLevel) -> DeadlineChanges {
    let l = &clock.policy.limits;
    let mut changes = DeadlineChanges::none();
    match to {
        EscalationLevel::CompanyLeader => {
            changes = changes.and(longer_answer(clock, c, to));
            changes = changes
                .cancel(DeadlineRule::EmergencyHead)
                .cancel(DeadlineRule::WrittenReportLeader)
                .open(clock.deadline(DeadlineRule::WrittenReportLeader, l.written_report_leader, to));
            if c.emergency && c.status.is_open() && c.resolved_at.is_none() {
                changes = changes
                    .cancel(DeadlineRule::EmergencyLeader)
                    .open(clock.deadline(DeadlineRule::EmergencyLeader, l.emergency_leader, to));
            }
        }
        EscalationLevel::Board => {
            changes = changes
                .cancel(DeadlineRule::EmergencyHead)
                .cancel(DeadlineRule::EmergencyLeader)
                .cancel(DeadlineRule::WrittenReportBoard)
                .open(clock.deadline(DeadlineRule::WrittenReportBoard, l.written_report_board, to));
        }
        EscalationLevel::ServiceCentre | EscalationLevel::DepartmentHead => {}
    }
    changes
}

/// Reaching the company's leaders gives the answer the longer limit, still
/// counted from receipt, when that is later than the one running (never
/// shorter: an approved extension stands; a paused clock stays as it is;
/// a breached answer is not given time back).
fn longer_answer(clock: &Clock, c: &Complaint, to: EscalationLevel) -> DeadlineChanges {
    let Some(current) = c.deadlines.iter().find(|d| d.rule == DeadlineRule::Answer && d.state == DeadlineState::Open) else {
        return DeadlineChanges::none();
    };
    // A breached answer (or one breached by the event being decided, which
    // may be what raises the complaint) stays breached: no time is given back.
    let past = current.breached_at.is_some() || current.due_at <= clock.now;
    if c.multi_department || current.paused_at.is_some() || past {
        return DeadlineChanges::none();
    }
    let longer = clock.answer_from(c.received_at, c.service.as_deref(), true, to);
    if longer.due_at > current.due_at {
        DeadlineChanges::none().cancel(DeadlineRule::Answer).open(longer)
    } else {
        DeadlineChanges::none()
    }
}

/// Waiting on the customer: the clocks that may pause do.
pub fn at_pause(c: &Complaint) -> DeadlineChanges {
    DeadlineChanges {
        paused: c.open_deadlines().filter(|d| d.rule.pausable() && d.paused_at.is_none()).map(|d| d.rule).collect(),
        ..Default::default()
    }
}

pub fn at_resume(c: &Complaint) -> DeadlineChanges {
    DeadlineChanges {
        resumed: c.open_deadlines().filter(|d| d.paused_at.is_some()).map(|d| d.rule).collect(),
        ..Default::default()
    }
}

/// Invalidation: nothing is owed any more.
pub fn cancel_all(c: &Complaint) -> DeadlineChanges {
    DeadlineChanges { cancelled: c.open_deadlines().map(|d| d.rule).collect(), ..Default::default() }
}
