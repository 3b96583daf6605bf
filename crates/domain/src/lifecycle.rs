//! The rules of the 8 steps: who may do what, when, and what it records.
//! [`decide`] never changes anything; it answers the event to append or the
//! reason for refusal (403 role, 409 state, 422 field).

use crate::action::Action;
use crate::classification::CallbackMethod;
use crate::complaint::{Complaint, DepartmentRef, StaffRef};
use crate::deadline::{DeadlineChanges, DeadlineRule, TimeLimits};
use crate::error::DomainError;
use crate::event::{Event, EventKind, EvidenceFile, Investigation};
use crate::masking::PersonalField;
use crate::role::Role;
use crate::satisfaction::Satisfaction;
use crate::status::Status;
use crate::text::{optional_text, required_text};
use crate::{Actor, Timestamp};

/// Longest note, reason or report accepted on an action.
pub const MAX_NOTE_CHARS: usize = 5_000;

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
    fn new(kind: EventKind) -> Self {
        Decision { kind, deadlines: DeadlineChanges::none() }
    }
    fn with(kind: EventKind, deadlines: DeadlineChanges) -> Self {
        Decision { kind, deadlines }
    }
    /// The event that follows `complaint`'s latest one.
    pub fn into_event(self, complaint: &Complaint, actor: Actor, at: Timestamp) -> Event {
        Event { seq: complaint.version + 1, at, actor, kind: self.kind, deadlines: self.deadlines }
    }
}

use Role::*;

/// The roles that may perform each action (the service centre confirms,
/// dispatches and calls back; departments accept and resolve; heads close).
pub fn permitted_roles(action: &str) -> &'static [Role] {
    match action {
        "confirm" | "invalidate" | "accept_result" | "reject_result" | "callback" => &[FrontDesk],
        "assess" | "investigate" => &[FrontDesk, DepartmentHead, CompanyLeader],
        "dispatch" => &[FrontDesk, CompanyLeader],
        "accept" | "report_delay" | "resolve" => &[Handler, DepartmentHead],
        "close" => &[DepartmentHead, CompanyLeader],
        "attach_evidence" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader],
        _ => &[],
    }
}

/// Whether `action` is possible in the complaint's current state, regardless
/// of who asks.
pub fn state_allows(action: &'static str, c: &Complaint) -> Result<(), DomainError> {
    let ok = match action {
        "confirm" => c.status == Status::Received,
        "invalidate" => matches!(c.status, Status::Received | Status::Confirmed),
        "assess" => c.status == Status::Confirmed,
        "investigate" => matches!(c.status, Status::Assessed | Status::Investigating),
        "dispatch" => c.status == Status::Investigating,
        "accept" => c.status == Status::Dispatched,
        "report_delay" => matches!(c.status, Status::Dispatched | Status::InProgress),
        "resolve" => c.status == Status::InProgress,
        "accept_result" | "reject_result" => c.status == Status::Resolved,
        "close" => c.status == Status::CustomerAccepted,
        "callback" => {
            if c.status == Status::Closed && !c.awaiting_callback {
                return Err(DomainError::AlreadyCalledBack);
            }
            c.status == Status::Closed
        }
        "attach_evidence" => true,
        _ => false,
    };
    if ok { Ok(()) } else { Err(DomainError::NotAllowedInState { action, status: c.status }) }
}

fn check_role(action: &'static str, actor: &Actor) -> Result<(), DomainError> {
    let allowed = permitted_roles(action);
    match actor.role() {
        Some(role) if allowed.contains(&role) => Ok(()),
        role => Err(DomainError::RoleNotAllowed { action, role, allowed: allowed.to_vec() }),
    }
}

/// Handlers and department heads act only for the department the complaint
/// is dispatched to; company leaders are not bound to a department.
fn check_department(action: &'static str, actor: &Actor, c: &Complaint) -> Result<(), DomainError> {
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
    if matches!(action, "accept" | "report_delay" | "resolve" | "close") {
        check_department(action, actor, c)?;
    }
    Ok(())
}

