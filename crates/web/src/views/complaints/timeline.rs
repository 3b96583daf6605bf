//! The history of a complaint in words: each event's type, who did it
//! (name and role), when, and the fields that matter (notes, reasons, the
//! resolution, the department, scores …), each value in the page's language.

use super::{label, local_time};
use crate::views::i18n::{Locale, text};
use serde::Serialize;
use serde_json::Value;
use tousu_app::views::{ActorView, HistoryItem};

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub seq: u32,
    pub kind: &'static str,
    pub title: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub details: Vec<Detail>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub label: String,
    pub value: String,
}

/// Who did it: `王芳 · 客服`, the owner, or the system.
pub fn actor(a: &ActorView, locale: Locale) -> String {
    match a.kind {
        "owner" => text(locale, "complaint.actor.owner"),
        "system" => text(locale, "complaint.actor.system"),
        _ => {
            let role = a.role.map(|r| text(locale, &format!("role.{}", r.as_str()))).unwrap_or_default();
            match (&a.name, role.is_empty()) {
                (Some(name), false) => format!("{name} · {role}"),
                (Some(name), true) => name.clone(),
                (None, _) => role,
            }
        }
    }
}

pub fn entries(history: &[HistoryItem], locale: Locale) -> Vec<Entry> {
    history.iter().map(|h| entry(h, locale)).collect()
}

fn entry(h: &HistoryItem, locale: Locale) -> Entry {
    Entry {
        seq: h.seq,
        kind: h.kind,
        title: label(locale, "event", h.kind),
        at: h.at,
        actor: actor(&h.actor, locale),
        details: details(h.kind, &h.payload, locale),
    }
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The name of a department or staff reference (`{"code", "name"}`).
fn name_of(v: &Value) -> Option<String> {
    v.get("name").and_then(str_of).or_else(|| str_of(v))
}

fn time_of(v: &Value) -> Option<String> {
    v.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|t| local_time(t.to_utc()))
}

fn codes(v: &Value, locale: Locale, group: &str) -> Option<String> {
    let items: Vec<String> = v.as_array()?.iter().filter_map(Value::as_str).map(|c| label(locale, group, c)).collect();
    (!items.is_empty()).then(|| items.join(sep(locale)))
}

fn sep(locale: Locale) -> &'static str {
    if locale == Locale::En { ", " } else { "、" }
}

