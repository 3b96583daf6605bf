//! 触点 × 项目 — the satisfaction of each touchpoint in each project, for
//! the console's heatmap: the callbacks' figures split by touchpoint, kept
//! per project ([`tousu_domain::satisfaction_figures`]), one range read.

use crate::satisfaction::{may_see_figures, month_range};
use crate::{AppResult, Principal, Services};
use serde::Serialize;
use tousu_domain::satisfaction_figures::{Dimension, aggregate};

/// One cell: a project's callbacks about one touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatCell {
    pub project: String,
    pub touchpoint: String,
    pub callbacks: u64,
    pub mean_index: f64,
}

/// Projects (code, name) and touchpoints that have callbacks, and the cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Heatmap {
    pub from: String,
    pub to: String,
    pub projects: Vec<(String, String)>,
    /// Most callbacks first.
    pub touchpoints: Vec<String>,
    pub cells: Vec<HeatCell>,
}

impl Heatmap {
    pub fn cell(&self, project: &str, touchpoint: &str) -> Option<&HeatCell> {
        self.cells.iter().find(|c| c.project == project && c.touchpoint == touchpoint)
    }
}

impl Services {
    /// The touchpoint × project satisfaction of the caller's company for the
    /// months `from..=to` (heads, leaders, the board, analysts, administrators).
    pub async fn touchpoint_heatmap(&self, who: &Principal, from: String, to: String) -> AppResult<Heatmap> {
        may_see_figures(who)?;
        let (first, last) = month_range(&from, &to)?;
        let org = self.org(who.company_id).await?;
        let rows =
            self.store.list_daily_figures(who.company_id, first, last, &Dimension::Touchpoint.key_prefix()).await?;
        let mut cells = Vec::new();
        let mut projects = Vec::new();
        for p in &org.snapshot.projects {
            let theirs: Vec<_> = rows.iter().filter(|(_, project, _, _)| *project == p.id).cloned().collect();
            let figures = aggregate(Dimension::Touchpoint, &theirs);
            if figures.is_empty() {
                continue;
            }
            projects.push((p.code.clone(), p.name.clone()));
            cells.extend(figures.into_iter().map(|f| HeatCell {
                project: p.code.clone(),
                touchpoint: f.value,
                callbacks: f.callbacks,
                mean_index: f.mean_index,
            }));
        }
        let mut touchpoints: Vec<(String, u64)> = Vec::new();
        for c in &cells {
            match touchpoints.iter_mut().find(|(t, _)| *t == c.touchpoint) {
                Some((_, n)) => *n += c.callbacks,
                None => touchpoints.push((c.touchpoint.clone(), c.callbacks)),
            }
        }
        touchpoints.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Heatmap { from, to, projects, touchpoints: touchpoints.into_iter().map(|(t, _)| t).collect(), cells })
    }
}
