//! `GET /search`: the console's search page (搜索, issue 8), reached from
//! the box in every staff page's navigation. It asks the same service as
//! `GET /api/v1/search`, so each complaint is shown as the caller's role
//! may see it (masked as everywhere), with the passage that matched.
//! Filters and the order are fields of the same form; pages go by offset.

use super::complaints::{Choice, FilterChoices, Row, day_start, field_label, msg, refusal};
use super::i18n::{Locale, text};
use super::render::{PageError, render, urlencode, val};
use super::session::StaffPage;
use crate::AppState;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tousu_app::search::SearchRequest;
use tousu_domain::Status;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(show))
}

/// Results per page.
const PAGE_SIZE: usize = 20;

/// The page's query string: the words, the filters, the order and the page.
/// Every field is text, so a mistyped one comes back as a message on the
/// page rather than as an error page.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    project: String,
    /// A status, or `open` for every one not closed.
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    department: String,
    /// Received on or after, on or before this day (China time), `YYYY-MM-DD`.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `relevance` (the default) or `newest`.
    #[serde(default)]
    sort: String,
    #[serde(default)]
    offset: String,
}

impl SearchQuery {
    /// The page at `offset` of the same search, as a link.
    fn page_href(&self, offset: usize) -> String {
        let mut parts: Vec<String> = [
            ("q", &self.q),
            ("project", &self.project),
            ("status", &self.status),
            ("category", &self.category),
            ("severity", &self.severity),
            ("department", &self.department),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v.trim())))
        .collect();
        if offset > 0 {
            parts.push(format!("offset={offset}"));
        }
        format!("/search?{}", parts.join("&"))
    }

    fn offset(&self) -> usize {
        self.offset.trim().parse().unwrap_or(0)
    }

    /// `open` is every status not closed; the engine takes a list.
    fn statuses(&self) -> Option<String> {
        match self.status.trim() {
            "" => None,
            "open" => {
                Some(Status::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect::<Vec<_>>().join(","))
            }
            other => Some(other.to_string()),
        }
    }
}

/// One complaint found: its row (masked as the caller may see it) and the
/// passage that matched, already HTML (`<mark>` around what matched, the
/// rest escaped by the engine), the one value the template shows unescaped.
#[derive(Debug, Clone, Serialize)]
struct Hit {
    row: Row,
    snippet: String,
}

/// What the page says instead of (or above) results.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    /// No words yet: a prompt.
    Prompt,
    /// Only punctuation: nothing to look for.
    NoWords,
    /// Searched and found nothing.
    NoResults,
    Found,
    /// Refused (a field at fault) or search is off on this server.
    Failed,
}

fn opt(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|v| !v.is_empty())
}

/// The refusal of a date field as the page shows it.
fn bad_date(locale: Locale, field: &str) -> String {
    msg(
        locale,
        "complaint.refused_field",
        &[("field", field_label(locale, field)), ("message", text(locale, "complaint.error.bad_date"))],
    )
}

pub async fn show(
    State(s): State<AppState>,
    page: StaffPage,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let locale = page.locale;
    let q = query.map(|q| q.0).unwrap_or_default();
    let words = q.q.trim().to_string();
    let offset = q.offset();
    let mut status = StatusCode::OK;
    let mut error: Option<String> = None;
    let mut hits: Vec<Hit> = Vec::new();
    let mut total = 0usize;
    let (mut next_href, mut prev_href) = (None, None);

    let outcome = if words.is_empty() {
        Outcome::Prompt
    } else if !s.services.has_search_index() {
        status = StatusCode::SERVICE_UNAVAILABLE;
        error = Some(text(locale, "search.off"));
        Outcome::Failed
    } else {
        let dates = day_start("from", &q.from, false).and_then(|f| day_start("to", &q.to, true).map(|t| (f, t)));
        match dates {
            Err(field) => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                error = Some(bad_date(locale, field));
                Outcome::Failed
            }
            Ok((received_from, received_to)) => {
                let req = SearchRequest {
                    q: words.clone(),
                    project: opt(&q.project),
                    building: None,
                    status: q.statuses(),
                    category: opt(&q.category),
                    severity: opt(&q.severity),
                    department: opt(&q.department),
                    received_from,
                    received_to,
                    sort: opt(&q.sort),
                    limit: Some(PAGE_SIZE),
                    offset: Some(offset),
                };
                match s.services.search(&page.who, req).await {
                    Ok(found) => {
                        let now = s.services.now();
                        total = found.total;
                        hits = found
                            .items
                            .into_iter()
                            .map(|i| Hit { row: Row::of(&i.complaint, locale, now), snippet: i.snippet })
                            .collect();
                        next_href = found.next_offset.map(|o| q.page_href(o));
                        prev_href = (offset > 0).then(|| q.page_href(offset.saturating_sub(PAGE_SIZE)));
                        if total > 0 {
                            Outcome::Found
                        } else if words.chars().any(char::is_alphanumeric) {
                            Outcome::NoResults
                        } else {
                            Outcome::NoWords
                        }
                    }
                    Err(e) => {
                        let r = refusal(e, locale)?;
                        status = r.status;
                        error = Some(r.message);
                        Outcome::Failed
                    }
                }
            }
        }
    };

    let org = s.services.org(page.who.company_id).await.map_err(|e| PageError::from_app(e, locale))?;
    let filter_choices = FilterChoices::of(&org, locale);
    let shown = (offset + 1, offset + hits.len());
    let ctx = minijinja::context! {
        q => val(&q),
        search_q => &words,
        outcome => val(&outcome),
        hits => val(&hits),
        total_text => msg(locale, "search.total", &[("n", total.to_string())]),
        range_text => msg(locale, "search.range", &[("from", shown.0.to_string()), ("to", shown.1.to_string())]),
        error => error,
        statuses => val(&filter_choices.statuses),
        projects => val(&filter_choices.projects),
        departments => val(&filter_choices.departments),
        categories => val(&filter_choices.categories),
        severities => val(&filter_choices.severities),
        sorts => val(&vec![
            Choice { code: "relevance".into(), label: text(locale, "search.sort_relevance") },
            Choice { code: "newest".into(), label: text(locale, "complaints.sort_newest") },
        ]),
        next_href => next_href,
        prev_href => prev_href,
        ..page.base()
    };
    let html = render("search.html", ctx)?;
    Ok((status, html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_words_and_filters_and_the_first_page_has_no_offset() {
        let q =
            SearchQuery {
                q: "电梯 维修".into(), project: "JYHY".into(), offset: "40".into(), ..Default::default()
            };
        assert_eq!(q.page_href(60), "/search?q=%E7%94%B5%E6%A2%AF%20%E7%BB%B4%E4%BF%AE&project=JYHY&offset=60");
        assert_eq!(q.page_href(0), "/search?q=%E7%94%B5%E6%A2%AF%20%E7%BB%B4%E4%BF%AE&project=JYHY");
        assert_eq!(q.offset(), 40);
        assert_eq!(SearchQuery { offset: "lots".into(), ..Default::default() }.offset(), 0);
    }

    #[test]
    fn open_is_every_status_not_closed() {
        let q = SearchQuery { status: "open".into(), ..Default::default() };
        let list = q.statuses().unwrap_or_default();
        assert!(list.contains("received") && list.contains("in_progress"), "{list}");
        assert!(!list.split(',').any(|s| s == "closed" || s == "closed_invalid"), "{list}");
        assert_eq!(SearchQuery::default().statuses(), None);
    }
}
