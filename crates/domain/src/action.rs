//! Actions: what staff (or the owner) ask to do to a complaint
//! (`POST /api/v1/complaints/{id}/transitions`, `{"action": …, …fields}`).


use crate::classification::{CallbackMethod, Category, Severity};
use crate::event::ReportKind;
use serde::{Deserialize, Serialize};

/// One lifecycle action with its fields. Unknown fields are refused so a
/// typo (`new_tme`) is an error rather than a silently ignored value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// 2 确认: a valid complaint, confirmed with the customer.
    Confirm {
        #[serde(default)]
        note: Option<String>,
    },
    /// 2 确认: a consultation or invalid complaint; the explanation given to
    /// the customer is required. Closes the complaint.
    Invalidate { explanation: String },
    /// 3 评估: severity (general, major, crisis) and optionally the category.
    Assess {
        severity: Severity,
        #[serde(default)]
        category: Option<Category>,
        #[serde(default)]
        note: Option<String>,
    },
    /// 4 调查: responsible department (code), post, person, root cause,
    /// evidence file ids (uploaded to `/files`), written report.
    Investigate {
        department: String,
        post: String,
        person: String,
        root_cause: String,
        #[serde(default)]
        evidence: Vec<i64>,
        #[serde(default)]
        report: Option<String>,
    },
    /// 5 派单: send to the department (defaults to the investigated one),
    /// optionally naming the handler by username.
    Dispatch {
        #[serde(default)]
        department: Option<String>,
        #[serde(default)]
        handler: Option<String>,
        /// Codes of other departments the matter needs: the answer limit
        /// becomes the several-departments one (7 working days by default).
        #[serde(default)]
        cooperating: Vec<String>,
        #[serde(default)]
        note: Option<String>,
    },
    /// 5 接单: the department accepts the work.
    Accept {
        #[serde(default)]
        note: Option<String>,
    },
    /// 5 延期说明: the department cannot finish on time: reason and new time.
    ReportDelay { reason: String, new_time: chrono::DateTime<chrono::Utc> },
    /// 5 办结: the department reports it fixed; `finished_at`, when the work
    /// was finished earlier, starts the 2 h completion-report limit.
    Resolve {
        resolution: String,
        #[serde(default)]
        finished_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// 6: the customer accepts the result.
    AcceptResult {
        #[serde(default)]
        note: Option<String>,
    },
    /// 6: the customer rejects the result; the complaint reopens.
    RejectResult { reason: String },
    /// 6 关闭: the department head approves closure.
    Close {
        #[serde(default)]
        note: Option<String>,
    },
    /// 7 回访: perceived and expected scores 1–10 and a comment. A
    /// dissatisfied callback (perceived < expected) sends it back (重办).
    Callback {
        perceived: u8,
        expected: u8,
        #[serde(default)]
        comment: Option<String>,
        #[serde(default)]
        method: Option<CallbackMethod>,
    },
    /// 延期申请: the department asks for more time to answer (reason, new time).
    RequestExtension { reason: String, new_time: chrono::DateTime<chrono::Utc> },
    /// 延期审批: the department head (or the level the policy names) approves or refuses.
    DecideExtension {
        approve: bool,
        #[serde(default)]
        note: Option<String>,
    },
    /// 退单: the department returns a complaint dispatched to it by mistake;
    /// the service centre dispatches it again. The answer clock runs on.
    Return { reason: String },
    /// 催办: the service centre or a leader urges the department.
    Urge {
        #[serde(default)]
        note: Option<String>,
    },
    /// Waiting on the customer: pauses the clocks that may pause.
    Pause { reason: String },
    Resume {
        #[serde(default)]
        note: Option<String>,
    },
    /// Records a report that closes an obligation: `first_responder_update`,
    /// `written_report`, `verification`.
    RecordReport { report: ReportKind, text: String },
    /// Corrects what triage read (`field`: category, service_aspect, severity,
    /// emergency, psychology, touchpoint, repeat_claimed, compensation).
    CorrectTriage {
        field: String,
        value: String,
        #[serde(default)]
        note: Option<String>,
    },
    /// Raises the complaint one level up the chain (客服中心 → 部门负责人 →
    /// 公司主管领导 → 董事领导) when it cannot be solved at this level.
    Escalate { reason: String },
    /// 缺陷归因: files the complaint in the defect library — a component of
    /// the company's component tree, the phase that caused it, and what the
    /// fix cost (元) where known. Possible from investigation on, and after
    /// closing to correct what was read from the complaint's words.
    RecordDefect {
        component: String,
        phase: crate::defects::Phase,
        #[serde(default)]
        cost: Option<f64>,
    },
}

impl Action {
    /// The action's stable name, as in the `action` field.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Confirm { .. } => "confirm",
            Action::Invalidate { .. } => "invalidate",
            Action::Assess { .. } => "assess",
            Action::Investigate { .. } => "investigate",
            Action::Dispatch { .. } => "dispatch",
            Action::Accept { .. } => "accept",
            Action::ReportDelay { .. } => "report_delay",
            Action::Resolve { .. } => "resolve",
            Action::AcceptResult { .. } => "accept_result",
            Action::RejectResult { .. } => "reject_result",
            Action::Close { .. } => "close",
            Action::Callback { .. } => "callback",
            Action::RequestExtension { .. } => "request_extension",
            Action::DecideExtension { .. } => "decide_extension",
            Action::Return { .. } => "return",
            Action::Urge { .. } => "urge",
            Action::Pause { .. } => "pause",
            Action::Resume { .. } => "resume",
            Action::RecordReport { .. } => "record_report",
            Action::Escalate { .. } => "escalate",
            Action::CorrectTriage { .. } => "correct_triage",
            Action::RecordDefect { .. } => "record_defect",
        }
    }
}

/// All action names: the lifecycle in order, then the moves between the
/// service centre and the departments.
pub const ACTION_NAMES: [&str; 22] = [
    "confirm",
    "invalidate",
    "assess",
    "investigate",
    "dispatch",
    "accept",
    "report_delay",
    "resolve",
    "accept_result",
    "reject_result",
    "close",
    "callback",
    "request_extension",
    "decide_extension",
    "return",
    "urge",
    "pause",
    "resume",
    "record_report",
    "escalate",
    "correct_triage",
    "record_defect",
];

/// The Chinese name of an action (or of another recorded operation).
pub fn action_label_zh(name: &str) -> &'static str {
    match name {
        "confirm" => "确认投诉",
        "invalidate" => "判定无效并关闭",
        "assess" => "评估",
        "investigate" => "调查",
        "dispatch" => "派单",
        "accept" => "接单",
        "report_delay" => "延期说明",
        "resolve" => "办结",
        "accept_result" => "业主确认结果",
        "reject_result" => "业主不认可结果",
        "close" => "审批关闭",
        "callback" => "回访",
        "request_extension" => "申请延期",
        "decide_extension" => "审批延期",
        "return" => "退单",
        "urge" => "催办",
        "pause" => "暂停计时",
        "resume" => "恢复计时",
        "record_report" => "提交报告",
        "escalate" => "升级",
        "correct_triage" => "更正分诊",
        "attach_evidence" => "上传证据",
        "reveal" => "查看个人信息",
        _ => "操作",
    }
}
