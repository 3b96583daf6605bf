//! 满意度报表 — satisfaction figures for a range of months, split by one
//! dimension, read from the figures kept as callbacks are written
//! ([`tousu_domain::satisfaction_figures`]): one range read, whatever the
//! number of callbacks.

use crate::dashboard::may_see_dashboard;
use crate::{AppError, AppResult, Principal, Services};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tousu_domain::DomainError;
use tousu_domain::iceberg::{IcebergRow, iceberg};
use tousu_domain::satisfaction_figures::{Dimension, SatisfactionFigure, aggregate};

/// The most months one report covers.
pub const MAX_MONTHS: u32 = 120;

/// What a report asks for.
#[derive(Debug, Clone)]
pub struct SatisfactionQuery {
    pub by: Dimension,
    /// First and last month (`YYYY-MM`), both included.
    pub from: String,
    pub to: String,
    /// Only this project (its code).
    pub project: Option<String>,
}

/// One row of the report, named for people.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionRow {
    /// The project code, department code, category, touchpoint, stage,
    /// month (`YYYY-MM`), or `all`.
    pub key: String,
    /// Its name in Chinese where it has one (项目名, 部门名, 类别).
    pub label: String,
    #[serde(flatten)]
    pub figures: SatisfactionFigure,
}

/// A report: the rows and what they cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionReport {
    pub by: Dimension,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    pub rows: Vec<SatisfactionRow>,
}

/// `YYYY-MM` as the first day of that month.
pub(crate) fn parse_month(field: &str, s: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| {
        DomainError::invalid(
            field,
            format!("月份格式应为 YYYY-MM，例如 2026-11，收到 {s:?}"),
            format!("a month is YYYY-MM, e.g. 2026-11, got {s:?}"),
        )
    })
}

fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

/// The first days of the months `from` and `to` (`YYYY-MM`), checked: in
/// order and at most [`MAX_MONTHS`] apart.
pub(crate) fn month_range(from: &str, to: &str) -> Result<(NaiveDate, NaiveDate), DomainError> {
    let (from, to) = (parse_month("from", from)?, parse_month("to", to)?);
    let span = months_between(from, to);
    if span < 0 {
        return Err(DomainError::invalid("to", "结束月份早于开始月份", "`to` is before `from`"));
    }
    if span >= i64::from(MAX_MONTHS) {
        return Err(DomainError::invalid(
            "to",
            format!("一次最多统计 {MAX_MONTHS} 个月"),
            format!("a report covers at most {MAX_MONTHS} months"),
        ));
    }
    Ok((from, to))
}

/// The id of the project a report is limited to (`project`, a code), if any.
pub(crate) fn project_filter(org: &crate::org::OrgIndex, code: Option<&str>) -> Result<Option<i64>, DomainError> {
    match code {
        None => Ok(None),
        Some(code) => org.snapshot.project(code).map(|p| Some(p.id)).ok_or_else(|| {
            DomainError::invalid("project", format!("没有编号为 {code} 的项目"), format!("no project {code}"))
        }),
    }
}

pub(crate) fn may_see_figures(who: &Principal) -> AppResult<()> {
    if may_see_dashboard(who.role) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "统计报表仅对公司领导、董事、品质分析员、部门负责人和系统管理员开放",
            "figures are for company leaders, the board, analysts, department heads and administrators",
        ))
    }
}

/// One project's iceberg, named.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IcebergProject {
    pub project: String,
    pub name: String,
    #[serde(flatten)]
    pub iceberg: IcebergRow,
}

/// 冰山 — per project, complaints received and the silent dissatisfied
/// customers they stand for, beside the callbacks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IcebergReport {
    /// Silent dissatisfied customers per complaint (`iceberg_factor` in tousu.toml).
    pub factor: u32,
    pub from: String,
    pub to: String,
    pub projects: Vec<IcebergProject>,
}

impl Services {
    /// Satisfaction figures of the caller's company (heads, leaders, the
    /// board, analysts and administrators, as the dashboard).
    pub async fn satisfaction_report(&self, who: &Principal, q: SatisfactionQuery) -> AppResult<SatisfactionReport> {
        may_see_figures(who)?;
        let (from, to) = month_range(&q.from, &q.to)?;
        let org = self.org(who.company_id).await?;
        let only = project_filter(&org, q.project.as_deref())?;
        // Months are stored under their first day.
        let mut rows = self.store.list_daily_figures(who.company_id, from, to, &q.by.key_prefix()).await?;
        if let Some(id) = only {
            rows.retain(|(_, project, _, _)| *project == id);
        }
        let label = |key: &str| -> String {
            match q.by {
                Dimension::Company => "全公司".to_string(),
                Dimension::Department => org
                    .snapshot
                    .departments
                    .iter()
                    .find(|d| d.code == key)
                    .map_or_else(|| if key == "none" { "未派单".into() } else { key.into() }, |d| d.name.clone()),
                Dimension::Category => {
                    tousu_domain::Category::parse(key).map_or_else(|_| "未分类".into(), |c| c.label_zh().to_string())
                }
                _ => key.to_string(),
            }
        };
        let mut out = Vec::new();
        for figures in aggregate(q.by, &rows) {
            let (key, name) = if q.by == Dimension::Project {
                let id: i64 = figures.value.parse().unwrap_or_default();
                match org.snapshot.projects.iter().find(|p| p.id == id) {
                    Some(p) => (p.code.clone(), p.name.clone()),
                    None => (figures.value.clone(), figures.value.clone()),
                }
            } else {
                (figures.value.clone(), label(&figures.value))
            };
            out.push(SatisfactionRow { key, label: name, figures });
        }
        if q.by == Dimension::Project {
            out.sort_by(|a, b| a.key.cmp(&b.key));
        }
        Ok(SatisfactionReport { by: q.by, from: q.from, to: q.to, project: q.project, rows: out })
    }

    /// The iceberg of the caller's company for the months `from..=to`.
    pub async fn iceberg_report(&self, who: &Principal, from: String, to: String) -> AppResult<IcebergReport> {
        may_see_figures(who)?;
        let (first, last_month) = month_range(&from, &to)?;
        let last =
            last_month.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(last_month);
        let org = self.org(who.company_id).await?;
        let (company, store) = (who.company_id, &self.store);
        let callbacks = Dimension::Project.key_prefix();
        let (received, satisfaction) = tokio::try_join!(
            store.list_daily_figures(company, first, last, "received:"),
            store.list_daily_figures(company, first, last_month, &callbacks),
        )?;
        let factor = self.config.iceberg_factor;
        let mut projects: Vec<IcebergProject> = iceberg(&received, &satisfaction, factor)
            .into_iter()
            .map(|row| {
                let p = org.snapshot.projects.iter().find(|p| p.id == row.project_id);
                let (project, name) =
                    p.map_or_else(|| (row.project_id.to_string(), String::new()), |p| (p.code.clone(), p.name.clone()));
                IcebergProject { project, name, iceberg: row }
            })
            .collect();
        projects
            .sort_by(|a, b| b.iceberg.complaints.cmp(&a.iceberg.complaints).then_with(|| a.project.cmp(&b.project)));
        Ok(IcebergReport { factor, from, to, projects })
    }
}
