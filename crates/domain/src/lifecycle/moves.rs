//! The moves between the service centre and the departments, as the 12345
//! hotlines run them: extension (延期), return (退单), reports that close
//! obligations, and escalation up the chain. Urging (催办) and pausing need
//! no rules beyond who may and when.

use super::{Context, Decision, check_department};
use crate::complaint::Complaint;
use crate::deadline::policy::ExtensionApprover;
use crate::deadline::schedule::{self, Clock};
use crate::deadline::{DeadlineChanges, DeadlineRule, EscalationLevel, Extended};
use crate::error::DomainError;
use crate::event::{EventKind, ReportKind};
use crate::role::Role;
use crate::{Actor, Timestamp};

/// 延期申请: a new time for the answer, later than the one owed now.
pub(super) fn request_extension(
    c: &Complaint,
    reason: &str,
    new_time: Timestamp,
    now: Timestamp,
) -> Result<Decision, DomainError> {
    let reason = super::text("reason", reason)?;
    let current = c.open_deadline(DeadlineRule::Answer).map(|d| d.due_at);
    // An overdue answer cannot be "extended" to a time already past.
    if new_time <= now || current.is_some_and(|due| new_time <= due) {
        return Err(DomainError::invalid(
            "new_time",
            "申请的新时限必须晚于现在和当前答复时限",
            "the requested time must be later than now and than the current answer deadline",
        ));
    }
    Ok(Decision::new(EventKind::ExtensionRequested { reason, due_at: new_time }))
}

/// 延期审批: by the department head, or by the company's leaders when the
/// policy says so (a company leader may always decide). An approved
/// extension moves the answer deadline and the owner's committed time.
pub(super) fn decide_extension(
    c: &Complaint,
    actor: &Actor,
    approve: bool,
    note: Option<String>,
    ctx: &Context,
) -> Result<Decision, DomainError> {
    let Some(pending) = &c.pending_extension else {
        return Err(DomainError::NotAllowedInState { action: "decide_extension", status: c.status });
    };
    if ctx.policy.limits.extension_approver == ExtensionApprover::CompanyLeader && actor.role() != Some(Role::CompanyLeader) {
        return Err(DomainError::RoleNotAllowed {
            action: "decide_extension",
            role: actor.role(),
            allowed: vec![Role::CompanyLeader],
        });
    }
    let changes = if approve {
        let at_risk_at = ctx.clock().at_risk_moment(ctx.now, pending.due_at);
        let extended = Extended { rule: DeadlineRule::Answer, due_at: pending.due_at, at_risk_at };
        DeadlineChanges { extended: vec![extended], ..Default::default() }
    } else {
        DeadlineChanges::none()
    };
    Ok(Decision::with(EventKind::ExtensionDecided { approved: approve, due_at: pending.due_at, note }, changes))
}

/// 退单: back to the service centre for dispatch to the right department.
/// The answer owed to the customer keeps running: the clock does not restart.
pub(super) fn return_dispatch(c: &Complaint, reason: String) -> Result<Decision, DomainError> {
    let Some(department) = c.department.clone() else {
        return Err(DomainError::NotAllowedInState { action: "return", status: c.status });
    };
    Ok(Decision::with(
        EventKind::Returned { department, reason },
        DeadlineChanges::none().cancel(DeadlineRule::DelayNotice).cancel(DeadlineRule::EmergencyHead),
    ))
}

/// A report closes the obligation it answers: the first responder told (by
/// the service centre, or the first responder noting it), a written report
/// (by the level that owes it), an emergency verified.
pub(super) fn record_report(c: &Complaint, actor: &Actor, report: ReportKind, text: String) -> Result<Decision, DomainError> {
    let owed: Vec<DeadlineRule> =
        report.meets().iter().copied().filter(|r| c.open_deadline(*r).is_some()).collect();
    if owed.is_empty() {
        return Err(DomainError::invalid(
            "report",
            "目前没有应提交的此类报告",
            "no report of this kind is owed now",
        ));
    }
    let role = actor.role();
    let first_responder = is_first_responder(c, actor);
    if !may_record(c, actor, report) {
        return Err(DomainError::RoleNotAllowed { action: "record_report", role, allowed: report_roles(report).to_vec() });
    }
    // `may_perform` lets the first responder through whatever their
    // department; for the other reports a department's staff act only for theirs.
    if report != ReportKind::FirstResponderUpdate && first_responder && c.department.is_some() {
        check_department("record_report", actor, c)?;
    }
    let changes = owed.into_iter().fold(DeadlineChanges::none(), DeadlineChanges::meet);
    Ok(Decision::with(EventKind::ReportRecorded { report, text }, changes))
}

