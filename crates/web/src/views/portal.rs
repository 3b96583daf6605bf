//! The owners' portal: no account, mobile first, Chinese first.
//!
//! - `GET /p/{company}/{project}`: one page per project (the URL a lobby
//!   poster's QR code points to): describe the problem, choose building and
//!   unit, attach photos, leave name and phone. `POST` to the same URL
//!   (multipart) records it and shows a printable receipt with the tracking
//!   number and the committed answer time.
//! - `GET /track`, `POST /track`: tracking number + phone → the progress in
//!   plain words, the committed time, the department and its replies.
//! - `POST /track/act`: accept or reject the result, answer the callback.
//!
//! The forms are protected by a double-submit token: an HttpOnly,
//! SameSite=Strict cookie and a hidden field that must be equal; a mismatch
//! is refused (403) before anything is read into the services. Photos go to
//! the services, which check them by content and store them in the database:
//! nothing is ever written under a web root or served from one.

use super::i18n::{Locale, text};
use super::render::{render, urlencode, val};
use crate::AppState;
use crate::extract::ClientIp;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tousu_app::AppError;
use tousu_app::portal::{OwnerSubmission, Photo};
use tousu_app::views::OwnerTrackingView;
use tousu_domain::classification::CallbackMethod;
use tousu_domain::{Action, Channel, DomainError, Role};

/// The portal's routes. The submission reads its own (bounded) body, so the
/// router's 1 MB default does not apply to it.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{company}/{project}", get(project_page).post(submit).layer(DefaultBodyLimit::disable()))
        .route("/track", get(track_form).post(track_lookup))
        .route("/track/act", post(track_act))
}

// ---------------------------------------------------------------------------
// The form token (double-submit cookie).

/// The cookie holding the owner's form token.
pub const CSRF_COOKIE: &str = "tousu_owner_csrf";

/// 32 random bytes, hex.
const TOKEN_LEN: usize = 64;

fn new_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

