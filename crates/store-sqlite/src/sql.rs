//! The writer's SQL (rusqlite, on the writer thread): inserting received
//! complaints, appending events, idempotency keys and tracking counters.
//! Statements are prepared once and cached on the connection.

use crate::convert::{millis, to_json};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::Path;
use std::time::Duration;
use tousu_domain::stats;
use tousu_domain::{Complaint, Deadline, Event, Timestamp};
use tousu_store::{ConflictKind, IdempotencyKey, StoreError, StoreResult};

/// Opens the writer's connection with the same durability settings as every
/// connection (see `connect`): WAL, `synchronous = FULL`, foreign keys.
pub(crate) fn open_writer(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Checkpoints stay in the writer's commits (SQLite's default, every 1000
    // pages): the WAL is then reset and reused. Checkpointing from another
    // connection let the WAL grow without end while writes never paused,
    // and growing it cost more than checkpointing (ext4 zero-fills each new
    // block: 12% of all CPU in `tousu bench intake`).
    conn.pragma_update(None, "wal_autocheckpoint", 1000)?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Maps a driver error: unique violations become `Conflict(Duplicate)`.
pub(crate) fn err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        {
            return StoreError::Conflict(ConflictKind::Duplicate(msg.clone().unwrap_or_default()));
        }
    }
    StoreError::other(e)
}

/// A new complaint's row, first event and deadlines.
pub(crate) fn insert_new(tx: &Transaction<'_>, c: &Complaint, first: &Event) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO complaints (id, company_id, project_id, tracking_no, status, is_open, category, severity, \
         department_code, received_at, updated_at, version, state, customer_phone, building, unit) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )
    .and_then(|mut s| {
        s.execute(params![
            c.id,
            c.company_id,
            c.project.id,
            c.tracking_no.as_str(),
            c.status.as_str(),
            c.status.is_open(),
            c.category.map(|x| x.as_str()),
            c.severity.map(|x| x.as_str()),
            c.department.as_ref().map(|d| d.code.as_str()),
            millis(c.received_at),
            millis(c.updated_at),
            c.version,
            to_json(c).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
            c.customer.phone.as_str(),
            c.building,
            c.unit,
        ])
    })
    .map_err(err)?;
    insert_event(tx, c.id, first)?;
    for (ordinal, d) in c.deadlines.iter().enumerate() {
        upsert_deadline(tx, c.id, ordinal, d)?;
    }
    add_figures(tx, c, None, first)?;
    insert_notices(tx, c, first)
}

/// The figures an event changes, added in its transaction.
fn add_figures(tx: &Transaction<'_>, c: &Complaint, before: Option<stats::Before>, e: &Event) -> StoreResult<()> {
    for d in stats::deltas(before, c, e) {
        match d.period {
            stats::Period::Day(day) => tx
                .prepare_cached(
                    "INSERT INTO stats_daily (company_id, day, project_id, key, value) VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (company_id, day, project_id, key) DO UPDATE SET value = value + excluded.value",
                )
                .and_then(|mut s| {
                    s.execute(params![c.company_id, day.format("%Y-%m-%d").to_string(), d.project_id, d.key, d.delta])
                }),
            stats::Period::Now => tx
                .prepare_cached(
                    "INSERT INTO stats_current (company_id, project_id, key, value) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (company_id, project_id, key) DO UPDATE SET value = value + excluded.value",
                )
                .and_then(|mut s| s.execute(params![c.company_id, d.project_id, d.key, d.delta])),
        }
        .map_err(err)?;
    }
    Ok(())
}

/// The outbox: the notices an event calls for, in the event's transaction.
fn insert_notices(tx: &Transaction<'_>, c: &Complaint, e: &Event) -> StoreResult<()> {
    for n in tousu_domain::notices::notices(e, c) {
        tx.prepare_cached(
            "INSERT INTO notifications (company_id, complaint_id, event_seq, kind, level, department_code, title, body, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .and_then(|mut s| {
            s.execute(params![
                c.company_id,
                c.id,
                e.seq,
                n.kind,
                n.level.map(|l| l.as_str()),
                n.department,
                n.title,
                n.body,
                millis(e.at),
            ])
        })
        .map_err(err)?;
    }
    Ok(())
}

