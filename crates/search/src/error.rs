//! What can go wrong in search.

/// A search error: the index (I/O, a damaged file) or a bad request.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("the search index could not be opened: {0}")]
    Open(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("the query is too long ({0} characters; at most {max})", max = crate::query::MAX_QUERY_CHARS)]
    QueryTooLong(usize),
    #[error("the synonym list is not valid: {0}")]
    Synonyms(String),
}