/// The token in the request's cookie, when it is one we could have issued.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == TOKEN_LEN && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the hidden field carries the same token as the cookie.
fn token_matches(headers: &HeaderMap, field: Option<&str>) -> bool {
    match (cookie_token(headers), field) {
        (Some(cookie), Some(field)) => constant_time_eq(cookie.as_bytes(), field.trim().as_bytes()),
        _ => false,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token a page's forms carry: the visitor's own, or a new one with
/// the cookie that sets it.
struct FormToken {
    value: String,
    set_cookie: Option<HeaderValue>,
}

fn form_token(headers: &HeaderMap, secure: bool) -> FormToken {
    if let Some(value) = cookie_token(headers) {
        return FormToken { value, set_cookie: None };
    }
    // Without randomness no token can be issued; the form then fails the
    // check and says so, rather than accepting an empty token.
    let value = new_token().unwrap_or_default();
    let c = Cookie::build((CSRF_COOKIE, value.clone()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(cookie::time::Duration::days(7))
        .build();
    FormToken { value, set_cookie: HeaderValue::from_str(&c.to_string()).ok() }
}

// ---------------------------------------------------------------------------
// Pages and messages.

/// A portal page: never cached (it may carry the owner's phone), never framed.
fn page(name: &str, ctx: minijinja::Value, status: StatusCode, token: Option<&FormToken>) -> Response {
    let mut res = match render(name, ctx) {
        Ok(html) => (status, html).into_response(),
        Err(e) => return e.into_response(),
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    if let Some(cookie) = token.and_then(|t| t.set_cookie.clone()) {
        h.append(header::SET_COOKIE, cookie);
    }
    res
}

/// A catalogue text with `{name}` placeholders filled in.
fn msg(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let mut s = text(locale, key);
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// Prose the services write in Simplified Chinese (history, department,
/// resolution, refusals), shown in Traditional characters to zh-TW readers.
fn zh(locale: Locale, s: &str) -> String {
    if locale == Locale::ZhTw { hanconv::s2twp(s) } else { s.to_string() }
}

/// Why an owner's request failed, in the owner's language.
struct Failure {
    status: StatusCode,
    message: String,
    retry_after: Option<u64>,
}

impl Failure {
    fn new(status: StatusCode, message: String) -> Failure {
        Failure { status, message, retry_after: None }
    }
}

/// Maps a service error to what the owner reads; `None` for an internal
/// error (logged, shown as the error page).
fn failure(e: AppError, locale: Locale, config: &tousu_app::AppConfig) -> Option<Failure> {
    use StatusCode as S;
    let t = |key: &str| text(locale, key);
    let f = match e {
        AppError::RateLimited { retry_after_secs } => Failure {
            status: S::TOO_MANY_REQUESTS,
            message: msg(locale, "portal.error.rate_limited", &[("secs", retry_after_secs.to_string())]),
            retry_after: Some(retry_after_secs),
        },
        AppError::NotFound { .. } => Failure::new(S::NOT_FOUND, t("portal.error.not_found")),
        AppError::Unsupported { .. } => Failure::new(S::UNSUPPORTED_MEDIA_TYPE, t("portal.error.not_a_photo")),
        AppError::TooLarge { .. } => Failure::new(
            S::PAYLOAD_TOO_LARGE,
            msg(locale, "portal.error.photo_too_large", &[("mb", (config.max_file_bytes / 1024 / 1024).to_string())]),
        ),
        AppError::Busy => Failure::new(S::CONFLICT, t("portal.error.busy")),
        AppError::Domain(DomainError::NotAllowedInState { .. } | DomainError::AlreadyCalledBack) => {
            Failure::new(S::CONFLICT, t("portal.error.not_now"))
        }
        AppError::Domain(DomainError::Invalid { ref field, .. }) if field_key(field).is_some() => {
            let key = field_key(field).unwrap_or_default();
            let message = match key {
                "portal.error.too_many_photos" => msg(locale, key, &[("n", config.portal_max_photos.to_string())]),
                _ => t(key),
            };
            Failure::new(S::UNPROCESSABLE_ENTITY, message)
        }
        e @ (AppError::Store(_) | AppError::Internal(_)) => {
            // Logged once by the API error mapping; the owner learns nothing of it.
            let _ = crate::error::ApiError::from(e);
            return None;
        }
        other => {
            let api = crate::error::ApiError::from(other);
            let message = match locale {
                Locale::En => api.en,
                _ => zh(locale, &api.zh),
            };
            Failure::new(api.status, message)
        }
    };
    Some(f)
}

/// The owner-worded message for an invalid field, when there is one.
fn field_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "photos" => "portal.error.too_many_photos",
        "customer.phone" | "phone" => "portal.error.invalid_phone",
        "customer.name" => "portal.error.invalid_name",
        "description" => "portal.error.invalid_description",
        "building" => "portal.error.invalid_building",
        "unit" => "portal.error.invalid_unit",
        "tracking_no" => "portal.error.invalid_tracking_no",
        "reason" => "portal.error.reason_required",
        "perceived" | "expected" => "portal.error.invalid_score",
        _ => return None,
    })
}

/// The error page of the portal (unknown project, unreadable form, internal error).
fn problem_page(locale: Locale, status: StatusCode, title_key: &str, message: Option<String>, path: &str) -> Response {
    let ctx = minijinja::context! {
        locale => locale.code(),
        request_path => path,
        title_key => title_key,
        message => message,
        status => status.as_u16(),
    };
    page("portal/problem.html", ctx, status, None)
}

fn internal_page(locale: Locale, path: &str) -> Response {
    problem_page(locale, StatusCode::INTERNAL_SERVER_ERROR, "error.internal", None, path)
}

fn with_retry_after(mut res: Response, retry_after: Option<u64>) -> Response {
    if let Some(secs) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        res.headers_mut().insert(header::RETRY_AFTER, secs);
    }
    res
}

// ---------------------------------------------------------------------------
// The project's page and the submission.

/// What the owner typed, kept when the form comes back with an error.
#[derive(Debug, Default, Serialize)]
struct SubmitValues {
    building: String,
    unit: String,
    name: String,
    phone: String,
    description: String,
    remedy_sought: String,
}

impl SubmitValues {
    fn from_fields(fields: &HashMap<String, String>) -> SubmitValues {
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        SubmitValues {
            building: get("building"),
            unit: get("unit"),
            name: get("name"),
            phone: get("phone"),
            description: get("description"),
            remedy_sought: get("remedy_sought"),
        }
    }
}

/// Everything the project's form needs besides the visitor's values.
struct ProjectForm {
    company: tousu_store::Company,
    project: tousu_store::Project,
    action: String,
    /// The company's services published to everyone, with their committed times.
    commitments: Vec<tousu_domain::deadline::Commitment>,
}

/// A committed time in the visitor's words (24 小时内, 7 个工作日内).
fn span_words(locale: Locale, span: tousu_domain::deadline::Span) -> String {
    use tousu_domain::deadline::Span;
    let (key, n) = match span {
        Span::Minutes(n) => ("portal.commitments.minutes", n),
        Span::Hours(n) => ("portal.commitments.hours", n),
        Span::Days(n) => ("portal.commitments.days", n),
        Span::WorkingDays(n) => ("portal.commitments.working_days", n),
    };
    msg(locale, key, &[("n", n.to_string())])
}

impl ProjectForm {
    fn context(
        &self,
        locale: Locale,
        config: &tousu_app::AppConfig,
        token: &FormToken,
        values: &SubmitValues,
        error: Option<String>,
        photos_again: bool,
    ) -> minijinja::Value {
        // Every unit of the project, once: the suggestions without a script.
        let mut all_units: Vec<&str> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for u in self.project.buildings.iter().flat_map(|b| b.units.iter()) {
            if seen.insert(u.as_str()) {
                all_units.push(u.as_str());
            }
        }
        // The suggestions follow the building already chosen (or the only one).
        let chosen = self
            .project
            .buildings
            .iter()
            .position(|b| b.name == values.building)
            .or_else(|| (self.project.buildings.len() == 1).then_some(0));
        let selected_building = chosen.map(|i| self.project.buildings[i].name.clone()).unwrap_or_default();
        let unit_list = chosen.map(|i| format!("units-{}", i + 1)).unwrap_or_else(|| "units-all".to_string());
        let max_mb = (config.max_file_bytes / 1024 / 1024).to_string();
        let commitments: Vec<minijinja::Value> = self
            .commitments
            .iter()
            .map(|c| minijinja::context! { name => &c.name, answer => span_words(locale, c.answer) })
            .collect();
        minijinja::context! {
            commitments => commitments,
            locale => locale.code(),
            request_path => &self.action,
            action => &self.action,
            company_name => &self.company.name,
            project => minijinja::context! { code => &self.project.code, name => &self.project.name },
            buildings => val(&self.project.buildings),
            all_units => val(&all_units),
            selected_building => selected_building,
            unit_list => unit_list,
            form => val(values),
            error => error,
            photos_again => photos_again,
            csrf => &token.value,
            max_photos => config.portal_max_photos,
            photos_hint => msg(locale, "portal.photos_hint", &[("n", config.portal_max_photos.to_string()), ("mb", max_mb)]),
            too_many_photos => msg(locale, "portal.error.too_many_photos", &[("n", config.portal_max_photos.to_string())]),
        }
    }
}

/// The company and project of a portal URL, or the page to answer instead.
async fn project_form(s: &AppState, company: &str, project: &str, locale: Locale) -> Result<ProjectForm, Response> {
    let path = format!("/p/{}/{}", urlencode(company), urlencode(project));
    match s.services.portal_project(company, project).await {
        Ok((company, project)) => {
            let action = format!("/p/{}/{}", urlencode(&company.code), urlencode(&project.code));
            let commitments = s.services.published_services(&company.code);
            Ok(ProjectForm { company, project, action, commitments })
        }
        Err(AppError::NotFound { .. }) => Err(problem_page(
            locale,
            StatusCode::NOT_FOUND,
            "portal.not_found_title",
            Some(text(locale, "portal.not_found_lead")),
            &path,
        )),
        Err(e) => {
            let _ = crate::error::ApiError::from(e);
            Err(internal_page(locale, &path))
        }
    }
}

/// `GET /p/{company}/{project}`: the form.
async fn project_page(State(s): State<AppState>, Path((company, project)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let locale = Locale::from_headers(&headers);
    let form = match project_form(&s, &company, &project, locale).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let config = s.services.config();
    let token = form_token(&headers, config.secure_cookies);
    let ctx = form.context(locale, config, &token, &SubmitValues::default(), None, false);
    page("portal/submit.html", ctx, StatusCode::OK, Some(&token))
}

/// The largest text field read from the form (the description is at most
/// 10,000 characters).
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;
/// Parts read from one form before it is refused.
const MAX_PARTS: usize = 64;

/// A multipart form, read with every size bounded.
#[derive(Default)]
struct Upload {
    fields: HashMap<String, String>,
    photos: Vec<Photo>,
}

enum UploadError {
    /// Not a form we can read (400).
    Unreadable,
    /// Over the bounds (413).
    TooBig,
}

/// Reads the form. Photos beyond one over the limit are counted but not
/// kept, and a photo is kept to one byte over the size limit, so the
/// services refuse them with their own message while memory stays bounded.
async fn read_upload(mut mp: Multipart, max_photos: usize, max_file_bytes: usize) -> Result<Upload, UploadError> {
    let mut up = Upload::default();
    let mut parts = 0;
    let total_limit = (max_photos + 1).saturating_mul(max_file_bytes + 1).saturating_add(1024 * 1024);
    let mut total = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(|_| UploadError::Unreadable)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(UploadError::TooBig);
        }
        let name = field.name().unwrap_or_default().to_string();
        let is_photo = name == "photos";
        let file_name = field.file_name().unwrap_or_default().to_string();
        let keep_photo = is_photo && up.photos.len() <= max_photos;
        let limit = if is_photo { max_file_bytes + 1 } else { MAX_TEXT_FIELD_BYTES };
        let mut bytes: Vec<u8> = Vec::new();
        let mut seen = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(|_| UploadError::Unreadable)? {
            seen += chunk.len();
            total += chunk.len();
            if total > total_limit {
                return Err(UploadError::TooBig);
            }
            if !is_photo && seen > MAX_TEXT_FIELD_BYTES {
                return Err(UploadError::TooBig);
            }
            if (keep_photo || !is_photo) && bytes.len() < limit {
                let room = limit - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
        }
        if is_photo {
            // An empty file input sends an empty part: no photo chosen.
            if seen == 0 {
                continue;
            }
            if keep_photo {
                up.photos.push(Photo { name: file_name, bytes });
            }
        } else if !name.is_empty() {
            let value = String::from_utf8_lossy(&bytes).into_owned();
            up.fields.entry(name).or_insert(value);
        }
    }
    Ok(up)
}

/// `POST /p/{company}/{project}`: records the complaint and shows the receipt.
async fn submit(
    State(s): State<AppState>,
    Path((company, project)): Path<(String, String)>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let locale = Locale::from_headers(&headers);
    let form = match project_form(&s, &company, &project, locale).await {
        Ok(f) => f,
        Err(res) => return res,
    };
    let config = s.services.config();
    let unreadable = |status: StatusCode, key: &str| {
        problem_page(locale, status, "error.refused", Some(text(locale, key)), &form.action)
    };
    let Ok(mp) = mp else {
        return unreadable(StatusCode::BAD_REQUEST, "portal.bad_request");
    };
    let upload = match read_upload(mp, config.portal_max_photos, config.max_file_bytes).await {
        Ok(u) => u,
        Err(UploadError::Unreadable) => return unreadable(StatusCode::BAD_REQUEST, "portal.bad_request"),
        Err(UploadError::TooBig) => return unreadable(StatusCode::PAYLOAD_TOO_LARGE, "portal.error.too_big"),
    };
    let values = SubmitValues::from_fields(&upload.fields);
    let photos_chosen = !upload.photos.is_empty();
    let token = form_token(&headers, config.secure_cookies);
    if !token_matches(&headers, upload.fields.get("csrf").map(String::as_str)) {
        let ctx = form.context(locale, config, &token, &values, Some(text(locale, "portal.error.csrf")), photos_chosen);
        return page("portal/submit.html", ctx, StatusCode::FORBIDDEN, Some(&token));
    }
    let wechat = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ua| ua.contains("MicroMessenger"));
    let submission = OwnerSubmission {
        company: form.company.code.clone(),
        project: form.project.code.clone(),
        building: values.building.clone(),
        unit: values.unit.clone(),
        name: values.name.clone(),
        phone: values.phone.clone(),
        description: values.description.clone(),
        subject: None,
        remedy_sought: Some(values.remedy_sought.trim().to_string()).filter(|r| !r.is_empty()),
        channel: if wechat { Channel::Wechat } else { Channel::Web },
        photos: upload.photos,
    };
    match s.services.owner_submit(ip, submission).await {
        Ok(receipt) => {
            let ctx = minijinja::context! {
                locale => locale.code(),
                request_path => &form.action,
                action => &form.action,
                company_name => &form.company.name,
                project => minijinja::context! { code => &form.project.code, name => &form.project.name },
                building => &values.building,
                unit => &values.unit,
                receipt => val(&receipt),
                received_at => val(&s.services.now()),
                photos_text => msg(locale, "portal.receipt_photos", &[("n", receipt.photos.to_string())]),
                // Percent-encoded: nothing in it needs escaping as HTML.
                track_url => format!("/track?no={}", urlencode(&receipt.tracking_no)),
            };
            page("portal/receipt.html", ctx, StatusCode::OK, Some(&token))
        }
        Err(e) => match failure(e, locale, config) {
            Some(f) => {
                let ctx = form.context(locale, config, &token, &values, Some(f.message), photos_chosen);
                with_retry_after(page("portal/submit.html", ctx, f.status, Some(&token)), f.retry_after)
            }
            None => internal_page(locale, &form.action),
        },
    }
}

// ---------------------------------------------------------------------------
// Following a complaint.

#[derive(Debug, Default, Deserialize)]
struct TrackQuery {
    #[serde(default)]
    no: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct TrackForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tracking_no: String,
    #[serde(default)]
    phone: String,
}

/// What the owner filled in on an action's form (kept on an error).
#[derive(Debug, Default, Deserialize, Serialize)]
struct ActForm {
    #[serde(default, skip_serializing)]
    csrf: String,
    #[serde(default)]
    tracking_no: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    perceived: String,
    #[serde(default)]
    expected: String,
    #[serde(default)]
    comment: String,
}

/// One step of the history as the owner reads it, in their language.
#[derive(Debug, Serialize)]
struct HistoryLine {
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    text: String,
    /// The original (Chinese) wording, under an English summary.
    detail: Option<String>,
}

/// The owner's view, worded for the page's language.
#[derive(Debug, Serialize)]
struct TrackPage {
    tracking_no: String,
    status: &'static str,
    status_text: String,
    project: String,
    building: String,
    received_at: chrono::DateTime<chrono::Utc>,
    committed_at: Option<chrono::DateTime<chrono::Utc>>,
    department: Option<String>,
    resolution: Option<String>,
    can_accept: bool,
    can_reject: bool,
    can_callback: bool,
    history: Vec<HistoryLine>,
}

/// Who acted, as the owner may know it: a role, 业主 or 系统.
fn actor_label(locale: Locale, actor: &str) -> String {
    if let Some(role) = Role::ALL.into_iter().find(|r| r.label_zh() == actor) {
        return text(locale, &format!("role.{}", role.as_str()));
    }
    match actor {
        "业主" => text(locale, "portal.actor.owner"),
        "系统" => text(locale, "portal.actor.system"),
        // Never a name: an actor we do not know is shown as the service centre.
        _ => text(locale, "role.front_desk"),
    }
}

impl TrackPage {
    fn new(v: OwnerTrackingView, locale: Locale) -> TrackPage {
        let history = v
            .history
            .iter()
            .rev()
            .map(|e| {
                let (text_, detail) = match locale {
                    Locale::ZhCn => (e.text.clone(), None),
                    Locale::ZhTw => (zh(locale, &e.text), None),
                    Locale::En => (text(locale, &format!("portal.event.{}", e.kind)), Some(e.text.clone())),
                };
                HistoryLine { at: e.at, actor: actor_label(locale, e.actor), text: text_, detail }
            })
            .collect();
        let can = |a: &str| v.available_actions.contains(&a);
        TrackPage {
            status: v.status.as_str(),
            status_text: text(locale, &format!("portal.status.{}", v.status.as_str())),
            // Names as the organisation spells them (the owner chose them so).
            project: v.project.clone(),
            building: v.building.clone(),
            received_at: v.received_at,
            committed_at: v.committed_at,
            department: v.department.as_deref().map(|d| zh(locale, d)),
            resolution: v.resolution.as_deref().map(|r| zh(locale, r)),
            can_accept: can("accept_result"),
            can_reject: can("reject_result"),
            can_callback: can("callback"),
            history,
            tracking_no: v.tracking_no,
        }
    }
}

fn track_form_page(
    locale: Locale,
    token: &FormToken,
    tracking_no: &str,
    phone: &str,
    error: Option<Failure>,
) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, |f| f.status);
    let retry_after = error.as_ref().and_then(|f| f.retry_after);
    let ctx = minijinja::context! {
        locale => locale.code(),
        request_path => "/track",
        csrf => &token.value,
        tracking_no => tracking_no,
        phone => phone,
        error => error.map(|f| f.message),
    };
    with_retry_after(page("portal/track_form.html", ctx, status, Some(token)), retry_after)
}

