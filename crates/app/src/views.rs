//! What callers see of a complaint: personal data masked (`张**`,
//! `138****5678`, `1***`), history with actors and roles, the actions the
//! caller may take now. The API serialises these; the pages render them.

use serde::Serialize;
use serde_json::Value;
use tousu_domain::classification::{Category, Channel, Remedy, Severity};
use tousu_domain::complaint::{DepartmentRef, PendingExtension, StaffRef};
use tousu_domain::deadline::stream::DeadlineEvent;
use tousu_domain::intake::RepeatLink;
use tousu_domain::deadline::EscalationLevel;
use tousu_domain::event::{EvidenceFile, Investigation};
use tousu_domain::masking::{mask_digits_in_text, mask_name, mask_unit};
use tousu_domain::satisfaction::Satisfaction;
use tousu_domain::{Actor, Complaint, Deadline, Event, EventKind, Role, Status};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;


/// The customer, masked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CustomerView {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProjectView {
    pub code: String,
    pub name: String,
}

/// A complaint as staff see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ComplaintView {
    pub id: i64,
    pub tracking_no: String,
    pub status: Status,
    /// The status in Chinese (已受理, 处理中 …).
    pub status_label: &'static str,
    pub channel: Channel,
    pub customer: CustomerView,
    pub project: ProjectView,
    pub building: String,
    /// Masked unit (`1***`).
    pub unit: String,
    pub subject: Option<String>,
    /// The owner's words; long digit runs (phones, ID numbers) masked.
    pub description: String,
    pub remedy_sought: Option<String>,
    pub remedies: Vec<Remedy>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub first_responder: Option<StaffRef>,
    pub department: Option<DepartmentRef>,
    pub handler: Option<StaffRef>,
    pub investigation: Option<Investigation>,
    pub invalid_explanation: Option<String>,
    pub promised_at: Option<chrono::DateTime<chrono::Utc>>,
    pub delay_reason: Option<String>,
    pub resolution: Option<String>,
    pub resolved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The latest callback's scores and satisfaction index (perceived ÷ expected).
    pub satisfaction: Option<Satisfaction>,
    pub callbacks: Vec<Satisfaction>,
    pub awaiting_callback: bool,
    pub reopen_count: u32,
    pub rehandle_count: u32,
    pub evidence: Vec<EvidenceFile>,
    pub escalation_level: EscalationLevel,
    /// The escalation level in Chinese (客服中心, 部门负责人 …).
    pub escalation_label: &'static str,
    /// The emergency path runs (act within minutes).
    pub emergency: bool,
    /// The service type, for the company's tiered commitments.
    pub service: Option<String>,
    /// The earlier complaint this one repeats (重复投诉).
    pub repeat: Option<RepeatLink>,
    /// Other departments the matter needs.
    pub cooperating: Vec<DepartmentRef>,
    /// 催办: times the department was urged.
    pub urge_count: u32,
    /// 退单: times a department returned it.
    pub returned_count: u32,
    /// A request for more time waiting for approval.
    pub pending_extension: Option<PendingExtension>,
    /// Set while waiting on the customer (the clocks that may pause are paused).
    pub paused_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The time the owner was promised, while open.
    pub committed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The group complaint (群诉) this one belongs to.
    pub group: Option<tousu_domain::event::GroupLink>,
    /// 缺陷归因 — the root cause filed in the defect library (component,
    /// phase, cost), recorded by a person or read from the words at closing.
    pub defect: Option<tousu_domain::defects::Defect>,
    /// What triage read (category, severity, emergency, psychology …, each
    /// with confidence and evidence) and the suggested response script (话术).
    pub triage: Option<tousu_domain::triage::TriageResult>,
    /// Every deadline: open ones with their due time, met ones with when.
    pub deadlines: Vec<Deadline>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: u32,
    /// The actions the caller may take now.
    pub available_actions: Vec<&'static str>,
    /// Oldest first; present when one complaint is read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<HistoryItem>>,
}

/// One event of the history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HistoryItem {
    pub seq: u32,
    /// `received`, `confirmed`, `dispatched` …
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: ActorView,
    /// The event's fields (personal data masked).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: Value,
    /// Deadlines the event opened, met or cancelled.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub deadlines: Value,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ActorView {
    /// `staff`, `owner` or `system`.
    pub kind: &'static str,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub role: Option<Role>,
    /// The role in Chinese, or 业主 / 系统.
    pub role_label: &'static str,
    pub department: Option<String>,
}

impl ActorView {
    pub fn of(actor: &Actor) -> ActorView {
        match actor {
            Actor::Staff { id, name, role, department } => ActorView {
                kind: "staff",
                id: Some(*id),
                name: Some(name.clone()),
                role: Some(*role),
                role_label: role.label_zh(),
                department: department.clone(),
            },
            Actor::Owner => ActorView { kind: "owner", id: None, name: None, role: None, role_label: "业主", department: None },
            Actor::System => ActorView { kind: "system", id: None, name: None, role: None, role_label: "系统", department: None },
        }
    }
}

