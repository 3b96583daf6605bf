//! The embedded index (tantivy): one document per complaint, replaced
//! whole when the complaint changes; filters as exact fields; relevance
//! (BM25) or time order; highlighted snippets.

use crate::analysis::{GRAMS, WORDS, grams_analyzer, normalise, normalise_chars, words_analyzer};
use crate::error::SearchError;
use crate::filtered::{Conditions, FilteredQuery};
use crate::query::{ParsedQuery, TextFields};
use crate::synonyms::Synonyms;
use std::path::Path;
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

/// What the index keeps of a complaint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchDoc {
    pub id: u64,
    pub company: u64,
    pub project: String,
    pub building: String,
    pub status: String,
    pub category: String,
    pub severity: String,
    pub department: String,
    /// Unix milliseconds.
    pub received_ms: i64,
    /// The words staff may search: subject, description, replies, notes,
    /// resolution, callback comments.
    pub text: String,
    /// The customer's name and phone: searched only by who may see them.
    pub personal: String,
}

/// Filters, all exact; `None` is any.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub company: u64,
    pub project: Option<String>,
    pub building: Option<String>,
    pub status: Vec<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub department: Option<String>,
    /// Received at or after, before (Unix milliseconds).
    pub received_from: Option<i64>,
    pub received_to: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Relevance,
    Newest,
}

/// A found complaint with its snippet (`<mark>` around what matched,
/// the rest HTML-escaped).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: u64,
    pub score: f32,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    pub total: usize,
    pub hits: Vec<Hit>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    company: Field,
    project: Field,
    building: Field,
    status: Field,
    category: Field,
    severity: Field,
    department: Field,
    received: Field,
    body: Field,
    text: TextFields,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analysed = |name: &str, stored: bool| {
        let indexing =
            TextFieldIndexing::default().set_tokenizer(name).set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let id = b.add_u64_field("id", INDEXED | STORED | FAST);
    let company = b.add_u64_field("company", INDEXED | FAST);
    // Filters are read per candidate from fast fields (`filtered`).
    let project = b.add_text_field("project", STRING | FAST);
    let building = b.add_text_field("building", STRING | FAST);
    let status = b.add_text_field("status", STRING | FAST);
    let category = b.add_text_field("category", STRING | FAST);
    let severity = b.add_text_field("severity", STRING | FAST);
    let department = b.add_text_field("department", STRING | FAST);
    let received = b.add_i64_field("received", INDEXED | FAST);
    let body = b.add_text_field("body", STORED);
    let words = b.add_text_field("words", analysed(WORDS, false));
    let grams = b.add_text_field("grams", analysed(GRAMS, false));
    let personal_words = b.add_text_field("personal_words", analysed(WORDS, false));
    let personal_grams = b.add_text_field("personal_grams", analysed(GRAMS, false));
    let fields = Fields {
        id,
        company,
        project,
        building,
        status,
        category,
        severity,
        department,
        received,
        body,
        text: TextFields { words, grams, personal_words, personal_grams },
    };
    (b.build(), fields)
}

/// The index and its one writer.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: std::sync::Mutex<IndexWriter>,
    fields: Fields,
}

/// Memory for the writer's buffer.
const WRITER_BYTES: usize = 64 * 1024 * 1024;

