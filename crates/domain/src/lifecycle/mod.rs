//! The rules of the 8 steps: who may do what, when, and what it records.
//! [`decide`] never changes anything; it answers the event to append or the
//! reason for refusal (403 role, 409 state, 422 field).

mod moves;

use crate::action::Action;
use crate::classification::CallbackMethod;
use crate::complaint::{Complaint, DepartmentRef, StaffRef};
use crate::deadline::schedule::{self, Clock};
use crate::deadline::{DeadlineChanges, DeadlineRule, TimePolicy, WorkingDays};
use crate::error::DomainError;
use crate::event::{Event, EventKind, EvidenceFile, Investigation, ReportKind};
use crate::masking::PersonalField;
use crate::role::Role;
use crate::satisfaction::Satisfaction;
use crate::status::Status;
use crate::text::{optional_text, required_text};
use crate::{Actor, Timestamp};

/// Longest note, reason or report accepted on an action.
pub const MAX_NOTE_CHARS: usize = 5_000;

/// What deciding needs besides the complaint and the actor: the time, the
/// company's time policy, its working-day calendar and its organisation.
pub struct Context<'a> {
    pub now: Timestamp,
    pub policy: &'a TimePolicy,
    pub days: &'a dyn WorkingDays,
    pub dir: &'a dyn Directory,
}

impl<'a> Context<'a> {
    pub fn clock(&self) -> Clock<'a> {
        Clock { now: self.now, policy: self.policy, days: self.days }
    }
}

/// What [`decide`] needs to know about the organisation. Implemented over an
/// in-memory snapshot so deciding stays free of I/O.
pub trait Directory {
    fn department(&self, code: &str) -> Option<DepartmentRef>;
    fn staff(&self, username: &str) -> Option<StaffEntry>;
}

/// A staff member as [`Directory::staff`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffEntry {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub department: Option<String>,
}

/// The event an accepted action records, before it gets its place in history.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub kind: EventKind,
    pub deadlines: DeadlineChanges,
}

impl Decision {
    pub(crate) fn new(kind: EventKind) -> Self {
        Decision { kind, deadlines: DeadlineChanges::none() }
    }
    pub(crate) fn with(kind: EventKind, deadlines: DeadlineChanges) -> Self {
        Decision { kind, deadlines }
    }
    /// The event that follows `complaint`'s latest one.
    pub fn into_event(self, complaint: &Complaint, actor: Actor, at: Timestamp) -> Event {
        Event { seq: complaint.version + 1, at, actor, kind: self.kind, deadlines: self.deadlines }
    }
}

use Role::*;

/// The roles that may perform each action (the service centre confirms,
/// dispatches and calls back; departments accept and resolve; heads close;
/// the service centre and leaders urge).
pub fn permitted_roles(action: &str) -> &'static [Role] {
    match action {
        "confirm" | "invalidate" | "accept_result" | "reject_result" | "callback" => &[FrontDesk],
        "assess" | "investigate" => &[FrontDesk, DepartmentHead, CompanyLeader],
        "dispatch" => &[FrontDesk, CompanyLeader],
        "accept" | "report_delay" | "resolve" | "request_extension" | "return" => &[Handler, DepartmentHead],
        "close" | "decide_extension" => &[DepartmentHead, CompanyLeader],
        "urge" => &[FrontDesk, CompanyLeader, Board],
        "pause" | "resume" => &[FrontDesk, Handler, DepartmentHead],
        "record_report" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader, Board],
        "escalate" => &[FrontDesk, DepartmentHead, CompanyLeader],
        "correct_triage" => &[FrontDesk, DepartmentHead, CompanyLeader, Analyst],
        "record_defect" => &[DepartmentHead, Handler, CompanyLeader],
        "attach_evidence" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader],
        _ => &[],
    }
}