/// The roles that may record a report of `kind` (the first responder may
/// also record that they were told the outcome).
pub(super) fn report_roles(kind: ReportKind) -> &'static [Role] {
    match kind {
        ReportKind::FirstResponderUpdate => &[Role::FrontDesk],
        ReportKind::WrittenReport => &[Role::DepartmentHead, Role::CompanyLeader, Role::Board],
        ReportKind::Verification => &[Role::FrontDesk, Role::DepartmentHead, Role::CompanyLeader],
    }
}

fn is_first_responder(c: &Complaint, actor: &Actor) -> bool {
    c.first_responder.as_ref().is_some_and(|s| Some(s.id) == actor.staff_id())
}

/// Whether `actor` may record a report of `kind` on `c` (department aside).
pub(super) fn may_record(c: &Complaint, actor: &Actor, kind: ReportKind) -> bool {
    actor.role().is_some_and(|r| report_roles(kind).contains(&r))
        || (kind == ReportKind::FirstResponderUpdate && is_first_responder(c, actor))
}

/// The level a role escalates to: the service centre to the department
/// head, a department head to the company's leaders, a leader to the board.
fn escalation_by(role: Option<Role>) -> EscalationLevel {
    match role {
        Some(Role::CompanyLeader) => EscalationLevel::Board,
        Some(Role::DepartmentHead) => EscalationLevel::CompanyLeader,
        _ => EscalationLevel::DepartmentHead,
    }
}

/// 升级: the escalating level cannot solve it; the next level is told and,
/// from the company's leaders up, owes a written report.
pub(super) fn escalate(c: &Complaint, actor: &Actor, reason: String, clock: &Clock) -> Result<Decision, DomainError> {
    let to = escalation_by(actor.role()).max(c.escalation_level.next());
    if to <= c.escalation_level {
        return Err(DomainError::NotAllowedInState { action: "escalate", status: c.status });
    }
    if actor.role() == Some(Role::DepartmentHead) && c.department.is_some() {
        check_department("escalate", actor, c)?;
    }
    // An emergency's head (5 min) or leader (10 min) must solve it or
    // escalate it: escalating in time meets that obligation (it is not
    // merely cancelled, which would hide that it was kept).
    let mut kept = DeadlineChanges::none();
    if to >= EscalationLevel::CompanyLeader {
        kept = kept.meet(DeadlineRule::EmergencyHead);
    }
    if to == EscalationLevel::Board {
        kept = kept.meet(DeadlineRule::EmergencyLeader);
    }
    Ok(Decision::with(
        EventKind::Escalated { from: c.escalation_level, to, reason },
        kept.and(schedule::at_escalation(clock, c, to)),
    ))
}

/// A person corrects triage. An emergency recognised by a person before
/// dispatch starts the emergency clock (departments notified in minutes).
pub(super) fn correct_triage(
    c: &Complaint,
    field: &str,
    value: &str,
    note: Option<String>,
    clock: &Clock,
) -> Result<Decision, DomainError> {
    let Some(t) = &c.triage else {
        return Err(DomainError::NotAllowedInState { action: "correct_triage", status: c.status });
    };
    let to = crate::triage::check_correction(field, value)?;
    let from = t.value_of(field);
    let mut changes = DeadlineChanges::none();
    if field == "emergency" && to == "true" && !c.emergency && c.open_deadline(DeadlineRule::Dispatch).is_some() {
        changes = changes.cancel(DeadlineRule::Dispatch).open(clock.deadline(
            DeadlineRule::NotifyDepartments,
            clock.policy.limits.emergency_notify,
            c.escalation_level,
        ));
    }
    Ok(Decision::with(EventKind::TriageCorrected { field: field.to_string(), from, to, note }, changes))
}
