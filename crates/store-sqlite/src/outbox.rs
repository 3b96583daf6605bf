//! The outbox's reads and writes (notifications, deliveries) and imported
//! calendars: rare writes through the write pool.

use crate::convert::{db, from_millis, millis};
use sqlx::SqlitePool;
use tousu_domain::Timestamp;
use tousu_domain::deadline::EscalationLevel;
use tousu_store::*;

type NotificationRow = (i64, i64, Option<i64>, String, Option<String>, Option<String>, String, String, i64);

const NOTIFICATION_COLUMNS: &str =
    "n.id, n.company_id, n.complaint_id, n.kind, n.level, n.department_code, n.title, n.body, n.created_at";

fn notification(r: NotificationRow) -> StoredNotification {
    let (id, company_id, complaint_id, kind, level, department, title, body, created_at) = r;
    StoredNotification {
        id,
        company_id,
        complaint_id,
        kind,
        level: level.as_deref().and_then(EscalationLevel::parse),
        department,
        title,
        body,
        created_at: from_millis(created_at),
    }
}

pub(crate) async fn list_unrouted(pool: &SqlitePool, limit: u32) -> StoreResult<Vec<StoredNotification>> {
    let rows: Vec<NotificationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications n WHERE n.routed_at IS NULL ORDER BY n.id LIMIT ?"
    )))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows.into_iter().map(notification).collect())
}

pub(crate) async fn route(
    pool: &SqlitePool,
    notification_id: i64,
    routes: &[String],
    now: Timestamp,
) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
    let marked = sqlx::query("UPDATE notifications SET routed_at = ? WHERE id = ? AND routed_at IS NULL")
        .bind(millis(now))
        .bind(notification_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if marked.rows_affected() == 0 {
        // Already routed (or unknown): routing twice must not send twice.
        return Ok(());
    }
    for r in routes {
        sqlx::query(
            "INSERT INTO deliveries (notification_id, route, status, next_attempt_at, created_at) VALUES (?, ?, 'pending', ?, ?)",
        )
        .bind(notification_id)
        .bind(r)
        .bind(millis(now))
        .bind(millis(now))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    delivery_id: i64,
    route: String,
    status: String,
    attempts: i64,
    next_attempt_at: Option<i64>,
    last_error: Option<String>,
    delivered_at: Option<i64>,
    attempted_by: Option<String>,
    id: i64,
    company_id: i64,
    complaint_id: Option<i64>,
    kind: String,
    level: Option<String>,
    department_code: Option<String>,
    title: String,
    body: String,
    created_at: i64,
}

const DELIVERY_COLUMNS: &str = "d.id AS delivery_id, d.route, d.status, d.attempts, d.next_attempt_at, d.last_error, \
     d.delivered_at, d.attempted_by";

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;

    fn try_from(r: DeliveryRow) -> StoreResult<Delivery> {
        Ok(Delivery {
            id: r.delivery_id,
            notification: notification((
                r.id,
                r.company_id,
                r.complaint_id,
                r.kind,
                r.level,
                r.department_code,
                r.title,
                r.body,
                r.created_at,
            )),
            route: r.route,
            status: DeliveryStatus::parse(&r.status).ok_or(StoreError::NotFound("delivery status"))?,
            attempts: r.attempts.max(0) as u32,
            next_attempt_at: r.next_attempt_at.map(from_millis),
            last_error: r.last_error,
            delivered_at: r.delivered_at.map(from_millis),
            attempted_by: r.attempted_by,
        })
    }
}

async fn deliveries(pool: &SqlitePool, sql: String, bind: Vec<i64>) -> StoreResult<Vec<Delivery>> {
    let mut q = sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(sql));
    for b in bind {
        q = q.bind(b);
    }
    q.fetch_all(pool).await.map_err(db)?.into_iter().map(Delivery::try_from).collect()
}

/// Leases the due deliveries, then reads them (one process owns the file,
/// so the lease only matters after a crash: it then expires).
pub(crate) async fn claim_due(pool: &SqlitePool, lease: &Lease, limit: u32) -> StoreResult<Vec<Delivery>> {
    let now = millis(lease.now);
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE deliveries SET leased_by = ?1, lease_until = ?2 WHERE id IN (\
           SELECT id FROM deliveries INDEXED BY deliveries_due WHERE status = 'pending' AND next_attempt_at <= ?3 \
           AND (lease_until IS NULL OR lease_until <= ?3) ORDER BY next_attempt_at, id LIMIT ?4) RETURNING id",
    )
    .bind(&lease.worker)
    .bind(millis(lease.until))
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    deliveries(
        pool,
        format!(
            "SELECT {DELIVERY_COLUMNS}, {NOTIFICATION_COLUMNS} FROM deliveries d JOIN notifications n ON n.id = d.notification_id \
             WHERE d.id IN ({list}) ORDER BY d.next_attempt_at, d.id"
        ),
        Vec::new(),
    )
    .await
}

pub(crate) async fn list(pool: &SqlitePool, status: Option<DeliveryStatus>, limit: u32) -> StoreResult<Vec<Delivery>> {
    let filter = status.map(|s| format!("WHERE d.status = '{}'", s.as_str())).unwrap_or_default();
    deliveries(
        pool,
        format!(
            "SELECT {DELIVERY_COLUMNS}, {NOTIFICATION_COLUMNS} FROM deliveries d JOIN notifications n ON n.id = d.notification_id \
             {filter} ORDER BY d.id DESC LIMIT ?"
        ),
        vec![i64::from(limit)],
    )
    .await
}

pub(crate) async fn update(pool: &SqlitePool, id: i64, outcome: DeliveryOutcome) -> StoreResult<()> {
    let (status, next, error, delivered) = match outcome {
        DeliveryOutcome::Delivered { at } => ("delivered", None, None, Some(millis(at))),
        DeliveryOutcome::Retry { error, next_attempt_at } => {
            ("pending", Some(millis(next_attempt_at)), Some(error), None)
        }
        DeliveryOutcome::Failed { error } => ("failed", None, Some(error), None),
    };
    let done = sqlx::query(
        "UPDATE deliveries SET status = ?, next_attempt_at = ?, last_error = COALESCE(?, last_error), \
         delivered_at = ?, attempts = attempts + 1, attempted_by = COALESCE(leased_by, attempted_by), \
         leased_by = NULL, lease_until = NULL WHERE id = ?",
    )
    .bind(status)
    .bind(next)
    .bind(error)
    .bind(delivered)
    .bind(id)
    .execute(pool)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound("delivery")) } else { Ok(()) }
}

pub(crate) async fn retry(pool: &SqlitePool, id: i64, now: Timestamp) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, leased_by = NULL, lease_until = NULL \
         WHERE id = ? AND status = 'failed'",
    )
    .bind(millis(now))
    .bind(id)
    .execute(pool)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound("failed delivery")) } else { Ok(()) }
}

pub(crate) async fn list_calendar_years(pool: &SqlitePool) -> StoreResult<Vec<(i32, String)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT year, content FROM calendar_years ORDER BY year").fetch_all(pool).await.map_err(db)?;
    Ok(rows.into_iter().map(|(y, c)| (y as i32, c)).collect())
}

pub(crate) async fn upsert_calendar_year(
    pool: &SqlitePool,
    year: i32,
    content: &str,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_years (year, content, imported_at) VALUES (?, ?, ?) \
         ON CONFLICT (year) DO UPDATE SET content = excluded.content, imported_at = excluded.imported_at",
    )
    .bind(i64::from(year))
    .bind(content)
    .bind(millis(now))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}
