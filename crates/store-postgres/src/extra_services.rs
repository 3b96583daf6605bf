//! The extra-services ledger (惊喜服务): one statement each.

use crate::convert::at;
use crate::error::db;
use sqlx::PgPool;
use tousu_domain::Timestamp;
use tousu_store::{ExtraService, StoreResult};

pub(crate) async fn insert(pool: &PgPool, e: &ExtraService) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO extra_services (company_id, project_id, building, unit, service, description, given_by, \
         given_at, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(e.company_id)
    .bind(e.project_id)
    .bind(&e.building)
    .bind(&e.unit)
    .bind(&e.service)
    .bind(&e.description)
    .bind(&e.given_by)
    .bind(at(e.given_at))
    .bind(e.recorded_by)
    .bind(at(e.recorded_at))
    .fetch_one(pool)
    .await
    .map_err(db)?;
    Ok(id)
}

type Row = (i64, i64, i64, String, String, Option<String>, String, String, Timestamp, Option<i64>, Timestamp);

pub(crate) async fn list(
    pool: &PgPool,
    company_id: i64,
    before_id: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<ExtraService>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, company_id, project_id, building, unit, service, description, given_by, given_at, \
         recorded_by, recorded_at FROM extra_services WHERE company_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(company_id)
    .bind(before_id.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(id, company_id, project_id, building, unit, service, description, given_by, given_at, by, at_)| {
            ExtraService {
                id,
                company_id,
                project_id,
                building,
                unit,
                service,
                description,
                given_by,
                given_at,
                recorded_by: by,
                recorded_at: at_,
            }
        })
        .collect())
}

pub(crate) async fn household_had(
    pool: &PgPool,
    project_id: i64,
    building: &str,
    unit: &str,
    when: Timestamp,
) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM extra_services WHERE project_id = $1 AND building = $2 AND unit = $3 AND given_at <= $4 LIMIT 1",
    )
    .bind(project_id)
    .bind(building)
    .bind(unit)
    .bind(at(when))
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(found.is_some())
}
