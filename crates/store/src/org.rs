//! The organisation: group → company → project → building → unit, the
//! company's departments and its staff.

use serde::{Deserialize, Serialize};
use tousu_domain::Role;
use tousu_domain::complaint::DepartmentRef;
use tousu_domain::lifecycle::{Directory, StaffEntry};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    pub id: i64,
    pub group_name: String,
    pub code: String,
    pub name: String,
    /// Letters before the date in tracking numbers (`TS`).
    pub tracking_prefix: String,
    /// IANA time zone for local dates and working days.
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub buildings: Vec<Building>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Building {
    pub name: String,
    pub units: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub code: String,
    pub name: String,
}

/// A staff member as storage knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub id: i64,
    pub company_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub password_hash: Option<String>,
}

/// A company's organisation, read at once and cached.
#[derive(Debug, Clone, Default)]
pub struct OrgSnapshot {
    pub departments: Vec<Department>,
    pub staff: Vec<StaffRecord>,
    pub projects: Vec<Project>,
}

impl OrgSnapshot {
    pub fn project(&self, code: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.code == code)
    }
}

impl Directory for OrgSnapshot {
    fn department(&self, code: &str) -> Option<DepartmentRef> {
        self.departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| DepartmentRef { code: d.code.clone(), name: d.name.clone() })
    }

    fn staff(&self, username: &str) -> Option<StaffEntry> {
        self.staff.iter().find(|s| s.username == username).map(|s| StaffEntry {
            id: s.id,
            name: s.display_name.clone(),
            role: s.role,
            department: s.department.clone(),
        })
    }
}

/// A whole organisation to create (the demo, an import, a test).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgSeed {
    pub group_name: String,
    pub companies: Vec<CompanySeed>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompanySeed {
    pub code: String,
    pub name: String,
    pub tracking_prefix: String,
    pub timezone: String,
    pub departments: Vec<Department>,
    pub projects: Vec<ProjectSeed>,
    pub staff: Vec<StaffSeed>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectSeed {
    pub code: String,
    pub name: String,
    pub buildings: Vec<Building>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffSeed {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub password_hash: Option<String>,
}
