//! `tousu bench pages`: the console's and the portal's pages with many
//! complaints in the database (issue 4: under 50 ms server time at
//! 1,000,000). Each page is fetched over HTTP from one client with a real
//! session cookie, as a browser would; the time is from sending the request
//! to the last byte of the page, so it bounds the server time from above.

use super::{Latency, Machine, histogram, latency, machine, preload};
use crate::settings::Settings;
use crate::startup::Application;
use clap::Args;
use hdrhistogram::Histogram;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use tokio_util::sync::CancellationToken;
use tousu_domain::Role;

#[derive(Debug, Args)]
pub struct PagesArgs {
    /// Complaints in the database before measuring (bulk-loaded).
    #[arg(long, default_value_t = 1_000_000)]
    pub preload: u64,
    /// Requests per page measured.
    #[arg(long, default_value_t = 300)]
    pub requests: usize,
    /// Data folder (default: a temporary folder, removed afterwards).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
pub struct PageFigure {
    pub page: String,
    pub role: String,
    pub path: String,
    pub bytes: usize,
    pub latency: Latency,
}

#[derive(Debug, Serialize)]
pub struct PagesReport {
    pub complaints_loaded: u64,
    pub pages: Vec<PageFigure>,
    pub machine: Machine,
}

/// A logged-in browser: its session cookie.
pub(super) struct Visitor {
    pub(super) role: Role,
    pub(super) cookie: String,
}

pub(super) async fn visitor(app: &Application, role: Role) -> anyhow::Result<Visitor> {
    let account = app
        .seeded_accounts()
        .and_then(|a| a.iter().find(|a| a.role == role))
        .ok_or_else(|| anyhow::anyhow!("the demo organisation has no {role:?} account"))?;
    let session = app.services().login(&account.username, &account.password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Visitor { role, cookie: format!("{}={}", tousu_web::extract::SESSION_COOKIE, session.secret) })
}

async fn fetch(client: &reqwest::Client, url: &str, cookie: Option<&str>) -> anyhow::Result<(String, u64)> {
    let mut req = client.get(url);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let started = Instant::now();
    let res = req.send().await?;
    let status = res.status();
    let body = res.text().await?;
    let micros = started.elapsed().as_micros() as u64;
    anyhow::ensure!(status.is_success(), "GET {url} answered {status}");
    Ok((body, micros))
}

pub(super) async fn time_page(
    client: &reqwest::Client,
    base: &str,
    requests: usize,
    visitor: Option<&Visitor>,
    page: &str,
    path: impl Fn(usize) -> String,
) -> anyhow::Result<PageFigure> {
    let cookie = visitor.map(|v| v.cookie.as_str());
    // One unmeasured fetch: template and catalogue caches, the page cache of the database.
    let (first, _) = fetch(client, &format!("{base}{}", path(0)), cookie).await?;
    let mut hist: Histogram<u64> = histogram()?;
    for i in 0..requests {
        let (_, micros) = fetch(client, &format!("{base}{}", path(i)), cookie).await?;
        hist.record(micros.max(1))?;
    }
    Ok(PageFigure {
        page: page.to_string(),
        role: visitor.map_or_else(|| "owner".to_string(), |v| format!("{:?}", v.role)),
        path: path(0),
        bytes: first.len(),
        latency: latency(&hist),
    })
}

/// The `href` of the link marked `rel="next"`, unescaped.
fn next_link(html: &str) -> Option<String> {
    let at = html.find(r#"rel="next""#)?;
    let start = html[..at].rfind("<a ")?;
    let href = html[start..at].split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&#x2f;", "/").replace("&amp;", "&").replace("&#x3d;", "="))
}

pub async fn pages(args: PagesArgs) -> anyhow::Result<PagesReport> {
    let temp = tempfile::Builder::new().prefix("tousu-bench-").tempdir()?;
    let data_dir = args.data.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let mut settings = Settings { data_dir, demo: true, search: false, ..Settings::default() };
    settings.bind = "127.0.0.1:0".parse()?;
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let services = app.services().clone();
    let desk = visitor(&app, Role::FrontDesk).await?;
    let head = visitor(&app, Role::DepartmentHead).await?;
    let leader = visitor(&app, Role::CompanyLeader).await?;
    let admin = visitor(&app, Role::Admin).await?;
    let (_, staff) = services.create_api_token(Role::FrontDesk, None, None).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let loaded = preload(&services, &tousu_app::Principal::from(staff), 0, args.preload).await?;
    let org = services.org(desk_company(&services, &desk).await?).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until_stopped(stop.clone().cancelled_owned()));

    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let n = args.requests;
    let max_id = loaded.max(1);
    eprintln!("pages: {n} requests each, {loaded} complaints loaded …");
    let mut figures = vec![
        time_page(&client, &base, n, Some(&desk), "home (front desk: queues)", |_| "/".into()).await?,
        time_page(&client, &base, n, Some(&head), "home (department head)", |_| "/".into()).await?,
        time_page(&client, &base, n, Some(&desk), "complaint list, page 1", |_| "/complaints".into()).await?,
        time_page(&client, &base, n, Some(&desk), "complaint list, filtered", |_| {
            "/complaints?status=open&project=JYHY&category=facilities&sort=oldest".into()
        })
        .await?,
        time_page(&client, &base, n, Some(&desk), "complaint list, filter matching nothing", |_| {
            "/complaints?status=open&project=LHW&severity=crisis".into()
        })
        .await?,
        time_page(&client, &base, n, Some(&desk), "complaint list, search by phone", |i| {
            format!("/complaints?q=135{:08}", i * 7919 % 100_000_000)
        })
        .await?,
        time_page(&client, &base, n, Some(&desk), "complaint page (random)", |_| {
            format!("/complaints/{}", 1 + fastrand::u64(0..max_id))
        })
        .await?,
        time_page(&client, &base, n, Some(&desk), "record form with lookup by unit", |_| {
            "/complaints/new?by=unit&project=JYHY&building=3%E6%A0%8B&unit=1801".into()
        })
        .await?,
        time_page(&client, &base, n, Some(&leader), "dashboard", |_| "/dashboard".into()).await?,
        time_page(&client, &base, n, Some(&admin), "admin: organisation", |_| "/admin/org".into()).await?,
        time_page(&client, &base, n, None, "owners' portal: project page", |_| {
            format!("/p/{}/JYHY", org.company.code)
        })
        .await?,
    ];
    // Deep paging: follow "next" 20 pages down, each page measured.
    let mut hist = histogram()?;
    let mut path = "/complaints".to_string();
    for _ in 0..20 {
        let (html, _) = fetch(&client, &format!("{base}{path}"), Some(&desk.cookie)).await?;
        let Some(next) = next_link(&html) else { break };
        let (_, micros) = fetch(&client, &format!("{base}{next}"), Some(&desk.cookie)).await?;
        hist.record(micros.max(1))?;
        path = next;
    }
    figures.push(PageFigure {
        page: "complaint list, next page ×20".into(),
        role: "FrontDesk".into(),
        path: "/complaints?cursor=…".into(),
        bytes: 0,
        latency: latency(&hist),
    });
    stop.cancel();
    let _ = server.await;
    Ok(PagesReport { complaints_loaded: loaded, pages: figures, machine: machine() })
}

async fn desk_company(services: &tousu_app::Services, v: &Visitor) -> anyhow::Result<i64> {
    let secret = v.cookie.split_once('=').map(|(_, s)| s).unwrap_or_default();
    Ok(services.authenticate(secret).await.map_err(|e| anyhow::anyhow!("{e}"))?.company_id)
}

pub(super) fn print_report(r: &PagesReport) {
    let m = &r.machine;
    println!("tousu bench pages — {} CPUs ({}), {} GiB, Linux {}", m.cpus, m.cpu_model, m.memory_gib, m.os);
    println!("with {} complaints loaded (time to the last byte, one client):", r.complaints_loaded);
    for f in &r.pages {
        println!(
            "  {:<40} {:>10}  p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms  ({} B, {} requests)",
            f.page, f.role, f.latency.p50_ms, f.latency.p99_ms, f.latency.max_ms, f.bytes, f.latency.count
        );
    }
}
