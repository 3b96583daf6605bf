//! The organisation, staff, credentials and files.

use crate::convert::{at, at_opt};
use crate::error::{PgError, db};
use sqlx::{PgConnection, PgPool};
use tousu_domain::{Role, Timestamp};
use tousu_store::*;

/// Creates the group and its companies in one transaction: a taken code or
/// username (a unique violation) rolls all of it back.
pub(crate) async fn insert_organisation(pool: &PgPool, seed: OrgSeed) -> StoreResult<()> {
    let now = at(chrono::Utc::now());
    let mut tx = pool.begin().await.map_err(db)?;
    let group_id: i64 = sqlx::query_scalar("INSERT INTO groups (name) VALUES ($1) RETURNING id")
        .bind(&seed.group_name)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    for company in &seed.companies {
        insert_company(&mut tx, group_id, company, now).await?;
    }
    tx.commit().await.map_err(db)
}

async fn insert_company(conn: &mut PgConnection, group_id: i64, c: &CompanySeed, now: Timestamp) -> StoreResult<()> {
    let company_id: i64 = sqlx::query_scalar(
        "INSERT INTO companies (group_id, code, name, tracking_prefix, timezone, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(group_id)
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.tracking_prefix)
    .bind(&c.timezone)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(db)?;
    for d in &c.departments {
        sqlx::query("INSERT INTO departments (company_id, code, name) VALUES ($1, $2, $3)")
            .bind(company_id)
            .bind(&d.code)
            .bind(&d.name)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    for p in &c.projects {
        let project_id: i64 =
            sqlx::query_scalar("INSERT INTO projects (company_id, code, name) VALUES ($1, $2, $3) RETURNING id")
                .bind(company_id)
                .bind(&p.code)
                .bind(&p.name)
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
        for b in &p.buildings {
            insert_building_in(conn, project_id, b).await?;
        }
    }
    for s in &c.staff {
        insert_staff_in(conn, company_id, s, now).await?;
    }
    Ok(())
}

/// Inserts a building and its units (in order: ids keep the seed's order).
pub(crate) async fn insert_building_in(conn: &mut PgConnection, project_id: i64, b: &Building) -> StoreResult<()> {
    let building_id: i64 =
        sqlx::query_scalar("INSERT INTO buildings (project_id, name) VALUES ($1, $2) RETURNING id")
            .bind(project_id)
            .bind(&b.name)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    if !b.units.is_empty() {
        sqlx::query(
            "INSERT INTO units (building_id, name) \
             SELECT $1, name FROM UNNEST($2::TEXT[]) WITH ORDINALITY AS u (name, n) ORDER BY n",
        )
        .bind(building_id)
        .bind(&b.units)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

async fn insert_staff_in(conn: &mut PgConnection, company_id: i64, s: &StaffSeed, now: Timestamp) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO staff (company_id, username, display_name, role, department_code, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(company_id)
    .bind(&s.username)
    .bind(&s.display_name)
    .bind(s.role.as_str())
    .bind(&s.department)
    .bind(&s.password_hash)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(db)
}

pub(crate) async fn insert_staff(pool: &PgPool, company_id: i64, staff: StaffSeed) -> StoreResult<i64> {
    let mut conn = pool.acquire().await.map_err(db)?;
    insert_staff_in(&mut conn, company_id, &staff, at(chrono::Utc::now())).await
}

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: i64,
    group_name: String,
    code: String,
    name: String,
    tracking_prefix: String,
    timezone: String,
}

pub(crate) async fn list_companies(pool: &PgPool) -> StoreResult<Vec<Company>> {
    let rows: Vec<CompanyRow> = sqlx::query_as(
        "SELECT c.id, g.name AS group_name, c.code, c.name, c.tracking_prefix, c.timezone \
         FROM companies c JOIN groups g ON g.id = c.group_id ORDER BY c.id",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|r| Company {
            id: r.id,
            group_name: r.group_name,
            code: r.code,
            name: r.name,
            tracking_prefix: r.tracking_prefix,
            timezone: r.timezone,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    company_id: i64,
    username: String,
    display_name: String,
    role: String,
    department_code: Option<String>,
    password_hash: Option<String>,
}

const STAFF_COLUMNS: &str =
    "s.id, s.company_id, s.username, s.display_name, s.role, s.department_code, s.password_hash";

impl TryFrom<StaffRow> for StaffRecord {
    type Error = StoreError;

    fn try_from(r: StaffRow) -> StoreResult<StaffRecord> {
        Ok(StaffRecord {
            id: r.id,
            company_id: r.company_id,
            username: r.username,
            display_name: r.display_name,
            role: r.role.parse::<Role>().map_err(|_| PgError::corrupt("role", r.role.clone()))?,
            department: r.department_code,
            password_hash: r.password_hash,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PlaceRow {
    id: i64,
    code: String,
    name: String,
    building: Option<String>,
    unit: Option<String>,
}

pub(crate) async fn find_org_snapshot(pool: &PgPool, company_id: i64) -> StoreResult<OrgSnapshot> {
    let departments: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM departments WHERE company_id = $1 ORDER BY id")
            .bind(company_id)
            .fetch_all(pool)
            .await
            .map_err(db)?;
    let staff_rows: Vec<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM staff s WHERE s.company_id = $1 AND s.active ORDER BY s.id"
    )))
    .bind(company_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let places: Vec<PlaceRow> = sqlx::query_as(
        "SELECT p.id, p.code, p.name, b.name AS building, u.name AS unit FROM projects p \
         LEFT JOIN buildings b ON b.project_id = p.id LEFT JOIN units u ON u.building_id = b.id \
         WHERE p.company_id = $1 ORDER BY p.id, b.id, u.id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut projects: Vec<Project> = Vec::new();
    for PlaceRow { id, code, name, building, unit } in places {
        if projects.last().is_none_or(|p| p.id != id) {
            projects.push(Project { id, code, name, buildings: Vec::new() });
        }
        let Some(project) = projects.last_mut() else { continue };
        if let Some(building) = building {
            if project.buildings.last().is_none_or(|b| b.name != building) {
                project.buildings.push(Building { name: building, units: Vec::new() });
            }
            if let (Some(unit), Some(b)) = (unit, project.buildings.last_mut()) {
                b.units.push(unit);
            }
        }
    }
    Ok(OrgSnapshot {
        departments: departments.into_iter().map(|(code, name)| Department { code, name }).collect(),
        staff: staff_rows.into_iter().map(StaffRecord::try_from).collect::<StoreResult<_>>()?,
        projects,
    })
}

pub(crate) async fn find_staff_by_username(pool: &PgPool, username: &str) -> StoreResult<Option<StaffRecord>> {
    let row: Option<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM staff s WHERE s.username = $1 AND s.active"
    )))
    .bind(username)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(StaffRecord::try_from).transpose()
}

pub(crate) async fn list_staff_by_role(pool: &PgPool, role: Role) -> StoreResult<Vec<StaffRecord>> {
    let rows: Vec<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM staff s WHERE s.role = $1 AND s.active ORDER BY s.id"
    )))
    .bind(role.as_str())
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.into_iter().map(StaffRecord::try_from).collect()
}

pub(crate) async fn update_staff_password(pool: &PgPool, staff_id: i64, hash: &str) -> StoreResult<()> {
    let done = sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(staff_id)
        .execute(pool)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound("staff member")) } else { Ok(()) }
}

