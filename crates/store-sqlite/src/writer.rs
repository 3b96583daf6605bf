//! The single writer and its group commit.
//!
//! Complaint writes arrive on a channel. The writer takes everything waiting
//! (up to [`MAX_BATCH`]), writes it in one `BEGIN IMMEDIATE` transaction,
//! commits (one fsync), and only then answers each request. While one group
//! is being committed the next gathers, so an fsync is shared by every
//! request that arrived during the previous one, with no timer and no delay
//! added when the server is quiet.
//!
//! Ids and tracking numbers are allotted here, in memory, from high-water
//! marks read from the database: the writer is the only writer of
//! complaints (the data folder is locked to one server process). A failed
//! group leaves gaps in ids and tracking sequences, never duplicates.

use crate::convert::{db, from_json, millis};
use crate::rows::{self, Rows};
use chrono::NaiveDate;
use sqlx::{Connection, Sqlite, SqlitePool, Transaction};
use futures_util::FutureExt;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use tokio::sync::{mpsc, oneshot};
use tousu_domain::intake::{Reception, receive};
use tousu_domain::{Complaint, Event, TrackingNo};
use tousu_store::{ConflictKind, Inserted, NewComplaint, StoreError, StoreResult};

/// The most operations committed in one transaction.
const MAX_BATCH: usize = 512;
/// Requests that may wait for the writer before senders are held back.
const QUEUE: usize = 4096;

pub(crate) enum WriteOp {
    Intake { new: Box<NewComplaint>, reply: oneshot::Sender<StoreResult<Inserted>> },
    Bulk { batch: Vec<NewComplaint>, reply: oneshot::Sender<StoreResult<Vec<Complaint>>> },
    Append { event: Box<Event>, state: Box<Complaint>, reply: oneshot::Sender<StoreResult<()>> },
}

/// An operation's answer, held until its group is committed.
enum Answer {
    Intake(StoreResult<Inserted>),
    /// An idempotent retry of an intake earlier in the same group.
    SameAs(usize),
    Bulk(Vec<Complaint>),
    Append(StoreResult<()>),
}

pub(crate) fn stopped() -> StoreError {
    StoreError::other(std::io::Error::other("the database writer has stopped"))
}

pub(crate) async fn spawn(pool: SqlitePool) -> Result<mpsc::Sender<WriteOp>, sqlx::Error> {
    let next_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM complaints")
        .fetch_one(&pool)
        .await?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let writer = Writer { pool, rx, next_id, counters: HashMap::new() };
    tokio::spawn(writer.run());
    Ok(tx)
}

struct Writer {
    pool: SqlitePool,
    rx: mpsc::Receiver<WriteOp>,
    next_id: i64,
    /// Last tracking sequence given per (company, local day), read lazily.
    counters: HashMap<(i64, NaiveDate), u64>,
}

