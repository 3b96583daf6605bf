//! What to copy: the tables both schemas have, in foreign-key order, each
//! with the columns both sides have and how a value crosses over (SQLite
//! keeps times as INTEGER milliseconds, dates as TEXT, JSON as TEXT and
//! booleans as 0/1 where PostgreSQL has TIMESTAMPTZ, DATE, JSONB, BOOLEAN).

use sqlx::{PgConnection, SqlitePool};
use std::collections::{BTreeMap, BTreeSet};

/// Tables that hold no data of the installation: the migrations' own
/// bookkeeping, and leases of running workers (meaningless elsewhere).
pub const NOT_COPIED: [&str; 2] = ["_sqlx_migrations", "deadline_claims"];
/// Columns of running workers' leases: copied as NULL.
pub const CLEARED: [(&str, &str); 2] = [("deliveries", "leased_by"), ("deliveries", "lease_until")];

/// How a column's values cross from SQLite to PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Bool,
    /// INTEGER milliseconds → TIMESTAMPTZ.
    Timestamp,
    /// TEXT `YYYY-MM-DD` → DATE.
    Date,
    Json,
    Text,
    Bytes,
}

impl Kind {
    fn of_postgres(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "boolean" => Kind::Bool,
            "timestamp with time zone" => Kind::Timestamp,
            "date" => Kind::Date,
            "jsonb" | "json" => Kind::Json,
            "text" | "character varying" => Kind::Text,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    /// Written as NULL (see [`CLEARED`]).
    pub cleared: bool,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    /// The identity column whose sequence must move past the copied ids.
    pub identity: Option<String>,
}

/// The tables to copy, parents before children.
pub async fn plan(sqlite: &SqlitePool, pg: &mut PgConnection) -> anyhow::Result<Vec<Table>> {
    let source: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(sqlite)
    .await?;
    let target: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut *pg)
    .await?;
    let copied = |t: &String| !NOT_COPIED.contains(&t.as_str());
    let source: BTreeSet<String> = source.into_iter().filter(copied).collect();
    let target: BTreeSet<String> = target.into_iter().filter(copied).collect();
    if let Some(t) = source.symmetric_difference(&target).next() {
        let side = if source.contains(t) { "only in the SQLite database" } else { "only in the PostgreSQL schema" };
        anyhow::bail!("表 {t} 只在一侧存在，无法复制 / table `{t}` is {side}: are both at the same tousu version?");
    }
    let mut tables = Vec::new();
    for name in order(sqlite, &source).await? {
        tables.push(table(sqlite, pg, &name).await?);
    }
    Ok(tables)
}

/// Parents first: a table comes after every table it references.
async fn order(sqlite: &SqlitePool, names: &BTreeSet<String>) -> anyhow::Result<Vec<String>> {
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in names {
        let refs: Vec<String> = sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)")
            .bind(name)
            .fetch_all(sqlite)
            .await?;
        parents.insert(name.clone(), refs.into_iter().filter(|r| r != name && names.contains(r)).collect());
    }
    let mut ordered: Vec<String> = Vec::new();
    while ordered.len() < names.len() {
        let ready: Vec<String> = parents
            .iter()
            .filter(|(n, ps)| !ordered.contains(n) && ps.iter().all(|p| ordered.contains(p)))
            .map(|(n, _)| n.clone())
            .collect();
        anyhow::ensure!(!ready.is_empty(), "the tables' foreign keys form a cycle; cannot order the copy");
        ordered.extend(ready);
    }
    Ok(ordered)
}

async fn table(sqlite: &SqlitePool, pg: &mut PgConnection, name: &str) -> anyhow::Result<Table> {
    let source: BTreeSet<String> = sqlx::query_scalar::<_, String>("SELECT name FROM pragma_table_info(?)")
        .bind(name)
        .fetch_all(sqlite)
        .await?
        .into_iter()
        .collect();
    let target: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text, is_identity::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(name)
    .fetch_all(&mut *pg)
    .await?;
    let mut columns = Vec::new();
    let mut identity = None;
    for (column, data_type, is_identity) in target {
        if !source.contains(&column) {
            continue;
        }
        let kind = Kind::of_postgres(&data_type)
            .ok_or_else(|| anyhow::anyhow!("column {name}.{column} has a type the copy does not know: {data_type}"))?;
        if is_identity == "YES" {
            identity = Some(column.clone());
        }
        let cleared = CLEARED.contains(&(name, column.as_str()));
        columns.push(Column { name: column, kind, cleared });
    }
    anyhow::ensure!(!columns.is_empty(), "table {name} has no column on both sides");
    Ok(Table { name: name.to_string(), columns, identity })
}
