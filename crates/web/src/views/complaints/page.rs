//! `GET /complaints/{id}`: one complaint for staff, and the forms that act
//! on it (`POST …/act`, `POST …/files`).

use super::forms::{self, FieldSpec};
use super::timeline::{self, Detail};
use super::{Choice, Countdown, Refusal, choices, label, local_time, msg, refusal};
use crate::AppState;
use crate::views::i18n::{Locale, text};
use crate::views::render::{PageError, render, val};
use crate::views::session::StaffPage;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tousu_app::views::ComplaintView;
use tousu_domain::classification::{CallbackMethod, Category, Remedy, Severity};
use tousu_domain::event::ReportKind;
use tousu_domain::{DeadlineState, Role};

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// The action just performed (`confirm`, `attach_evidence` …), for the notice.
    done: Option<String>,
}

/// What a page shows besides the complaint: the notice of what was just
/// done, or the refusal of a form with what was typed in it.
#[derive(Default)]
struct Outcome {
    notice: Option<String>,
    refusal: Option<Refusal>,
    /// The form the refusal is about (`confirm` …, `upload`).
    form: Option<String>,
    posted: HashMap<String, Vec<String>>,
}

fn complaint_id(raw: &str, locale: Locale) -> Result<i64, PageError> {
    raw.parse().map_err(|_| PageError::NotFound { locale })
}

pub async fn show(
    State(s): State<AppState>,
    page: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let id = complaint_id(&id, page.locale)?;
    // Only a known action is named (the query string is the visitor's).
    let known = |a: &str| crate::views::i18n::CATALOGUES[&page.locale].contains_key(&format!("complaint.action.{a}"));
    let notice = q.done.as_deref().and_then(|done| match done {
        "recorded" => Some(text(page.locale, "complaint.done_recorded")),
        action if known(action) => Some(msg(page.locale, "complaint.done", &[("action", label(page.locale, "action", action))])),
        _ => None,
    });
    render_page(&s, &page, id, Outcome { notice, ..Outcome::default() }).await
}

/// Performs the action a form asks for: back to the page (303) with a
/// notice, or the page again with the refusal and what was typed.
pub async fn act(
    State(s): State<AppState>,
    page: StaffPage,
    Path(id): Path<String>,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = complaint_id(&id, page.locale)?;
    let token = posted.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    page.check_csrf(token)?;
    let action = posted.iter().find(|(k, _)| k == "action").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let mut kept: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in posted.iter().filter(|(k, _)| k != "csrf" && k != "action") {
        kept.entry(k.clone()).or_default().push(v.clone());
    }
    let refused = |r: Refusal| Outcome { refusal: Some(r), form: Some(action.clone()), posted: kept.clone(), ..Outcome::default() };
    let parsed = match forms::parse(&action, &posted) {
        Ok(a) => a,
        Err(invalid) => {
            let message = msg(
                page.locale,
                "complaint.refused_field",
                &[("field", super::field_label(page.locale, &invalid.field)), ("message", text(page.locale, invalid.key))],
            );
            let r = Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, message, field: Some(invalid.field) };
            return render_page(&s, &page, id, refused(r)).await;
        }
    };
    match s.services.transition(&page.who, id, parsed).await {
        Ok(_) => Ok(Redirect::to(&format!("/complaints/{id}?done={action}")).into_response()),
        Err(e) => {
            let r = refusal(e, page.locale)?;
            render_page(&s, &page, id, refused(r)).await
        }
    }
}

