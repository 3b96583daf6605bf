//! One form per action: the fields each action takes, how the page shows
//! them, and how a posted form becomes an [`Action`] (times typed in China
//! time, scores 1–10, several departments or files ticked).

use chrono::{NaiveDateTime, TimeZone};
use serde::Serialize;
use serde_json::{Map, Value};
use tousu_domain::Action;

/// A field of an action's form. `kind` tells the template how to show it:
/// `area` (several lines), `text`, `severity`, `category`, `department`,
/// `handler`, `cooperating` (departments to tick), `datetime` (China time),
/// `score` (1–10), `method`, `approve` (approve / refuse buttons),
/// `evidence` (files to tick), `report` (the reports owed), `triage_field`,
/// `component` (the defect tree), `phase`, `number`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: &'static str,
    pub required: bool,
}

const fn f(name: &'static str, kind: &'static str, required: bool) -> FieldSpec {
    FieldSpec { name, kind, required }
}

const NOTE: FieldSpec = f("note", "area", false);

/// The fields of `action`'s form, in the order shown; `None` for an action
/// the console does not know (it then offers no form for it).
pub fn fields(action: &str) -> Option<&'static [FieldSpec]> {
    Some(match action {
        "confirm" | "accept" | "accept_result" | "close" | "urge" | "resume" => const { &[NOTE] },
        "invalidate" => const { &[f("explanation", "area", true)] },
        "assess" => const { &[f("severity", "severity", true), f("category", "category", false), NOTE] },
        "investigate" => const { &[
            f("department", "department", true),
            f("post", "text", true),
            f("person", "text", true),
            f("root_cause", "area", true),
            f("evidence", "evidence", false),
            f("report", "area", false),
        ] },
        "dispatch" => const { &[
            f("department", "department", false),
            f("handler", "handler", false),
            f("cooperating", "cooperating", false),
            NOTE,
        ] },
        "report_delay" | "request_extension" => const { &[f("reason", "area", true), f("new_time", "datetime", true)] },
        "resolve" => const { &[f("resolution", "area", true), f("finished_at", "datetime", false)] },
        "reject_result" | "return" | "pause" | "escalate" => const { &[f("reason", "area", true)] },
        "callback" => const { &[
            f("perceived", "score", true),
            f("expected", "score", true),
            f("method", "method", false),
            f("comment", "area", false),
        ] },
        "decide_extension" => const { &[NOTE, f("approve", "approve", true)] },
        "record_report" => const { &[f("report", "report", true), f("text", "area", true)] },
        "correct_triage" => const { &[f("field", "triage_field", true), f("value", "text", false), NOTE] },
        "record_defect" => const { &[f("component", "component", true), f("phase", "phase", true), f("cost", "number", false)] },
        _ => return None,
    })
}

/// Why a posted form could not become an action: the field and the
/// catalogue key of the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub key: &'static str,
}

fn invalid(field: &str, key: &'static str) -> Invalid {
    Invalid { field: field.to_string(), key }
}

/// A `datetime-local` value (`2026-11-23T18:30`), read as China time.
pub fn china_time(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let v = v.trim();
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"))
        .ok()?;
    chrono_tz::Asia::Shanghai.from_local_datetime(&naive).single().map(|t| t.to_utc())
}

/// The posted values of `name`, trimmed, empty ones left out.
fn values<'a>(posted: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    posted.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

