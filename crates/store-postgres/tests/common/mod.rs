//! The PostgreSQL test backend: each test gets a schema of its own
//! (`tousu_test_…`) in the database named by `TOUSU_TEST_POSTGRES_URL`,
//! dropped when the test ends, passed or failed. Schemas left behind by a
//! killed run are dropped by the next run once they are an hour old.

#![allow(dead_code)]

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tousu_store::Store;
use tousu_store::conformance::Backend;
use tousu_store_postgres::{PostgresStore, options_from_url};

pub const URL_VAR: &str = "TOUSU_TEST_POSTGRES_URL";
const PREFIX: &str = "tousu_test_";
/// A schema older than this, from a run that was killed, is dropped.
const STALE_AFTER: Duration = Duration::from_secs(3600);
/// Connections per test: tests run in parallel against one server.
const POOL_SIZE: u32 = 8;

pub struct Postgres;

/// One test's schema; dropped with everything in it when the test ends.
pub struct Schema {
    /// The server and the schema's name; taken by `drop`.
    pub inner: Option<(PgConnectOptions, String)>,
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub async fn admin(options: &PgConnectOptions) -> PgConnection {
    PgConnection::connect_with(options).await.expect("the test PostgreSQL server accepts a connection")
}

/// Drops the schemas of earlier runs that were killed before cleaning up.
async fn drop_stale(conn: &mut PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tousu\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .expect("schemas are listed");
    for name in names {
        let created =
            name.strip_prefix(PREFIX).and_then(|rest| rest.split('_').next()).and_then(|s| s.parse::<u64>().ok());
        if created.is_some_and(|t| now_secs().saturating_sub(t) > STALE_AFTER.as_secs()) {
            conn.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))).await.ok();
        }
    }
}

impl Backend for Postgres {
    type Database = Schema;

    fn available(&self) -> bool {
        let set = std::env::var_os(URL_VAR).is_some();
        if !set {
            let message = format!(
                "SKIPPED: PostgreSQL test not run: set {URL_VAR} \
                 (e.g. postgres://postgres@127.0.0.1:5432/test) to run it"
            );
            eprintln!("{message}");
            // `eprintln!` is captured for passing tests: say it once where
            // a plain `cargo test` shows it too.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "\n{message}\n");
            });
        }
        set
    }

    async fn create(&self) -> Schema {
        let url = std::env::var(URL_VAR).expect("checked by `available`");
        let options = options_from_url(&url).expect("TOUSU_TEST_POSTGRES_URL is a PostgreSQL URL");
        let name = format!("{PREFIX}{}_{:016x}", now_secs(), fastrand::u64(..));
        let mut conn = admin(&options).await;
        drop_stale(&mut conn).await;
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{name}\"")))
            .await
            .expect("the test schema is created");
        conn.close().await.ok();
        Schema { inner: Some((options, name)) }
    }

    async fn open(&self, schema: &Schema) -> Arc<dyn Store> {
        let (options, name) = schema.inner.as_ref().expect("a schema is open until dropped");
        // Every connection of the store sees only this test's schema.
        let options = options.clone().options([("search_path", name.as_str())]);
        let store = PostgresStore::connect_with(options, POOL_SIZE).await.expect("the PostgreSQL store opens");
        Arc::new(store)
    }
}

impl Drop for Schema {
    /// Drops the schema, also when the test failed (the panic unwinds
    /// through here). `Drop` cannot await, so a thread of its own runs the
    /// statement on a small runtime of its own.
    fn drop(&mut self) {
        let Some((options, name)) = self.inner.take() else { return };
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            rt.block_on(async {
                let mut conn = admin(&options).await;
                conn.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))).await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            eprintln!("warning: a test schema was not dropped ({dropped:?}); the next run drops it after an hour");
        }
    }
}
