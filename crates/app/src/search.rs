//! 搜索 — complaints found by what staff remember of them (issue 8): the
//! embedded index (`search-index/` in the data folder, [`tousu_search`])
//! follows the complaint history by its event ids: every change is read
//! back and the complaint's document replaced, and the index commits the
//! id it is current to with its documents, so after a crash or a restart
//! it carries on from there. It can always be rebuilt from the history.

use crate::complaints::{non_empty, parse_time};
use crate::views::ComplaintView;
use crate::{AppError, AppResult, Principal, Services};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, RwLock};
use tousu_domain::masking::mask_digits_in_text;
use tousu_domain::{Complaint, DomainError, Event};
use tousu_search::{Filters, ParsedQuery, SearchDoc, SearchError, SearchIndex, SortBy, Synonyms};
use tousu_store::FeedPosition;

/// Events read per catch-up step.
pub const BATCH: u32 = 2_000;
/// Complaints read at a time by a rebuild.
const REBUILD_BATCH: u32 = 1_000;
/// The largest page and the deepest offset of a search.
pub const MAX_LIMIT: usize = 100;
pub const MAX_OFFSET: usize = 10_000;

/// The index and the synonym list in force.
#[derive(Default)]
pub(crate) struct SearchState {
    index: RwLock<Option<Arc<SearchIndex>>>,
    synonyms: RwLock<Option<Arc<Synonyms>>>,
}

/// What a search asks for (`GET /api/v1/search`).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Words, in any order; "quoted words" as written. At most 200 characters.
    pub q: String,
    /// Project code.
    pub project: Option<String>,
    pub building: Option<String>,
    /// A status, or several separated by commas.
    pub status: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    /// The department (code) it is dispatched to.
    pub department: Option<String>,
    /// Received at or after, before (RFC 3339).
    pub received_from: Option<String>,
    pub received_to: Option<String>,
    /// `relevance` (the default) or `newest`.
    pub sort: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<usize>,
    /// Results to skip (at most 10,000).
    pub offset: Option<usize>,
}

/// One complaint found, as the caller may see it, with the words that matched.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchItem {
    pub complaint: ComplaintView,
    /// A passage of its text, what matched in `<mark>`, the rest HTML-escaped.
    pub snippet: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchPage {
    /// Complaints that match, in all.
    pub total: usize,
    pub items: Vec<SearchItem>,
    /// The `offset` of the next page, when there is one.
    pub next_offset: Option<usize>,
}

fn index_error(e: SearchError) -> AppError {
    match e {
        SearchError::QueryTooLong(n) => DomainError::invalid(
            "q",
            format!("搜索词最多 {} 个字，收到 {n} 个", tousu_search::query::MAX_QUERY_CHARS),
            format!("a search is at most {} characters, got {n}", tousu_search::query::MAX_QUERY_CHARS),
        )
        .into(),
        other => AppError::Internal(other.to_string()),
    }
}

/// The words of an event that staff may search for.
const TEXT_KEYS: [&str; 9] =
    ["note", "explanation", "reason", "resolution", "text", "comment", "report", "root_cause", "lesson"];

fn collect_text(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v {
                    serde_json::Value::String(s) if TEXT_KEYS.contains(&k.as_str()) => {
                        out.push('\n');
                        out.push_str(s);
                    }
                    _ => collect_text(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_text(i, out)),
        _ => {}
    }
}

/// The index's document of a complaint: its words (subject, description,
/// every note, reason, report, resolution and callback comment, long digit
/// runs masked as staff see them) and, apart, its personal data (name,
/// phone, unit, and the long numbers of its words unmasked) for those who
/// may see it.
pub fn search_doc(c: &Complaint, events: &[Event]) -> SearchDoc {
    let mut words = String::new();
    if let Some(s) = &c.subject {
        words.push_str(s);
        words.push('\n');
    }
    words.push_str(&c.description);
    for e in events {
        if let Ok(v) = serde_json::to_value(&e.kind) {
            collect_text(&v, &mut words);
        }
    }
    let numbers = long_numbers(&words).join(" ");
    let personal = format!("{} {} {}{} {numbers}", c.customer.name, c.customer.phone.as_str(), c.building, c.unit);
    SearchDoc {
        id: c.id as u64,
        company: c.company_id as u64,
        project: c.project.code.clone(),
        building: c.building.clone(),
        status: c.status.as_str().to_string(),
        category: c.category.map(|x| x.as_str().to_string()).unwrap_or_default(),
        severity: c.severity.map(|x| x.as_str().to_string()).unwrap_or_default(),
        department: c.department.as_ref().map(|d| d.code.clone()).unwrap_or_default(),
        received_ms: c.received_at.timestamp_millis(),
        text: mask_digits_in_text(&words),
        personal,
    }
}

