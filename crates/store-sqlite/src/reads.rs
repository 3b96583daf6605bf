//! Reading complaints, their history and their files (reader pool).

use crate::convert::{db, from_json, from_millis, millis};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use tousu_domain::{Complaint, Event, Timestamp, TrackingNo};
use tousu_store::{ComplaintFilter, Page, PageRequest, StoreError, StoreResult, StoredFile};

pub(crate) async fn find_complaint(pool: &SqlitePool, company_id: i64, id: i64) -> StoreResult<Complaint> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM complaints WHERE id = ? AND company_id = ?")
        .bind(id)
        .bind(company_id)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    from_json(&state.ok_or(StoreError::NotFound("complaint"))?)
}

pub(crate) async fn find_complaints_by_tracking_no(pool: &SqlitePool, no: &TrackingNo) -> StoreResult<Vec<Complaint>> {
    let states: Vec<String> = sqlx::query_scalar("SELECT state FROM complaints WHERE tracking_no = ? ORDER BY id")
        .bind(no.as_str())
        .fetch_all(pool)
        .await
        .map_err(db)?;
    states.iter().map(|s| from_json(s)).collect()
}

pub(crate) async fn list_events(pool: &SqlitePool, complaint_id: i64) -> StoreResult<Vec<Event>> {
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM complaint_events WHERE complaint_id = ? ORDER BY seq")
            .bind(complaint_id)
            .fetch_all(pool)
            .await
            .map_err(db)?;
    payloads.iter().map(|p| from_json(p)).collect()
}

/// Newest first. Each filter has an index ending in `id`, so the first page
/// is an index walk whatever the table size.
pub(crate) async fn list_complaints(
    pool: &SqlitePool,
    company_id: i64,
    f: &ComplaintFilter,
    page: PageRequest,
) -> StoreResult<Page> {
    let mut q = QueryBuilder::<Sqlite>::new("SELECT id, state FROM complaints WHERE company_id = ");
    q.push_bind(company_id);
    if f.open_only {
        q.push(" AND is_open = 1");
    }
    if !f.statuses.is_empty() {
        q.push(" AND status IN (");
        let mut sep = q.separated(", ");
        for s in &f.statuses {
            sep.push_bind(s.as_str());
        }
        q.push(")");
    }
    if let Some(code) = &f.project_code {
        q.push(" AND project_id = (SELECT id FROM projects WHERE company_id = ");
        q.push_bind(company_id).push(" AND code = ").push_bind(code.clone()).push(")");
    }
    if let Some(c) = f.category {
        q.push(" AND category = ").push_bind(c.as_str());
    }
    if let Some(s) = f.severity {
        q.push(" AND severity = ").push_bind(s.as_str());
    }
    if let Some(d) = &f.department {
        q.push(" AND department_code = ").push_bind(d.clone());
    }
    if let Some(t) = f.received_from {
        q.push(" AND received_at >= ").push_bind(millis(t));
    }
    if let Some(t) = f.received_to {
        q.push(" AND received_at < ").push_bind(millis(t));
    }
    if let Some(before) = page.before_id {
        q.push(" AND id < ").push_bind(before);
    }
    let limit = page.limit.max(1);
    q.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(limit) + 1);
    let rows: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await.map_err(db)?;
    let more = rows.len() > limit as usize;
    let items: Vec<Complaint> =
        rows.iter().take(limit as usize).map(|(_, s)| from_json(s)).collect::<StoreResult<_>>()?;
    let next_before_id = if more { items.last().map(|c| c.id) } else { None };
    Ok(Page { items, next_before_id })
}

pub(crate) async fn find_file(pool: &SqlitePool, company_id: i64, id: i64) -> StoreResult<StoredFile> {
    let row: Option<(i64, i64, String, String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT f.id, f.complaint_id, f.name, f.content_type, f.sha256, b.bytes \
         FROM files f JOIN file_blobs b ON b.sha256 = f.sha256 WHERE f.id = ? AND f.company_id = ?",
    )
    .bind(id)
    .bind(company_id)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    let (id, complaint_id, name, content_type, sha256, bytes) = row.ok_or(StoreError::NotFound("file"))?;
    Ok(StoredFile { id, complaint_id, name, content_type, sha256, bytes })
}

/// Walks the next-check index from the most overdue and stops after `limit`
/// rows: a step costs what it returns, not what is open (nor what is
/// overdue). A complaint with several due deadlines is answered once.
///
/// The index is named: with `GROUP BY complaint_id` here, and no statistics
/// telling it the range is small, SQLite walked the whole deadlines table in
/// key order to group without sorting (an idle tick grew with the open
/// complaints: 1.6 ms at 20,000, see BENCHMARKS.md).
pub(crate) async fn find_due_complaints(pool: &SqlitePool, now: Timestamp, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT c.company_id, d.complaint_id FROM deadlines d INDEXED BY deadlines_next_check \
         JOIN complaints c ON c.id = d.complaint_id \
         WHERE d.next_check_at <= ? ORDER BY d.next_check_at LIMIT ?",
    )
    .bind(millis(now))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut seen = std::collections::HashSet::with_capacity(rows.len());
    Ok(rows.into_iter().filter(|(_, id)| seen.insert(*id)).collect())
}

pub(crate) async fn find_next_deadline_check(pool: &SqlitePool) -> StoreResult<Option<Timestamp>> {
    let next: Option<i64> = sqlx::query_scalar("SELECT MIN(next_check_at) FROM deadlines WHERE next_check_at IS NOT NULL")
        .fetch_one(pool)
        .await
        .map_err(db)?;
    Ok(next.map(from_millis))
}

pub(crate) async fn list_complaints_by_customer(
    pool: &SqlitePool,
    company_id: i64,
    phone: &str,
    since: Timestamp,
    limit: u32,
) -> StoreResult<Vec<Complaint>> {
    // The index is named: left to itself SQLite took `complaints_received`
    // (company, received_at), and the repeat window of 90 days covers most
    // of the table, so every intake read every recent complaint (~1 s per
    // intake with 1,000,000 complaints loaded).
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM complaints INDEXED BY complaints_customer \
         WHERE company_id = ? AND customer_phone = ? AND received_at >= ? ORDER BY id DESC LIMIT ?",
    )
    .bind(company_id)
    .bind(phone)
    .bind(millis(since))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    states.iter().map(|s| from_json(s)).collect()
}

/// Keys starting with `prefix`: a range on the primary key, no LIKE scan.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

pub(crate) async fn list_daily_figures(
    pool: &SqlitePool,
    company_id: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    prefix: &str,
) -> StoreResult<Vec<(chrono::NaiveDate, i64, String, i64)>> {
    let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT day, project_id, key, value FROM stats_daily WHERE company_id = ? AND day >= ? AND day <= ? \
         AND key >= ? AND key < ? AND value != 0 ORDER BY day, project_id, key",
    )
    .bind(company_id)
    .bind(from.format("%Y-%m-%d").to_string())
    .bind(to.format("%Y-%m-%d").to_string())
    .bind(prefix)
    .bind(prefix_end(prefix))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .filter_map(|(day, p, k, v)| chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok().map(|d| (d, p, k, v)))
        .collect())
}

pub(crate) async fn list_current_figures(pool: &SqlitePool, company_id: i64, prefix: &str) -> StoreResult<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT project_id, key, value FROM stats_current WHERE company_id = ? AND key >= ? AND key < ? AND value != 0 \
         ORDER BY project_id, key",
    )
    .bind(company_id)
    .bind(prefix)
    .bind(prefix_end(prefix))
    .fetch_all(pool)
    .await
    .map_err(db)
}
