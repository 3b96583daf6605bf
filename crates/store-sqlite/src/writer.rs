//! The single writer and its group commit.
//!
//! Complaint writes arrive on a channel. The writer, a thread of its own
//! with its own SQLite connection, takes everything waiting (up to
//! [`MAX_BATCH`]), writes it in one `BEGIN IMMEDIATE` transaction, commits
//! (one fsync), and only then answers each request. While one group is
//! being committed the next gathers, so an fsync is shared by every request
//! that arrived during the previous one, with no timer and no delay added
//! when the server is quiet.
//!
//! Why a thread and rusqlite rather than sqlx: sqlx runs each SQLite
//! statement on a connection thread and hands the result back to the async
//! caller, two thread wake-ups per statement. A group is a few dozen
//! statements, so on two cores a group took ~3 ms, almost all of it
//! waiting, which capped intake near 8,000 complaints/s with the CPU half
//! idle. Here the statements are plain function calls and a group costs one
//! hand-off in and one answer out per request. (Reads, migrations and rare
//! writes stay on sqlx.)
//!
//! Ids and tracking numbers are allotted here, in memory, from high-water
//! marks read from the database: the writer is the only writer of
//! complaints (the database is locked to one server process). A failed
//! group leaves gaps in ids and tracking sequences, never duplicates.

use crate::sql;
use chrono::NaiveDate;
use rusqlite::{Connection, TransactionBehavior};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use crate::customers::KnownCustomers;
use std::path::Path;
use std::sync::Arc;
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
    /// A group incident's new severity, size and members: committed with
    /// the intakes that caused it, not in a transaction of its own (a flood
    /// of one cause would otherwise cost each complaint a commit).
    GroupUpdate { update: GroupUpdate, reply: oneshot::Sender<StoreResult<()>> },
    /// A new group incident with its first members (likewise).
    GroupInsert { incident: Box<tousu_store::GroupIncident>, reply: oneshot::Sender<StoreResult<i64>> },
}

pub(crate) struct GroupUpdate {
    pub id: i64,
    pub severity: tousu_domain::Severity,
    pub households: u32,
    pub new_members: Vec<i64>,
    pub at: tousu_domain::Timestamp,
}

/// An operation's answer, held until its group is committed.
enum Answer {
    Intake(StoreResult<Inserted>),
    /// An idempotent retry of an intake earlier in the same group.
    SameAs(usize),
    Bulk(Vec<Complaint>),
    Append(StoreResult<()>),
    Inserted(i64),
}

pub(crate) fn stopped() -> StoreError {
    StoreError::other(std::io::Error::other("the database writer has stopped"))
}

/// Opens the writer's connection and starts its thread.
pub(crate) fn spawn(path: &Path) -> Result<(mpsc::Sender<WriteOp>, Arc<KnownCustomers>), rusqlite::Error> {
    let conn = sql::open_writer(path)?;
    let next_id: i64 = conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM complaints", [], |r| r.get(0))?;
    let known = Arc::new(KnownCustomers::load(&conn)?);
    let (tx, rx) = mpsc::channel(QUEUE);
    let writer = Writer { conn, rx, numbers: Numbers { next_id, counters: HashMap::new() }, known: known.clone() };
    std::thread::Builder::new()
        .name("tousu-sqlite-writer".into())
        .spawn(move || writer.run())
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    Ok((tx, known))
}

struct Writer {
    conn: Connection,
    rx: mpsc::Receiver<WriteOp>,
    numbers: Numbers,
    /// Added to before the complaint is answered (a rolled-back group
    /// leaves a customer known without complaints: harmless).
    known: Arc<KnownCustomers>,
}

/// The ids and tracking sequences still to give.
struct Numbers {
    next_id: i64,
    /// Last tracking sequence given per (company, local day), read lazily.
    counters: HashMap<(i64, NaiveDate), u64>,
}

