//! Administration pages (administrators only; the 403 page for anyone else):
//!
//! - `GET /admin`: overview;
//! - `GET /admin/org`: the organisation tree (group → company → project →
//!   building → unit) and the departments, with forms to add a project
//!   (`POST /admin/org/projects`), a building with its units
//!   (`POST /admin/org/buildings`) and a department (`POST /admin/org/departments`);
//! - `GET /admin/staff`: staff and roles, a form to add a staff member
//!   (`POST /admin/staff`) and a reset button per person
//!   (`POST /admin/staff/{id}/password`); the generated password is shown once;
//! - `GET /admin/time-limits`: the time-limit rules and commitments (the TOML
//!   document, and the policies it resolves to), saved by `POST`;
//! - `GET /admin/calendar`: the years the working-day calendar covers, and
//!   an import form (`POST`, pasted or uploaded year file);
//! - `GET /admin/deliveries`: failed notification deliveries with their
//!   errors, each with a retry button (`POST /admin/deliveries/{id}/retry`).
//!
//! Every form carries the session's CSRF token. A refused form is shown
//! again with what was typed and the reason; a done one redirects back with
//! `?done=…` (a notice from the catalogue), except where a password is
//! shown, which is rendered once and never cached.

use super::i18n::{Locale, text};
use super::render::{PageError, render, val};
use super::session::StaffPage;
use crate::AppState;
use crate::error::ApiError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use tousu_app::AppError;
use tousu_app::org_admin::UnitSpec;
use tousu_domain::Role;
use tousu_store::DeliveryStatus;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/org", get(org))
        .route("/admin/org/projects", post(add_project))
        .route("/admin/org/buildings", post(add_building))
        .route("/admin/org/departments", post(add_department))
        .route("/admin/staff", get(staff).post(add_staff))
        .route("/admin/staff/{id}/password", post(reset_password))
        .route("/admin/time-limits", get(time_limits).post(save_time_limits))
        .route("/admin/calendar", get(calendar).post(import_calendar))
        .route("/admin/deliveries", get(deliveries))
        .route("/admin/deliveries/{id}/retry", post(retry_delivery))
}

/// Notices shown after a redirect (`?done=`): only these keys.
const DONE: [&str; 7] = ["project_added", "building_added", "department_added", "saved", "imported", "retried", "staff_added"];

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

impl Done {
    fn key(&self) -> Option<&'static str> {
        self.done.as_deref().and_then(|d| DONE.iter().copied().find(|k| *k == d))
    }
}

pub(super) fn admin_only(page: &StaffPage) -> Result<(), PageError> {
    if page.who.role == Role::Admin { Ok(()) } else { Err(PageError::Forbidden { locale: page.locale }) }
}

/// A refused form: the status and the reason in the visitor's language.
/// Not-logged-in, forbidden and internal errors become their own pages.
pub(super) fn refusal(e: AppError, locale: Locale) -> Result<(StatusCode, String), PageError> {
    let api = ApiError::from(e);
    match api.status {
        StatusCode::UNAUTHORIZED => Err(PageError::Login { next: "/admin".into() }),
        StatusCode::FORBIDDEN => Err(PageError::Forbidden { locale }),
        StatusCode::INTERNAL_SERVER_ERROR => Err(PageError::Internal { locale }),
        status => Ok((status, if locale == Locale::En { api.en } else { api.zh })),
    }
}

fn app_error(e: AppError, locale: Locale) -> PageError {
    PageError::from_app(e, locale)
}

fn with_status(status: StatusCode, page: Html<String>) -> Response {
    (status, page).into_response()
}

/// A page showing a password: never stored by the browser or a proxy.
fn no_store(page: Html<String>) -> Response {
    let mut res = page.into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn redirect_done(path: &str, done: &str) -> Response {
    Redirect::to(&format!("{path}?done={done}")).into_response()
}

// ----- overview -----

pub async fn overview(State(s): State<AppState>, page: StaffPage, Query(q): Query<Done>) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    let o = s.services.admin_overview(&page.who).await.map_err(|e| app_error(e, page.locale))?;
    let ctx = page.base();
    render(
        "admin/overview.html",
        minijinja::context! { section => "overview", o => val(&o), done => q.key(), ..ctx },
    )
}

// ----- organisation -----

#[derive(Serialize)]
struct BuildingView {
    name: String,
    units: Vec<String>,
}

#[derive(Serialize)]
struct ProjectView {
    code: String,
    name: String,
    units: usize,
    buildings: Vec<BuildingView>,
}

