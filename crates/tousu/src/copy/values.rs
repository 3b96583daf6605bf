//! Values in flight: read from SQLite, written to PostgreSQL as one array
//! per column (`INSERT … SELECT … FROM UNNEST(…)`: one statement per batch),
//! read back, and rendered canonically for the checksums.

use super::tables::{Column, Kind, Table};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{PgConnection, Row};

/// One column's values of a batch.
pub enum Values {
    Ints(Vec<Option<i64>>),
    Texts(Vec<Option<String>>),
    Bytes(Vec<Option<Vec<u8>>>),
}

impl Values {
    fn new(kind: Kind) -> Values {
        match kind {
            Kind::Int | Kind::Bool | Kind::Timestamp => Values::Ints(Vec::new()),
            Kind::Date | Kind::Json | Kind::Text => Values::Texts(Vec::new()),
            Kind::Bytes => Values::Bytes(Vec::new()),
        }
    }
}

/// A batch of rows of one table, by column.
pub struct Batch {
    pub columns: Vec<Values>,
    pub rows: usize,
    pub bytes: usize,
}

impl Batch {
    pub fn new(table: &Table) -> Batch {
        Batch { columns: table.columns.iter().map(|c| Values::new(c.kind)).collect(), rows: 0, bytes: 0 }
    }

    /// Adds a SQLite row (its columns in the table's order) and folds it
    /// into the source checksum.
    pub fn push(&mut self, table: &Table, row: &SqliteRow, sum: &mut Checksum) -> anyhow::Result<()> {
        let mut digest = Sha256::new();
        for (i, (column, values)) in table.columns.iter().zip(&mut self.columns).enumerate() {
            let what = || format!("{}.{}", table.name, column.name);
            match values {
                Values::Ints(v) => {
                    let x: Option<i64> = if column.cleared {
                        None
                    } else {
                        row.try_get(i).map_err(|e| anyhow::anyhow!("{}: {e}", what()))?
                    };
                    render_int(&mut digest, x);
                    v.push(x);
                }
                Values::Texts(v) => {
                    let x: Option<String> = if column.cleared {
                        None
                    } else {
                        row.try_get(i).map_err(|e| anyhow::anyhow!("{}: {e}", what()))?
                    };
                    render_text(&mut digest, column, x.as_deref())?;
                    self.bytes += x.as_ref().map_or(0, String::len);
                    v.push(x);
                }
                Values::Bytes(v) => {
                    let x: Option<Vec<u8>> = if column.cleared {
                        None
                    } else {
                        row.try_get(i).map_err(|e| anyhow::anyhow!("{}: {e}", what()))?
                    };
                    render_bytes(&mut digest, x.as_deref());
                    self.bytes += x.as_ref().map_or(0, Vec::len);
                    v.push(x);
                }
            }
        }
        sum.add(digest);
        self.rows += 1;
        Ok(())
    }

    /// Writes the batch in one statement.
    pub async fn write(self, table: &Table, pg: &mut PgConnection) -> anyhow::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let names: Vec<String> = table.columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
        let arrays: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let t = match c.kind {
                    Kind::Int | Kind::Bool | Kind::Timestamp => "int8",
                    Kind::Date | Kind::Json | Kind::Text => "text",
                    Kind::Bytes => "bytea",
                };
                format!("${}::{t}[]", i + 1)
            })
            .collect();
        let converted: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let u = format!("u.c{i}");
                match c.kind {
                    Kind::Bool => format!("{u} <> 0"),
                    Kind::Timestamp => format!("TIMESTAMPTZ 'epoch' + {u} * INTERVAL '1 millisecond'"),
                    Kind::Date => format!("{u}::date"),
                    Kind::Json => format!("{u}::jsonb"),
                    Kind::Int | Kind::Text | Kind::Bytes => u,
                }
            })
            .collect();
        let aliases: Vec<String> = (0..table.columns.len()).map(|i| format!("c{i}")).collect();
        let sql = format!(
            "INSERT INTO \"{}\" ({}) SELECT {} FROM UNNEST({}) AS u ({})",
            table.name,
            names.join(", "),
            converted.join(", "),
            arrays.join(", "),
            aliases.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for values in self.columns {
            q = match values {
                Values::Ints(v) => q.bind(v),
                Values::Texts(v) => q.bind(v),
                Values::Bytes(v) => q.bind(v),
            };
        }
        q.execute(&mut *pg).await.map_err(|e| anyhow::anyhow!("writing {}: {e}", table.name))?;
        Ok(())
    }
}