/// Whether `action` is possible in the complaint's current state, regardless
/// of who asks.
pub fn state_allows(action: &'static str, c: &Complaint) -> Result<(), DomainError> {
    use Status as S;
    let dispatched = matches!(c.status, S::Dispatched | S::InProgress);
    let ok = match action {
        "confirm" => c.status == S::Received,
        "invalidate" => matches!(c.status, S::Received | S::Confirmed),
        "assess" => c.status == S::Confirmed,
        "investigate" => matches!(c.status, S::Assessed | S::Investigating),
        // An emergency goes to the department at once, before confirming,
        // assessing and investigating (DOMAIN.md: notified within 3 min).
        "dispatch" => {
            c.status == S::Investigating || (c.emergency && matches!(c.status, S::Received | S::Confirmed | S::Assessed))
        }
        "accept" => c.status == S::Dispatched,
        "report_delay" | "urge" | "return" => dispatched,
        "resolve" => c.status == S::InProgress,
        "accept_result" | "reject_result" => c.status == S::Resolved,
        "close" => c.status == S::CustomerAccepted,
        "callback" => {
            if c.status == S::Closed && !c.awaiting_callback {
                return Err(DomainError::AlreadyCalledBack);
            }
            c.status == S::Closed
        }
        "request_extension" => dispatched && c.pending_extension.is_none() && c.open_deadline(DeadlineRule::Answer).is_some(),
        "decide_extension" => c.pending_extension.is_some(),
        "pause" => c.status.is_open() && c.paused_at.is_none(),
        "resume" => c.paused_at.is_some(),
        "record_report" => c.open_deadlines().any(|d| {
            matches!(
                d.rule,
                DeadlineRule::FirstResponderUpdate
                    | DeadlineRule::WrittenReportLeader
                    | DeadlineRule::WrittenReportBoard
                    | DeadlineRule::Verification
            )
        }),
        "escalate" => c.status.is_open() && c.escalation_level < crate::deadline::EscalationLevel::Board,
        "correct_triage" => c.triage.is_some(),
        // Once somebody has looked for the cause, and after closing too:
        // the library must be right, not just the complaint.
        "record_defect" => c.investigation.is_some() && c.status != S::ClosedInvalid,
        "attach_evidence" => true,
        _ => false,
    };
    if ok { Ok(()) } else { Err(DomainError::NotAllowedInState { action, status: c.status }) }
}

/// What owners do themselves (through the portal, identified by tracking
/// number and phone): accept or reject the result, answer the callback
/// survey, and add photos.
pub const OWNER_ACTIONS: [&str; 4] = ["accept_result", "reject_result", "callback", "attach_evidence"];

fn check_role(action: &'static str, actor: &Actor) -> Result<(), DomainError> {
    if matches!(actor, Actor::Owner) && OWNER_ACTIONS.contains(&action) {
        return Ok(());
    }
    let allowed = permitted_roles(action);
    match actor.role() {
        Some(role) if allowed.contains(&role) => Ok(()),
        role => Err(DomainError::RoleNotAllowed { action, role, allowed: allowed.to_vec() }),
    }
}

/// Handlers and department heads act only for the department the complaint
/// is dispatched to; company leaders are not bound to a department.
pub(crate) fn check_department(action: &'static str, actor: &Actor, c: &Complaint) -> Result<(), DomainError> {
    if !matches!(actor.role(), Some(Handler | DepartmentHead)) {
        return Ok(());
    }
    let assigned = c.department.as_ref().map(|d| d.code.as_str());
    if assigned.is_some() && assigned == actor.department() {
        Ok(())
    } else {
        Err(DomainError::NotYourDepartment {
            action,
            assigned: c.department.as_ref().map(|d| d.name.clone()),
            yours: actor.department().map(str::to_string),
        })
    }
}