impl Writer {
    async fn run(mut self) {
        let mut group = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = self.rx.recv().await {
            group.push(first);
            while group.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(op) => group.push(op),
                    Err(_) => break,
                }
            }
            let ops: Vec<WriteOp> = std::mem::take(&mut group);
            match self.write_caught(&ops).await {
                Ok(answers) => answer(ops, answers),
                Err(e) if ops.len() > 1 => {
                    // One bad operation must not fail its neighbours.
                    tracing::warn!(error = %e, size = ops.len(), "group commit failed; retrying one by one");
                    for op in ops {
                        match self.write_caught(std::slice::from_ref(&op)).await {
                            Ok(answers) => answer(vec![op], answers),
                            Err(e) => fail(op, e),
                        }
                    }
                }
                Err(e) => ops.into_iter().for_each(|op| fail(op, clone_error(&e))),
            }
        }
        tracing::debug!("database writer stopped");
    }

    /// [`Writer::write`], with a panic turned into an error: a panic in one
    /// group must not stop the writer (and with it every later write).
    async fn write_caught(&mut self, ops: &[WriteOp]) -> StoreResult<Vec<Answer>> {
        match AssertUnwindSafe(self.write(ops)).catch_unwind().await {
            Ok(outcome) => outcome,
            Err(_) => Err(StoreError::other(std::io::Error::other("the writer panicked on this group"))),
        }
    }

    /// Writes and commits one group, answering each operation's outcome, or
    /// the error that rolled the whole group back.
    async fn write(&mut self, ops: &[WriteOp]) -> StoreResult<Vec<Answer>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
        let mut rows = Rows::default();
        let mut keys: HashMap<(&str, &str), (&str, usize)> = HashMap::new();
        let mut counters: HashMap<(i64, NaiveDate), u64> = HashMap::new();
        let mut answers = Vec::with_capacity(ops.len());
        // One lookup for all the group's idempotency keys rather than one per request.
        let wanted: Vec<(&str, &str)> = ops
            .iter()
            .filter_map(|op| match op {
                WriteOp::Intake { new, .. } => new.idempotency.as_ref().map(|k| (k.scope.as_str(), k.key.as_str())),
                _ => None,
            })
            .collect();
        let known = find_keys(&mut tx, &wanted).await?;
        for (index, op) in ops.iter().enumerate() {
            let a = match op {
                WriteOp::Intake { new, .. } => {
                    if let Some(key) = &new.idempotency {
                        if let Some((fingerprint, first)) = keys.get(&(key.scope.as_str(), key.key.as_str())) {
                            answers.push(if *fingerprint == key.fingerprint {
                                Answer::SameAs(*first)
                            } else {
                                Answer::Intake(Err(StoreError::Conflict(ConflictKind::IdempotencyKey)))
                            });
                            continue;
                        }
                        if let Some((fingerprint, complaint_id)) = known.get(&(key.scope.clone(), key.key.clone())) {
                            answers.push(Answer::Intake(if *fingerprint == key.fingerprint {
                                first_state(&mut tx, *complaint_id).await.map(Inserted::Replayed)
                            } else {
                                Err(StoreError::Conflict(ConflictKind::IdempotencyKey))
                            }));
                            continue;
                        }
                        keys.insert((&key.scope, &key.key), (&key.fingerprint, index));
                    }
                    let (complaint, event) = self.allot(&mut tx, new, &mut counters).await?;
                    rows.push_new(&complaint, &event)?;
                    if let Some(key) = &new.idempotency {
                        rows.push_key(key, complaint.id, millis(event.at));
                    }
                    Answer::Intake(Ok(Inserted::New(complaint)))
                }
                WriteOp::Bulk { batch, .. } => {
                    let mut done = Vec::with_capacity(batch.len());
                    for new in batch {
                        let (complaint, event) = self.allot(&mut tx, new, &mut counters).await?;
                        rows.push_new(&complaint, &event)?;
                        done.push(complaint);
                    }
                    Answer::Bulk(done)
                }
                WriteOp::Append { event, state, .. } => Answer::Append(rows::append(&mut tx, event, state, &mut rows).await?),
            };
            answers.push(a);
        }
        rows.flush(&mut tx).await?;
        rows::save_counters(&mut tx, &counters).await?;
        tx.commit().await.map_err(db)?;
        Ok(answers)
    }

    /// Gives a new complaint its id and tracking number and builds it.
    async fn allot(
        &mut self,
        tx: &mut Transaction<'_, Sqlite>,
        new: &NewComplaint,
        touched: &mut HashMap<(i64, NaiveDate), u64>,
    ) -> StoreResult<(Complaint, Event)> {
        let key = (new.company_id, new.local_date);
        let last = match self.counters.get(&key) {
            Some(last) => *last,
            None => rows::last_tracking_seq(tx, key.0, key.1).await?,
        };
        let seq = last + 1;
        self.counters.insert(key, seq);
        touched.insert(key, seq);
        let id = self.next_id;
        self.next_id += 1;
        Ok(receive(Reception {
            id,
            company_id: new.company_id,
            tracking_no: TrackingNo::new(&new.tracking_prefix, new.local_date, seq),
            project: new.project.clone(),
            first_responder: new.first_responder.clone(),
            intake: new.intake.clone(),
            actor: new.actor.clone(),
            now: new.now,
            limits: new.limits.clone(),
        }))
    }
}

