//! The organisation, staff, credentials and files: rare writes through the
//! writer's connection, reads through the reader pool.

use crate::convert::{db, millis};
use sqlx::{Sqlite, SqlitePool, Transaction};

use tousu_domain::{Role, Timestamp};
use tousu_store::*;

pub(crate) async fn insert_organisation(pool: &SqlitePool, seed: OrgSeed) -> StoreResult<()> {
    let now = millis(chrono::Utc::now());
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let group_id = sqlx::query("INSERT INTO groups (name) VALUES (?)")
        .bind(&seed.group_name)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .last_insert_rowid();
    for company in &seed.companies {
        insert_company(&mut tx, group_id, company, now).await?;
    }
    tx.commit().await.map_err(db)
}

async fn insert_company(tx: &mut Transaction<'_, Sqlite>, group_id: i64, c: &CompanySeed, now: i64) -> StoreResult<()> {
    let company_id = sqlx::query(
        "INSERT INTO companies (group_id, code, name, tracking_prefix, timezone, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(group_id)
    .bind(&c.code)
    .bind(&c.name)
    .bind(&c.tracking_prefix)
    .bind(&c.timezone)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db)?
    .last_insert_rowid();
    for d in &c.departments {
        sqlx::query("INSERT INTO departments (company_id, code, name) VALUES (?, ?, ?)")
            .bind(company_id)
            .bind(&d.code)
            .bind(&d.name)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
    }
    for p in &c.projects {
        let project_id = sqlx::query("INSERT INTO projects (company_id, code, name) VALUES (?, ?, ?)")
            .bind(company_id)
            .bind(&p.code)
            .bind(&p.name)
            .execute(&mut **tx)
            .await
            .map_err(db)?
            .last_insert_rowid();
        for b in &p.buildings {
            let building_id = sqlx::query("INSERT INTO buildings (project_id, name) VALUES (?, ?)")
                .bind(project_id)
                .bind(&b.name)
                .execute(&mut **tx)
                .await
                .map_err(db)?
                .last_insert_rowid();
            for u in &b.units {
                sqlx::query("INSERT INTO units (building_id, name) VALUES (?, ?)")
                    .bind(building_id)
                    .bind(u)
                    .execute(&mut **tx)
                    .await
                    .map_err(db)?;
            }
        }
    }
    for s in &c.staff {
        insert_staff_in(tx, company_id, s, now).await?;
    }
    Ok(())
}

async fn insert_staff_in(tx: &mut Transaction<'_, Sqlite>, company_id: i64, s: &StaffSeed, now: i64) -> StoreResult<i64> {
    Ok(sqlx::query(
        "INSERT INTO staff (company_id, username, display_name, role, department_code, password_hash, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(company_id)
    .bind(&s.username)
    .bind(&s.display_name)
    .bind(s.role.as_str())
    .bind(&s.department)
    .bind(&s.password_hash)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db)?
    .last_insert_rowid())
}

pub(crate) async fn insert_staff(pool: &SqlitePool, company_id: i64, staff: StaffSeed) -> StoreResult<i64> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let id = insert_staff_in(&mut tx, company_id, &staff, millis(chrono::Utc::now())).await?;
    tx.commit().await.map_err(db)?;
    Ok(id)
}

pub(crate) async fn list_companies(pool: &SqlitePool) -> StoreResult<Vec<Company>> {
    let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
        "SELECT c.id, g.name, c.code, c.name, c.tracking_prefix, c.timezone \
         FROM companies c JOIN groups g ON g.id = c.group_id ORDER BY c.id",
    )
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(id, group_name, code, name, tracking_prefix, timezone)| Company {
            id,
            group_name,
            code,
            name,
            tracking_prefix,
            timezone,
        })
        .collect())
}

type StaffRow = (i64, i64, String, String, String, Option<String>, Option<String>);

const STAFF_COLUMNS: &str =
    "s.id, s.company_id, s.username, s.display_name, s.role, s.department_code, s.password_hash";

