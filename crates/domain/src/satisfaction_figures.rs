//! 满意度统计 — the satisfaction figures leaders steer by (issue 7):
//! callbacks, the mean satisfaction index (perceived ÷ expected) and the
//! mean difference (perceived − expected), with the share of satisfied
//! (>1), content (=1) and dissatisfied (<1) customers, split by company,
//! project, department, category, touchpoint, stage or month.
//!
//! Kept as events are written ([`crate::stats`]): a callback adds, to its
//! project's figures of the month it was made, four counts for each split
//! it belongs to, under `sat:{dimension}:{value}:{measure}`. A report then
//! reads a few rows per project and month, however many callbacks there
//! are, and [`aggregate`] folds them into figures.

use crate::complaint::Complaint;
use crate::satisfaction::{Satisfaction, Verdict};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the figures are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// One row: the whole company.
    Company,
    Project,
    /// The department that handled it (`none` when none was dispatched).
    Department,
    Category,
    /// 触点, as triage read it or a person corrected it (`unknown` if neither).
    Touchpoint,
    /// The touchpoint's stage: purchase, waiting, handover, living, companion.
    Stage,
    /// The month of the callback (`YYYY-MM`).
    Month,
    /// Whether the household had been given an extra service (惊喜服务)
    /// before the callback: `yes` or `no`.
    ExtraService,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Company,
        Dimension::Project,
        Dimension::Department,
        Dimension::Category,
        Dimension::Touchpoint,
        Dimension::Stage,
        Dimension::Month,
        Dimension::ExtraService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Company => "company",
            Dimension::Project => "project",
            Dimension::Department => "department",
            Dimension::Category => "category",
            Dimension::Touchpoint => "touchpoint",
            Dimension::Stage => "stage",
            Dimension::Month => "month",
            Dimension::ExtraService => "extra_service",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The stored split the figures are read from: company, project and
    /// month are the `all` split summed by row, project or month.
    pub fn key_prefix(self) -> String {
        match self {
            Dimension::Company | Dimension::Project | Dimension::Month => format!("{PREFIX}all:"),
            split => format!("{PREFIX}{}:", split.as_str()),
        }
    }
}

const PREFIX: &str = "sat:";
const MEASURES: [&str; 6] = ["callbacks", "index_milli", "difference", "satisfied", "content", "dissatisfied"];

/// The counts one callback adds to its month's figures (the project is the
/// row's): for the `all` split and for its department, category,
/// touchpoint and stage.
pub fn callback_deltas(c: &Complaint, s: &Satisfaction) -> Vec<(String, i64)> {
    let touchpoint = c.touchpoint.as_deref();
    let splits = [
        ("all", "all"),
        ("department", c.department.as_ref().map_or("none", |d| d.code.as_str())),
        ("category", c.category.map_or("uncategorised", |k| k.as_str())),
        ("touchpoint", touchpoint.unwrap_or("unknown")),
        ("stage", touchpoint.map_or("unknown", crate::triage::stage_of)),
        ("extra_service", if s.extra_service { "yes" } else { "no" }),
    ];
    let verdict = match s.verdict() {
        Verdict::Satisfied => "satisfied",
        Verdict::Content => "content",
        Verdict::Dissatisfied => "dissatisfied",
    };
    let index_milli = (s.index * 1000.0).round() as i64;
    let mut out = Vec::with_capacity(splits.len() * 4);
    for (split, value) in splits {
        let key = |measure: &str| format!("{PREFIX}{split}:{value}:{measure}");
        out.push((key("callbacks"), 1));
        out.push((key("index_milli"), index_milli));
        out.push((key("difference"), i64::from(s.difference)));
        out.push((key(verdict), 1));
    }
    out
}

/// The figures of one row of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SatisfactionFigure {
    /// What the row is: a project id, a department code, a category, a
    /// touchpoint, a stage, a month (`YYYY-MM`), or `all` for the company.
    pub value: String,
    pub callbacks: u64,
    /// Mean of perceived ÷ expected over the callbacks (to 1/1000 per callback).
    pub mean_index: f64,
    /// Mean of perceived − expected.
    pub mean_difference: f64,
    pub satisfied: u64,
    pub content: u64,
    pub dissatisfied: u64,
    /// Shares of the callbacks, 0–1.
    pub satisfied_share: f64,
    pub content_share: f64,
    pub dissatisfied_share: f64,
}

#[derive(Default)]
struct Sums {
    measures: [i64; MEASURES.len()],
}