/// Whether `actor` may perform `action` on `c` now, fields aside. The
/// console shows one form per action for which this is `Ok`.
pub fn may_perform(action: &'static str, c: &Complaint, actor: &Actor) -> Result<(), DomainError> {
    check_role(action, actor)?;
    state_allows(action, c)?;
    if action == "record_report" {
        // Only someone who may record one of the reports owed now: the
        // console must not offer a form that can only be refused.
        let owed: Vec<ReportKind> = ReportKind::ALL.into_iter().filter(|k| k.owed_by(c)).collect();
        if !owed.iter().any(|k| moves::may_record(c, actor, *k)) {
            let allowed: Vec<Role> = Role::ALL
                .into_iter()
                .filter(|r| owed.iter().any(|k| moves::report_roles(*k).contains(r)))
                .collect();
            return Err(DomainError::RoleNotAllowed { action, role: actor.role(), allowed });
        }
    }
    let bound = matches!(
        action,
        "accept" | "report_delay" | "resolve" | "close" | "request_extension" | "decide_extension" | "return"
    );
    // Pausing, reporting and escalating bind a department's staff once it is theirs.
    // The first responder follows the complaint whatever their department
    // (首问责任制): they may record that they were told the outcome
    // (the other reports check the department in `moves::record_report`).
    let first_responder = c.first_responder.as_ref().is_some_and(|s| Some(s.id) == actor.staff_id());
    let bound_once_dispatched = matches!(action, "pause" | "resume" | "escalate" | "correct_triage" | "record_defect")
        || (action == "record_report" && !first_responder);
    if bound || (bound_once_dispatched && (c.department.is_some() || actor.role() == Some(Handler))) {
        check_department(action, actor, c)?;
    }
    Ok(())
}

/// The actions `actor` may take on `c` now.
pub fn available_actions(c: &Complaint, actor: &Actor) -> Vec<&'static str> {
    crate::action::ACTION_NAMES.into_iter().filter(|a| may_perform(a, c, actor).is_ok()).collect()
}

pub(crate) fn note(field: &str, v: &Option<String>) -> Result<Option<String>, DomainError> {
    optional_text(field, v.as_deref(), MAX_NOTE_CHARS)
}

pub(crate) fn text(field: &str, v: &str) -> Result<String, DomainError> {
    required_text(field, v, MAX_NOTE_CHARS)
}

fn department(dir: &dyn Directory, code: &str) -> Result<DepartmentRef, DomainError> {
    dir.department(code.trim()).ok_or_else(|| {
        DomainError::invalid(
            "department",
            format!("没有编码为「{code}」的部门"),
            format!("no department with code `{code}`"),
        )
    })
}

