//! GET /figures: the figures leaders steer by (issue 7) as server-drawn SVG
//! charts, each with its numbers beneath: the Pareto of root causes (the
//! defect library), its trend by month, the touchpoint × project
//! satisfaction heatmap, and satisfaction by month; with the downloads
//! (monthly report, design-review checklist, CSV). For the roles that see
//! the dashboard.

use super::charts::{LegendItem, Series, WIDE, hex, line, stacked_columns};
use super::figure_charts::{heatmap, pareto};
use super::i18n::{Locale, text};
use super::render::{PageError, render, val};
use super::session::StaffPage;
use crate::AppState;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use plotters::style::RGBColor;
use serde::{Deserialize, Serialize};
use tousu_app::dashboard::may_see_dashboard;
use tousu_app::defects::{LIBRARY_MONTHS, LibraryQuery, default_months};
use tousu_app::satisfaction::SatisfactionQuery;
use tousu_domain::satisfaction_figures::Dimension;

pub fn router() -> Router<AppState> {
    Router::new().route("/figures", get(show))
}

/// The causes the Pareto chart shows; the rest are in the CSV.
const PARETO_ROWS: usize = 12;

const PALETTE: [RGBColor; 8] = [
    RGBColor(0x15, 0x52, 0xa8),
    RGBColor(0x1e, 0x7b, 0x34),
    RGBColor(0xb2, 0x6a, 0x00),
    RGBColor(0xb3, 0x26, 0x1e),
    RGBColor(0x6a, 0x3f, 0xa0),
    RGBColor(0x0e, 0x7c, 0x86),
    RGBColor(0x8a, 0x94, 0xa0),
    RGBColor(0x5c, 0x40, 0x33),
];

#[derive(Deserialize)]
pub struct Months {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
struct Svg {
    svg: String,
    legend: Vec<LegendItem>,
}

fn touchpoint_label(locale: Locale, code: &str) -> String {
    let key = format!("triage.touchpoint.{code}");
    let s = text(locale, &key);
    if s == key { code.to_string() } else { s }
}

fn chart_error(e: String, locale: Locale) -> PageError {
    tracing::error!(error = %e, "a figures chart could not be drawn");
    PageError::Internal { locale }
}

pub async fn show(
    State(s): State<AppState>,
    page: StaffPage,
    Query(m): Query<Months>,
) -> Result<Html<String>, PageError> {
    let locale = page.locale;
    if !may_see_dashboard(page.who.role) {
        return Err(PageError::Forbidden { locale });
    }
    let fail = |e| PageError::from_app(e, locale);
    let (from, to) = default_months(s.services.now(), LIBRARY_MONTHS, m.from, m.to);
    let library = s
        .services
        .defect_library(
            &page.who,
            LibraryQuery {
                by: Some("component".into()),
                from: Some(from.clone()),
                to: Some(to.clone()),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?;
    let heat = s.services.touchpoint_heatmap(&page.who, from.clone(), to.clone()).await.map_err(fail)?;
    let monthly = s
        .services
        .satisfaction_report(
            &page.who,
            SatisfactionQuery { by: Dimension::Month, from: from.clone(), to: to.clone(), project: None },
        )
        .await
        .map_err(fail)?;

    // The Pareto of root causes.
    let shown: Vec<_> = library.rows.iter().take(PARETO_ROWS).collect();
    let labels: Vec<String> =
        shown.iter().map(|r| r.label.rsplit(" › ").next().unwrap_or(&r.label).to_string()).collect();
    let counts: Vec<i64> = shown.iter().map(|r| r.complaints).collect();
    let cumulative: Vec<f64> = shown.iter().map(|r| r.cumulative_share).collect();
    let pareto_svg = pareto(&labels, &counts, &cumulative, WIDE).map_err(|e| chart_error(e, locale))?;

    // The trend: complaints per month of closing, by top-level component.
    let tree = s.services.defect_tree();
    let mut groups: Vec<(String, i64)> = Vec::new();
    for month in &library.trend {
        for (code, n) in &month.components {
            match groups.iter_mut().find(|(c, _)| c == code) {
                Some((_, total)) => *total += n,
                None => groups.push((code.clone(), *n)),
            }
        }
    }
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let months: Vec<String> = library.trend.iter().map(|t| t.month.clone()).collect();
    let values: Vec<Vec<i64>> = groups
        .iter()
        .map(|(code, _)| library.trend.iter().map(|t| t.components.get(code).copied().unwrap_or(0)).collect())
        .collect();
    let series: Vec<Series<'_>> = groups
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(i, ((code, _), v))| Series { label: tree.display(code), color: PALETTE[i % PALETTE.len()], values: v })
        .collect();
    let trend = Svg {
        svg: stacked_columns(&months, &series, 12, WIDE).map_err(|e| chart_error(e, locale))?,
        legend: series.iter().map(|s| LegendItem { label: s.label.clone(), color: hex(s.color) }).collect(),
    };

    // Touchpoint × project.
    let rows: Vec<String> = heat.projects.iter().map(|(_, name)| name.clone()).collect();
    let columns: Vec<String> = heat.touchpoints.iter().map(|t| touchpoint_label(locale, t)).collect();
    let cells: Vec<Vec<Option<(f64, u64)>>> = heat
        .projects
        .iter()
        .map(|(code, _)| {
            heat.touchpoints.iter().map(|t| heat.cell(code, t).map(|c| (c.mean_index, c.callbacks))).collect()
        })
        .collect();
    let heat_svg = heatmap(&rows, &columns, &cells).map_err(|e| chart_error(e, locale))?;
    let heat_table: Vec<(String, Vec<String>)> = heat
        .projects
        .iter()
        .zip(&cells)
        .map(|((_, name), row)| {
            (name.clone(), row.iter().map(|c| c.map(|(i, n)| format!("{i:.2} ({n})")).unwrap_or_default()).collect())
        })
        .collect();

    // Satisfaction by month.
    let sat_months: Vec<String> = monthly.rows.iter().map(|r| r.key.clone()).collect();
    let sat_values: Vec<Option<f64>> = monthly.rows.iter().map(|r| Some(r.figures.mean_index)).collect();
    let sat_svg = line(&sat_months, &sat_values, 1.0, PALETTE[0], WIDE).map_err(|e| chart_error(e, locale))?;

    let ctx = minijinja::context! {
        from => from,
        to => to,
        library => val(&library),
        pareto => pareto_svg,
        trend => val(&trend),
        trend_groups => groups.iter().map(|(c, n)| (tree.display(c), *n)).collect::<Vec<_>>(),
        heat_svg => heat_svg,
        heat_columns => columns,
        heat_table => heat_table,
        satisfaction => val(&monthly.rows),
        satisfaction_svg => sat_svg,
        ..page.base()
    };
    render("figures.html", ctx)
}
