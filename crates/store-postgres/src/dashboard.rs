//! The dashboard's reads of the daily figures: a few keys summed over
//! projects (or over days), through `stats_daily_by_key` (company, key,
//! day, project, including the value), so a key over a year costs that
//! key's rows only.

use crate::convert::prefix_end;
use crate::error::db;
use chrono::NaiveDate;
use sqlx::PgPool;
use tousu_store::StoreResult;

pub(crate) async fn sum_daily_figures(
    pool: &PgPool,
    company_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    keys: &[&str],
) -> StoreResult<Vec<(NaiveDate, String, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    // SUM of BIGINT is NUMERIC in PostgreSQL: cast back.
    let rows: Vec<(String, NaiveDate, i64)> = sqlx::query_as(
        "SELECT key, day, SUM(value)::BIGINT FROM stats_daily \
         WHERE company_id = $1 AND key = ANY($2) AND day >= $3 AND day <= $4 \
         GROUP BY key, day HAVING SUM(value) <> 0 ORDER BY key, day",
    )
    .bind(company_id)
    .bind(keys)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows.into_iter().map(|(key, day, sum)| (day, key, sum)).collect())
}

pub(crate) async fn sum_figures_by_project(
    pool: &PgPool,
    company_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    prefix: &str,
) -> StoreResult<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT project_id, key, SUM(value)::BIGINT FROM stats_daily \
         WHERE company_id = $1 AND key >= $2 AND key < $3 AND day >= $4 AND day <= $5 \
         GROUP BY project_id, key HAVING SUM(value) <> 0 ORDER BY project_id, key",
    )
    .bind(company_id)
    .bind(prefix)
    .bind(prefix_end(prefix))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .map_err(db)
}
