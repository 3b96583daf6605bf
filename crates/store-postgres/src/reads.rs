//! Reading complaints, their history, their files and their deadlines.

use crate::error::db;
use sqlx::PgPool;
use sqlx::types::Json;
use tousu_domain::{Complaint, Event, Timestamp, TrackingNo};
use tousu_store::{Change, FeedHead, FeedPosition, StoreError, StoreResult, StoredFile};

fn unwrap_all<T>(rows: Vec<Json<T>>) -> Vec<T> {
    rows.into_iter().map(|Json(t)| t).collect()
}

pub(crate) async fn find_complaint(pool: &PgPool, company_id: i64, id: i64) -> StoreResult<Complaint> {
    let state: Option<Json<Complaint>> =
        sqlx::query_scalar("SELECT state FROM complaints WHERE id = $1 AND company_id = $2")
            .bind(id)
            .bind(company_id)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    state.map(|Json(c)| c).ok_or(StoreError::NotFound("complaint"))
}

pub(crate) async fn find_complaints_by_tracking_no(pool: &PgPool, no: &TrackingNo) -> StoreResult<Vec<Complaint>> {
    let states: Vec<Json<Complaint>> =
        sqlx::query_scalar("SELECT state FROM complaints WHERE tracking_no = $1 ORDER BY id")
            .bind(no.as_str())
            .fetch_all(pool)
            .await
            .map_err(db)?;
    Ok(unwrap_all(states))
}

pub(crate) async fn list_events(pool: &PgPool, complaint_id: i64) -> StoreResult<Vec<Event>> {
    let payloads: Vec<Json<Event>> =
        sqlx::query_scalar("SELECT payload FROM complaint_events WHERE complaint_id = $1 ORDER BY seq")
            .bind(complaint_id)
            .fetch_all(pool)
            .await
            .map_err(db)?;
    Ok(unwrap_all(payloads))
}

/// A unit's complaints, newest first (`complaints_place`).
pub(crate) async fn list_complaints_at_unit(
    pool: &PgPool,
    company_id: i64,
    project: &str,
    building: &str,
    unit: &str,
    limit: u32,
) -> StoreResult<Vec<Complaint>> {
    let states: Vec<Json<Complaint>> = sqlx::query_scalar(
        "SELECT state FROM complaints \
         WHERE project_id = (SELECT id FROM projects WHERE company_id = $1 AND code = $2) \
         AND building = $3 AND unit = $4 AND company_id = $1 ORDER BY id DESC LIMIT $5",
    )
    .bind(company_id)
    .bind(project)
    .bind(building)
    .bind(unit)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(unwrap_all(states))
}

/// A defect's complaints, newest first (`complaints_defect`).
pub(crate) async fn list_complaints_with_defect(
    pool: &PgPool,
    company_id: i64,
    defect_key: &str,
    limit: u32,
) -> StoreResult<Vec<Complaint>> {
    let states: Vec<Json<Complaint>> = sqlx::query_scalar(
        "SELECT state FROM complaints WHERE company_id = $1 AND defect_key = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(company_id)
    .bind(defect_key)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(unwrap_all(states))
}

/// `complaints_defect_household`: one indexed probe.
pub(crate) async fn household_has_closed_defect(
    pool: &PgPool,
    project_id: i64,
    building: &str,
    unit: &str,
    defect_key: &str,
    except_id: i64,
) -> StoreResult<bool> {
    let found: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM complaints WHERE project_id = $1 AND building = $2 AND unit = $3 AND defect_key = $4 \
         AND status = 'closed' AND id <> $5 LIMIT 1",
    )
    .bind(project_id)
    .bind(building)
    .bind(unit)
    .bind(defect_key)
    .bind(except_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(found.is_some())
}

pub(crate) async fn list_changes_after(pool: &PgPool, after: FeedPosition, limit: u32) -> StoreResult<Vec<Change>> {
    // Event ids are taken at insert, not at commit: a transaction still in
    // flight may commit ids below ones already visible. So the feed is in
    // (transaction id, event id) order and stops at the oldest transaction
    // in flight (the statement's snapshot xmin): every transaction below it
    // has ended, so what is listed is final and nothing can appear behind it.
    let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT e.tx, e.id, e.complaint_id, c.company_id FROM complaint_events e \
         JOIN complaints c ON c.id = e.complaint_id \
         WHERE (e.tx, e.id) > ($1, $2) \
           AND e.tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
         ORDER BY e.tx, e.id LIMIT $3",
    )
    .bind(after.tx)
    .bind(after.event)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(tx, event, complaint_id, company_id)| Change { at: FeedPosition { tx, event }, complaint_id, company_id })
        .collect())
}

