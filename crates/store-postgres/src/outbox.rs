//! The outbox's reads and writes (notifications, deliveries) and imported
//! working-day calendars.
//!
//! Routing is safe with several processes: a notification is marked routed
//! by exactly one transaction (`routed_at IS NULL` is checked under the row
//! lock), and only that one creates its deliveries. Sending is shared by
//! leases: a process claims the due deliveries it is about to send with
//! `FOR UPDATE SKIP LOCKED` (two processes never get the same one), and the
//! attempt's outcome ends the lease; the leases of a process that dies
//! expire and another process sends those deliveries.

use crate::convert::{at, at_opt, count};
use crate::error::{PgError, db};
use sqlx::PgPool;
use tousu_domain::Timestamp;
use tousu_domain::deadline::EscalationLevel;
use tousu_store::*;

const NOTIFICATION_COLUMNS: &str = "n.id, n.company_id, n.complaint_id, n.kind, n.level, n.department_code, \
     n.title, n.body, n.created_at";

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    company_id: i64,
    complaint_id: Option<i64>,
    kind: String,
    level: Option<String>,
    department_code: Option<String>,
    title: String,
    body: String,
    created_at: Timestamp,
}

impl From<NotificationRow> for StoredNotification {
    fn from(r: NotificationRow) -> StoredNotification {
        StoredNotification {
            id: r.id,
            company_id: r.company_id,
            complaint_id: r.complaint_id,
            kind: r.kind,
            level: r.level.as_deref().and_then(EscalationLevel::parse),
            department: r.department_code,
            title: r.title,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

pub(crate) async fn list_unrouted(pool: &PgPool, limit: u32) -> StoreResult<Vec<StoredNotification>> {
    let rows: Vec<NotificationRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications n WHERE n.routed_at IS NULL ORDER BY n.id LIMIT $1"
    )))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    Ok(rows.into_iter().map(StoredNotification::from).collect())
}

/// Marks the notification routed and creates its deliveries, in one
/// transaction; routing it again (here or in another process) does nothing.
pub(crate) async fn route(pool: &PgPool, notification_id: i64, routes: &[String], now: Timestamp) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    let marked = sqlx::query("UPDATE notifications SET routed_at = $1 WHERE id = $2 AND routed_at IS NULL")
        .bind(at(now))
        .bind(notification_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if marked.rows_affected() == 0 {
        // Already routed (or unknown): routing twice must not send twice.
        return tx.rollback().await.map_err(db);
    }
    if !routes.is_empty() {
        sqlx::query(
            "INSERT INTO deliveries (notification_id, route, status, next_attempt_at, created_at) \
             SELECT $1, route, 'pending', $2, $2 FROM UNNEST($3::TEXT[]) WITH ORDINALITY AS r (route, n) ORDER BY n",
        )
        .bind(notification_id)
        .bind(at(now))
        .bind(routes)
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
    next_attempt_at: Option<Timestamp>,
    last_error: Option<String>,
    delivered_at: Option<Timestamp>,
    attempted_by: Option<String>,
    #[sqlx(flatten)]
    notification: NotificationRow,
}

const DELIVERY_SELECT: &str = "SELECT d.id AS delivery_id, d.route, d.status, d.attempts, d.next_attempt_at, \
     d.last_error, d.delivered_at, d.attempted_by";

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;

    fn try_from(r: DeliveryRow) -> StoreResult<Delivery> {
        Ok(Delivery {
            id: r.delivery_id,
            status: DeliveryStatus::parse(&r.status)
                .ok_or_else(|| PgError::corrupt("delivery status", r.status.clone()))?,
            notification: r.notification.into(),
            route: r.route,
            attempts: count(r.attempts),
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
            attempted_by: r.attempted_by,
        })
    }
}

fn deliveries(rows: Vec<DeliveryRow>) -> StoreResult<Vec<Delivery>> {
    rows.into_iter().map(Delivery::try_from).collect()
}

pub(crate) async fn claim_due(pool: &PgPool, lease: &Lease, limit: u32) -> StoreResult<Vec<Delivery>> {
    let rows: Vec<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH due AS (\
           SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
           AND (lease_until IS NULL OR lease_until <= $1) \
           ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED), \
         claimed AS (\
           UPDATE deliveries SET leased_by = $3, lease_until = $4 FROM due WHERE deliveries.id = due.id \
           RETURNING deliveries.*) \
         {DELIVERY_SELECT}, {NOTIFICATION_COLUMNS} FROM claimed d JOIN notifications n ON n.id = d.notification_id \
         ORDER BY d.next_attempt_at, d.id"
    )))
    .bind(at(lease.now))
    .bind(i64::from(limit))
    .bind(&lease.worker)
    .bind(at(lease.until))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    deliveries(rows)
}

pub(crate) async fn list(pool: &PgPool, status: Option<DeliveryStatus>, limit: u32) -> StoreResult<Vec<Delivery>> {
    let rows: Vec<DeliveryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DELIVERY_SELECT}, {NOTIFICATION_COLUMNS} FROM deliveries d JOIN notifications n ON n.id = d.notification_id \
         WHERE ($1::TEXT IS NULL OR d.status = $1) ORDER BY d.id DESC LIMIT $2"
    )))
    .bind(status.map(|s| s.as_str()))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    deliveries(rows)
}

pub(crate) async fn update(pool: &PgPool, id: i64, outcome: DeliveryOutcome) -> StoreResult<()> {
    let (status, next, error, delivered) = match outcome {
        DeliveryOutcome::Delivered { at: when } => ("delivered", None, None, Some(when)),
        DeliveryOutcome::Retry { error, next_attempt_at } => ("pending", Some(next_attempt_at), Some(error), None),
        DeliveryOutcome::Failed { error } => ("failed", None, Some(error), None),
    };
    let done = sqlx::query(
        "UPDATE deliveries SET status = $1, next_attempt_at = $2, last_error = COALESCE($3, last_error), \
         delivered_at = $4, attempts = attempts + 1, attempted_by = COALESCE(leased_by, attempted_by), \
         leased_by = NULL, lease_until = NULL WHERE id = $5",
    )
    .bind(status)
    .bind(at_opt(next))
    .bind(error)
    .bind(at_opt(delivered))
    .bind(id)
    .execute(pool)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound("delivery")) } else { Ok(()) }
}

pub(crate) async fn retry(pool: &PgPool, id: i64, now: Timestamp) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = $1, leased_by = NULL, lease_until = NULL \
             WHERE id = $2 AND status = 'failed'",
    )
    .bind(at(now))
    .bind(id)
    .execute(pool)
    .await
    .map_err(db)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound("failed delivery")) } else { Ok(()) }
}

pub(crate) async fn list_calendar_years(pool: &PgPool) -> StoreResult<Vec<(i32, String)>> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT year, content FROM calendar_years ORDER BY year").fetch_all(pool).await.map_err(db)?;
    rows.into_iter()
        .map(|(y, c)| Ok((i32::try_from(y).map_err(|_| PgError::corrupt("calendar year", y.to_string()))?, c)))
        .collect()
}

pub(crate) async fn upsert_calendar_year(pool: &PgPool, year: i32, content: &str, now: Timestamp) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO calendar_years (year, content, imported_at) VALUES ($1, $2, $3) \
         ON CONFLICT (year) DO UPDATE SET content = excluded.content, imported_at = excluded.imported_at",
    )
    .bind(i64::from(year))
    .bind(content)
    .bind(at(now))
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}
