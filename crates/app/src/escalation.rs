//! The escalation worker's step: at `now`, record the at-risk warnings and
//! breaches of every deadline that has fallen due, each as an event in the
//! complaint's history (with its notices, in the same transaction). A
//! firing is recorded once: the event changes the deadline, so it is not
//! due again; and nothing is recorded until it is.

use crate::complaints::Env;
use crate::{AppResult, Services};
use tousu_domain::deadline::check::{check, next_check};
use tousu_domain::deadline::schedule::Clock;
use tousu_domain::lifecycle::Decision;
use tousu_domain::{Actor, Complaint, Timestamp};

/// Firings recorded for one complaint in one step, at most: every rule's
/// warning and breach (each firing changes a deadline, so it ends).
const MAX_FIRINGS: usize = 2 * tousu_domain::deadline::DeadlineRule::ALL.len();

/// Complaints whose firings are recorded at the same time.
const CONCURRENT_FIRINGS: usize = 16;

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Recorded firings on this many complaints.
    Processed(usize),
    /// Nothing was due (or nothing could be recorded).
    Idle,
}

/// The next firing to record for `c`: what the worker would have recorded
/// at the earliest due time not yet recorded (or now, when none is
/// overdue). Limits missed one after another while nothing ran (a stopped
/// server) are so recorded one event each, earliest first, each raising
/// the complaint one level, and what a breach opens (a written report) is
/// owed from when the limit was missed, as if the worker had run then —
/// not merged into one event that raises it one level for all of them.
fn firing(c: &Complaint, env: &Env) -> Option<Decision> {
    let clock = env.clock();
    let first_due = c
        .open_deadlines()
        .filter(|d| d.paused_at.is_none() && d.breached_at.is_none() && d.due_at <= clock.now)
        .map(|d| d.due_at)
        .min();
    match first_due {
        Some(due) if due < clock.now => check(c, &Clock { now: due, ..clock }),
        _ => check(c, &clock),
    }
}

impl Services {
    /// Records what is due at `now`, for at most `limit` complaints.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn run_deadline_step(&self, now: Timestamp, limit: u32) -> AppResult<StepOutcome> {
        // Claimed, not just read: with several server processes on one
        // database each due complaint goes to one of them, and the claims
        // of a process that dies pass to the others when they expire.
        let due = self.store.claim_due_complaints(&self.lease(now), limit).await?;
        if due.is_empty() {
            return Ok(StepOutcome::Idle);
        }
        // Several complaints at once: their writes then share the writer's
        // group commits (one fsync for many) instead of one fsync each.
        let mut fired = 0;
        let mut due = due.into_iter();
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            while tasks.len() < CONCURRENT_FIRINGS {
                let Some((company_id, id)) = due.next() else {
                    break;
                };
                let services = self.clone();
                tasks.spawn(async move { services.fire_complaint(company_id, id, now).await });
            }
            match tasks.join_next().await {
                Some(Ok(true)) => fired += 1,
                Some(_) => {}
                None => break,
            }
        }
        // Nothing recorded although something looked due (every complaint
        // failed, say): the loop must wait before looking again, not spin.
        Ok(if fired == 0 { StepOutcome::Idle } else { StepOutcome::Processed(fired) })
    }

    /// Records what is due on one complaint; answers whether anything was.
    async fn fire_complaint(&self, company_id: i64, id: i64, now: Timestamp) -> bool {
        // Limits missed one after another (after a stop) are recorded
        // one event each, earliest first, each escalating one level.
        let mut recorded = false;
        for _ in 0..MAX_FIRINGS {
            match self.apply_if(company_id, id, &Actor::System, now, |c, env| Ok(firing(c, env))).await {
                Ok(Some(c)) => {
                    recorded = true;
                    if next_check(&c).is_none_or(|t| t > now) {
                        break;
                    }
                }
                Ok(None) => break,
                // One complaint's failure must not stop the others; it stays due.
                Err(e) => {
                    tracing::error!(complaint_id = id, error = %e, "could not record a deadline firing");
                    break;
                }
            }
        }
        recorded
    }

    /// When the next deadline falls due (at-risk or due), if any.
    pub async fn next_deadline_check(&self) -> AppResult<Option<Timestamp>> {
        Ok(self.store.find_next_deadline_check().await?)
    }
}
