//! GET /dashboard: the company's figures as charts drawn on the server
//! (SVG embedded in the page), each with its numbers in a table beneath.
//! For company leaders, the board, analysts, department heads and
//! administrators; others get the 403 page.

use super::charts::{dashboard_charts, ranked_label};
use super::render::{PageError, render, val};
use super::session::StaffPage;
use crate::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use serde::Serialize;
use tousu_app::dashboard::{Dashboard, may_see_dashboard};

pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(show))
}

/// The headline figures above the charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub received: i64,
    pub open: i64,
    pub met: i64,
    pub met_late: i64,
    pub breached: i64,
    /// Deadlines met on time among those that came to an end or were
    /// breached in the weeks shown, as a whole percentage; none without any.
    pub on_time_percent: Option<i64>,
    /// The latest month's satisfaction index, two decimals.
    pub latest_index: Option<String>,
    pub latest_index_month: Option<String>,
}

impl Summary {
    pub fn of(d: &Dashboard) -> Summary {
        let met: i64 = d.deadlines.iter().map(|w| w.met).sum();
        let met_late: i64 = d.deadlines.iter().map(|w| w.met_late).sum();
        let breached: i64 = d.deadlines.iter().map(|w| w.breached).sum();
        let latest = d.satisfaction.iter().rev().find(|m| m.index.is_some());
        Summary {
            received: d.received.total,
            open: d.open_total,
            met,
            met_late,
            breached,
            on_time_percent: (met + breached > 0).then(|| ((met * 100) as f64 / (met + breached) as f64).round() as i64),
            latest_index: latest.and_then(|m| m.index).map(|i| format!("{i:.2}")),
            latest_index_month: latest.map(|m| m.month.format("%Y-%m").to_string()),
        }
    }
}

/// Rows of the tables under the charts (numbers formatted for reading).
#[derive(Serialize)]
struct Tables {
    satisfaction: Vec<(String, i64, String)>,
    top_projects: Vec<(String, i64)>,
    top_buildings: Vec<(String, i64)>,
}

pub async fn show(State(s): State<AppState>, page: StaffPage) -> Result<Html<String>, PageError> {
    if !may_see_dashboard(page.who.role) {
        return Err(PageError::Forbidden { locale: page.locale });
    }
    let d = s.services.dashboard(&page.who).await.map_err(|e| PageError::from_app(e, page.locale))?;
    let charts = dashboard_charts(&d, page.locale).map_err(|e| {
        tracing::error!(error = %e, "a dashboard chart could not be drawn");
        PageError::Internal { locale: page.locale }
    })?;
    let tables = Tables {
        satisfaction: d
            .satisfaction
            .iter()
            .map(|m| (m.month.format("%Y-%m").to_string(), m.callbacks, m.index.map(|i| format!("{i:.3}")).unwrap_or_default()))
            .collect(),
        top_projects: d.top_projects.iter().map(|r| (ranked_label(r), r.count)).collect(),
        top_buildings: d.top_buildings.iter().map(|r| (ranked_label(r), r.count)).collect(),
    };
    let ctx = page.base();
    let ctx = minijinja::context! {
        d => val(&d),
        summary => val(&Summary::of(&d)),
        charts => val(&charts),
        tables => val(&tables),
        ..ctx
    };
    render("dashboard.html", ctx)
}
