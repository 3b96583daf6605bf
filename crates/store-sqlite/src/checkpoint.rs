//! Checkpoints off the write path. SQLite's automatic checkpoint runs inside
//! the committing writer, stalling every request of that group while pages
//! are copied from the WAL into the database; here a separate connection
//! copies them in the background (`PASSIVE`: it never blocks the writer),
//! and the writer only appends to the WAL.

use sqlx::SqlitePool;
use std::time::Duration;

/// How often the background checkpoint runs.
const EVERY: Duration = Duration::from_millis(500);

/// Starts the background checkpoints; they stop (and close their
/// connection) when the returned guard is dropped with the store.
pub(crate) fn spawn(pool: SqlitePool) -> tokio::sync::oneshot::Sender<()> {
    let (guard, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while !pool.is_closed() {
            tokio::select! {
                _ = tick.tick() => {}
                _ = &mut stopped => break,
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                if pool.is_closed() {
                    break;
                }
                tracing::warn!(error = %e, "background checkpoint failed; will retry");
            }
        }
        pool.close().await;
    });
    guard
}
