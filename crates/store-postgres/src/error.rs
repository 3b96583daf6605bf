//! The backend's one error type, and how it becomes the store's
//! [`StoreError`] (once, here).

use tousu_store::{ConflictKind, StoreError};

/// What can go wrong in the PostgreSQL backend. Each variant's message
/// leaves its cause to `source()`, so a printed cause chain says each thing
/// once.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The database URL does not parse.
    #[error("invalid PostgreSQL URL")]
    Url(#[source] sqlx::Error),
    /// The server refused or dropped the connection, or a statement failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("cannot apply the PostgreSQL migrations")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value the backend cannot read back (a status, a role …).
    #[error("corrupt stored {what}: {value:?}")]
    Corrupt { what: &'static str, value: String },
}

/// SQLSTATEs after which the whole transaction was rolled back and may
/// simply be run again: `serialization_failure` and `deadlock_detected`.
const TRANSIENT: [&str; 2] = ["40001", "40P01"];

impl PgError {
    /// A deadlock or serialisation failure: nothing was written and the
    /// same transaction may be tried again.
    pub fn is_transient(&self) -> bool {
        match self {
            PgError::Database(sqlx::Error::Database(d)) => d.code().is_some_and(|c| TRANSIENT.contains(&c.as_ref())),
            _ => false,
        }
    }

    pub(crate) fn corrupt(what: &'static str, value: impl Into<String>) -> PgError {
        PgError::Corrupt { what, value: value.into() }
    }
}

impl From<PgError> for StoreError {
    /// Unique violations become `Conflict(Duplicate)` naming the
    /// constraint; everything else is `Other`, with its cause.
    fn from(e: PgError) -> StoreError {
        if let PgError::Database(sqlx::Error::Database(d)) = &e
            && d.is_unique_violation()
        {
            let what = d.constraint().map(str::to_string).unwrap_or_else(|| d.message().to_string());
            return StoreError::Conflict(ConflictKind::Duplicate(what));
        }
        StoreError::other(e)
    }
}

/// Maps a driver error (for `.map_err(db)?`).
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    PgError::from(e).into()
}

/// Whether a store error came from a transient database failure.
pub(crate) fn is_transient(e: &StoreError) -> bool {
    match e {
        StoreError::Other(inner) => inner.downcast_ref::<PgError>().is_some_and(PgError::is_transient),
        _ => false,
    }
}

/// How many times a transaction that met a deadlock is run again.
const RETRIES: u32 = 3;

/// Runs a whole transaction, again (up to [`RETRIES`] times) when
/// PostgreSQL rolled it back for a deadlock or a serialisation failure.
pub(crate) async fn retrying<T, F, Fut>(mut once: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 0;
    loop {
        match once().await {
            Err(e) if attempt < RETRIES && is_transient(&e) => {
                attempt += 1;
                tracing::debug!(error = %e, attempt, "transaction rolled back by PostgreSQL; running it again");
            }
            outcome => return outcome,
        }
    }
}
