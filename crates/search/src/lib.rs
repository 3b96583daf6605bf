//! tousu's Chinese full-text search (issue 8): an embedded tantivy index
//! of complaints, derived from their history and rebuilt from it at will.
//!
//! - [`analysis`]: Simplified and half-width, jieba words and Han n-grams;
//! - [`synonyms`]: the editable list of words that mean the same;
//! - [`query`]: what a person typed, as the index reads it;
//! - [`index`]: documents, filters, order, snippets.

pub mod analysis;
pub mod error;
mod filtered;
pub mod index;
pub mod query;
pub mod synonyms;

pub use error::SearchError;
pub use index::{Filters, Hit, Hits, SearchDoc, SearchIndex, SortBy};
pub use query::ParsedQuery;
pub use synonyms::Synonyms;