impl ComplaintView {
    /// The masked view, with `available_actions` computed for `viewer`.
    pub fn of(c: &Complaint, viewer: Option<&Actor>) -> ComplaintView {
        ComplaintView {
            id: c.id,
            tracking_no: c.tracking_no.to_string(),
            status: c.status,
            status_label: c.status.label_zh(),
            channel: c.channel,
            customer: CustomerView { name: mask_name(&c.customer.name), phone: c.customer.phone.masked() },
            project: ProjectView { code: c.project.code.clone(), name: c.project.name.clone() },
            building: c.building.clone(),
            unit: mask_unit(&c.unit),
            subject: c.subject.clone(),
            description: mask_digits_in_text(&c.description),
            remedy_sought: c.remedy_sought.clone(),
            remedies: c.remedies.clone(),
            category: c.category,
            severity: c.severity,
            first_responder: c.first_responder.clone(),
            department: c.department.clone(),
            handler: c.handler.clone(),
            investigation: c.investigation.clone(),
            invalid_explanation: c.invalid_explanation.clone(),
            promised_at: c.promised_at,
            delay_reason: c.delay_reason.clone(),
            resolution: c.resolution.clone(),
            resolved_at: c.resolved_at,
            closed_at: c.closed_at,
            satisfaction: c.satisfaction().cloned(),
            callbacks: c.callbacks.clone(),
            awaiting_callback: c.awaiting_callback,
            reopen_count: c.reopen_count,
            rehandle_count: c.rehandle_count,
            evidence: c.evidence.clone(),
            escalation_level: c.escalation_level,
            escalation_label: c.escalation_level.label_zh(),
            emergency: c.emergency,
            service: c.service.clone(),
            repeat: c.repeat.clone(),
            cooperating: c.cooperating.clone(),
            urge_count: c.urge_count,
            returned_count: c.returned_count,
            pending_extension: c.pending_extension.clone(),
            paused_at: c.paused_at,
            committed_at: tousu_domain::owner_view::committed_time(c),
            group: c.group.clone(),
            defect: c.defect.clone(),
            triage: c.triage.clone().map(|t| mask_triage(t, &c.unit)),
            deadlines: c.deadlines.clone(),
            received_at: c.received_at,
            updated_at: c.updated_at,
            version: c.version,
            available_actions: viewer.map(|a| tousu_domain::lifecycle::available_actions(c, a)).unwrap_or_default(),
            history: None,
        }
    }

    pub fn with_history(mut self, events: &[Event]) -> ComplaintView {
        self.history = Some(events.iter().map(HistoryItem::of).collect());
        self
    }
}

impl HistoryItem {
    pub fn of(e: &Event) -> HistoryItem {
        let mut payload = serde_json::to_value(&e.kind).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut payload {
            map.remove("type");
        }
        if let EventKind::Received(r) = &e.kind {
            mask_received(&mut payload, &r.customer.name, r.customer.phone.masked(), &r.unit, &r.description);
            if let (Some(t), Some(map)) = (&r.triage, payload.as_object_mut()) {
                map.insert("triage".into(), serde_json::to_value(mask_triage((**t).clone(), &r.unit)).unwrap_or(Value::Null));
            }
        }
        HistoryItem {
            seq: e.seq,
            kind: e.kind.type_name(),
            at: e.at,
            actor: ActorView::of(&e.actor),
            payload,
            deadlines: serde_json::to_value(&e.deadlines).unwrap_or(Value::Null),
        }
    }
}

/// The unit read from the text is personal data like the unit itself, and
/// so is any unit or long number the evidence quotes.
fn mask_triage(mut t: tousu_domain::triage::TriageResult, unit: &str) -> tousu_domain::triage::TriageResult {
    let mut units: Vec<String> = t.unit.value.iter().chain(std::iter::once(&unit.to_string())).cloned().collect();
    units.retain(|u| !u.trim().is_empty());
    // Longest first, so that a unit containing another is masked whole.
    units.sort_by_key(|u| std::cmp::Reverse(u.chars().count()));
    for evidence in t.evidence_mut() {
        for e in evidence.iter_mut() {
            let mut masked = mask_digits_in_text(e);
            for u in &units {
                masked = masked.replace(u.as_str(), &mask_unit(u));
            }
            *e = masked;
        }
    }
    t.unit.value = t.unit.value.map(|u| mask_unit(&u));
    t
}

fn mask_received(payload: &mut Value, name: &str, phone: String, unit: &str, description: &str) {
    if let Some(customer) = payload.get_mut("customer").and_then(Value::as_object_mut) {
        customer.insert("name".into(), Value::String(mask_name(name)));
        customer.insert("phone".into(), Value::String(phone));
    }
    if let Some(map) = payload.as_object_mut() {
        map.insert("unit".into(), Value::String(mask_unit(unit)));
        map.insert("description".into(), Value::String(mask_digits_in_text(description)));
    }
}

/// A page of complaints.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ComplaintPage {
    pub items: Vec<ComplaintView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` to get the page before; absent on the first page.
    pub prev_cursor: Option<String>,
}

/// Personal data in clear, answered to an explicit, recorded reveal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RevealedView {
    pub complaint_id: i64,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub unit: Option<String>,
    /// The description unmasked, given with the phone (it may contain numbers).
    pub description: Option<String>,
    /// The history entry that records this reveal.
    pub recorded_as_seq: u32,
}

/// What an owner sees when following a complaint.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OwnerTrackingView {
    pub tracking_no: String,
    /// The property company, as the owner knows it.
    pub company: String,
    pub status: Status,
    /// Progress in plain words.
    pub status_text: &'static str,
    pub project: String,
    pub building: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// The time promised to the owner, while open.
    pub committed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The department handling it, once dispatched.
    pub department: Option<String>,
    pub resolution: Option<String>,
    /// What the owner may do now: `accept_result`, `reject_result`, `callback`.
    pub available_actions: Vec<&'static str>,
    pub history: Vec<tousu_domain::owner_view::OwnerEvent>,
}

/// A complaint's deadlines and the life of each (`GET …/deadlines`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeadlinesView {
    pub complaint_id: i64,
    pub escalation_level: EscalationLevel,
    /// Every deadline as it stands.
    pub deadlines: Vec<Deadline>,
    /// Applied, at risk, met, breached, extended, paused … in history order.
    pub events: Vec<DeadlineEvent>,
}