pub(crate) async fn feed_head(pool: &PgPool) -> StoreResult<FeedHead> {
    // The last final position, as `list_changes_after` would reach it.
    let at: Option<(i64, i64)> = sqlx::query_as(
        "SELECT tx, id FROM complaint_events \
         WHERE tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint ORDER BY tx DESC, id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    let complaints: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaints").fetch_one(pool).await.map_err(db)?;
    let at = at.map(|(tx, event)| FeedPosition { tx, event }).unwrap_or_default();
    Ok(FeedHead { at, complaints: complaints.max(0) as u64 })
}

pub(crate) async fn list_complaints_with_history(
    pool: &PgPool,
    after_id: i64,
    limit: u32,
) -> StoreResult<Vec<(Complaint, Vec<Event>)>> {
    let rows: Vec<(i64, Json<Complaint>)> =
        sqlx::query_as("SELECT id, state FROM complaints WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(db)?;
    let Some(last) = rows.last().map(|r| r.0) else { return Ok(vec![]) };
    let events: Vec<(i64, Json<Event>)> = sqlx::query_as(
        "SELECT complaint_id, payload FROM complaint_events WHERE complaint_id > $1 AND complaint_id <= $2 \
         ORDER BY complaint_id, seq",
    )
    .bind(after_id)
    .bind(last)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut events = events.into_iter().peekable();
    let mut out = Vec::with_capacity(rows.len());
    for (id, Json(state)) in rows {
        let mut history = Vec::new();
        while let Some((_, Json(event))) = events.next_if(|(c, _)| *c <= id) {
            history.push(event);
        }
        out.push((state, history));
    }
    Ok(out)
}

pub(crate) async fn find_complaint_by_id(pool: &PgPool, id: i64) -> StoreResult<Complaint> {
    let state: Option<Json<Complaint>> =
        sqlx::query_scalar("SELECT state FROM complaints WHERE id = $1").bind(id).fetch_optional(pool).await.map_err(db)?;
    state.map(|s| s.0).ok_or(StoreError::NotFound("complaint"))
}

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    complaint_id: i64,
    name: String,
    content_type: String,
    sha256: String,
    bytes: Vec<u8>,
}

pub(crate) async fn find_file(pool: &PgPool, company_id: i64, id: i64) -> StoreResult<StoredFile> {
    let row: Option<FileRow> = sqlx::query_as(
        "SELECT f.id, f.complaint_id, f.name, f.content_type, f.sha256, b.bytes \
         FROM files f JOIN file_blobs b ON b.sha256 = f.sha256 WHERE f.id = $1 AND f.company_id = $2",
    )
    .bind(id)
    .bind(company_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    let f = row.ok_or(StoreError::NotFound("file"))?;
    Ok(StoredFile {
        id: f.id,
        complaint_id: f.complaint_id,
        name: f.name,
        content_type: f.content_type,
        sha256: f.sha256,
        bytes: f.bytes,
    })
}

/// Walks `deadlines_next_check` from the most overdue and stops after
/// `limit` rows: a step costs what it returns, not what is open. A complaint
/// with several due deadlines is answered once.
///
/// A plain read: the trait has no claim or lease yet, so two processes
/// running the escalation step may both see a complaint (their appends then
/// race on its version, and one loses with `Conflict(Version)`). Sharing
/// the work belongs to a claiming method (`FOR UPDATE SKIP LOCKED` with a
/// lease column), still to be added to the trait.
pub(crate) async fn find_due_complaints(pool: &PgPool, now: Timestamp, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT c.company_id, d.complaint_id FROM deadlines d JOIN complaints c ON c.id = d.complaint_id \
         WHERE d.next_check_at <= $1 ORDER BY d.next_check_at LIMIT $2",
    )
    .bind(crate::convert::at(now))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    Ok(rows.into_iter().filter(|(_, id)| seen.insert(*id)).collect())
}
