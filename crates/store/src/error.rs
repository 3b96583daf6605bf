use thiserror::Error;

/// Why storage refused or failed. Backends map their driver errors here once.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),

    #[error("conflict: {0}")]
    Conflict(ConflictKind),

    /// Anything else: I/O, a broken connection, corrupt data. Logged with its
    /// cause, never shown to a client.
    #[error("storage failure: {0}")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConflictKind {
    /// Someone else changed the complaint since it was read.
    #[error("the complaint was changed concurrently")]
    Version,
    /// The idempotency key was used before for a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyKey,
    /// A unique name (code, username) is taken.
    #[error("{0} already exists")]
    Duplicate(String),
}

impl StoreError {
    pub fn other(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Other(Box::new(e))
    }
}
