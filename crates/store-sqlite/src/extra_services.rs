//! The extra-services ledger (惊喜服务): rare writes on the writes pool, reads
//! on the readers.

use crate::convert::{db, from_millis, millis};
use sqlx::SqlitePool;
use tousu_domain::Timestamp;
use tousu_store::{ExtraService, StoreResult};

pub(crate) async fn insert(pool: &SqlitePool, e: &ExtraService) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO extra_services (company_id, project_id, building, unit, service, description, given_by, \
         given_at, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(e.company_id)
    .bind(e.project_id)
    .bind(&e.building)
    .bind(&e.unit)
    .bind(&e.service)
    .bind(&e.description)
    .bind(&e.given_by)
    .bind(millis(e.given_at))
    .bind(e.recorded_by)
    .bind(millis(e.recorded_at))
    .fetch_one(pool)
    .await
    .map_err(db)?;
    Ok(id)
}

type Row = (i64, i64, i64, String, String, Option<String>, String, String, i64, Option<i64>, i64);

pub(crate) async fn list(
    pool: &SqlitePool,
    company_id: i64,
    before_id: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<ExtraService>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, company_id, project_id, building, unit, service, description, given_by, given_at, \
         recorded_by, recorded_at FROM extra_services WHERE company_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
    )
    .bind(company_id)
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(id, company_id, project_id, building, unit, service, description, given_by, given_at, by, at)| {
            ExtraService {
                id,
                company_id,
                project_id,
                building,
                unit,
                service,
                description,
                given_by,
                given_at: from_millis(given_at),
                recorded_by: by,
                recorded_at: from_millis(at),
            }
        })
        .collect())
}

pub(crate) async fn household_had(
    pool: &SqlitePool,
    project_id: i64,
    building: &str,
    unit: &str,
    at: Timestamp,
) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM extra_services WHERE project_id = ? AND building = ? AND unit = ? AND given_at <= ? LIMIT 1",
    )
    .bind(project_id)
    .bind(building)
    .bind(unit)
    .bind(millis(at))
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(found.is_some())
}