/// Turns a posted form into the action it asks for.
pub fn parse(action: &str, posted: &[(String, String)]) -> Result<Action, Invalid> {
    let specs = fields(action).ok_or_else(|| invalid("action", "complaint.error.unknown_action"))?;
    let mut map = Map::new();
    map.insert("action".into(), Value::String(action.to_string()));
    for spec in specs {
        let first = values(posted, spec.name).next();
        let value = match spec.kind {
            "cooperating" => Some(Value::Array(values(posted, spec.name).map(|v| Value::String(v.to_string())).collect())),
            "evidence" => {
                let mut ids = Vec::new();
                for v in values(posted, spec.name) {
                    ids.push(Value::from(v.parse::<i64>().map_err(|_| invalid(spec.name, "complaint.error.bad_choice"))?));
                }
                Some(Value::Array(ids))
            }
            "datetime" => match first {
                None => None,
                Some(v) => Some(Value::String(
                    china_time(v).ok_or_else(|| invalid(spec.name, "complaint.error.bad_time"))?.to_rfc3339(),
                )),
            },
            "score" => match first {
                None => None,
                Some(v) => match v.parse::<u8>() {
                    Ok(n) if (1..=10).contains(&n) => Some(Value::from(n)),
                    _ => return Err(invalid(spec.name, "complaint.error.bad_score")),
                },
            },
            "number" => match first {
                None => None,
                Some(v) => match v.parse::<f64>() {
                    Ok(n) if n.is_finite() => Some(Value::from(n)),
                    _ => return Err(invalid(spec.name, "complaint.error.bad_number")),
                },
            },
            "approve" => match first {
                None => None,
                Some("true") => Some(Value::Bool(true)),
                Some("false") => Some(Value::Bool(false)),
                Some(_) => return Err(invalid(spec.name, "complaint.error.bad_choice")),
            },
            _ => first.map(|v| Value::String(v.to_string())),
        };
        match value {
            Some(v) => {
                map.insert(spec.name.to_string(), v);
            }
            None if spec.required => return Err(invalid(spec.name, "complaint.error.required")),
            None => {}
        }
    }
    serde_json::from_value(Value::Object(map.clone())).map_err(|_| {
        // A choice the domain does not know (a severity, a report kind …):
        // the one field whose removal makes the rest acceptable, or missed.
        let culprit = specs.iter().filter(|s| map.contains_key(s.name)).find(|s| {
            let mut rest = map.clone();
            rest.remove(s.name);
            match serde_json::from_value::<Action>(Value::Object(rest)) {
                Ok(_) => true,
                Err(e) => e.to_string().starts_with(&format!("missing field `{}`", s.name)),
            }
        });
        invalid(culprit.map_or("action", |s| s.name), "complaint.error.bad_choice")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::i18n::{CATALOGUES, Locale};
    use tousu_domain::action::ACTION_NAMES;
    use tousu_domain::{Category, Severity};

    fn posted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_action_has_a_form_and_every_field_a_label_in_every_catalogue() {
        for action in ACTION_NAMES {
            let specs = fields(action).unwrap_or_else(|| panic!("no form for {action}"));
            for locale in Locale::ALL {
                let c = &CATALOGUES[&locale];
                assert!(c.contains_key(&format!("complaint.action.{action}")), "{}: action {action}", locale.code());
                assert!(c.contains_key(&format!("complaint.action_hint.{action}")), "{}: hint {action}", locale.code());
                for s in specs {
                    assert!(c.contains_key(&format!("complaint.field.{}", s.name)), "{}: field {}", locale.code(), s.name);
                }
            }
        }
    }

    #[test]
    fn a_form_of_each_kind_becomes_its_action() {
        assert_eq!(parse("confirm", &posted(&[("note", "  ")])).unwrap(), Action::Confirm { note: None });
        assert_eq!(
            parse("assess", &posted(&[("severity", "major"), ("category", "fees"), ("note", "多户反映")])).unwrap(),
            Action::Assess { severity: Severity::Major, category: Some(Category::Fees), note: Some("多户反映".into()) }
        );
        assert_eq!(
            parse("dispatch", &posted(&[("department", "engineering"), ("handler", ""), ("cooperating", "security"), ("cooperating", "finance")]))
                .unwrap(),
            Action::Dispatch {
                department: Some("engineering".into()),
                handler: None,
                cooperating: vec!["security".into(), "finance".into()],
                note: None
            }
        );
        let Action::ReportDelay { new_time, .. } =
            parse("report_delay", &posted(&[("reason", "等配件"), ("new_time", "2026-11-25T18:30")])).unwrap()
        else {
            panic!("not a delay")
        };
        assert_eq!(new_time.to_rfc3339(), "2026-11-25T10:30:00+00:00", "typed in China time");
        assert_eq!(
            parse("callback", &posted(&[("perceived", "8"), ("expected", "7"), ("method", "visit")])).unwrap(),
            Action::Callback {
                perceived: 8,
                expected: 7,
                comment: None,
                method: Some(tousu_domain::classification::CallbackMethod::Visit)
            }
        );
        assert_eq!(
            parse("decide_extension", &posted(&[("approve", "false")])).unwrap(),
            Action::DecideExtension { approve: false, note: None }
        );
        assert!(matches!(
            parse("investigate", &posted(&[("department", "engineering"), ("post", "水电"), ("person", "李强"), ("root_cause", "防水"), ("evidence", "7")])),
            Ok(Action::Investigate { evidence, .. }) if evidence == vec![7]
        ));
    }

    #[test]
    fn a_bad_or_missing_field_is_named() {
        let err = |a: &str, p: &[(&str, &str)]| parse(a, &posted(p)).unwrap_err();
        assert_eq!(err("invalidate", &[]), invalid("explanation", "complaint.error.required"));
        assert_eq!(err("resolve", &[("resolution", "好了"), ("finished_at", "昨天")]), invalid("finished_at", "complaint.error.bad_time"));
        assert_eq!(err("callback", &[("perceived", "11"), ("expected", "5")]), invalid("perceived", "complaint.error.bad_score"));
        assert_eq!(err("assess", &[("severity", "catastrophic")]), invalid("severity", "complaint.error.bad_choice"));
        assert_eq!(err("teleport", &[]), invalid("action", "complaint.error.unknown_action"));
    }
}
