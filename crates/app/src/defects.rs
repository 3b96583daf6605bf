//! 缺陷库 — the defect library: the editable component tree
//! (`defect-components.toml` in the data folder), the root cause each
//! closing complaint carries, and the figures per component and phase
//! (with the Pareto line and the trend), read from the figures kept as
//! complaints close ([`tousu_domain::defects`]).

use crate::admin::write_atomically;
use crate::satisfaction::{may_see_figures, month_range, project_filter};
use crate::{AppError, AppResult, Principal, Services};
use serde::Serialize;
use std::path::Path;
use std::sync::{Arc, RwLock};
use tousu_domain::defects::{self, Component, ComponentTree, Defect, Grouping, LibraryRow};
use tousu_domain::{Complaint, DomainError, EventKind, Role, Status};

/// The tree in force and where edits are saved.
#[derive(Default)]
pub(crate) struct TreeState {
    tree: RwLock<Option<Arc<ComponentTree>>>,
    text: RwLock<String>,
    file: RwLock<Option<std::path::PathBuf>>,
}

/// The component tree as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentTreeView {
    /// The TOML document as written.
    pub toml: String,
    pub components: Vec<ComponentView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentView {
    #[serde(flatten)]
    pub component: Component,
    /// `防水 › 屋面渗漏`
    pub path: String,
    /// The phase assumed when it is read from a complaint's words.
    pub default_phase: defects::Phase,
}

/// What a library report asks for.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct LibraryQuery {
    /// `component_phase` (the default), `component`, `top` (top-level
    /// components) or `phase`.
    pub by: Option<String>,
    /// First and last month of closing (`YYYY-MM`); the last 12 months by default.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Only this project (its code).
    pub project: Option<String>,
    /// `csv` for a CSV file instead of JSON.
    pub format: Option<String>,
}

/// The library: ranked rows with their Pareto shares, and the trend.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DefectLibrary {
    pub by: String,
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// All closed valid complaints counted.
    pub complaints: i64,
    pub rows: Vec<LibraryRow>,
    /// Complaints per month of closing and top-level component.
    pub trend: Vec<TrendMonth>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendMonth {
    /// `YYYY-MM`
    pub month: String,
    /// Top-level component code → complaints.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub components: std::collections::BTreeMap<String, i64>,
}

/// The library's default range: the 12 months up to this one.
pub const LIBRARY_MONTHS: u32 = 12;

/// `from` and `to` (`YYYY-MM`) where given; else `to` is this month (China
/// time) and `from` the first of the `months` months up to `to`.
pub fn default_months(
    now: tousu_domain::Timestamp,
    months: u32,
    from: Option<String>,
    to: Option<String>,
) -> (String, String) {
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let to = to.unwrap_or_else(|| today.format("%Y-%m").to_string());
    let from = from.unwrap_or_else(|| {
        crate::satisfaction::parse_month("to", &to)
            .ok()
            .and_then(|d| d.checked_sub_months(chrono::Months::new(months.saturating_sub(1))))
            .map_or_else(|| to.clone(), |d| d.format("%Y-%m").to_string())
    });
    (from, to)
}