/// What a refused organisation form had in it, shown again.
#[derive(Serialize, Default, Deserialize, Clone)]
pub struct OrgForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    project: String,
    /// `grid` (floors × units per floor) or `list`.
    #[serde(default)]
    layout: String,
    #[serde(default)]
    floors: String,
    #[serde(default)]
    per_floor: String,
    #[serde(default)]
    units: String,
}

async fn org_page(
    s: &AppState,
    page: &StaffPage,
    done: Option<&str>,
    failed: Option<(&str, String, OrgForm)>,
) -> Result<Html<String>, PageError> {
    let tree = s.services.admin_org(&page.who).await.map_err(|e| app_error(e, page.locale))?;
    let projects: Vec<ProjectView> = tree
        .snapshot
        .projects
        .iter()
        .map(|p| ProjectView {
            code: p.code.clone(),
            name: p.name.clone(),
            units: p.buildings.iter().map(|b| b.units.len()).sum(),
            buildings: p.buildings.iter().map(|b| BuildingView { name: b.name.clone(), units: b.units.clone() }).collect(),
        })
        .collect();
    let (form_kind, error, form) = match failed {
        Some((kind, message, form)) => (Some(kind), Some(message), form),
        None => (None, None, OrgForm { layout: "grid".into(), ..OrgForm::default() }),
    };
    let ctx = page.base();
    render(
        "admin/org.html",
        minijinja::context! {
            section => "org",
            group_name => &tree.company.group_name,
            company => minijinja::context! { code => &tree.company.code, name => &tree.company.name },
            projects => val(&projects),
            departments => val(&tree.snapshot.departments),
            done => done,
            form_kind => form_kind,
            error => error,
            form => val(&form),
            ..ctx
        },
    )
}

pub async fn org(State(s): State<AppState>, page: StaffPage, Query(q): Query<Done>) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    org_page(&s, &page, q.key(), None).await
}

/// Shows the organisation page again with the refused form and its reason.
async fn org_refused(s: &AppState, page: &StaffPage, kind: &str, e: AppError, form: OrgForm) -> Result<Response, PageError> {
    let (status, message) = refusal(e, page.locale)?;
    Ok(with_status(status, org_page(s, page, None, Some((kind, message, form))).await?))
}

pub async fn add_project(State(s): State<AppState>, page: StaffPage, Form(f): Form<OrgForm>) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    match s.services.admin_add_project(&page.who, &f.code, &f.name).await {
        Ok(_) => Ok(redirect_done("/admin/org", "project_added")),
        Err(e) => org_refused(&s, &page, "project", e, f).await,
    }
}

/// The units of the building form: a grid, or a list.
fn unit_spec(f: &OrgForm, locale: Locale) -> Result<UnitSpec, String> {
    if f.layout == "list" {
        return Ok(UnitSpec::List(f.units.clone()));
    }
    let number = |v: &str| v.trim().parse::<u32>().map_err(|_| text(locale, "admin.org.not_a_number"));
    Ok(UnitSpec::Grid { floors: number(&f.floors)?, per_floor: number(&f.per_floor)? })
}

pub async fn add_building(State(s): State<AppState>, page: StaffPage, Form(f): Form<OrgForm>) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    let spec = match unit_spec(&f, page.locale) {
        Ok(spec) => spec,
        Err(message) => {
            let html = org_page(&s, &page, None, Some(("building", message, f))).await?;
            return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, html));
        }
    };
    match s.services.admin_add_building(&page.who, &f.project, &f.name, &spec).await {
        Ok(_) => Ok(redirect_done("/admin/org", "building_added")),
        Err(e) => org_refused(&s, &page, "building", e, f).await,
    }
}

pub async fn add_department(State(s): State<AppState>, page: StaffPage, Form(f): Form<OrgForm>) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    match s.services.admin_add_department(&page.who, &f.code, &f.name).await {
        Ok(_) => Ok(redirect_done("/admin/org", "department_added")),
        Err(e) => org_refused(&s, &page, "department", e, f).await,
    }
}

// ----- staff -----

#[derive(Serialize, Deserialize, Default, Clone)]
pub struct StaffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department: String,
}

#[derive(Serialize)]
struct StaffRow {
    id: i64,
    username: String,
    name: String,
    role: &'static str,
    department: Option<String>,
    department_name: Option<String>,
    has_password: bool,
}

/// A password generated just now, shown once.
#[derive(Serialize)]
struct Issued {
    username: String,
    name: String,
    password: String,
    /// True for a reset, false for a new account.
    reset: bool,
}

