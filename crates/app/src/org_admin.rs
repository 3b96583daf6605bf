//! Administration of the organisation and its staff (administrators only):
//! the tree group → company → project → building → unit, departments, staff
//! accounts and their passwords. Every change goes through storage in one
//! transaction and then clears the cached organisation, so the next request
//! (an intake naming the new building, a dispatch to the new department)
//! sees it.

use crate::auth::{hash_password, new_password};
use crate::calendar::CalendarYear;
use crate::seed::SeededAccount;
use crate::{AppError, AppResult, Principal, Services};
use serde::Serialize;
use std::collections::HashSet;
use tousu_domain::{DomainError, Role};
use tousu_store::{
    Building, Company, ConflictKind, Department, DeliveryStatus, OrgSnapshot, ProjectSeed, StaffRecord, StaffSeed,
    StoreError,
};

/// The most units one building may be given at once.
pub const MAX_UNITS: usize = 5_000;
/// The most floors and units per floor of a generated building.
pub const MAX_FLOORS: u32 = 200;
pub const MAX_PER_FLOOR: u32 = 50;
/// The most failed deliveries counted on the overview.
const FAILED_SHOWN: u32 = 1000;

fn admin_only(who: &Principal) -> AppResult<()> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("仅系统管理员可以操作", "administrators only"))
    }
}

/// The administrator's company with its organisation.
#[derive(Debug, Clone)]
pub struct OrgTree {
    pub company: Company,
    pub snapshot: OrgSnapshot,
}

/// The administration overview: what the organisation holds and what needs attention.
#[derive(Debug, Clone, Serialize)]
pub struct AdminOverview {
    pub group_name: String,
    pub company_code: String,
    pub company_name: String,
    pub projects: usize,
    pub buildings: usize,
    pub units: usize,
    pub departments: usize,
    pub staff: usize,
    /// Active staff per role, in role order (zeros included).
    pub staff_by_role: Vec<(String, usize)>,
    pub calendar_years: Vec<CalendarYear>,
    /// Failed notification deliveries (counted up to 1000).
    pub failed_deliveries: usize,
    /// Projects and companies with their own time-limit policy, besides the defaults.
    pub policies: usize,
}

/// How a new building's units are given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitSpec {
    /// `floors` floors of `per_floor` units each: 101, 102 … 1802.
    Grid { floors: u32, per_floor: u32 },
    /// Unit names separated by spaces, commas (，、) or new lines.
    List(String),
}

impl UnitSpec {
    /// The unit names, checked: at least one, at most [`MAX_UNITS`], each
    /// at most 16 characters, none twice.
    pub fn units(&self) -> Result<Vec<String>, DomainError> {
        let units: Vec<String> = match self {
            UnitSpec::Grid { floors, per_floor } => {
                if !(1..=MAX_FLOORS).contains(floors) {
                    return Err(DomainError::invalid(
                        "floors",
                        format!("楼层数应为 1 到 {MAX_FLOORS}"),
                        format!("floors must be 1 to {MAX_FLOORS}"),
                    ));
                }
                if !(1..=MAX_PER_FLOOR).contains(per_floor) {
                    return Err(DomainError::invalid(
                        "per_floor",
                        format!("每层户数应为 1 到 {MAX_PER_FLOOR}"),
                        format!("units per floor must be 1 to {MAX_PER_FLOOR}"),
                    ));
                }
                (1..=*floors).flat_map(|f| (1..=*per_floor).map(move |u| format!("{f}{u:02}"))).collect()
            }
            UnitSpec::List(text) => text
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .collect(),
        };
        if units.is_empty() {
            return Err(DomainError::invalid("units", "请至少填写一个房号", "give at least one unit"));
        }
        if units.len() > MAX_UNITS {
            return Err(DomainError::invalid(
                "units",
                format!("一栋楼最多 {MAX_UNITS} 个房号，收到 {}", units.len()),
                format!("a building has at most {MAX_UNITS} units, got {}", units.len()),
            ));
        }
        let mut seen = HashSet::new();
        for u in &units {
            if u.chars().count() > 16 || u.chars().any(char::is_control) {
                return Err(DomainError::invalid(
                    "units",
                    format!("房号「{u}」无效（最多 16 个字符）"),
                    format!("unit `{u}` is not valid (at most 16 characters)"),
                ));
            }
            if !seen.insert(u.as_str()) {
                return Err(DomainError::invalid("units", format!("房号「{u}」重复"), format!("unit `{u}` is listed twice")));
            }
        }
        Ok(units)
    }
}

/// A code: 1–32 letters, digits, `_` or `-` (it appears in URLs and files).
fn code(field: &str, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::required(field));
    }
    if v.len() > 32 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(DomainError::invalid(
            field,
            format!("编码「{v}」无效：只能使用字母、数字、下划线和短横线，最多 32 个字符"),
            format!("code `{v}` is not valid: letters, digits, `_` and `-`, at most 32 characters"),
        ));
    }
    Ok(v.to_string())
}