impl Writer {
    fn run(mut self) {
        let mut group = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = self.rx.blocking_recv() {
            group.push(first);
            while group.len() < MAX_BATCH {
                match self.rx.try_recv() {
                    Ok(op) => group.push(op),
                    Err(_) => break,
                }
            }
            let ops: Vec<WriteOp> = std::mem::take(&mut group);
            match self.write_caught(&ops) {
                Ok(answers) => answer(ops, answers),
                Err(e) if ops.len() > 1 => {
                    // One bad operation must not fail its neighbours.
                    tracing::warn!(error = %e, size = ops.len(), "group commit failed; retrying one by one");
                    for op in ops {
                        match self.write_caught(std::slice::from_ref(&op)) {
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
    fn write_caught(&mut self, ops: &[WriteOp]) -> StoreResult<Vec<Answer>> {
        std::panic::catch_unwind(AssertUnwindSafe(|| self.write(ops)))
            .unwrap_or_else(|_| Err(StoreError::other(std::io::Error::other("the writer panicked on this group"))))
    }

    /// Writes and commits one group, answering each operation's outcome, or
    /// the error that rolled the whole group back.
    fn write(&mut self, ops: &[WriteOp]) -> StoreResult<Vec<Answer>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql::err)?;
        let mut keys: HashMap<(&str, &str), (&str, usize)> = HashMap::new();
        let mut touched: HashMap<(i64, NaiveDate), u64> = HashMap::new();
        let mut answers = Vec::with_capacity(ops.len());
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
                        if let Some((fingerprint, complaint_id)) = sql::find_key(&tx, &key.scope, &key.key)? {
                            answers.push(Answer::Intake(if fingerprint == key.fingerprint {
                                sql::first_state(&tx, complaint_id).map(Inserted::Replayed)
                            } else {
                                Err(StoreError::Conflict(ConflictKind::IdempotencyKey))
                            }));
                            continue;
                        }
                        keys.insert((&key.scope, &key.key), (&key.fingerprint, index));
                    }
                    let (complaint, event) = self.numbers.allot(&tx, new, &mut touched)?;
                    sql::insert_new(&tx, &complaint, &event)?;
                    self.known.add(complaint.company_id, complaint.customer.phone.as_str());
                    if let Some(key) = &new.idempotency {
                        sql::insert_key(&tx, key, complaint.id, event.at)?;
                    }
                    Answer::Intake(Ok(Inserted::New(complaint)))
                }
                WriteOp::Bulk { batch, .. } => {
                    let mut done = Vec::with_capacity(batch.len());
                    for new in batch {
                        let (complaint, event) = self.numbers.allot(&tx, new, &mut touched)?;
                        sql::insert_new(&tx, &complaint, &event)?;
                        self.known.add(complaint.company_id, complaint.customer.phone.as_str());
                        done.push(complaint);
                    }
                    Answer::Bulk(done)
                }
                WriteOp::Append { event, state, .. } => Answer::Append(sql::append(&tx, event, state)?),
                WriteOp::GroupUpdate { update, .. } => Answer::Append(sql::update_group(&tx, update)?),
                WriteOp::GroupInsert { incident, .. } => Answer::Inserted(sql::insert_group(&tx, incident)?),
            };
            answers.push(a);
        }
        for ((company_id, day), seq) in &touched {
            sql::save_counter(&tx, *company_id, *day, *seq)?;
        }
        tx.commit().map_err(sql::err)?;
        tracing::trace!(operations = ops.len(), "group committed");
        Ok(answers)
    }

}

impl Numbers {
    /// Gives a new complaint its id and tracking number and builds it.
    fn allot(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        new: &NewComplaint,
        touched: &mut HashMap<(i64, NaiveDate), u64>,
    ) -> StoreResult<(Complaint, Event)> {
        let key = (new.company_id, new.local_date);
        let last = match self.counters.get(&key) {
            Some(last) => *last,
            None => sql::last_tracking_seq(tx, key.0, key.1)?,
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
            repeat: new.repeat.clone(),
            actor: new.actor.clone(),
            now: new.now,
            policy: new.policy.clone(),
        }, new.days.0.as_ref()))
    }
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
            (WriteOp::GroupUpdate { reply, .. }, Answer::Append(r)) => drop(reply.send(r)),
            (WriteOp::GroupInsert { reply, .. }, Answer::Inserted(id)) => drop(reply.send(Ok(id))),
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
        WriteOp::GroupUpdate { reply, .. } => drop(reply.send(Err(e))),
        WriteOp::GroupInsert { reply, .. } => drop(reply.send(Err(e))),
    }
}

fn clone_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound(what) => StoreError::NotFound(what),
        StoreError::Conflict(kind) => StoreError::Conflict(kind.clone()),
        StoreError::Other(inner) => StoreError::other(std::io::Error::other(inner.to_string())),
    }
}