async fn staff_page(
    s: &AppState,
    page: &StaffPage,
    done: Option<&str>,
    issued: Option<Issued>,
    failed: Option<(String, StaffForm)>,
) -> Result<Html<String>, PageError> {
    let tree = s.services.admin_org(&page.who).await.map_err(|e| app_error(e, page.locale))?;
    let dept_name = |code: &Option<String>| {
        code.as_ref().and_then(|c| tree.snapshot.departments.iter().find(|d| &d.code == c)).map(|d| d.name.clone())
    };
    let rows: Vec<StaffRow> = tree
        .snapshot
        .staff
        .iter()
        .map(|st| StaffRow {
            id: st.id,
            username: st.username.clone(),
            name: st.display_name.clone(),
            role: st.role.as_str(),
            department: st.department.clone(),
            department_name: dept_name(&st.department),
            has_password: st.password_hash.is_some(),
        })
        .collect();
    let (error, form) = match failed {
        Some((message, form)) => (Some(message), form),
        None => (None, StaffForm { role: Role::FrontDesk.as_str().into(), ..StaffForm::default() }),
    };
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let ctx = page.base();
    render(
        "admin/staff.html",
        minijinja::context! {
            section => "staff",
            staff => val(&rows),
            roles => roles,
            departments => val(&tree.snapshot.departments),
            done => done,
            issued => issued.as_ref().map(val),
            error => error,
            form => val(&form),
            ..ctx
        },
    )
}

pub async fn staff(State(s): State<AppState>, page: StaffPage, Query(q): Query<Done>) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    staff_page(&s, &page, q.key(), None, None).await
}

pub async fn add_staff(State(s): State<AppState>, page: StaffPage, Form(f): Form<StaffForm>) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    let Ok(role) = f.role.parse::<Role>() else {
        let html = staff_page(&s, &page, None, None, Some((text(page.locale, "admin.staff.choose_role"), f))).await?;
        return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, html));
    };
    let department = Some(f.department.as_str()).filter(|d| !d.trim().is_empty());
    match s.services.admin_add_staff(&page.who, &f.username, &f.display_name, role, department).await {
        Ok(account) => {
            let issued = Issued { username: account.username, name: account.display_name, password: account.password, reset: false };
            Ok(no_store(staff_page(&s, &page, Some("staff_added"), Some(issued), None).await?))
        }
        Err(e) => {
            let (status, message) = refusal(e, page.locale)?;
            Ok(with_status(status, staff_page(&s, &page, None, None, Some((message, f))).await?))
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn reset_password(
    State(s): State<AppState>,
    page: StaffPage,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    let (staff, password) = s.services.admin_reset_password(&page.who, id).await.map_err(|e| app_error(e, page.locale))?;
    let issued = Issued { username: staff.username, name: staff.display_name, password, reset: true };
    Ok(no_store(staff_page(&s, &page, None, Some(issued), None).await?))
}

// ----- time limits and commitments -----

/// The limits in the order DOMAIN.md gives them (catalogue `admin.limit.*`).
const LIMIT_KEYS: [&str; 16] = [
    "dispatch",
    "delay_notice",
    "completion_report",
    "first_responder_update",
    "answer_single",
    "answer_multi",
    "callback",
    "callback_latest",
    "emergency_notify",
    "emergency_head",
    "emergency_leader",
    "written_report_leader",
    "written_report_board",
    "verification",
    "at_risk_percent",
    "extension_approver",
];

#[derive(Serialize)]
struct PolicyColumn {
    company: Option<String>,
    project: Option<String>,
}

#[derive(Serialize)]
struct LimitRow {
    key: &'static str,
    values: Vec<String>,
}

#[derive(Serialize)]
struct CommitmentRow {
    company: String,
    service: String,
    name: String,
    answer: String,
}

fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toml: String,
}

fn policy_page(
    s: &AppState,
    page: &StaffPage,
    done: Option<&str>,
    failed: Option<(String, String)>,
) -> Result<Html<String>, PageError> {
    let view = s.services.policy_view(&page.who).map_err(|e| app_error(e, page.locale))?;
    let columns: Vec<PolicyColumn> = view
        .effective
        .iter()
        .map(|p| PolicyColumn {
            company: p["company"].as_str().map(str::to_string),
            project: p["project"].as_str().map(str::to_string),
        })
        .collect();
    let rows: Vec<LimitRow> = LIMIT_KEYS
        .iter()
        .map(|k| LimitRow { key: k, values: view.effective.iter().map(|p| plain(&p["limits"][*k])).collect() })
        .collect();
    // Commitments are the company's: listed once per company (projects share them).
    let commitments: Vec<CommitmentRow> = view
        .effective
        .iter()
        .filter(|p| p["project"].is_null())
        .flat_map(|p| {
            let company = plain(&p["company"]);
            p["commitments"].as_array().cloned().unwrap_or_default().into_iter().map(move |c| CommitmentRow {
                company: company.clone(),
                service: plain(&c["service"]),
                name: plain(&c["name"]),
                answer: plain(&c["answer"]),
            })
        })
        .collect();
    let (error, text_shown) = match failed {
        Some((message, text)) => (Some(message), text),
        None => (None, view.toml.clone()),
    };
    let ctx = page.base();
    render(
        "admin/time_limits.html",
        minijinja::context! {
            section => "time_limits",
            toml => text_shown,
            columns => val(&columns),
            rows => val(&rows),
            commitments => val(&commitments),
            done => done,
            error => error,
            ..ctx
        },
    )
}

pub async fn time_limits(State(s): State<AppState>, page: StaffPage, Query(q): Query<Done>) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    policy_page(&s, &page, q.key(), None)
}

