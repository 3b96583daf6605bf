//! `GET /complaints/new`, `POST /complaints/new`: recording a complaint
//! taken by phone, at the front desk, by letter or by fax. The caller is
//! looked up first, by phone or by unit: their earlier complaints and how
//! many times the latest repeats an earlier one, before anything is typed.
//! While the description is typed, triage's reading of it is shown beside
//! the form (see `triage_panel`).

use super::{Choice, Refusal, Row, choices, msg, refusal};
use crate::AppState;
use crate::views::i18n::text;
use crate::views::render::{PageError, render, val};
use crate::views::session::StaffPage;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tousu_app::complaints::{CustomerHistory, LOOKUP_LIMIT, may_look_up_customers};
use tousu_domain::classification::Remedy;

/// The channels staff record by hand (the others arrive by themselves).
const CHANNELS: [&str; 4] = ["phone", "front_desk", "letter", "fax"];

/// The lookup (`by` = `phone` or `unit`); its values also start the form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Lookup {
    #[serde(default)]
    by: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    building: String,
    #[serde(default)]
    unit: String,
}

/// What the form holds, kept when it comes back with an error.
#[derive(Debug, Clone, Default, Serialize)]
struct Values {
    channel: String,
    name: String,
    phone: String,
    project: String,
    building: String,
    unit: String,
    subject: String,
    description: String,
    remedy_sought: String,
    remedies: Vec<String>,
    emergency: bool,
    service: String,
    /// The form's idempotency key: a form sent twice records one complaint.
    idem: String,
}

impl Values {
    fn from_posted(posted: &[(String, String)]) -> Values {
        let get = |k: &str| posted.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        Values {
            channel: get("channel"),
            name: get("name"),
            phone: get("phone"),
            project: get("project"),
            building: get("building"),
            unit: get("unit"),
            subject: get("subject"),
            description: get("description"),
            remedy_sought: get("remedy_sought"),
            remedies: posted.iter().filter(|(k, _)| k == "remedies").map(|(_, v)| v.clone()).collect(),
            emergency: posted.iter().any(|(k, v)| k == "emergency" && !v.is_empty()),
            service: get("service"),
            idem: get("idem"),
        }
    }

    /// The complaint as a channel sends it. Built as JSON so that fields
    /// the intake gains later keep their defaults.
    fn draft(&self) -> Result<tousu_domain::intake::IntakeDraft, Refusal> {
        let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let body = json!({
            "channel": self.channel.trim(),
            "customer": {"name": self.name, "phone": self.phone},
            "project": self.project.trim(),
            "building": self.building.trim(),
            "unit": self.unit.trim(),
            "subject": opt(&self.subject),
            "description": self.description,
            "remedy_sought": opt(&self.remedy_sought),
            "remedies": self.remedies,
            "emergency": self.emergency,
            "service": opt(&self.service),
        });
        crate::extract::parse_json(body.to_string().as_bytes()).map_err(|e| Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: String::new(),
            field: e.field,
        })
    }
}

fn new_key() -> String {
    let mut bytes = [0u8; 16];
    match getrandom::fill(&mut bytes) {
        Ok(()) => format!("intake-{}", hex::encode(bytes)),
        // Without randomness the form still works, without the retry guard.
        Err(_) => String::new(),
    }
}

pub(super) fn check_role(page: &StaffPage) -> Result<(), PageError> {
    if page.who.role.may_record_complaints() { Ok(()) } else { Err(PageError::Forbidden { locale: page.locale }) }
}

pub async fn form(
    State(s): State<AppState>,
    page: StaffPage,
    query: Result<Query<Lookup>, QueryRejection>,
) -> Result<Response, PageError> {
    check_role(&page)?;
    let lookup = query.map(|q| q.0).unwrap_or_default();
    let values = Values {
        channel: "phone".into(),
        phone: lookup.phone.clone(),
        project: lookup.project.clone(),
        building: lookup.building.clone(),
        unit: lookup.unit.clone(),
        idem: new_key(),
        ..Values::default()
    };
    render_form(&s, &page, &lookup, values, None).await
}

pub async fn submit(
    State(s): State<AppState>,
    page: StaffPage,
    Form(posted): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let token = posted.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    page.check_csrf(token)?;
    check_role(&page)?;
    let mut values = Values::from_posted(&posted);
    if values.idem.is_empty() {
        values.idem = new_key();
    }
    let lookup = Lookup::default();
    // "Analyse" (预判) without script: show what triage reads, record nothing.
    if posted.iter().any(|(k, _)| k == "preview") {
        return render_form(&s, &page, &lookup, values, None).await;
    }
    let draft = match values.draft() {
        Ok(d) => d,
        Err(mut r) => {
            let field = r.field.clone().unwrap_or_else(|| "body".into());
            r.message = msg(
                page.locale,
                "complaint.refused_field",
                &[("field", super::field_label(page.locale, &field)), ("message", text(page.locale, "complaint.error.bad_choice"))],
            );
            return render_form(&s, &page, &lookup, values, Some(r)).await;
        }
    };
    let key = Some(values.idem.as_str()).filter(|k| !k.is_empty());
    match s.services.record_complaint(&page.who, draft, key).await {
        Ok(recorded) => Ok(Redirect::to(&format!("/complaints/{}?done=recorded", recorded.view.id)).into_response()),
        Err(e) => {
            let r = refusal(e, page.locale)?;
            render_form(&s, &page, &lookup, values, Some(r)).await
        }
    }
}