/// Checks `action` against the complaint, the actor and the organisation, and
/// answers the event to record.
pub fn decide(c: &Complaint, actor: &Actor, action: &Action, ctx: &Context) -> Result<Decision, DomainError> {
    may_perform(action.name(), c, actor)?;
    let clock = ctx.clock();
    let now = ctx.now;
    let dir = ctx.dir;
    use EventKind as K;
    let decision = match action {
        Action::Confirm { note: n } => Decision::new(K::Confirmed { note: note("note", n)? }),
        Action::Invalidate { explanation } => Decision::with(
            K::Invalidated { explanation: text("explanation", explanation)? },
            schedule::cancel_all(c),
        ),
        Action::Assess { severity, category, note: n } => {
            let mut after = c.clone();
            after.escalation_level = after.escalation_level.max(crate::complaint::severity_level(*severity));
            let raised = after.escalation_level > c.escalation_level;
            Decision::with(
                K::Assessed { severity: *severity, category: *category, note: note("note", n)? },
                if raised { schedule::at_escalation(&clock, &after, after.escalation_level) } else { DeadlineChanges::none() },
            )
        }
        Action::Investigate { department: code, post, person, root_cause, evidence, report } => {
            for id in evidence {
                if !c.evidence.iter().any(|f| f.id == *id) {
                    return Err(DomainError::invalid(
                        "evidence",
                        format!("证据文件 {id} 不属于本投诉，请先上传"),
                        format!("evidence file {id} is not attached to this complaint; upload it first"),
                    ));
                }
            }
            Decision::new(K::Investigated(Investigation {
                department: department(dir, code)?,
                post: text("post", post)?,
                person: text("person", person)?,
                root_cause: text("root_cause", root_cause)?,
                evidence: evidence.clone(),
                report: note("report", report)?,
            }))
        }
        Action::Dispatch { department: code, handler, cooperating, note: n } => {
            let dept = match (code.as_deref(), &c.investigation) {
                (Some(code), _) => department(dir, code)?,
                (None, Some(inv)) => inv.department.clone(),
                (None, None) => return Err(DomainError::required("department")),
            };
            let handler = match handler.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(username) => Some(dispatch_handler(dir, username, &dept)?),
            };
            let mut others = Vec::new();
            for code in cooperating {
                let d = department(dir, code).map_err(|_| {
                    DomainError::invalid("cooperating", format!("没有编码为「{code}」的部门"), format!("no department with code `{code}`"))
                })?;
                if d.code != dept.code && !others.contains(&d) {
                    others.push(d);
                }
            }
            let changes = schedule::at_dispatch(&clock, c, !others.is_empty());
            Decision::with(K::Dispatched { department: dept, handler, cooperating: others, note: note("note", n)? }, changes)
        }
        Action::Accept { note: n } => {
            Decision::with(K::Accepted { note: note("note", n)? }, DeadlineChanges::none().meet(DeadlineRule::DelayNotice))
        }
        Action::ReportDelay { reason, new_time } => {
            if *new_time <= now {
                return Err(DomainError::invalid(
                    "new_time",
                    "新的完成时间必须晚于现在",
                    "the new time must be in the future",
                ));
            }
            Decision::with(
                K::DelayReported { reason: text("reason", reason)?, new_time: *new_time },
                DeadlineChanges::none().meet(DeadlineRule::DelayNotice),
            )
        }
        Action::Resolve { resolution, finished_at } => {
            if let Some(f) = finished_at {
                if *f > now {
                    return Err(DomainError::invalid("finished_at", "完成时间不能晚于现在", "finished_at cannot be in the future"));
                }
            }
            Decision::with(
                K::Resolved { resolution: text("resolution", resolution)?, finished_at: *finished_at },
                schedule::at_resolution(&clock, c, *finished_at),
            )
        }
        Action::AcceptResult { note: n } => Decision::new(K::ResultAccepted { note: note("note", n)? }),
        Action::RejectResult { reason } => {
            Decision::with(K::ResultRejected { reason: text("reason", reason)? }, schedule::answer_again(&clock, c))
        }
        Action::Close { note: n } => Decision::with(K::Closed { note: note("note", n)?, defect: None }, schedule::at_closure(&clock, c)),
        Action::Callback { perceived, expected, comment, method } => {
            let s = Satisfaction::new(
                *perceived,
                *expected,
                note("comment", comment)?,
                method.unwrap_or(CallbackMethod::Phone),
            )?;
            let mut changes = DeadlineChanges::none().meet(DeadlineRule::Callback).meet(DeadlineRule::CallbackLatest);
            if s.rehandle {
                changes = changes.and(schedule::answer_again(&clock, c));
            }
            Decision::with(K::CallbackRecorded(s), changes)
        }
        Action::RequestExtension { reason, new_time } => moves::request_extension(c, reason, *new_time, now)?,
        Action::DecideExtension { approve, note: n } => moves::decide_extension(c, actor, *approve, note("note", n)?, ctx)?,
        Action::Return { reason } => moves::return_dispatch(c, text("reason", reason)?)?,
        Action::Urge { note: n } => Decision::new(K::Urged { note: note("note", n)? }),
        Action::Pause { reason } => Decision::with(K::Paused { reason: text("reason", reason)? }, schedule::at_pause(c)),
        Action::Resume { note: n } => Decision::with(K::Resumed { note: note("note", n)? }, schedule::at_resume(c)),
        Action::RecordReport { report, text: t } => moves::record_report(c, actor, *report, text("text", t)?)?,
        Action::Escalate { reason } => moves::escalate(c, actor, text("reason", reason)?, &clock)?,
        Action::RecordDefect { component, phase, cost } => {
            let component = crate::text::required_text("component", component, 40)?;
            let cost_fen = match cost {
                Some(yuan) => Some(crate::defects::cost_fen(*yuan)?),
                None => c.defect.as_ref().and_then(|d| d.cost_fen),
            };
            let defect = crate::defects::Defect {
                component,
                phase: *phase,
                cost_fen,
                inferred: false,
                first_in_household: c.defect.as_ref().is_some_and(|d| d.first_in_household),
            };
            if c.defect.as_ref() == Some(&defect) {
                return Err(DomainError::invalid("component", "与已记录的缺陷相同", "the same defect is already recorded"));
            }
            Decision::new(K::DefectRecorded { defect, previous: c.defect.clone() })
        }
        Action::CorrectTriage { field, value, note: n } => moves::correct_triage(c, field, value, note("note", n)?, &clock)?,
    };
    Ok(Decision { deadlines: decision.deadlines.relevant_to(&c.deadlines), ..decision })
}

