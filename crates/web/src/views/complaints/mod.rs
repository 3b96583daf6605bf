//! The staff console's complaint pages, Chinese first, every string from
//! the catalogues (sections `[complaints]` and `[complaint]`):
//!
//! - `GET /complaints`: the list with filters, sorting, cursor paging and
//!   a search box (a tracking number opens the complaint; a phone number
//!   lists that customer's complaints, for the service centre and leaders;
//!   words open the search page, `GET /search`).
//! - `GET /complaints/{id}`: the owner's words, masked personal data with a
//!   reveal button, deadlines with live countdowns, the escalation level,
//!   evidence, the whole history, and one form per action the viewer may
//!   take now. `POST /complaints/{id}/act` performs one;
//!   `POST /complaints/{id}/files` attaches evidence.
//! - `GET /complaints/new`, `POST /complaints/new`: intake for phone,
//!   front-desk, letter and fax complaints, with the caller looked up by
//!   phone or unit first.
//!
//! Every form carries the session's CSRF token; a refusal of the services
//! comes back on the same page in the visitor's language, the field named.

mod forms;
mod intake;
mod list;
mod page;
mod timeline;
mod triage_panel;

pub(crate) use list::day_start;

use super::i18n::{Locale, text};
use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Serialize;
use tousu_app::AppError;

/// The upload form may carry a file up to the services' limit (they answer
/// 413 past it); the router's 1 MB default does not apply to it.
const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list::show))
        .route("/complaints/new", get(intake::form).post(intake::submit))
        .route("/complaints/new/triage", post(triage_panel::live))
        .route("/complaints/{id}", get(page::show))
        .route("/complaints/{id}/act", post(page::act))
        .route("/complaints/{id}/files", post(page::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
}

/// A catalogue text with `{name}` placeholders filled in.
pub(crate) fn msg(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let mut s = text(locale, key);
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// The label of a code in a catalogue group (`complaint.category.fees`);
/// the code itself when the catalogue has none (a value added later).
pub(crate) fn label(locale: Locale, group: &str, code: &str) -> String {
    let key = format!("complaint.{group}.{code}");
    let s = text(locale, &key);
    if s == key { code.to_string() } else { s }
}

/// A code with its label, for selects and filters.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Choice {
    pub code: String,
    pub label: String,
}

pub(crate) fn choices<'a>(locale: Locale, group: &str, codes: impl IntoIterator<Item = &'a str>) -> Vec<Choice> {
    codes.into_iter().map(|c| Choice { code: c.to_string(), label: label(locale, group, c) }).collect()
}

/// The choices of the complaint filters (`partials/complaint_filters.html`),
/// shared by the complaint list and the search page.
pub(crate) struct FilterChoices {
    pub statuses: Vec<Choice>,
    pub projects: Vec<Choice>,
    pub departments: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub severities: Vec<Choice>,
}

impl FilterChoices {
    /// `open` (every status not closed) first, then each status; the
    /// company's projects and departments; the catalogue's categories and
    /// severities.
    pub fn of(org: &tousu_app::org::OrgIndex, locale: Locale) -> FilterChoices {
        use tousu_domain::Status;
        use tousu_domain::classification::{Category, Severity};
        let mut statuses = vec![Choice { code: "open".into(), label: text(locale, "complaints.status_open") }];
        statuses.extend(Status::ALL.iter().map(|st| Choice {
            code: st.as_str().to_string(),
            label: text(locale, &format!("status.{}", st.as_str())),
        }));
        FilterChoices {
            statuses,
            projects: org.snapshot.projects.iter().map(|p| Choice { code: p.code.clone(), label: p.name.clone() }).collect(),
            departments: org
                .snapshot
                .departments
                .iter()
                .map(|d| Choice { code: d.code.clone(), label: d.name.clone() })
                .collect(),
            categories: choices(locale, "category", Category::ALL.iter().map(|c| c.as_str())),
            severities: choices(locale, "severity", Severity::ALL.iter().map(|c| c.as_str())),
        }
    }
}

/// Why the services refused, as the page shows it: the status, the message
/// in the visitor's language, and the field at fault.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Refusal {
    #[serde(skip)]
    pub status: StatusCode,
    pub message: String,
    pub field: Option<String>,
}

/// Messages the services write in Simplified Chinese, in Traditional
/// characters for zh-TW readers.
pub(crate) fn in_locale(locale: Locale, zh: &str, en: &str) -> String {
    match locale {
        Locale::En => en.to_string(),
        Locale::ZhTw => hanconv::s2twp(zh),
        Locale::ZhCn => zh.to_string(),
    }
}

