//! The current state of a complaint: a fold of its events.

use crate::classification::{Category, Channel, Remedy, Severity};
use crate::deadline::{Deadline, DeadlineRule, EscalationLevel, apply_changes};
use crate::event::{EvidenceFile, Event, EventKind, Investigation};
use crate::intake::{Customer, RepeatLink};
use crate::satisfaction::Satisfaction;
use crate::status::Status;
use crate::tracking::TrackingNo;
use crate::Timestamp;
use serde::{Deserialize, Serialize};

/// A project as a complaint remembers it at receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// A staff member as events name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffRef {
    pub id: i64,
    pub name: String,
}

/// A department as events name it (`engineering`, 工程部).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Complaint {
    pub id: i64,
    pub company_id: i64,
    pub tracking_no: TrackingNo,
    pub status: Status,
    pub channel: Channel,
    pub customer: Customer,
    pub project: ProjectRef,
    pub building: String,
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy_sought: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remedies: Vec<Remedy>,
    /// 首问责任人: stays attached from receipt to closure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_responder: Option<StaffRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Set when invalidated (咨询类/无效投诉): what the customer was told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_explanation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investigation: Option<Investigation>,
    /// The department the complaint is dispatched to (承办部门).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<DepartmentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<StaffRef>,
    /// The new time a department promised when it reported a delay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promised_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// True between closure and the callback of that closure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaiting_callback: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub callbacks: Vec<Satisfaction>,
    /// Times the customer rejected a result (the complaint reopened).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reopen_count: u32,
    /// Times a dissatisfied callback sent it back (重办).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rehandle_count: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<Deadline>,
    pub escalation_level: EscalationLevel,
    /// Staff must act within minutes: the emergency path runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub emergency: bool,
    /// The service type, for the company's tiered commitments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The earlier complaint this one repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<RepeatLink>,
    /// Several departments are needed (the answer limit is the longer one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multi_department: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cooperating: Vec<DepartmentRef>,
    /// 催办: how many times the department was urged.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub urge_count: u32,
    /// 退单: how many times a department returned it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub returned_count: u32,
    /// A department's request for more time, waiting for approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_extension: Option<PendingExtension>,
    /// Set while waiting on the customer (pausable clocks are paused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<Timestamp>,
    /// The group incident (群诉) this complaint belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<crate::event::GroupLink>,
    /// What triage read, with people's corrections. Kept in the history
    /// only (the first event and the corrections), never in the stored
    /// state: it is 1.6 KB a complaint, and writing it twice halved intake.
    /// Rebuilt with [`Complaint::with_triage_from`] where it is shown or
    /// corrected; a complaint read back from storage has none.
    #[serde(default, skip_serializing)]
    pub triage: Option<crate::triage::TriageResult>,
    /// 触点 — the touchpoint the complaint is about (`repair`, `handover` …):
    /// what triage read, or a person's correction. Kept in the state (unlike
    /// the rest of triage) because the satisfaction figures are split by it
    /// when the callback is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// 缺陷归因 — the root cause filed in the defect library: recorded by a
    /// person, or read from the words when it closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defect: Option<crate::defects::Defect>,
    pub received_at: Timestamp,
    pub updated_at: Timestamp,
    /// The number of events applied: the `seq` of the last one.
    pub version: u32,
}

/// A request for more time (延期申请) waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingExtension {
    pub reason: String,
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<StaffRef>,
}

