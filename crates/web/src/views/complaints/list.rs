//! `GET /complaints`: the list with filters, sorting, cursor paging and
//! the search box. Every page is one index walk (see the SQLite store's
//! `list_complaints`), whatever the number of complaints.

use super::{Choice, FilterChoices, Row, msg, refusal};
use crate::AppState;
use crate::views::i18n::text;
use crate::views::render::{PageError, render, urlencode, val};
use crate::views::session::StaffPage;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tousu_app::complaints::{ListRequest, may_look_up_customers};
use tousu_domain::{PhoneNumber, TrackingNo};

/// Complaints per page.
const PAGE_SIZE: u32 = 50;

/// The list's query string: the search box, the filters, the order and the page.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    department: String,
    /// Received on or after this day (China time), `YYYY-MM-DD`.
    #[serde(default)]
    from: String,
    /// Received on or before this day (China time), `YYYY-MM-DD`.
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
}

impl ListQuery {
    /// The filters and order as a query string (without the search and the page).
    fn filters(&self) -> String {
        [
            ("status", &self.status),
            ("project", &self.project),
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
        .collect::<Vec<_>>()
        .join("&")
    }

    fn page_href(&self, cursor: &str) -> String {
        let filters = self.filters();
        let sep = if filters.is_empty() { "" } else { "&" };
        format!("/complaints?{filters}{sep}cursor={}", urlencode(cursor))
    }
}

/// A day typed in a date field, as the instant it starts in China.
pub(crate) fn day_start(field: &str, v: &str, next: bool) -> Result<Option<String>, &'static str> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| if field == "from" { "received_from" } else { "received_to" })?;
    let day = if next { day.succ_opt().unwrap_or(day) } else { day };
    Ok(Some(format!("{}T00:00:00+08:00", day.format("%Y-%m-%d"))))
}

/// Whether the search looks like a phone number rather than words.
fn looks_like_phone(q: &str) -> bool {
    q.chars().filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c)).count() >= 7 && PhoneNumber::parse("phone", q).is_ok()
}