fn insert_event(tx: &Transaction<'_>, complaint_id: i64, e: &Event) -> StoreResult<()> {
    let payload = to_json(e)?;
    tx.prepare_cached(
        "INSERT INTO complaint_events (complaint_id, seq, kind, at, actor_id, actor_role, payload) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut s| {
        s.execute(params![
            complaint_id,
            e.seq,
            e.kind.type_name(),
            millis(e.at),
            e.actor.staff_id(),
            e.actor.role().map(|r| r.as_str()),
            payload,
        ])
    })
    .map_err(err)?;
    Ok(())
}

fn upsert_deadline(tx: &Transaction<'_>, complaint_id: i64, ordinal: usize, d: &Deadline) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO deadlines (complaint_id, ordinal, rule, due_at, level, state, closed_at, next_check_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (complaint_id, ordinal) DO UPDATE SET due_at = excluded.due_at, state = excluded.state, \
         closed_at = excluded.closed_at, next_check_at = excluded.next_check_at",
    )
    .and_then(|mut s| {
        s.execute(params![
            complaint_id,
            ordinal as i64,
            d.rule.as_str(),
            millis(d.due_at),
            d.level.as_str(),
            d.state.as_str(),
            d.closed_at.map(millis),
            d.next_check().map(millis),
        ])
    })
    .map_err(err)?;
    Ok(())
}

/// Appends an event: stores the new state if the stored one is still the
/// version before it, then the event and the deadlines it changed. The
/// inner result is the caller's: a version conflict writes nothing.
pub(crate) fn append(tx: &Transaction<'_>, event: &Event, state: &Complaint) -> StoreResult<StoreResult<()>> {
    // The event must be the one that made `state`; otherwise the UPDATE
    // below could store a state past the version it checked.
    if event.seq != state.version {
        return Ok(Err(StoreError::Conflict(ConflictKind::Version)));
    }
    // What the figures need of the complaint before the event.
    let before: Option<(String, Option<String>)> = tx
        .prepare_cached("SELECT status, category FROM complaints WHERE id = ?1")
        .and_then(|mut s| s.query_row(params![state.id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(err)?;
    let before = before.and_then(|(status, category)| {
        Some(stats::Before {
            status: tousu_domain::Status::parse(&status)?,
            category: category.and_then(|c| tousu_domain::Category::parse(&c).ok()),
        })
    });
    let updated = tx
        .prepare_cached(
            "UPDATE complaints SET status = ?1, is_open = ?2, category = ?3, severity = ?4, department_code = ?5, \
             updated_at = ?6, version = ?7, state = ?8, defect_key = ?11 WHERE id = ?9 AND version = ?10",
        )
        .and_then(|mut s| {
            s.execute(params![
                state.status.as_str(),
                state.status.is_open(),
                state.category.map(|x| x.as_str()),
                state.severity.map(|x| x.as_str()),
                state.department.as_ref().map(|d| d.code.as_str()),
                millis(state.updated_at),
                state.version,
                to_json(state).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
                state.id,
                i64::from(event.seq) - 1,
                state.defect.as_ref().map(tousu_domain::defects::Defect::key),
            ])
        })
        .map_err(err)?;
    if updated == 0 {
        return Ok(Err(StoreError::Conflict(ConflictKind::Version)));
    }
    insert_event(tx, state.id, event)?;
    // The mirror follows every deadline this event could have touched: the
    // open ones (due time, next check) and those it closed.
    if !event.deadlines.is_empty() {
        // The claim the escalation worker took for this write ends with it.
        tx.prepare_cached("DELETE FROM deadline_claims WHERE complaint_id = ?1")
            .and_then(|mut s| s.execute(params![state.id]))
            .map_err(err)?;
        for (ordinal, d) in state.deadlines.iter().enumerate() {
            if d.state == tousu_domain::DeadlineState::Open || d.closed_at == Some(event.at) {
                upsert_deadline(tx, state.id, ordinal, d)?;
            }
        }
    }
    add_figures(tx, state, before, event)?;
    insert_notices(tx, state, event)?;
    Ok(Ok(()))
}

pub(crate) fn insert_key(
    tx: &Transaction<'_>,
    key: &IdempotencyKey,
    complaint_id: i64,
    at: Timestamp,
) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, complaint_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![key.scope, key.key, key.fingerprint, complaint_id, millis(at)]))
    .map_err(err)?;
    Ok(())
}

