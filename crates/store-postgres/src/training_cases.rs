//! Training cases (案例库): one statement each; the case document is JSONB.

use crate::convert::at;
use crate::error::db;
use sqlx::PgPool;
use sqlx::types::Json;
use tousu_domain::Timestamp;
use tousu_domain::training::TrainingCase;
use tousu_store::{StoreError, StoreResult, StoredTrainingCase};

pub(crate) async fn insert(pool: &PgPool, t: &StoredTrainingCase) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO training_cases (company_id, complaint_id, document, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(t.company_id)
    .bind(t.complaint_id)
    .bind(Json(&t.case))
    .bind(t.created_by)
    .bind(at(t.created_at))
    .fetch_one(pool)
    .await
    .map_err(db)
}

type Row = (i64, i64, i64, Json<TrainingCase>, Option<i64>, Timestamp);
const COLUMNS: &str = "id, company_id, complaint_id, document, created_by, created_at";

fn record((id, company_id, complaint_id, Json(case), created_by, created_at): Row) -> StoredTrainingCase {
    StoredTrainingCase { id, company_id, complaint_id, case, created_by, created_at }
}

pub(crate) async fn list(pool: &PgPool, company_id: i64, limit: u32) -> StoreResult<Vec<StoredTrainingCase>> {
    let sql = format!("SELECT {COLUMNS} FROM training_cases WHERE company_id = $1 ORDER BY id DESC LIMIT $2");
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    Ok(rows.into_iter().map(record).collect())
}

pub(crate) async fn find(pool: &PgPool, company_id: i64, id: i64) -> StoreResult<StoredTrainingCase> {
    let sql = format!("SELECT {COLUMNS} FROM training_cases WHERE company_id = $1 AND id = $2");
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(company_id).bind(id).fetch_optional(pool).await.map_err(db)?;
    row.map(record).ok_or(StoreError::NotFound("training case"))
}