/// The runs of 7 digits or more (phones, ID numbers) written in the words,
/// which the words staff may search have masked.
fn long_numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain([' ']) {
        match c {
            '0'..='9' => run.push(c),
            '０'..='９' => run.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)),
            // 138 1234 5678, 138-1234-5678: one number.
            ' ' | '-' if !run.is_empty() => {}
            _ => {
                if run.len() >= 7 {
                    out.push(std::mem::take(&mut run));
                }
                run.clear();
            }
        }
    }
    if run.len() >= 7 {
        out.push(run);
    }
    out
}

impl Services {
    /// Opens (or creates) the index in `dir` with the built-in synonyms.
    pub fn with_search_index(self, dir: &Path) -> AppResult<Services> {
        let index = SearchIndex::open(dir).map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?;
        if let Ok(mut i) = self.search.index.write() {
            *i = Some(Arc::new(index));
        }
        if let Ok(mut s) = self.search.synonyms.write() {
            *s = Some(Arc::new(Synonyms::builtin()));
        }
        Ok(self)
    }

    /// Lets go of the index (its writer's lock) when the server stops, so
    /// that another server or `tousu search reindex` may open it.
    pub fn close_search_index(&self) {
        if let Ok(mut i) = self.search.index.write() {
            *i = None;
        }
    }

    fn search_index(&self) -> AppResult<Arc<SearchIndex>> {
        let index = self.search.index.read().map(|i| i.clone()).unwrap_or_else(|e| e.into_inner().clone());
        index.ok_or_else(|| AppError::Internal("the search index is not open".into()))
    }

    fn synonyms(&self) -> Arc<Synonyms> {
        let s = self.search.synonyms.read().map(|s| s.clone()).unwrap_or_else(|e| e.into_inner().clone());
        s.unwrap_or_else(|| Arc::new(Synonyms::builtin()))
    }

    /// Puts a synonym list in force: the next query uses it (see `search_synonyms`).
    pub(crate) fn set_synonyms(&self, synonyms: Synonyms) {
        let synonyms = Some(Arc::new(synonyms));
        match self.search.synonyms.write() {
            Ok(mut s) => *s = synonyms,
            Err(e) => *e.into_inner() = synonyms,
        }
    }

    /// Whether an index is open (the server opens one; some tools do not).
    pub fn has_search_index(&self) -> bool {
        self.search_index().is_ok()
    }

