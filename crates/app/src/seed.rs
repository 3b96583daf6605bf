//! The demo organisation seeded on first start with `--demo`: one group,
//! one company, two projects with buildings and units, the departments of
//! DOMAIN.md and one staff account per role, each with a random password
//! printed once.

use crate::auth::{hash_password, new_password};
use crate::{AppResult, Services};
use tousu_domain::Role;
use tousu_store::{Building, CompanySeed, Department, OrgSeed, ProjectSeed, StaffSeed};

/// A seeded account and its password, to print once.
#[derive(Debug, Clone)]
pub struct SeededAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department: Option<String>,
    pub password: String,
}

/// The departments of DOMAIN.md: the service centre and the departments that fix causes.
pub fn demo_departments() -> Vec<Department> {
    [
        ("service_centre", "客服中心"),
        ("engineering", "工程部"),
        ("security", "秩序部"),
        ("environment", "环境部"),
        ("finance", "财务部"),
        ("legal", "法务部"),
        ("quality", "品质部"),
    ]
    .into_iter()
    .map(|(code, name)| Department { code: code.into(), name: name.into() })
    .collect()
}

/// `floors` floors of `per_floor` units each: 101, 102 … 1802.
fn units(floors: u32, per_floor: u32) -> Vec<String> {
    (1..=floors).flat_map(|f| (1..=per_floor).map(move |u| format!("{f}{u:02}"))).collect()
}

pub fn demo_projects() -> Vec<ProjectSeed> {
    vec![
        ProjectSeed {
            code: "JYHY".into(),
            name: "锦园华苑".into(),
            buildings: ["1栋", "2栋", "3栋"]
                .into_iter()
                .map(|b| Building { name: b.into(), units: units(18, 2) })
                .collect(),
        },
        ProjectSeed {
            code: "LHW".into(),
            name: "丽湖湾".into(),
            buildings: ["A座", "B座"].into_iter().map(|b| Building { name: b.into(), units: units(32, 4) }).collect(),
        },
    ]
}

/// One account per role: (username, name, role, department).
pub fn demo_staff() -> Vec<(&'static str, &'static str, Role, Option<&'static str>)> {
    vec![
        ("frontdesk", "王芳", Role::FrontDesk, Some("service_centre")),
        ("handler", "李强", Role::Handler, Some("engineering")),
        ("depthead", "赵刚", Role::DepartmentHead, Some("engineering")),
        ("leader", "陈总", Role::CompanyLeader, None),
        ("board", "刘董", Role::Board, None),
        ("analyst", "孙敏", Role::Analyst, Some("quality")),
        ("admin", "系统管理员", Role::Admin, None),
    ]
}

impl Services {
    /// Adds a staff member with a new random password, answered once.
    pub async fn add_staff(
        &self,
        company_id: i64,
        username: &str,
        display_name: &str,
        role: Role,
        department: Option<&str>,
    ) -> AppResult<SeededAccount> {
        let password = new_password()?;
        self.store
            .insert_staff(
                company_id,
                StaffSeed {
                    username: username.into(),
                    display_name: display_name.into(),
                    role,
                    department: department.map(Into::into),
                    password_hash: Some(hash_password(password.clone()).await?),
                },
            )
            .await?;
        self.invalidate_org();
        Ok(SeededAccount {
            username: username.into(),
            display_name: display_name.into(),
            role,
            department: department.map(Into::into),
            password,
        })
    }

    /// Seeds the demo organisation if there is no company yet. Answers the
    /// accounts created (with their passwords), or nothing when the
    /// database already had an organisation.
    pub async fn seed_demo_if_empty(&self) -> AppResult<Option<Vec<SeededAccount>>> {
        if !self.store.list_companies().await?.is_empty() {
            return Ok(None);
        }
        let mut accounts = Vec::new();
        let mut staff = Vec::new();
        for (username, name, role, department) in demo_staff() {
            let password = new_password()?;
            staff.push(StaffSeed {
                username: username.into(),
                display_name: name.into(),
                role,
                department: department.map(Into::into),
                password_hash: Some(hash_password(password.clone()).await?),
            });
            accounts.push(SeededAccount {
                username: username.into(),
                display_name: name.into(),
                role,
                department: department.map(Into::into),
                password,
            });
        }
        self.store
            .insert_organisation(OrgSeed {
                group_name: "华庭控股集团".into(),
                companies: vec![CompanySeed {
                    code: "HTWY".into(),
                    name: "华庭物业服务有限公司".into(),
                    tracking_prefix: "TS".into(),
                    timezone: "Asia/Shanghai".into(),
                    departments: demo_departments(),
                    projects: demo_projects(),
                    staff,
                }],
            })
            .await?;
        self.invalidate_org();
        Ok(Some(accounts))
    }
}