/// The fingerprint and complaint of each idempotency key already recorded.
async fn find_keys(
    tx: &mut Transaction<'_, Sqlite>,
    wanted: &[(&str, &str)],
) -> StoreResult<HashMap<(String, String), (String, i64)>> {
    let mut found = HashMap::new();
    let mut rest = wanted;
    while !rest.is_empty() {
        let size = rows::CHUNKS.into_iter().find(|c| *c <= rest.len()).unwrap_or(1);
        let (chunk, after) = rest.split_at(size);
        let mut q = sqlx::QueryBuilder::<Sqlite>::new(
            "SELECT scope, key, fingerprint, complaint_id FROM idempotency_keys WHERE (scope, key) IN (VALUES ",
        );
        let mut sep = q.separated(", ");
        for (scope, key) in chunk {
            sep.push("(").push_bind_unseparated(*scope).push_unseparated(", ").push_bind_unseparated(*key).push_unseparated(")");
        }
        q.push(")");
        let rows: Vec<(String, String, String, i64)> = q.build_query_as().fetch_all(&mut **tx).await.map_err(db)?;
        for (scope, key, fingerprint, complaint_id) in rows {
            found.insert((scope, key), (fingerprint, complaint_id));
        }
        rest = after;
    }
    Ok(found)
}

/// The complaint as it was first recorded: its first event, replayed.
async fn first_state(tx: &mut Transaction<'_, Sqlite>, complaint_id: i64) -> StoreResult<Complaint> {
    let payload: String = sqlx::query_scalar("SELECT payload FROM complaint_events WHERE complaint_id = ? AND seq = 1")
        .bind(complaint_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db)?;
    let event: Event = from_json(&payload)?;
    Complaint::from_first_event(complaint_id, &event).ok_or(StoreError::NotFound("first event"))
}

/// Sends each committed answer to its requester. A requester that has gone
/// (client disconnected) is not an error: its complaint is recorded anyway.
fn answer(ops: Vec<WriteOp>, mut answers: Vec<Answer>) {
    // Resolve idempotent retries within the group to their first request's complaint.
    for i in 0..answers.len() {
        if let Answer::SameAs(first) = answers[i] {
            let replay = match &answers[first] {
                Answer::Intake(Ok(Inserted::New(c))) => Ok(Inserted::Replayed(c.clone())),
                _ => Err(StoreError::Conflict(ConflictKind::IdempotencyKey)),
            };
            answers[i] = Answer::Intake(replay);
        }
    }
    for (op, a) in ops.into_iter().zip(answers) {
        match (op, a) {
            (WriteOp::Intake { reply, .. }, Answer::Intake(r)) => drop(reply.send(r)),
            (WriteOp::Bulk { reply, .. }, Answer::Bulk(r)) => drop(reply.send(Ok(r))),
            (WriteOp::Append { reply, .. }, Answer::Append(r)) => drop(reply.send(r)),
            (op, _) => fail(op, StoreError::other(std::io::Error::other("writer answer mismatch"))),
        }
    }
}

fn fail(op: WriteOp, e: StoreError) {
    tracing::error!(error = %e, "database write failed");
    match op {
        WriteOp::Intake { reply, .. } => drop(reply.send(Err(e))),
        WriteOp::Bulk { reply, .. } => drop(reply.send(Err(e))),
        WriteOp::Append { reply, .. } => drop(reply.send(Err(e))),
    }
}

fn clone_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound(what) => StoreError::NotFound(what),
        StoreError::Conflict(kind) => StoreError::Conflict(kind.clone()),
        StoreError::Other(inner) => StoreError::other(std::io::Error::other(inner.to_string())),
    }
}
