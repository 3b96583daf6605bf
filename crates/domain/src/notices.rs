//! Who must be told what, when an event happens. The store writes these as
//! outbox rows in the same transaction as the event (nothing is lost); a
//! dispatcher resolves them to channels (WeCom, DingTalk, Feishu, webhooks,
//! email) and delivers them with retries.

use crate::complaint::Complaint;
use crate::deadline::{DeadlineRule, EscalationLevel};
use crate::event::{Event, EventKind};
use crate::Severity;
use serde::{Deserialize, Serialize};

/// One notification to send, addressed to a level of the chain and/or a department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable kind: `emergency_received`, `dispatched`, `deadline_breached` …
    pub kind: String,
    /// The level to tell (客服中心, 部门负责人, 公司主管领导, 董事领导).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<EscalationLevel>,
    /// The department to tell, by code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    pub title: String,
    pub body: String,
}

fn rules_zh(rules: &[DeadlineRule]) -> String {
    rules.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、")
}

/// The notices an event calls for; `c` is the complaint after the event.
pub fn notices(event: &Event, c: &Complaint) -> Vec<Notice> {
    let place = format!("{}（{} {}）", c.tracking_no, c.project.name, c.building);
    let dept = c.department.as_ref().map(|d| d.code.clone());
    let dept_name = c.department.as_ref().map(|d| d.name.as_str()).unwrap_or("责任部门");
    let notice = |kind: &str, level: Option<EscalationLevel>, department: Option<String>, title: &str, body: String| Notice {
        kind: kind.into(),
        level,
        department,
        title: title.into(),
        body,
    };
    let mut out = Vec::new();
    match &event.kind {
        EventKind::Received(_) => {
            if c.emergency {
                out.push(notice(
                    "emergency_received",
                    Some(EscalationLevel::ServiceCentre),
                    None,
                    "紧急投诉",
                    format!("【紧急】投诉 {place} 需在 3 分钟内通知责任部门：{}", brief(&c.description)),
                ));
            }
            if let Some(r) = &c.repeat {
                out.push(notice(
                    "repeat_complaint",
                    Some(c.escalation_level),
                    None,
                    "重复投诉",
                    format!("投诉 {place} 是第 {} 次重复投诉（前次 {}），已提高严重程度与升级层级。", r.count, r.tracking_no),
                ));
            }
        }
        EventKind::Assessed { severity, .. } if *severity != Severity::General => out.push(notice(
            "severity_raised",
            Some(c.escalation_level),
            None,
            "重大/危机投诉",
            format!("投诉 {place} 评估为「{}」，请{}关注。", severity.label_zh(), c.escalation_level.label_zh()),
        )),
        EventKind::Dispatched { department, .. } => out.push(notice(
            "dispatched",
            None,
            Some(department.code.clone()),
            "新派单",
            format!("投诉 {place} 已派至{}，请在 2 小时内接单或说明延期。", department.name),
        )),
        EventKind::Urged { note } => out.push(notice(
            "urged",
            None,
            dept.clone(),
            "催办",
            format!("投诉 {place} 被催办（第 {} 次）{}", c.urge_count, note.as_deref().map(|n| format!("：{n}")).unwrap_or_default()),
        )),
        EventKind::ExtensionRequested { reason, due_at } => out.push(notice(
            "extension_requested",
            Some(EscalationLevel::DepartmentHead),
            dept.clone(),
            "延期申请待审批",
            format!("{dept_name}申请将投诉 {place} 的答复时限延至 {}：{reason}", local(*due_at)),
        )),
        EventKind::ExtensionDecided { approved, due_at, note } => out.push(notice(
            "extension_decided",
            None,
            dept.clone(),
            if *approved { "延期已批准" } else { "延期未批准" },
            format!(
                "投诉 {place} 的延期申请{}{}",
                if *approved { format!("已批准，答复时限延至 {}", local(*due_at)) } else { "未获批准，请按原时限办理".to_string() },
                note.as_deref().map(|n| format!("：{n}")).unwrap_or_default()
            ),
        )),
        EventKind::Returned { department, reason } => out.push(notice(
            "returned",
            Some(EscalationLevel::ServiceCentre),
            None,
            "退单",
            format!("{}退回投诉 {place}，请重新派单：{reason}", department.name),
        )),
        EventKind::DeadlineAtRisk { rules } => out.push(notice(
            "deadline_at_risk",
            Some(c.escalation_level),
            dept.clone(),
            "时限预警",
            format!("投诉 {place} 的{}即将到期。", rules_zh(rules)),
        )),
        EventKind::DeadlineBreached { rules, to, .. } => out.push(notice(
            "deadline_breached",
            Some(to.unwrap_or(c.escalation_level)),
            dept.clone(),
            "超时升级",
            match to {
                Some(to) => format!("投诉 {place} 的{}已超时，已升级至{}。", rules_zh(rules), to.label_zh()),
                None => format!("投诉 {place} 的{}已超时。", rules_zh(rules)),
            },
        )),
        EventKind::Escalated { to, reason, .. } => out.push(notice(
            "escalated",
            Some(*to),
            None,
            "投诉升级",
            format!("投诉 {place} 已升级至{}：{reason}", to.label_zh()),
        )),
        EventKind::GroupLinked(g) if g.opened || g.raised => out.push(notice(
            "group_incident",
            Some(EscalationLevel::CompanyLeader),
            None,
            "群诉预警",
            format!(
                "{}项目已有 {} 户就同一问题（{}）投诉，群诉事件 #{} 严重程度「{}」。最新投诉 {place}。",
                c.project.name,
                g.households,
                g.cause,
                g.incident,
                g.severity.label_zh()
            ),
        )),
        EventKind::CallbackRecorded(s) if s.rehandle => out.push(notice(
            "rehandle",
            None,
            dept.clone(),
            "不满意重办",
            format!("投诉 {place} 回访不满意（满意度 {:.2}），已退回{}重办。", s.index, dept_name),
        )),
        _ => {}
    }
    out
}

fn brief(text: &str) -> String {
    let mut s: String = crate::masking::mask_digits_in_text(text).chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

fn local(t: crate::Timestamp) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M").to_string()
}
