//! The owners' portal, as a phone's browser speaks to it: the project's
//! page (multipart with photos, double-submit form token), the receipt, and
//! following the complaint with its number and phone (accept, reject,
//! callback). Pages in Simplified Chinese by default, Traditional Chinese
//! and English by the language cookie.

use crate::helpers::*;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tousu_app::AppConfig;
use tousu_domain::{Role, Status, TrackingNo};

const PAGE: &str = "/p/HTWY/JYHY";

/// A browser of its own (its own cookie jar).
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

/// The hidden form token of a page.
fn token_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).unwrap_or_else(|| panic!("no form token in {html}")) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// The text of the element carrying `data-testid="{id}"` (tags removed).
fn testid(html: &str, id: &str) -> Option<String> {
    let marker = format!("data-testid=\"{id}\"");
    let start = html.find(&marker)?;
    let open_end = start + html[start..].find('>')? + 1;
    let mut depth = 0usize;
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html[open_end..].chars() {
        match c {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                if tag.starts_with('/') {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                } else if !tag.ends_with('/') && !tag.starts_with("input") && !tag.starts_with("br") {
                    depth += 1;
                }
            }
            _ if in_tag => tag.push(c),
            _ => out.push(c),
        }
    }
    Some(out.trim().to_string())
}

/// A part of a multipart form: a field or a file.
enum Part<'a> {
    Field(&'a str, &'a str),
    File(&'a str, &'a str, &'a str, Vec<u8>),
}

/// A `multipart/form-data` body, as a browser sends it.
fn multipart(parts: &[Part]) -> (String, Vec<u8>) {
    let boundary = "----tousuPortalTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match p {
            Part::Field(name, value) => {
                body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
                body.extend_from_slice(value.as_bytes());
            }
            Part::File(name, file_name, content_type, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The first bytes of an iPhone photo: an ISO-BMFF `ftyp` box of brand
/// `heic` (compatible `mif1`, `heic`), then the start of its `meta` box.
fn heic_header() -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0x18];
    b.extend_from_slice(b"ftypheic");
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(b"mif1heic");
    b.extend_from_slice(&[0, 0, 0, 0x22]);
    b.extend_from_slice(b"meta");
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0x21]);
    b.extend_from_slice(b"hdlr");
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(b"pict");
    b.extend_from_slice(&[0; 13]);
    b
}

/// The owner's fields of a valid submission (building 3栋, unit 1801).
fn owner_fields<'a>(token: &'a str) -> Vec<Part<'a>> {
    vec![
        Part::Field("csrf", token),
        Part::Field("description", "3栋1801卫生间顶上滴水，已经一周了，请尽快处理。"),
        Part::Field("building", "3栋"),
        Part::Field("unit", "1801"),
        Part::Field("name", "张三丰"),
        Part::Field("phone", "138 1234 5678"),
        Part::Field("remedy_sought", "彻底修好"),
    ]
}

struct Portal<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
}

