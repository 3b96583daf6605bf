//! The console's search (搜索, issue 8), driven as a browser would: the box
//! in every staff page's navigation, the results page with each hit's
//! tracking number, status, place, time and marked passage, the total and
//! the pages; an empty, punctuation-only or too-long query answered on the
//! page; the list's search box sending words there; masking as in the API.

use crate::admin_pages::Browser;
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tousu_domain::Role;

/// Waits until the API finds `n` complaints for `query` (the index follows
/// the history in the background), at most 10 s.
async fn until_indexed(app: &TestApp, token: &str, query: &str, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let res = app.client.get(app.url("/api/v1/search")).query(&[("q", query)]).bearer_auth(token).send().await;
        let page: Value = res.expect("sent").json().await.expect("json");
        if page["total"].as_u64() == Some(n) {
            return;
        }
        assert!(Instant::now() < deadline, "{query} never found {n}: {page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn encoded(q: &str) -> String {
    q.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The parts of a results page the tests read.
fn hits(html: &str) -> usize {
    html.matches(r#"data-testid="hit""#).count()
}

fn outcome(html: &str) -> &str {
    let marker = r#"data-outcome=""#;
    let at = html.find(marker).map(|i| i + marker.len()).expect("a results section");
    html[at..].split('"').next().unwrap_or_default()
}

#[tokio::test]
async fn the_nav_box_leads_to_results_with_the_tracking_number_status_place_and_marked_words() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut b = complaint_body();
    b["description"] = json!("3栋1801卫生间顶上在滴水，<b>楼上</b>装修以后开始的");
    let c = app.new_complaint_from(&desk, &b).await;
    let tracking_no = c["tracking_no"].as_str().expect("a tracking number").to_string();
    until_indexed(&app, &desk, "滴水", 1).await;

    let browser = Browser::demo(&app, "frontdesk").await;
    // The box is in every staff page's navigation, sending GET /search.
    for path in ["/", "/complaints", &format!("/complaints/{}", c["id"])] {
        let page = browser.get(path).await;
        assert!(
            page.html.contains(r#"data-testid="nav-search""#) && page.html.contains(r#"action="/search""#),
            "{path}"
        );
    }
    let page = browser.get(&format!("/search?q={}", encoded("滴水"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(outcome(&page.html), "found", "{}", page.html);
    assert_eq!(hits(&page.html), 1);
    assert!(page.html.contains("共 1 条"), "the total");
    assert!(
        page.html.contains(&format!(r#"data-testid="hit-link">{tracking_no}</a>"#)),
        "the tracking number links to the complaint"
    );
    assert!(page.html.contains(r#"data-testid="hit-status">已受理</span>"#), "the status");
    assert!(page.html.contains("锦园华苑"), "the project");
    assert!(page.html.contains("<mark>滴水</mark>"), "the marked words, unescaped: {}", page.html);
    // What the owner wrote stays escaped, in the snippet and elsewhere.
    assert!(!page.html.contains("<b>楼上</b>") && page.html.contains("&lt;b&gt;"), "{}", page.html);
    // The query is kept in both boxes.
    assert!(page.html.matches(r#"value="滴水""#).count() >= 2, "the words stay in the boxes");

    // Synonyms and Traditional characters, as the API.
    let page = browser.get(&format!("/search?q={}", encoded("渗水"))).await;
    assert_eq!(hits(&page.html), 1, "a synonym finds it");
    assert!(page.html.contains("<mark>滴水</mark>"), "and marks the word written");
    // Filters: another project finds nothing; `open` keeps it.
    let page = browser.get(&format!("/search?q={}&project=LHW", encoded("滴水"))).await;
    assert_eq!(outcome(&page.html), "no_results");
    assert!(page.html.contains("无结果"));
    let page = browser.get(&format!("/search?q={}&status=open&sort=newest&from=2000-01-01", encoded("滴水"))).await;
    assert_eq!(hits(&page.html), 1, "{}", page.html);

    // Not logged in: the login page, coming back here.
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let res = anonymous.get(app.url("/search?q=x")).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"].to_str().unwrap_or_default().starts_with("/login?next=/search"));
}

#[tokio::test]
async fn an_empty_punctuation_or_too_long_query_is_answered_on_the_page_never_5xx() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    app.new_complaint_from(&desk, &complaint_body()).await;
    until_indexed(&app, &desk, "滴水", 1).await;
    let browser = Browser::demo(&app, "frontdesk").await;

    let page = browser.get("/search").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(outcome(&page.html), "prompt");
    assert!(page.html.contains("输入关键词搜索投诉"));
    let page = browser.get("/search?q=%20%20").await;
    assert_eq!(outcome(&page.html), "prompt");
    let page = browser.get(&format!("/search?q={}", encoded("？！。，"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(outcome(&page.html), "no_words");
    assert!(page.html.contains("只有标点符号"));

    let long = "电".repeat(201);
    let page = browser.get(&format!("/search?q={}", encoded(&long))).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "a readable refusal, not a 5xx");
    assert_eq!(outcome(&page.html), "failed");
    assert!(page.html.contains(r#"data-testid="error""#) && page.html.contains("最多 200 个字"), "{}", page.html);
    let page = browser.get(&format!("/search?q={}&from=yesterday", encoded("滴水"))).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("受理日期从"), "the field is named");
    let page = browser.get(&format!("/search?q={}&sort=colour", encoded("滴水"))).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // In English through the same catalogues (the language switch sets a cookie).
    browser.get("/lang/en?next=/").await;
    let page = browser.get(&format!("/search?q={}", encoded("窗户"))).await;
    assert!(page.html.contains("No results") && page.html.contains(r#"placeholder="Search complaints…""#), "{}", page.html);
}

#[tokio::test]
async fn results_come_in_pages_with_next_and_previous_links() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    for i in 0..23 {
        let mut b = complaint_body();
        b["customer"]["phone"] = json!(format!("1390000{i:04}"));
        b["description"] = json!(format!("地下车库第{i}号车位上方管道滴水"));
        app.new_complaint_from(&desk, &b).await;
    }
    until_indexed(&app, &desk, "车位", 23).await;
    let browser = Browser::demo(&app, "frontdesk").await;
    let first = browser.get(&format!("/search?q={}", encoded("车位"))).await;
    assert_eq!(hits(&first.html), 20);
    assert!(first.html.contains("共 23 条") && first.html.contains("第 1–20 条"), "{}", first.html);
    assert!(first.html.contains(r#"data-testid="next""#) && !first.html.contains(r#"data-testid="prev""#));
    let second = browser.get(&format!("/search?q={}&offset=20", encoded("车位"))).await;
    assert_eq!(hits(&second.html), 3);
    assert!(second.html.contains("第 21–23 条"));
    assert!(second.html.contains(r#"data-testid="prev""#) && !second.html.contains(r#"data-testid="next""#));
}

#[tokio::test]
async fn the_list_sends_words_to_the_search_page_and_roles_see_hits_masked() {
    let app = spawn_app().await;
    let desk = app.token(Role::FrontDesk).await;
    let mut b = complaint_body();
    b["description"] = json!("3栋1801卫生间顶上在滴水，白天打我另一个电话 139-9876-5432");
    app.new_complaint_from(&desk, &b).await;
    until_indexed(&app, &desk, "滴水", 1).await;

    let browser = Browser::demo(&app, "frontdesk").await;
    let page = browser.get(&format!("/complaints?q={}", encoded("滴水"))).await;
    assert!(page.url.contains("/search?q="), "words in the list's box open the search page: {}", page.url);
    assert_eq!(hits(&page.html), 1);

    let analyst = Browser::demo(&app, "analyst").await;
    let page = analyst.get(&format!("/search?q={}", encoded("滴水"))).await;
    assert_eq!(hits(&page.html), 1, "an analyst finds it by its words");
    for personal in ["张三丰", "13812345678", "9876"] {
        assert!(!page.html.contains(personal), "{personal} shown to an analyst");
    }
    let page = analyst.get(&format!("/search?q={}", encoded("张三丰"))).await;
    assert_eq!(outcome(&page.html), "no_results", "an analyst never matches a name");
}
