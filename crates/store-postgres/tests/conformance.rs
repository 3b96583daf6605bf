//! The storage conformance suite (`tousu_store::conformance`) against
//! PostgreSQL, one schema per test (see `common`).
//!
//! Without `TOUSU_TEST_POSTGRES_URL` every test prints SKIPPED and passes
//! without running: the suite then runs on SQLite only.

mod common;

use common::{Postgres, URL_VAR, admin};
use std::time::Duration;
use tousu_store::conformance::Backend;
use tousu_store_postgres::options_from_url;

tousu_store::conformance_tests!(Postgres);

/// The harness itself: a failing test leaves no schema behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_schema_is_dropped_even_when_the_test_fails() {
    if !Postgres.available() {
        return;
    }
    let (named, name) = tokio::sync::oneshot::channel();
    let failed = tokio::spawn(async move {
        let schema = Postgres.create().await;
        let _store = Postgres.open(&schema).await;
        let (_, name) = schema.inner.clone().expect("a schema");
        named.send(name).expect("the test waits for the name");
        panic!("this test fails on purpose, with its schema open");
    })
    .await;
    assert!(failed.expect_err("the task panicked").is_panic());
    let name = name.await.expect("the schema was named");

    let url = std::env::var(URL_VAR).expect("checked by `available`");
    let mut conn = admin(&options_from_url(&url).expect("a URL")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1")
            .bind(&name)
            .fetch_one(&mut conn)
            .await
            .expect("counted");
        if left == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "schema {name} was left behind");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
