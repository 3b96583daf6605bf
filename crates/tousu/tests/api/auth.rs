//! Staff authentication: sessions and tokens.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_request_without_credentials_is_401() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/api/v1/complaints")).send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "unauthenticated", None).await;
    let res = app.client.get(app.url("/api/v1/complaints")).bearer_auth("tsu_forged").send().await.unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED, "unauthenticated", None).await;
}

#[tokio::test]
async fn logging_in_sets_an_http_only_same_site_cookie_that_authenticates() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "frontdesk", "password": app.password("frontdesk")}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("tousu_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let me: Value = app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["username"], "frontdesk");
    assert_eq!(me["role"], "front_desk");

    let res = app.client.post(app.url("/api/v1/auth/logout")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.client.get(app.url("/api/v1/auth/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_refused_alike() {
    let app = spawn_app().await;
    for (user, pass) in [("frontdesk", "wrong"), ("nobody", "whatever")] {
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": user, "password": pass}))
            .send()
            .await
            .unwrap();
        assert_problem(res, StatusCode::UNAUTHORIZED, "invalid_credentials", None).await;
    }
}
