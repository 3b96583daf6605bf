//! Reading complaints, their history and their files (reader pool).

use crate::convert::{db, from_json, millis};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use tousu_domain::{Complaint, Event, Timestamp, TrackingNo};
use tousu_store::{Change, FeedHead, ComplaintFilter, FeedPosition, Page, PageRequest, StoreError, StoreResult, StoredFile};

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

/// Milliseconds per day bucket of `complaints_received_day` (UTC days: a
/// bucket only narrows the walk; `received_at` itself decides).
const DAY_MS: i64 = 86_400_000;
/// A received-time range of at most this many days drives the walk (each
/// day's part of the index is read only until the page is full).
const NARROW_RANGE_DAYS: i64 = 92;
/// Beyond this many days a range alone is walked through the company's
/// index instead (the IN list of days would cost more than it saves).
const MAX_RANGE_DAYS: i64 = 5_000;

/// The index a listing walks. Each ends in `id`, so a page is a walk of one
/// index in id order that stops once the page is full; the other filters
/// are checked on the rows walked. The walk follows the filter most likely
/// to be narrow (explicit, because without statistics SQLite prefers
/// whichever index spares it a sort, however many rows it must skip).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    Status,
    Open,
    Project,
    Department,
    Severity,
    Category,
    /// Received-time days `first..=last`.
    ReceivedDays(i64, i64),
    Company,
    /// The range holds nothing.
    Nothing,
}

impl Walk {
    fn index(self) -> &'static str {
        match self {
            Walk::Status => "complaints_status",
            Walk::Open => "complaints_open",
            Walk::Project => "complaints_project",
            Walk::Department => "complaints_department",
            Walk::Severity => "complaints_severity",
            Walk::Category => "complaints_category",
            Walk::ReceivedDays(..) => "complaints_received_day",
            Walk::Company | Walk::Nothing => "complaints_company",
        }
    }
}

/// The first or last day bucket holding a complaint of the company.
async fn edge_day(pool: &SqlitePool, company_id: i64, last: bool) -> StoreResult<Option<i64>> {
    let sql = if last {
        "SELECT received_at / 86400000 FROM complaints INDEXED BY complaints_received_day \
         WHERE company_id = ? ORDER BY received_at / 86400000 DESC LIMIT 1"
    } else {
        "SELECT received_at / 86400000 FROM complaints INDEXED BY complaints_received_day \
         WHERE company_id = ? ORDER BY received_at / 86400000 ASC LIMIT 1"
    };
    sqlx::query_scalar(sql).bind(company_id).fetch_optional(pool).await.map_err(db)
}

async fn choose_walk(pool: &SqlitePool, company_id: i64, f: &ComplaintFilter) -> StoreResult<Walk> {
    let days = if f.received_from.is_some() || f.received_to.is_some() {
        let first = match f.received_from {
            Some(t) => Some(millis(t).max(0) / DAY_MS),
            None => edge_day(pool, company_id, false).await?,
        };
        let last = match f.received_to {
            Some(t) => Some((millis(t) - 1).max(0) / DAY_MS),
            None => edge_day(pool, company_id, true).await?,
        };
        match (first, last) {
            (Some(a), Some(b)) if a <= b => Some((a, b)),
            _ => return Ok(Walk::Nothing),
        }
    } else {
        None
    };
    if let Some((first, last)) = days
        && last - first < NARROW_RANGE_DAYS
    {
        return Ok(Walk::ReceivedDays(first, last));
    }
    let candidates = candidate_walks(f);
    if candidates.len() > 1 {
        return narrowest(pool, company_id, f, &candidates).await;
    }
    let rare_severity = f.severity.is_some_and(|s| s != tousu_domain::Severity::General);
    Ok(if !f.statuses.is_empty() {
        Walk::Status
    } else if f.open_only {
        Walk::Open
    } else if rare_severity {
        Walk::Severity
    } else if f.project_code.is_some() {
        Walk::Project
    } else if f.department.is_some() {
        Walk::Department
    } else if f.category.is_some() {
        Walk::Category
    } else if f.severity.is_some() {
        Walk::Severity
    } else {
        match days {
            Some((first, last)) if last - first < MAX_RANGE_DAYS => Walk::ReceivedDays(first, last),
            _ => Walk::Company,
        }
    })
}

/// A probe counts at most this many rows of one index.
const PROBE_CAP: i64 = 5_000;