/// The fields worth reading, in order: (payload key, how to show it).
fn details(kind: &str, p: &Value, locale: Locale) -> Vec<Detail> {
    let mut out = Vec::new();
    let mut push = |field: &str, value: Option<String>| {
        if let Some(value) = value {
            out.push(Detail { label: label(locale, "field", field), value });
        }
    };
    let get = |k: &str| p.get(k).unwrap_or(&Value::Null);
    match kind {
        "received" => {
            push("channel", get("channel").as_str().map(|c| label(locale, "channel", c)));
            push("subject", str_of(get("subject")));
            push("category", get("category").as_str().map(|c| label(locale, "category", c)));
            push("service", str_of(get("service")));
            push("remedy_sought", str_of(get("remedy_sought")));
            push("remedies", codes(get("remedies"), locale, "remedy"));
            push("first_responder", name_of(get("first_responder")));
            if get("emergency").as_bool() == Some(true) {
                push("emergency", Some(text(locale, "complaint.yes")));
            }
            if let Some(r) = get("repeat").as_object() {
                let no = r.get("tracking_no").and_then(str_of).unwrap_or_default();
                let count = r.get("count").and_then(Value::as_u64).unwrap_or(0);
                push("repeat", Some(super::msg(locale, "complaint.repeat_of", &[("n", count.to_string()), ("no", no)])));
            }
        }
        "assessed" => {
            push("severity", get("severity").as_str().map(|c| label(locale, "severity", c)));
            push("category", get("category").as_str().map(|c| label(locale, "category", c)));
        }
        "investigated" => {
            push("department", name_of(get("department")));
            push("post", str_of(get("post")));
            push("person", str_of(get("person")));
            push("root_cause", str_of(get("root_cause")));
            push("report", str_of(get("report")));
            let files: Vec<String> =
                get("evidence").as_array().into_iter().flatten().filter_map(Value::as_i64).map(|id| format!("#{id}")).collect();
            push("evidence", (!files.is_empty()).then(|| files.join(sep(locale))));
        }
        "dispatched" => {
            push("department", name_of(get("department")));
            push("handler", name_of(get("handler")));
            let others: Vec<String> = get("cooperating").as_array().into_iter().flatten().filter_map(name_of).collect();
            push("cooperating", (!others.is_empty()).then(|| others.join(sep(locale))));
        }
        "returned" => push("department", name_of(get("department"))),
        "delay_reported" => push("new_time", time_of(get("new_time"))),
        "resolved" => push("finished_at", time_of(get("finished_at"))),
        "callback_recorded" => {
            push("perceived", str_of(get("perceived")));
            push("expected", str_of(get("expected")));
            push("index", get("index").as_f64().map(|i| format!("{i:.2}")));
            push("method", get("method").as_str().map(|c| label(locale, "method", c)));
            if get("rehandle").as_bool() == Some(true) {
                push("rehandle", Some(text(locale, "complaint.yes")));
            }
        }
        "evidence_attached" => {
            push("file", str_of(get("name")));
            push("size", get("size").as_u64().map(|b| format!("{:.1} KB", b as f64 / 1024.0)));
        }
        "personal_data_revealed" => push("fields", codes(get("fields"), locale, "personal")),
        "deadline_at_risk" => push("rules", codes(get("rules"), locale, "deadline")),
        "deadline_breached" | "escalated" => {
            if kind == "deadline_breached" {
                push("rules", codes(get("rules"), locale, "deadline"));
            }
            let from = get("from").as_str().map(|c| label(locale, "escalation", c));
            let to = get("to").as_str().map(|c| label(locale, "escalation", c));
            push("level", match (from, to) {
                (Some(f), Some(t)) => Some(format!("{f} → {t}")),
                (f, t) => f.or(t),
            });
        }
        "extension_requested" => push("new_time", time_of(get("due_at"))),
        "extension_decided" => {
            let key = if get("approved").as_bool() == Some(true) { "complaint.approved" } else { "complaint.refused" };
            push("decision", Some(text(locale, key)));
            push("new_time", time_of(get("due_at")));
        }
        "report_recorded" => push("report", get("report").as_str().map(|c| label(locale, "report", c))),
        "group_linked" => {
            push("households", str_of(get("households")));
            push("severity", get("severity").as_str().map(|c| label(locale, "severity", c)));
            push("cause", str_of(get("cause")));
        }
        "defect_recorded" => {
            let d = get("defect");
            push("component", d.get("component").and_then(|v| v.as_str()).map(str::to_string));
            push("phase", d.get("phase").and_then(|v| v.as_str()).map(|p| label(locale, "phase", p)));
            push("cost", d.get("cost_fen").and_then(|v| v.as_i64()).map(|f| format!("{:.2}", f as f64 / 100.0)));
        }
        "triage_corrected" => {
            push("field", get("field").as_str().map(|c| label(locale, "triage_field", c)));
            let from = str_of(get("from")).unwrap_or_else(|| "—".into());
            let to = str_of(get("to")).unwrap_or_else(|| "—".into());
            push("value", Some(format!("{from} → {to}")));
        }
        _ => {}
    }
    // The words people wrote, whatever the event.
    for field in ["explanation", "reason", "resolution", "text", "comment", "note"] {
        push(field, str_of(get(field)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::i18n::CATALOGUES;

    /// Every event type the domain records has a name in every catalogue.
    #[test]
    fn every_event_type_has_a_name() {
        let types = [
            "received", "confirmed", "invalidated", "assessed", "investigated", "dispatched", "accepted",
            "delay_reported", "resolved", "result_accepted", "result_rejected", "closed", "callback_recorded",
            "evidence_attached", "personal_data_revealed", "deadline_at_risk", "deadline_breached", "escalated",
            "extension_requested", "extension_decided", "returned", "urged", "paused", "resumed", "report_recorded",
            "triage_corrected", "group_linked", "defect_recorded",
        ];
        for locale in Locale::ALL {
            for t in types {
                assert!(CATALOGUES[&locale].contains_key(&format!("complaint.event.{t}")), "{}: {t}", locale.code());
            }
        }
    }

    #[test]
    fn a_dispatch_reads_as_department_handler_and_note() {
        let payload = serde_json::json!({
            "department": {"code": "engineering", "name": "工程部"},
            "handler": {"id": 2, "name": "李强"},
            "cooperating": [{"code": "security", "name": "秩序部"}],
            "note": "今天下午上门"
        });
        let d = details("dispatched", &payload, Locale::ZhCn);
        let pairs: Vec<(&str, &str)> = d.iter().map(|d| (d.label.as_str(), d.value.as_str())).collect();
        assert_eq!(pairs.len(), 4, "{pairs:?}");
        assert_eq!(pairs[0].1, "工程部");
        assert_eq!(pairs[1].1, "李强");
        assert_eq!(pairs[2].1, "秩序部");
        assert_eq!(pairs[3].1, "今天下午上门");
        let en = details("escalated", &serde_json::json!({"from": "service_centre", "to": "department_head", "reason": "x"}), Locale::En);
        assert_eq!(en[0].value, format!("{} → {}", label(Locale::En, "escalation", "service_centre"), label(Locale::En, "escalation", "department_head")));
    }
}
