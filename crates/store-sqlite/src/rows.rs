//! The rows a group of writes produces, inserted with multi-row statements.
//!
//! Inserting a group's rows table by table, many rows per statement, costs a
//! handful of statements per group instead of several per complaint. Chunks
//! have a few fixed sizes so that the prepared-statement cache holds every
//! shape ever used.

use crate::convert::{db, millis, to_json};
use chrono::NaiveDate;
use sqlx::{QueryBuilder, Sqlite, Transaction};
use std::collections::HashMap;
use tousu_domain::{Complaint, Deadline, Event};
use tousu_store::{ConflictKind, IdempotencyKey, StoreError, StoreResult};

/// Rows per statement, largest first; any count is a sum of these.
pub(crate) const CHUNKS: [usize; 4] = [64, 16, 4, 1];

pub(crate) struct ComplaintRow {
    id: i64,
    company_id: i64,
    project_id: i64,
    tracking_no: String,
    status: &'static str,
    is_open: bool,
    category: Option<&'static str>,
    severity: Option<&'static str>,
    department_code: Option<String>,
    received_at: i64,
    updated_at: i64,
    version: i64,
    state: String,
}

impl ComplaintRow {
    pub(crate) fn from(c: &Complaint) -> StoreResult<ComplaintRow> {
        Ok(ComplaintRow {
            id: c.id,
            company_id: c.company_id,
            project_id: c.project.id,
            tracking_no: c.tracking_no.to_string(),
            status: c.status.as_str(),
            is_open: c.status.is_open(),
            category: c.category.map(|x| x.as_str()),
            severity: c.severity.map(|x| x.as_str()),
            department_code: c.department.as_ref().map(|d| d.code.clone()),
            received_at: millis(c.received_at),
            updated_at: millis(c.updated_at),
            version: i64::from(c.version),
            state: to_json(c)?,
        })
    }
}

struct EventRow {
    complaint_id: i64,
    seq: i64,
    kind: &'static str,
    at: i64,
    actor_id: Option<i64>,
    actor_role: Option<&'static str>,
    payload: String,
}

struct DeadlineRow {
    complaint_id: i64,
    ordinal: i64,
    rule: &'static str,
    due_at: i64,
    level: &'static str,
    state: &'static str,
    closed_at: Option<i64>,
}

struct KeyRow {
    scope: String,
    key: String,
    fingerprint: String,
    complaint_id: i64,
    created_at: i64,
}

#[derive(Default)]
pub(crate) struct Rows {
    complaints: Vec<ComplaintRow>,
    events: Vec<EventRow>,
    deadlines: Vec<DeadlineRow>,
    keys: Vec<KeyRow>,
}

impl Rows {
    /// A newly received complaint and its first event.
    pub(crate) fn push_new(&mut self, c: &Complaint, first: &Event) -> StoreResult<()> {
        self.complaints.push(ComplaintRow::from(c)?);
        self.push_event(c.id, first)?;
        for (ordinal, d) in c.deadlines.iter().enumerate() {
            self.push_deadline(c.id, ordinal, d);
        }
        Ok(())
    }

    pub(crate) fn push_key(&mut self, key: &IdempotencyKey, complaint_id: i64, created_at: i64) {
        self.keys.push(KeyRow {
            scope: key.scope.clone(),
            key: key.key.clone(),
            fingerprint: key.fingerprint.clone(),
            complaint_id,
            created_at,
        });
    }

    fn push_event(&mut self, complaint_id: i64, e: &Event) -> StoreResult<()> {
        self.events.push(EventRow {
            complaint_id,
            seq: i64::from(e.seq),
            kind: e.kind.type_name(),
            at: millis(e.at),
            actor_id: e.actor.staff_id(),
            actor_role: e.actor.role().map(|r| r.as_str()),
            payload: to_json(e)?,
        });
        Ok(())
    }

    fn push_deadline(&mut self, complaint_id: i64, ordinal: usize, d: &Deadline) {
        self.deadlines.push(DeadlineRow {
            complaint_id,
            ordinal: ordinal as i64,
            rule: d.rule.as_str(),
            due_at: millis(d.due_at),
            level: d.level.as_str(),
            state: d.state.as_str(),
            closed_at: d.closed_at.map(millis),
        });
    }

