//! 审图清单 — the design-review checklist: for a new project, the defects
//! that recurred across past projects in a phase drawing review can stop
//! (design, construction, handover), ranked by how many projects they hit,
//! each with example complaints (anonymised), as JSON or an XLSX workbook
//! for the design department.

use crate::satisfaction::{may_see_figures, month_range};
use crate::{AppError, AppResult, Principal, Services};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, XlsxError};
use serde::Serialize;
use tousu_domain::DomainError;
use tousu_domain::defects::{self, LibraryRow};
use tousu_domain::training::anonymise;

/// A defect counts when it hit at least this many projects.
pub const MIN_PROJECTS: usize = 2;
/// Examples shown per defect.
const EXAMPLES: u32 = 3;
/// Rows in the checklist at most.
const MAX_ROWS: usize = 100;
/// The default look-back: five years, the warranty of waterproofing (防水保修期).
const DEFAULT_MONTHS: u32 = 60;

/// One past complaint shown as an example, without personal data.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Example {
    pub tracking_no: String,
    pub project: String,
    pub building: String,
    /// `YYYY-MM` it closed.
    pub closed: String,
    /// The root cause found, anonymised.
    pub root_cause: String,
    /// What was done, anonymised.
    pub resolution: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    pub rank: usize,
    #[serde(flatten)]
    pub row: LibraryRow,
    /// The projects it hit, by name.
    pub project_names: Vec<String>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DesignReview {
    /// The new project it is for, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    pub from: String,
    pub to: String,
    pub items: Vec<ChecklistItem>,
}

fn xlsx(e: XlsxError) -> AppError {
    AppError::Internal(format!("writing the design-review workbook: {e}"))
}

