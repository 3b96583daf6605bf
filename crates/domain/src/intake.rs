//! Step 1 受理 — receiving a complaint. An [`IntakeDraft`] is what a channel
//! sends; [`IntakeDraft::validate`] turns it into an [`Intake`] or names the
//! first bad field; [`receive`] makes the complaint and its first event.

use crate::classification::{Category, Channel, Remedy, Severity};
use crate::complaint::{Complaint, ProjectRef, StaffRef};
use crate::deadline::schedule::{Clock, at_escalation, at_receipt};
use crate::deadline::{DeadlineChanges, EscalationLevel, TimePolicy, WorkingDays};
use crate::error::DomainError;
use crate::event::{Event, EventKind};
use crate::phone::PhoneNumber;
use crate::text::{MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS, optional_text, required_text};
use crate::tracking::TrackingNo;
use crate::{Actor, Timestamp};
use serde::{Deserialize, Serialize};

/// The complainant (投诉人). Stored in clear, shown masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub name: String,
    pub phone: PhoneNumber,
}

/// The customer as a channel sends it, before validation.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerDraft {
    /// 投诉人姓名.
    pub name: String,
    /// Mobile, landline with area code, or +international.
    pub phone: String,
}

/// A complaint as a channel submits it (`POST /api/v1/complaints`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntakeDraft {
    pub channel: Channel,
    pub customer: CustomerDraft,
    /// Project code, as listed by `GET /api/v1/projects`.
    pub project: String,
    /// Building name within the project, e.g. `3栋`.
    pub building: String,
    /// Unit (room) within the building, e.g. `1801`.
    pub unit: String,
    /// What happened, in the customer's words (at most 10,000 characters).
    pub description: String,
    #[serde(default)]
    pub subject: Option<String>,
    /// What the customer asks for, in their words (ISO 10002 "remedy sought").
    #[serde(default)]
    pub remedy_sought: Option<String>,
    /// The remedies asked for, as codes.
    #[serde(default)]
    pub remedies: Vec<Remedy>,
    /// Username of the first responder (首问责任人); defaults to the caller.
    #[serde(default)]
    pub first_responder: Option<String>,
    /// Category when the channel already knows it.
    #[serde(default)]
    pub category: Option<Category>,
    /// Staff must act within minutes (a trapped person, flooding, fire, gas):
    /// the emergency path of DOMAIN.md runs from receipt.
    #[serde(default)]
    pub emergency: bool,
    /// The service type, for the company's tiered commitments (`lift`, `water_leak` …).
    #[serde(default)]
    pub service: Option<String>,
}

/// A validated intake: every text bounded, the phone parsed. Organisation
/// references (project, building, unit, first responder) are still names;
/// the application resolves them against the organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Intake {
    pub channel: Channel,
    pub customer: Customer,
    pub project_code: String,
    pub building: String,
    pub unit: String,
    pub description: String,
    pub subject: Option<String>,
    pub remedy_sought: Option<String>,
    pub remedies: Vec<Remedy>,
    pub first_responder: Option<String>,
    pub category: Option<Category>,
    pub emergency: bool,
    pub service: Option<String>,
    /// The severity it starts with (from triage, when it is sure).
    pub severity: Option<Severity>,
    /// What triage read in it, set by the application before recording.
    pub triage: Option<crate::triage::TriageResult>,
}

impl IntakeDraft {
    pub fn validate(self) -> Result<Intake, DomainError> {
        let name = required_text("customer.name", &self.customer.name, MAX_NAME_CHARS)?;
        let phone = PhoneNumber::parse("customer.phone", &self.customer.phone)?;
        let mut remedies = self.remedies;
        remedies.sort_by_key(|r| r.as_str());
        remedies.dedup();
        Ok(Intake {
            channel: self.channel,
            customer: Customer { name, phone },
            project_code: required_text("project", &self.project, MAX_SHORT_TEXT_CHARS)?,
            building: required_text("building", &self.building, MAX_SHORT_TEXT_CHARS)?,
            unit: required_text("unit", &self.unit, MAX_SHORT_TEXT_CHARS)?,
            description: required_text("description", &self.description, MAX_DESCRIPTION_CHARS)?,
            subject: optional_text("subject", self.subject.as_deref(), MAX_SHORT_TEXT_CHARS)?,
            remedy_sought: optional_text("remedy_sought", self.remedy_sought.as_deref(), 2_000)?,
            remedies,
            first_responder: optional_text("first_responder", self.first_responder.as_deref(), MAX_NAME_CHARS)?,
            // An emergency category is an emergency: when in doubt, the fast path.
            emergency: self.emergency || self.category == Some(Category::Emergency),
            category: self.category,
            service: optional_text("service", self.service.as_deref(), MAX_NAME_CHARS)?,
            severity: None,
            triage: None,
        })
    }
}