impl SearchIndex {
    /// Opens (or creates) the index in `dir`.
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Index(tantivy::TantivyError::from(e)))?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)?;
        let index = match Index::open_or_create(directory, schema.clone()) {
            Ok(index) => index,
            // An index of an earlier version's schema: it is derived, so
            // it is started again (cursor 0) and rebuilt from the history.
            Err(tantivy::TantivyError::SchemaError(_)) => {
                std::fs::remove_dir_all(dir).map_err(|e| SearchError::Index(tantivy::TantivyError::from(e)))?;
                std::fs::create_dir_all(dir).map_err(|e| SearchError::Index(tantivy::TantivyError::from(e)))?;
                Index::create_in_dir(dir, schema)?
            }
            Err(e) => return Err(e.into()),
        };
        SearchIndex::with(index, fields)
    }

    /// An index in memory (tests).
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        SearchIndex::with(Index::create_in_ram(schema), fields)
    }

    fn with(index: Index, fields: Fields) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(WORDS, words_analyzer());
        index.tokenizers().register(GRAMS, grams_analyzer());
        let writer = index.writer(WRITER_BYTES)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, writer: std::sync::Mutex::new(writer), fields })
    }

    /// Adds a complaint, replacing what the index had of it.
    pub fn upsert(&self, doc: &SearchDoc) -> Result<(), SearchError> {
        self.add(doc, true)
    }

    /// Adds a complaint the index does not have (a rebuild after
    /// [`SearchIndex::clear`]): no delete to apply at the commit.
    pub fn insert_new(&self, doc: &SearchDoc) -> Result<(), SearchError> {
        self.add(doc, false)
    }

    fn add(&self, doc: &SearchDoc, replace: bool) -> Result<(), SearchError> {
        let f = self.fields;
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if replace {
            writer.delete_term(Term::from_field_u64(f.id, doc.id));
        }
        let mut d = TantivyDocument::default();
        d.add_u64(f.id, doc.id);
        d.add_u64(f.company, doc.company);
        for (field, v) in [
            (f.project, &doc.project),
            (f.building, &doc.building),
            (f.status, &doc.status),
            (f.category, &doc.category),
            (f.severity, &doc.severity),
            (f.department, &doc.department),
        ] {
            d.add_text(field, v);
        }
        d.add_i64(f.received, doc.received_ms);
        // Normalised once here; the analyzers read normalised text.
        let (text, personal) = (normalise(&doc.text), normalise(&doc.personal));
        d.add_text(f.body, &doc.text);
        d.add_text(f.text.words, &text);
        d.add_text(f.text.grams, &text);
        d.add_text(f.text.personal_words, &personal);
        d.add_text(f.text.personal_grams, &personal);
        writer.add_document(d)?;
        Ok(())
    }

    /// Makes what was added searchable (and durable).
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner()).commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Commits with the place in the history it is current to, kept in the
    /// commit itself: after a crash the index and its cursor agree.
    pub fn commit_at(&self, cursor: &str) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(cursor);
        prepared.commit()?;
        drop(writer);
        self.reader.reload()?;
        Ok(())
    }

    /// The place in the history the last commit was current to, as the
    /// caller wrote it ("": none).
    pub fn cursor(&self) -> Result<String, SearchError> {
        Ok(self.index.load_metas()?.payload.unwrap_or_default())
    }

    /// Merges every segment into one (after a rebuild: a query then looks
    /// terms up once, not once per segment). The commit's cursor is kept.
    /// Answers false when the writer's own merging had some segments in
    /// hand (nothing lost: the index is as it was).
    pub fn merge_all(&self) -> Result<bool, SearchError> {
        let ids = self.index.searchable_segment_ids()?;
        if ids.len() < 2 {
            return Ok(true);
        }
        let merged = self.writer.lock().unwrap_or_else(|e| e.into_inner()).merge(&ids).wait().is_ok();
        self.reader.reload()?;
        Ok(merged)
    }

    /// Forgets every document (a rebuild starts from here).
    pub fn clear(&self) -> Result<(), SearchError> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner()).delete_all_documents()?;
        self.commit_at("")
    }

    /// Finds complaints: `q` parsed, with filters, sorted, a page of them.
    pub fn search(
        &self,
        q: &ParsedQuery,
        filters: &Filters,
        synonyms: &Synonyms,
        personal: bool,
        sort: SortBy,
        offset: usize,
        limit: usize,
    ) -> Result<Hits, SearchError> {
        let f = self.fields;
        let Some(text) = q.to_query(f.text, synonyms, personal) else {
            return Ok(Hits { total: 0, hits: vec![] });
        };
        let mut exact: Vec<(&'static str, Vec<String>)> = Vec::new();
        for (field, v) in [
            ("project", &filters.project),
            ("building", &filters.building),
            ("category", &filters.category),
            ("severity", &filters.severity),
            ("department", &filters.department),
        ] {
            if let Some(v) = v {
                exact.push((field, vec![v.clone()]));
            }
        }
        if !filters.status.is_empty() {
            exact.push(("status", filters.status.clone()));
        }
        let conditions = Conditions {
            company: filters.company,
            exact,
            received_from: filters.received_from,
            received_to: filters.received_to,
        };
        let query = FilteredQuery::new(text, conditions);
        let searcher = self.reader.searcher();
        let limit = limit.max(1);
        // Counted apart: a collector beside TopDocs would make it score
        // every match instead of pruning.
        let total = searcher.search(&query, &Count)?;
        let found: Vec<(f32, DocAddress)> = match sort {
            SortBy::Relevance => searcher.search(&query, &TopDocs::with_limit(limit).and_offset(offset).order_by_score())?,
            SortBy::Newest => searcher
                .search(
                    &query,
                    &TopDocs::with_limit(limit).and_offset(offset).order_by_fast_field::<i64>("received", Order::Desc),
                )?
                .into_iter()
                .map(|(_, a)| (0.0, a))
                .collect(),
        };
        let marks = q.highlights(synonyms);
        let mut found = found;
        if sort == SortBy::Relevance {
            // Equal scores in a stable order (the index's own order depends
            // on how its segments happen to be cut), newest id first.
            let ids = searcher.segment_readers().iter().map(|r| r.fast_fields().u64("id")).collect::<Result<Vec<_>, _>>()?;
            let id_of = |a: &DocAddress| ids[a.segment_ord as usize].first(a.doc_id).unwrap_or_default();
            found.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| id_of(&y.1).cmp(&id_of(&x.1))));
        }
        let mut hits = Vec::with_capacity(found.len());
        for (score, address) in found {
            let doc: TantivyDocument = searcher.doc(address)?;
            let id = doc.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or_default();
            let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or_default();
            hits.push(Hit { id, score, snippet: snippet(body, &marks) });
        }
        Ok(Hits { total, hits })
    }

    /// How many complaints the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Characters of context shown around the first match.
