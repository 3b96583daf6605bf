//! The escalation worker's step: at `now`, record the at-risk warnings and
//! breaches of every deadline that has fallen due, each as an event in the
//! complaint's history (with its notices, in the same transaction). A
//! firing is recorded once: the event changes the deadline, so it is not
//! due again; and nothing is recorded until it is.

use crate::{AppResult, Services};
use tousu_domain::deadline::check::check;
use tousu_domain::{Actor, Timestamp};

/// What one step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    /// Recorded firings on this many complaints.
    Processed(usize),
    /// Nothing was due.
    Idle,
}

impl Services {
    /// Records what is due at `now`, for at most `limit` complaints.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn run_deadline_step(&self, now: Timestamp, limit: u32) -> AppResult<StepOutcome> {
        let due = self.store.find_due_complaints(now, limit).await?;
        if due.is_empty() {
            return Ok(StepOutcome::Idle);
        }
        let mut fired = 0;
        for (company_id, id) in due {
            let recorded = self.apply_if(company_id, id, &Actor::System, now, |c, env| Ok(check(c, &env.clock()))).await;
            match recorded {
                Ok(Some(_)) => fired += 1,
                Ok(None) => {}
                // One complaint's failure must not stop the others; it stays due.
                Err(e) => tracing::error!(complaint_id = id, error = %e, "could not record a deadline firing"),
            }
        }
        Ok(StepOutcome::Processed(fired))
    }

    /// When the next deadline falls due (at-risk or due), if any.
    pub async fn next_deadline_check(&self) -> AppResult<Option<Timestamp>> {
        Ok(self.store.find_next_deadline_check().await?)
    }
}
