//! `tousu copy --from sqlite://PATH --to postgres://URL`: moves a whole
//! installation from the embedded database to PostgreSQL (issue 6).
//!
//! Both schemas are migrated first. The SQLite file is read under its data
//! folder's lock (never from under a running server). Everything is
//! written in ONE PostgreSQL transaction, table after table in
//! foreign-key order, and verified before the commit: the row count and
//! an order-free checksum of every table, from the source and read back
//! from the target. Any failure (or Ctrl-C) leaves the target as it was.

mod tables;
mod values;

use crate::settings::{Backend, redacted};
use clap::Args;
use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, PgConnection, SqlitePool};
use std::io::IsTerminal;
use std::path::Path;
use std::str::FromStr;
use tables::Table;
use values::{Batch, Checksum};

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The installation to copy: sqlite://PATH (e.g. sqlite://tousu-data/tousu.db).
    #[arg(long)]
    pub from: String,
    /// Where to: postgres://USER@HOST:PORT/DATABASE (its current schema).
    #[arg(long)]
    pub to: String,
    /// Copy even though the target already holds an organisation or
    /// complaints. Rows keep their ids, so a copy that meets an id already
    /// there fails and is rolled back whole; this is for merging an
    /// installation into a target that does not overlap it.
    #[arg(long)]
    pub into_non_empty: bool,
}

/// Rows per INSERT, and the bytes (file contents) after which a batch is
/// written early.
const BATCH_ROWS: usize = 2_000;
const BATCH_BYTES: usize = 16 * 1024 * 1024;

pub async fn copy(args: CopyArgs) -> anyhow::Result<()> {
    let Backend::Sqlite(path) = Backend::from_url(&args.from)? else {
        anyhow::bail!("--from 必须是 sqlite://路径 / --from must be sqlite://PATH, not {}", redacted(&args.from));
    };
    let Backend::Postgres(url) = Backend::from_url(&args.to)? else {
        anyhow::bail!("--to 必须是 postgres://… / --to must be postgres://USER@HOST:PORT/DATABASE, not {}", args.to);
    };
    anyhow::ensure!(
        path.is_file(),
        "找不到 SQLite 数据库 {} / no SQLite database at {}",
        path.display(),
        path.display()
    );
    let _lock = crate::startup::DatabaseLock::acquire(&path)?;
    migrate_both(&path, &url).await?;

    // Only read (the folder's lock keeps servers away); not opened
    // read-only, which SQLite refuses for a WAL file without its index.
    let sqlite = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path)).await?;
    let mut pg = PgConnection::connect_with(&PgConnectOptions::from_str(&url)?).await?;
    let outcome = copy_all(&sqlite, &mut pg, args.into_non_empty).await;
    sqlite.close().await;
    pg.close().await.ok();
    let report = outcome?;

    println!("{:<24} {:>10}  checksum (sha256, xor of rows)", "table", "rows");
    for (table, sum) in &report {
        println!("{:<24} {:>10}  {}", table, sum.rows, sum.hex());
    }
    let rows: u64 = report.iter().map(|(_, s)| s.rows).sum();
    println!(
        "copied {} tables, {rows} rows from {} to {}; counts and checksums agree",
        report.len(),
        path.display(),
        redacted(&url)
    );
    println!("复制完成：{} 张表、{rows} 行，行数与校验和一致。", report.len());
    // The settings and the time-limit policy are files, not rows.
    if let Some(folder) = path.parent() {
        for file in
            ["tousu.toml", "time-limits.toml", "scripts.toml"].map(|f| folder.join(f)).iter().filter(|f| f.is_file())
        {
            println!(
                "not in the database, copy it to every server's data folder / 此文件不在数据库中，请复制到每台服务器的数据目录: {}",
                file.display()
            );
        }
    }
    Ok(())
}

/// Brings both schemas to this version (opening a store migrates it).
async fn migrate_both(path: &Path, url: &str) -> anyhow::Result<()> {
    let sqlite = tousu_store_sqlite::SqliteStore::open(path).await?;
    sqlite.close().await;
    let pg = tousu_store_postgres::PostgresStore::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("PostgreSQL {}: {e}", redacted(url)))?;
    drop(pg);
    Ok(())
}