/// The columns of `table` as the source renders them, read back from PostgreSQL.
pub fn read_back_sql(table: &Table) -> String {
    let exprs: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let q = format!("\"{}\"", c.name);
            match c.kind {
                Kind::Bool => format!("{q}::int4::int8"),
                Kind::Timestamp => format!("(EXTRACT(EPOCH FROM {q}) * 1000)::int8"),
                Kind::Date => format!("to_char({q}, 'YYYY-MM-DD')"),
                Kind::Json => format!("{q}::text"),
                Kind::Int | Kind::Text | Kind::Bytes => q,
            }
        })
        .collect();
    format!("SELECT {} FROM \"{}\"", exprs.join(", "), table.name)
}

/// Folds a PostgreSQL row read with [`read_back_sql`] into `sum`.
pub fn add_target_row(table: &Table, row: &PgRow, sum: &mut Checksum) -> anyhow::Result<()> {
    let mut digest = Sha256::new();
    for (i, column) in table.columns.iter().enumerate() {
        match column.kind {
            Kind::Int | Kind::Bool | Kind::Timestamp => render_int(&mut digest, row.try_get(i)?),
            Kind::Date | Kind::Json | Kind::Text => {
                let x: Option<String> = row.try_get(i)?;
                render_text(&mut digest, column, x.as_deref())?
            }
            Kind::Bytes => {
                let x: Option<Vec<u8>> = row.try_get(i)?;
                render_bytes(&mut digest, x.as_deref())
            }
        }
    }
    sum.add(digest);
    Ok(())
}

fn render_int(d: &mut Sha256, x: Option<i64>) {
    match x {
        Some(x) => d.update(format!("i{x}\u{1f}")),
        None => d.update("n\u{1f}"),
    }
}

fn render_text(d: &mut Sha256, column: &Column, x: Option<&str>) -> anyhow::Result<()> {
    match x {
        // JSONB keeps its own spelling (key order, spaces): compare meaning.
        Some(x) if column.kind == Kind::Json => {
            let value: serde_json::Value = serde_json::from_str(x)
                .map_err(|e| anyhow::anyhow!("column {} holds invalid JSON: {e}", column.name))?;
            d.update(format!("j{}\u{1f}", canonical(&value).len()));
            d.update(canonical(&value));
        }
        Some(x) => {
            d.update(format!("t{}\u{1f}", x.len()));
            d.update(x);
        }
        None => d.update("n\u{1f}"),
    }
    Ok(())
}

fn render_bytes(d: &mut Sha256, x: Option<&[u8]>) {
    match x {
        Some(x) => {
            d.update(format!("b{}\u{1f}", x.len()));
            d.update(x);
        }
        None => d.update("n\u{1f}"),
    }
}

/// JSON with object keys sorted, whatever order either side kept.
fn canonical(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> =
                keys.into_iter().map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k]))).collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// An order-free checksum of a table's rows: the rows' SHA-256 digests
/// XORed together, with the row count (rows are distinct by their primary
/// key, so no two digests cancel out).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Checksum {
    pub rows: u64,
    xor: [u8; 32],
}

impl Checksum {
    fn add(&mut self, digest: Sha256) {
        for (x, b) in self.xor.iter_mut().zip(digest.finalize()) {
            *x ^= b;
        }
        self.rows += 1;
    }

    /// The checksum of both tables' rows together.
    pub fn combined(&self, other: &Checksum) -> Checksum {
        let mut xor = self.xor;
        for (x, b) in xor.iter_mut().zip(other.xor) {
            *x ^= b;
        }
        Checksum { rows: self.rows + other.rows, xor }
    }

    /// Hex, for the report.
    pub fn hex(&self) -> String {
        self.xor.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_ignores_key_order_and_spacing() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b": [1, {"y":2,"x":"三"}], "a": null}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"a":null,"b":[1,{"x":"三","y":2}]}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        assert_ne!(canonical(&a), canonical(&serde_json::json!({"a": null, "b": [{"x": "三", "y": 2}, 1]})));
    }

    #[test]
    fn the_checksum_does_not_depend_on_the_order_of_rows_but_on_each_row() {
        let digest = |s: &str| {
            let mut d = Sha256::new();
            d.update(s);
            d
        };
        let (mut one, mut two, mut other) = (Checksum::default(), Checksum::default(), Checksum::default());
        for s in ["a", "b", "c"] {
            one.add(digest(s));
        }
        for s in ["c", "a", "b"] {
            two.add(digest(s));
        }
        for s in ["a", "b", "d"] {
            other.add(digest(s));
        }
        assert_eq!(one, two);
        assert_ne!(one, other);
    }
}
