//! The rows of newly received complaints (the complaint, its first event,
//! its deadlines, its notifications), written as arrays: one statement per
//! table whatever the number of complaints, so a bulk load of 5,000
//! complaints costs four round trips, not twenty thousand.

use crate::convert::{at, at_opt};
use crate::error::db;
use crate::history::Figures;
use sqlx::PgConnection;
use sqlx::types::Json;
use tousu_domain::{Complaint, Event, Timestamp};
use tousu_store::StoreResult;

/// Writes `received` (each complaint with its first event) and adds their
/// figures to `figures`.
pub(crate) async fn insert(conn: &mut PgConnection, received: &[(Complaint, Event)], figures: &mut Figures) -> StoreResult<()> {
    insert_complaints(conn, received).await?;
    insert_events(conn, received).await?;
    insert_deadlines(conn, received).await?;
    insert_notices(conn, received).await?;
    for (c, first) in received {
        figures.add(c, None, first);
    }
    Ok(())
}

async fn insert_complaints(conn: &mut PgConnection, received: &[(Complaint, Event)]) -> StoreResult<()> {
    let n = received.len();
    let mut id = Vec::with_capacity(n);
    let mut company = Vec::with_capacity(n);
    let mut project = Vec::with_capacity(n);
    let mut tracking_no = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut is_open = Vec::with_capacity(n);
    let mut category = Vec::with_capacity(n);
    let mut severity = Vec::with_capacity(n);
    let mut department = Vec::with_capacity(n);
    let mut received_at = Vec::with_capacity(n);
    let mut updated_at = Vec::with_capacity(n);
    let mut version = Vec::with_capacity(n);
    let mut state = Vec::with_capacity(n);
    let mut phone = Vec::with_capacity(n);
    let mut building = Vec::with_capacity(n);
    let mut unit = Vec::with_capacity(n);
    for (c, _) in received {
        id.push(c.id);
        company.push(c.company_id);
        project.push(c.project.id);
        tracking_no.push(c.tracking_no.as_str());
        status.push(c.status.as_str());
        is_open.push(c.status.is_open());
        category.push(c.category.map(|x| x.as_str()));
        severity.push(c.severity.map(|x| x.as_str()));
        department.push(c.department.as_ref().map(|d| d.code.as_str()));
        received_at.push(at(c.received_at));
        updated_at.push(at(c.updated_at));
        version.push(i64::from(c.version));
        state.push(Json(c));
        phone.push(c.customer.phone.as_str());
        building.push(c.building.as_str());
        unit.push(c.unit.as_str());
    }
    sqlx::query(
        "INSERT INTO complaints (id, company_id, project_id, tracking_no, status, is_open, category, severity, \
         department_code, received_at, updated_at, version, state, customer_phone, building, unit) \
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::BOOLEAN[], \
         $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TIMESTAMPTZ[], $11::TIMESTAMPTZ[], $12::BIGINT[], $13::JSONB[], \
         $14::TEXT[], $15::TEXT[], $16::TEXT[])",
    )
    .bind(id)
    .bind(company)
    .bind(project)
    .bind(tracking_no)
    .bind(status)
    .bind(is_open)
    .bind(category)
    .bind(severity)
    .bind(department)
    .bind(received_at)
    .bind(updated_at)
    .bind(version)
    .bind(state)
    .bind(phone)
    .bind(building)
    .bind(unit)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn insert_events(conn: &mut PgConnection, received: &[(Complaint, Event)]) -> StoreResult<()> {
    let n = received.len();
    let (mut complaint, mut seq, mut kind, mut when) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut actor, mut role, mut payload) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for (c, e) in received {
        complaint.push(c.id);
        seq.push(i64::from(e.seq));
        kind.push(e.kind.type_name());
        when.push(at(e.at));
        actor.push(e.actor.staff_id());
        role.push(e.actor.role().map(|r| r.as_str()));
        payload.push(Json(e));
    }
    sqlx::query(
        "INSERT INTO complaint_events (complaint_id, seq, kind, at, actor_id, actor_role, payload) \
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TIMESTAMPTZ[], $5::BIGINT[], $6::TEXT[], \
         $7::JSONB[])",
    )
    .bind(complaint)
    .bind(seq)
    .bind(kind)
    .bind(when)
    .bind(actor)
    .bind(role)
    .bind(payload)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn insert_deadlines(conn: &mut PgConnection, received: &[(Complaint, Event)]) -> StoreResult<()> {
    let mut complaint = Vec::new();
    let mut ordinal = Vec::new();
    let mut rule = Vec::new();
    let mut due_at = Vec::new();
    let mut level = Vec::new();
    let mut state = Vec::new();
    let mut closed_at: Vec<Option<Timestamp>> = Vec::new();
    let mut next_check_at: Vec<Option<Timestamp>> = Vec::new();
    for (c, _) in received {
        for (i, d) in c.deadlines.iter().enumerate() {
            complaint.push(c.id);
            ordinal.push(i as i64);
            rule.push(d.rule.as_str());
            due_at.push(at(d.due_at));
            level.push(d.level.as_str());
            state.push(d.state.as_str());
            closed_at.push(at_opt(d.closed_at));
            next_check_at.push(at_opt(d.next_check()));
        }
    }
    if complaint.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO deadlines (complaint_id, ordinal, rule, due_at, level, state, closed_at, next_check_at) \
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TIMESTAMPTZ[], $5::TEXT[], $6::TEXT[], \
         $7::TIMESTAMPTZ[], $8::TIMESTAMPTZ[])",
    )
    .bind(complaint)
    .bind(ordinal)
    .bind(rule)
    .bind(due_at)
    .bind(level)
    .bind(state)
    .bind(closed_at)
    .bind(next_check_at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// The outbox rows the first events call for (emergencies), in the same
/// transaction as the complaints.
async fn insert_notices(conn: &mut PgConnection, received: &[(Complaint, Event)]) -> StoreResult<()> {
    let mut company = Vec::new();
    let mut complaint = Vec::new();
    let mut seq = Vec::new();
    let mut kind = Vec::new();
    let mut level = Vec::new();
    let mut department = Vec::new();
    let mut title = Vec::new();
    let mut body = Vec::new();
    let mut created_at = Vec::new();
    for (c, e) in received {
        for n in tousu_domain::notices::notices(e, c) {
            company.push(c.company_id);
            complaint.push(c.id);
            seq.push(i64::from(e.seq));
            kind.push(n.kind);
            level.push(n.level.map(|l| l.as_str()));
            department.push(n.department);
            title.push(n.title);
            body.push(n.body);
            created_at.push(at(e.at));
        }
    }
    if company.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notifications (company_id, complaint_id, event_seq, kind, level, department_code, title, body, created_at) \
         SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[], \
         $8::TEXT[], $9::TIMESTAMPTZ[])",
    )
    .bind(company)
    .bind(complaint)
    .bind(seq)
    .bind(kind)
    .bind(level)
    .bind(department)
    .bind(title)
    .bind(body)
    .bind(created_at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}
