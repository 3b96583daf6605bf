//! Group commit for intake, as the SQLite writer does it: requests arrive
//! on a channel; one task takes everything waiting (up to [`MAX_GROUP`]),
//! records it in one transaction, commits once, and only then answers each
//! request. While one group commits the next gathers, so one commit (one
//! WAL flush) serves every request that arrived meanwhile, with no timer
//! and no delay when the server is quiet.
//!
//! Why: every intake of a company adds to the same rows (the day's tracking
//! counter, the project's `status:received` figure), and a row stays locked
//! until its transaction commits. One transaction per request made intake
//! one commit after another, ~300 complaints/s on this machine with 32
//! concurrent requests; grouped, a commit serves the whole group. Across
//! processes the groups of each process still take those rows in turn.
//!
//! If a group fails, its requests are recorded one by one, so that one bad
//! request cannot fail its neighbours.

use crate::error::retrying;
use crate::intake;
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};
use tousu_store::{Inserted, NewComplaint, StoreError, StoreResult};

/// The most requests recorded in one transaction.
const MAX_GROUP: usize = 256;
/// Requests that may wait before senders are held back.
const QUEUE: usize = 4096;

pub(crate) struct Request {
    new: Box<NewComplaint>,
    reply: oneshot::Sender<StoreResult<Inserted>>,
}

/// Where intake requests are sent.
#[derive(Clone)]
pub(crate) struct Intake(mpsc::Sender<Request>);

impl Intake {
    /// Starts the group-commit task on the current runtime. It ends when
    /// the last sender is dropped (with the store).
    pub(crate) fn spawn(pool: PgPool) -> Intake {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, rx));
        Intake(tx)
    }

    /// Records `new` in the next group; answers once that group committed.
    pub(crate) async fn insert(&self, new: NewComplaint) -> StoreResult<Inserted> {
        let (reply, answer) = oneshot::channel();
        self.0.send(Request { new: Box::new(new), reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::other(std::io::Error::other("the intake task has stopped"))
}

async fn run(pool: PgPool, mut rx: mpsc::Receiver<Request>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while rx.recv_many(&mut group, MAX_GROUP).await > 0 {
        let requests: Vec<Request> = std::mem::take(&mut group);
        let news: Vec<&NewComplaint> = requests.iter().map(|r| &*r.new).collect();
        match retrying(|| intake::insert_group(&pool, &news)).await {
            Ok(answers) => {
                drop(news);
                for (request, answer) in requests.into_iter().zip(answers) {
                    // A requester that has gone (client disconnected) is
                    // not an error: its complaint is recorded anyway.
                    let _ = request.reply.send(answer);
                }
            }
            Err(e) if requests.len() > 1 => {
                tracing::warn!(error = %e, size = requests.len(), "group commit failed; recording one by one");
                drop(news);
                for request in requests {
                    let alone = [&*request.new];
                    let answer = retrying(|| intake::insert_group(&pool, &alone))
                        .await
                        .and_then(|mut answers| answers.pop().unwrap_or_else(|| Err(stopped())));
                    let _ = request.reply.send(answer);
                }
            }
            Err(e) => {
                drop(news);
                for request in requests {
                    let _ = request.reply.send(Err(clone_error(&e)));
                }
            }
        }
    }
    tracing::debug!("intake task stopped");
}

fn clone_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound(what) => StoreError::NotFound(what),
        StoreError::Conflict(kind) => StoreError::Conflict(kind.clone()),
        StoreError::Other(inner) => StoreError::other(std::io::Error::other(inner.to_string())),
    }
}
