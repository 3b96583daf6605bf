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

pub(crate) async fn route(pool: &SqlitePool, notification_id: i64, routes: &[String], now: Timestamp) -> StoreResult<()> {
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

type DeliveryRow = (i64, String, String, i64, Option<i64>, Option<String>, Option<i64>);

const DELIVERY_COLUMNS: &str =
    "d.id, d.route, d.status, d.attempts, d.next_attempt_at, d.last_error, d.delivered_at";

async fn deliveries(pool: &SqlitePool, sql: String, bind: Vec<i64>) -> StoreResult<Vec<Delivery>> {
    let mut q = sqlx::query_as::<_, (i64, String, String, i64, Option<i64>, Option<String>, Option<i64>, i64, i64, Option<i64>, String, Option<String>, Option<String>, String, String, i64)>(
        sqlx::AssertSqlSafe(sql),
    );
    for b in bind {
        q = q.bind(b);
    }
    let rows = q.fetch_all(pool).await.map_err(db)?;
    rows.into_iter()
        .map(|r| {
            let d: DeliveryRow = (r.0, r.1, r.2, r.3, r.4, r.5, r.6);
            let n: NotificationRow = (r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15);
            Ok(Delivery {
                id: d.0,
                notification: notification(n),
                route: d.1,
                status: DeliveryStatus::parse(&d.2).ok_or(StoreError::NotFound("delivery status"))?,
                attempts: d.3.max(0) as u32,
                next_attempt_at: d.4.map(from_millis),
                last_error: d.5,
                delivered_at: d.6.map(from_millis),
            })
        })
        .collect()
}

pub(crate) async fn list_due(pool: &SqlitePool, now: Timestamp, limit: u32) -> StoreResult<Vec<Delivery>> {
    deliveries(
        pool,
        format!(
            "SELECT {DELIVERY_COLUMNS}, {NOTIFICATION_COLUMNS} FROM deliveries d JOIN notifications n ON n.id = d.notification_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?"
        ),
        vec![millis(now), i64::from(limit)],
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
        DeliveryOutcome::Retry { error, next_attempt_at } => ("pending", Some(millis(next_attempt_at)), Some(error), None),
        DeliveryOutcome::Failed { error } => ("failed", None, Some(error), None),
    };
    let done = sqlx::query(
        "UPDATE deliveries SET status = ?, next_attempt_at = ?, last_error = COALESCE(?, last_error), \
         delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
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
    let done = sqlx::query("UPDATE deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ? AND status = 'failed'")
        .bind(millis(now))
        .bind(id)
        .execute(pool)
        .await
        .map_err(db)?;
    if done.rows_affected() == 0 { Err(StoreError::NotFound("failed delivery")) } else { Ok(()) }
}

pub(crate) async fn list_calendar_years(pool: &SqlitePool) -> StoreResult<Vec<(i32, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT year, content FROM calendar_years ORDER BY year")
        .fetch_all(pool)
        .await
        .map_err(db)?;
    Ok(rows.into_iter().map(|(y, c)| (y as i32, c)).collect())
}

pub(crate) async fn upsert_calendar_year(pool: &SqlitePool, year: i32, content: &str, now: Timestamp) -> StoreResult<()> {
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
