//! Administration of the organisation: projects (with buildings and units),
//! buildings and departments added after the first seed, each in one
//! transaction. A taken code is refused before anything is written; two
//! administrators racing for one code meet the unique constraint, which is
//! refused the same way.

use crate::error::db;
use crate::org::insert_building_in;
use sqlx::{PgConnection, PgPool};
use tousu_store::*;

async fn company_exists(conn: &mut PgConnection, company_id: i64) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM companies WHERE id = $1")
        .bind(company_id)
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    found.map(|_| ()).ok_or(StoreError::NotFound("company"))
}

fn duplicate(what: String) -> StoreError {
    StoreError::Conflict(ConflictKind::Duplicate(what))
}

/// A unique violation inside a building's insert, named for the caller.
fn renamed(what: impl FnOnce() -> String) -> impl FnOnce(StoreError) -> StoreError {
    move |e| match e {
        StoreError::Conflict(ConflictKind::Duplicate(_)) => duplicate(what()),
        other => other,
    }
}

fn building_duplicate(b: &Building) -> String {
    if b.units.iter().enumerate().any(|(i, u)| b.units[..i].contains(u)) {
        format!("unit {} (named twice)", b.name)
    } else {
        format!("building {}", b.name)
    }
}

pub(crate) async fn insert_project(pool: &PgPool, company_id: i64, p: ProjectSeed) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(db)?;
    company_exists(&mut tx, company_id).await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE company_id = $1 AND code = $2")
        .bind(company_id)
        .bind(&p.code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(duplicate(format!("project {}", p.code)));
    }
    let project_id: i64 =
        sqlx::query_scalar("INSERT INTO projects (company_id, code, name) VALUES ($1, $2, $3) RETURNING id")
            .bind(company_id)
            .bind(&p.code)
            .bind(&p.name)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)
            .map_err(renamed(|| format!("project {}", p.code)))?;
    for b in &p.buildings {
        insert_building_in(&mut tx, project_id, b).await.map_err(renamed(|| building_duplicate(b)))?;
    }
    tx.commit().await.map_err(db)?;
    Ok(project_id)
}

pub(crate) async fn insert_building(pool: &PgPool, company_id: i64, project_code: &str, b: Building) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let project_id: i64 = sqlx::query_scalar("SELECT id FROM projects WHERE company_id = $1 AND code = $2")
        .bind(company_id)
        .bind(project_code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or(StoreError::NotFound("project"))?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM buildings WHERE project_id = $1 AND name = $2")
        .bind(project_id)
        .bind(&b.name)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(duplicate(format!("building {}", b.name)));
    }
    insert_building_in(&mut tx, project_id, &b).await.map_err(renamed(|| building_duplicate(&b)))?;
    tx.commit().await.map_err(db)
}

pub(crate) async fn insert_department(pool: &PgPool, company_id: i64, d: Department) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    company_exists(&mut tx, company_id).await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM departments WHERE company_id = $1 AND code = $2")
        .bind(company_id)
        .bind(&d.code)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(duplicate(format!("department {}", d.code)));
    }
    sqlx::query("INSERT INTO departments (company_id, code, name) VALUES ($1, $2, $3)")
        .bind(company_id)
        .bind(&d.code)
        .bind(&d.name)
        .execute(&mut *tx)
        .await
        .map_err(db)
        .map_err(renamed(|| format!("department {}", d.code)))?;
    tx.commit().await.map_err(db)
}
