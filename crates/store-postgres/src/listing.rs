//! Listing a company's complaints: filters and keyset pages on `id`.
//!
//! Every filter has an index ending in `id` (see the migrations), so a page
//! is a walk of one index in id order that stops once the page is full.
//! Unlike SQLite, PostgreSQL chooses the walk itself from its statistics,
//! so the query names no index.

use crate::convert::at;
use crate::error::db;
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, QueryBuilder};
use tousu_domain::Complaint;
use tousu_store::{ComplaintFilter, Page, PageRequest, StoreResult};

/// Newest first (or oldest first); `limit + 1` rows are read to know
/// whether another page follows.
pub(crate) async fn list_complaints(
    pool: &PgPool,
    company_id: i64,
    f: &ComplaintFilter,
    page: PageRequest,
) -> StoreResult<Page> {
    let mut q = QueryBuilder::<Postgres>::new("SELECT state FROM complaints WHERE company_id = ");
    q.push_bind(company_id);
    if f.open_only {
        q.push(" AND is_open");
    }
    if !f.statuses.is_empty() {
        let statuses: Vec<&str> = f.statuses.iter().map(|s| s.as_str()).collect();
        q.push(" AND status = ANY(").push_bind(statuses).push(")");
    }
    if let Some(code) = &f.project_code {
        q.push(" AND project_id = (SELECT id FROM projects WHERE company_id = ");
        q.push_bind(company_id).push(" AND code = ").push_bind(code.as_str()).push(")");
    }
    if let Some(c) = f.category {
        q.push(" AND category = ").push_bind(c.as_str());
    }
    if let Some(s) = f.severity {
        q.push(" AND severity = ").push_bind(s.as_str());
    }
    if let Some(d) = &f.department {
        q.push(" AND department_code = ").push_bind(d.as_str());
    }
    if let Some(t) = f.received_from {
        q.push(" AND received_at >= ").push_bind(at(t));
    }
    if let Some(t) = f.received_to {
        q.push(" AND received_at < ").push_bind(at(t));
    }
    if let Some(before) = page.before_id {
        q.push(" AND id < ").push_bind(before);
    }
    if let Some(after) = page.after_id {
        q.push(" AND id > ").push_bind(after);
    }
    let limit = page.limit.max(1);
    q.push(if page.oldest_first { " ORDER BY id ASC LIMIT " } else { " ORDER BY id DESC LIMIT " });
    q.push_bind(i64::from(limit) + 1);
    let rows: Vec<Json<Complaint>> = q.build_query_scalar().fetch_all(pool).await.map_err(db)?;
    let more = rows.len() > limit as usize;
    let items: Vec<Complaint> = rows.into_iter().take(limit as usize).map(|Json(c)| c).collect();
    let last = if more { items.last().map(|c| c.id) } else { None };
    let (next_before_id, next_after_id) = if page.oldest_first { (None, last) } else { (last, None) };
    Ok(Page { items, next_before_id, next_after_id })
}