impl Complaint {
    /// Starts a complaint from its Received event; `None` for any other event.
    pub fn from_first_event(id: i64, event: &Event) -> Option<Complaint> {
        let EventKind::Received(r) = &event.kind else { return None };
        let mut deadlines = Vec::new();
        apply_changes(&mut deadlines, &event.deadlines, event.at);
        Some(Complaint {
            id,
            company_id: r.company_id,
            tracking_no: r.tracking_no.clone(),
            status: Status::Received,
            channel: r.channel,
            customer: r.customer.clone(),
            project: r.project.clone(),
            building: r.building.clone(),
            unit: r.unit.clone(),
            subject: r.subject.clone(),
            description: r.description.clone(),
            remedy_sought: r.remedy_sought.clone(),
            remedies: r.remedies.clone(),
            first_responder: r.first_responder.clone(),
            category: r.category,
            severity: r.severity(),
            invalid_explanation: None,
            investigation: None,
            department: None,
            handler: None,
            promised_at: None,
            delay_reason: None,
            resolution: None,
            resolved_at: None,
            closed_at: None,
            awaiting_callback: false,
            callbacks: Vec::new(),
            reopen_count: 0,
            rehandle_count: 0,
            evidence: Vec::new(),
            deadlines,
            escalation_level: r.level(),
            emergency: r.emergency,
            service: r.service.clone(),
            repeat: r.repeat.clone(),
            multi_department: false,
            cooperating: Vec::new(),
            urge_count: 0,
            returned_count: 0,
            pending_extension: None,
            paused_at: None,
            triage: r.triage.as_deref().cloned(),
            touchpoint: r.triage.as_deref().map(|t| t.touchpoint.value.clone()),
            defect: None,
            group: None,
            received_at: event.at,
            updated_at: event.at,
            version: event.seq,
        })
    }

    /// Rebuilds a complaint from its whole history, oldest first.
    pub fn replay(id: i64, events: &[Event]) -> Option<Complaint> {
        let (first, rest) = events.split_first()?;
        let mut c = Complaint::from_first_event(id, first)?;
        for e in rest {
            c.apply(e);
        }
        Some(c)
    }

    /// Fills in what triage read (with its corrections) from the history.
    pub fn with_triage_from(mut self, events: &[Event]) -> Complaint {
        if self.triage.is_none() {
            self.triage = Complaint::replay(self.id, events).and_then(|c| c.triage);
        }
        self
    }

