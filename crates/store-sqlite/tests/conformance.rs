//! The storage conformance suite (`tousu_store::conformance`) against
//! SQLite: each test gets a database file in its own temporary folder.

use std::sync::Arc;
use tempfile::TempDir;
use tousu_store::Store;
use tousu_store::conformance::Backend;
use tousu_store_sqlite::SqliteStore;

struct Sqlite;

impl Backend for Sqlite {
    type Database = TempDir;

    async fn create(&self) -> TempDir {
        tempfile::tempdir().expect("a temporary folder")
    }

    async fn open(&self, dir: &TempDir) -> Arc<dyn Store> {
        let store = SqliteStore::open(&dir.path().join("tousu.db")).await.expect("the SQLite store opens");
        Arc::new(store)
    }
}

tousu_store::conformance_tests!(Sqlite);