/// Attaches an uploaded evidence file (multipart: `csrf`, then `file`).
pub async fn upload(
    State(s): State<AppState>,
    page: StaffPage,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let id = complaint_id(&id, page.locale)?;
    let unreadable = || Refusal {
        status: StatusCode::BAD_REQUEST,
        message: text(page.locale, "complaint.error.unreadable_upload"),
        field: Some("file".into()),
    };
    let mut token = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut failed = None;
    match multipart {
        Err(_) => failed = Some(unreadable()),
        Ok(mut m) => loop {
            match m.next_field().await {
                Ok(None) => break,
                Ok(Some(field)) => match field.name() {
                    Some("csrf") => token = field.text().await.unwrap_or_default(),
                    Some("file") => {
                        let name = field.file_name().unwrap_or_default().to_string();
                        match field.bytes().await {
                            Ok(bytes) => file = Some((name, bytes.to_vec())),
                            Err(e) => {
                                failed = Some(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                                    Refusal {
                                        status: StatusCode::PAYLOAD_TOO_LARGE,
                                        message: msg(
                                            page.locale,
                                            "complaint.error.file_too_large",
                                            &[("mb", (s.services.config().max_file_bytes / 1024 / 1024).to_string())],
                                        ),
                                        field: Some("file".into()),
                                    }
                                } else {
                                    unreadable()
                                });
                                break;
                            }
                        }
                    }
                    _ => {}
                },
                Err(_) => {
                    failed = Some(unreadable());
                    break;
                }
            }
        },
    }
    // The token first: nothing reaches the services from a forged form.
    page.check_csrf(&token)?;
    let refused = |r: Refusal| Outcome { refusal: Some(r), form: Some("upload".into()), ..Outcome::default() };
    if let Some(r) = failed {
        return render_page(&s, &page, id, refused(r)).await;
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let r = Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: text(page.locale, "complaint.error.no_file"),
            field: Some("file".into()),
        };
        return render_page(&s, &page, id, refused(r)).await;
    };
    match s.services.attach_evidence(&page.who, id, &name, bytes).await {
        Ok(_) => Ok(Redirect::to(&format!("/complaints/{id}?done=attach_evidence")).into_response()),
        Err(e) => {
            let mut r = refusal(e, page.locale)?;
            r.field.get_or_insert_with(|| "file".into());
            render_page(&s, &page, id, refused(r)).await
        }
    }
}

/// A field of an action's form as the template shows it.
#[derive(Debug, Serialize)]
struct FieldView {
    name: &'static str,
    kind: &'static str,
    required: bool,
    label: String,
    /// The value shown (typed before a refusal, or the default).
    value: String,
    /// Every value, for fields that take several.
    values: Vec<String>,
    error: bool,
}