impl<'a> Portal<'a> {
    fn new(app: &'a TestApp) -> Portal<'a> {
        Portal { app, client: browser() }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let res = self.client.get(self.app.url(path)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// The project page's form token (sets the cookie).
    async fn token(&self) -> String {
        let (status, html) = self.get(PAGE).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        token_of(&html)
    }

    async fn post_multipart(&self, path: &str, parts: &[Part<'_>], user_agent: Option<&str>) -> Response {
        let (content_type, body) = multipart(parts);
        let mut req = self.client.post(self.app.url(path)).header("content-type", content_type).body(body);
        if let Some(ua) = user_agent {
            req = req.header("user-agent", ua);
        }
        req.send().await.unwrap()
    }

    async fn submit(&self, parts: &[Part<'_>]) -> (StatusCode, String) {
        let res = self.post_multipart(PAGE, parts, None).await;
        (res.status(), res.text().await.unwrap())
    }

    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let res = self.client.post(self.app.url(path)).form(form).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// `POST /track` with the page's own token.
    async fn track(&self, tracking_no: &str, phone: &str) -> (StatusCode, String) {
        let (status, form) = self.get(&format!("/track?no={tracking_no}")).await;
        assert_eq!(status, StatusCode::OK);
        let token = token_of(&form);
        self.post_form("/track", &[("csrf", &token), ("tracking_no", tracking_no), ("phone", phone)]).await
    }

    /// `POST /track/act` with the token of the progress page's forms (of
    /// the track form when the page has none left).
    async fn act(&self, progress: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let token = if progress.contains("name=\"csrf\"") {
            token_of(progress)
        } else {
            token_of(&self.get("/track").await.1)
        };
        let mut form: Vec<(&str, &str)> = vec![("csrf", &token)];
        form.extend_from_slice(fields);
        self.post_form("/track/act", &form).await
    }
}

fn tracking_no_of(receipt: &str) -> String {
    let no = testid(receipt, "tracking-no").unwrap_or_else(|| panic!("no tracking number in {receipt}"));
    assert!(no.starts_with("TS") && no.len() >= 13, "{no}");
    no
}

async fn complaints(app: &TestApp) -> Vec<Value> {
    let desk = app.token(Role::FrontDesk).await;
    let page: Value = app.get(&desk, "/api/v1/complaints?limit=100").await.json().await.unwrap();
    page["items"].as_array().unwrap_or_else(|| panic!("{page}")).clone()
}

async fn complaint_by_no(app: &TestApp, no: &str) -> Value {
    let desk = app.token(Role::FrontDesk).await;
    let list = complaints(app).await;
    let id = list.iter().find(|c| c["tracking_no"] == no).unwrap_or_else(|| panic!("{no} not in {list:?}"))["id"]
        .as_i64()
        .unwrap();
    app.complaint(&desk, id).await
}

fn lots_of_submissions() -> AppConfig {
    AppConfig { portal_submissions_per_hour: 10_000, ..AppConfig::default() }
}

#[tokio::test]
async fn an_owner_submits_with_photos_from_the_project_page_and_reads_the_tracking_number() {
    let app = spawn_app_with(lots_of_submissions()).await;
    let portal = Portal::new(&app);

    let res = portal.client.get(app.url(PAGE)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers().get("set-cookie").expect("a form token cookie").to_str().unwrap().to_string();
    assert!(cookie.starts_with("tousu_owner_csrf="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "{cookie}");
    assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"), "Chinese first");
    assert!(html.contains("我要投诉") && html.contains("锦园华苑"), "{html}");
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains(r#"accept="image/*" multiple capture"#), "a camera input for photos");
    for building in ["1栋", "2栋", "3栋"] {
        assert!(html.contains(&format!("<option value=\"{building}\"")), "{building}");
    }
    assert!(html.contains("<datalist id=\"units-3\">") && html.contains("<option value=\"1801\">"), "units follow the building");
    assert!(html.contains("list=\"units-all\""), "without a script every unit is suggested");

    let token = token_of(&html);
    let mut parts = owner_fields(&token);
    parts.push(Part::File("photos", "漏水.png", "image/png", TINY_PNG.to_vec()));
    parts.push(Part::File("photos", "IMG_0042.HEIC", "image/heic", heic_header()));
    // An empty file input: no photo chosen there.
    parts.push(Part::File("photos", "", "application/octet-stream", Vec::new()));
    let (status, receipt) = portal.submit(&parts).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let no = tracking_no_of(&receipt);
    let committed = testid(&receipt, "committed").unwrap();
    assert!(committed.starts_with("20") && committed.len() == 16, "the committed answer time: {committed}");
    assert!(receipt.contains(&format!("href=\"/track?no={no}\"")), "a link to follow it");
    assert!(receipt.contains("3栋 1801") && receipt.contains("已上传 2 张"), "{receipt}");
    assert!(receipt.contains("data-print"), "a printable receipt");

    let c = complaint_by_no(&app, &no).await;
    assert_eq!(c["channel"], "web");
    assert_eq!(c["status"], "received");
    assert_eq!(c["building"], "3栋");
    assert_eq!(c["unit"], "1***", "masked for staff, as any complaint");
    let stored = app.services.store().find_complaints_by_tracking_no(&TrackingNo::parse(&no).unwrap()).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].unit, "1801");
    assert_eq!(stored[0].customer.phone.as_str(), "13812345678");
    assert_eq!(c["remedy_sought"], "彻底修好");
    let history = c["history"].as_array().unwrap();
    assert_eq!(history[0]["type"], "received");
    assert_eq!(history[0]["actor"]["kind"], "owner", "{}", history[0]);
    let evidence = history_of(&c, "evidence_attached");
    assert_eq!(evidence.len(), 2, "{history:?}");
    for e in &evidence {
        assert_eq!(e["actor"]["kind"], "owner", "{e}");
    }
    assert_eq!(evidence[0]["payload"]["content_type"], "image/png");
    assert_eq!(evidence[0]["payload"]["sha256"], TINY_PNG_SHA256);
    assert_eq!(evidence[1]["payload"]["content_type"], "image/heif");
    assert_eq!(c["evidence"].as_array().unwrap().len(), 2);

    // The photo is kept byte for byte in the database and served only to staff, as an attachment.
    let desk = app.token(Role::FrontDesk).await;
    let file_id = evidence[0]["payload"]["id"].as_i64().unwrap();
    let res = app.get(&desk, &format!("/api/v1/files/{file_id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG.as_slice());
    let res = portal.client.get(app.url(&format!("/api/v1/files/{file_id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "not to the public");

    // From WeChat's browser the channel is WeChat.
    let token = portal.token().await;
    let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47";
    let res = portal.post_multipart(PAGE, &owner_fields(&token), Some(ua)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let no = tracking_no_of(&res.text().await.unwrap());
    assert_eq!(complaint_by_no(&app, &no).await["channel"], "wechat");
}

#[tokio::test]
async fn a_text_file_named_like_a_photo_is_refused_the_values_are_kept_and_nothing_is_recorded() {
    let app = spawn_app_with(lots_of_submissions()).await;
    let portal = Portal::new(&app);
    let token = portal.token().await;
    let mut parts = owner_fields(&token);
    parts.push(Part::File("photos", "photo.jpg", "image/jpeg", b"#!/bin/sh\necho not a photo\n".to_vec()));
    let (status, html) = portal.submit(&parts).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{html}");
    assert!(testid(&html, "error").unwrap().contains("只能上传照片"), "{html}");
    assert!(testid(&html, "photos-again").unwrap().contains("重新选择照片"), "the owner is told to choose photos again");
    assert!(html.contains("3栋1801卫生间顶上滴水"), "the description is kept");
    assert!(html.contains("value=\"张三丰\"") && html.contains("value=\"138 1234 5678\""), "name and phone are kept");
    assert!(html.contains("<option value=\"3栋\" data-list=\"units-3\" selected>"), "the building is kept");
    assert!(html.contains("list=\"units-3\""), "the unit suggestions follow the kept building");
    assert!(complaints(&app).await.is_empty(), "nothing recorded");
}

#[tokio::test]
async fn seven_photos_are_refused_and_nothing_is_recorded() {
    let app = spawn_app_with(lots_of_submissions()).await;
    let portal = Portal::new(&app);
    let token = portal.token().await;
    let mut parts = owner_fields(&token);
    for i in 0..7 {
        parts.push(Part::File("photos", if i % 2 == 0 { "a.png" } else { "b.png" }, "image/png", TINY_PNG.to_vec()));
    }
    let (status, html) = portal.submit(&parts).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert_eq!(testid(&html, "error").unwrap(), "最多上传 6 张照片。");
    assert!(complaints(&app).await.is_empty());

    // Six are fine.
    let mut parts = owner_fields(&token);
    for _ in 0..6 {
        parts.push(Part::File("photos", "a.png", "image/png", TINY_PNG.to_vec()));
    }
    let (status, html) = portal.submit(&parts).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let c = complaint_by_no(&app, &tracking_no_of(&html)).await;
    assert_eq!(c["evidence"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn a_photo_over_the_size_limit_is_refused() {
    let config = AppConfig { max_file_bytes: 1024, ..lots_of_submissions() };
    let app = spawn_app_with(config).await;
    let portal = Portal::new(&app);
    let token = portal.token().await;
    let mut big = TINY_PNG.to_vec();
    big.resize(4096, 0);
    let mut parts = owner_fields(&token);
    parts.push(Part::File("photos", "big.png", "image/png", big));
    let (status, html) = portal.submit(&parts).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{html}");
    assert!(testid(&html, "error").unwrap().contains("照片过大"), "{html}");
    assert!(complaints(&app).await.is_empty());
}

#[tokio::test]
async fn a_form_without_the_matching_token_is_refused_and_nothing_is_written() {
    let app = spawn_app_with(lots_of_submissions()).await;
    let portal = Portal::new(&app);
    let token = portal.token().await;

    // A wrong token with the visitor's cookie.
    let wrong = "0".repeat(64);
    let (status, html) = portal.submit(&owner_fields(&wrong)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(testid(&html, "error").unwrap().contains("页面已过期"), "{html}");
    assert!(html.contains("3栋1801卫生间顶上滴水"), "what was typed is kept to send again");
    assert_eq!(token_of(&html), token, "the visitor's own token, to send again");

    // The right token from another browser (no cookie): a cross-site post.
    let other = Portal::new(&app);
    let (status, _) = other.submit(&owner_fields(&token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // No token at all.
    let mut parts = owner_fields(&token);
    parts.remove(0);
    let (status, _) = portal.submit(&parts).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A plain form post is not the project form.
    let (status, _) = portal.post_form(PAGE, &[("csrf", &token), ("description", "x")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(complaints(&app).await.is_empty(), "nothing recorded");

    // Tracking and the owner's actions carry the token too.
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let id = c["id"].as_i64().unwrap();
    let no = c["tracking_no"].as_str().unwrap();
    app.walk_to(id, "resolved").await;
    let (status, _) = portal.post_form("/track", &[("csrf", &wrong), ("tracking_no", no), ("phone", "13812345678")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, progress) = portal.track(no, "13812345678").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = other
        .post_form(
            "/track/act",
            &[("csrf", &token_of(&progress)), ("tracking_no", no), ("phone", "13812345678"), ("action", "accept_result")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let after = app.complaint(&desk, id).await;
    assert_eq!(after["status"], "resolved", "the owner's action was not taken");
    assert!(history_of(&after, "result_accepted").is_empty());
}

/// The declarations of the portal's block of the stylesheet.
fn portal_css(css: &str) -> &str {
    let start = css.find("/* == owners' portal: start ==").expect("the portal's CSS block");
    let end = css.find("/* == owners' portal: end == */").expect("its end");
    &css[start..end]
}

/// Widths fixed above 375 px (or 23.4 rem), ignoring `max-width`.
fn fixed_widths_over_375(css: &str) -> Vec<String> {
    let mut over = Vec::new();
    for decl in css.split(['{', '}', ';']) {
        let Some((prop, value)) = decl.split_once(':') else { continue };
        let prop = prop.trim();
        if !matches!(prop, "width" | "min-width" | "flex-basis") && !prop.ends_with(" width") {
            continue;
        }
        for word in value.split_whitespace() {
            let num = |unit: &str| word.strip_suffix(unit).and_then(|n| n.parse::<f64>().ok());
            let px = num("px").or_else(|| num("rem").map(|r| r * 16.0)).or_else(|| num("em").map(|r| r * 16.0));
            if px.is_some_and(|px| px > 375.0) {
                over.push(decl.trim().to_string());
            }
        }
    }
    over
}

#[tokio::test]
async fn the_pages_fit_a_375_px_phone() {
    let app = spawn_app().await;
    let portal = Portal::new(&app);
    for path in [PAGE, "/track", "/p/HTWY/LHW"] {
        let (status, html) = portal.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#), "{path}");
        assert!(html.contains("<body class=\"portal\">"), "{path}");
        assert!(!html.contains("<table"), "no tables on a phone: {path}");
        assert!(!html.contains("style=\""), "no inline widths: {path}");
        assert!(!html.contains("/login"), "no way into the staff console: {path}");
    }
    let css = portal.client.get(app.url("/assets/app.css")).send().await.unwrap().text().await.unwrap();
    let block = portal_css(&css);
    assert!(block.contains("body.portal"), "{block}");
    assert!(fixed_widths_over_375(block).is_empty(), "{:?}", fixed_widths_over_375(block));
    assert_eq!(fixed_widths_over_375("a { width: 400px; } b { max-width: 900px; min-width: 24rem }").len(), 2, "the check itself");
    // Inputs at 16 px: a phone does not zoom into them.
    assert!(block.contains(".portal select, .portal textarea { width: 100%; font-size: 1rem; }"), "{block}");
}

#[tokio::test]
async fn an_unknown_company_or_project_is_a_404_page() {
    let app = spawn_app().await;
    let portal = Portal::new(&app);
    for path in ["/p/HTWY/NOPE", "/p/NOPE/JYHY", "/p/htwy/jyhy"] {
        let (status, html) = portal.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(html.contains("找不到该项目"), "{html}");
    }
    let res = portal.post_multipart("/p/HTWY/NOPE", &owner_fields("x"), None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tracking_shows_plain_words_the_committed_time_the_department_and_roles_never_names() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let id = c["id"].as_i64().unwrap();
    let no = c["tracking_no"].as_str().unwrap().to_string();
    app.walk_to(id, "in_progress").await;
    let portal = Portal::new(&app);

    let (status, form) = portal.get(&format!("/track?no={no}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(&format!("value=\"{no}\"")), "the receipt's link fills the number in");

    let (status, html) = portal.track(&no.to_lowercase(), "+86 138-1234-5678").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(testid(&html, "status-text").unwrap(), Status::InProgress.owner_text_zh());
    assert_eq!(testid(&html, "department").unwrap(), "工程部");
    assert!(html.contains("华庭物业服务有限公司"), "the page names the property company");
    assert!(testid(&html, "committed").unwrap().starts_with("20"), "{html}");
    let history = testid(&html, "history").unwrap();
    for words in ["已转交工程部处理。", "责任部门已接单，正在处理。", "客服", "处理人员"] {
        assert!(history.contains(words), "{words} in {history}");
    }
    // Staff names, posts and internal findings never reach the owner.
    for secret in ["王芳", "李强", "赵刚", "水电维修岗", "防水层破损", "frontdesk", "handler"] {
        assert!(!html.contains(secret), "{secret} shown to the owner");
    }
    assert!(!html.contains("accept-form") && !html.contains("callback-form"), "nothing to do yet");

    // A wrong phone and an unknown number read the same.
    let (status, wrong_phone) = portal.track(&no, "13900000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, unknown) = portal.track("TS20200101-9999", "13812345678").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let message = testid(&wrong_phone, "error").unwrap();
    assert!(message.contains("找不到"), "{message}");
    assert_eq!(testid(&unknown, "error").unwrap(), message);
    let (status, malformed) = portal.track("hello", "13812345678").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(testid(&malformed, "error").unwrap().contains("TS20261123-0042"));
}

#[tokio::test]
async fn the_owner_accepts_the_result_then_answers_the_callback_through_the_portal() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let head = app.token(Role::DepartmentHead).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let c = app.walk_to(id, "resolved").await;
    let no = c["tracking_no"].as_str().unwrap().to_string();
    let portal = Portal::new(&app);

    let (_, progress) = portal.track(&no, "13812345678").await;
    assert_eq!(testid(&progress, "status-text").unwrap(), Status::Resolved.owner_text_zh());
    assert_eq!(testid(&progress, "resolution").unwrap(), "已重做防水");
    assert!(progress.contains("data-testid=\"accept-form\"") && progress.contains("data-testid=\"reject-form\""));
    assert!(progress.contains("name=\"phone\" value=\"13812345678\""), "the phone rides along hidden");

    let (status, html) =
        portal.act(&progress, &[("tracking_no", &no), ("phone", "13812345678"), ("action", "accept_result"), ("note", "修得不错")]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(testid(&html, "notice").unwrap().contains("您已确认处理结果"), "{html}");
    assert_eq!(testid(&html, "status-text").unwrap(), Status::CustomerAccepted.owner_text_zh());
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["status"], "customer_accepted");
    let accepted = history_of(&c, "result_accepted");
    assert_eq!(accepted.len(), 1, "{c}");
    assert_eq!(accepted[0]["actor"]["kind"], "owner");

    app.act(&head, id, json!({"action": "close"})).await;
    let (_, progress) = portal.track(&no, "13812345678").await;
    assert!(progress.contains("data-testid=\"callback-form\""), "{progress}");
    assert!(!progress.contains("accept-form"));

    // Both scores are needed: the form comes back with the message and what was typed.
    let (status, html) = portal
        .act(&progress, &[("tracking_no", &no), ("phone", "13812345678"), ("action", "callback"), ("perceived", "8"), ("comment", "师傅很负责")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(testid(&html, "error").unwrap().contains("1 到 10"), "{html}");
    assert!(html.contains("师傅很负责"), "the comment is kept");
    assert!(html.contains("name=\"perceived\" value=\"8\" required checked"), "the score is kept");

    let (status, html) = portal
        .act(
            &html,
            &[("tracking_no", &no), ("phone", "13812345678"), ("action", "callback"), ("perceived", "9"), ("expected", "8"), ("comment", "师傅很负责")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(testid(&html, "notice").unwrap().contains("感谢您的评价"), "{html}");
    assert!(!html.contains("callback-form"), "answered once");
    let c = app.complaint(&desk, id).await;
    let callback = history_of(&c, "callback_recorded");
    assert_eq!(callback.len(), 1, "{c}");
    assert_eq!(callback[0]["actor"]["kind"], "owner");
    assert_eq!(callback[0]["payload"]["perceived"], 9, "{}", callback[0]);
    assert_eq!(callback[0]["payload"]["expected"], 8);
    assert_eq!(callback[0]["payload"]["comment"], "师傅很负责");

    // A second answer is refused in plain words.
    let (status, html) = portal
        .act(&html, &[("tracking_no", &no), ("phone", "13812345678"), ("action", "callback"), ("perceived", "1"), ("expected", "10")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{html}");
    assert!(testid(&html, "error").unwrap().contains("不能进行此操作"), "{html}");
    assert_eq!(history_of(&app.complaint(&desk, id).await, "callback_recorded").len(), 1);
}

#[tokio::test]
async fn the_owner_rejects_the_result_with_a_reason_and_it_is_handled_again() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let no = app.walk_to(id, "resolved").await["tracking_no"].as_str().unwrap().to_string();
    let portal = Portal::new(&app);
    let (_, progress) = portal.track(&no, "13812345678").await;

    let (status, html) =
        portal.act(&progress, &[("tracking_no", &no), ("phone", "13812345678"), ("action", "reject_result"), ("reason", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert_eq!(testid(&html, "error").unwrap(), "请填写不满意的原因。");
    assert_eq!(app.complaint(&desk, id).await["status"], "resolved");

    let (status, html) = portal
        .act(&html, &[("tracking_no", &no), ("phone", "13812345678"), ("action", "reject_result"), ("reason", "还在滴水")])
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(testid(&html, "notice").unwrap().contains("重新处理"), "{html}");
    assert!(testid(&html, "history").unwrap().contains("还在滴水"));
    let c = app.complaint(&desk, id).await;
    assert_ne!(c["status"], "resolved", "reopened");
    let rejected = history_of(&c, "result_rejected");
    assert_eq!(rejected[0]["actor"]["kind"], "owner");
    assert_eq!(rejected[0]["payload"]["reason"], "还在滴水");

    // Another's phone cannot act on it.
    let (status, html) = portal
        .act(&html, &[("tracking_no", &no), ("phone", "13900000000"), ("action", "accept_result")])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");
}

#[tokio::test]
async fn traditional_chinese_and_english_pages_come_with_the_language_cookie() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let no = app.walk_to(id, "in_progress").await["tracking_no"].as_str().unwrap().to_string();

    let tw = Portal::new(&app);
    let (status, html) = tw.get(&format!("/lang/zh-TW?next={PAGE}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"zh-TW\">") && html.contains("我要投訴") && html.contains("從相簿選擇"), "{html}");
    let (_, progress) = tw.track(&no, "13812345678").await;
    assert_eq!(testid(&progress, "status-text").unwrap(), "責任部門正在處理。");
    assert!(testid(&progress, "history").unwrap().contains("已轉交工程部處理。"), "service texts in Traditional characters");
    let (_, wrong) = tw.track(&no, "13900000000").await;
    assert!(testid(&wrong, "error").unwrap().contains("找不到與該受理編號"));

    let en = Portal::new(&app);
    let (_, html) = en.get(&format!("/lang/en?next={PAGE}")).await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("Make a complaint") && html.contains("Choose a building"), "{html}");
    let token = token_of(&html);
    let mut parts = owner_fields(&token);
    parts.push(Part::File("photos", "x.jpg", "image/jpeg", b"plain text".to_vec()));
    let res = en.post_multipart(PAGE, &parts, None).await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let html = res.text().await.unwrap();
    assert!(testid(&html, "error").unwrap().starts_with("Only photos"), "{html}");
    assert!(testid(&html, "photos-again").unwrap().contains("choose them again"));
    let (_, progress) = en.track(&no, "13812345678").await;
    assert_eq!(testid(&progress, "status-text").unwrap(), "The department responsible is working on it.");
    let history = testid(&progress, "history").unwrap();
    assert!(history.contains("Passed to the department responsible.") && history.contains("Handler"), "{history}");

    // The browser's language is used when there is no cookie.
    let res = browser().get(app.url("/track")).header("accept-language", "zh-HK,zh;q=0.9").send().await.unwrap();
    assert!(res.text().await.unwrap().contains("查詢投訴進度"));
}

#[tokio::test]
async fn too_many_submissions_or_lookups_get_a_clear_message() {
    let config = AppConfig { track_burst: 2, track_per_minute: 1, ..AppConfig::default() };
    let app = spawn_app_with(config).await;
    let portal = Portal::new(&app);
    let token = portal.token().await;
    // The hourly allowance starts with a burst of 5 submissions per address.
    let mut last = (StatusCode::OK, String::new());
    for _ in 0..6 {
        let mut parts = owner_fields(&token);
        parts[1] = Part::Field("description", "");
        last = portal.submit(&parts).await;
        if last.0 == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(last.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", last.1);
        assert!(testid(&last.1, "error").unwrap().contains("请描述您遇到的问题"), "{}", last.1);
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS);
    assert!(testid(&last.1, "error").unwrap().contains("操作过于频繁"), "{}", last.1);

    let desk = app.token(Role::FrontDesk).await;
    let no = app.new_complaint(&desk).await["tracking_no"].as_str().unwrap().to_string();
    let (status, _) = portal.track(&no, "13812345678").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = portal.track(&no, "13812345678").await;
    assert_eq!(status, StatusCode::OK);
    let res = portal
        .client
        .post(app.url("/track"))
        .form(&[("csrf", token.as_str()), ("tracking_no", no.as_str()), ("phone", "13812345678")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    let html = res.text().await.unwrap();
    assert!(testid(&html, "error").unwrap().contains("秒后再试"), "{html}");
}