/// The actions `actor` may take on `c` now.
pub fn available_actions(c: &Complaint, actor: &Actor) -> Vec<&'static str> {
    crate::action::ACTION_NAMES.into_iter().filter(|a| may_perform(a, c, actor).is_ok()).collect()
}

fn note(field: &str, v: &Option<String>) -> Result<Option<String>, DomainError> {
    optional_text(field, v.as_deref(), MAX_NOTE_CHARS)
}

fn text(field: &str, v: &str) -> Result<String, DomainError> {
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
pub fn decide(
    c: &Complaint,
    actor: &Actor,
    action: &Action,
    now: Timestamp,
    limits: &TimeLimits,
    dir: &dyn Directory,
) -> Result<Decision, DomainError> {
    may_perform(action.name(), c, actor)?;
    use EventKind as K;
    Ok(match action {
        Action::Confirm { note: n } => Decision::new(K::Confirmed { note: note("note", n)? }),
        Action::Invalidate { explanation } => Decision::with(
            K::Invalidated { explanation: text("explanation", explanation)? },
            DeadlineChanges { cancelled: open_rules(c), ..Default::default() },
        ),
        Action::Assess { severity, category, note: n } => {
            Decision::new(K::Assessed { severity: *severity, category: *category, note: note("note", n)? })
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
        Action::Dispatch { department: code, handler, note: n } => {
            let dept = match (code.as_deref(), &c.investigation) {
                (Some(code), _) => department(dir, code)?,
                (None, Some(inv)) => inv.department.clone(),
                (None, None) => return Err(DomainError::required("department")),
            };
            let handler = match handler.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(username) => Some(dispatch_handler(dir, username, &dept)?),
            };
            let met = if c.open_deadlines().any(|d| d.rule == DeadlineRule::NotifyDepartments) {
                DeadlineRule::NotifyDepartments
            } else {
                DeadlineRule::Dispatch
            };
            Decision::with(
                K::Dispatched { department: dept, handler, note: note("note", n)? },
                DeadlineChanges::none().meet(met),
            )
        }
        Action::Accept { note: n } => Decision::new(K::Accepted { note: note("note", n)? }),
        Action::ReportDelay { reason, new_time } => {
            if *new_time <= now {
                return Err(DomainError::invalid(
                    "new_time",
                    "新的完成时间必须晚于现在",
                    "the new time must be in the future",
                ));
            }
            Decision::new(K::DelayReported { reason: text("reason", reason)?, new_time: *new_time })
        }
        Action::Resolve { resolution } => Decision::with(
            K::Resolved { resolution: text("resolution", resolution)? },
            DeadlineChanges::none().meet(DeadlineRule::Answer),
        ),
        Action::AcceptResult { note: n } => Decision::new(K::ResultAccepted { note: note("note", n)? }),
        Action::RejectResult { reason } => Decision::with(
            K::ResultRejected { reason: text("reason", reason)? },
            DeadlineChanges::opened(vec![limits.answer(now)]),
        ),
        Action::Close { note: n } => Decision::with(
            K::Closed { note: note("note", n)? },
            DeadlineChanges::opened(vec![limits.callback(now)]),
        ),
        Action::Callback { perceived, expected, comment, method } => {
            let s = Satisfaction::new(
                *perceived,
                *expected,
                note("comment", comment)?,
                method.unwrap_or(CallbackMethod::Phone),
            )?;
            let mut changes = DeadlineChanges::none().meet(DeadlineRule::Callback);
            if s.rehandle {
                changes = changes.open(limits.answer(now));
            }
            Decision::with(K::CallbackRecorded(s), changes)
        }
    })
}

fn open_rules(c: &Complaint) -> Vec<DeadlineRule> {
    c.open_deadlines().map(|d| d.rule).collect()
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