#[allow(clippy::too_many_arguments)]
fn track_view_page(
    locale: Locale,
    token: &FormToken,
    view: OwnerTrackingView,
    phone: &str,
    notice: Option<String>,
    error: Option<Failure>,
    kept: Option<&ActForm>,
) -> Response {
    let status = error.as_ref().map_or(StatusCode::OK, |f| f.status);
    let retry_after = error.as_ref().and_then(|f| f.retry_after);
    let ctx = minijinja::context! {
        locale => locale.code(),
        request_path => "/track",
        csrf => &token.value,
        phone => phone,
        company_name => view.company.clone(),
        v => val(&TrackPage::new(view, locale)),
        notice => notice,
        error => error.map(|f| f.message),
        kept => kept.map(val),
        scores => (1..=10).collect::<Vec<u8>>(),
    };
    with_retry_after(page("portal/track_view.html", ctx, status, Some(token)), retry_after)
}

/// `GET /track[?no=…]`: the form (the receipt links here with the number).
async fn track_form(headers: HeaderMap, State(s): State<AppState>, q: Result<Query<TrackQuery>, axum::extract::rejection::QueryRejection>) -> Response {
    let locale = Locale::from_headers(&headers);
    let token = form_token(&headers, s.services.config().secure_cookies);
    let no = q.ok().and_then(|q| q.0.no).unwrap_or_default();
    track_form_page(locale, &token, no.trim(), "", None)
}