    /// Folds one event into the state. Events are facts: this never fails.
    pub fn apply(&mut self, event: &Event) {
        use EventKind as K;
        match &event.kind {
            K::Received(_) => {}
            K::Confirmed { .. } => self.status = Status::Confirmed,
            K::Invalidated { explanation } => {
                self.status = Status::ClosedInvalid;
                self.invalid_explanation = Some(explanation.clone());
                self.category.get_or_insert(Category::Consultation);
                self.closed_at = Some(event.at);
                self.paused_at = None;
            }
            K::Assessed { severity, category, .. } => {
                self.status = Status::Assessed;
                // A repeat's severity is a floor: assessment can raise it, not lower it.
                self.severity = Some(self.severity.map_or(*severity, |s| s.max(*severity)));
                if category.is_some() {
                    self.category = *category;
                }
                self.escalation_level = self.escalation_level.max(severity_level(*severity));
            }
            K::Investigated(inv) => {
                self.status = Status::Investigating;
                self.investigation = Some(inv.clone());
            }
            K::Dispatched { department, handler, cooperating, .. } => {
                self.status = Status::Dispatched;
                self.department = Some(department.clone());
                self.handler = handler.clone();
                if !cooperating.is_empty() {
                    self.cooperating = cooperating.clone();
                    self.multi_department = true;
                }
            }
            K::Accepted { .. } => {
                self.status = Status::InProgress;
                if self.handler.is_none() {
                    self.handler = event.actor.staff_id().map(|id| StaffRef { id, name: actor_name(event) });
                }
            }
            K::DelayReported { reason, new_time } => {
                self.promised_at = Some(*new_time);
                self.delay_reason = Some(reason.clone());
            }
            K::Resolved { resolution, .. } => {
                self.status = Status::Resolved;
                self.resolution = Some(resolution.clone());
                self.resolved_at = Some(event.at);
                // The promise made with a delay is kept (or superseded) once resolved;
                // a reopened complaint is owed the new answer deadline instead.
                self.promised_at = None;
                // The answer is given: a request for more time to give it is moot
                // (approving it later would move the next answer deadline).
                self.pending_extension = None;
            }
            K::ResultAccepted { .. } => self.status = Status::CustomerAccepted,
            K::ResultRejected { .. } => {
                self.status = Status::InProgress;
                self.reopen_count += 1;
            }
            K::Closed { defect, .. } => {
                if defect.is_some() {
                    self.defect = defect.clone();
                }
                self.status = Status::Closed;
                self.closed_at = Some(event.at);
                self.awaiting_callback = true;
                // Nothing waits on the customer once closed (there is nothing left to resume).
                self.paused_at = None;
            }
            K::CallbackRecorded(s) => {
                self.callbacks.push(s.clone());
                self.awaiting_callback = false;
                if s.rehandle {
                    // 重办: back to the same department, which must accept again.
                    self.status = Status::Dispatched;
                    self.rehandle_count += 1;
                    self.closed_at = None;
                }
            }
            K::EvidenceAttached(file) => self.evidence.push(file.clone()),
            K::PersonalDataRevealed { .. } | K::DeadlineAtRisk { .. } | K::ReportRecorded { .. } => {}
            K::DeadlineBreached { to, .. } => {
                if let Some(to) = to {
                    self.escalation_level = self.escalation_level.max(*to);
                }
            }
            K::Escalated { to, .. } => self.escalation_level = self.escalation_level.max(*to),
            K::ExtensionRequested { reason, due_at } => {
                self.pending_extension = Some(PendingExtension {
                    reason: reason.clone(),
                    due_at: *due_at,
                    requested_at: event.at,
                    requested_by: event.actor.staff_id().map(|id| StaffRef { id, name: actor_name(event) }),
                });
            }
            K::ExtensionDecided { approved, due_at, .. } => {
                self.pending_extension = None;
                if *approved {
                    self.promised_at = Some(*due_at);
                }
            }
            K::Returned { .. } => {
                self.status = Status::Investigating;
                self.department = None;
                self.handler = None;
                self.pending_extension = None;
                self.returned_count += 1;
            }
            K::Urged { .. } => self.urge_count += 1,
            K::GroupLinked(link) => {
                // A group complaint is at least as severe as the incident.
                self.severity = Some(self.severity.map_or(link.severity, |s| s.max(link.severity)));
                self.escalation_level = self.escalation_level.max(severity_level(link.severity));
                self.group = Some(link.clone());
            }
            K::DefectRecorded { defect, .. } => self.defect = Some(defect.clone()),
            K::TriageCorrected { field, to, .. } => {
                let by = event.actor.staff_id().map(|id| StaffRef { id, name: actor_name(event) });
                if let Some(t) = &mut self.triage {
                    t.correct(field, to, by);
                }
                // A person's correction wins over the machine.
                match field.as_str() {
                    "category" => self.category = Category::parse(to).ok().or(self.category),
                    "severity" => {
                        if let Ok(s) = Severity::parse(to) {
                            self.severity = Some(s);
                            self.escalation_level = self.escalation_level.max(severity_level(s));
                        }
                    }
                    "emergency" => self.emergency = to == "true",
                    "touchpoint" => self.touchpoint = Some(to.clone()),
                    _ => {}
                }
            }
            K::Paused { .. } => self.paused_at = Some(event.at),
            K::Resumed { .. } => self.paused_at = None,
        }
        apply_changes(&mut self.deadlines, &event.deadlines, event.at);
        self.updated_at = event.at;
        self.version = event.seq;
    }

    /// The open deadline of a rule, if any.
    pub fn open_deadline(&self, rule: DeadlineRule) -> Option<&Deadline> {
        self.open_deadlines().find(|d| d.rule == rule)
    }

    /// The deadlines still owed.
    pub fn open_deadlines(&self) -> impl Iterator<Item = &Deadline> {
        self.deadlines.iter().filter(|d| d.state == crate::DeadlineState::Open)
    }

    /// The latest satisfaction index, if a callback was made.
    pub fn satisfaction(&self) -> Option<&Satisfaction> {
        self.callbacks.last()
    }
}

/// Major and crisis matters start higher up the chain (003: 重大投诉处理程序, 危机事件处理流程).
pub(crate) fn severity_level(s: Severity) -> EscalationLevel {
    match s {
        Severity::General => EscalationLevel::ServiceCentre,
        Severity::Major => EscalationLevel::DepartmentHead,
        Severity::Crisis => EscalationLevel::CompanyLeader,
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn actor_name(event: &Event) -> String {
    match &event.actor {
        crate::Actor::Staff { name, .. } => name.clone(),
        _ => String::new(),
    }
}