pub async fn show(
    State(s): State<AppState>,
    page: StaffPage,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let locale = page.locale;
    let q = query.map(|q| q.0).unwrap_or_default();
    let search = q.q.trim().to_string();
    let mut notices: Vec<String> = Vec::new();
    let mut error: Option<String> = None;
    let mut status = StatusCode::OK;
    // The customer a phone number found, instead of the filtered list.
    let mut customer: Option<(String, tousu_app::complaints::CustomerHistory)> = None;

    if !search.is_empty() {
        if TrackingNo::parse(&search).is_ok() {
            match s.services.find_by_tracking_no(&page.who, &search).await {
                Ok(Some(id)) => return Ok(Redirect::to(&format!("/complaints/{id}")).into_response()),
                Ok(None) => notices.push(msg(locale, "complaints.search_no_tracking", &[("no", search.to_uppercase())])),
                Err(e) => error = Some(refusal(e, locale)?.message),
            }
        } else if looks_like_phone(&search) {
            if may_look_up_customers(page.who.role) {
                match s.services.customer_history_by_phone(&page.who, &search).await {
                    Ok(history) => {
                        let masked = PhoneNumber::parse("phone", &search).map(|p| p.masked()).unwrap_or_default();
                        customer = Some((masked, history));
                    }
                    Err(e) => error = Some(refusal(e, locale)?.message),
                }
            } else {
                notices.push(text(locale, "complaints.search_phone_forbidden"));
            }
        } else if s.services.has_search_index() {
            // Words: the search page (issue 8) finds them in every complaint's text.
            return Ok(Redirect::to(&format!("/search?q={}", urlencode(&search))).into_response());
        } else {
            notices.push(text(locale, "complaints.search_text_later"));
        }
    }

    let now = s.services.now();
    let mut rows = Vec::new();
    let (mut next_href, mut prev_href) = (None, None);
    let mut customer_view = None;
    if let Some((phone, history)) = &customer {
        rows = history.items.iter().map(|c| super::Row::of(c, locale, now)).collect();
        customer_view = Some(minijinja::context! {
            heading => msg(locale, "complaints.customer_heading", &[("phone", phone.clone()), ("n", history.items.len().to_string())]),
            repeat => (history.repeat_count > 0).then(|| msg(locale, "complaints.repeat_count", &[("n", history.repeat_count.to_string())])),
            more => history.more.then(|| msg(locale, "complaints.more_results", &[("n", tousu_app::complaints::LOOKUP_LIMIT.to_string())])),
        });
    } else {
        let dates = day_start("from", &q.from, false).and_then(|f| day_start("to", &q.to, true).map(|t| (f, t)));
        match dates {
            Err(field) => {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                error = Some(msg(
                    locale,
                    "complaint.refused_field",
                    &[("field", super::field_label(locale, field)), ("message", text(locale, "complaint.error.bad_date"))],
                ));
            }
            Ok((received_from, received_to)) => {
                let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
                let req = ListRequest {
                    status: opt(&q.status),
                    project: opt(&q.project),
                    category: opt(&q.category),
                    severity: opt(&q.severity),
                    department: opt(&q.department),
                    received_from,
                    received_to,
                    limit: Some(PAGE_SIZE),
                    cursor: opt(&q.cursor),
                    sort: opt(&q.sort),
                };
                match s.services.list_complaints(&page.who, req).await {
                    Ok(p) => {
                        rows = p.items.iter().map(|c| super::Row::of(c, locale, now)).collect::<Vec<Row>>();
                        next_href = p.next_cursor.as_deref().map(|c| q.page_href(c));
                        prev_href = p.prev_cursor.as_deref().map(|c| q.page_href(c));
                    }
                    Err(e) => {
                        let r = refusal(e, locale)?;
                        status = r.status;
                        error = Some(r.message);
                    }
                }
            }
        }
    }

    let org = s.services.org(page.who.company_id).await.map_err(|e| PageError::from_app(e, locale))?;
    let filter_choices = FilterChoices::of(&org, locale);
    let filters = q.filters();
    let ctx = minijinja::context! {
        q => val(&q),
        rows => val(&rows),
        statuses => val(&filter_choices.statuses),
        projects => val(&filter_choices.projects),
        departments => val(&filter_choices.departments),
        categories => val(&filter_choices.categories),
        severities => val(&filter_choices.severities),
        sorts => val(&vec![
            Choice { code: "newest".into(), label: text(locale, "complaints.sort_newest") },
            Choice { code: "oldest".into(), label: text(locale, "complaints.sort_oldest") },
        ]),
        notices => notices,
        error => error,
        customer => customer_view,
        next_href => next_href,
        prev_href => prev_href,
        first_href => (!q.cursor.trim().is_empty()).then(|| format!("/complaints?{filters}")),
        filtered => !filters.is_empty(),
        ..page.base()
    };
    let html = render("complaints/list.html", ctx)?;
    Ok((status, html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_range_is_china_time_and_the_last_day_is_included() {
        assert_eq!(day_start("from", "2026-11-01", false).unwrap().as_deref(), Some("2026-11-01T00:00:00+08:00"));
        assert_eq!(day_start("to", "2026-11-30", true).unwrap().as_deref(), Some("2026-12-01T00:00:00+08:00"));
        assert_eq!(day_start("to", "", true).unwrap(), None);
        assert_eq!(day_start("to", "30/11/2026", true).unwrap_err(), "received_to");
    }

    #[test]
    fn phones_and_words_are_told_apart() {
        assert!(looks_like_phone("138 1234 5678"));
        assert!(looks_like_phone("0755-12345678"));
        assert!(!looks_like_phone("漏水"));
        assert!(!looks_like_phone("1801"));
    }

    #[test]
    fn paging_links_keep_the_filters() {
        let q = ListQuery { status: "open".into(), project: "JYHY".into(), q: "漏水".into(), ..Default::default() };
        assert_eq!(q.page_href("abc"), "/complaints?status=open&project=JYHY&cursor=abc");
    }
}
