//! Conversions between domain values and SQLite columns.

use tousu_domain::Timestamp;
use tousu_store::{ConflictKind, StoreError};

pub(crate) fn millis(t: Timestamp) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Timestamp {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::other)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(StoreError::other)
}

/// Maps a sqlx error: unique violations become `Conflict(Duplicate)`.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            return StoreError::Conflict(ConflictKind::Duplicate(d.message().to_string()));
        }
    }
    StoreError::other(e)
}
