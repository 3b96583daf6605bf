//! Group complaints (群诉): incidents and their members.

use crate::convert::{at, count};
use crate::error::{PgError, db};
use sqlx::{PgConnection, PgPool};
use tousu_domain::{Severity, Timestamp};
use tousu_store::{GroupIncident, StoreError, StoreResult};

/// Adds members to an incident; members already in it are skipped.
async fn add_members(conn: &mut PgConnection, incident_id: i64, members: &[i64]) -> StoreResult<()> {
    if members.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO group_members (incident_id, complaint_id) SELECT $1, m FROM UNNEST($2::BIGINT[]) AS m \
         ON CONFLICT DO NOTHING",
    )
    .bind(incident_id)
    .bind(members)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn insert(pool: &PgPool, g: GroupIncident) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(db)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO group_incidents (company_id, project_id, cause, severity, households, flagged_complaint_id, \
         opened_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(g.company_id)
    .bind(g.project_id)
    .bind(&g.cause)
    .bind(g.severity.as_str())
    .bind(i64::from(g.households))
    .bind(g.flagged_complaint_id)
    .bind(at(g.opened_at))
    .bind(at(g.updated_at))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    add_members(&mut tx, id, &g.members).await?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

pub(crate) async fn update(
    pool: &PgPool,
    id: i64,
    severity: Severity,
    households: u32,
    new_members: &[i64],
    at_: Timestamp,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let done = sqlx::query("UPDATE group_incidents SET severity = $1, households = $2, updated_at = $3 WHERE id = $4")
        .bind(severity.as_str())
        .bind(i64::from(households))
        .bind(at(at_))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("group incident"));
    }
    add_members(&mut tx, id, new_members).await?;
    tx.commit().await.map_err(db)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    company_id: i64,
    project_id: i64,
    cause: String,
    severity: String,
    households: i64,
    flagged_complaint_id: i64,
    opened_at: Timestamp,
    updated_at: Timestamp,
    /// Oldest first.
    members: Vec<i64>,
}

impl TryFrom<Row> for GroupIncident {
    type Error = StoreError;

    fn try_from(r: Row) -> StoreResult<GroupIncident> {
        Ok(GroupIncident {
            severity: Severity::parse(&r.severity).map_err(|_| PgError::corrupt("severity", r.severity.clone()))?,
            id: r.id,
            company_id: r.company_id,
            project_id: r.project_id,
            cause: r.cause,
            households: count(r.households),
            flagged_complaint_id: r.flagged_complaint_id,
            members: r.members,
            opened_at: r.opened_at,
            updated_at: r.updated_at,
        })
    }
}

/// The incident's columns and its members (in complaint order), in one row.
const SELECT: &str = "SELECT g.id, g.company_id, g.project_id, g.cause, g.severity, g.households, \
     g.flagged_complaint_id, g.opened_at, g.updated_at, \
     ARRAY(SELECT gm.complaint_id FROM group_members gm WHERE gm.incident_id = g.id ORDER BY gm.complaint_id) AS members \
     FROM group_incidents g";

pub(crate) async fn list(pool: &PgPool, company_id: i64, limit: u32) -> StoreResult<Vec<GroupIncident>> {
    let rows: Vec<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE g.company_id = $1 ORDER BY g.id DESC LIMIT $2")))
            .bind(company_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(db)?;
    rows.into_iter().map(GroupIncident::try_from).collect()
}

pub(crate) async fn find_of(pool: &PgPool, complaint_id: i64) -> StoreResult<Option<GroupIncident>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE g.id IN (SELECT m.incident_id FROM group_members m WHERE m.complaint_id = $1) \
         ORDER BY g.id DESC LIMIT 1"
    )))
    .bind(complaint_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(GroupIncident::try_from).transpose()
}