/// The single-filter walks a filter allows.
fn candidate_walks(f: &ComplaintFilter) -> Vec<Walk> {
    let mut walks = Vec::new();
    if !f.statuses.is_empty() {
        walks.push(Walk::Status);
    }
    if f.open_only {
        walks.push(Walk::Open);
    }
    if f.project_code.is_some() {
        walks.push(Walk::Project);
    }
    if f.department.is_some() {
        walks.push(Walk::Department);
    }
    if f.severity.is_some() {
        walks.push(Walk::Severity);
    }
    if f.category.is_some() {
        walks.push(Walk::Category);
    }
    walks
}

/// With several filters, the walk goes along the one that matches fewest
/// rows: each filter's index is counted up to [`PROBE_CAP`] rows (a bounded
/// cost, under a millisecond each), and a filter that matches nothing ends
/// the listing at once. Without this, two common filters whose combination
/// is rare (open complaints of one project in a category nobody complains
/// about) walked every open complaint.
async fn narrowest(pool: &SqlitePool, company_id: i64, f: &ComplaintFilter, candidates: &[Walk]) -> StoreResult<Walk> {
    let mut best: Option<(i64, Walk)> = None;
    for &walk in candidates {
        let mut q = QueryBuilder::<Sqlite>::new("SELECT count(*) FROM (SELECT 1 FROM complaints INDEXED BY ");
        q.push(walk.index()).push(" WHERE ");
        match walk {
            Walk::Status => {
                q.push("company_id = ").push_bind(company_id).push(" AND status IN (");
                let mut sep = q.separated(", ");
                for s in &f.statuses {
                    sep.push_bind(s.as_str());
                }
                q.push(")");
            }
            Walk::Open => {
                q.push("company_id = ").push_bind(company_id).push(" AND is_open = 1");
            }
            Walk::Project => {
                q.push("project_id = (SELECT id FROM projects WHERE company_id = ").push_bind(company_id);
                q.push(" AND code = ").push_bind(f.project_code.clone().unwrap_or_default()).push(")");
            }
            Walk::Department => {
                q.push("company_id = ").push_bind(company_id);
                q.push(" AND department_code = ").push_bind(f.department.clone().unwrap_or_default());
            }
            Walk::Severity => {
                q.push("company_id = ").push_bind(company_id);
                q.push(" AND severity = ").push_bind(f.severity.map(|s| s.as_str()).unwrap_or_default());
            }
            Walk::Category => {
                q.push("company_id = ").push_bind(company_id);
                q.push(" AND category = ").push_bind(f.category.map(|c| c.as_str()).unwrap_or_default());
            }
            Walk::ReceivedDays(..) | Walk::Company | Walk::Nothing => continue,
        }
        q.push(" LIMIT ").push_bind(PROBE_CAP).push(")");
        let count: i64 = q.build_query_scalar().fetch_one(pool).await.map_err(db)?;
        if count == 0 {
            return Ok(Walk::Nothing);
        }
        if best.is_none_or(|(n, _)| count < n) {
            best = Some((count, walk));
        }
    }
    Ok(best.map_or(Walk::Company, |(_, w)| w))
}

/// Newest first (or oldest first), one index walk per page whatever the
/// table size: see [`Walk`].
pub(crate) async fn list_complaints(
    pool: &SqlitePool,
    company_id: i64,
    f: &ComplaintFilter,
    page: PageRequest,
) -> StoreResult<Page> {
    let walk = choose_walk(pool, company_id, f).await?;
    if walk == Walk::Nothing {
        return Ok(Page { items: Vec::new(), next_before_id: None, next_after_id: None });
    }
    let mut q = QueryBuilder::<Sqlite>::new("SELECT id, state FROM complaints INDEXED BY ");
    q.push(walk.index()).push(" WHERE company_id = ");
    q.push_bind(company_id);
    if let Walk::ReceivedDays(first, last) = walk {
        q.push(
            " AND received_at / 86400000 IN \
             (WITH RECURSIVE d(x) AS (SELECT ",
        );
        q.push_bind(first).push(" UNION ALL SELECT x + 1 FROM d WHERE x < ").push_bind(last).push(") SELECT x FROM d)");
    }
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
    if let Some(after) = page.after_id {
        q.push(" AND id > ").push_bind(after);
    }
    let limit = page.limit.max(1);
    q.push(if page.oldest_first { " ORDER BY id ASC LIMIT " } else { " ORDER BY id DESC LIMIT " });
    q.push_bind(i64::from(limit) + 1);
    let rows: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await.map_err(db)?;
    let more = rows.len() > limit as usize;
    let items: Vec<Complaint> =
        rows.iter().take(limit as usize).map(|(_, s)| from_json(s)).collect::<StoreResult<_>>()?;
    let last = if more { items.last().map(|c| c.id) } else { None };
    let (next_before_id, next_after_id) = if page.oldest_first { (None, last) } else { (last, None) };
    Ok(Page { items, next_before_id, next_after_id })
}