async fn copy_all(
    sqlite: &SqlitePool,
    pg: &mut PgConnection,
    into_non_empty: bool,
) -> anyhow::Result<Vec<(String, Checksum)>> {
    let mut tx = pg.begin().await?;
    let existing: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM companies) + (SELECT COUNT(*) FROM complaints)")
            .fetch_one(&mut *tx)
            .await?;
    if existing > 0 && !into_non_empty {
        anyhow::bail!(
            "目标数据库已有组织或投诉数据，未写入任何内容（确需合并请加 --into-non-empty）\n\
             the target already holds an organisation or complaints; nothing was written \
             (add --into-non-empty to copy into it anyway)"
        );
    }
    let plan = tables::plan(sqlite, &mut tx).await?;
    let mut report = Vec::new();
    for table in &plan {
        // What the target held before (nothing, unless --into-non-empty):
        // afterwards it must hold exactly that and the source's rows.
        let before = target_checksum(&mut tx, table).await?;
        let source = copy_table(sqlite, &mut tx, table).await?;
        move_identity(&mut tx, table).await?;
        let target = target_checksum(&mut tx, table).await?;
        if before.combined(&source) != target {
            // Dropping the transaction rolls everything back.
            anyhow::bail!(
                "表 {} 校验不一致，已回滚 / table {}: source {} rows ({}), target {} rows ({}); rolled back",
                table.name,
                table.name,
                source.rows,
                source.hex(),
                target.rows,
                target.hex()
            );
        }
        report.push((table.name.clone(), source));
    }
    tx.commit().await?;
    Ok(report)
}

fn progress(table: &str, rows: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{prefix:>24} {bar:40} {pos}/{len} {per_sec}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(rows).with_style(style).with_prefix(table.to_string())
}

/// Copies one table in batches; answers the source's checksum.
async fn copy_table(sqlite: &SqlitePool, pg: &mut PgConnection, table: &Table) -> anyhow::Result<Checksum> {
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{}\"", table.name)))
        .fetch_one(sqlite)
        .await?;
    let bar = progress(&table.name, total.max(0) as u64);
    let names: Vec<String> = table.columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
    let sql = format!("SELECT {} FROM \"{}\"", names.join(", "), table.name);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(sqlite);
    let mut sum = Checksum::default();
    let mut batch = Batch::new(table);
    while let Some(row) = rows.try_next().await? {
        batch.push(table, &row, &mut sum)?;
        if batch.rows >= BATCH_ROWS || batch.bytes >= BATCH_BYTES {
            let full = std::mem::replace(&mut batch, Batch::new(table));
            bar.inc(full.rows as u64);
            full.write(table, pg).await?;
        }
    }
    bar.inc(batch.rows as u64);
    batch.write(table, pg).await?;
    bar.finish_and_clear();
    if !std::io::stderr().is_terminal() {
        eprintln!("{}: {} rows", table.name, sum.rows);
    }
    Ok(sum)
}

/// New rows on PostgreSQL must not take a copied id.
async fn move_identity(pg: &mut PgConnection, table: &Table) -> anyhow::Result<()> {
    let Some(column) = &table.identity else { return Ok(()) };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT setval(pg_get_serial_sequence('\"{t}\"', '{column}'), \
         COALESCE((SELECT MAX(\"{column}\") FROM \"{t}\"), 0) + 1, false)",
        t = table.name
    )))
    .execute(&mut *pg)
    .await?;
    Ok(())
}

async fn target_checksum(pg: &mut PgConnection, table: &Table) -> anyhow::Result<Checksum> {
    let mut sum = Checksum::default();
    let sql = values::read_back_sql(table);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *pg);
    while let Some(row) = rows.try_next().await.map_err(|e| anyhow::anyhow!("reading back {}: {e}", table.name))? {
        values::add_target_row(table, &row, &mut sum)?;
    }
    Ok(sum)
}
