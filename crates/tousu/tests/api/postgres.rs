//! The server on PostgreSQL (`--database postgres://…`): intake, the whole
//! lifecycle, idempotent retries, owner tracking and the outbox, over HTTP.
//! The storage suite itself runs in `tousu-store-postgres`; this checks the
//! wiring. Each test gets a schema of its own in the database named by
//! `TOUSU_TEST_POSTGRES_URL`, dropped at the end; without the variable the
//! test prints SKIPPED and passes.

use crate::helpers::{TestApp, complaint_body, spawn_app_on};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::{Connection, Executor, PgConnection};
use tousu_domain::Role;

pub(crate) const URL_VAR: &str = "TOUSU_TEST_POSTGRES_URL";

/// A schema of the test server's database, dropped with the guard.
pub(crate) struct Schema {
    base: String,
    name: String,
}

impl Schema {
    pub(crate) async fn create(base: String) -> Schema {
        let name = format!("tousu_test_{}_{:016x}", chrono::Utc::now().timestamp(), fastrand::u64(..));
        let mut conn = PgConnection::connect(&base).await.expect("the test PostgreSQL server accepts a connection");
        conn.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{name}\""))).await.expect("schema created");
        conn.close().await.ok();
        Schema { base, name }
    }

    /// The URL the server is given: every connection on this schema.
    pub(crate) fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options[search_path]={}", self.base, self.name)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            rt.block_on(async {
                let mut conn = PgConnection::connect(&base).await?;
                conn.execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))).await
            })
        })
        .join();
    }
}

async fn on_postgres() -> Option<(Schema, TestApp)> {
    let Ok(base) = std::env::var(URL_VAR) else {
        eprintln!(
            "SKIPPED: the API on PostgreSQL was not tested: set {URL_VAR} (e.g. postgres://postgres@127.0.0.1:5432/test)"
        );
        return None;
    };
    let schema = Schema::create(base).await;
    let app = spawn_app_on(schema.url()).await;
    Some((schema, app))
}

#[tokio::test]
async fn on_postgres_a_complaint_is_recorded_handled_to_the_end_and_tracked_by_its_owner() {
    let Some((_schema, app)) = on_postgres().await else {
        return;
    };
    let desk = app.token(Role::FrontDesk).await;

    let res = app
        .client
        .post(app.url("/api/v1/complaints"))
        .bearer_auth(&desk)
        .header("Idempotency-Key", "pg-smoke-1")
        .json(&complaint_body())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::CREATED);
    let first: Value = res.json().await.expect("json");
    let id = first["id"].as_i64().expect("an id");
    let tracking_no = first["tracking_no"].as_str().expect("a tracking number").to_string();
    assert!(tracking_no.ends_with("-0001"), "{tracking_no}");

    // The retry answers the same complaint.
    let retry = app
        .client
        .post(app.url("/api/v1/complaints"))
        .bearer_auth(&desk)
        .header("Idempotency-Key", "pg-smoke-1")
        .json(&complaint_body())
        .send()
        .await
        .expect("sent");
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let replayed: Value = retry.json().await.expect("json");
    assert_eq!(replayed["id"], id);

    let second = app.new_complaint(&desk).await;
    assert!(second["tracking_no"].as_str().expect("a tracking number").ends_with("-0002"), "{second}");

    let closed = app.walk_to(id, "closed").await;
    assert_eq!(closed["status"], "closed");
    let shown = app.complaint(&desk, id).await;
    assert_eq!(shown["status"], "closed");

    let listed: Value = app.get(&desk, "/api/v1/complaints?status=closed").await.json().await.expect("json");
    let ids: Vec<i64> = listed["items"].as_array().expect("items").iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(ids, [id]);

    // The owner follows it by tracking number and phone.
    let tracked = app
        .client
        .post(app.url("/api/v1/track"))
        .json(&json!({"tracking_no": tracking_no, "phone": "13812345678"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(tracked.status(), StatusCode::OK);

    // The worker's steps run on PostgreSQL too.
    app.run_deadlines().await;
    app.run_outbox().await;
}

#[tokio::test]
async fn migrate_brings_an_empty_postgres_schema_up_to_date() {
    let Ok(base) = std::env::var(URL_VAR) else {
        eprintln!("SKIPPED: `tousu migrate` on PostgreSQL was not tested: set {URL_VAR}");
        return;
    };
    let schema = Schema::create(base).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_tousu"))
        .args(["migrate", "--data", dir.path().to_str().expect("utf-8 path"), "--database", &schema.url()])
        .env_remove("TOUSU_DATABASE")
        .output()
        .await
        .expect("tousu ran");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut conn = PgConnection::connect(&schema.base).await.expect("connect");
    let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = $1")
        .bind(&schema.name)
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert!(tables >= 10, "the schema holds tousu's tables: {tables}");
    conn.close().await.ok();
}
