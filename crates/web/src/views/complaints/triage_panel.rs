//! What triage read in a complaint, shown to staff beside the intake form
//! (updated while the agent types) and on the complaint page: each label
//! with its confidence and the words or rules that led to it, and the
//! response script (话术) — feelings first, then the facts.
//!
//! `POST /complaints/new/triage` answers the panel as an HTML fragment for
//! the intake form's script; without script the form's "analyse" button
//! re-renders the whole page with the same panel.

use super::intake::check_role as intake_role;
use crate::AppState;
use crate::views::i18n::{Locale, text};
use crate::views::render::{PageError, render, val};
use crate::views::session::StaffPage;
use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tousu_domain::triage::{Suggested, TriageResult};

/// One line of the panel.
#[derive(Debug, Serialize)]
pub struct Line {
    pub field: &'static str,
    pub label: String,
    pub value: String,
    /// Confidence in whole percent.
    pub confidence: u8,
    /// Sure enough to have been applied (or set by a person).
    pub trusted: bool,
    /// A red flag: an emergency, a crisis, money asked for.
    pub alarm: bool,
    /// The words of the text that led to it (「电梯」, 「被困」 …).
    pub words: Vec<String>,
    /// The rules that decided it, as the engine names them.
    pub rules: Vec<String>,
    /// The person who corrected it, if anyone did.
    pub corrected_by: Option<String>,
}

/// The panel as templates see it.
#[derive(Debug, Serialize)]
pub struct Panel {
    pub lines: Vec<Line>,
    pub feelings: String,
    pub facts: String,
    pub avoid: String,
}

fn line<T>(locale: Locale, field: &'static str, s: &Suggested<T>, value: String, alarm: bool) -> Line {
    Line {
        field,
        label: text(locale, &format!("complaint.triage_field.{field}")),
        value,
        confidence: (s.confidence.clamp(0.0, 1.0) * 100.0).round() as u8,
        trusted: s.trusted(),
        alarm,
        words: words(&s.evidence),
        rules: s.evidence.iter().filter_map(|e| e.strip_prefix("rule:")).map(|r| r.trim().to_string()).collect(),
        corrected_by: s.corrected_by.as_ref().map(|p| p.name.clone()),
    }
}

/// The quoted words of the evidence (`「被困」→ev.trapped+3`, `pattern「第三次」`),
/// each once, in order: what a person checks against the text.
fn words(evidence: &[String]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for e in evidence {
        let mut rest = e.as_str();
        while let Some(start) = rest.find('「') {
            let after = &rest[start + '「'.len_utf8()..];
            let Some(end) = after.find('」') else { break };
            let word = after[..end].trim();
            if !word.is_empty() && !found.iter().any(|w| w == word) {
                found.push(word.to_string());
            }
            rest = &after[end + '」'.len_utf8()..];
        }
    }
    found
}

/// A label from the `[triage.<group>]` catalogue section, the code itself
/// for a value the catalogue does not know yet.
fn named(locale: Locale, group: &str, code: &str) -> String {
    let key = format!("triage.{group}.{code}");
    let s = text(locale, &key);
    if s == key { code.to_string() } else { s }
}

fn yes_no(locale: Locale, b: bool) -> String {
    text(locale, if b { "triage.yes" } else { "triage.no" })
}

impl Panel {
    pub fn of(locale: Locale, t: &TriageResult) -> Panel {
        let none = || text(locale, "triage.none");
        let mut lines = vec![
            line(locale, "emergency", &t.emergency, yes_no(locale, t.emergency.value), t.emergency.value),
            line(
                locale,
                "category",
                &t.category,
                super::label(locale, "category", t.category.value.as_str()),
                false,
            ),
            line(
                locale,
                "severity",
                &t.severity,
                super::label(locale, "severity", t.severity.value.as_str()),
                t.severity.value != tousu_domain::Severity::General,
            ),
            line(locale, "psychology", &t.psychology, named(locale, "psychology", &t.psychology.value), false),
            line(
                locale,
                "service_aspect",
                &t.service_aspect,
                t.service_aspect.value.as_deref().map_or_else(none, |a| named(locale, "aspect", a)),
                false,
            ),
            line(locale, "touchpoint", &t.touchpoint, named(locale, "touchpoint", &t.touchpoint.value), false),
            line(locale, "stage", &t.stage, named(locale, "stage", &t.stage.value), false),
            line(locale, "repeat_claimed", &t.repeat_claimed, yes_no(locale, t.repeat_claimed.value), false),
            line(locale, "compensation", &t.compensation, yes_no(locale, t.compensation.value), t.compensation.value),
        ];
        let place = |s: &Suggested<Option<String>>| s.value.clone().filter(|v| !v.is_empty());
        if let Some(b) = place(&t.building) {
            lines.push(line(locale, "building", &t.building, b, false));
        }
        if let Some(u) = place(&t.unit) {
            lines.push(line(locale, "unit", &t.unit, u, false));
        }
        Panel { lines, feelings: t.script.feelings.clone(), facts: t.script.facts.clone(), avoid: t.script.avoid.clone() }
    }
}

/// The intake form's text, for the live panel.
#[derive(Debug, Deserialize)]
pub struct Draft {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    description: String,
}

/// Text shorter than this says too little to triage.
const MIN_CHARS: usize = 4;

/// The subject and description as one text, if there is enough of it.
pub fn text_of(subject: &str, description: &str) -> Option<String> {
    let text = format!("{}\n{}", subject.trim(), description.trim());
    let text = text.trim().to_string();
    (text.chars().count() >= MIN_CHARS).then_some(text)
}

/// The panel for a draft, `None` for too little text.
pub fn for_draft(s: &AppState, locale: Locale, subject: &str, description: &str) -> Option<Panel> {
    let text = text_of(subject, description)?;
    // Longer than a description may be: the intake will refuse it anyway.
    let text: String = text.chars().take(tousu_domain::text::MAX_DESCRIPTION_CHARS).collect();
    Some(Panel::of(locale, &s.services.assess(&text)))
}

pub async fn live(State(s): State<AppState>, page: StaffPage, Form(draft): Form<Draft>) -> Result<Response, PageError> {
    page.check_csrf(&draft.csrf)?;
    intake_role(&page)?;
    let panel = for_draft(&s, page.locale, &draft.subject, &draft.description);
    let ctx = minijinja::context! { triage => panel.as_ref().map(val), ..page.base() };
    let html = render("complaints/_triage.html", ctx)?;
    Ok(Html(html).into_response())
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn the_quoted_words_of_the_evidence_are_shown_once_each() {
        let evidence: Vec<String> = ["「电梯」→cat.facilities+1.5", "「被困」→ev.trapped+3", "pattern「第三次」", "「电梯」→x", "rule: a person is trapped"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(words(&evidence), ["电梯", "被困", "第三次"]);
        assert!(words(&["rule: default".to_string(), "「unclosed".to_string()]).is_empty());
    }
}
