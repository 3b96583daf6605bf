//! Values passed to and from storage for complaints, credentials and files.

use chrono::NaiveDate;
use std::sync::Arc;
use tousu_domain::complaint::{ProjectRef, StaffRef};
use tousu_domain::deadline::EscalationLevel;
use tousu_domain::intake::{Intake, RepeatLink};
use tousu_domain::{Actor, Category, Complaint, Severity, Status, TimePolicy, Timestamp, WorkingDays};

/// The working-day calendar a new complaint's deadlines are counted with.
#[derive(Clone)]
pub struct Days(pub Arc<dyn WorkingDays + Send + Sync>);

impl std::fmt::Debug for Days {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Days(..)")
    }
}

/// A complaint to record. Storage allots the id and the tracking number
/// (`{tracking_prefix}{local_date}-{seq}`) and builds the complaint with
/// [`tousu_domain::intake::receive`].
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub company_id: i64,
    pub tracking_prefix: String,
    /// The company's local date of receipt (Asia/Shanghai by default).
    pub local_date: NaiveDate,
    pub project: ProjectRef,
    pub first_responder: Option<StaffRef>,
    pub intake: Intake,
    pub actor: Actor,
    pub now: Timestamp,
    pub policy: TimePolicy,
    pub days: Days,
    /// The earlier complaint this one repeats, found by the application.
    pub repeat: Option<RepeatLink>,
    pub idempotency: Option<IdempotencyKey>,
}

/// A client's `Idempotency-Key`, scoped to the caller, with a fingerprint of
/// the request so that a reused key with another body is caught.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
}

#[derive(Debug, Clone)]
pub enum Inserted {
    /// Recorded now.
    New(Complaint),
    /// The key was seen before: the complaint as it was first recorded.
    Replayed(Complaint),
}

/// A session or API token to store.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub secret_hash: String,
    pub staff_id: i64,
    pub kind: CredentialKind,
    pub label: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    Session,
    ApiToken,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Session => "session",
            CredentialKind::ApiToken => "api_token",
        }
    }
}

/// Which complaints to list. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    /// Any of these statuses.
    pub statuses: Vec<Status>,
    /// Only complaints that are not closed.
    pub open_only: bool,
    pub project_code: Option<String>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// Assigned department code.
    pub department: Option<String>,
    /// Received at or after this instant (inclusive).
    pub received_from: Option<Timestamp>,
    /// Received before this instant (exclusive).
    pub received_to: Option<Timestamp>,
}

/// One page of a listing, keyed on `id` (ids grow with receipt): newest
/// first by default, oldest first with `oldest_first`. `before_id` and
/// `after_id` bound the ids listed (`id < before_id`, `id > after_id`):
/// newest first, `before_id` continues after the last item of a page;
/// oldest first, `after_id` does. The opposite bound, with the opposite
/// order, walks back to the page before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub before_id: Option<i64>,
    pub after_id: Option<i64>,
    pub oldest_first: bool,
}

impl PageRequest {
    /// The first page, newest first.
    pub fn newest_first(limit: u32) -> PageRequest {
        PageRequest { limit, before_id: None, after_id: None, oldest_first: false }
    }

    /// The first page, oldest first.
    pub fn oldest_first(limit: u32) -> PageRequest {
        PageRequest { limit, before_id: None, after_id: None, oldest_first: true }
    }
}

impl Default for PageRequest {
    fn default() -> PageRequest {
        PageRequest::newest_first(50)
    }
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Complaint>,
    /// Newest first: pass as `before_id` for the next page; `None` on the
    /// last page (and always `None` oldest first).
    pub next_before_id: Option<i64>,
    /// Oldest first: pass as `after_id` for the next page; `None` on the
    /// last page (and always `None` newest first).
    pub next_after_id: Option<i64>,
}

/// An uploaded file.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub company_id: i64,
    pub complaint_id: i64,
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: i64,
    pub complaint_id: i64,
    pub name: String,
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// A notification written by the outbox, waiting to be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotification {
    pub id: i64,
    pub company_id: i64,
    pub complaint_id: Option<i64>,
    pub kind: String,
    pub level: Option<EscalationLevel>,
    pub department: Option<String>,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    /// Gave up (permanent error, or too many attempts); an admin may retry.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// One notification to one route, with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub notification: StoredNotification,
    pub route: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<Timestamp>,
    pub last_error: Option<String>,
    pub delivered_at: Option<Timestamp>,
    /// The worker (server process) that made the last attempt.
    pub attempted_by: Option<String>,
}

/// A background worker's claim on work it is about to do, when several
/// server processes share one database: what it claims is not handed to
/// another worker before `until`, and is handed on after it (the worker
/// died, or gave up), so nothing is lost and nothing is done twice by two
/// live workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// Who claims: one per server process (host, process id, a random part).
    pub worker: String,
    /// The time of the claim: what is due at `now` may be claimed.
    pub now: Timestamp,
    /// Until when the claim holds.
    pub until: Timestamp,
}

/// What a delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Delivered {
        at: Timestamp,
    },
    /// Try again at `next_attempt_at`.
    Retry {
        error: String,
        next_attempt_at: Timestamp,
    },
    Failed {
        error: String,
    },
}

/// A group complaint (群诉) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupIncident {
    pub id: i64,
    pub company_id: i64,
    pub project_id: i64,
    pub cause: String,
    pub severity: Severity,
    pub households: u32,
    pub flagged_complaint_id: i64,
    /// Oldest first.
    pub members: Vec<i64>,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An extra service (惊喜服务) given to a household, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraService {
    /// Allotted by storage (ignored on insert).
    pub id: i64,
    pub company_id: i64,
    pub project_id: i64,
    pub building: String,
    pub unit: String,
    /// The catalogue's service code, when it is one.
    pub service: Option<String>,
    pub description: String,
    /// Who gave it.
    pub given_by: String,
    pub given_at: Timestamp,
    /// The staff member who logged it.
    pub recorded_by: Option<i64>,
    pub recorded_at: Timestamp,
}

/// A training case (案例库) as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTrainingCase {
    /// Allotted by storage (ignored on insert).
    pub id: i64,
    pub company_id: i64,
    pub complaint_id: i64,
    pub case: tousu_domain::training::TrainingCase,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
}

/// A place in the history as the search index follows it (变更流).
///
/// `tx` orders first: on PostgreSQL it is the writing transaction's id,
/// and the feed only hands out events of transactions older than every
/// one still in flight, so a transaction that commits late with lower
/// event ids can never be passed over. On SQLite (one writer, event ids in
/// commit order) it is always 0 and `event` alone orders.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedPosition {
    pub tx: i64,
    pub event: i64,
}

impl FeedPosition {
    /// As the search index keeps it in its commits: `tx:event`.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.tx, self.event)
    }

    /// Reads [`FeedPosition::encode`]'s form; anything else (an earlier
    /// version's bare event id included) is the start, so the index is
    /// rebuilt rather than trusted.
    pub fn decode(text: &str) -> FeedPosition {
        text.split_once(':')
            .and_then(|(tx, event)| Some(FeedPosition { tx: tx.parse().ok()?, event: event.parse().ok()? }))
            .unwrap_or_default()
    }
}

/// One event of the feed: where it is, and the complaint it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub at: FeedPosition,
    pub complaint_id: i64,
    pub company_id: i64,
}

/// Where the feed ends now, and how many complaints there are: a rebuild
/// of the search index reads every complaint after taking it, then
/// follows the feed from `at`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedHead {
    pub at: FeedPosition,
    pub complaints: u64,
}
