//! Who performed an event. Every event in a complaint's history names its
//! actor with their role at the time, so the history stays true after staff
//! change roles or leave.

use crate::role::Role;
use serde::{Deserialize, Serialize};

/// The author of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A staff member acting through a session or an API token.
    Staff {
        id: i64,
        name: String,
        role: Role,
        /// The department code the staff member belongs to, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<String>,
    },
    /// The owner (业主) who filed the complaint, identified by tracking number
    /// and phone, never by an account.
    Owner,
    /// tousu itself (deadline checks, escalation).
    System,
}

impl Actor {
    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::Staff { role, .. } => Some(*role),
            _ => None,
        }
    }

    pub fn staff_id(&self) -> Option<i64> {
        match self {
            Actor::Staff { id, .. } => Some(*id),
            _ => None,
        }
    }

    pub fn department(&self) -> Option<&str> {
        match self {
            Actor::Staff { department, .. } => department.as_deref(),
            _ => None,
        }
    }

    /// The name an owner sees: a role, never a person (首问责任 stays
    /// internal; owners are told who acts, not which employee).
    pub fn public_label_zh(&self) -> &'static str {
        match self {
            Actor::Staff { role, .. } => role.label_zh(),
            Actor::Owner => "业主",
            Actor::System => "系统",
        }
    }
}