    /// One step of catching up with the history: the complaints changed
    /// after the index's cursor, read back and replaced, committed with the
    /// new cursor. Answers how many events it covered (0: current).
    pub async fn index_changes(&self, limit: u32) -> AppResult<usize> {
        let index = self.search_index()?;
        let cursor = FeedPosition::decode(&index.cursor().map_err(index_error)?);
        let changes = self.store.list_changes_after(cursor, limit).await?;
        let Some(last) = changes.last().map(|c| c.at) else { return Ok(0) };
        let mut ids: Vec<i64> = changes.iter().map(|c| c.complaint_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut docs = Vec::with_capacity(ids.len());
        for id in ids {
            let c = self.store.find_complaint_by_id(id).await?;
            let events = self.store.list_events(id).await?;
            docs.push(search_doc(&c, &events));
        }
        let n = changes.len();
        on_index(move || {
            for d in &docs {
                index.upsert(d)?;
            }
            index.commit_at(&last.encode())
        })
        .await?;
        Ok(n)
    }

    /// Forgets the index and rebuilds it from the whole history: every
    /// complaint read with its history, page by page, then the feed
    /// followed from where it ended when the rebuild began (what changed
    /// meanwhile is read again). `progress` is told how many complaints
    /// of how many are done; answers how many were indexed.
    pub async fn reindex(&self, progress: impl Fn(u64, u64)) -> AppResult<u64> {
        let index = self.search_index()?;
        index.clear().map_err(index_error)?;
        let head = self.store.feed_head().await?;
        let (mut after, mut done) = (0i64, 0u64);
        loop {
            let page = self.store.list_complaints_with_history(after, REBUILD_BATCH).await?;
            let Some(last) = page.last().map(|(c, _)| c.id) else { break };
            let docs: Vec<SearchDoc> = page.iter().map(|(c, events)| search_doc(c, events)).collect();
            let writer = index.clone();
            on_index(move || docs.iter().try_for_each(|d| writer.insert_new(d))).await?;
            (after, done) = (last, done + page.len() as u64);
            progress(done, head.complaints.max(done));
        }
        let cursor = head.at.encode();
        let writer = index.clone();
        on_index(move || {
            writer.commit_at(&cursor)?;
            writer.merge_all().map(|_| ())
        })
        .await?;
        while self.index_changes(BATCH).await? > 0 {}
        Ok(done)
    }

    /// Searches the caller's company's complaints. Personal data (names,
    /// phones, units) is searched only for roles that may see it.
    pub async fn search(&self, who: &Principal, req: SearchRequest) -> AppResult<SearchPage> {
        let parsed = ParsedQuery::parse(&req.q).map_err(index_error)?;
        let limit = req.limit.unwrap_or(20);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(DomainError::invalid("limit", "每页 1 到 100 条", "limit is 1 to 100").into());
        }
        let offset = req.offset.unwrap_or(0);
        if offset > MAX_OFFSET {
            return Err(DomainError::invalid("offset", "最多跳过 10000 条", "offset is at most 10,000").into());
        }
        let sort = match req.sort.as_deref() {
            None | Some("relevance") => SortBy::Relevance,
            Some("newest") => SortBy::Newest,
            Some(_) => {
                return Err(DomainError::invalid(
                    "sort",
                    "排序应为 relevance 或 newest",
                    "sort is relevance or newest",
                )
                .into());
            }
        };
        let filters = Filters {
            company: who.company_id as u64,
            project: non_empty(req.project),
            building: non_empty(req.building),
            status: req
                .status
                .as_deref()
                .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
                .unwrap_or_default(),
            category: non_empty(req.category),
            severity: non_empty(req.severity),
            department: non_empty(req.department),
            received_from: non_empty(req.received_from)
                .map(|t| parse_time("received_from", &t))
                .transpose()?
                .map(|t| t.timestamp_millis()),
            received_to: non_empty(req.received_to)
                .map(|t| parse_time("received_to", &t))
                .transpose()?
                .map(|t| t.timestamp_millis()),
        };
        let personal = who.role.may_reveal_personal_data();
        let index = self.search_index()?;
        let synonyms = self.synonyms();
        let hits = on_index(move || index.search(&parsed, &filters, &synonyms, personal, sort, offset, limit)).await?;
        let actor = who.actor();
        let mut items = Vec::with_capacity(hits.hits.len());
        for h in hits.hits {
            match self.store.find_complaint(who.company_id, h.id as i64).await {
                Ok(c) => items.push(SearchItem {
                    complaint: ComplaintView::of(&c, Some(&actor)),
                    snippet: h.snippet,
                    score: h.score,
                }),
                // Found in the index but not (any more) the caller's: left out.
                Err(tousu_store::StoreError::NotFound(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let next_offset = (offset + limit < hits.total).then_some(offset + limit);
        Ok(SearchPage { total: hits.total, items, next_offset })
    }
}

/// Runs `work` on the index off the async threads (tantivy blocks).
async fn on_index<T: Send + 'static>(work: impl FnOnce() -> Result<T, SearchError> + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(format!("the search index task stopped: {e}")))?
        .map_err(index_error)
}