/// Folds stored rows `(month, project, key, value)` whose keys start with
/// `dimension.key_prefix()` into one figure per value of the dimension,
/// ordered by value. Rows of other keys are ignored.
pub fn aggregate(dimension: Dimension, rows: &[(NaiveDate, i64, String, i64)]) -> Vec<SatisfactionFigure> {
    let prefix = dimension.key_prefix();
    let mut sums: std::collections::BTreeMap<String, Sums> = std::collections::BTreeMap::new();
    for (month, project, key, value) in rows {
        let Some(rest) = key.strip_prefix(&prefix) else { continue };
        let Some((split_value, measure)) = rest.rsplit_once(':') else { continue };
        let Some(m) = MEASURES.iter().position(|x| *x == measure) else { continue };
        let row = match dimension {
            Dimension::Company => "all".to_string(),
            Dimension::Project => project.to_string(),
            Dimension::Month => month.format("%Y-%m").to_string(),
            _ => split_value.to_string(),
        };
        sums.entry(row).or_default().measures[m] += value;
    }
    sums.into_iter().filter_map(|(value, s)| figure(value, &s.measures)).collect()
}

fn figure(value: String, m: &[i64; MEASURES.len()]) -> Option<SatisfactionFigure> {
    let count = |i: usize| u64::try_from(m[i]).unwrap_or(0);
    let callbacks = count(0);
    if callbacks == 0 {
        return None;
    }
    let n = callbacks as f64;
    let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
    let (satisfied, content, dissatisfied) = (count(3), count(4), count(5));
    Some(SatisfactionFigure {
        value,
        callbacks,
        mean_index: round3(m[1] as f64 / 1000.0 / n),
        mean_difference: round3(m[2] as f64 / n),
        satisfied,
        content,
        dissatisfied,
        satisfied_share: round3(satisfied as f64 / n),
        content_share: round3(content as f64 / n),
        dissatisfied_share: round3(dissatisfied as f64 / n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    fn rows() -> Vec<(NaiveDate, i64, String, i64)> {
        let mut rows = Vec::new();
        // Project 1, November: two callbacks (8/10 and 9/6) handled by
        // engineering; project 2, December: one (5/5), by no department.
        for (month, project, split, value, measures) in [
            ("2026-11-01", 1, "all", "all", [2, 2300, 1, 1, 0, 1]),
            ("2026-11-01", 1, "department", "engineering", [2, 2300, 1, 1, 0, 1]),
            ("2026-12-01", 2, "all", "all", [1, 1000, 0, 0, 1, 0]),
            ("2026-12-01", 2, "department", "none", [1, 1000, 0, 0, 1, 0]),
        ] {
            for (measure, v) in MEASURES.iter().zip(measures) {
                rows.push((d(month), project, format!("sat:{split}:{value}:{measure}"), v));
            }
        }
        rows.push((d("2026-11-01"), 1, "callbacks".into(), 99));
        rows
    }

    #[test]
    fn the_company_row_sums_every_project_and_month() {
        let all = aggregate(Dimension::Company, &rows());
        assert_eq!(all.len(), 1);
        let f = &all[0];
        assert_eq!((f.value.as_str(), f.callbacks, f.satisfied, f.content, f.dissatisfied), ("all", 3, 1, 1, 1));
        assert_eq!(f.mean_index, 1.1, "(0.8 + 1.5 + 1.0) / 3");
        assert_eq!(f.mean_difference, 0.333);
        assert_eq!((f.satisfied_share, f.content_share, f.dissatisfied_share), (0.333, 0.333, 0.333));
    }

    #[test]
    fn rows_split_by_project_month_or_department() {
        let values = |d| aggregate(d, &rows()).into_iter().map(|f| (f.value, f.callbacks)).collect::<Vec<_>>();
        assert_eq!(values(Dimension::Project), [("1".to_string(), 2), ("2".to_string(), 1)]);
        assert_eq!(values(Dimension::Month), [("2026-11".to_string(), 2), ("2026-12".to_string(), 1)]);
        assert_eq!(values(Dimension::Department), [("engineering".to_string(), 2), ("none".to_string(), 1)]);
        assert!(values(Dimension::Touchpoint).is_empty(), "no rows of that split");
        let engineering = &aggregate(Dimension::Department, &rows())[0];
        assert_eq!((engineering.mean_index, engineering.mean_difference), (1.15, 0.5));
    }

    #[test]
    fn every_dimension_parses_from_its_name() {
        for d in Dimension::ALL {
            assert_eq!(Dimension::parse(d.as_str()), Some(d));
        }
        assert_eq!(Dimension::parse("building"), None);
    }
}