/// `POST /track`: the progress.
async fn track_lookup(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<TrackForm>, FormRejection>,
) -> Response {
    let locale = Locale::from_headers(&headers);
    let config = s.services.config();
    let token = form_token(&headers, config.secure_cookies);
    let Ok(Form(f)) = form else {
        return problem_page(locale, StatusCode::BAD_REQUEST, "error.refused", Some(text(locale, "portal.bad_request")), "/track");
    };
    if !token_matches(&headers, Some(&f.csrf)) {
        let refusal = Failure::new(StatusCode::FORBIDDEN, text(locale, "portal.error.csrf"));
        return track_form_page(locale, &token, &f.tracking_no, &f.phone, Some(refusal));
    }
    match s.services.track(ip, &f.tracking_no, &f.phone).await {
        Ok(view) => track_view_page(locale, &token, view, &f.phone, None, None, None),
        Err(e) => match failure(e, locale, config) {
            Some(fail) => track_form_page(locale, &token, &f.tracking_no, &f.phone, Some(fail)),
            None => internal_page(locale, "/track"),
        },
    }
}

/// The action an owner's form asks for, or the message to show.
fn owner_action(f: &ActForm, locale: Locale) -> Result<Action, Failure> {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    match f.action.as_str() {
        "accept_result" => Ok(Action::AcceptResult { note: opt(&f.note) }),
        "reject_result" => Ok(Action::RejectResult { reason: f.reason.clone() }),
        "callback" => {
            let score = |s: &str| s.trim().parse::<u8>().ok().filter(|n| (1..=10).contains(n));
            match (score(&f.perceived), score(&f.expected)) {
                (Some(perceived), Some(expected)) => Ok(Action::Callback {
                    perceived,
                    expected,
                    comment: opt(&f.comment),
                    method: Some(CallbackMethod::Message),
                }),
                _ => Err(Failure::new(StatusCode::UNPROCESSABLE_ENTITY, text(locale, "portal.error.invalid_score"))),
            }
        }
        _ => Err(Failure::new(StatusCode::BAD_REQUEST, text(locale, "portal.bad_request"))),
    }
}