#[derive(Debug, Serialize)]
struct ActionForm {
    name: &'static str,
    title: String,
    hint: String,
    fields: Vec<FieldView>,
    /// Approve and refuse buttons instead of one submit button.
    approve: bool,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct DeadlineRow {
    rule: String,
    level: String,
    due_at: chrono::DateTime<chrono::Utc>,
    committed: bool,
    extensions: u32,
    /// Open ones: the countdown (absent while paused).
    countdown: Option<Countdown>,
    paused: bool,
    /// Met or cancelled ones: when.
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `met`, `met_late` or `cancelled` for closed ones.
    outcome: Option<&'static str>,
    outcome_label: Option<String>,
}

/// A deadline met after its due time (or after its breach was recorded).
fn met_late(d: &tousu_domain::Deadline) -> bool {
    d.breached_at.is_some() || d.closed_at.is_some_and(|t| t > d.due_at)
}

fn deadline_rows(c: &ComplaintView, locale: Locale, now: chrono::DateTime<chrono::Utc>) -> (Vec<DeadlineRow>, Vec<DeadlineRow>) {
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for d in &c.deadlines {
        let mut row = DeadlineRow {
            rule: label(locale, "deadline", d.rule.as_str()),
            level: label(locale, "escalation", d.level.as_str()),
            due_at: d.due_at,
            committed: d.committed,
            extensions: d.extensions,
            countdown: None,
            paused: d.paused_at.is_some(),
            closed_at: d.closed_at,
            outcome: None,
            outcome_label: None,
        };
        match d.state {
            DeadlineState::Open => {
                if !row.paused {
                    row.countdown = Some(Countdown::of(d, now));
                }
                open.push(row);
            }
            DeadlineState::Met => {
                let outcome = if met_late(d) { "met_late" } else { "met" };
                row.outcome = Some(outcome);
                row.outcome_label = Some(text(locale, &format!("complaint.deadline_outcome.{outcome}")));
                closed.push(row);
            }
            DeadlineState::Cancelled => {
                row.outcome = Some("cancelled");
                row.outcome_label = Some(text(locale, "complaint.deadline_outcome.cancelled"));
                closed.push(row);
            }
        }
    }
    open.sort_by_key(|r| r.due_at);
    (open, closed)
}

/// The defaults of a form: what the complaint already says.
fn default_value(c: &ComplaintView, action: &str, field: &str) -> Option<String> {
    match (action, field) {
        ("assess", "severity") => c.severity.map(|s| s.as_str().to_string()),
        ("assess", "category") => c.category.map(|s| s.as_str().to_string()),
        ("investigate", "department") => c
            .investigation
            .as_ref()
            .map(|i| i.department.code.clone())
            .or_else(|| c.department.as_ref().map(|d| d.code.clone())),
        ("dispatch", "department") => c.investigation.as_ref().map(|i| i.department.code.clone()),
        ("callback", "method") => Some(CallbackMethod::Phone.as_str().to_string()),
        _ => None,
    }
}

fn action_forms(c: &ComplaintView, locale: Locale, outcome: &Outcome) -> Vec<ActionForm> {
    c.available_actions
        .iter()
        .filter_map(|name| forms::fields(name).map(|specs| (*name, specs)))
        .map(|(name, specs)| {
            let failed = outcome.form.as_deref() == Some(name);
            let fields = specs
                .iter()
                .map(|spec: &FieldSpec| {
                    let typed = failed.then(|| outcome.posted.get(spec.name).cloned().unwrap_or_default());
                    let values = typed.clone().unwrap_or_else(|| default_value(c, name, spec.name).into_iter().collect());
                    FieldView {
                        name: spec.name,
                        kind: spec.kind,
                        required: spec.required,
                        label: label(locale, "field", spec.name),
                        value: values.first().cloned().unwrap_or_default(),
                        values,
                        error: failed && outcome.refusal.as_ref().and_then(|r| r.field.as_deref()) == Some(spec.name),
                    }
                })
                .collect();
            ActionForm {
                name,
                title: label(locale, "action", name),
                hint: label(locale, "action_hint", name),
                approve: specs.iter().any(|s| s.kind == "approve"),
                fields,
                error: if failed { outcome.refusal.as_ref().map(|r| r.message.clone()) } else { None },
            }
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct StaffGroup {
    department: String,
    staff: Vec<Choice>,
}

/// The complaint's facts in words, for the summary block.
fn facts(c: &ComplaintView, locale: Locale, tree: &tousu_domain::defects::ComponentTree) -> Vec<Detail> {
    let mut out = Vec::new();
    let mut push = |field: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            out.push(Detail { label: label(locale, "field", field), value });
        }
    };
    push("project", Some(format!("{} · {}", c.project.name, c.building)));
    push("channel", Some(label(locale, "channel", c.channel.as_str())));
    push("category", c.category.map(|x| label(locale, "category", x.as_str())));
    push("severity", c.severity.map(|x| label(locale, "severity", x.as_str())));
    push("service", c.service.clone());
    push("received_at", Some(local_time(c.received_at)));
    push("first_responder", c.first_responder.as_ref().map(|s| s.name.clone()));
    push("department", c.department.as_ref().map(|d| d.name.clone()));
    push("handler", c.handler.as_ref().map(|s| s.name.clone()));
    let sep = if locale == Locale::En { ", " } else { "、" };
    push("cooperating", Some(c.cooperating.iter().map(|d| d.name.clone()).collect::<Vec<_>>().join(sep)));
    push("committed_at", c.committed_at.map(local_time));
    push("promised_at", c.promised_at.map(local_time));
    push("delay_reason", c.delay_reason.clone());
    push("paused_at", c.paused_at.map(local_time));
    push("resolved_at", c.resolved_at.map(local_time));
    push("closed_at", c.closed_at.map(local_time));
    let count = |n: u32| (n > 0).then(|| n.to_string());
    push("urge_count", count(c.urge_count));
    push("returned_count", count(c.returned_count));
    push("reopen_count", count(c.reopen_count));
    push("rehandle_count", count(c.rehandle_count));
    // 缺陷归因: where the complaint sits in the defect library.
    push(
        "defect",
        c.defect.as_ref().map(|d| {
            let mut v = format!("{} · {}", tree.display(&d.component), label(locale, "phase", d.phase.as_str()));
            if let Some(fen) = d.cost_fen {
                v.push_str(&format!(" · {:.2}", fen as f64 / 100.0));
            }
            if d.inferred {
                v.push_str(&text(locale, "complaint.inferred"));
            }
            v
        }),
    );
    out
}

async fn render_page(s: &AppState, page: &StaffPage, id: i64, outcome: Outcome) -> Result<Response, PageError> {
    let locale = page.locale;
    let c = s.services.show_complaint(&page.who, id).await.map_err(|e| PageError::from_app(e, locale))?;
    let org = s.services.org(page.who.company_id).await.map_err(|e| PageError::from_app(e, locale))?;
    let now = s.services.now();
    let (open_deadlines, closed_deadlines) = deadline_rows(&c, locale, now);
    let history = c.history.as_deref().unwrap_or_default();
    let timeline = timeline::entries(history, locale);
    let actions = action_forms(&c, locale, &outcome);
    let departments: Vec<Choice> =
        org.snapshot.departments.iter().map(|d| Choice { code: d.code.clone(), label: d.name.clone() }).collect();
    let handlers: Vec<StaffGroup> = org
        .snapshot
        .departments
        .iter()
        .map(|d| StaffGroup {
            department: d.name.clone(),
            staff: org
                .snapshot
                .staff
                .iter()
                .filter(|st| st.department.as_deref() == Some(d.code.as_str()))
                .filter(|st| matches!(st.role, Role::Handler | Role::DepartmentHead))
                .map(|st| Choice {
                    code: st.username.clone(),
                    label: format!("{} · {}", st.display_name, text(locale, &format!("role.{}", st.role.as_str()))),
                })
                .collect(),
        })
        .filter(|g| !g.staff.is_empty())
        .collect();
    let owed_reports: Vec<Choice> = ReportKind::ALL
        .into_iter()
        .filter(|k| {
            k.meets().iter().any(|r| c.deadlines.iter().any(|d| d.rule == *r && d.state == DeadlineState::Open))
        })
        .map(|k| {
            let code = serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            Choice { label: label(locale, "report", &code), code }
        })
        .collect();
    let evidence: Vec<Choice> = c
        .evidence
        .iter()
        .map(|f| Choice { code: f.id.to_string(), label: format!("#{} {}", f.id, f.name) })
        .collect();
    let severities = choices(locale, "severity", Severity::ALL.iter().map(|x| x.as_str()));
    let categories = choices(locale, "category", Category::ALL.iter().map(|x| x.as_str()));
    let methods = choices(locale, "method", CallbackMethod::ALL.iter().map(|x| x.as_str()));
    let triage_fields = choices(locale, "triage_field", tousu_domain::triage::CORRECTABLE.iter().copied());
    let phases = choices(locale, "phase", tousu_domain::defects::Phase::ALL.iter().map(|p| p.as_str()));
    let tree = s.services.defect_tree();
    let components: Vec<Choice> =
        tree.components().iter().map(|x| Choice { code: x.code.clone(), label: tree.display(&x.code) }).collect();
    let remedies: Vec<String> = c.remedies.iter().map(|r: &Remedy| label(locale, "remedy", r.as_str())).collect();
    let may_reveal = page.who.role.may_reveal_personal_data();
    let may_attach = tousu_domain::lifecycle::permitted_roles("attach_evidence").contains(&page.who.role);
    let upload_error = (outcome.form.as_deref() == Some("upload")).then(|| outcome.refusal.as_ref().map(|r| r.message.clone())).flatten();
    let status = outcome.refusal.as_ref().map_or(StatusCode::OK, |r| r.status);
    let triage = c.triage.as_ref().map(|t| super::triage_panel::Panel::of(locale, t));
    let group = c.group.as_ref().map(|g| {
        msg(
            locale,
            "triage.group_line",
            &[
                ("id", g.incident.to_string()),
                ("n", g.households.to_string()),
                ("severity", label(locale, "severity", g.severity.as_str())),
                ("cause", g.cause.clone()),
            ],
        )
    });
    // Related complaints: the other members of its group incident.
    let group_members = match &c.group {
        Some(_) => s.services.group_members_of(&page.who, c.id, 30).await.map_err(|e| PageError::from_app(e, locale))?,
        None => Vec::new(),
    };
    let ctx = minijinja::context! {
        request_path => format!("/complaints/{id}"),
        triage => triage.as_ref().map(val),
        group_members => group_members,
        group => group,
        c => val(&c),
        status_label => text(locale, &format!("status.{}", c.status.as_str())),
        escalation => label(locale, "escalation", c.escalation_level.as_str()),
        facts => val(&facts(&c, locale, &tree)),
        remedies => val(&remedies),
        open_deadlines => val(&open_deadlines),
        closed_deadlines => val(&closed_deadlines),
        timeline => val(&timeline),
        actions => val(&actions),
        departments => val(&departments),
        handlers => val(&handlers),
        severities => val(&severities),
        categories => val(&categories),
        methods => val(&methods),
        triage_fields => val(&triage_fields),
        phases => val(&phases),
        components => val(&components),
        reports => val(&owed_reports),
        evidence_choices => val(&evidence),
        scores => (1..=10).map(|n: u8| n.to_string()).collect::<Vec<_>>(),
        may_reveal => may_reveal,
        may_attach => may_attach,
        max_file_mb => s.services.config().max_file_bytes / 1024 / 1024,
        notice => outcome.notice,
        refusal => outcome.refusal.as_ref().map(val),
        upload_error => upload_error,
        ..page.base()
    };
    let html = render("complaints/show.html", ctx)?;
    Ok((status, html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::i18n::CATALOGUES;
    use tousu_domain::DeadlineRule;

    #[test]
    fn every_label_the_page_looks_up_is_in_every_catalogue() {
        let mut keys: Vec<String> = Vec::new();
        let group = |g: &str, codes: Vec<&str>| codes.into_iter().map(|c| format!("complaint.{g}.{c}")).collect::<Vec<_>>();
        keys.extend(group("deadline", DeadlineRule::ALL.iter().map(|r| r.as_str()).collect()));
        keys.extend(group("escalation", vec!["service_centre", "department_head", "company_leader", "board"]));
        keys.extend(group("severity", Severity::ALL.iter().map(|x| x.as_str()).collect()));
        keys.extend(group("category", Category::ALL.iter().map(|x| x.as_str()).collect()));
        keys.extend(group("channel", tousu_domain::Channel::ALL.iter().map(|x| x.as_str()).collect()));
        keys.extend(group("remedy", Remedy::ALL.iter().map(|x| x.as_str()).collect()));
        keys.extend(group("method", CallbackMethod::ALL.iter().map(|x| x.as_str()).collect()));
        keys.extend(group("report", vec!["first_responder_update", "written_report", "verification"]));
        keys.extend(group("personal", vec!["name", "phone", "unit"]));
        keys.extend(group("triage_field", tousu_domain::triage::CORRECTABLE.to_vec()));
        keys.extend(group("deadline_outcome", vec!["met", "met_late", "cancelled"]));
        keys.extend(group("action", vec!["attach_evidence"]));
        keys.extend(group(
            "field",
            vec![
                "project", "channel", "category", "severity", "service", "received_at", "first_responder", "department",
                "handler", "cooperating", "committed_at", "promised_at", "delay_reason", "paused_at", "resolved_at",
                "closed_at", "urge_count", "returned_count", "reopen_count", "rehandle_count", "subject", "remedy_sought",
                "remedies", "emergency", "repeat", "post", "person", "root_cause", "report", "evidence", "new_time",
                "finished_at", "perceived", "expected", "index", "method", "rehandle", "file", "size", "fields", "rules",
                "level", "decision", "field", "value", "explanation", "reason", "resolution", "text", "comment", "note",
                "customer_name", "customer_phone", "building", "unit", "description", "action", "cursor", "sort",
                "status", "received_from", "received_to", "limit", "phone", "tracking_no", "Idempotency-Key",
            ],
        ));
        for locale in Locale::ALL {
            let missing: Vec<&String> = keys.iter().filter(|k| !CATALOGUES[&locale].contains_key(*k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.code());
        }
    }

    #[test]
    fn a_deadline_met_after_its_due_time_is_marked_late() {
        let now = chrono::Utc::now();
        let mut on_time = tousu_domain::Deadline::open(DeadlineRule::Dispatch, now, Default::default());
        on_time.state = DeadlineState::Met;
        on_time.closed_at = Some(now - chrono::Duration::hours(1));
        let mut late = on_time.clone();
        late.closed_at = Some(now + chrono::Duration::hours(1));
        let open = tousu_domain::Deadline::open(DeadlineRule::Answer, now + chrono::Duration::hours(3), Default::default());
        assert_eq!(Countdown::of(&open, now).class, "on-time");
        assert_eq!(Countdown::of(&open, now + chrono::Duration::hours(4)).class, "breached");
        assert!(!met_late(&on_time));
        assert!(met_late(&late));
    }
}
