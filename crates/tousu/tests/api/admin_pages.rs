//! The administration pages, driven as a browser would: log in through the
//! login form (a cookie-storing client), read the form token from the page,
//! post the forms. Administrators only; the organisation tree grows by
//! project, building (with its units) and department, and what is added is
//! usable at once; staff are added and passwords reset, each password shown
//! once; the time-limit document and the calendar are replaced through
//! their forms, a faulty one refused with its reason; failed notifications
//! are retried.

use crate::helpers::*;
use crate::sinks::{HttpSink, Reply};
use reqwest::StatusCode;
use serde_json::json;
use tousu_app::AppConfig;
use tousu_domain::Role;

/// A browser: a client keeping the session cookie.
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

/// A page as the browser got it.
pub struct Page {
    pub status: StatusCode,
    /// Where the browser ended up after redirects.
    pub url: String,
    pub html: String,
}

impl Page {
    /// The form token in the page.
    pub fn csrf(&self) -> String {
        csrf_in(&self.html)
    }
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("the page has a form token");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("a closing quote")].to_string()
}

impl Browser {
    /// Logs in through the login form; panics if the password is refused.
    pub async fn login(app: &TestApp, username: &str, password: &str) -> Browser {
        let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let b = Browser { client, base: app.address.clone() };
        let page = b.post_form("/login", &[("username", username), ("password", password), ("next", "/")]).await;
        assert_eq!(page.status, StatusCode::OK, "{username} could not log in: {}", page.html);
        assert!(page.html.contains("data-testid=\"who\""), "logged in as {username}");
        b
    }

    /// Logs in as a demo account.
    pub async fn demo(app: &TestApp, username: &str) -> Browser {
        Browser::login(app, username, &app.password(username)).await
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.expect("request sent");
        page(res).await
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self.client.post(format!("{}{path}", self.base)).form(fields).send().await.expect("request sent");
        page(res).await
    }

    /// Posts `fields` with the form token of the page at `form_page`.
    pub async fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get(form_page).await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }

    /// Posts a `multipart/form-data` body: text fields, then files `(name, file name, bytes)`.
    pub async fn post_multipart(&self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Page {
        let boundary = "----tousu-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes());
            body.extend_from_slice(value.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .expect("request sent");
        page(res).await
    }
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status();
    let url = res.url().to_string();
    let html = res.text().await.expect("a body");
    Page { status, url, html }
}

/// The text between `<tag …data-testid="id">` and the next `<`.
pub fn testid<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("data-testid=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {id} in the page"));
    let rest = &html[at..];
    let start = rest.find('>').expect("the tag closes") + 1;
    let end = rest[start..].find('<').map_or(rest.len(), |e| start + e);
    rest[start..end].trim()
}

