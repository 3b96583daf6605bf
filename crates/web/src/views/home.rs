//! The home page: each role's queues.

use super::render::{PageError, render};
use super::session::StaffPage;
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use tousu_app::complaints::ListRequest;
use tousu_domain::Role;

/// One queue on the home page.
#[derive(serde::Serialize)]
struct Queue {
    /// Catalogue key of the title.
    title: &'static str,
    /// Where "all" leads (the list with the same filter).
    href: String,
    items: Vec<tousu_app::views::ComplaintView>,
}

const QUEUE_SIZE: u32 = 10;

pub async fn show(State(s): State<AppState>, page: StaffPage) -> Result<Html<String>, PageError> {
    let who = &page.who;
    let mut queues = Vec::new();
    let today = tousu_app::complaints::local_date(s.services.now(), "Asia/Shanghai");
    let since = format!("{today}T00:00:00+08:00");
    let mut wanted: Vec<(&'static str, ListRequest)> = Vec::new();
    if let (Some(dept), Role::Handler | Role::DepartmentHead) = (&who.department, who.role) {
        wanted.push((
            "home.department_queue",
            ListRequest { status: Some("dispatched,in_progress".into()), department: Some(dept.clone()), ..Default::default() },
        ));
    }
    if matches!(who.role, Role::FrontDesk | Role::CompanyLeader) {
        wanted.push(("home.new_today", ListRequest { status: Some("received".into()), received_from: Some(since.clone()), ..Default::default() }));
    }
    wanted.push(("home.open", ListRequest { status: Some("open".into()), ..Default::default() }));
    for (title, mut req) in wanted {
        req.limit = Some(QUEUE_SIZE);
        let href = format!(
            "/complaints?status={}{}",
            req.status.clone().unwrap_or_default(),
            req.department.as_ref().map(|d| format!("&department={d}")).unwrap_or_default()
        );
        let page_ = s.services.list_complaints(who, req).await.map_err(|e| PageError::from_app(e, page.locale))?;
        queues.push(Queue { title, href, items: page_.items });
    }
    let mut ctx = page.base();
    ctx = minijinja::context! { queues => super::render::val(&queues), ..ctx };
    render("home.html", ctx)
}