    /// Inserts everything gathered, table by table.
    pub(crate) async fn flush(&mut self, tx: &mut Transaction<'_, Sqlite>) -> StoreResult<()> {
        insert_chunked(
            tx,
            "INSERT INTO complaints (id, company_id, project_id, tracking_no, status, is_open, category, \
             severity, department_code, received_at, updated_at, version, state) ",
            "",
            &self.complaints,
            |b, r| {
                b.push_bind(r.id)
                    .push_bind(r.company_id)
                    .push_bind(r.project_id)
                    .push_bind(r.tracking_no.clone())
                    .push_bind(r.status)
                    .push_bind(r.is_open)
                    .push_bind(r.category)
                    .push_bind(r.severity)
                    .push_bind(r.department_code.clone())
                    .push_bind(r.received_at)
                    .push_bind(r.updated_at)
                    .push_bind(r.version)
                    .push_bind(r.state.clone());
            },
        )
        .await?;
        insert_chunked(
            tx,
            "INSERT INTO complaint_events (complaint_id, seq, kind, at, actor_id, actor_role, payload) ",
            "",
            &self.events,
            |b, r| {
                b.push_bind(r.complaint_id)
                    .push_bind(r.seq)
                    .push_bind(r.kind)
                    .push_bind(r.at)
                    .push_bind(r.actor_id)
                    .push_bind(r.actor_role)
                    .push_bind(r.payload.clone());
            },
        )
        .await?;
        insert_chunked(
            tx,
            "INSERT INTO deadlines (complaint_id, ordinal, rule, due_at, level, state, closed_at) ",
            " ON CONFLICT (complaint_id, ordinal) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at",
            &self.deadlines,
            |b, r| {
                b.push_bind(r.complaint_id)
                    .push_bind(r.ordinal)
                    .push_bind(r.rule)
                    .push_bind(r.due_at)
                    .push_bind(r.level)
                    .push_bind(r.state)
                    .push_bind(r.closed_at);
            },
        )
        .await?;
        insert_chunked(
            tx,
            "INSERT INTO idempotency_keys (scope, key, fingerprint, complaint_id, created_at) ",
            "",
            &self.keys,
            |b, r| {
                b.push_bind(r.scope.clone())
                    .push_bind(r.key.clone())
                    .push_bind(r.fingerprint.clone())
                    .push_bind(r.complaint_id)
                    .push_bind(r.created_at);
            },
        )
        .await
    }
}

async fn insert_chunked<T>(
    tx: &mut Transaction<'_, Sqlite>,
    head: &'static str,
    tail: &'static str,
    rows: &[T],
    bind: impl Fn(&mut sqlx::query_builder::Separated<'_, Sqlite, &'static str>, &T) + Copy,
) -> StoreResult<()> {
    let mut rest = rows;
    while !rest.is_empty() {
        let size = CHUNKS.into_iter().find(|c| *c <= rest.len()).unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        let mut b = QueryBuilder::<Sqlite>::new(head);
        b.push_values(chunk, |mut sep, row| bind(&mut sep, row));
        b.push(tail);
        b.build().execute(&mut **tx).await.map_err(db)?;
        rest = after;
    }
    Ok(())
}

/// Appends an event: stores the new state if the stored one is still the
/// version before it, then queues the event and changed deadline rows.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Sqlite>,
    event: &Event,
    state: &Complaint,
    rows: &mut Rows,
) -> StoreResult<StoreResult<()>> {
    // The event must be the one that made `state`; otherwise the UPDATE
    // below could store a state past the version it checked.
    if event.seq != state.version {
        return Ok(Err(StoreError::Conflict(ConflictKind::Version)));
    }
    let r = ComplaintRow::from(state)?;
    let updated = sqlx::query(
        "UPDATE complaints SET status = ?, is_open = ?, category = ?, severity = ?, department_code = ?, \
         updated_at = ?, version = ?, state = ? WHERE id = ? AND version = ?",
    )
    .bind(r.status)
    .bind(r.is_open)
    .bind(r.category)
    .bind(r.severity)
    .bind(r.department_code)
    .bind(r.updated_at)
    .bind(r.version)
    .bind(r.state)
    .bind(r.id)
    .bind(i64::from(event.seq) - 1)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    if updated.rows_affected() == 0 {
        return Ok(Err(StoreError::Conflict(ConflictKind::Version)));
    }
    rows.push_event(state.id, event)?;
    // Saturating: a malformed state must not panic (and stop) the writer.
    let earlier = state.deadlines.len().saturating_sub(event.deadlines.opened.len());
    for (ordinal, d) in state.deadlines.iter().enumerate() {
        if ordinal >= earlier || d.closed_at == Some(event.at) {
            rows.push_deadline(state.id, ordinal, d);
        }
    }
    Ok(Ok(()))
}

pub(crate) async fn last_tracking_seq(tx: &mut Transaction<'_, Sqlite>, company_id: i64, day: NaiveDate) -> StoreResult<u64> {
    let last: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM tracking_counters WHERE company_id = ? AND day = ?")
        .bind(company_id)
        .bind(day.format("%Y-%m-%d").to_string())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
    Ok(last.unwrap_or(0).max(0) as u64)
}

pub(crate) async fn save_counters(
    tx: &mut Transaction<'_, Sqlite>,
    counters: &HashMap<(i64, NaiveDate), u64>,
) -> StoreResult<()> {
    for ((company_id, day), seq) in counters {
        sqlx::query(
            "INSERT INTO tracking_counters (company_id, day, last_seq) VALUES (?, ?, ?) \
             ON CONFLICT (company_id, day) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)",
        )
        .bind(company_id)
        .bind(day.format("%Y-%m-%d").to_string())
        .bind(*seq as i64)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    }
    Ok(())
}
