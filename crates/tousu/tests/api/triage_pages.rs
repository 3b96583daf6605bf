//! Triage in the console: the intake form shows what triage reads while
//! the agent types (a fragment for the page's script, or the whole form
//! through the "analyse" button), and the complaint page shows the reading
//! with its evidence and the response script.

use crate::helpers::*;
use reqwest::StatusCode;
use tousu_domain::Role;

const TRAPPED: &str = "2号楼电梯突然停了，我家老人被困在里面快二十分钟了，喊了没人应，快来救人！";

fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn logged_in(app: &TestApp, role: Role) -> reqwest::Client {
    let account = app.accounts.iter().find(|a| a.role == role).expect("a demo account with the role");
    let client = browser();
    let password = app.password(&account.username);
    let res = client
        .post(app.url("/login"))
        .form(&[("username", account.username.as_str()), ("password", password.as_str()), ("next", "/")])
        .send()
        .await
        .expect("login sent");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    client
}

async fn get_ok(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let res = client.get(app.url(path)).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("body")
}

fn csrf(html: &str) -> String {
    let marker = r#"name="csrf" value=""#;
    let start = html.find(marker).expect("a form token") + marker.len();
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// The `<tr>` of one triage line.
fn line<'a>(html: &'a str, field: &str) -> &'a str {
    let marker = format!(r#"data-field="{field}""#);
    let at = html.find(&marker).unwrap_or_else(|| panic!("no triage line {field} in {html}"));
    let start = html[..at].rfind("<tr").expect("row start");
    let end = at + html[at..].find("</tr>").expect("row end");
    &html[start..end]
}

