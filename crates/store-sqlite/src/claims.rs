//! The escalation worker's claims on complaints with due deadlines (see the migration
//! `20261206060000_worker_leases.sql`). One process owns the file, so a
//! claim only matters after a crash: it then expires and is taken again.

use crate::convert::{db, from_millis, millis};
use sqlx::SqlitePool;
use tousu_domain::Timestamp;
use tousu_store::{Lease, StoreResult};

/// Claims up to `limit` complaints with due deadlines that no live claim
/// holds; answers them, most overdue first.
pub(crate) async fn claim_due_complaints(pool: &SqlitePool, lease: &Lease, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
    let mut rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "INSERT INTO deadline_claims (complaint_id, claimed_by, claimed_until) \
         SELECT complaint_id, ?1, ?2 FROM (\
           SELECT d.complaint_id, MIN(d.next_check_at) AS first_due FROM (\
             SELECT complaint_id, next_check_at FROM deadlines INDEXED BY deadlines_next_check \
             WHERE next_check_at <= ?3 AND NOT EXISTS (\
               SELECT 1 FROM deadline_claims k WHERE k.complaint_id = deadlines.complaint_id AND k.claimed_until > ?3) \
             ORDER BY next_check_at LIMIT ?4 * 4) AS d \
           GROUP BY d.complaint_id ORDER BY first_due LIMIT ?4) WHERE true \
         ON CONFLICT (complaint_id) DO UPDATE SET claimed_by = excluded.claimed_by, \
           claimed_until = excluded.claimed_until WHERE deadline_claims.claimed_until <= ?3 \
         RETURNING (SELECT MIN(next_check_at) FROM deadlines d WHERE d.complaint_id = deadline_claims.complaint_id), \
           (SELECT c.company_id FROM complaints c WHERE c.id = deadline_claims.complaint_id), complaint_id",
    )
    .bind(&lease.worker)
    .bind(millis(lease.until))
    .bind(millis(lease.now))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    // RETURNING answers in no particular order.
    rows.sort_unstable();
    Ok(rows.into_iter().map(|(_, company, id)| (company, id)).collect())
}

/// The earliest moment a deadline may be claimed: the first next check of
/// an unclaimed complaint, or the end of a claim on one with a check.
pub(crate) async fn find_next_deadline_check(pool: &SqlitePool) -> StoreResult<Option<Timestamp>> {
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(t) FROM (\
           SELECT * FROM (SELECT d.next_check_at AS t FROM deadlines d INDEXED BY deadlines_next_check \
             WHERE d.next_check_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM deadline_claims k WHERE k.complaint_id = d.complaint_id) \
             ORDER BY d.next_check_at LIMIT 1) \
           UNION ALL \
           SELECT MIN(MAX(d.next_check_at, k.claimed_until)) FROM deadline_claims k \
             JOIN deadlines d ON d.complaint_id = k.complaint_id WHERE d.next_check_at IS NOT NULL)",
    )
    .fetch_one(pool)
    .await
    .map_err(db)?;
    Ok(next.map(from_millis))
}
