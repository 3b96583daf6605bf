//! Group complaints (群诉): incidents and their members.

use crate::convert::{db, from_millis};
use sqlx::SqlitePool;
use tousu_domain::Severity;
use tousu_store::{GroupIncident, StoreError, StoreResult};

// Inserts and updates go through the writer thread (`WriteOp::GroupInsert`,
// `WriteOp::GroupUpdate`), committed with the intakes of the same moment.

type Row = (i64, i64, i64, String, String, i64, i64, i64, i64);

async fn with_members(pool: &SqlitePool, rows: Vec<Row>) -> StoreResult<Vec<GroupIncident>> {
    let mut out = Vec::with_capacity(rows.len());
    for (id, company_id, project_id, cause, severity, households, flagged, opened_at, updated_at) in rows {
        let members: Vec<i64> =
            sqlx::query_scalar("SELECT complaint_id FROM group_members WHERE incident_id = ? ORDER BY complaint_id")
                .bind(id)
                .fetch_all(pool)
                .await
                .map_err(db)?;
        out.push(GroupIncident {
            id,
            company_id,
            project_id,
            cause,
            severity: Severity::parse(&severity).map_err(|e| StoreError::other(std::io::Error::other(e.message_en())))?,
            households: households.max(0) as u32,
            flagged_complaint_id: flagged,
            members,
            opened_at: from_millis(opened_at),
            updated_at: from_millis(updated_at),
        });
    }
    Ok(out)
}

const COLUMNS: &str =
    "g.id, g.company_id, g.project_id, g.cause, g.severity, g.households, g.flagged_complaint_id, g.opened_at, g.updated_at";

pub(crate) async fn list(pool: &SqlitePool, company_id: i64, limit: u32) -> StoreResult<Vec<GroupIncident>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM group_incidents g WHERE g.company_id = ? ORDER BY g.id DESC LIMIT ?"
    )))
    .bind(company_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    with_members(pool, rows).await
}

pub(crate) async fn find_of(pool: &SqlitePool, complaint_id: i64) -> StoreResult<Option<GroupIncident>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM group_incidents g JOIN group_members m ON m.incident_id = g.id \
         WHERE m.complaint_id = ? ORDER BY g.id DESC LIMIT 1"
    )))
    .bind(complaint_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(with_members(pool, rows).await?.into_iter().next())
}
