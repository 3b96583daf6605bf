//! Opening the database: pragmas for durability, migrations, the two pools.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many read-only connections serve queries concurrently.
const READERS: u32 = 8;
/// How long a write waits for another process's lock (`tousu token create`
/// while the server runs) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("cannot open the SQLite database: {0}")]
    Database(#[source] sqlx::Error),
    #[error("cannot open the database writer: {0}")]
    Writer(#[source] rusqlite::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// The pools of an open database.
pub(crate) struct Pools {
    /// One connection: writes other than complaints (organisation, credentials, files).
    pub writes: SqlitePool,
    /// Read-only connections for queries.
    pub readers: SqlitePool,
}

pub(crate) async fn open_pools(path: &Path) -> Result<Pools, OpenError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| OpenError::Folder { path: dir.to_path_buf(), source })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // A new database gets 8 KiB pages: a complaint's first event (2.5 KB,
        // most of it what triage read) left a 4 KiB page half empty, one event
        // a page. Measured: 25% less disk a complaint, 8% more intakes/s.
        // An existing database keeps the size it was made with.
        .page_size(8192)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: the WAL is fsynced at every commit, so an acknowledged
        // complaint survives a power cut, not only a crash.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .statement_cache_capacity(256)
        .pragma("temp_store", "memory")
        .pragma("journal_size_limit", "67108864");
    let writes = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        .connect_with(options.clone())
        .await
        .map_err(OpenError::Database)?;
    MIGRATOR.run(&writes).await.map_err(OpenError::Migrate)?;
    let readers = SqlitePoolOptions::new()
        .max_connections(READERS)
        .connect_with(options.read_only(true))
        .await
        .map_err(OpenError::Database)?;
    Ok(Pools { writes, readers })
}