const CONTEXT: usize = 40;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A window of `body` around its first match, every match in `<mark>`.
/// Matching is on the normalised text (電梯 marks where 电梯 was asked).
pub fn snippet(body: &str, marks: &[String]) -> String {
    let original: Vec<char> = body.chars().collect();
    let norm = normalise_chars(body);
    let marks: Vec<Vec<char>> =
        marks.iter().map(|m| m.chars().collect()).filter(|m: &Vec<char>| !m.is_empty()).collect();
    // Marked character ranges, left to right, not overlapping.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < norm.len() {
        match marks.iter().find(|m| norm[i..].starts_with(m)) {
            Some(m) => {
                ranges.push((i, i + m.len()));
                i += m.len();
            }
            None => i += 1,
        }
    }
    let first = ranges.first().map_or(0, |r| r.0);
    let start = first.saturating_sub(CONTEXT / 2);
    let end = (start + CONTEXT * 2).min(original.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for (from, to) in ranges.into_iter().filter(|(from, _)| *from >= start && *from < end) {
        out.push_str(&escape(&original[at..from].iter().collect::<String>()));
        let to = to.min(end);
        out.push_str("<mark>");
        out.push_str(&escape(&original[from..to].iter().collect::<String>()));
        out.push_str("</mark>");
        at = to;
    }
    out.push_str(&escape(&original[at.min(end)..end].iter().collect::<String>()));
    if end < original.len() {
        out.push('…');
    }
    out
}
