//! Conversions between domain values and PostgreSQL columns.

use chrono::{DateTime, Utc};
use tousu_domain::Timestamp;

/// An instant as stored: truncated to whole milliseconds, as SQLite keeps
/// it, so that a record reads back the same from either backend (and a
/// copy from SQLite is exact). Columns are TIMESTAMPTZ (see the first
/// migration).
pub(crate) fn at(t: Timestamp) -> Timestamp {
    DateTime::<Utc>::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// `Option` of [`at`].
pub(crate) fn at_opt(t: Option<Timestamp>) -> Option<Timestamp> {
    t.map(at)
}

/// Clamps a count read as BIGINT into `u32`.
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// Keys starting with `prefix`: a range on an index, no LIKE scan (the end
/// bound is the prefix followed by the greatest code point).
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}