impl Services {
    /// Loads the component tree from `path`, writing the built-in one there
    /// first if there is none; later edits are saved to it.
    pub fn with_defect_tree_file(self, path: &Path) -> AppResult<Services> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_atomically(path, defects::BUILTIN_TEXT)?;
                defects::BUILTIN_TEXT.to_string()
            }
            Err(e) => return Err(AppError::Internal(format!("cannot read {}: {e}", path.display()))),
        };
        let tree = ComponentTree::parse(&text).map_err(|e| {
            AppError::Internal(format!("{} is not a valid component tree: {}", path.display(), e.message_en()))
        })?;
        self.set_tree(tree, text);
        if let Ok(mut f) = self.defects.file.write() {
            *f = Some(path.to_path_buf());
        }
        Ok(self)
    }

    fn set_tree(&self, tree: ComponentTree, text: String) {
        let tree = Arc::new(tree);
        match self.defects.tree.write() {
            Ok(mut t) => *t = Some(tree),
            Err(e) => *e.into_inner() = Some(tree),
        }
        if let Ok(mut t) = self.defects.text.write() {
            *t = text;
        }
    }

    /// The component tree in force (the built-in one until another is loaded).
    pub fn defect_tree(&self) -> Arc<ComponentTree> {
        let current = self.defects.tree.read().map(|t| t.clone()).unwrap_or_else(|e| e.into_inner().clone());
        current.unwrap_or_else(|| Arc::new(ComponentTree::builtin()))
    }

    fn tree_text(&self) -> String {
        self.defects.text.read().map(|t| t.clone()).unwrap_or_default()
    }

    /// The tree, for every staff member (the forms offer its components).
    pub fn defect_tree_view(&self, _who: &Principal) -> ComponentTreeView {
        let tree = self.defect_tree();
        let text = self.tree_text();
        ComponentTreeView {
            toml: if text.is_empty() { defects::BUILTIN_TEXT.to_string() } else { text },
            components: tree
                .components()
                .iter()
                .map(|c| ComponentView {
                    component: c.clone(),
                    path: tree.display(&c.code),
                    default_phase: tree.phase_of(&c.code),
                })
                .collect(),
        }
    }

    /// Replaces the tree (administrators): checked first, saved, then in
    /// force. Codes already used in figures stay there under their code.
    pub fn update_defect_tree(&self, who: &Principal, text: &str) -> AppResult<ComponentTreeView> {
        if who.role != Role::Admin {
            return Err(AppError::forbidden(
                "仅系统管理员可以修改部位树",
                "only administrators edit the component tree",
            ));
        }
        let tree = ComponentTree::parse(text)?;
        let file = self.defects.file.read().map(|f| f.clone()).unwrap_or_default();
        if let Some(path) = file {
            write_atomically(&path, text)?;
        }
        self.set_tree(tree, text.to_string());
        Ok(self.defect_tree_view(who))
    }

    /// Completes a defect-library event before it is written: checks a
    /// recorded component against the tree, reads the defect of a closing
    /// complaint that has none, and finds whether it is the household's
    /// first about that component and phase.
    pub(crate) async fn complete_defect(&self, c: &Complaint, kind: &mut EventKind) -> AppResult<()> {
        let tree = self.defect_tree();
        match kind {
            EventKind::Closed { defect, .. } => {
                let mut d = defect.take().unwrap_or_else(|| defects::at_closing(c, &tree));
                d.first_in_household = self.first_in_household(c, &d).await?;
                *defect = Some(d);
            }
            EventKind::DefectRecorded { defect, .. } => {
                defect.component = tree.check("component", &defect.component)?;
                if c.status == Status::Closed {
                    defect.first_in_household = self.first_in_household(c, defect).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn first_in_household(&self, c: &Complaint, d: &Defect) -> AppResult<bool> {
        let had = self.store.household_has_closed_defect(c.project.id, &c.building, &c.unit, &d.key(), c.id).await?;
        Ok(!had)
    }

    /// The library of the caller's company (heads, leaders, the board,
    /// analysts and administrators, as the other figures).
    pub async fn defect_library(&self, who: &Principal, q: LibraryQuery) -> AppResult<DefectLibrary> {
        may_see_figures(who)?;
        let by = q.by.clone().unwrap_or_else(|| "component_phase".into());
        let grouping = Grouping::parse(&by).ok_or_else(|| {
            DomainError::invalid(
                "by",
                format!("不支持按「{by}」统计，可选 component_phase、component、top、phase"),
                format!("`by` is one of component_phase, component, top, phase, not {by:?}"),
            )
        })?;
        let (from, to) = default_months(self.now(), LIBRARY_MONTHS, q.from, q.to);
        let (first, last) = month_range(&from, &to)?;
        let org = self.org(who.company_id).await?;
        let only = project_filter(&org, q.project.as_deref())?;
        // Months are stored under their first day: one range read.
        let mut figures = self.store.list_daily_figures(who.company_id, first, last, "defect:").await?;
        if let Some(id) = only {
            figures.retain(|(_, project, _, _)| *project == id);
        }
        let tree = self.defect_tree();
        let by_project: Vec<(i64, String, i64)> = figures.iter().map(|(_, p, k, v)| (*p, k.clone(), *v)).collect();
        let rows = defects::library(&by_project, &tree, grouping);
        let trend = defects::trend(&figures, &tree)
            .into_iter()
            .map(|(month, components)| TrendMonth { month: month.format("%Y-%m").to_string(), components })
            .collect();
        Ok(DefectLibrary {
            by,
            from,
            to,
            project: q.project,
            complaints: rows.iter().map(|r| r.complaints).sum(),
            rows,
            trend,
        })
    }
}