/// A unit's complaints, newest first (`complaints_place`).
pub(crate) async fn list_complaints_at_unit(
    pool: &SqlitePool,
    company_id: i64,
    project: &str,
    building: &str,
    unit: &str,
    limit: u32,
) -> StoreResult<Vec<Complaint>> {
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM complaints INDEXED BY complaints_place \
         WHERE project_id = (SELECT id FROM projects WHERE company_id = ? AND code = ?) \
         AND building = ? AND unit = ? AND company_id = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(company_id)
    .bind(project)
    .bind(building)
    .bind(unit)
    .bind(company_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    states.iter().map(|s| from_json(s)).collect()
}

/// A defect's complaints, newest first (`complaints_defect`).
pub(crate) async fn list_complaints_with_defect(
    pool: &SqlitePool,
    company_id: i64,
    defect_key: &str,
    limit: u32,
) -> StoreResult<Vec<Complaint>> {
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT state FROM complaints INDEXED BY complaints_defect \
         WHERE company_id = ? AND defect_key = ? ORDER BY id DESC LIMIT ?",
    )
    .bind(company_id)
    .bind(defect_key)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    states.iter().map(|s| from_json(s)).collect()
}

/// `complaints_defect_household`: one indexed probe.
pub(crate) async fn household_has_closed_defect(
    pool: &SqlitePool,
    project_id: i64,
    building: &str,
    unit: &str,
    defect_key: &str,
    except_id: i64,
) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM complaints INDEXED BY complaints_defect_household \
         WHERE project_id = ? AND building = ? AND unit = ? AND defect_key = ? AND status = 'closed' AND id <> ? LIMIT 1",
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

pub(crate) async fn list_changes_after(pool: &SqlitePool, after: FeedPosition, limit: u32) -> StoreResult<Vec<Change>> {
    // One writer: event ids are in commit order.
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT e.id, e.complaint_id, c.company_id FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id \
         WHERE e.id > ? ORDER BY e.id LIMIT ?",
    )
    .bind(after.event)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows
        .into_iter()
        .map(|(event, complaint_id, company_id)| Change { at: FeedPosition { tx: 0, event }, complaint_id, company_id })
        .collect())
}

pub(crate) async fn feed_head(pool: &SqlitePool) -> StoreResult<FeedHead> {
    let (event, complaints): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM complaint_events), (SELECT COUNT(*) FROM complaints)",
    )
    .fetch_one(pool)
    .await
    .map_err(db)?;
    Ok(FeedHead { at: FeedPosition { tx: 0, event }, complaints: complaints.max(0) as u64 })
}

pub(crate) async fn list_complaints_with_history(
    pool: &SqlitePool,
    after_id: i64,
    limit: u32,
) -> StoreResult<Vec<(Complaint, Vec<Event>)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, state FROM complaints WHERE id > ? ORDER BY id LIMIT ?")
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db)?;
    let Some(last) = rows.last().map(|r| r.0) else { return Ok(vec![]) };
    let events: Vec<(i64, String)> = sqlx::query_as(
        "SELECT complaint_id, payload FROM complaint_events WHERE complaint_id > ? AND complaint_id <= ? \
         ORDER BY complaint_id, seq",
    )
    .bind(after_id)
    .bind(last)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut events = events.into_iter().peekable();
    let mut out = Vec::with_capacity(rows.len());
    for (id, state) in rows {
        let mut history = Vec::new();
        while let Some((_, payload)) = events.next_if(|(c, _)| *c <= id) {
            history.push(from_json(&payload)?);
        }
        out.push((from_json(&state)?, history));
    }
    Ok(out)
}

pub(crate) async fn find_complaint_by_id(pool: &SqlitePool, id: i64) -> StoreResult<Complaint> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM complaints WHERE id = ?").bind(id).fetch_optional(pool).await.map_err(db)?;
    match state {
        Some(s) => from_json(&s),
        None => Err(StoreError::NotFound("complaint")),
    }
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

pub(crate) async fn list_current_figures(
    pool: &SqlitePool,
    company_id: i64,
    prefix: &str,
) -> StoreResult<Vec<(i64, String, i64)>> {
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