/// Maps a service error to a refusal shown on the page; `Err` for what is
/// not a refusal (not logged in, not found, an internal error), which the
/// error page shows.
pub(crate) fn refusal(e: AppError, locale: Locale) -> Result<Refusal, super::render::PageError> {
    use super::render::PageError;
    let api = crate::error::ApiError::from(e);
    match api.status {
        StatusCode::UNAUTHORIZED => Err(PageError::Login { next: "/".into() }),
        StatusCode::NOT_FOUND => Err(PageError::NotFound { locale }),
        StatusCode::INTERNAL_SERVER_ERROR => Err(PageError::Internal { locale }),
        status => {
            // The English message of a bad field already starts with the field.
            let en = match &api.field {
                Some(field) => api.en.strip_prefix(&format!("{field}: ")).unwrap_or(&api.en).to_string(),
                None => api.en.clone(),
            };
            let mut message = in_locale(locale, &api.zh, &en);
            if let Some(field) = &api.field {
                let name = field_label(locale, field);
                message = msg(locale, "complaint.refused_field", &[("field", name), ("message", message)]);
            }
            Ok(Refusal { status, message, field: api.field })
        }
    }
}

/// The label of a form field (`customer.phone` → 电话).
pub(crate) fn field_label(locale: Locale, field: &str) -> String {
    label(locale, "field", &field.replace('.', "_"))
}

/// The China time of an instant, as pages show it.
pub(crate) fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M").to_string()
}

/// Time left (or past, negative) as the countdown script writes it: `1d 3h 05m`.
pub(crate) fn countdown_text(ms: i64) -> String {
    let neg = ms < 0;
    let s = ms.unsigned_abs() / 1000;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    let day = if d > 0 { format!("{d}d ") } else { String::new() };
    format!("{}{day}{h}h {m:02}m", if neg { "-" } else { "" })
}

/// A live countdown: the time left and its colour, as the script keeps it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Countdown {
    pub due_at: chrono::DateTime<chrono::Utc>,
    pub at_risk_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `on-time`, `at-risk` or `breached`.
    pub class: &'static str,
    pub text: String,
}

impl Countdown {
    pub fn of(d: &tousu_domain::Deadline, now: chrono::DateTime<chrono::Utc>) -> Countdown {
        let class = if now >= d.due_at || d.breached_at.is_some() {
            "breached"
        } else if d.at_risk || d.at_risk_at.is_some_and(|t| now >= t) {
            "at-risk"
        } else {
            "on-time"
        };
        Countdown {
            due_at: d.due_at,
            at_risk_at: d.at_risk_at,
            class,
            text: countdown_text((d.due_at - now).num_milliseconds()),
        }
    }
}

/// A complaint as a row of a list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub id: i64,
    pub tracking_no: String,
    pub status: &'static str,
    pub status_label: String,
    pub project: String,
    pub building: String,
    pub unit: String,
    pub summary: String,
    pub customer: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub department: Option<String>,
    pub severity: Option<String>,
    pub category: Option<String>,
    pub emergency: bool,
    pub escalation_level: &'static str,
    pub escalation: String,
    pub repeat_count: u32,
    /// The open deadline due first (not paused).
    pub next_deadline: Option<(String, Countdown)>,
}

impl Row {
    pub fn of(c: &tousu_app::views::ComplaintView, locale: Locale, now: chrono::DateTime<chrono::Utc>) -> Row {
        let summary = c.subject.clone().filter(|s| !s.trim().is_empty()).unwrap_or_else(|| {
            let mut s: String = c.description.chars().take(24).collect();
            if c.description.chars().count() > 24 {
                s.push('…');
            }
            s
        });
        let next_deadline = c
            .deadlines
            .iter()
            .filter(|d| d.state == tousu_domain::DeadlineState::Open && d.paused_at.is_none())
            .min_by_key(|d| d.due_at)
            .map(|d| (label(locale, "deadline", d.rule.as_str()), Countdown::of(d, now)));
        Row {
            id: c.id,
            tracking_no: c.tracking_no.clone(),
            status: c.status.as_str(),
            status_label: text(locale, &format!("status.{}", c.status.as_str())),
            project: c.project.name.clone(),
            building: c.building.clone(),
            unit: c.unit.clone(),
            summary,
            customer: c.customer.name.clone(),
            received_at: c.received_at,
            department: c.department.as_ref().map(|d| d.name.clone()),
            severity: c.severity.map(|s| label(locale, "severity", s.as_str())),
            category: c.category.map(|x| label(locale, "category", x.as_str())),
            emergency: c.emergency,
            escalation_level: c.escalation_level.as_str(),
            escalation: label(locale, "escalation", c.escalation_level.as_str()),
            repeat_count: c.repeat.as_ref().map_or(0, |r| r.count),
            next_deadline,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_countdown_reads_like_the_script() {
        assert_eq!(countdown_text(0), "0h 00m");
        assert_eq!(countdown_text((26 * 3600 + 5 * 60) * 1000), "1d 2h 05m");
        assert_eq!(countdown_text(-(90 * 60 * 1000)), "-1h 30m");
    }
}