/// `POST /track/act`: the owner's action, then the progress as it now stands.
async fn track_act(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<ActForm>, FormRejection>,
) -> Response {
    let locale = Locale::from_headers(&headers);
    let config = s.services.config();
    let token = form_token(&headers, config.secure_cookies);
    let Ok(Form(f)) = form else {
        return problem_page(locale, StatusCode::BAD_REQUEST, "error.refused", Some(text(locale, "portal.bad_request")), "/track");
    };
    if !token_matches(&headers, Some(&f.csrf)) {
        let refusal = Failure::new(StatusCode::FORBIDDEN, text(locale, "portal.error.csrf"));
        return track_form_page(locale, &token, &f.tracking_no, "", Some(refusal));
    }
    let result = match owner_action(&f, locale) {
        Ok(action) => {
            let name = action.name();
            s.services
                .owner_act(ip, &f.tracking_no, &f.phone, action)
                .await
                .map(|view| (view, text(locale, &format!("portal.done.{name}"))))
                .map_err(|e| failure(e, locale, config))
        }
        Err(refusal) => Err(Some(refusal)),
    };
    match result {
        Ok((view, notice)) => track_view_page(locale, &token, view, &f.phone, Some(notice), None, None),
        Err(None) => internal_page(locale, "/track"),
        // Not found or rate-limited: back to the form.
        Err(Some(fail)) if matches!(fail.status, StatusCode::NOT_FOUND | StatusCode::TOO_MANY_REQUESTS) => {
            track_form_page(locale, &token, &f.tracking_no, "", Some(fail))
        }
        // Refused: the progress again, with the reason and what was typed.
        Err(Some(fail)) => match s.services.track(ip, &f.tracking_no, &f.phone).await {
            Ok(view) => track_view_page(locale, &token, view, &f.phone, None, Some(fail), Some(&f)),
            Err(e) => match failure(e, locale, config) {
                Some(other) => track_form_page(locale, &token, &f.tracking_no, "", Some(other)),
                None => internal_page(locale, "/track"),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::i18n::CATALOGUES;

    /// Keys the portal builds at run time, and every literal key in this file.
    fn keys_used() -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for s in tousu_domain::Status::ALL {
            keys.push(format!("portal.status.{}", s.as_str()));
        }
        for kind in OWNER_EVENT_KINDS {
            keys.push(format!("portal.event.{kind}"));
        }
        for a in ["accept_result", "reject_result", "callback"] {
            keys.push(format!("portal.done.{a}"));
        }
        for r in Role::ALL {
            keys.push(format!("role.{}", r.as_str()));
        }
        let source = include_str!("portal.rs");
        for (i, _) in source.match_indices("\"portal.") {
            let rest = &source[i + 1..];
            if let Some(end) = rest.find('"') {
                let key = &rest[..end];
                // Not a key: the file name above.
                if !key.contains('{') && !key.ends_with('.') && key != "portal.rs" {
                    keys.push(key.to_string());
                }
            }
        }
        keys.push("error.internal".into());
        keys.push("error.refused".into());
        keys
    }

    /// The event types an owner may see (`owner_view::owner_event`).
    const OWNER_EVENT_KINDS: [&str; 19] = [
        "received",
        "confirmed",
        "invalidated",
        "assessed",
        "investigated",
        "dispatched",
        "accepted",
        "delay_reported",
        "resolved",
        "result_accepted",
        "result_rejected",
        "closed",
        "callback_recorded",
        "deadline_breached",
        "escalated",
        "extension_decided",
        "urged",
        "paused",
        "resumed",
    ];

    #[test]
    fn every_key_the_portal_builds_is_in_every_catalogue() {
        let keys = keys_used();
        assert!(keys.len() > 40, "{keys:?}");
        for locale in Locale::ALL {
            let cat = &CATALOGUES[&locale];
            let missing: Vec<_> = keys.iter().filter(|k| !cat.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.code());
        }
    }

    #[test]
    fn the_chinese_progress_words_are_the_services_own() {
        for s in tousu_domain::Status::ALL {
            assert_eq!(text(Locale::ZhCn, &format!("portal.status.{}", s.as_str())), s.owner_text_zh());
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let m = msg(Locale::ZhCn, "portal.error.too_many_photos", &[("n", "6".into())]);
        assert!(m.contains('6') && !m.contains("{n}"), "{m}");
        let m = msg(Locale::En, "portal.error.rate_limited", &[("secs", "42".into())]);
        assert!(m.contains("42") && !m.contains('{'), "{m}");
    }

    #[test]
    fn actors_are_roles_never_names() {
        assert_eq!(actor_label(Locale::ZhCn, "客服"), text(Locale::ZhCn, "role.front_desk"));
        assert_eq!(actor_label(Locale::En, "处理人员"), "Handler");
        assert_eq!(actor_label(Locale::En, "业主"), text(Locale::En, "portal.actor.owner"));
        assert_eq!(actor_label(Locale::ZhCn, "李强"), text(Locale::ZhCn, "role.front_desk"));
    }

    #[test]
    fn simplified_text_reads_in_traditional_for_zh_tw() {
        assert_eq!(zh(Locale::ZhTw, "已转交工程部处理。"), "已轉交工程部處理。");
        assert_eq!(zh(Locale::ZhCn, "已转交工程部处理。"), "已转交工程部处理。");
    }

    #[test]
    fn the_form_token_must_match_the_cookie() {
        let token = new_token().unwrap();
        let mut h = HeaderMap::new();
        assert!(!token_matches(&h, Some(&token)), "no cookie");
        h.insert(header::COOKIE, format!("{CSRF_COOKIE}={token}").parse().unwrap());
        assert!(token_matches(&h, Some(&token)));
        assert!(!token_matches(&h, Some(&new_token().unwrap())));
        assert!(!token_matches(&h, Some("")));
        assert!(!token_matches(&h, None));
        let reused = form_token(&h, false);
        assert_eq!(reused.value, token);
        assert!(reused.set_cookie.is_none());
        let fresh = form_token(&HeaderMap::new(), true);
        let cookie = fresh.set_cookie.unwrap().to_str().unwrap().to_string();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"), "{cookie}");
    }
}
