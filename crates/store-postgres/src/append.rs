//! Appending an event: the complaint's new state, the event, the deadlines
//! it changed, its figures and its notifications, in one transaction, on
//! condition that the stored complaint is still the version before it.

use crate::convert::at;
use crate::error::db;
use crate::history::{self, Figures};
use sqlx::PgPool;
use sqlx::types::Json;
use tousu_domain::{Category, Complaint, DeadlineState, Event, Status, stats};
use tousu_store::{ConflictKind, StoreError, StoreResult};

/// Stores `state` (the complaint with `event` applied) if the stored
/// complaint is at `state.version - 1`; otherwise `Conflict(Version)` and
/// nothing changes.
///
/// The check and the update are one statement: the row is locked (`FOR
/// UPDATE`) where it is still at the expected version, and a request that
/// waited for another's lock finds the version moved on and updates
/// nothing. Of several requests at one version, from any process, exactly
/// one wins.
pub(crate) async fn append_event(pool: &PgPool, event: &Event, state: &Complaint) -> StoreResult<()> {
    // The event must be the one that made `state`; otherwise the update
    // could store a state past the version it checked.
    if event.seq != state.version {
        return Err(StoreError::Conflict(ConflictKind::Version));
    }
    let mut tx = pool.begin().await.map_err(db)?;
    let before: Option<(String, Option<String>)> = sqlx::query_as(
        "WITH old AS (SELECT id, status, category FROM complaints WHERE id = $9 AND version = $10 FOR UPDATE) \
         UPDATE complaints c SET status = $1, is_open = $2, category = $3, severity = $4, department_code = $5, \
         updated_at = $6, version = $7, state = $8, defect_key = $11 FROM old WHERE c.id = old.id \
         RETURNING old.status, old.category",
    )
    .bind(state.status.as_str())
    .bind(state.status.is_open())
    .bind(state.category.map(|x| x.as_str()))
    .bind(state.severity.map(|x| x.as_str()))
    .bind(state.department.as_ref().map(|d| d.code.as_str()))
    .bind(at(state.updated_at))
    .bind(i64::from(state.version))
    .bind(Json(state))
    .bind(state.id)
    .bind(i64::from(event.seq) - 1)
    .bind(state.defect.as_ref().map(tousu_domain::defects::Defect::key))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db)?;
    let Some((status, category)) = before else {
        tx.rollback().await.map_err(db)?;
        return Err(StoreError::Conflict(ConflictKind::Version));
    };
    // What the figures need of the complaint before the event.
    let before = Status::parse(&status)
        .map(|status| stats::Before { status, category: category.and_then(|c| Category::parse(&c).ok()) });
    history::insert_event(&mut tx, state.id, event).await?;
    // The mirror follows every deadline this event could have touched: the
    // open ones (due time, next check) and those it closed.
    if !event.deadlines.is_empty() {
        // The claim the escalation worker took for this write ends with it.
        sqlx::query("DELETE FROM deadline_claims WHERE complaint_id = $1")
            .bind(state.id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for (ordinal, d) in state.deadlines.iter().enumerate() {
            if d.state == DeadlineState::Open || d.closed_at == Some(event.at) {
                history::upsert_deadline(&mut tx, state.id, ordinal, d).await?;
            }
        }
    }
    history::insert_notices(&mut tx, state, event).await?;
    let mut figures = Figures::default();
    figures.add(state, before, event);
    figures.write(&mut tx).await?;
    tx.commit().await.map_err(db)
}