pub async fn save_time_limits(State(s): State<AppState>, page: StaffPage, Form(f): Form<PolicyForm>) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    // Browsers send textarea lines with CRLF; the document is kept with LF.
    let text = f.toml.replace("\r\n", "\n");
    match s.services.update_policy(&page.who, &text) {
        Ok(_) => Ok(redirect_done("/admin/time-limits", "saved")),
        Err(e) => {
            let (status, message) = refusal(e, page.locale)?;
            Ok(with_status(status, policy_page(&s, &page, None, Some((message, text)))?))
        }
    }
}

// ----- calendar -----

/// The most a calendar year file may weigh (a year is a few kilobytes).
const MAX_CALENDAR_BYTES: usize = 256 * 1024;

fn calendar_page(s: &AppState, page: &StaffPage, done: Option<&str>, failed: Option<(String, String)>) -> Result<Html<String>, PageError> {
    let years = s.services.admin_calendar_years(&page.who).map_err(|e| app_error(e, page.locale))?;
    let (error, content) = match failed {
        Some((message, content)) => (Some(message), content),
        None => (None, String::new()),
    };
    let ctx = page.base();
    render(
        "admin/calendar.html",
        minijinja::context! { section => "calendar", years => val(&years), done => done, error => error, content => content, ..ctx },
    )
}

pub async fn calendar(State(s): State<AppState>, page: StaffPage, Query(q): Query<Done>) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    calendar_page(&s, &page, q.key(), None)
}

/// The import form's fields: `csrf`, `content` (pasted) and `file` (uploaded).
#[derive(Default)]
struct CalendarUpload {
    csrf: String,
    content: String,
    file: Vec<u8>,
}

async fn read_calendar_form(mut mp: Multipart) -> Result<CalendarUpload, &'static str> {
    let mut up = CalendarUpload::default();
    let mut parts = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|_| "admin.calendar.unreadable")? {
        parts += 1;
        if parts > 8 {
            return Err("admin.calendar.unreadable");
        }
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| "admin.calendar.unreadable")? {
            if bytes.len() + chunk.len() > MAX_CALENDAR_BYTES {
                return Err("admin.calendar.too_big");
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf" => up.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "content" => up.content = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => up.file = bytes,
            _ => {}
        }
    }
    Ok(up)
}

pub async fn import_calendar(
    State(s): State<AppState>,
    page: StaffPage,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    admin_only(&page)?;
    let refused = |status: StatusCode, key: &str, content: String| -> Result<Response, PageError> {
        Ok(with_status(status, calendar_page(&s, &page, None, Some((text(page.locale, key), content)))?))
    };
    let Ok(mp) = mp else {
        return refused(StatusCode::BAD_REQUEST, "admin.calendar.unreadable", String::new());
    };
    let up = match read_calendar_form(mp).await {
        Ok(up) => up,
        Err(key) => return refused(StatusCode::UNPROCESSABLE_ENTITY, key, String::new()),
    };
    page.check_csrf(&up.csrf)?;
    // An uploaded file wins over the text area.
    let content = if !up.file.is_empty() {
        match String::from_utf8(up.file) {
            Ok(text) => text,
            Err(_) => return refused(StatusCode::UNPROCESSABLE_ENTITY, "admin.calendar.not_text", String::new()),
        }
    } else {
        up.content.replace("\r\n", "\n")
    };
    if content.trim().is_empty() {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "admin.calendar.empty", content);
    }
    match s.services.admin_import_calendar(&page.who, &content).await {
        Ok(_) => Ok(redirect_done("/admin/calendar", "imported")),
        Err(e) => {
            let (status, message) = refusal(e, page.locale)?;
            Ok(with_status(status, calendar_page(&s, &page, None, Some((message, content)))?))
        }
    }
}

