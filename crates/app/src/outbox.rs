//! The outbox dispatcher's step: route new notifications to the configured
//! channels (one delivery per matching route), then deliver what is due,
//! retrying with exponential backoff; a delivery that keeps failing, or
//! fails for good, is marked failed for an administrator to see and retry.

use crate::config::Route;
use crate::escalation::StepOutcome;
use crate::{AppError, AppResult, Services};
use std::sync::Arc;
use std::time::Duration;
use tousu_domain::Timestamp;
use tousu_notify::{Message, Notifier};
use tousu_store::{Delivery, DeliveryOutcome, DeliveryStatus, StoredNotification};

/// Notifications routed, and deliveries attempted, per step.
const BATCH: u32 = 100;
/// Deliveries attempted at once (a slow webhook must not hold up the rest).
const CONCURRENT: usize = 8;
/// Deliveries claimed per step: as many as are attempted at once, so each
/// starts as soon as it is leased and its lease covers one attempt (a
/// larger claim would leave the last ones waiting while their leases run
/// out, and another process would send them too); and the processes
/// sharing a database share a burst instead of the first one leasing it all.
const CLAIMED: u32 = CONCURRENT as u32;
/// The first retry waits this long; each next one twice as long, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// How long to wait before attempt `attempts + 1`.
pub fn backoff(attempts: u32) -> Duration {
    FIRST_BACKOFF.saturating_mul(1u32 << attempts.min(16)).min(MAX_BACKOFF)
}

fn matches(route: &Route, company: &str, n: &StoredNotification) -> bool {
    route.company.as_deref().is_none_or(|c| c == company)
        && route.level.is_none_or(|l| n.level == Some(l))
        && route.department.as_deref().is_none_or(|d| n.department.as_deref() == Some(d))
        && (route.kinds.is_empty() || route.kinds.iter().any(|k| *k == n.kind))
}

fn message(d: &Delivery) -> Message {
    let n = &d.notification;
    Message {
        kind: n.kind.clone(),
        title: n.title.clone(),
        body: n.body.clone(),
        complaint_id: n.complaint_id,
        tracking_no: None,
        // Shown to people ("级别：公司主管领导" on a robot card or in a
        // mail); machines read the code in `data.level`.
        level: n.level.map(|l| l.label_zh().to_string()),
        url: None,
        data: serde_json::json!({
            "delivery_id": d.id,
            "notification_id": n.id,
            "department": n.department,
            "level": n.level.map(|l| l.as_str()),
            "level_label": n.level.map(|l| l.label_zh()),
        }),
    }
}

impl Services {
    /// Routes new notifications and delivers what is due at `now`.
    #[tracing::instrument(level = "debug", skip(self, notifier))]
    pub async fn run_outbox_step(&self, notifier: &Arc<Notifier>, now: Timestamp) -> AppResult<StepOutcome> {
        let routed = self.route_notifications(now).await?;
        // Leased, not just read: another process on the same database
        // never sends these meanwhile; if this one dies before recording
        // an outcome, the lease expires and another sends them (a webhook
        // may then see a delivery twice: its `delivery_id` tells it so).
        let due = self.store.claim_due_deliveries(&self.lease(now), CLAIMED).await?;
        let attempted = due.len();
        let mut tasks = tokio::task::JoinSet::new();
        for d in due {
            while tasks.len() >= CONCURRENT {
                let _ = tasks.join_next().await;
            }
            let (services, notifier) = (self.clone(), notifier.clone());
            tasks.spawn(async move { services.deliver(&notifier, d, now).await });
        }
        while let Some(done) = tasks.join_next().await {
            if let Ok(Err(e)) = done {
                tracing::error!(error = %e, "could not record a delivery attempt");
            }
        }
        Ok(if routed + attempted == 0 { StepOutcome::Idle } else { StepOutcome::Processed(routed + attempted) })
    }

    async fn route_notifications(&self, now: Timestamp) -> AppResult<usize> {
        let new = self.store.list_unrouted_notifications(BATCH).await?;
        for n in &new {
            let company = self.org(n.company_id).await.map(|o| o.company.code.clone()).unwrap_or_default();
            let routes: Vec<String> =
                self.config.notify.routes.iter().filter(|r| matches(r, &company, n)).map(|r| r.name.clone()).collect();
            if routes.is_empty() {
                tracing::debug!(kind = %n.kind, "no route for a notification; it stays in the history only");
            }
            self.store.route_notification(n.id, &routes, now).await?;
        }
        Ok(new.len())
    }

    async fn deliver(&self, notifier: &Notifier, d: Delivery, now: Timestamp) -> AppResult<()> {
        let outcome = match self.config.notify.routes.iter().find(|r| r.name == d.route) {
            None => DeliveryOutcome::Failed {
                error: format!("路由「{}」已不在配置中 / route no longer configured", d.route),
            },
            Some(route) => match notifier.deliver_at(&route.channel, &message(&d), now).await {
                Ok(()) => DeliveryOutcome::Delivered { at: now },
                Err(e) if e.is_retryable() && d.attempts + 1 < self.config.notify.max_attempts => {
                    // The server's Retry-After is a lower bound of the backoff,
                    // never a way around it (`Retry-After: 1` on every 503 must
                    // not turn the backoff into a steady 5 s hammering).
                    let wait = backoff(d.attempts).max(e.retry_after().unwrap_or_default());
                    let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::seconds(5));
                    DeliveryOutcome::Retry { error: e.to_string(), next_attempt_at: next }
                }
                Err(e) => DeliveryOutcome::Failed { error: e.to_string() },
            },
        };
        if let DeliveryOutcome::Failed { error } = &outcome {
            tracing::warn!(delivery = d.id, route = %d.route, %error, "a notification could not be delivered");
        }
        self.store.update_delivery(d.id, outcome).await.map_err(AppError::from)
    }

    /// Deliveries for administrators (newest first).
    pub async fn list_deliveries(&self, status: Option<DeliveryStatus>, limit: u32) -> AppResult<Vec<Delivery>> {
        Ok(self.store.list_deliveries(status, limit).await?)
    }

    /// Puts a failed delivery back in the queue.
    pub async fn retry_delivery(&self, id: i64) -> AppResult<()> {
        Ok(self.store.retry_delivery(id, self.now()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_up_to_an_hour() {
        assert_eq!(backoff(0), Duration::from_secs(5));
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(3), Duration::from_secs(40));
        assert_eq!(backoff(20), Duration::from_secs(3600));
    }
}
