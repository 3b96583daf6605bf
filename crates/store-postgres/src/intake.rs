//! Recording new complaints: ids from the table's identity sequence,
//! tracking numbers from a counter row per company and local day, and
//! idempotency keys claimed by a unique constraint. Nothing is allotted in
//! memory, so any number of server processes may record complaints at once.
//!
//! A transaction records a group of requests (see [`crate::group`]) or a
//! batch, locking in this order: the idempotency keys (sorted), the
//! tracking counters (sorted), then the figures (last, sorted; see
//! [`Figures`]), so concurrent transactions from any process wait for each
//! other but do not deadlock. A transaction that fails rolls its counters
//! back too: tracking numbers have no gaps unless a commit itself fails.

use crate::convert::at;
use crate::error::db;
use crate::history::Figures;
use crate::new_rows;
use chrono::NaiveDate;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use std::collections::{BTreeMap, HashMap};
use tousu_domain::intake::{Reception, receive};
use tousu_domain::{Complaint, Event, TrackingNo};
use tousu_store::{ConflictKind, Inserted, NewComplaint, StoreError, StoreResult};

/// What became of one request of a group.
enum Outcome {
    /// Recorded now, at this position of the recorded complaints.
    New(usize),
    /// Its key was recorded before, by this complaint: replay it.
    Replay(i64),
    /// Its key was used earlier in the same group, for the same request.
    SameAs(usize),
    Refused(StoreError),
}

/// Records a group of complaints in one transaction and answers each: new,
/// replayed (its idempotency key was used before, for the same request), or
/// refused (the key was used for another request). An error fails the
/// whole group and nothing of it is written.
pub(crate) async fn insert_group(pool: &PgPool, group: &[&NewComplaint]) -> StoreResult<Vec<StoreResult<Inserted>>> {
    let mut outcomes: Vec<Option<Outcome>> = group.iter().map(|_| None).collect();
    // Keys used twice within the group: the first request owns the key.
    let mut owners: HashMap<(&str, &str), (usize, &str)> = HashMap::new();
    for (i, new) in group.iter().enumerate() {
        let Some(key) = &new.idempotency else { continue };
        match owners.get(&(key.scope.as_str(), key.key.as_str())) {
            Some((first, fingerprint)) => {
                outcomes[i] = Some(if *fingerprint == key.fingerprint {
                    Outcome::SameAs(*first)
                } else {
                    Outcome::Refused(StoreError::Conflict(ConflictKind::IdempotencyKey))
                });
            }
            None => {
                owners.insert((&key.scope, &key.key), (i, &key.fingerprint));
            }
        }
    }
    let todo: Vec<usize> = (0..group.len()).filter(|i| outcomes[*i].is_none()).collect();
    let mut tx = pool.begin().await.map_err(db)?;
    let ids = next_ids(&mut tx, todo.len()).await?;
    let id_of: HashMap<usize, i64> = todo.iter().copied().zip(ids).collect();
    for (i, earlier) in claim_keys(&mut tx, group, &id_of).await? {
        outcomes[i] = Some(earlier);
    }
    let to_record: Vec<(&NewComplaint, i64)> =
        todo.iter().filter(|i| outcomes[**i].is_none()).map(|i| (group[*i], id_of[i])).collect();
    let recorded = record(&mut tx, &to_record).await?;
    tx.commit().await.map_err(db)?;

    let mut position = 0;
    for i in todo {
        if outcomes[i].is_none() {
            outcomes[i] = Some(Outcome::New(position));
            position += 1;
        }
    }
    let mut answers = Vec::with_capacity(group.len());
    for outcome in &mut outcomes {
        let answer = match outcome.take() {
            Some(Outcome::New(at)) => Ok(Inserted::New(recorded[at].clone())),
            Some(Outcome::Replay(id)) => first_state(pool, id).await.map(Inserted::Replayed),
            Some(Outcome::Refused(e)) => Err(e),
            // The owner comes first, so its answer is already known.
            Some(Outcome::SameAs(first)) => match &answers[first] {
                Ok(Inserted::New(c) | Inserted::Replayed(c)) => Ok(Inserted::Replayed(Complaint::clone(c))),
                Err(_) => Err(StoreError::Conflict(ConflictKind::IdempotencyKey)),
            },
            None => Err(StoreError::other(std::io::Error::other("a request of the group was not answered"))),
        };
        answers.push(answer);
    }
    Ok(answers)
}

/// Records a batch in one transaction, with consecutive tracking numbers
/// per company and day in batch order.
pub(crate) async fn insert_complaints(pool: &PgPool, batch: &[NewComplaint]) -> StoreResult<Vec<Complaint>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await.map_err(db)?;
    let ids = next_ids(&mut tx, batch.len()).await?;
    let items: Vec<(&NewComplaint, i64)> = batch.iter().zip(ids).collect();
    let recorded = record(&mut tx, &items).await?;
    tx.commit().await.map_err(db)?;
    Ok(recorded)
}

/// Gives each complaint its tracking number (consecutive per company and
/// day, in order) and writes it with its first event, deadlines,
/// notifications and figures.
async fn record(conn: &mut PgConnection, items: &[(&NewComplaint, i64)]) -> StoreResult<Vec<Complaint>> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    // Counters in key order (every transaction locks them in the same order).
    let mut per_day: BTreeMap<(i64, NaiveDate), u64> = BTreeMap::new();
    for (new, _) in items {
        *per_day.entry((new.company_id, new.local_date)).or_default() += 1;
    }
    let mut next_seq: BTreeMap<(i64, NaiveDate), u64> = BTreeMap::new();
    for (&(company_id, day), &n) in &per_day {
        let last = bump_counter(conn, company_id, day, n).await?;
        next_seq.insert((company_id, day), last + 1 - n);
    }
    let mut received = Vec::with_capacity(items.len());
    for (new, id) in items {
        let seq = next_seq.get_mut(&(new.company_id, new.local_date)).expect("every day was counted");
        received.push(build(new, *id, *seq));
        *seq += 1;
    }
    let mut figures = Figures::default();
    new_rows::insert(conn, &received, &mut figures).await?;
    figures.write(conn).await?;
    Ok(received.into_iter().map(|(c, _)| c).collect())
}