/// A name: 1–64 characters, no control characters.
fn name(field: &str, value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::required(field));
    }
    if v.chars().count() > 64 || v.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "名称最多 64 个字符，且不能包含控制字符",
            "a name has at most 64 characters and no control characters",
        ));
    }
    Ok(v.to_string())
}

fn username(value: &str) -> Result<String, DomainError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(DomainError::required("username"));
    }
    let ok = (2..=32).contains(&v.len())
        && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    if !ok {
        return Err(DomainError::invalid(
            "username",
            format!("用户名「{v}」无效：2 到 32 个小写字母、数字、点、下划线或短横线"),
            format!("username `{v}` is not valid: 2 to 32 lower-case letters, digits, `.`, `_` or `-`"),
        ));
    }
    Ok(v.to_string())
}

/// A clear message for a taken code or name: storage says only that it is taken.
fn store_taken(e: StoreError, zh: String, en: String) -> AppError {
    match e {
        StoreError::Conflict(ConflictKind::Duplicate(_)) => AppError::Conflict { zh, en },
        other => other.into(),
    }
}

impl Services {
    /// The caller's company and its organisation, read fresh.
    pub async fn admin_org(&self, who: &Principal) -> AppResult<OrgTree> {
        admin_only(who)?;
        let idx = self.org(who.company_id).await?;
        Ok(OrgTree { company: idx.company.clone(), snapshot: idx.snapshot.clone() })
    }

    pub async fn admin_overview(&self, who: &Principal) -> AppResult<AdminOverview> {
        admin_only(who)?;
        let idx = self.org(who.company_id).await?;
        let s = &idx.snapshot;
        let failed = self.store.list_deliveries(Some(DeliveryStatus::Failed), FAILED_SHOWN).await?.len();
        Ok(AdminOverview {
            group_name: idx.company.group_name.clone(),
            company_code: idx.company.code.clone(),
            company_name: idx.company.name.clone(),
            projects: s.projects.len(),
            buildings: s.projects.iter().map(|p| p.buildings.len()).sum(),
            units: s.projects.iter().flat_map(|p| &p.buildings).map(|b| b.units.len()).sum(),
            departments: s.departments.len(),
            staff: s.staff.len(),
            staff_by_role: Role::ALL
                .into_iter()
                .map(|r| (r.as_str().to_string(), s.staff.iter().filter(|st| st.role == r).count()))
                .collect(),
            calendar_years: self.calendar_years(),
            failed_deliveries: failed,
            policies: self.policy().all().len().saturating_sub(1),
        })
    }

    /// Adds a project (no buildings yet; add them one by one).
    pub async fn admin_add_project(&self, who: &Principal, project_code: &str, project_name: &str) -> AppResult<ProjectSeed> {
        admin_only(who)?;
        let project = ProjectSeed {
            code: code("code", project_code)?,
            name: name("name", project_name)?,
            buildings: Vec::new(),
        };
        self.store.insert_project(who.company_id, project.clone()).await.map_err(|e| {
            store_taken(
                e,
                format!("项目编码「{}」已被使用，请换一个编码", project.code),
                format!("project code `{}` is already in use; choose another", project.code),
            )
        })?;
        self.invalidate_org();
        Ok(project)
    }