fn staff(row: StaffRow) -> StoreResult<StaffRecord> {
    let (id, company_id, username, display_name, role, department, password_hash) = row;
    Ok(StaffRecord {
        id,
        company_id,
        username,
        display_name,
        role: role.parse::<Role>().map_err(StoreError::other)?,
        department,
        password_hash,
    })
}

pub(crate) async fn find_org_snapshot(pool: &SqlitePool, company_id: i64) -> StoreResult<OrgSnapshot> {
    let departments: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM departments WHERE company_id = ? ORDER BY id")
            .bind(company_id)
            .fetch_all(pool)
            .await
            .map_err(db)?;
    let staff_rows: Vec<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM staff s WHERE s.company_id = ? AND s.active = 1 ORDER BY s.id"
    )))
    .bind(company_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let places: Vec<(i64, String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.code, p.name, b.name, u.name FROM projects p \
         LEFT JOIN buildings b ON b.project_id = p.id LEFT JOIN units u ON u.building_id = b.id \
         WHERE p.company_id = ? ORDER BY p.id, b.id, u.id",
    )
    .bind(company_id)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut projects: Vec<Project> = Vec::new();
    for (id, code, name, building, unit) in places {
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
        staff: staff_rows.into_iter().map(staff).collect::<StoreResult<_>>()?,
        projects,
    })
}

pub(crate) async fn find_staff_by_username(pool: &SqlitePool, username: &str) -> StoreResult<Option<StaffRecord>> {
    let row: Option<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM staff s WHERE s.username = ? AND s.active = 1"
    )))
    .bind(username)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(staff).transpose()
}

pub(crate) async fn list_staff_by_role(pool: &SqlitePool, role: Role) -> StoreResult<Vec<StaffRecord>> {
    let rows: Vec<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM staff s WHERE s.role = ? AND s.active = 1 ORDER BY s.id"
    )))
    .bind(role.as_str())
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.into_iter().map(staff).collect()
}

pub(crate) async fn update_staff_password(pool: &SqlitePool, staff_id: i64, hash: &str) -> StoreResult<()> {
    let done = sqlx::query("UPDATE staff SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(staff_id)
        .execute(pool)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound("staff member")) } else { Ok(()) }
}

pub(crate) async fn insert_credential(pool: &SqlitePool, c: NewCredential) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO credentials (secret_hash, staff_id, kind, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(c.secret_hash)
    .bind(c.staff_id)
    .bind(c.kind.as_str())
    .bind(c.label)
    .bind(millis(c.created_at))
    .bind(c.expires_at.map(millis))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

pub(crate) async fn find_credential(pool: &SqlitePool, secret_hash: &str, now: Timestamp) -> StoreResult<Option<StaffRecord>> {
    let row: Option<StaffRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {STAFF_COLUMNS} FROM credentials c JOIN staff s ON s.id = c.staff_id \
         WHERE c.secret_hash = ? AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > ?) \
         AND s.active = 1"
    )))
    .bind(secret_hash)
    .bind(millis(now))
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(staff).transpose()
}

pub(crate) async fn revoke_credential(pool: &SqlitePool, secret_hash: &str, now: Timestamp) -> StoreResult<()> {
    sqlx::query("UPDATE credentials SET revoked_at = ? WHERE secret_hash = ? AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(secret_hash)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

pub(crate) async fn insert_file(pool: &SqlitePool, f: NewFile) -> StoreResult<i64> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    sqlx::query("INSERT INTO file_blobs (sha256, size, bytes) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
        .bind(&f.sha256)
        .bind(f.bytes.len() as i64)
        .bind(&f.bytes)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let id = sqlx::query(
        "INSERT INTO files (company_id, complaint_id, name, content_type, sha256, uploaded_by, uploaded_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(f.company_id)
    .bind(f.complaint_id)
    .bind(&f.name)
    .bind(&f.content_type)
    .bind(&f.sha256)
    .bind(f.uploaded_by)
    .bind(millis(f.uploaded_at))
    .execute(&mut *tx)
    .await
    .map_err(db)?
    .last_insert_rowid();
    tx.commit().await.map_err(db)?;
    Ok(id)
}

