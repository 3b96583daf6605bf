//! Training cases (案例库): rare writes on the writes pool, reads on the
//! readers; the case document is kept as JSON.

use crate::convert::{db, from_json, from_millis, millis, to_json};
use sqlx::SqlitePool;
use tousu_store::{StoreError, StoreResult, StoredTrainingCase};

pub(crate) async fn insert(pool: &SqlitePool, t: &StoredTrainingCase) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO training_cases (company_id, complaint_id, document, created_by, created_at) \
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(t.company_id)
    .bind(t.complaint_id)
    .bind(to_json(&t.case)?)
    .bind(t.created_by)
    .bind(millis(t.created_at))
    .fetch_one(pool)
    .await
    .map_err(db)
}

type Row = (i64, i64, i64, String, Option<i64>, i64);
const COLUMNS: &str = "id, company_id, complaint_id, document, created_by, created_at";

fn record((id, company_id, complaint_id, document, created_by, created_at): Row) -> StoreResult<StoredTrainingCase> {
    Ok(StoredTrainingCase {
        id,
        company_id,
        complaint_id,
        case: from_json(&document)?,
        created_by,
        created_at: from_millis(created_at),
    })
}

pub(crate) async fn list(pool: &SqlitePool, company_id: i64, limit: u32) -> StoreResult<Vec<StoredTrainingCase>> {
    let sql = format!("SELECT {COLUMNS} FROM training_cases WHERE company_id = ? ORDER BY id DESC LIMIT ?");
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(company_id)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    rows.into_iter().map(record).collect()
}

pub(crate) async fn find(pool: &SqlitePool, company_id: i64, id: i64) -> StoreResult<StoredTrainingCase> {
    let sql = format!("SELECT {COLUMNS} FROM training_cases WHERE company_id = ? AND id = ?");
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(company_id).bind(id).fetch_optional(pool).await.map_err(db)?;
    row.map(record).unwrap_or(Err(StoreError::NotFound("training case")))
}