async fn complaint_count(app: &TestApp) -> usize {
    let token = app.token(Role::FrontDesk).await;
    let list: serde_json::Value = app.get(&token, "/api/v1/complaints").await.json().await.expect("json");
    list["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn the_intake_form_shows_triage_live_and_on_analyse_without_recording() {
    let app = spawn_app().await;
    let desk = logged_in(&app, Role::FrontDesk).await;
    let form = get_ok(&app, &desk, "/complaints/new").await;
    assert!(form.contains(r#"data-testid="triage-empty""#), "an empty form waits for text");
    assert!(form.contains("data-triage-url=\"/complaints/new/triage\"") || form.contains("data-triage-url=\"&#x2f;complaints&#x2f;new&#x2f;triage\""));
    let token = csrf(&form);

    // The fragment the page's script asks for.
    let res = desk
        .post(app.url("/complaints/new/triage"))
        .form(&[("csrf", token.as_str()), ("subject", ""), ("description", TRAPPED)])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let fragment = res.text().await.expect("body");
    assert!(!fragment.contains("<html"), "a fragment, not a page");
    let emergency = line(&fragment, "emergency");
    assert!(emergency.contains("cx-alarm") && emergency.contains("<strong>是</strong>"), "{emergency}");
    assert!(emergency.contains("<mark>"), "the evidence is shown: {emergency}");
    assert!(fragment.contains(r#"data-testid="script""#) && fragment.contains("先处理情感"));

    // Too little text says nothing yet; a forged request is refused.
    let res = desk.post(app.url("/complaints/new/triage")).form(&[("csrf", token.as_str()), ("description", "漏")]).send().await.expect("sent");
    assert!(res.text().await.expect("body").contains("triage-empty"));
    let res = desk.post(app.url("/complaints/new/triage")).form(&[("csrf", "forged"), ("description", TRAPPED)]).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Without script: "analyse" re-renders the form with the reading and the
    // typed values, and records nothing.
    let before = complaint_count(&app).await;
    let res = desk
        .post(app.url("/complaints/new"))
        .form(&[
            ("csrf", token.as_str()),
            ("channel", "phone"),
            ("name", "李四"),
            ("phone", "13900001111"),
            ("project", "JYHY"),
            ("building", "2栋"),
            ("unit", "0301"),
            ("description", TRAPPED),
            ("preview", "1"),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("body");
    assert!(line(&page, "emergency").contains("cx-alarm"));
    assert!(page.contains("13900001111"), "the typed values stay in the form");
    assert_eq!(complaint_count(&app).await, before, "analysing records nothing");
}

#[tokio::test]
async fn an_analyst_may_not_use_the_intake_triage() {
    let app = spawn_app().await;
    let analyst = logged_in(&app, Role::Analyst).await;
    let home = get_ok(&app, &analyst, "/").await;
    let token = csrf(&home);
    let res = analyst
        .post(app.url("/complaints/new/triage"))
        .form(&[("csrf", token.as_str()), ("description", TRAPPED)])
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_complaint_page_shows_the_reading_its_evidence_and_the_script() {
    let app = spawn_app().await;
    let token = app.token(Role::FrontDesk).await;
    let mut body = complaint_body();
    body["description"] = TRAPPED.into();
    body["subject"] = serde_json::Value::Null;
    let res = app.post_complaint(&token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: serde_json::Value = res.json().await.expect("json");
    let id = created["id"].as_i64().expect("id");

    let desk = logged_in(&app, Role::FrontDesk).await;
    let page = get_ok(&app, &desk, &format!("/complaints/{id}")).await;
    assert!(page.contains(r#"data-testid="triage-card""#));
    let emergency = line(&page, "emergency");
    assert!(emergency.contains("cx-alarm"), "{emergency}");
    assert!(line(&page, "category").contains("<strong>"), "the category is named");
    assert!(page.contains("先处理情感") && page.contains("再处理事件"));

    // A person's correction shows who made it.
    app.act(&token, id, serde_json::json!({"action": "correct_triage", "field": "psychology", "value": "venting", "note": "客户情绪激动"})).await;
    let page = get_ok(&app, &desk, &format!("/complaints/{id}")).await;
    let psychology = line(&page, "psychology");
    assert!(psychology.contains("求发泄") && psychology.contains("cx-corrected"), "{psychology}");
}

#[tokio::test]
async fn the_unit_triage_quotes_is_masked_like_the_unit_itself() {
    let app = spawn_app().await;
    let token = app.token(Role::FrontDesk).await;
    let mut body = complaint_body();
    body["building"] = "2栋".into();
    body["unit"] = "1202".into();
    body["description"] = "我是2栋1202的业主，家里卫生间漏水到楼下，联系电话13812345678。".into();
    let res = app.post_complaint(&token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<serde_json::Value>().await.expect("json")["id"].as_i64().expect("id");
    let c = app.complaint(&token, id).await;
    let triage = c["triage"].to_string();
    assert!(c["triage"]["unit"]["value"].is_string(), "triage read the unit: {triage}");
    assert!(!triage.contains("1202"), "the complaint's triage shows the unit: {triage}");
    assert!(!triage.contains("13812345678"), "{triage}");
    let history = c["history"].to_string();
    assert!(!history.contains("\"1202\"") && !history.contains("1202室"), "the history's triage shows the unit: {history}");

    let desk = logged_in(&app, Role::FrontDesk).await;
    let page = get_ok(&app, &desk, &format!("/complaints/{id}")).await;
    let card_start = page.find(r#"data-testid="triage-card""#).expect("triage card");
    let card = &page[card_start..card_start + page[card_start..].find("</section>").expect("card end")];
    assert!(!card.contains("1202"), "the page's triage card shows the unit: {card}");
}

#[tokio::test]
async fn a_group_members_page_links_to_the_other_complaints_of_its_incident() {
    let app = spawn_app().await;
    let token = app.token(Role::FrontDesk).await;
    let mut ids = Vec::new();
    for (n, text) in WATER_OUTAGE.iter().enumerate() {
        let res = app.post_complaint(&token, &household(20 + n, text)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        ids.push(res.json::<serde_json::Value>().await.expect("json")["id"].as_i64().expect("id"));
    }
    let desk = logged_in(&app, Role::FrontDesk).await;
    let last = *ids.last().expect("ids");
    let page = get_ok(&app, &desk, &format!("/complaints/{last}")).await;
    assert!(page.contains(r#"data-testid="group""#), "the incident is shown");
    let links = &page[page.find(r#"data-testid="group-members""#).expect("links to the other members")..];
    let links = &links[..links.find("</p>").expect("end")];
    for other in ids.iter().filter(|i| **i != last).take(2) {
        assert!(links.contains(&format!("#{other}")), "links to {other}: {links}");
    }
    assert!(!links.contains(&format!("#{last}<")), "not to itself");
}

#[tokio::test]
async fn an_administrator_edits_the_scripts_on_a_page_and_a_faulty_document_changes_nothing() {
    let app = spawn_app().await;
    let admin = logged_in(&app, Role::Admin).await;
    let page = get_ok(&app, &admin, "/admin/scripts").await;
    let token = csrf(&page);
    let shipped = app.services.scripts_text();
    assert!(!shipped.is_empty());

    // A faulty document is refused with the reason; the scripts in force stay.
    let res = admin.post(app.url("/admin/scripts")).form(&[("csrf", token.as_str()), ("toml", "[[script\nbroken")]).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("body");
    assert!(body.contains(r#"data-testid="error""#) && body.contains("话术配置有误"), "{body}");
    assert_eq!(app.services.scripts_text(), shipped);

    // A good one is in force at once: triage's script shows the new words.
    let edited = shipped.replacen("feelings = \"", "feelings = \"【已修订】", 1);
    assert_ne!(edited, shipped, "the shipped scripts have a feelings line");
    let res = admin.post(app.url("/admin/scripts")).form(&[("csrf", token.as_str()), ("toml", edited.as_str())]).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(get_ok(&app, &admin, "/admin/scripts?done=scripts_saved").await.contains(r#"data-testid="notice""#));
    assert_eq!(app.services.scripts_text(), edited);

    // Not for anyone else.
    let desk = logged_in(&app, Role::FrontDesk).await;
    let res = desk.get(app.url("/admin/scripts")).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
