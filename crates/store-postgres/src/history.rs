//! What an event writes beside the complaint's row, inside the event's
//! transaction: the event itself, the mirror of the complaint's deadlines,
//! the outbox notifications it calls for, and the figures it changes.

use crate::convert::{at, at_opt};
use crate::error::db;
use chrono::NaiveDate;
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::BTreeMap;
use tousu_domain::stats::{self, Period};
use tousu_domain::{Complaint, Deadline, Event};
use tousu_store::StoreResult;

pub(crate) async fn insert_event(conn: &mut PgConnection, complaint_id: i64, e: &Event) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO complaint_events (complaint_id, seq, kind, at, actor_id, actor_role, payload) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(complaint_id)
    .bind(i64::from(e.seq))
    .bind(e.kind.type_name())
    .bind(at(e.at))
    .bind(e.actor.staff_id())
    .bind(e.actor.role().map(|r| r.as_str()))
    .bind(Json(e))
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Writes the deadline at `ordinal` of a complaint into the mirror the
/// escalation worker reads (`next_check_at` is when it next looks).
pub(crate) async fn upsert_deadline(
    conn: &mut PgConnection,
    complaint_id: i64,
    ordinal: usize,
    d: &Deadline,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO deadlines (complaint_id, ordinal, rule, due_at, level, state, closed_at, next_check_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (complaint_id, ordinal) DO UPDATE SET due_at = excluded.due_at, state = excluded.state, \
         closed_at = excluded.closed_at, next_check_at = excluded.next_check_at",
    )
    .bind(complaint_id)
    .bind(ordinal as i64)
    .bind(d.rule.as_str())
    .bind(at(d.due_at))
    .bind(d.level.as_str())
    .bind(d.state.as_str())
    .bind(at_opt(d.closed_at))
    .bind(at_opt(d.next_check()))
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// The outbox: the notices an event calls for, in the event's transaction,
/// so a notification exists exactly when its event does.
pub(crate) async fn insert_notices(conn: &mut PgConnection, c: &Complaint, e: &Event) -> StoreResult<()> {
    for n in tousu_domain::notices::notices(e, c) {
        sqlx::query(
            "INSERT INTO notifications (company_id, complaint_id, event_seq, kind, level, department_code, title, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.company_id)
        .bind(c.id)
        .bind(i64::from(e.seq))
        .bind(&n.kind)
        .bind(n.level.map(|l| l.as_str()))
        .bind(&n.department)
        .bind(&n.title)
        .bind(&n.body)
        .bind(at(e.at))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// The figures a transaction changes, summed per figure and written last,
/// in key order.
///
/// Figures are hot rows (every intake of a project adds to its
/// `status:received`), so their row locks are taken at the very end of the
/// transaction (held only until the commit) and always in the same order,
/// which is what keeps two transactions from deadlocking on them.
#[derive(Debug, Default)]
pub(crate) struct Figures {
    daily: BTreeMap<(i64, NaiveDate, i64, String), i64>,
    current: BTreeMap<(i64, i64, String), i64>,
}

impl Figures {
    /// Adds what `e` changes (`c` is the complaint after it; `before`, what
    /// the figures need of the complaint before it, if it existed).
    pub(crate) fn add(&mut self, c: &Complaint, before: Option<stats::Before>, e: &Event) {
        for d in stats::deltas(before, c, e) {
            match d.period {
                Period::Day(day) => *self.daily.entry((c.company_id, day, d.project_id, d.key)).or_default() += d.delta,
                Period::Now => *self.current.entry((c.company_id, d.project_id, d.key)).or_default() += d.delta,
            }
        }
    }

    /// Adds the sums to the stored figures: one statement per table.
    pub(crate) async fn write(self, conn: &mut PgConnection) -> StoreResult<()> {
        let daily: Vec<_> = self.daily.into_iter().filter(|(_, v)| *v != 0).collect();
        if !daily.is_empty() {
            let mut columns = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for ((company, day, project, key), value) in daily {
                columns.0.push(company);
                columns.1.push(day);
                columns.2.push(project);
                columns.3.push(key);
                columns.4.push(value);
            }
            sqlx::query(
                "INSERT INTO stats_daily (company_id, day, project_id, key, value) \
                 SELECT * FROM UNNEST($1::BIGINT[], $2::DATE[], $3::BIGINT[], $4::TEXT[], $5::BIGINT[]) \
                 ON CONFLICT (company_id, day, project_id, key) DO UPDATE SET value = stats_daily.value + excluded.value",
            )
            .bind(columns.0)
            .bind(columns.1)
            .bind(columns.2)
            .bind(columns.3)
            .bind(columns.4)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        let current: Vec<_> = self.current.into_iter().filter(|(_, v)| *v != 0).collect();
        if !current.is_empty() {
            let mut columns = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for ((company, project, key), value) in current {
                columns.0.push(company);
                columns.1.push(project);
                columns.2.push(key);
                columns.3.push(value);
            }
            sqlx::query(
                "INSERT INTO stats_current (company_id, project_id, key, value) \
                 SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::BIGINT[]) \
                 ON CONFLICT (company_id, project_id, key) DO UPDATE SET value = stats_current.value + excluded.value",
            )
            .bind(columns.0)
            .bind(columns.1)
            .bind(columns.2)
            .bind(columns.3)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        }
        Ok(())
    }
}
