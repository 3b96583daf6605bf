//! Where a complaint stands in the 8 steps of DOMAIN.md.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The state after each lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 受理: recorded, tracking number given.
    Received,
    /// 2 确认: a valid complaint, confirmed with the customer.
    Confirmed,
    /// 2 确认: consultation or invalid complaint, explained and closed.
    ClosedInvalid,
    /// 3 评估: severity assessed.
    Assessed,
    /// 4 调查: responsible department, cause and evidence being established.
    Investigating,
    /// 5 处理: sent to the department, waiting for it to accept (派单).
    Dispatched,
    /// 5 处理: the department is working on it.
    InProgress,
    /// 5 处理: the department reports it fixed; the customer is asked.
    Resolved,
    /// 6 跟踪关闭: the customer accepts the result; waiting for the head's approval.
    CustomerAccepted,
    /// 6 跟踪关闭: approved and archived. The callback (7) follows.
    Closed,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Received,
        Status::Confirmed,
        Status::ClosedInvalid,
        Status::Assessed,
        Status::Investigating,
        Status::Dispatched,
        Status::InProgress,
        Status::Resolved,
        Status::CustomerAccepted,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Confirmed => "confirmed",
            Status::ClosedInvalid => "closed_invalid",
            Status::Assessed => "assessed",
            Status::Investigating => "investigating",
            Status::Dispatched => "dispatched",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::CustomerAccepted => "customer_accepted",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Open means someone still owes the customer something before closure.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::ClosedInvalid)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Received => "已受理",
            Status::Confirmed => "已确认",
            Status::ClosedInvalid => "无效投诉已关闭",
            Status::Assessed => "已评估",
            Status::Investigating => "调查中",
            Status::Dispatched => "已派单",
            Status::InProgress => "处理中",
            Status::Resolved => "已处理待确认",
            Status::CustomerAccepted => "业主已确认待关闭",
            Status::Closed => "已关闭",
        }
    }

    /// Plain words for owners following their complaint.
    pub fn owner_text_zh(self) -> &'static str {
        match self {
            Status::Received => "我们已收到您的投诉，正在核实。",
            Status::Confirmed => "已与您确认投诉内容，正在评估。",
            Status::ClosedInvalid => "经核实属于咨询或无效投诉，已向您说明并关闭。",
            Status::Assessed => "已完成评估，正在调查原因。",
            Status::Investigating => "正在调查原因、确定责任部门。",
            Status::Dispatched => "已转交责任部门处理。",
            Status::InProgress => "责任部门正在处理。",
            Status::Resolved => "责任部门已处理完毕，请您确认处理结果。",
            Status::CustomerAccepted => "您已确认处理结果，正在办理关闭。",
            Status::Closed => "投诉已办结，感谢您的耐心。",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
