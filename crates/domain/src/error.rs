//! Why the domain refuses something. Each variant carries what a person needs
//! to understand the refusal, in Chinese and English; the web layer maps the
//! variants to HTTP statuses once (422 invalid, 409 state, 403 role).

use crate::role::Role;
use crate::status::Status;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field is missing or malformed. `field` is the JSON path (`customer.phone`).
    #[error("{field}: {en}")]
    Invalid { field: String, zh: String, en: String },

    /// The action is not possible in the complaint's current state.
    #[error("action `{action}` is not allowed while the complaint is {status}")]
    NotAllowedInState { action: &'static str, status: Status },

    /// The caller's role may not perform this action.
    #[error("role {role:?} may not perform `{action}`")]
    RoleNotAllowed { action: &'static str, role: Option<Role>, allowed: Vec<Role> },

    /// A department-bound role acting on a complaint assigned to another department.
    #[error("`{action}` is for the assigned department {assigned:?}, not {yours:?}")]
    NotYourDepartment { action: &'static str, assigned: Option<String>, yours: Option<String> },

    /// The callback for this round was already recorded.
    #[error("the callback has already been recorded")]
    AlreadyCalledBack,
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::Invalid { field: field.into(), zh: zh.into(), en: en.into() }
    }

    /// A required text field that is absent or blank.
    pub fn required(field: impl Into<String>) -> Self {
        let field = field.into();
        DomainError::Invalid {
            zh: format!("缺少必填项 {field}"),
            en: format!("{field} is required"),
            field,
        }
    }

    /// A stable, machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid_field",
            DomainError::NotAllowedInState { .. } => "transition_not_allowed",
            DomainError::RoleNotAllowed { .. } => "role_not_allowed",
            DomainError::NotYourDepartment { .. } => "not_your_department",
            DomainError::AlreadyCalledBack => "already_called_back",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            DomainError::Invalid { field, zh, .. } => format!("{field}：{zh}"),
            DomainError::NotAllowedInState { action, status } => format!(
                "投诉当前状态为「{}」，不能执行「{}」",
                status.label_zh(),
                crate::action::action_label_zh(action)
            ),
            DomainError::RoleNotAllowed { action, role, allowed } => format!(
                "{}无权执行「{}」，仅限：{}",
                role.map(|r| r.label_zh()).unwrap_or("当前身份"),
                crate::action::action_label_zh(action),
                allowed.iter().map(|r| r.label_zh()).collect::<Vec<_>>().join("、")
            ),
            DomainError::NotYourDepartment { action, assigned, .. } => format!(
                "「{}」只能由承办部门（{}）办理",
                crate::action::action_label_zh(action),
                assigned.as_deref().unwrap_or("尚未派单")
            ),
            DomainError::AlreadyCalledBack => "本轮回访已经记录，不能重复回访".to_string(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            DomainError::Invalid { field, en, .. } => format!("{field}: {en}"),
            DomainError::NotAllowedInState { action, status } => format!(
                "`{action}` is not allowed while the complaint is {status}"
            ),
            DomainError::RoleNotAllowed { action, role, allowed } => format!(
                "{} may not `{action}`; allowed: {}",
                role.map(|r| r.label_en()).unwrap_or("this caller"),
                allowed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
            ),
            DomainError::NotYourDepartment { action, assigned, yours } => format!(
                "`{action}` is for the assigned department ({}), not yours ({})",
                assigned.as_deref().unwrap_or("not dispatched yet"),
                yours.as_deref().unwrap_or("none")
            ),
            DomainError::AlreadyCalledBack => "the callback for this round is already recorded".to_string(),
        }
    }
}