#[tokio::test]
async fn only_administrators_see_the_admin_pages_and_others_get_the_403_page() {
    let app = spawn_app().await;
    let pages = ["/admin", "/admin/org", "/admin/staff", "/admin/time-limits", "/admin/calendar", "/admin/deliveries"];
    for username in ["frontdesk", "handler", "depthead", "leader", "board", "analyst"] {
        let b = Browser::demo(&app, username).await;
        let home = b.get("/").await;
        assert!(!home.html.contains(">系统管理</a>"), "{username} is not shown the admin link");
        for path in pages {
            let p = b.get(path).await;
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{username} {path}");
            assert!(p.html.contains("您没有权限查看此页面"), "the 403 page in Chinese: {}", p.html);
        }
        // Posting with the visitor's own valid form token changes nothing either.
        let csrf = home.csrf();
        let p = b.post_form("/admin/org/projects", &[("csrf", &csrf), ("code", "HACK"), ("name", "不该有")]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{username}");
        let p = b.post_form("/admin/time-limits", &[("csrf", &csrf), ("toml", "[limits]\ndispatch = \"1h\"\n")]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{username}");
    }
    let admin = app.token(Role::Admin).await;
    let projects: serde_json::Value = app.get(&admin, "/api/v1/projects").await.json().await.unwrap();
    assert_eq!(projects.as_array().unwrap().len(), 2, "no project was added");
    assert_eq!(app.services.policy().resolve("HTWY", "JYHY").limits.dispatch.to_string(), "12h");

    // Not logged in: to the login form.
    let anonymous = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = anonymous.get(app.url("/admin")).send().await.unwrap();
    assert!(res.url().path().starts_with("/login"), "{}", res.url());
}

#[tokio::test]
async fn the_overview_counts_the_organisation_and_links_every_section() {
    let app = spawn_app().await;
    let b = Browser::demo(&app, "admin").await;
    let home = b.get("/").await;
    assert!(home.html.contains(">系统管理</a>"), "the admin link in the navigation");
    let p = b.get("/admin").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("<html lang=\"zh-CN\">"));
    assert!(p.html.contains("华庭控股集团") && p.html.contains("华庭物业服务有限公司"), "group and company");
    // Demo: 锦园华苑 3 buildings × 18 floors × 2, 丽湖湾 2 buildings × 32 floors × 4.
    assert_eq!(testid(&p.html, "projects"), "2");
    assert_eq!(testid(&p.html, "buildings"), "5");
    assert_eq!(testid(&p.html, "units"), (3 * 18 * 2 + 2 * 32 * 4).to_string());
    assert_eq!(testid(&p.html, "departments"), "7");
    assert_eq!(testid(&p.html, "staff"), "7");
    assert_eq!(testid(&p.html, "failed"), "0");
    for href in ["/admin/org", "/admin/staff", "/admin/time-limits", "/admin/calendar", "/admin/deliveries"] {
        assert!(p.html.contains(&format!("href=\"{href}\"")), "{href}");
    }
    // Every string from the catalogue: the English page has no Chinese labels of its own.
    b.get("/lang/en?next=/admin").await;
    let en = b.get("/admin").await;
    assert!(en.html.contains("Administration") && en.html.contains("Failed notifications"), "{}", en.html);
    assert!(!en.html.contains("投递失败的通知"));
}

#[tokio::test]
async fn projects_buildings_and_departments_are_added_to_the_tree_and_usable_at_once() {
    let app = spawn_app().await;
    let b = Browser::demo(&app, "admin").await;
    let tree = b.get("/admin/org").await;
    assert_eq!(tree.status, StatusCode::OK);
    for shown in ["华庭控股集团", "华庭物业服务有限公司", "锦园华苑", "丽湖湾", "3栋", "B座", "工程部", "1802"] {
        assert!(tree.html.contains(shown), "{shown} in the tree");
    }

    // A project.
    let p = b.submit("/admin/org", "/admin/org/projects", &[("code", "XHW"), ("name", "星河湾")]).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.url.ends_with("/admin/org?done=project_added"), "{}", p.url);
    assert!(p.html.contains("项目已添加") && p.html.contains("星河湾"), "notice and project");
    // A taken code: refused with a clear message, what was typed kept.
    let p = b.submit("/admin/org", "/admin/org/projects", &[("code", "JYHY"), ("name", "重复的项目")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.html.contains("项目编码「JYHY」已被使用"), "{}", p.html);
    assert!(p.html.contains("value=\"重复的项目\""), "the name typed is kept");
    let p = b.submit("/admin/org", "/admin/org/projects", &[("code", "星河"), ("name", "坏编码")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("编码「星河」无效"), "{}", p.html);

    // A building by floors × units per floor, another by a list.
    let grid = [("project", "XHW"), ("name", "1栋"), ("layout", "grid"), ("floors", "3"), ("per_floor", "2"), ("units", "")];
    let p = b.submit("/admin/org", "/admin/org/buildings", &grid).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.url.ends_with("?done=building_added"));
    assert!(p.html.contains("101、102、201、202、301、302"), "the units in the tree");
    let list = [("project", "XHW"), ("name", "商业街"), ("layout", "list"), ("floors", ""), ("per_floor", ""), ("units", "S01, S02\nS03")];
    let p = b.submit("/admin/org", "/admin/org/buildings", &list).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("S01、S02、S03"));
    // The same building twice, a unit twice, a project unknown.
    let p = b.submit("/admin/org", "/admin/org/buildings", &grid).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.html.contains("项目「XHW」已有楼栋「1栋」"), "{}", p.html);
    let twice = [("project", "XHW"), ("name", "2栋"), ("layout", "list"), ("units", "201 201")];
    let p = b.submit("/admin/org", "/admin/org/buildings", &twice).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("房号「201」重复"), "{}", p.html);
    let p = b.submit("/admin/org", "/admin/org/buildings", &[("project", "NOPE"), ("name", "1栋"), ("layout", "grid"), ("floors", "2"), ("per_floor", "2")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("没有编码为「NOPE」的项目"), "{}", p.html);
    let p = b.submit("/admin/org", "/admin/org/buildings", &[("project", "XHW"), ("name", "9栋"), ("layout", "grid"), ("floors", "十"), ("per_floor", "2")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("楼层数和每层户数须填写数字"));

    // The new building takes complaints at once (the organisation cache was cleared).
    let desk = app.token(Role::FrontDesk).await;
    let mut body = complaint_body();
    body["project"] = json!("XHW");
    body["building"] = json!("1栋");
    body["unit"] = json!("302");
    let c = app.new_complaint_from(&desk, &body).await;
    assert_eq!(c["project"]["name"], "星河湾");

    // A department, then a complaint dispatched to it.
    let p = b.submit("/admin/org", "/admin/org/departments", &[("code", "landscape"), ("name", "绿化部")]).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("部门已添加") && p.html.contains("绿化部"));
    let p = b.submit("/admin/org", "/admin/org/departments", &[("code", "engineering"), ("name", "另一个工程部")]).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.html.contains("部门编码「engineering」已被使用"), "{}", p.html);
    let id = c["id"].as_i64().unwrap();
    app.act(&desk, id, json!({"action": "confirm"})).await;
    app.act(&desk, id, json!({"action": "assess", "severity": "general", "category": "service"})).await;
    app.act(&desk, id, json!({"action": "investigate", "department": "landscape", "post": "绿化岗", "person": "周工", "root_cause": "草坪未修剪"}))
        .await;
    let c = app.act(&desk, id, json!({"action": "dispatch"})).await;
    assert_eq!(c["department"]["name"], "绿化部", "dispatched to the new department");

    // Without the form token nothing is added.
    let p = b.post_form("/admin/org/projects", &[("code", "NOCSRF"), ("name", "无令牌")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = b.post_form("/admin/org/projects", &[("csrf", "0123456789abcdef0123456789abcdef"), ("code", "BAD"), ("name", "假令牌")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let tree = b.get("/admin/org").await;
    assert!(!tree.html.contains("NOCSRF") && !tree.html.contains("假令牌"));
}

#[tokio::test]
async fn staff_are_added_with_a_password_shown_once_and_passwords_are_reset() {
    let app = spawn_app().await;
    let b = Browser::demo(&app, "admin").await;
    let list = b.get("/admin/staff").await;
    assert_eq!(list.status, StatusCode::OK);
    for shown in ["王芳", "frontdesk", "客服", "工程部", "系统管理员"] {
        assert!(list.html.contains(shown), "{shown}");
    }

    let fields = [("username", "zhou.handler"), ("display_name", "周工"), ("role", "handler"), ("department", "engineering")];
    let res = {
        let csrf = b.get("/admin/staff").await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(&fields);
        b.client.post(app.url("/admin/staff")).form(&all).send().await.unwrap()
    };
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "a password page is never cached");
    let html = res.text().await.unwrap();
    assert!(html.contains("员工账号已创建") && html.contains("密码只显示这一次"));
    let password = testid(&html, "password").to_string();
    assert_eq!(password.len(), 16);
    // The new handler logs in with it, is a handler of engineering.
    let zhou = Browser::login(&app, "zhou.handler", &password).await;
    let home = zhou.get("/").await;
    assert!(testid(&home.html, "who").contains("周工"));
    // Shown once: the list does not show it again.
    let list = b.get("/admin/staff").await;
    assert!(list.html.contains("zhou.handler") && !list.html.contains(&password));

    // A taken username, a handler without a department, a bad username.
    let p = b.submit("/admin/staff", "/admin/staff", &fields).await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.html.contains("用户名「zhou.handler」已被使用"), "{}", p.html);
    let p = b.submit("/admin/staff", "/admin/staff", &[("username", "wu"), ("display_name", "吴工"), ("role", "handler"), ("department", "")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("处理人员必须属于一个部门"), "{}", p.html);
    assert!(p.html.contains("value=\"吴工\""), "what was typed is kept");
    let p = b.submit("/admin/staff", "/admin/staff", &[("username", "Wu Gong"), ("display_name", "吴工"), ("role", "board")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = b.submit("/admin/staff", "/admin/staff", &[("username", "wu"), ("display_name", "吴工"), ("role", "handler"), ("department", "nope")]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("没有编码为「nope」的部门"));

    // Reset the front desk's password: the old one stops working, the new one works.
    let desk = app.services.store().find_staff_by_username("frontdesk").await.unwrap().unwrap();
    let csrf = b.get("/admin/staff").await.csrf();
    let res = b.client.post(app.url(&format!("/admin/staff/{}/password", desk.id))).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let html = res.text().await.unwrap();
    assert!(html.contains("密码已重置"));
    let new_password = testid(&html, "password").to_string();
    assert_ne!(new_password, app.password("frontdesk"));
    let old = reqwest::Client::new()
        .post(app.url("/login"))
        .form(&[("username", "frontdesk"), ("password", app.password("frontdesk").as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED, "the old password no longer works");
    Browser::login(&app, "frontdesk", &new_password).await;

    // Unknown staff, and no form token.
    let p = b.post_form("/admin/staff/999999/password", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let p = b.post_form(&format!("/admin/staff/{}/password", desk.id), &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    Browser::login(&app, "frontdesk", &new_password).await;
}

#[tokio::test]
async fn the_time_limit_document_is_edited_in_a_form_checked_first_and_in_force_once_saved() {
    let app = spawn_app().await;
    let b = Browser::demo(&app, "admin").await;
    let p = b.get("/admin/time-limits").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("dispatch = &quot;12h&quot;") || p.html.contains("dispatch = \"12h\""), "the document in the text area");
    assert!(p.html.contains("派单至责任部门") && p.html.contains("<code>12h</code>"), "the limits in force");

    // A faulty document: refused with the reason, the text kept, nothing changed.
    let faulty = "[limits]\ndispatch = \"soon\"\n";
    let p = b.submit("/admin/time-limits", "/admin/time-limits", &[("toml", faulty)]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = testid(&p.html, "error");
    assert!(error.contains("时限"), "{error}");
    assert!(p.html.contains("dispatch = &quot;soon&quot;"), "the faulty text is kept for correcting");
    assert_eq!(app.services.policy().resolve("HTWY", "JYHY").limits.dispatch.to_string(), "12h");

    // A good one, with CRLF line ends as browsers send them.
    let good = "[limits]\r\ndispatch = \"12h\"\r\n\r\n[companies.HTWY.projects.JYHY.limits]\r\ndispatch = \"6h\"\r\n\r\n[[companies.HTWY.commitments]]\r\nservice = \"lift\"\r\nname = \"电梯故障\"\r\nanswer = \"24h\"\r\n";
    let p = b.submit("/admin/time-limits", "/admin/time-limits", &[("toml", good)]).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.url.ends_with("?done=saved"));
    assert!(p.html.contains("时限规则已保存并立即生效"));
    assert!(p.html.contains("HTWY · JYHY") && p.html.contains("<code>6h</code>"), "the project's limits in force");
    assert!(p.html.contains("电梯故障") && p.html.contains("<code>lift</code>"), "the commitment");
    assert_eq!(app.services.policy().resolve("HTWY", "JYHY").limits.dispatch.to_string(), "6h");
    assert_eq!(app.services.policy().resolve("HTWY", "LHW").limits.dispatch.to_string(), "12h");
    let saved = std::fs::read_to_string(app.data_dir.join("time-limits.toml")).expect("saved in the data folder");
    assert!(saved.contains("dispatch = \"6h\"") && !saved.contains('\r'), "{saved}");
    // A new complaint in JYHY gets the 6 h dispatch limit.
    let desk = app.token(Role::FrontDesk).await;
    let c = app.new_complaint(&desk).await;
    assert_eq!(due(&c, "dispatch") - time(&c["received_at"]), hours(6));
}

#[tokio::test]
async fn a_calendar_year_is_imported_by_upload_or_paste_and_a_faulty_one_is_refused() {
    let app = spawn_app().await;
    let b = Browser::demo(&app, "admin").await;
    let p = b.get("/admin/calendar").await;
    assert_eq!(p.status, StatusCode::OK);
    for year in ["2025", "2026", "2027"] {
        assert!(p.html.contains(&format!("data-year=\"{year}\"")), "{year}");
    }
    assert!(p.html.contains("国务院正式安排") && p.html.contains("暂定"), "official and provisional years");
    assert!(!p.html.contains("data-year=\"2028\""));

    let year_2028 = "year = 2028\nofficial = false\nsource = \"测试：法定节日\"\nholidays = [\"2028-01-01\", \"2028-10-02\"]\nworkdays = []\n";
    let csrf = p.csrf();
    let p = b.post_multipart("/admin/calendar", &[("csrf", &csrf), ("content", "")], &[("file", "2028.toml", year_2028.as_bytes())]).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.html);
    assert!(p.url.ends_with("?done=imported"));
    assert!(p.html.contains("data-year=\"2028\"") && p.html.contains("测试：法定节日"));
    assert!(app.services.calendar_years().iter().any(|y| y.year == 2028 && y.holidays == 2));

    // Pasted, replacing 2027 with an official year.
    let year_2027 = "year = 2027\nofficial = true\nsource = \"测试通知\"\nholidays = [\"2027-01-01\", \"2027-01-04\"]\nworkdays = []\n";
    let p = b.post_multipart("/admin/calendar", &[("csrf", &csrf), ("content", year_2027)], &[("file", "", b"")]).await;
    assert_eq!(p.status, StatusCode::OK);
    let y2027 = app.services.calendar_years().into_iter().find(|y| y.year == 2027).unwrap();
    assert!(y2027.official && y2027.holidays == 2);

    // Faulty: refused with the reason, the text kept.
    let p = b.post_multipart("/admin/calendar", &[("csrf", &csrf), ("content", "year = \"二〇二九\"\n")], &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!testid(&p.html, "error").is_empty());
    assert!(p.html.contains("二〇二九"), "the pasted text is kept");
    let p = b.post_multipart("/admin/calendar", &[("csrf", &csrf), ("content", "  ")], &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("请上传文件或粘贴内容"));
    // Without the form token: refused, nothing imported.
    let p = b.post_multipart("/admin/calendar", &[("content", year_2028)], &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn failed_notifications_are_listed_with_their_errors_and_retried_from_the_page() {
    let t0 = at("2026-11-23T09:00:00+08:00");
    let sink = HttpSink::start(vec![]).await;
    sink.reply("/cgi-bin/webhook/send", Reply::new(200, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#));
    let mut config = AppConfig::default();
    config.notify.routes = vec![
        serde_json::from_value(json!({"name": "wecom", "channel": {"type": "wecom", "url": sink.url("/cgi-bin/webhook/send?key=gone")}}))
            .unwrap(),
    ];
    let app = spawn_app_at(t0, config).await;
    let desk = app.token(Role::FrontDesk).await;
    app.new_complaint(&desk).await;
    app.set_clock(t0 + hours(12));
    app.run_deadlines().await;
    app.run_outbox().await;

    let b = Browser::demo(&app, "admin").await;
    let overview = b.get("/admin").await;
    assert_eq!(testid(&overview.html, "failed"), "1");
    let p = b.get("/admin/deliveries").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.html.contains("93000"), "the error: {}", p.html);
    assert!(p.html.contains("<code>wecom</code>"));
    assert!(!p.html.contains("key=gone"), "the robot's key is its credential");
    let at = p.html.find("data-delivery=\"").expect("a delivery row");
    let id: String = p.html[at + 15..].chars().take_while(char::is_ascii_digit).collect();

    let r = b.submit("/admin/deliveries", &format!("/admin/deliveries/{id}/retry"), &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.url.ends_with("?done=retried"));
    assert!(r.html.contains("已重新加入投递队列"));
    assert!(!r.html.contains(&format!("data-delivery=\"{id}\"")), "no longer failed");
    let pending = b.get("/admin/deliveries?status=pending").await;
    assert!(pending.html.contains(&format!("data-delivery=\"{id}\"")), "queued again");

    // Not an administrator: refused.
    let leader = Browser::demo(&app, "leader").await;
    let csrf = leader.get("/").await.csrf();
    let p = leader.post_form(&format!("/admin/deliveries/{id}/retry"), &[("csrf", &csrf)]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}
