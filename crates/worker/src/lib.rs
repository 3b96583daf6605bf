//! The background loops that run beside the API: each is a plain loop
//! around one testable step of the application (`run_deadline_step`,
//! `run_outbox_step`); tests call the steps directly with a chosen time.
//! Both stop when their cancellation token is cancelled.

use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tousu_app::Services;
use tousu_app::escalation::StepOutcome;
use tousu_notify::Notifier;

/// Complaints claimed per escalation step: enough that one fsync serves
/// many firings, few enough that the processes sharing a database share a
/// burst of due complaints instead of the first one claiming all of it.
pub const DEADLINE_BATCH: u32 = 128;
/// How long the escalation worker sleeps when nothing is due: a deadline is
/// recorded at most this late (plus the time to record it).
pub const DEADLINE_IDLE: Duration = Duration::from_millis(200);
/// How long the dispatcher sleeps when nothing is waiting.
pub const OUTBOX_IDLE: Duration = Duration::from_millis(500);
/// How long a loop waits after its step failed (storage unavailable…).
pub const ERROR_SLEEP: Duration = Duration::from_secs(2);

async fn pause(cancel: &CancellationToken, d: Duration) -> bool {
    tokio::select! {
        _ = cancel.cancelled() => false,
        _ = tokio::time::sleep(d) => true,
    }
}

/// Records deadlines as they fall due, until cancelled.
pub async fn run_escalation(services: Services, cancel: CancellationToken) {
    tracing::info!("escalation worker started");
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let wait = match services.run_deadline_step(services.now(), DEADLINE_BATCH).await {
            // More may be due: go on at once.
            Ok(StepOutcome::Processed(_)) => Duration::ZERO,
            Ok(StepOutcome::Idle) => idle_wait(&services).await,
            Err(e) => {
                tracing::error!(error = %e, "escalation step failed");
                ERROR_SLEEP
            }
        };
        if !wait.is_zero() && !pause(&cancel, wait).await {
            break;
        }
    }
    tracing::info!("escalation worker stopped");
}

/// Until the next deadline falls due, but never longer than [`DEADLINE_IDLE`]
/// (a deadline opened meanwhile may fall due sooner).
async fn idle_wait(services: &Services) -> Duration {
    match services.next_deadline_check().await {
        Ok(Some(next)) => {
            (next - services.now()).to_std().unwrap_or(Duration::ZERO).min(DEADLINE_IDLE).max(Duration::from_millis(10))
        }
        _ => DEADLINE_IDLE,
    }
}

/// Routes and delivers notifications, until cancelled.
pub async fn run_outbox(services: Services, notifier: Arc<Notifier>, cancel: CancellationToken) {
    tracing::info!("outbox dispatcher started");
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let wait = match services.run_outbox_step(&notifier, services.now()).await {
            Ok(StepOutcome::Processed(_)) => Duration::ZERO,
            Ok(StepOutcome::Idle) => OUTBOX_IDLE,
            Err(e) => {
                tracing::error!(error = %e, "outbox step failed");
                ERROR_SLEEP
            }
        };
        if !wait.is_zero() && !pause(&cancel, wait).await {
            break;
        }
    }
    tracing::info!("outbox dispatcher stopped");
}

/// How often the search indexer looks for new history when it is current:
/// a complaint is searchable well within a second of being written.
pub const SEARCH_IDLE: Duration = Duration::from_millis(200);

/// Keeps the search index current with the history, until cancelled: at
/// start it catches up from the index's own cursor (after a crash or a
/// restart), then follows new events.
pub async fn run_search_indexer(services: Services, cancel: CancellationToken) {
    tracing::info!("search indexer started");
    loop {
        if cancel.is_cancelled() {
            break;
        }
        let wait = match services.index_changes(tousu_app::search::BATCH).await {
            Ok(0) => SEARCH_IDLE,
            Ok(_) => Duration::ZERO,
            Err(e) => {
                tracing::error!(error = %e, "search indexing step failed");
                ERROR_SLEEP
            }
        };
        if !wait.is_zero() && !pause(&cancel, wait).await {
            break;
        }
    }
    tracing::info!("search indexer stopped");
}
