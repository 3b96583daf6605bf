//! Administration of the organisation: projects (with buildings and units),
//! buildings and departments added after the first seed. Rare writes on the
//! writes pool, each one `BEGIN IMMEDIATE` transaction: a taken code is
//! found inside the transaction and refused before anything is written.

use crate::convert::db;
use sqlx::{Sqlite, SqlitePool, Transaction};
use tousu_store::*;

async fn company_exists(tx: &mut Transaction<'_, Sqlite>, company_id: i64) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM companies WHERE id = ?")
        .bind(company_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
    found.map(|_| ()).ok_or(StoreError::NotFound("company"))
}

fn duplicate(what: String) -> StoreError {
    StoreError::Conflict(ConflictKind::Duplicate(what))
}

/// Inserts a building and its units; a unit named twice is a duplicate.
async fn insert_building_in(tx: &mut Transaction<'_, Sqlite>, project_id: i64, b: &Building) -> StoreResult<()> {
    let building_id = sqlx::query("INSERT INTO buildings (project_id, name) VALUES (?, ?)")
        .bind(project_id)
        .bind(&b.name)
        .execute(&mut **tx)
        .await
        .map_err(|e| match db(e) {
            StoreError::Conflict(_) => duplicate(format!("building {}", b.name)),
            other => other,
        })?
        .last_insert_rowid();
    for u in &b.units {
        sqlx::query("INSERT INTO units (building_id, name) VALUES (?, ?)")
            .bind(building_id)
            .bind(u)
            .execute(&mut **tx)
            .await
            .map_err(|e| match db(e) {
                StoreError::Conflict(_) => duplicate(format!("unit {} {u}", b.name)),
                other => other,
            })?;
    }
    Ok(())
}

pub(crate) async fn insert_project(pool: &SqlitePool, company_id: i64, p: ProjectSeed) -> StoreResult<i64> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    company_exists(&mut tx, company_id).await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE company_id = ? AND code = ?")
        .bind(company_id)
        .bind(&p.code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(duplicate(format!("project {}", p.code)));
    }
    let project_id = sqlx::query("INSERT INTO projects (company_id, code, name) VALUES (?, ?, ?)")
        .bind(company_id)
        .bind(&p.code)
        .bind(&p.name)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .last_insert_rowid();
    for b in &p.buildings {
        insert_building_in(&mut tx, project_id, b).await?;
    }
    tx.commit().await.map_err(db)?;
    Ok(project_id)
}

pub(crate) async fn insert_building(pool: &SqlitePool, company_id: i64, project_code: &str, b: Building) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let project_id: i64 = sqlx::query_scalar("SELECT id FROM projects WHERE company_id = ? AND code = ?")
        .bind(company_id)
        .bind(project_code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or(StoreError::NotFound("project"))?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM buildings WHERE project_id = ? AND name = ?")
        .bind(project_id)
        .bind(&b.name)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(duplicate(format!("building {}", b.name)));
    }
    insert_building_in(&mut tx, project_id, &b).await?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn insert_department(pool: &SqlitePool, company_id: i64, d: Department) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    company_exists(&mut tx, company_id).await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM departments WHERE company_id = ? AND code = ?")
        .bind(company_id)
        .bind(&d.code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(duplicate(format!("department {}", d.code)));
    }
    sqlx::query("INSERT INTO departments (company_id, code, name) VALUES (?, ?, ?)")
        .bind(company_id)
        .bind(&d.code)
        .bind(&d.name)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(db)
}