    /// Adds a building with its units to one of the company's projects.
    pub async fn admin_add_building(
        &self,
        who: &Principal,
        project_code: &str,
        building_name: &str,
        units: &UnitSpec,
    ) -> AppResult<Building> {
        admin_only(who)?;
        let project_code = code("project", project_code)?;
        let building = Building { name: name("name", building_name)?, units: units.units()? };
        self.store
            .insert_building(who.company_id, &project_code, building.clone())
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::Domain(DomainError::invalid(
                    "project",
                    format!("没有编码为「{project_code}」的项目"),
                    format!("no project with code `{project_code}`"),
                )),
                e => store_taken(
                    e,
                    format!("项目「{project_code}」已有楼栋「{}」", building.name),
                    format!("project `{project_code}` already has a building `{}`", building.name),
                ),
            })?;
        self.invalidate_org();
        Ok(building)
    }

    pub async fn admin_add_department(&self, who: &Principal, department_code: &str, department_name: &str) -> AppResult<Department> {
        admin_only(who)?;
        let department = Department { code: code("code", department_code)?, name: name("name", department_name)? };
        self.store.insert_department(who.company_id, department.clone()).await.map_err(|e| {
            store_taken(
                e,
                format!("部门编码「{}」已被使用，请换一个编码", department.code),
                format!("department code `{}` is already in use; choose another", department.code),
            )
        })?;
        self.invalidate_org();
        Ok(department)
    }

    /// The company's active staff, oldest first.
    pub async fn admin_list_staff(&self, who: &Principal) -> AppResult<Vec<StaffRecord>> {
        admin_only(who)?;
        Ok(self.org(who.company_id).await?.snapshot.staff.clone())
    }

    /// Adds a staff member to the caller's company with a new random
    /// password, answered once. Handlers and department heads belong to a
    /// department; the department must be the company's.
    pub async fn admin_add_staff(
        &self,
        who: &Principal,
        new_username: &str,
        display_name: &str,
        role: Role,
        department: Option<&str>,
    ) -> AppResult<SeededAccount> {
        admin_only(who)?;
        let new_username = username(new_username)?;
        let display_name = name("display_name", display_name)?;
        let department = department.map(str::trim).filter(|d| !d.is_empty());
        if department.is_none() && matches!(role, Role::Handler | Role::DepartmentHead) {
            return Err(DomainError::invalid(
                "department",
                format!("{}必须属于一个部门", role.label_zh()),
                format!("a {role} belongs to a department"),
            )
            .into());
        }
        if let Some(d) = department {
            let org = self.org(who.company_id).await?;
            if !org.snapshot.departments.iter().any(|x| x.code == d) {
                return Err(DomainError::invalid("department", format!("没有编码为「{d}」的部门"), format!("no department `{d}`")).into());
            }
        }
        let password = new_password()?;
        let seed = StaffSeed {
            username: new_username.clone(),
            display_name: display_name.clone(),
            role,
            department: department.map(str::to_string),
            password_hash: Some(hash_password(password.clone()).await?),
        };
        self.store.insert_staff(who.company_id, seed).await.map_err(|e| {
            store_taken(
                e,
                format!("用户名「{new_username}」已被使用，请换一个"),
                format!("username `{new_username}` is already taken; choose another"),
            )
        })?;
        self.invalidate_org();
        Ok(SeededAccount { username: new_username, display_name, role, department: department.map(str::to_string), password })
    }

    /// Gives a staff member of the caller's company a new random password,
    /// answered once. Sessions already open stay open until they expire.
    pub async fn admin_reset_password(&self, who: &Principal, staff_id: i64) -> AppResult<(StaffRecord, String)> {
        admin_only(who)?;
        let staff = self
            .org(who.company_id)
            .await?
            .snapshot
            .staff
            .iter()
            .find(|s| s.id == staff_id)
            .cloned()
            .ok_or(AppError::NotFound { zh: "员工", en: "staff member" })?;
        let password = new_password()?;
        let hash = hash_password(password.clone()).await?;
        self.store.update_staff_password(staff.id, &hash).await?;
        Ok((staff, password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_numbers_units_floor_then_unit() {
        let units = UnitSpec::Grid { floors: 3, per_floor: 2 }.units().expect("valid");
        assert_eq!(units, ["101", "102", "201", "202", "301", "302"]);
        let tall = UnitSpec::Grid { floors: 18, per_floor: 12 }.units().expect("valid");
        assert_eq!((tall.len(), tall.last().map(String::as_str)), (216, Some("1812")));
        assert!(UnitSpec::Grid { floors: 0, per_floor: 2 }.units().is_err());
        assert!(UnitSpec::Grid { floors: 2, per_floor: 51 }.units().is_err());
    }

    #[test]
    fn a_list_splits_on_spaces_commas_and_new_lines_and_refuses_repeats() {
        let units = UnitSpec::List("101, 102，103、104\n商铺1 ; 105".into()).units().expect("valid");
        assert_eq!(units, ["101", "102", "103", "104", "商铺1", "105"]);
        let err = UnitSpec::List("101 102 101".into()).units().expect_err("repeat");
        assert_eq!(err.field(), Some("units"));
        assert!(UnitSpec::List("  ，  ".into()).units().is_err(), "none");
        assert!(UnitSpec::List("x".repeat(17)).units().is_err(), "too long");
    }

    #[test]
    fn codes_names_and_usernames_are_checked() {
        assert_eq!(code("code", " XHY-2 ").expect("valid"), "XHY-2");
        assert!(code("code", "星河").is_err());
        assert!(code("code", "").is_err());
        assert!(code("code", &"a".repeat(33)).is_err());
        assert_eq!(name("name", " 星河湾 ").expect("valid"), "星河湾");
        assert!(name("name", " ").is_err());
        assert!(name("name", &"楼".repeat(65)).is_err());
        assert_eq!(username("zhang.san").expect("valid"), "zhang.san");
        assert!(username("Zhang").is_err(), "lower case");
        assert!(username("z").is_err(), "too short");
        assert!(username("张三").is_err());
    }
}
