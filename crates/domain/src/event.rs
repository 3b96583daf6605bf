//! Events: the append-only history of a complaint. Each event is a fact that
//! happened; [`crate::Complaint::apply`] folds it into the current state.

use crate::classification::{Category, Severity};
use crate::complaint::{DepartmentRef, StaffRef};
use crate::deadline::DeadlineChanges;
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
    },
    CallbackRecorded(Satisfaction),
    EvidenceAttached(EvidenceFile),
    /// Personal data was shown in clear to the actor (who, when, which fields).
    PersonalDataRevealed {
        fields: Vec<PersonalField>,
    },
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
        }
    }
}