pub(crate) async fn insert_credential(pool: &PgPool, c: NewCredential) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO credentials (secret_hash, staff_id, kind, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(c.secret_hash)
    .bind(c.staff_id)
    .bind(c.kind.as_str())
    .bind(c.label)
    .bind(at(c.created_at))
    .bind(at_opt(c.expires_at))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn find_credential(pool: &PgPool, secret_hash: &str, now: Timestamp) -> StoreResult<Option<StaffRecord>> {
    let row: Option<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM credentials c JOIN staff s ON s.id = c.staff_id \
         WHERE c.secret_hash = $1 AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $2) \
         AND s.active"
    )))
    .bind(secret_hash)
    .bind(at(now))
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(StaffRecord::try_from).transpose()
}

pub(crate) async fn revoke_credential(pool: &PgPool, secret_hash: &str, now: Timestamp) -> StoreResult<()> {
    sqlx::query("UPDATE credentials SET revoked_at = $1 WHERE secret_hash = $2 AND revoked_at IS NULL")
        .bind(at(now))
        .bind(secret_hash)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

/// Stores the bytes once per content (a racing upload of the same bytes
/// finds them stored) and the file's row, in one transaction.
pub(crate) async fn insert_file(pool: &PgPool, f: NewFile) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("INSERT INTO file_blobs (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
        .bind(&f.sha256)
        .bind(f.bytes.len() as i64)
        .bind(&f.bytes)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO files (company_id, complaint_id, name, content_type, sha256, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(f.company_id)
    .bind(f.complaint_id)
    .bind(&f.name)
    .bind(&f.content_type)
    .bind(&f.sha256)
    .bind(f.uploaded_by)
    .bind(at(f.uploaded_at))
    .fetch_one(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}
