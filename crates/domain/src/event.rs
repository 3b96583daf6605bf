//! Events: the append-only history of a complaint. Each event is a fact that
//! happened; [`crate::Complaint::apply`] folds it into the current state.

use crate::classification::{Category, Severity};
use crate::complaint::{DepartmentRef, StaffRef};
use crate::deadline::{DeadlineChanges, DeadlineRule, EscalationLevel};
use crate::intake::Received;
use crate::masking::PersonalField;
use crate::satisfaction::Satisfaction;
use crate::{Actor, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the complaint's history, from 1, without gaps.
    pub seq: u32,
    pub at: Timestamp,
    pub actor: Actor,
    #[serde(flatten)]
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "DeadlineChanges::is_empty")]
    pub deadlines: DeadlineChanges,
}

/// What happened. The `type` tag is stable: it is stored and served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    Received(Box<Received>),
    Confirmed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Invalidated {
        explanation: String,
    },
    Assessed {
        severity: Severity,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<Category>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Investigated(Investigation),
    Dispatched {
        department: DepartmentRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handler: Option<StaffRef>,
        /// Other departments the matter needs (the answer limit becomes the
        /// several-departments one).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cooperating: Vec<DepartmentRef>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    Accepted {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    DelayReported {
        reason: String,
        new_time: Timestamp,
    },
    Resolved {
        resolution: String,
        /// When the work itself was finished (the completion report is due 2 h after).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        finished_at: Option<Timestamp>,
    },
    ResultAccepted {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    ResultRejected {
        reason: String,
    },
    Closed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The root cause it carries into the defect library (缺陷库): the
        /// one recorded, or one read from its words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        defect: Option<crate::defects::Defect>,
    },
    /// Filed (or re-filed) in the defect library; `previous` is what it replaced.
    DefectRecorded {
        defect: crate::defects::Defect,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<crate::defects::Defect>,
    },
    CallbackRecorded(Satisfaction),
    EvidenceAttached(EvidenceFile),
    /// Personal data was shown in clear to the actor (who, when, which fields).
    PersonalDataRevealed {
        fields: Vec<PersonalField>,
    },
    /// Deadlines passed their at-risk moment (a warning before the breach).
    DeadlineAtRisk {
        rules: Vec<DeadlineRule>,
    },
    /// Deadlines passed their due time; the complaint rose from `from` to `to`
    /// (absent when it was already at the top).
    DeadlineBreached {
        rules: Vec<DeadlineRule>,
        from: EscalationLevel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<EscalationLevel>,
    },
    /// Raised up the chain by someone who cannot solve it at their level.
    Escalated {
        from: EscalationLevel,
        to: EscalationLevel,
        reason: String,
    },
    /// 延期申请: the department asks for more time.
    ExtensionRequested {
        reason: String,
        due_at: Timestamp,
    },
    /// 延期审批: approved (the answer deadline and the owner's committed time move) or refused.
    ExtensionDecided {
        approved: bool,
        due_at: Timestamp,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// 退单: the department returns a complaint dispatched to it by mistake.
    Returned {
        department: DepartmentRef,
        reason: String,
    },
    /// 催办: the service centre or a leader urges the department.
    Urged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Waiting on the customer: clocks that may pause are paused.
    Paused {
        reason: String,
    },
    Resumed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Linked to a group complaint (群诉): many households of the project
    /// complaining of one cause. `opened` when this complaint's arrival
    /// flagged the incident, `raised` when it made the incident more severe.
    GroupLinked(GroupLink),
    /// A person corrected what triage read (the person wins over the machine).
    TriageCorrected {
        field: String,
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// An obligation that is not a state change was met: the first
    /// responder told, a written report filed, an emergency verified.
    ReportRecorded {
        report: ReportKind,
        text: String,
    },
}

/// A complaint's place in a group incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupLink {
    /// The incident's id.
    pub incident: i64,
    /// Distinct households in it so far.
    pub households: u32,
    pub severity: Severity,
    /// The common cause (`lift`, `water_supply` …).
    pub cause: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub opened: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub raised: bool,
}

/// The reports that close obligations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 告知首问: the first responder was told the outcome.
    FirstResponderUpdate,
    /// 书面报告 to the company's leaders (24 h) or the board (48 h).
    WrittenReport,
    /// 核实: the emergency's handling was verified.
    Verification,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] =
        [ReportKind::FirstResponderUpdate, ReportKind::WrittenReport, ReportKind::Verification];

    /// Whether `c` owes a report of this kind now.
    pub fn owed_by(self, c: &crate::Complaint) -> bool {
        self.meets().iter().any(|r| c.open_deadline(*r).is_some())
    }

    /// The deadline rules a report of this kind meets.
    pub fn meets(self) -> &'static [DeadlineRule] {
        match self {
            ReportKind::FirstResponderUpdate => &[DeadlineRule::FirstResponderUpdate],
            ReportKind::WrittenReport => &[DeadlineRule::WrittenReportLeader, DeadlineRule::WrittenReportBoard],
            ReportKind::Verification => &[DeadlineRule::Verification],
        }
    }
}

/// Step 4's findings: who is responsible and why it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Investigation {
    /// The responsible department.
    pub department: DepartmentRef,
    /// The responsible post (岗位), e.g. 水电维修岗.
    pub post: String,
    /// The responsible person.
    pub person: String,
    pub root_cause: String,
    /// Ids of evidence files attached to this complaint.
    #[serde(default)]
    pub evidence: Vec<i64>,
    /// The written investigation report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// A file kept as evidence: photos, recordings, documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceFile {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

impl EventKind {
    /// The stable type tag, as stored in the `kind` column.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::Received(_) => "received",
            EventKind::Confirmed { .. } => "confirmed",
            EventKind::Invalidated { .. } => "invalidated",
            EventKind::Assessed { .. } => "assessed",
            EventKind::Investigated(_) => "investigated",
            EventKind::Dispatched { .. } => "dispatched",
            EventKind::Accepted { .. } => "accepted",
            EventKind::DelayReported { .. } => "delay_reported",
            EventKind::Resolved { .. } => "resolved",
            EventKind::ResultAccepted { .. } => "result_accepted",
            EventKind::ResultRejected { .. } => "result_rejected",
            EventKind::Closed { .. } => "closed",
            EventKind::CallbackRecorded(_) => "callback_recorded",
            EventKind::EvidenceAttached(_) => "evidence_attached",
            EventKind::PersonalDataRevealed { .. } => "personal_data_revealed",
            EventKind::DeadlineAtRisk { .. } => "deadline_at_risk",
            EventKind::DeadlineBreached { .. } => "deadline_breached",
            EventKind::Escalated { .. } => "escalated",
            EventKind::ExtensionRequested { .. } => "extension_requested",
            EventKind::ExtensionDecided { .. } => "extension_decided",
            EventKind::Returned { .. } => "returned",
            EventKind::Urged { .. } => "urged",
            EventKind::Paused { .. } => "paused",
            EventKind::Resumed { .. } => "resumed",
            EventKind::ReportRecorded { .. } => "report_recorded",
            EventKind::TriageCorrected { .. } => "triage_corrected",
            EventKind::DefectRecorded { .. } => "defect_recorded",
            EventKind::GroupLinked(_) => "group_linked",
        }
    }
}
