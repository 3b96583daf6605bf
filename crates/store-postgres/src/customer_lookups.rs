//! A customer's recent complaints, looked up for many intake requests in
//! one query.
//!
//! Every intake asks for the caller's complaints of the last days (repeat
//! detection, before the complaint is built). On SQLite an in-memory set of
//! known customers answers "none" without the database; with several
//! processes on one PostgreSQL no process knows every customer, so each
//! lookup goes to the database. One statement per request was the largest
//! share of PostgreSQL's work at intake (measured with
//! `log_min_duration_statement = 0`: one of every three statements), so
//! lookups are batched as intake commits are ([`crate::group`]): one task
//! takes every waiting lookup, asks for all of them in one statement
//! (`unnest … CROSS JOIN LATERAL`, an index probe each on
//! `complaints_customer`), and answers each. When the server is quiet a
//! lookup runs alone, at once.

use crate::error::{db, retrying};
use sqlx::PgPool;
use sqlx::types::Json;
use tokio::sync::{mpsc, oneshot};
use tousu_domain::{Complaint, Timestamp};
use tousu_store::{StoreError, StoreResult};

/// The most lookups asked in one statement.
const MAX_BATCH: usize = 256;
/// Lookups that may wait before senders are held back.
const QUEUE: usize = 4096;

struct Lookup {
    company_id: i64,
    phone: String,
    since: Timestamp,
    limit: u32,
    reply: oneshot::Sender<StoreResult<Vec<Complaint>>>,
}

/// Where lookups are sent.
#[derive(Clone)]
pub(crate) struct CustomerLookups(mpsc::Sender<Lookup>);

impl CustomerLookups {
    /// Starts the lookup task on the current runtime; it ends with the
    /// store (when the last sender is dropped).
    pub(crate) fn spawn(pool: PgPool) -> CustomerLookups {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, rx));
        CustomerLookups(tx)
    }

    /// The customer's complaints received since `since`, newest first, at
    /// most `limit`.
    pub(crate) async fn find(
        &self,
        company_id: i64,
        phone: &str,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>> {
        let (reply, answer) = oneshot::channel();
        let lookup = Lookup { company_id, phone: phone.to_owned(), since, limit, reply };
        self.0.send(lookup).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::other(std::io::Error::other("the customer lookup task has stopped"))
}

async fn run(pool: PgPool, mut rx: mpsc::Receiver<Lookup>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let lookups: Vec<Lookup> = std::mem::take(&mut batch);
        match retrying(|| find_many(&pool, &lookups)).await {
            Ok(mut found) => {
                for (lookup, complaints) in lookups.into_iter().zip(found.drain(..)) {
                    // A requester that has gone is not an error.
                    let _ = lookup.reply.send(Ok(complaints));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for lookup in lookups {
                    let _ = lookup.reply.send(Err(StoreError::other(std::io::Error::other(message.clone()))));
                }
            }
        }
    }
    tracing::debug!("customer lookup task stopped");
}

/// One answer per lookup, in the lookups' order.
async fn find_many(pool: &PgPool, lookups: &[Lookup]) -> StoreResult<Vec<Vec<Complaint>>> {
    let companies: Vec<i64> = lookups.iter().map(|l| l.company_id).collect();
    let phones: Vec<&str> = lookups.iter().map(|l| l.phone.as_str()).collect();
    let since: Vec<Timestamp> = lookups.iter().map(|l| crate::convert::at(l.since)).collect();
    let limits: Vec<i64> = lookups.iter().map(|l| i64::from(l.limit)).collect();
    let rows: Vec<(i64, Json<Complaint>)> = sqlx::query_as(
        "SELECT q.i, c.state \
         FROM unnest($1::int8[], $2::text[], $3::timestamptz[], $4::int8[]) \
              WITH ORDINALITY AS q(company_id, phone, since, lim, i) \
         CROSS JOIN LATERAL (SELECT id, state FROM complaints \
                             WHERE company_id = q.company_id AND customer_phone = q.phone \
                               AND received_at >= q.since ORDER BY id DESC LIMIT q.lim) c \
         ORDER BY q.i, c.id DESC",
    )
    .bind(&companies)
    .bind(&phones)
    .bind(&since)
    .bind(&limits)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut found: Vec<Vec<Complaint>> = lookups.iter().map(|_| Vec::new()).collect();
    for (i, Json(complaint)) in rows {
        // WITH ORDINALITY counts from 1.
        let slot = usize::try_from(i - 1).ok().and_then(|i| found.get_mut(i));
        if let Some(slot) = slot {
            slot.push(complaint);
        }
    }
    Ok(found)
}
