//! The staff console's complaint pages, through a browser-like client
//! (cookies kept, redirects not followed): the list, the complaint page
//! with its forms, evidence uploads and the intake form.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

/// A client logged in as `username` through the login form.
async fn login(app: &TestApp, username: &str) -> reqwest::Client {
    let client = browser();
    let password = app.password(username);
    let res = client
        .post(app.url("/login"))
        .form(&[("username", username), ("password", password.as_str()), ("next", "/")])
        .send()
        .await
        .expect("login sent");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username} logs in");
    client
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let res = client.get(app.url(path)).send().await.expect("request sent");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

async fn ok_page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let (status, body) = page(app, client, path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

/// The form token a page carries.
fn csrf(html: &str) -> String {
    let start = html.find(r#"name="csrf" value=""#).expect("a form token") + r#"name="csrf" value=""#.len();
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// How many complaint rows a list shows.
fn rows(html: &str) -> usize {
    html.matches(r#"<tr class="level-"#).count()
}

/// The href of the link marked `data-testid`.
fn link(html: &str, testid: &str) -> Option<String> {
    let marker = format!(r#"data-testid="{testid}""#);
    let at = html.find(&marker)?;
    let tag_start = html[..at].rfind("<a ")?;
    let tag = &html[tag_start..at];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&#x2f;", "/").replace("&amp;", "&"))
}

async fn post_form(app: &TestApp, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client.post(app.url(path)).form(form).send().await.expect("form sent")
}

async fn status_of(app: &TestApp, id: i64) -> String {
    let desk = app.token(Role::FrontDesk).await;
    app.complaint(&desk, id).await["status"].as_str().unwrap().to_string()
}

/// A complaint from a customer of its own (`n` tells them apart).
async fn record_for(app: &TestApp, token: &str, n: u32, patch: Value) -> Value {
    let mut body = complaint_body();
    body["customer"]["phone"] = json!(format!("1370000{n:04}"));
    for (k, v) in patch.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.new_complaint_from(token, &body).await
}

#[tokio::test]
async fn the_complaint_pages_need_a_login() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let anonymous = browser();
    for path in ["/complaints", "/complaints?status=open", &format!("/complaints/{id}"), "/complaints/new"] {
        let res = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&res).starts_with("/login?next=/complaints"), "{path}: {}", location(&res));
    }
    let res = post_form(&app, &anonymous, &format!("/complaints/{id}/act"), &[("action", "confirm"), ("csrf", "x")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
    assert_eq!(status_of(&app, id).await, "received");
}

#[tokio::test]
async fn the_list_is_chinese_by_default_and_english_with_the_language_cookie() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let client = login(&app, "frontdesk").await;
    let html = ok_page(&app, &client, "/complaints").await;
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains("投诉列表"), "{html}");
    assert!(html.contains(c["tracking_no"].as_str().unwrap()));
    assert!(html.contains("已受理"));
    assert!(html.contains("锦园华苑"));
    assert!(html.contains("张**"), "the name is masked");
    assert!(!html.contains("张三丰") && !html.contains("13812345678"));
    assert!(html.contains(r#"class="countdown"#), "the next deadline counts down");

    let res = client.get(app.url("/lang/en?next=/complaints")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = ok_page(&app, &client, "/complaints").await;
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Complaints") && html.contains("Newest first") && html.contains("Next deadline"), "{html}");
    assert!(!html.contains("投诉列表") && !html.contains("最新在前"));

    let res = client.get(app.url("/lang/zh-TW?next=/complaints")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = ok_page(&app, &client, "/complaints").await;
    assert!(html.contains("投訴列表"), "{html}");
}

#[tokio::test]
async fn filters_sorting_and_paging_narrow_and_walk_the_list() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let first = record_for(&app, &desk, 1, json!({})).await;
    let lhw = record_for(&app, &desk, 2, json!({"project": "LHW", "building": "A座", "unit": "3204"})).await;
    let invalid = record_for(&app, &desk, 3, json!({"description": "请问物业费可以用微信缴纳吗？"})).await;
    app.walk_to(invalid["id"].as_i64().unwrap(), "closed_invalid").await;
    let dispatched = record_for(&app, &desk, 4, json!({})).await;
    app.walk_to(dispatched["id"].as_i64().unwrap(), "dispatched").await;
    let no = |c: &Value| c["tracking_no"].as_str().unwrap().to_string();
    let client = login(&app, "frontdesk").await;

    let all = ok_page(&app, &client, "/complaints").await;
    assert_eq!(rows(&all), 4);
    let newest = all.find(&no(&dispatched)).unwrap();
    let oldest = all.find(&no(&first)).unwrap();
    assert!(newest < oldest, "newest first by default");
    let html = ok_page(&app, &client, "/complaints?sort=oldest").await;
    assert!(html.find(&no(&first)).unwrap() < html.find(&no(&dispatched)).unwrap(), "oldest first on request");

    let open = ok_page(&app, &client, "/complaints?status=open").await;
    assert_eq!(rows(&open), 3);
    assert!(!open.contains(&no(&invalid)));
    let html = ok_page(&app, &client, "/complaints?status=closed_invalid").await;
    assert_eq!(rows(&html), 1);
    assert!(html.contains(&no(&invalid)));
    let html = ok_page(&app, &client, "/complaints?project=LHW").await;
    assert_eq!(rows(&html), 1);
    assert!(html.contains(&no(&lhw)));
    let html = ok_page(&app, &client, "/complaints?department=engineering").await;
    assert_eq!(rows(&html), 1);
    assert!(html.contains(&no(&dispatched)));
    let today = app.now().with_timezone(&chrono_tz_shanghai()).format("%Y-%m-%d").to_string();
    let tomorrow = (app.now() + days(1)).with_timezone(&chrono_tz_shanghai()).format("%Y-%m-%d").to_string();
    assert_eq!(rows(&ok_page(&app, &client, &format!("/complaints?from={today}&to={today}")).await), 4);
    assert_eq!(rows(&ok_page(&app, &client, &format!("/complaints?from={tomorrow}")).await), 0);
    assert_eq!(rows(&ok_page(&app, &client, &format!("/complaints?status=open&project=JYHY&to={today}")).await), 2);
    // A bad filter is said on the page, the field named.
    let (status, html) = page(&app, &client, "/complaints?from=23/11/2026").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("受理日期从"), "{html}");

    // Paging: 60 more complaints make a second page of 50.
    let who = app.services.authenticate(&desk).await.unwrap();
    let drafts = (0..60)
        .map(|n| {
            let mut body = complaint_body();
            body["customer"]["phone"] = json!(format!("1360000{n:04}"));
            serde_json::from_value(body).unwrap()
        })
        .collect();
    app.services.record_complaints_bulk(&who, drafts).await.unwrap();
    let page1 = ok_page(&app, &client, "/complaints?status=open").await;
    assert_eq!(rows(&page1), 50);
    assert!(link(&page1, "prev").is_none(), "the first page has no page before");
    let next = link(&page1, "next").expect("a next page");
    assert!(next.starts_with("/complaints?"), "{next}");
    assert!(next.contains("status=open"), "{next}");
    let page2 = ok_page(&app, &client, &next).await;
    assert_eq!(rows(&page2), 13);
    assert!(link(&page2, "next").is_none(), "the last page");
    assert!(page2.contains(&no(&first)));
    let back = ok_page(&app, &client, &link(&page2, "prev").expect("a page before")).await;
    assert_eq!(rows(&back), 50);
    let ids = |html: &str| html.match_indices("data-id=\"").map(|(i, _)| html[i + 9..].split('"').next().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&back), ids(&page1), "back to the same first page");
}

fn chrono_tz_shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

#[tokio::test]
async fn the_search_box_opens_a_tracking_number_and_lists_a_callers_complaints() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let other = record_for(&app, &desk, 9, json!({})).await;
    let id = c["id"].as_i64().unwrap();
    let client = login(&app, "frontdesk").await;

    let no = c["tracking_no"].as_str().unwrap().to_lowercase();
    let res = client.get(app.url("/complaints")).query(&[("q", no.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/complaints/{id}"));
    let html = ok_page(&app, &client, "/complaints?q=TS20000101-0001").await;
    assert!(html.contains("没有受理编号为 TS20000101-0001 的投诉"), "{html}");

    let res = client.get(app.url("/complaints")).query(&[("q", "138-1234-5678")]).send().await.unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("电话 138****5678 的投诉"), "{html}");
    assert!(html.contains(c["tracking_no"].as_str().unwrap()));
    assert!(!html.contains(other["tracking_no"].as_str().unwrap()), "only that caller's");

    // Words open the search page (issue 8).
    let res = client.get(app.url("/complaints?q=%E6%BC%8F%E6%B0%B4")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/search?q=%E6%BC%8F%E6%B0%B4");

    // A handler may not look callers up by phone.
    let handler = login(&app, "handler").await;
    let html = ok_page(&app, &handler, "/complaints?q=13812345678").await;
    assert!(html.contains("仅限客服和公司领导"), "{html}");
}

#[tokio::test]
async fn an_action_form_appears_only_when_allowed_and_posting_it_moves_the_complaint() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let id = c["id"].as_i64().unwrap();
    let path = format!("/complaints/{id}");
    let act = format!("/complaints/{id}/act");

    let client = login(&app, "frontdesk").await;
    let html = ok_page(&app, &client, &path).await;
    assert!(html.contains(r#"id="act-confirm""#) && html.contains(r#"id="act-invalidate""#), "{html}");
    for not_now in ["act-accept", "act-resolve", "act-close", "act-callback", "act-assess"] {
        assert!(!html.contains(&format!(r#"id="{not_now}""#)), "{not_now} is not offered now");
    }
    // A handler of the department may do nothing before it is dispatched to them.
    let handler = login(&app, "handler").await;
    let theirs = ok_page(&app, &handler, &path).await;
    assert!(!theirs.contains(r#"id="act-"#), "no forms for the handler yet");
    assert!(theirs.contains(r#"data-testid="no-actions""#));

    // A forged form is refused and changes nothing.
    let res = post_form(&app, &client, &act, &[("csrf", "0123456789abcdef0123456789abcdef"), ("action", "confirm")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post_form(&app, &client, &act, &[("action", "confirm")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Another session's token is not this session's.
    let handler_token = csrf(&theirs);
    let res = post_form(&app, &client, &act, &[("csrf", handler_token.as_str()), ("action", "confirm")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, id).await, "received");

    let token = csrf(&html);
    let res = post_form(&app, &client, &act, &[("csrf", token.as_str()), ("action", "confirm"), ("note", "已电话核实")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/complaints/{id}?done=confirm"));
    assert_eq!(status_of(&app, id).await, "confirmed");
    let html = ok_page(&app, &client, &location(&res)).await;
    assert!(html.contains("已完成：确认投诉"), "{html}");
    assert!(html.contains("已电话核实"), "the note is in the history");
    assert!(html.contains("王芳 · 客服"), "who did it, with their role");
    assert!(html.contains(r#"id="act-assess""#) && !html.contains(r#"id="act-confirm""#));

    // A missing field comes back on the page, named, with what was typed.
    let res = post_form(&app, &client, &act, &[("csrf", token.as_str()), ("action", "assess"), ("note", "多户反映")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("严重程度：必填"), "{html}");
    assert!(html.contains("多户反映"), "what was typed is kept");
    assert_eq!(status_of(&app, id).await, "confirmed");
    // The services' refusals too: an action the state does not allow (409) …
    let res = post_form(&app, &client, &act, &[("csrf", token.as_str()), ("action", "confirm")]).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // … a role that may not (403), in English for an English reader …
    client.get(app.url("/lang/en")).send().await.unwrap();
    let res = post_form(&app, &client, &act, &[("csrf", token.as_str()), ("action", "close")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"data-testid="refusal""#) && html.contains("may not"), "{html}");
    client.get(app.url("/lang/zh-CN")).send().await.unwrap();
    // … and a bad field the domain finds (422), named.
    let form = [("csrf", token.as_str()), ("action", "assess"), ("severity", "general"), ("category", "fees")];
    assert_eq!(post_form(&app, &client, &act, &form).await.status(), StatusCode::SEE_OTHER);
    let inv = [
        ("csrf", token.as_str()),
        ("action", "investigate"),
        ("department", "nowhere"),
        ("post", "水电维修岗"),
        ("person", "李强"),
        ("root_cause", "防水层破损"),
    ];
    let res = post_form(&app, &client, &act, &inv).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("责任部门：") && html.contains("nowhere"), "{html}");
    assert!(html.contains("防水层破损"));
    let inv = [
        ("csrf", token.as_str()),
        ("action", "investigate"),
        ("department", "engineering"),
        ("post", "水电维修岗"),
        ("person", "李强"),
        ("root_cause", "防水层破损"),
    ];
    assert_eq!(post_form(&app, &client, &act, &inv).await.status(), StatusCode::SEE_OTHER);
    // Dispatch names the handler from a select of the department's staff.
    let html = ok_page(&app, &client, &path).await;
    assert!(html.contains(r#"<option value="handler""#), "the handler select lists the engineering handler");
    let form = [("csrf", token.as_str()), ("action", "dispatch"), ("department", "engineering"), ("handler", "handler")];
    assert_eq!(post_form(&app, &client, &act, &form).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id).await, "dispatched");

    // Now the handler's forms appear, and theirs only.
    let theirs = ok_page(&app, &handler, &path).await;
    assert!(theirs.contains(r#"id="act-accept""#) && theirs.contains(r#"id="act-report_delay""#), "{theirs}");
    assert!(!theirs.contains(r#"id="act-dispatch""#) && !theirs.contains(r#"id="act-urge""#));
    let htoken = csrf(&theirs);
    let res = post_form(&app, &handler, &act, &[("csrf", htoken.as_str()), ("action", "accept")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // A delay's new time is typed in China time.
    let new_time = (app.now() + days(2)).with_timezone(&chrono_tz_shanghai()).format("%Y-%m-%dT%H:%M").to_string();
    let form = [("csrf", htoken.as_str()), ("action", "report_delay"), ("reason", "等配件"), ("new_time", new_time.as_str())];
    assert_eq!(post_form(&app, &handler, &act, &form).await.status(), StatusCode::SEE_OTHER);
    let view = app.complaint(&desk, id).await;
    let promised = time(&view["promised_at"]).with_timezone(&chrono_tz_shanghai()).format("%Y-%m-%dT%H:%M").to_string();
    assert_eq!(promised, new_time);
    let form = [("csrf", htoken.as_str()), ("action", "resolve"), ("resolution", "已更换防水层")];
    assert_eq!(post_form(&app, &handler, &act, &form).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, id).await, "resolved");
    let html = ok_page(&app, &client, &path).await;
    assert!(html.contains("已更换防水层") && html.contains("工程部"));
    assert!(html.contains("按时完成"), "met deadlines are shown with their outcome: {html}");
}

#[tokio::test]
async fn personal_data_is_masked_until_revealed_and_the_reveal_is_in_the_history() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    let id = c["id"].as_i64().unwrap();
    let path = format!("/complaints/{id}");
    let client = login(&app, "frontdesk").await;
    let html = ok_page(&app, &client, &path).await;
    assert!(html.contains("张**") && html.contains("138****5678") && html.contains("1***"), "{html}");
    assert!(!html.contains("张三丰") && !html.contains("13812345678"));
    assert!(html.contains(r#"<span data-personal="unit">1***</span>"#), "the unit is masked");
    assert!(html.contains(&format!(r#"data-reveal="/api/v1/complaints/{id}/reveal""#)));
    assert!(html.contains(c["description"].as_str().unwrap()), "the owner's words: {html}");
    // Each open deadline counts down, coloured.
    assert!(html.contains(r#"class="countdown on-time" data-due=""#), "{html}");
    assert!(html.contains("派单时限") || html.contains("紧急通知时限"));
    assert!(html.contains("客服中心"), "the escalation level");

    // The button's request: the session cookie and a JSON body.
    let res = client
        .post(app.url(&format!("/api/v1/complaints/{id}/reveal")))
        .json(&json!({"fields": ["name", "phone", "unit"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let clear: Value = res.json().await.unwrap();
    assert_eq!((clear["name"].as_str(), clear["phone"].as_str(), clear["unit"].as_str()), (Some("张三丰"), Some("13812345678"), Some("1801")));
    let html = ok_page(&app, &client, &path).await;
    assert!(html.contains(r#"data-kind="personal_data_revealed""#) && html.contains("查看个人信息"));
    assert!(!html.contains("张三丰"), "the page itself stays masked");

    // An analyst gets no button.
    let analyst = login(&app, "analyst").await;
    let html = ok_page(&app, &analyst, &path).await;
    assert!(!html.contains("data-reveal=\"/api"));
    assert!(!html.contains(r#"id="upload""#), "nor the upload form");
}

/// A multipart body: the form token, then one file.
fn multipart(token: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----tousu-test-boundary";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n").as_bytes());
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn evidence_is_uploaded_from_the_page_and_served_to_the_session() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let id = app.new_complaint(&desk).await["id"].as_i64().unwrap();
    let path = format!("/complaints/{id}");
    let client = login(&app, "frontdesk").await;
    let html = ok_page(&app, &client, &path).await;
    assert!(html.contains(r#"id="upload""#));
    let upload = |token: String, bytes: Vec<u8>| {
        let (content_type, body) = multipart(&token, "漏水.png", &bytes);
        client.post(app.url(&format!("/complaints/{id}/files"))).header("content-type", content_type).body(body).send()
    };
    let res = upload("forged".into(), TINY_PNG.to_vec()).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.complaint(&desk, id).await["evidence"].as_array().unwrap().is_empty());
    let res = upload(csrf(&html), b"#!/bin/sh\necho not a photo\n".to_vec()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.text().await.unwrap().contains("只接受图片"));
    let res = upload(csrf(&html), TINY_PNG.to_vec()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/complaints/{id}?done=attach_evidence"));
    let evidence = app.complaint(&desk, id).await["evidence"].clone();
    let file_id = evidence[0]["id"].as_i64().unwrap();
    let html = ok_page(&app, &client, &location(&res)).await;
    assert!(html.contains(&format!(r#"href="/api/v1/files/{file_id}""#)) && html.contains("漏水.png"), "{html}");
    let res = client.get(app.url(&format!("/api/v1/files/{file_id}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), TINY_PNG.as_slice());
}

#[tokio::test]
async fn the_intake_form_records_a_complaint_and_keeps_what_was_typed_on_error() {
    let app = spawn_app().await;
    let client = login(&app, "frontdesk").await;
    let html = ok_page(&app, &client, "/complaints/new").await;
    assert!(html.contains("登记投诉") && html.contains(r#"name="description""#), "{html}");
    assert!(html.contains(r#"id="cx-org-units""#) && html.contains("锦园华苑"), "projects, buildings and units for the selects");
    let token = csrf(&html);
    let idem = html.split(r#"name="idem" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    let mut form = vec![
        ("csrf", token.clone()),
        ("idem", idem.clone()),
        ("channel", "letter".to_string()),
        ("name", "李四".to_string()),
        ("phone", "139 0000 1111".to_string()),
        ("project", "JYHY".to_string()),
        ("building", "2栋".to_string()),
        ("unit", "1202".to_string()),
        ("subject", "车库积水".to_string()),
        ("description", "地下车库B区积水一周无人处理".to_string()),
        ("remedy_sought", "尽快排水".to_string()),
        ("remedies", "repair".to_string()),
        ("remedies", "apology".to_string()),
    ];
    // A bad phone: the page again, the field named, the values kept.
    let mut bad = form.clone();
    bad[4].1 = "12345".into();
    let res = client.post(app.url("/complaints/new")).form(&bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("联系电话："), "{html}");
    assert!(html.contains("地下车库B区积水一周无人处理") && html.contains(r#"value="2栋""#));
    // An unknown unit.
    let mut bad = form.clone();
    bad[7].1 = "9999".into();
    let res = client.post(app.url("/complaints/new")).form(&bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("房号："));
    // A forged form.
    let mut forged = form.clone();
    forged[0].1 = "nope".into();
    assert_eq!(client.post(app.url("/complaints/new")).form(&forged).send().await.unwrap().status(), StatusCode::FORBIDDEN);

    form.push(("emergency", String::new()));
    let res = client.post(app.url("/complaints/new")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = location(&res);
    let id: i64 = loc.trim_start_matches("/complaints/").split('?').next().unwrap().parse().unwrap();
    assert!(loc.ends_with("?done=recorded"), "{loc}");
    // Sent twice (a double click): one complaint.
    let again = client.post(app.url("/complaints/new")).form(&form).send().await.unwrap();
    assert_eq!(location(&again), loc);
    let desk = app.token(Role::FrontDesk).await;
    let c = app.complaint(&desk, id).await;
    assert_eq!(c["channel"], "letter");
    assert_eq!(c["building"], "2栋");
    assert_eq!(c["subject"], "车库积水");
    assert_eq!(c["remedies"], json!(["apology", "repair"]));
    assert_eq!(c["emergency"], false);
    assert_eq!(c["first_responder"]["name"], "王芳");
    let html = ok_page(&app, &client, &loc).await;
    assert!(html.contains(c["tracking_no"].as_str().unwrap()) && html.contains("投诉已登记"));

    // Roles that do not record complaints get no form.
    let analyst = login(&app, "analyst").await;
    assert_eq!(page(&app, &analyst, "/complaints/new").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn looking_a_caller_up_shows_their_earlier_complaints_and_repeat_count() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let first = app.new_complaint(&desk).await;
    let repeat = app.new_complaint(&desk).await;
    assert_eq!(repeat["repeat"]["count"], 1, "the same customer, unit and issue: a repeat");
    let stranger = record_for(&app, &desk, 7, json!({"building": "1栋", "unit": "101"})).await;
    let client = login(&app, "frontdesk").await;

    let html = ok_page(&app, &client, "/complaints/new?by=phone&phone=138%201234%205678").await;
    assert!(html.contains(r#"data-testid="lookup-result""#), "{html}");
    assert!(html.contains("查到 2 条以往的投诉"), "{html}");
    assert!(html.contains("最近一次投诉的重复次数：1"));
    assert!(html.contains(first["tracking_no"].as_str().unwrap()) && html.contains(repeat["tracking_no"].as_str().unwrap()));
    assert!(!html.contains(stranger["tracking_no"].as_str().unwrap()));
    assert!(html.contains(r#"name="phone" type="tel" value="138 1234 5678""#), "the form starts with the phone looked up");

    let html = ok_page(&app, &client, "/complaints/new?by=unit&project=JYHY&building=3%E6%A0%8B&unit=1801").await;
    assert!(html.contains("查到 2 条以往的投诉"), "{html}");
    assert!(!html.contains(stranger["tracking_no"].as_str().unwrap()));
    let html = ok_page(&app, &client, "/complaints/new?by=unit&project=JYHY&building=1%E6%A0%8B&unit=102").await;
    assert!(html.contains("没有查到以往的投诉"));
    let html = ok_page(&app, &client, "/complaints/new?by=unit&project=JYHY&building=9%E6%A0%8B&unit=101").await;
    assert!(html.contains("楼栋："), "an unknown building is named: {html}");

    // A handler records complaints but does not look callers up.
    let handler = login(&app, "handler").await;
    let html = ok_page(&app, &handler, "/complaints/new?by=phone&phone=13812345678").await;
    assert!(!html.contains(r#"data-testid="lookup-result""#));
    assert!(html.contains("仅限客服和公司领导"));
}

#[tokio::test]
async fn the_home_page_summarises_a_complaint_without_a_subject_by_its_first_words() {
    // Owners' portal complaints have no subject: the queues show the start of the description.
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut body = complaint_body();
    body.as_object_mut().unwrap().remove("subject");
    body["description"] = json!("3栋1801卫生间顶上在滴水，墙面已经发霉，楼上装修以后就开始了，请安排师傅上门查看。");
    app.new_complaint_from(&desk, &body).await;
    let client = login(&app, "frontdesk").await;
    let html = ok_page(&app, &client, "/").await;
    assert!(html.contains("3栋1801卫生间顶上在滴水，墙面已经发霉，楼上…"), "{html}");
}