// ----- notification deliveries -----

#[derive(Serialize)]
struct DeliveryRow {
    id: i64,
    route: String,
    status: &'static str,
    attempts: u32,
    last_error: Option<String>,
    kind: String,
    title: String,
    complaint_id: Option<i64>,
    created_at: String,
    next_attempt_at: Option<String>,
    delivered_at: Option<String>,
}

pub async fn deliveries(State(s): State<AppState>, page: StaffPage, Query(q): Query<Done>) -> Result<Html<String>, PageError> {
    admin_only(&page)?;
    let status = q.status.as_deref().and_then(DeliveryStatus::parse).unwrap_or(DeliveryStatus::Failed);
    let list = s.services.admin_deliveries(&page.who, Some(status), 200).await.map_err(|e| app_error(e, page.locale))?;
    let rows: Vec<DeliveryRow> = list
        .into_iter()
        .map(|d| DeliveryRow {
            id: d.id,
            route: d.route,
            status: d.status.as_str(),
            attempts: d.attempts,
            last_error: d.last_error,
            kind: d.notification.kind,
            title: d.notification.title,
            complaint_id: d.notification.complaint_id,
            created_at: d.notification.created_at.to_rfc3339(),
            next_attempt_at: d.next_attempt_at.map(|t| t.to_rfc3339()),
            delivered_at: d.delivered_at.map(|t| t.to_rfc3339()),
        })
        .collect();
    let ctx = page.base();
    render(
        "admin/deliveries.html",
        minijinja::context! {
            section => "deliveries",
            deliveries => val(&rows),
            status => status.as_str(),
            statuses => ["failed", "pending", "delivered"],
            done => q.key(),
            ..ctx
        },
    )
}

pub async fn retry_delivery(
    State(s): State<AppState>,
    page: StaffPage,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    admin_only(&page)?;
    page.check_csrf(&f.csrf)?;
    s.services.admin_retry_delivery(&page.who, id).await.map_err(|e| app_error(e, page.locale))?;
    Ok(redirect_done("/admin/deliveries", "retried"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_notices_are_shown() {
        let d = |s: &str| Done { done: Some(s.into()), status: None }.key();
        assert_eq!(d("saved"), Some("saved"));
        assert_eq!(d("<script>"), None);
        assert_eq!(Done::default().key(), None);
    }

    #[test]
    fn every_limit_and_notice_has_a_label() {
        let zh = &super::super::i18n::CATALOGUES[&Locale::ZhCn];
        for k in LIMIT_KEYS {
            assert!(zh.contains_key(&format!("admin.limit.{k}")), "admin.limit.{k}");
        }
        for k in DONE {
            assert!(zh.contains_key(&format!("admin.done.{k}")), "admin.done.{k}");
        }
        for r in Role::ALL {
            assert!(zh.contains_key(&format!("role.{}", r.as_str())));
        }
        for k in ["unreadable", "too_big", "not_text", "empty"] {
            assert!(zh.contains_key(&format!("admin.calendar.{k}")), "admin.calendar.{k}");
        }
    }

    #[test]
    fn a_building_is_a_grid_unless_a_list_is_chosen() {
        let f = OrgForm { layout: "grid".into(), floors: "18".into(), per_floor: " 4".into(), ..OrgForm::default() };
        assert_eq!(unit_spec(&f, Locale::ZhCn), Ok(UnitSpec::Grid { floors: 18, per_floor: 4 }));
        let f = OrgForm { layout: "list".into(), units: "101 102".into(), ..OrgForm::default() };
        assert_eq!(unit_spec(&f, Locale::ZhCn), Ok(UnitSpec::List("101 102".into())));
        let f = OrgForm { layout: "grid".into(), floors: "十八".into(), per_floor: "2".into(), ..OrgForm::default() };
        assert_eq!(unit_spec(&f, Locale::En), Err(text(Locale::En, "admin.org.not_a_number")));
    }
}
