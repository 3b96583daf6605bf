//! The escalation worker's claims on complaints with due deadlines, shared
//! by every server process on the database (see the migration
//! `20261206060000_worker_leases.sql`).
//!
//! A claim is a row of `deadline_claims`, inserted or, when the old claim
//! has expired, taken over. Of two processes claiming one complaint at
//! once, the second waits on the first's uncommitted row, then finds a
//! live claim and leaves the complaint (`ON CONFLICT … DO UPDATE … WHERE`
//! re-reads the committed row): each complaint goes to one of them.

use crate::convert::at;
use crate::error::db;
use sqlx::PgPool;
use tousu_domain::Timestamp;
use tousu_store::{Lease, StoreResult};

/// Claims up to `limit` due deadlines no live claim holds; answers their
/// complaints, most overdue first, each once.
pub(crate) async fn claim_due_complaints(pool: &PgPool, lease: &Lease, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
    let mut rows: Vec<(Timestamp, i64, i64)> = sqlx::query_as(
        "WITH due AS (\
           SELECT d.complaint_id, d.next_check_at FROM deadlines d \
           WHERE d.next_check_at <= $1 AND NOT EXISTS (\
             SELECT 1 FROM deadline_claims k WHERE k.complaint_id = d.complaint_id AND k.claimed_until > $1) \
           ORDER BY d.next_check_at LIMIT $2 * 4), \
         candidates AS (\
           SELECT complaint_id, MIN(next_check_at) AS first_due FROM due GROUP BY complaint_id \
           ORDER BY first_due LIMIT $2), \
         claimed AS (\
           INSERT INTO deadline_claims (complaint_id, claimed_by, claimed_until) \
           SELECT complaint_id, $3, $4 FROM candidates \
           ON CONFLICT (complaint_id) DO UPDATE SET claimed_by = excluded.claimed_by, \
             claimed_until = excluded.claimed_until WHERE deadline_claims.claimed_until <= $1 \
           RETURNING complaint_id) \
         SELECT k.first_due, c.company_id, c.id FROM claimed JOIN candidates k USING (complaint_id) \
         JOIN complaints c ON c.id = claimed.complaint_id",
    )
    .bind(at(lease.now))
    .bind(i64::from(limit))
    .bind(&lease.worker)
    .bind(at(lease.until))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    rows.sort_unstable();
    Ok(rows.into_iter().map(|(_, company, id)| (company, id)).collect())
}

/// The earliest moment a deadline may be claimed: the first unclaimed next
/// check, or the end of a claim on a due one.
pub(crate) async fn find_next_deadline_check(pool: &PgPool) -> StoreResult<Option<Timestamp>> {
    sqlx::query_scalar(
        "SELECT MIN(t) FROM (\
           (SELECT d.next_check_at AS t FROM deadlines d WHERE d.next_check_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM deadline_claims k WHERE k.complaint_id = d.complaint_id) \
             ORDER BY d.next_check_at LIMIT 1) \
           UNION ALL \
           SELECT MIN(GREATEST(d.next_check_at, k.claimed_until)) FROM deadline_claims k \
             JOIN deadlines d ON d.complaint_id = k.complaint_id WHERE d.next_check_at IS NOT NULL) AS next",
    )
    .fetch_one(pool)
    .await
    .map_err(db)
}
