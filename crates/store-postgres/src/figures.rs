//! Reading the figures kept as events are written (`stats_daily`,
//! `stats_current`). Keys are `COLLATE "C"`, so a prefix is a range of the
//! primary key.

use crate::convert::prefix_end;
use crate::error::db;
use chrono::NaiveDate;
use sqlx::PgPool;
use tousu_store::StoreResult;

pub(crate) async fn list_daily_figures(
    pool: &PgPool,
    company_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    prefix: &str,
) -> StoreResult<Vec<(NaiveDate, i64, String, i64)>> {
    sqlx::query_as(
        "SELECT day, project_id, key, value FROM stats_daily WHERE company_id = $1 AND day >= $2 AND day <= $3 \
         AND key >= $4 AND key < $5 AND value <> 0 ORDER BY day, project_id, key",
    )
    .bind(company_id)
    .bind(from)
    .bind(to)
    .bind(prefix)
    .bind(prefix_end(prefix))
    .fetch_all(pool)
    .await
    .map_err(db)
}

pub(crate) async fn list_current_figures(pool: &PgPool, company_id: i64, prefix: &str) -> StoreResult<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT project_id, key, value FROM stats_current WHERE company_id = $1 AND key >= $2 AND key < $3 \
         AND value <> 0 ORDER BY project_id, key",
    )
    .bind(company_id)
    .bind(prefix)
    .bind(prefix_end(prefix))
    .fetch_all(pool)
    .await
    .map_err(db)
}