fn dispatch_handler(dir: &dyn Directory, username: &str, dept: &DepartmentRef) -> Result<StaffRef, DomainError> {
    match dir.staff(username) {
        Some(s) if matches!(s.role, Handler | DepartmentHead) && s.department.as_deref() == Some(dept.code.as_str()) => {
            Ok(StaffRef { id: s.id, name: s.name })
        }
        Some(_) => Err(DomainError::invalid(
            "handler",
            format!("{username} 不是{}的处理人员", dept.name),
            format!("{username} is not a handler of {}", dept.code),
        )),
        None => Err(DomainError::invalid(
            "handler",
            format!("没有用户名为 {username} 的员工"),
            format!("no staff member with username {username}"),
        )),
    }
}

/// Recording a complaint's link to a group incident (tousu itself decides;
/// a more severe incident raises the complaint with it).
pub fn decide_group_link(c: &Complaint, link: crate::event::GroupLink, clock: &Clock) -> Decision {
    let level = c.escalation_level.max(crate::complaint::severity_level(link.severity));
    let changes = if level > c.escalation_level {
        schedule::at_escalation(clock, c, level).relevant_to(&c.deadlines)
    } else {
        DeadlineChanges::none()
    };
    Decision::with(EventKind::GroupLinked(link), changes)
}

/// Recording an uploaded evidence file.
pub fn decide_attach_evidence(c: &Complaint, actor: &Actor, file: EvidenceFile) -> Result<Decision, DomainError> {
    may_perform("attach_evidence", c, actor)?;
    Ok(Decision::new(EventKind::EvidenceAttached(file)))
}

/// Revealing personal data in clear: allowed to roles that need it (a
/// department's staff only for complaints dispatched to their department,
/// unless they received it), and always recorded: who, when, which fields.
pub fn decide_reveal(c: &Complaint, actor: &Actor, fields: &[PersonalField]) -> Result<Decision, DomainError> {
    let role = actor.role();
    if !role.is_some_and(Role::may_reveal_personal_data) {
        return Err(DomainError::RoleNotAllowed {
            action: "reveal",
            role,
            allowed: Role::ALL.into_iter().filter(|r| r.may_reveal_personal_data()).collect(),
        });
    }
    let first_responder = c.first_responder.as_ref().map(|s| s.id) == actor.staff_id();
    if !first_responder {
        check_department("reveal", actor, c)?;
    }
    if fields.is_empty() {
        return Err(DomainError::required("fields"));
    }
    let mut fields = fields.to_vec();
    fields.sort_by_key(|f| *f as u8);
    fields.dedup();
    Ok(Decision::new(EventKind::PersonalDataRevealed { fields }))
}
