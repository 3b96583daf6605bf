//! The service catalogue (issue 7): services with their Kano class, tier,
//! committed time and publicity, written in the time-limit policy, listed
//! for staff, and on the owners' portal only where published to everyone; a
//! surprise service published to anybody is refused.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tousu_domain::Role;

const CATALOGUE: &str = r#"
[[companies.HTWY.commitments]]
service = "lift"
name = "电梯故障"
answer = "24h"

[[companies.HTWY.commitments]]
service = "water_leak"
name = "漏水维修"
answer = "3d"
kano = "expected"
tier = "标准"

[[companies.HTWY.commitments]]
service = "villa_garden"
name = "别墅庭院养护"
answer = "7wd"
kano = "expected"
tier = "尊享"
published_to = "group:别墅业主"

[[companies.HTWY.commitments]]
service = "birthday_flowers"
name = "业主生日送花"
answer = "1d"
kano = "surprise"
published_to = "nobody"
"#;

#[tokio::test]
async fn the_catalogue_lists_every_service_for_staff_and_the_portal_shows_only_the_published_ones() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin).await;
    let res = app.put_text(&admin, "/api/v1/admin/time-limits", CATALOGUE).await;
    assert_eq!(res.status(), StatusCode::OK);

    let desk = app.token(Role::FrontDesk).await;
    let res = app.get(&desk, "/api/v1/services").await;
    assert_eq!(res.status(), StatusCode::OK);
    let services: Value = res.json().await.unwrap();
    assert_eq!(
        services,
        json!([
            {"service": "lift", "name": "电梯故障", "kano": "basic", "kano_label": "基本需求", "answer": "24h", "published_to": "everyone"},
            {"service": "water_leak", "name": "漏水维修", "kano": "expected", "kano_label": "期望需求", "tier": "标准", "answer": "3d", "published_to": "everyone"},
            {"service": "villa_garden", "name": "别墅庭院养护", "kano": "expected", "kano_label": "期望需求", "tier": "尊享", "answer": "7wd", "published_to": "group:别墅业主"},
            {"service": "birthday_flowers", "name": "业主生日送花", "kano": "surprise", "kano_label": "惊喜需求", "answer": "1d", "published_to": "nobody"},
        ])
    );

    // What is published sets the expectation: owners see only what is published to everyone.
    let page = app.client.get(app.url("/p/HTWY/JYHY")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("我们的服务承诺"), "{page}");
    assert!(page.contains("<strong>电梯故障</strong> — 24 小时内"));
    assert!(page.contains("<strong>漏水维修</strong> — 3 天内"));
    assert!(!page.contains("别墅庭院养护"), "a group's service is told to that group only");
    assert!(!page.contains("业主生日送花"), "a surprise is never announced");
    let english = app
        .client
        .get(app.url("/p/HTWY/JYHY"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<strong>电梯故障</strong> — 24 hours"), "{english}");

    // The committed time is the answer limit of a complaint of that service.
    let mut body = complaint_body();
    body["service"] = json!("water_leak");
    let c = app.new_complaint_from(&desk, &body).await;
    let answer = c["deadlines"].as_array().unwrap().iter().find(|d| d["rule"] == "answer").expect("an answer deadline");
    assert_eq!(time(&answer["due_at"]) - time(&c["received_at"]), days(3));
}

#[tokio::test]
async fn a_surprise_published_to_anybody_or_an_unknown_class_is_refused_and_the_policy_is_unchanged() {
    let app = spawn_app().await;
    let admin = app.token(Role::Admin).await;
    let before: Value = app.get(&admin, "/api/v1/admin/time-limits").await.json().await.unwrap();
    for published in ["everyone", "group:VIP"] {
        let doc = format!(
            "[[companies.HTWY.commitments]]\nservice = \"flowers\"\nname = \"送花\"\nanswer = \"1d\"\nkano = \"surprise\"\npublished_to = \"{published}\"\n"
        );
        let res = app.put_text(&admin, "/api/v1/admin/time-limits", &doc).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("commitments")).await;
        assert!(problem["message_zh"].as_str().unwrap().contains("惊喜服务"), "{problem}");
    }
    for bad in ["kano = \"delight\"", "published_to = \"all\""] {
        let doc = format!("[[companies.HTWY.commitments]]\nservice = \"x\"\nanswer = \"1d\"\n{bad}\n");
        let res = app.put_text(&admin, "/api/v1/admin/time-limits", &doc).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let after: Value = app.get(&admin, "/api/v1/admin/time-limits").await.json().await.unwrap();
    assert_eq!(before, after);
}