/// The fingerprint and complaint of an idempotency key already recorded.
pub(crate) fn find_key(tx: &Transaction<'_>, scope: &str, key: &str) -> StoreResult<Option<(String, i64)>> {
    tx.prepare_cached("SELECT fingerprint, complaint_id FROM idempotency_keys WHERE scope = ?1 AND key = ?2")
        .and_then(|mut s| s.query_row(params![scope, key], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(err)
}

/// The complaint as it was first recorded: its first event, replayed.
pub(crate) fn first_state(tx: &Transaction<'_>, complaint_id: i64) -> StoreResult<Complaint> {
    let payload: String = tx
        .prepare_cached("SELECT payload FROM complaint_events WHERE complaint_id = ?1 AND seq = 1")
        .and_then(|mut s| s.query_row(params![complaint_id], |r| r.get(0)))
        .map_err(err)?;
    let event: Event = crate::convert::from_json(&payload)?;
    Complaint::from_first_event(complaint_id, &event).ok_or(StoreError::NotFound("first event"))
}

pub(crate) fn last_tracking_seq(tx: &Transaction<'_>, company_id: i64, day: NaiveDate) -> StoreResult<u64> {
    let last: Option<i64> = tx
        .prepare_cached("SELECT last_seq FROM tracking_counters WHERE company_id = ?1 AND day = ?2")
        .and_then(|mut s| s.query_row(params![company_id, day.format("%Y-%m-%d").to_string()], |r| r.get(0)).optional())
        .map_err(err)?;
    Ok(last.unwrap_or(0).max(0) as u64)
}

pub(crate) fn save_counter(tx: &Transaction<'_>, company_id: i64, day: NaiveDate, seq: u64) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO tracking_counters (company_id, day, last_seq) VALUES (?1, ?2, ?3) \
         ON CONFLICT (company_id, day) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)",
    )
    .and_then(|mut s| s.execute(params![company_id, day.format("%Y-%m-%d").to_string(), seq as i64]))
    .map_err(err)?;
    Ok(())
}

/// A group incident's new severity, size and members (see `WriteOp::GroupUpdate`).
pub(crate) fn update_group(tx: &Transaction<'_>, u: &crate::writer::GroupUpdate) -> StoreResult<StoreResult<()>> {
    let done = tx
        .prepare_cached("UPDATE group_incidents SET severity = ?1, households = ?2, updated_at = ?3 WHERE id = ?4")
        .and_then(|mut st| st.execute(params![u.severity.as_str(), i64::from(u.households), millis(u.at), u.id]))
        .map_err(err)?;
    if done == 0 {
        // Answered to this operation alone: the rest of the group commits.
        return Ok(Err(StoreError::NotFound("group incident")));
    }
    let mut st = tx
        .prepare_cached("INSERT OR IGNORE INTO group_members (incident_id, complaint_id) VALUES (?1, ?2)")
        .map_err(err)?;
    for m in &u.new_members {
        st.execute(params![u.id, m]).map_err(err)?;
    }
    Ok(Ok(()))
}

/// A new group incident and its first members (see `WriteOp::GroupInsert`).
pub(crate) fn insert_group(tx: &Transaction<'_>, g: &tousu_store::GroupIncident) -> StoreResult<i64> {
    tx.prepare_cached(
        "INSERT INTO group_incidents (company_id, project_id, cause, severity, households, flagged_complaint_id, opened_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut st| {
        st.execute(params![
            g.company_id,
            g.project_id,
            g.cause,
            g.severity.as_str(),
            i64::from(g.households),
            g.flagged_complaint_id,
            millis(g.opened_at),
            millis(g.updated_at)
        ])
    })
    .map_err(err)?;
    let id = tx.last_insert_rowid();
    let mut st = tx
        .prepare_cached("INSERT OR IGNORE INTO group_members (incident_id, complaint_id) VALUES (?1, ?2)")
        .map_err(err)?;
    for m in &g.members {
        st.execute(params![id, m]).map_err(err)?;
    }
    Ok(id)
}
