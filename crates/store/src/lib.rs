//! The storage trait: the operations tousu needs, in the domain's words.
//! One crate per backend implements it (`tousu-store-sqlite`,
//! `tousu-store-postgres`); the application holds it as `Arc<dyn Store>`
//! and never knows which. The [`conformance`] suite (feature `conformance`)
//! is the contract every backend passes.

mod error;
mod org;
mod records;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use error::{ConflictKind, StoreError};
pub use org::*;
pub use records::*;

use async_trait::async_trait;
use tousu_domain::{Complaint, Event, Timestamp, TrackingNo};

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // ----- organisation -----

    /// Creates a group with its companies, projects, departments and staff in
    /// one transaction. Codes and usernames must be new.
    async fn insert_organisation(&self, seed: OrgSeed) -> StoreResult<()>;

    /// Adds a staff member to a company; the username must be new.
    async fn insert_staff(&self, company_id: i64, staff: StaffSeed) -> StoreResult<i64>;

    /// Every company, oldest first.
    async fn list_companies(&self) -> StoreResult<Vec<Company>>;

    /// A company's departments, staff and projects (with buildings and units):
    /// small, read often, cached by the application.
    async fn find_org_snapshot(&self, company_id: i64) -> StoreResult<OrgSnapshot>;

    // ----- staff and credentials -----

    /// An active staff member by username, with their password hash.
    async fn find_staff_by_username(&self, username: &str) -> StoreResult<Option<StaffRecord>>;

    /// Active staff members holding `role`, oldest first.
    async fn list_staff_by_role(&self, role: tousu_domain::Role) -> StoreResult<Vec<StaffRecord>>;

    async fn update_staff_password(&self, staff_id: i64, password_hash: &str) -> StoreResult<()>;

    /// Stores a credential (session or API token) by the SHA-256 of its secret.
    async fn insert_credential(&self, credential: NewCredential) -> StoreResult<()>;

    /// The staff member a live credential belongs to; `None` for unknown,
    /// expired or revoked ones.
    async fn find_credential(&self, secret_hash: &str, now: Timestamp) -> StoreResult<Option<StaffRecord>>;

    /// Marks a credential revoked (logout). Credentials are never deleted.
    async fn revoke_credential(&self, secret_hash: &str, now: Timestamp) -> StoreResult<()>;

    // ----- complaints -----

    /// Records a new complaint durably (on disk before this returns), giving
    /// it an id and the company's next tracking number. With an idempotency
    /// key already used by the same caller for the same request, answers the
    /// complaint as first recorded instead of recording another.
    async fn insert_complaint(&self, new: NewComplaint) -> StoreResult<Inserted>;

    /// Records many complaints at once (bulk loads and benchmarks): the same
    /// as `insert_complaint` for each, without idempotency keys.
    async fn insert_complaints(&self, batch: Vec<NewComplaint>) -> StoreResult<Vec<Complaint>>;

    async fn find_complaint(&self, company_id: i64, id: i64) -> StoreResult<Complaint>;

    /// Complaints bearing a tracking number, in any company (owners do not
    /// say which company they are; the phone number decides).
    async fn find_complaints_by_tracking_no(&self, tracking_no: &TrackingNo) -> StoreResult<Vec<Complaint>>;

    /// The whole history of a complaint, oldest first.
    async fn list_events(&self, complaint_id: i64) -> StoreResult<Vec<Event>>;

    /// Appends `event` and stores `state` (the complaint with the event
    /// applied) in one transaction, provided the stored complaint is still at
    /// `state.version - 1`; otherwise `Conflict(Version)` and nothing changes.
    async fn append_event(&self, event: &Event, state: &Complaint) -> StoreResult<()>;

    async fn list_complaints(&self, company_id: i64, filter: &ComplaintFilter, page: PageRequest) -> StoreResult<Page>;

    // ----- files -----

    /// Stores a file's bytes (content-addressed; the same bytes twice are
    /// kept once) and answers its id.
    async fn insert_file(&self, file: NewFile) -> StoreResult<i64>;

    async fn find_file(&self, company_id: i64, id: i64) -> StoreResult<StoredFile>;

    // ----- time limits -----

    /// Complaints with a deadline whose next check (at-risk moment or due
    /// time) is at or before `now`, most overdue first: `(company, complaint)`.
    /// Costs what is due, not what is open.
    async fn find_due_complaints(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<(i64, i64)>>;

    /// Claims for `lease.worker`, until `lease.until`, up to `limit` due
    /// deadlines (next check at or before `lease.now`) that no other
    /// worker's live claim holds, most overdue first, and answers their
    /// complaints `(company, complaint)`, each once. Two workers claiming
    /// at once get disjoint sets; a claim ends when the deadline is next
    /// written (the firing it was claimed for) or when it expires.
    async fn claim_due_complaints(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<(i64, i64)>>;

    /// When a deadline may next be claimed, if any: its next check, or,
    /// while a claim holds it, the claim's end.
    async fn find_next_deadline_check(&self) -> StoreResult<Option<Timestamp>>;

    /// A customer's complaints in a company received since `since`, newest first.
    async fn list_complaints_by_customer(
        &self,
        company_id: i64,
        phone: &str,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>>;

    // ----- notifications (the outbox) -----

    /// Notifications not yet routed to deliveries, oldest first.
    async fn list_unrouted_notifications(&self, limit: u32) -> StoreResult<Vec<StoredNotification>>;

    /// Creates one pending delivery per route (due `now`) and marks the
    /// notification routed, in one transaction.
    async fn route_notification(&self, notification_id: i64, routes: &[String], now: Timestamp) -> StoreResult<()>;

    /// Claims for `lease.worker`, until `lease.until`, up to `limit`
    /// pending deliveries due at `lease.now` that no other worker's live
    /// lease holds, oldest first. Two workers claiming at once get
    /// disjoint sets; a lease ends with the attempt's outcome
    /// ([`Store::update_delivery`]) or when it expires.
    async fn claim_due_deliveries(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<Delivery>>;

    /// Records an attempt's outcome (and counts the attempt), ends its
    /// lease, and keeps the lease's worker as the one that attempted it.
    async fn update_delivery(&self, id: i64, outcome: DeliveryOutcome) -> StoreResult<()>;

    /// Deliveries for administrators, newest first, optionally by status.
    async fn list_deliveries(&self, status: Option<DeliveryStatus>, limit: u32) -> StoreResult<Vec<Delivery>>;

    /// Puts a failed delivery back in the queue, due `now`.
    async fn retry_delivery(&self, id: i64, now: Timestamp) -> StoreResult<()>;

    // ----- figures (kept as events are written) -----

    /// Daily figures of a company whose key starts with `key_prefix`, for
    /// days `from..=to` (local dates): `(day, project, key, value)`.
    async fn list_daily_figures(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        key_prefix: &str,
    ) -> StoreResult<Vec<(chrono::NaiveDate, i64, String, i64)>>;

    /// Current figures of a company whose key starts with `key_prefix`: `(project, key, value)`.
    async fn list_current_figures(&self, company_id: i64, key_prefix: &str) -> StoreResult<Vec<(i64, String, i64)>>;

    // ----- the extra-services ledger (惊喜服务) -----

    /// Records an extra service given to a household; answers its id.
    async fn insert_extra_service(&self, service: ExtraService) -> StoreResult<i64>;

    /// A company's extra services, newest first, those with ids below
    /// `before_id` when given.
    async fn list_extra_services(
        &self,
        company_id: i64,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<ExtraService>>;

    /// Whether the household (project, building, unit) was given an extra
    /// service at or before `at`.
    async fn household_had_extra_service(
        &self,
        project_id: i64,
        building: &str,
        unit: &str,
        at: Timestamp,
    ) -> StoreResult<bool>;

    // ----- training cases (案例库) -----

    /// Records a training case; a second case of one complaint is a
    /// `Conflict(Duplicate)`.
    async fn insert_training_case(&self, case: StoredTrainingCase) -> StoreResult<i64>;

    /// A company's training cases, newest first, at most `limit`.
    async fn list_training_cases(&self, company_id: i64, limit: u32) -> StoreResult<Vec<StoredTrainingCase>>;

    /// One training case of a company.
    async fn find_training_case(&self, company_id: i64, id: i64) -> StoreResult<StoredTrainingCase>;

    // ----- group complaints -----

    /// Records a new group incident with its members; answers its id.
    async fn insert_group_incident(&self, incident: GroupIncident) -> StoreResult<i64>;

    /// Updates an incident (severity, households) and adds members.
    async fn update_group_incident(
        &self,
        id: i64,
        severity: tousu_domain::Severity,
        households: u32,
        new_members: &[i64],
        at: Timestamp,
    ) -> StoreResult<()>;

    /// A company's incidents, newest first.
    async fn list_group_incidents(&self, company_id: i64, limit: u32) -> StoreResult<Vec<GroupIncident>>;

    /// The incident a complaint belongs to, if any.
    async fn find_group_incident_of(&self, complaint_id: i64) -> StoreResult<Option<GroupIncident>>;

    // ----- working-day calendars -----

    /// Calendar years imported by the company: `(year, file content)`.
    async fn list_calendar_years(&self) -> StoreResult<Vec<(i32, String)>>;

    /// Stores an imported calendar year, replacing an earlier import.
    async fn upsert_calendar_year(&self, year: i32, content: &str, now: Timestamp) -> StoreResult<()>;

    // ----- organisation administration -----

    /// Adds a project, with its buildings and units, to a company in one
    /// transaction: `Conflict(Duplicate)` when the company already has the
    /// code (or a building or unit is named twice), and nothing is written;
    /// `NotFound("company")` for an unknown company. Answers the project's id.
    async fn insert_project(&self, company_id: i64, project: ProjectSeed) -> StoreResult<i64>;

    /// Adds a building with its units to a company's project in one
    /// transaction: `NotFound("project")` for an unknown code,
    /// `Conflict(Duplicate)` when the project has a building of that name
    /// (or a unit is named twice), and nothing is written.
    async fn insert_building(&self, company_id: i64, project_code: &str, building: Building) -> StoreResult<()>;

    /// Adds a department to a company: `Conflict(Duplicate)` when the
    /// company already has the code; `NotFound("company")` for an unknown company.
    async fn insert_department(&self, company_id: i64, department: Department) -> StoreResult<()>;

    // ----- the staff console -----

    /// A unit's complaints in a company, newest first, at most `limit`:
    /// the front desk looks a caller up by their unit before typing.
    /// `project` is the project's code; building and unit as recorded.
    async fn list_complaints_at_unit(
        &self,
        company_id: i64,
        project: &str,
        building: &str,
        unit: &str,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>>;

    /// A company's complaints filed under a defect (`component:phase`),
    /// newest first, at most `limit`: the design-review checklist's examples.
    async fn list_complaints_with_defect(&self, company_id: i64, defect_key: &str, limit: u32)
    -> StoreResult<Vec<Complaint>>;

    /// Whether another closed complaint of the household (project,
    /// building, unit) than `except_id` is filed under the defect
    /// (`component:phase`): the library counts households by it.
    async fn household_has_closed_defect(
        &self,
        project_id: i64,
        building: &str,
        unit: &str,
        defect_key: &str,
        except_id: i64,
    ) -> StoreResult<bool>;

    // ----- the search index's feed -----

    /// Events after `after` in the feed's order, oldest first, at most
    /// `limit`, each with its complaint and company. The search index
    /// follows the history with it. Once an event is listed, no event
    /// before it in that order can appear later (see [`FeedPosition`]).
    async fn list_changes_after(&self, after: FeedPosition, limit: u32) -> StoreResult<Vec<Change>>;

    /// The feed's last final position and the number of complaints.
    async fn feed_head(&self) -> StoreResult<FeedHead>;

    /// Complaints after `after_id` in id order, at most `limit`, each with
    /// its history (oldest first), whatever the company: a rebuild of the
    /// search index reads them all this way.
    async fn list_complaints_with_history(&self, after_id: i64, limit: u32) -> StoreResult<Vec<(Complaint, Vec<Event>)>>;

    /// A complaint by id, whatever its company (the search index's feed).
    async fn find_complaint_by_id(&self, id: i64) -> StoreResult<Complaint>;

    // ----- figures for the dashboard -----

    /// Daily figures of a company for exactly the `keys` given, summed over
    /// its projects, for days `from..=to`: `(day, key, sum)`, by key then day,
    /// zero sums left out. Costs the rows of those keys, not of every key.
    async fn sum_daily_figures(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        keys: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>>;

    /// Daily figures of a company whose key starts with `key_prefix`, summed
    /// over days `from..=to` per project: `(project, key, sum)`, zero sums left out.
    async fn sum_figures_by_project(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        key_prefix: &str,
    ) -> StoreResult<Vec<(i64, String, i64)>>;
}
