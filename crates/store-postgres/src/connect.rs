//! Connecting: the pool, its settings, and the migrations applied at start.

use crate::error::PgError;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// Connections per server process. Every write is one short transaction, so
/// a few connections keep two cores busy; PostgreSQL's default of 100
/// connections leaves room for several processes.
pub const DEFAULT_POOL_SIZE: u32 = 16;
/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
/// A statement running longer than this is cancelled by the server: a
/// forgotten lock must not stall every request behind it.
const STATEMENT_TIMEOUT_MS: &str = "30000";
/// Sessions left idle inside a transaction (a crashed client) are ended,
/// releasing their row locks, after this long.
const IDLE_IN_TRANSACTION_TIMEOUT_MS: &str = "60000";

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Parses a `postgres://` URL into connect options.
pub fn options_from_url(url: &str) -> Result<PgConnectOptions, PgError> {
    PgConnectOptions::from_str(url).map_err(PgError::Url)
}

/// The backend's session settings on top of the caller's options.
fn session(options: PgConnectOptions) -> PgConnectOptions {
    options.application_name("tousu").options([
        ("statement_timeout", STATEMENT_TIMEOUT_MS),
        ("idle_in_transaction_session_timeout", IDLE_IN_TRANSACTION_TIMEOUT_MS),
    ])
}

/// Applies pending migrations on a connection of its own, opened first so
/// that a wrong URL, a refused connection or a refused login fails at once
/// with the server's reason (the pool would retry a refused connection
/// until its timeout). Several processes starting at once are serialised
/// by sqlx's advisory lock on the database. A migration may rewrite a large
/// table, so it runs without the statement timeout.
pub(crate) async fn migrate(options: &PgConnectOptions) -> Result<(), PgError> {
    use sqlx::{Connection, Executor, PgConnection};
    let mut conn = PgConnection::connect_with(&session(options.clone())).await?;
    conn.execute("SET statement_timeout = 0").await?;
    // `run_direct`: `run(&mut conn)` makes the future not `Send` for every
    // lifetime (sqlx's "Acquire is not general enough").
    let outcome = MIGRATOR.run_direct(None, &mut conn, false).await;
    conn.close().await.ok();
    outcome?;
    Ok(())
}

/// Opens a pool of `size` connections with the backend's session settings.
pub(crate) async fn open_pool(options: PgConnectOptions, size: u32) -> Result<PgPool, PgError> {
    let pool = PgPoolOptions::new()
        .max_connections(size.max(1))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(session(options))
        .await?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn names(folder: &str) -> Vec<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(folder);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a folder entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_sqlite_migration_has_a_postgres_twin_of_the_same_name() {
        assert_eq!(names("postgres"), names("sqlite"));
    }

    #[test]
    fn the_embedded_migrations_are_the_postgres_folder() {
        let embedded: Vec<i64> = super::MIGRATOR.iter().map(|m| m.version).collect();
        let files: Vec<i64> = names("postgres")
            .iter()
            .map(|n| n.split('_').next().and_then(|v| v.parse().ok()).expect("a versioned file name"))
            .collect();
        assert_eq!(embedded, files);
    }
}