/// An earlier complaint of the same customer, unit and issue: this one is
/// a repeat (重复投诉), and each repeat is worse than the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepeatLink {
    /// The complaint this one repeats.
    pub of: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub tracking_no: TrackingNo,
    /// 1 for the first repeat, 2 for the second …
    pub count: u32,
}

impl RepeatLink {
    /// The severity a repeat starts at: major, then crisis.
    pub fn severity(&self) -> Severity {
        if self.count >= 2 { Severity::Crisis } else { Severity::Major }
    }

    /// The escalation level a repeat starts at: one level higher per repeat.
    pub fn level(&self) -> EscalationLevel {
        (0..self.count.min(3)).fold(EscalationLevel::ServiceCentre, |l, _| l.next())
    }
}

/// Everything [`receive`] needs once storage has allotted the id and number.
#[derive(Debug, Clone)]
pub struct Reception {
    pub id: i64,
    pub company_id: i64,
    pub tracking_no: TrackingNo,
    pub project: ProjectRef,
    pub first_responder: Option<StaffRef>,
    pub intake: Intake,
    pub repeat: Option<RepeatLink>,
    pub actor: Actor,
    pub now: Timestamp,
    pub policy: TimePolicy,
}

/// The Received event's payload: the intake as resolved at receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    pub company_id: i64,
    pub tracking_no: TrackingNo,
    pub channel: Channel,
    pub customer: Customer,
    pub project: ProjectRef,
    pub building: String,
    pub unit: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy_sought: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remedies: Vec<Remedy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_responder: Option<StaffRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub emergency: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<RepeatLink>,
    /// The severity it started with (from triage), before any repeat floor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<Box<crate::triage::TriageResult>>,
}

impl Received {
    /// The severity a complaint starts with: triage's when it was sure, and
    /// at least major for a repeat.
    pub fn severity(&self) -> Option<Severity> {
        let repeat = self.repeat.as_ref().map(RepeatLink::severity);
        match (self.severity, repeat) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// The escalation level a complaint starts at: higher for each repeat,
    /// and for a major or crisis matter.
    pub fn level(&self) -> EscalationLevel {
        let repeat = self.repeat.as_ref().map(RepeatLink::level).unwrap_or_default();
        repeat.max(self.severity().map(crate::complaint::severity_level).unwrap_or_default())
    }
}

/// Step 1: the complaint and its first event. The deadlines that start at
/// receipt (dispatch or the emergency notice, and the answer) open here.
pub fn receive(r: Reception, days: &dyn WorkingDays) -> (Complaint, Event) {
    let repeat_level = r.repeat.as_ref().map(RepeatLink::level).unwrap_or_default();
    let repeat_severity = r.repeat.as_ref().map(RepeatLink::severity);
    let severity = match (r.intake.severity, repeat_severity) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let level = repeat_level.max(severity.map(crate::complaint::severity_level).unwrap_or_default());
    let clock = Clock { now: r.now, policy: &r.policy, days };
    let deadlines =
        DeadlineChanges::opened(at_receipt(&clock, r.intake.emergency, r.intake.service.as_deref(), level));
    let i = r.intake;
    let event = Event {
        seq: 1,
        at: r.now,
        actor: r.actor,
        kind: EventKind::Received(Box::new(Received {
            company_id: r.company_id,
            tracking_no: r.tracking_no,
            channel: i.channel,
            customer: i.customer,
            project: r.project,
            building: i.building,
            unit: i.unit,
            description: i.description,
            subject: i.subject,
            remedy_sought: i.remedy_sought,
            remedies: i.remedies,
            first_responder: r.first_responder,
            category: i.category,
            emergency: i.emergency,
            service: i.service,
            repeat: r.repeat,
            severity: i.severity,
            triage: i.triage.map(Box::new),
        })),
        deadlines,
    };
    let mut event = event;
    let mut complaint = Complaint::from_first_event(r.id, &event)
        .expect("a Received event always starts a complaint");
    // A repeat that starts at the company's leaders (or the board) owes
    // what an escalation there owes: the written report, and for an
    // emergency the leader's minutes to solve it — as a crisis assessment would.
    if level >= EscalationLevel::CompanyLeader {
        let more = at_escalation(&clock, &complaint, level).relevant_to(&complaint.deadlines);
        event.deadlines = event.deadlines.and(more);
        complaint = Complaint::from_first_event(r.id, &event)
            .expect("a Received event always starts a complaint");
    }
    (complaint, event)
}