/// The form's field a refusal names (`customer.phone` → `phone`).
fn form_field(field: &str) -> &str {
    match field {
        "customer.name" => "name",
        "customer.phone" => "phone",
        f if f.starts_with("remedies") => "remedies",
        f => f,
    }
}

#[derive(Debug, Serialize)]
struct LookupResult {
    heading: String,
    repeat: Option<String>,
    more: Option<String>,
    rows: Vec<Row>,
}

async fn look_up(s: &AppState, page: &StaffPage, lookup: &Lookup) -> (Option<LookupResult>, Option<String>) {
    let locale = page.locale;
    let found: Result<CustomerHistory, _> = match lookup.by.as_str() {
        "phone" if !lookup.phone.trim().is_empty() => s.services.customer_history_by_phone(&page.who, &lookup.phone).await,
        "unit" if !lookup.unit.trim().is_empty() => {
            s.services.customer_history_at_unit(&page.who, &lookup.project, &lookup.building, &lookup.unit).await
        }
        _ => return (None, None),
    };
    match found {
        Ok(h) => {
            let now = s.services.now();
            let heading = if h.items.is_empty() {
                text(locale, "complaints.new.lookup_none")
            } else {
                msg(locale, "complaints.new.lookup_found", &[("n", h.items.len().to_string())])
            };
            let result = LookupResult {
                heading,
                repeat: Some(msg(locale, "complaints.new.repeat_count", &[("n", h.repeat_count.to_string())])).filter(|_| !h.items.is_empty()),
                more: h.more.then(|| msg(locale, "complaints.more_results", &[("n", LOOKUP_LIMIT.to_string())])),
                rows: h.items.iter().map(|c| Row::of(c, locale, now)).collect(),
            };
            (Some(result), None)
        }
        Err(e) => (None, refusal(e, locale).ok().map(|r| r.message)),
    }
}

async fn render_form(
    s: &AppState,
    page: &StaffPage,
    lookup: &Lookup,
    values: Values,
    refused: Option<Refusal>,
) -> Result<Response, PageError> {
    let locale = page.locale;
    let may_look_up = may_look_up_customers(page.who.role);
    let (found, lookup_error) = if may_look_up { look_up(s, page, lookup).await } else { (None, None) };
    let org = s.services.org(page.who.company_id).await.map_err(|e| PageError::from_app(e, locale))?;
    let projects = s.services.list_projects(&page.who).await.map_err(|e| PageError::from_app(e, locale))?;
    let project_choices: Vec<Choice> = projects.iter().map(|p| Choice { code: p.code.clone(), label: p.name.clone() }).collect();
    let services: Vec<Choice> = s
        .services
        .policy()
        .resolve(&org.company.code, &values.project)
        .commitments
        .iter()
        .map(|c| Choice { code: c.service.clone(), label: if c.name.is_empty() { c.service.clone() } else { c.name.clone() } })
        .collect();
    let triage = super::triage_panel::for_draft(s, locale, &values.subject, &values.description);
    let status = refused.as_ref().map_or(StatusCode::OK, |r| r.status);
    let error_field = refused.as_ref().and_then(|r| r.field.as_deref()).map(|f| form_field(f).to_string());
    let ctx = minijinja::context! {
        request_path => "/complaints/new",
        form => val(&values),
        lookup => minijinja::context! {
            by => &lookup.by, phone => &lookup.phone, project => &lookup.project,
            building => &lookup.building, unit => &lookup.unit,
        },
        found => found.as_ref().map(val),
        lookup_error => lookup_error,
        may_look_up => may_look_up,
        channels => val(&choices(locale, "channel", CHANNELS)),
        remedies => val(&choices(locale, "remedy", Remedy::ALL.iter().map(|r| r.as_str()))),
        projects => val(&project_choices),
        units => val(&projects),
        services => val(&services),
        triage => triage.as_ref().map(val),
        error => refused.as_ref().map(|r| r.message.clone()),
        error_field => error_field,
        ..page.base()
    };
    let html = render("complaints/new.html", ctx)?;
    Ok((status, html).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_form_becomes_a_draft_and_a_bad_remedy_is_named() {
        let posted: Vec<(String, String)> = [
            ("channel", "letter"),
            ("name", "张三"),
            ("phone", "138 1234 5678"),
            ("project", "JYHY"),
            ("building", "3栋"),
            ("unit", "1801"),
            ("subject", ""),
            ("description", "楼上漏水"),
            ("remedies", "repair"),
            ("remedies", "apology"),
            ("emergency", "on"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let v = Values::from_posted(&posted);
        let d = v.draft().expect("a draft");
        assert_eq!(d.channel.as_str(), "letter");
        assert!(d.emergency);
        assert_eq!(d.subject, None);
        assert_eq!(d.remedies.len(), 2);
        let mut bad = v.clone();
        bad.remedies.push("cash".into());
        assert_eq!(form_field(&bad.draft().unwrap_err().field.unwrap()), "remedies");
        let mut bad = v;
        bad.channel = "pigeon".into();
        assert_eq!(bad.draft().unwrap_err().field.as_deref(), Some("channel"));
    }

    #[test]
    fn the_hand_channels_have_labels() {
        for locale in crate::views::i18n::Locale::ALL {
            for c in CHANNELS {
                assert!(crate::views::i18n::CATALOGUES[&locale].contains_key(&format!("complaint.channel.{c}")));
            }
        }
    }
}