/// The complaint and its first event, as the domain builds them.
fn build(new: &NewComplaint, id: i64, seq: u64) -> (Complaint, Event) {
    receive(
        Reception {
            id,
            company_id: new.company_id,
            tracking_no: TrackingNo::new(&new.tracking_prefix, new.local_date, seq),
            project: new.project.clone(),
            first_responder: new.first_responder.clone(),
            intake: new.intake.clone(),
            repeat: new.repeat.clone(),
            actor: new.actor.clone(),
            now: new.now,
            policy: new.policy.clone(),
        },
        new.days.0.as_ref(),
    )
}

/// `n` new complaint ids, ascending. Ids taken by a transaction that rolls
/// back, or by a request that turns out to be a replay, are not given again
/// (gaps, never duplicates).
async fn next_ids(conn: &mut PgConnection, n: usize) -> StoreResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('complaints', 'id')) FROM generate_series(1, $1)",
    )
    .bind(n as i64)
    .fetch_all(conn)
    .await
    .map_err(db)?;
    ids.sort_unstable();
    Ok(ids)
}

/// Adds `n` to the company's counter for `day` and answers the last
/// sequence now given. The row stays locked until the transaction ends, so
/// concurrent transactions (from any process) take numbers one after another.
async fn bump_counter(conn: &mut PgConnection, company_id: i64, day: NaiveDate, n: u64) -> StoreResult<u64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO tracking_counters (company_id, day, last_seq) VALUES ($1, $2, $3) \
         ON CONFLICT (company_id, day) DO UPDATE SET last_seq = tracking_counters.last_seq + excluded.last_seq \
         RETURNING last_seq",
    )
    .bind(company_id)
    .bind(day)
    .bind(n as i64)
    .fetch_one(conn)
    .await
    .map_err(db)?;
    Ok(last.max(0) as u64)
}

/// Claims the idempotency keys of the requests still to record (each for
/// the complaint id it was given), in key order. A key held by a
/// transaction still in flight makes this wait for its end (the unique
/// index), so of racing requests exactly one records. Answers the requests
/// whose key was recorded before: to replay, or refused when recorded for
/// another request.
async fn claim_keys(
    conn: &mut PgConnection,
    group: &[&NewComplaint],
    id_of: &HashMap<usize, i64>,
) -> StoreResult<Vec<(usize, Outcome)>> {
    let mut keyed: Vec<(usize, &tousu_store::IdempotencyKey)> =
        id_of.keys().filter_map(|i| group[*i].idempotency.as_ref().map(|k| (*i, k))).collect();
    if keyed.is_empty() {
        return Ok(Vec::new());
    }
    keyed.sort_by(|a, b| (&a.1.scope, &a.1.key).cmp(&(&b.1.scope, &b.1.key)));
    let scopes: Vec<&str> = keyed.iter().map(|(_, k)| k.scope.as_str()).collect();
    let keys: Vec<&str> = keyed.iter().map(|(_, k)| k.key.as_str()).collect();
    let fingerprints: Vec<&str> = keyed.iter().map(|(_, k)| k.fingerprint.as_str()).collect();
    let complaints: Vec<i64> = keyed.iter().map(|(i, _)| id_of[i]).collect();
    let created: Vec<_> = keyed.iter().map(|(i, _)| at(group[*i].now)).collect();
    let claimed: Vec<(String, String)> = sqlx::query_as(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, complaint_id, created_at) \
         SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[], $5::TIMESTAMPTZ[]) \
         ON CONFLICT (scope, key) DO NOTHING RETURNING scope, key",
    )
    .bind(&scopes)
    .bind(&keys)
    .bind(&fingerprints)
    .bind(&complaints)
    .bind(&created)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    if claimed.len() == keyed.len() {
        return Ok(Vec::new());
    }
    // The others were recorded (and committed) first: the claim waited for
    // their transactions to end.
    let claimed: std::collections::HashSet<(String, String)> = claimed.into_iter().collect();
    let mut earlier = Vec::new();
    for (i, key) in keyed {
        if claimed.contains(&(key.scope.clone(), key.key.clone())) {
            continue;
        }
        let found: Option<(String, i64)> =
            sqlx::query_as("SELECT fingerprint, complaint_id FROM idempotency_keys WHERE scope = $1 AND key = $2")
                .bind(&key.scope)
                .bind(&key.key)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
        let outcome = match found {
            Some((fingerprint, first)) if fingerprint == key.fingerprint => Outcome::Replay(first),
            Some(_) => Outcome::Refused(StoreError::Conflict(ConflictKind::IdempotencyKey)),
            None => Outcome::Refused(StoreError::other(std::io::Error::other(
                "an idempotency key was taken but cannot be read",
            ))),
        };
        earlier.push((i, outcome));
    }
    Ok(earlier)
}

/// The complaint as it was first recorded: its first event, replayed.
async fn first_state(pool: &PgPool, complaint_id: i64) -> StoreResult<Complaint> {
    let Json(event): Json<Event> =
        sqlx::query_scalar("SELECT payload FROM complaint_events WHERE complaint_id = $1 AND seq = 1")
            .bind(complaint_id)
            .fetch_optional(pool)
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound("first event"))?;
    Complaint::from_first_event(complaint_id, &event).ok_or(StoreError::NotFound("first event"))
}
