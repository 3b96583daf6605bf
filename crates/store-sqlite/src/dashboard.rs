//! The dashboard's reads of the daily figures: a few keys summed over
//! projects (or over days), through the `stats_daily_by_key` index (company,
//! key, day, project, value), so a key over a year costs that key's rows
//! only. The index is named: on the primary key (company, day, …) the same
//! read walks every figure of every day in the range.

use crate::convert::db;
use chrono::NaiveDate;
use sqlx::SqlitePool;
use tousu_store::StoreResult;

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) async fn sum_daily_figures(
    pool: &SqlitePool,
    company_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    keys: &[&str],
) -> StoreResult<Vec<(NaiveDate, String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; keys.len()].join(", ");
    // Grouped in the index's order (key, day): no sorting.
    let sql = format!(
        "SELECT key, day, SUM(value) FROM stats_daily INDEXED BY stats_daily_by_key \
         WHERE company_id = ? AND key IN ({placeholders}) AND day >= ? AND day <= ? \
         GROUP BY key, day HAVING SUM(value) != 0 ORDER BY key, day"
    );
    let mut query = sqlx::query_as::<_, (String, String, i64)>(sqlx::AssertSqlSafe(sql)).bind(company_id);
    for k in keys {
        query = query.bind(*k);
    }
    let rows = query.bind(ymd(from)).bind(ymd(to)).fetch_all(pool).await.map_err(db)?;
    Ok(rows
        .into_iter()
        .filter_map(|(key, day, sum)| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok().map(|d| (d, key, sum)))
        .collect())
}

pub(crate) async fn sum_figures_by_project(
    pool: &SqlitePool,
    company_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    prefix: &str,
) -> StoreResult<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT project_id, key, SUM(value) FROM stats_daily INDEXED BY stats_daily_by_key \
         WHERE company_id = ? AND key >= ? AND key < ? AND day >= ? AND day <= ? \
         GROUP BY project_id, key HAVING SUM(value) != 0 ORDER BY project_id, key",
    )
    .bind(company_id)
    .bind(prefix)
    .bind(format!("{prefix}\u{10FFFF}"))
    .bind(ymd(from))
    .bind(ymd(to))
    .fetch_all(pool)
    .await
    .map_err(db)
}
