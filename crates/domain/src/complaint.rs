//! The current state of a complaint: a fold of its events.

use crate::classification::{Category, Channel, Remedy, Severity};
use crate::deadline::{Deadline, EscalationLevel, apply_changes};
use crate::event::{EvidenceFile, Event, EventKind, Investigation};
use crate::intake::Customer;
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
    pub received_at: Timestamp,
    pub updated_at: Timestamp,
    /// The number of events applied: the `seq` of the last one.
    pub version: u32,
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
            severity: None,
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
            escalation_level: EscalationLevel::ServiceCentre,
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
            }
            K::Assessed { severity, category, .. } => {
                self.status = Status::Assessed;
                self.severity = Some(*severity);
                if category.is_some() {
                    self.category = *category;
                }
            }
            K::Investigated(inv) => {
                self.status = Status::Investigating;
                self.investigation = Some(inv.clone());
            }
            K::Dispatched { department, handler, .. } => {
                self.status = Status::Dispatched;
                self.department = Some(department.clone());
                self.handler = handler.clone();
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
            K::Resolved { resolution } => {
                self.status = Status::Resolved;
                self.resolution = Some(resolution.clone());
                self.resolved_at = Some(event.at);
                // The promise made with a delay is kept (or superseded) once resolved;
                // a reopened complaint is owed the new answer deadline instead.
                self.promised_at = None;
            }
            K::ResultAccepted { .. } => self.status = Status::CustomerAccepted,
            K::ResultRejected { .. } => {
                self.status = Status::InProgress;
                self.reopen_count += 1;
            }
            K::Closed { .. } => {
                self.status = Status::Closed;
                self.closed_at = Some(event.at);
                self.awaiting_callback = true;
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
            K::PersonalDataRevealed { .. } => {}
        }
        apply_changes(&mut self.deadlines, &event.deadlines, event.at);
        self.updated_at = event.at;
        self.version = event.seq;
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

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn actor_name(event: &Event) -> String {
    match &event.actor {
        crate::Actor::Staff { name, .. } => name.clone(),
        _ => String::new(),
    }
}
