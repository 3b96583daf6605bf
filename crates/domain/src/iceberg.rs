//! 冰山 — the iceberg of DOMAIN.md (001): one complaint speaks for about 24
//! customers who were as unhappy and said nothing (69–82% never complain).
//! Per project: the complaints received, the silent dissatisfied they stand
//! for, beside what the callbacks said.

use crate::satisfaction_figures::{Dimension, SatisfactionFigure, aggregate};
use chrono::NaiveDate;
use serde::Serialize;

/// The silent dissatisfied customers one complaint stands for, by default.
pub const DEFAULT_FACTOR: u32 = 24;

/// One project's iceberg.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IcebergRow {
    pub project_id: i64,
    /// Complaints received in the period, consultations (咨询) left out:
    /// they are questions, not dissatisfaction.
    pub complaints: u64,
    /// complaints × the factor.
    pub silent_estimate: u64,
    /// What the callbacks of the period said (none when there were none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callbacks: Option<SatisfactionFigure>,
}

/// Folds the daily `received:{category}` rows and the monthly satisfaction
/// rows (`sat:all:…`), `(day, project, key, value)`, into one row per
/// project that has either, by project id.
pub fn iceberg(
    received: &[(NaiveDate, i64, String, i64)],
    satisfaction: &[(NaiveDate, i64, String, i64)],
    factor: u32,
) -> Vec<IcebergRow> {
    let mut complaints: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (_, project, key, value) in received {
        let Some(category) = key.strip_prefix("received:") else { continue };
        if category != "consultation" {
            *complaints.entry(*project).or_default() += value;
        }
    }
    let mut callbacks: std::collections::BTreeMap<i64, SatisfactionFigure> =
        aggregate(Dimension::Project, satisfaction)
            .into_iter()
            .filter_map(|f| f.value.parse().ok().map(|id| (id, f)))
            .collect();
    for id in callbacks.keys() {
        complaints.entry(*id).or_default();
    }
    complaints
        .into_iter()
        .map(|(project_id, n)| {
            let complaints = u64::try_from(n).unwrap_or(0);
            IcebergRow {
                project_id,
                complaints,
                silent_estimate: complaints.saturating_mul(u64::from(factor)),
                callbacks: callbacks.remove(&project_id),
            }
        })
        .filter(|r| r.complaints > 0 || r.callbacks.is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn each_complaint_stands_for_the_factor_of_silent_customers_and_consultations_do_not_count() {
        let received = vec![
            (d("2026-11-02"), 1, "received:facilities".to_string(), 3),
            (d("2026-11-20"), 1, "received:fees".to_string(), 1),
            (d("2026-11-20"), 1, "received:consultation".to_string(), 5),
            (d("2026-11-20"), 2, "received:consultation".to_string(), 2),
            (d("2026-11-20"), 1, "status:received".to_string(), 9),
        ];
        let satisfaction = vec![
            (d("2026-11-01"), 3, "sat:all:all:callbacks".to_string(), 1),
            (d("2026-11-01"), 3, "sat:all:all:index_milli".to_string(), 500),
            (d("2026-11-01"), 3, "sat:all:all:dissatisfied".to_string(), 1),
        ];
        let rows = iceberg(&received, &satisfaction, 24);
        assert_eq!(rows.len(), 2, "project 2 had only consultations");
        assert_eq!((rows[0].project_id, rows[0].complaints, rows[0].silent_estimate), (1, 4, 96));
        assert!(rows[0].callbacks.is_none());
        assert_eq!((rows[1].project_id, rows[1].complaints, rows[1].silent_estimate), (3, 0, 0));
        assert_eq!(rows[1].callbacks.as_ref().map(|f| (f.callbacks, f.dissatisfied)), Some((1, 1)));
        assert_eq!(iceberg(&received, &[], 10)[0].silent_estimate, 40, "the factor is configurable");
    }
}
