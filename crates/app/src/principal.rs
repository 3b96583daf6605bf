//! Who is calling: an authenticated staff member.

use tousu_domain::{Actor, Role};
use tousu_store::StaffRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub staff_id: i64,
    pub company_id: i64,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub department: Option<String>,
}

impl Principal {
    pub fn actor(&self) -> Actor {
        Actor::Staff {
            id: self.staff_id,
            name: self.name.clone(),
            role: self.role,
            department: self.department.clone(),
        }
    }

    /// Scope for idempotency keys: a key means something only to its caller.
    pub fn idempotency_scope(&self) -> String {
        format!("staff:{}", self.staff_id)
    }
}

impl From<StaffRecord> for Principal {
    fn from(s: StaffRecord) -> Self {
        Principal {
            staff_id: s.id,
            company_id: s.company_id,
            username: s.username,
            name: s.display_name,
            role: s.role,
            department: s.department,
        }
    }
}
