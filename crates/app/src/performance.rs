//! 绩效 — people's and departments' complaint handling per month, for the
//! reward and penalty review (奖惩). Heads and above only: a department head
//! sees their own department and its people; company leaders, the board and
//! administrators see everyone.

use crate::satisfaction::month_range;
use crate::{AppError, AppResult, Principal, Services};
use serde::Serialize;
use tousu_domain::Role;
use tousu_domain::performance::{PerformanceFigure, Who, aggregate};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceRow {
    /// The department's name, or the person's name.
    pub name: String,
    /// The person's department (for `by=person`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(flatten)]
    pub figures: PerformanceFigure,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerformanceReport {
    pub by: Who,
    pub from: String,
    pub to: String,
    pub rows: Vec<PerformanceRow>,
}

/// Who sees performance figures: department heads (their own department),
/// company leaders, the board and administrators.
pub fn may_see_performance(role: Role) -> bool {
    matches!(role, Role::DepartmentHead | Role::CompanyLeader | Role::Board | Role::Admin)
}

impl Services {
    pub async fn performance_report(
        &self,
        who: &Principal,
        by: Who,
        from: String,
        to: String,
    ) -> AppResult<PerformanceReport> {
        if !may_see_performance(who.role) {
            return Err(AppError::forbidden(
                "绩效数据仅对部门负责人、公司领导、董事和系统管理员开放",
                "performance figures are for department heads, company leaders, the board and administrators",
            ));
        }
        let own_department = (who.role == Role::DepartmentHead).then(|| who.department.clone().unwrap_or_default());
        let (first, last) = month_range(&from, &to)?;
        let org = self.org(who.company_id).await?;
        let rows = self.store.list_daily_figures(who.company_id, first, last, by.key_prefix()).await?;
        let department_name = |code: &str| {
            org.snapshot
                .departments
                .iter()
                .find(|d| d.code == code)
                .map_or_else(|| code.to_string(), |d| d.name.clone())
        };
        let mut out = Vec::new();
        for figures in aggregate(by, &rows) {
            let (name, department) = match by {
                Who::Department => (department_name(&figures.key), Some(figures.key.clone())),
                Who::Person => {
                    let staff =
                        figures.key.parse::<i64>().ok().and_then(|id| org.snapshot.staff.iter().find(|s| s.id == id));
                    match staff {
                        Some(s) => (s.display_name.clone(), s.department.clone()),
                        None => (figures.key.clone(), None),
                    }
                }
            };
            if let Some(own) = &own_department
                && department.as_deref() != Some(own.as_str())
            {
                continue;
            }
            out.push(PerformanceRow { name, department: if by == Who::Person { department } else { None }, figures });
        }
        Ok(PerformanceReport { by, from, to, rows: out })
    }
}