impl Services {
    /// The checklist from the caller's company's past projects (heads,
    /// leaders, the board, analysts, administrators). `project` names the
    /// new project; when it is one of the company's codes, its own
    /// complaints are left out.
    pub async fn design_review(
        &self,
        who: &Principal,
        project: Option<String>,
        from: Option<String>,
        to: Option<String>,
    ) -> AppResult<DesignReview> {
        may_see_figures(who)?;
        if let Some(p) = &project
            && p.chars().count() > 100
        {
            return Err(DomainError::invalid(
                "project",
                "项目名称最多 100 个字",
                "a project name is at most 100 characters",
            )
            .into());
        }
        let (from, to) = crate::defects::default_months(self.now(), DEFAULT_MONTHS, from, to);
        let (first, last) = month_range(&from, &to)?;
        let org = self.org(who.company_id).await?;
        let own = project.as_deref().and_then(|p| org.snapshot.project(p.trim())).map(|p| p.id);
        let figures: Vec<(i64, String, i64)> = self
            .store
            .list_daily_figures(who.company_id, first, last, "defect:")
            .await?
            .into_iter()
            .filter(|(_, p, _, _)| Some(*p) != own)
            .map(|(_, p, k, v)| (p, k, v))
            .collect();
        let tree = self.defect_tree();
        let rows = defects::checklist(&figures, &tree, MIN_PROJECTS);
        let mut items = Vec::new();
        for (i, row) in rows.into_iter().take(MAX_ROWS).enumerate() {
            let Some(phase) = row.phase else { continue };
            let key = format!("{}:{}", row.key, phase.as_str());
            let project_names = row
                .project_ids
                .iter()
                .map(|id| {
                    org.snapshot
                        .projects
                        .iter()
                        .find(|p| p.id == *id)
                        .map_or_else(|| id.to_string(), |p| p.name.clone())
                })
                .collect();
            let examples = self
                .store
                .list_complaints_with_defect(who.company_id, &key, EXAMPLES * 3)
                .await?
                .into_iter()
                .filter(|c| Some(c.project.id) != own && c.status == tousu_domain::Status::Closed)
                .take(EXAMPLES as usize)
                .map(|c| Example {
                    tracking_no: c.tracking_no.to_string(),
                    project: c.project.name.clone(),
                    building: c.building.clone(),
                    closed: c
                        .closed_at
                        .map(|t| t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m").to_string())
                        .unwrap_or_default(),
                    root_cause: c.investigation.as_ref().map(|inv| anonymise(&inv.root_cause, &c)).unwrap_or_default(),
                    resolution: c.resolution.as_deref().map(|r| anonymise(r, &c)).unwrap_or_default(),
                })
                .collect();
            items.push(ChecklistItem { rank: i + 1, row, project_names, examples });
        }
        Ok(DesignReview { project, from, to, items })
    }

    /// The checklist as an XLSX workbook: the ranked defects with their
    /// examples, and a chart of how many projects each hit.
    pub async fn design_review_xlsx(
        &self,
        who: &Principal,
        project: Option<String>,
        from: Option<String>,
        to: Option<String>,
    ) -> AppResult<Vec<u8>> {
        let review = self.design_review(who, project, from, to).await?;
        let org = self.org(who.company_id).await?;
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let title = Format::new().set_bold().set_font_size(14);
        let wrap = Format::new().set_text_wrap();
        let sheet = book.add_worksheet().set_name("审图清单").map_err(xlsx)?;
        let heading = match &review.project {
            Some(p) => format!("{} 审图清单 — {p}", org.company.name),
            None => format!("{} 审图清单", org.company.name),
        };
        sheet.write_string_with_format(0, 0, heading, &title).map_err(xlsx)?;
        sheet
            .write_string(
                1,
                0,
                format!(
                    "{} 至 {} 已关闭的有效投诉中，在至少 {MIN_PROJECTS} 个项目重复出现、源于设计、施工或交付阶段的缺陷，按涉及项目数排序。",
                    review.from, review.to
                ),
            )
            .map_err(xlsx)?;
        let header = [
            "排名",
            "缺陷部位",
            "责任阶段",
            "涉及项目数",
            "涉及项目",
            "投诉数",
            "户数",
            "重复投诉",
            "升级",
            "费用（元）",
            "典型案例",
        ];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(3, c as u16, *h, &bold).map_err(xlsx)?;
        }
        for (i, item) in review.items.iter().enumerate() {
            let row = i as u32 + 4;
            let r = &item.row;
            sheet.write_number(row, 0, item.rank as f64).map_err(xlsx)?;
            sheet.write_string(row, 1, &r.label).map_err(xlsx)?;
            sheet.write_string(row, 2, r.phase.map_or("", |p| p.label_zh())).map_err(xlsx)?;
            sheet.write_number(row, 3, r.projects as f64).map_err(xlsx)?;
            sheet.write_string(row, 4, item.project_names.join("、")).map_err(xlsx)?;
            for (c, n) in [r.complaints, r.households, r.repeat, r.escalated].iter().enumerate() {
                sheet.write_number(row, c as u16 + 5, *n as f64).map_err(xlsx)?;
            }
            sheet.write_number(row, 9, r.cost_yuan).map_err(xlsx)?;
            let examples: Vec<String> = item
                .examples
                .iter()
                .map(|e| {
                    format!(
                        "{}（{} {}，{}）原因：{}；处理：{}",
                        e.tracking_no, e.project, e.building, e.closed, e.root_cause, e.resolution
                    )
                })
                .collect();
            sheet.write_string_with_format(row, 10, examples.join("\n"), &wrap).map_err(xlsx)?;
        }
        sheet.set_column_width(1, 22).map_err(xlsx)?;
        sheet.set_column_width(4, 24).map_err(xlsx)?;
        sheet.set_column_width(10, 80).map_err(xlsx)?;
        if !review.items.is_empty() {
            let last = review.items.len() as u32 + 3;
            let mut chart = Chart::new(ChartType::Bar);
            chart.title().set_name("缺陷涉及的项目数");
            chart.add_series().set_categories(("审图清单", 4, 1, last, 1)).set_values(("审图清单", 4, 3, last, 3));
            chart.legend().set_hidden();
            sheet.insert_chart(last + 2, 1, &chart).map_err(xlsx)?;
        }
        book.save_to_buffer().map_err(xlsx)
    }
}
