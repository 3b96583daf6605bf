//! What an owner sees when following their complaint: progress in plain
//! words, actors reduced to roles, internal findings (root cause, the
//! responsible person, who looked at personal data) left out.

use crate::event::{Event, EventKind};
use crate::Timestamp;
use serde::Serialize;

/// One step of the history as the owner reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerEvent {
    pub at: chrono::DateTime<chrono::Utc>,
    /// The stable event type, as in the staff history.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Who acted, as a role (客服, 处理人员 …), never a name.
    pub actor: &'static str,
    /// What happened, in plain Chinese.
    pub text: String,
}

/// The owner's view of one event, or `None` when it is internal.
pub fn owner_event(event: &Event) -> Option<OwnerEvent> {
    use EventKind as K;
    let text = match &event.kind {
        K::Received(r) => format!("您的投诉已受理，受理编号 {}。", r.tracking_no),
        K::Confirmed { .. } => "客服已与您确认投诉内容。".to_string(),
        K::Invalidated { explanation } => format!("经核实不属于需处理的投诉：{explanation}"),
        K::Assessed { .. } => "已完成投诉评估。".to_string(),
        K::Investigated(_) => "正在调查原因、确定责任部门。".to_string(),
        K::Dispatched { department, .. } => format!("已转交{}处理。", department.name),
        K::Accepted { .. } => "责任部门已接单，正在处理。".to_string(),
        K::DelayReported { reason, new_time } => format!(
            "处理需要延期：{reason}。预计完成时间 {}。",
            new_time.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M")
        ),
        K::Resolved { resolution, .. } => format!("处理结果：{resolution}"),
        K::ResultAccepted { .. } => "您已确认处理结果。".to_string(),
        K::ResultRejected { reason } => format!("您对处理结果不满意，已重新处理：{reason}"),
        K::Closed { .. } => "投诉已办结关闭。".to_string(),
        K::CallbackRecorded(s) if s.rehandle => "已回访。您仍不满意，已安排重新处理。".to_string(),
        K::CallbackRecorded(_) => "已完成回访，感谢您的评价。".to_string(),
        K::DeadlineBreached { to: Some(to), .. } | K::Escalated { to, .. } => {
            format!("您的投诉已升级至{}督办。", to.label_zh())
        }
        K::ExtensionDecided { approved: true, due_at, .. } => format!(
            "处理时间经审批延长，预计完成时间 {}。",
            due_at.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M")
        ),
        K::Urged { .. } => "已督促责任部门加快处理。".to_string(),
        K::Paused { reason } => format!("等待您的配合：{reason}"),
        K::Resumed { .. } => "已恢复处理。".to_string(),
        // Internal: evidence, who looked at personal data, warnings, requests,
        // returns between departments, internal reports.
        K::EvidenceAttached(_)
        | K::PersonalDataRevealed { .. }
        | K::DeadlineAtRisk { .. }
        | K::DeadlineBreached { to: None, .. }
        | K::ExtensionRequested { .. }
        | K::ExtensionDecided { approved: false, .. }
        | K::Returned { .. }
        | K::ReportRecorded { .. }
        | K::TriageCorrected { .. }
        | K::DefectRecorded { .. }
        | K::GroupLinked(_) => return None,
    };
    Some(OwnerEvent { at: event.at, kind: event.kind.type_name(), actor: event.actor.public_label_zh(), text })
}

/// The time the owner was promised: the department's new time after a
/// reported delay, otherwise the open answer deadline.
pub fn committed_time(c: &crate::Complaint) -> Option<Timestamp> {
    if !c.status.is_open() {
        return None;
    }
    c.promised_at.or_else(|| {
        c.open_deadlines().find(|d| d.rule == crate::DeadlineRule::Answer).map(|d| d.due_at)
    })
}
