//! tousu's PostgreSQL backend: one database shared by any number of server
//! processes.
//!
//! - Every write is one PostgreSQL transaction, and intake requests
//!   arriving together share one ([`group`]: group commit, as on SQLite).
//!   An event, the complaint's new state, its deadline rows, its figures and
//!   its outbox notifications commit together or not at all (the
//!   transactional outbox).
//! - Nothing is allotted in a process's memory: complaint ids come from the
//!   table's identity sequence, tracking numbers from a counter row per
//!   company and local day bumped inside the complaint's transaction, and
//!   idempotency keys are claimed with a unique constraint, so several
//!   processes may take complaints at once.
//! - Row locks are always taken in one order (idempotency key, tracking
//!   counter or complaint row, then figures sorted by key), so concurrent
//!   writes wait for each other but do not deadlock; should PostgreSQL still
//!   report a deadlock or a serialisation failure, the transaction is run
//!   again ([`error`]).
//!
//! Record mapping: instants are TIMESTAMPTZ truncated to milliseconds (as
//! SQLite keeps them), JSON documents JSONB; see the first migration.

mod append;
mod claims;
mod connect;
mod convert;
mod customer_lookups;
mod dashboard;
mod extra_services;
mod training_cases;
mod error;
mod figures;
mod group;
mod groups;
mod history;
mod intake;
mod listing;
mod new_rows;
mod org;
mod org_admin;
mod outbox;
mod reads;

use async_trait::async_trait;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use tousu_domain::{Complaint, Event, Role, Timestamp, TrackingNo};
use tousu_store::*;

pub use connect::{DEFAULT_POOL_SIZE, options_from_url};
pub use error::PgError;

/// The PostgreSQL implementation of [`Store`].
pub struct PostgresStore {
    pool: PgPool,
    /// Intake requests, recorded in groups ([`group`]).
    intake: group::Intake,
    /// Repeat lookups, asked in batches ([`customer_lookups`]).
    customers: customer_lookups::CustomerLookups,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`)
    /// and applies pending migrations.
    pub async fn connect(url: &str) -> Result<PostgresStore, PgError> {
        PostgresStore::connect_with(options_from_url(url)?, DEFAULT_POOL_SIZE).await
    }

    /// Connects with explicit options (a `search_path`, TLS settings …) and
    /// a pool of `pool_size` connections, and applies pending migrations.
    /// Starts the intake task on the current Tokio runtime.
    pub async fn connect_with(options: PgConnectOptions, pool_size: u32) -> Result<PostgresStore, PgError> {
        connect::migrate(&options).await?;
        let pool = connect::open_pool(options, pool_size).await?;
        let intake = group::Intake::spawn(pool.clone());
        let customers = customer_lookups::CustomerLookups::spawn(pool.clone());
        Ok(PostgresStore { pool, intake, customers })
    }

    /// The connection pool (for commands that move whole installations).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn insert_organisation(&self, seed: OrgSeed) -> StoreResult<()> {
        org::insert_organisation(&self.pool, seed).await
    }

    async fn insert_staff(&self, company_id: i64, staff: StaffSeed) -> StoreResult<i64> {
        org::insert_staff(&self.pool, company_id, staff).await
    }

    async fn list_companies(&self) -> StoreResult<Vec<Company>> {
        org::list_companies(&self.pool).await
    }

    async fn find_org_snapshot(&self, company_id: i64) -> StoreResult<OrgSnapshot> {
        org::find_org_snapshot(&self.pool, company_id).await
    }

    async fn find_staff_by_username(&self, username: &str) -> StoreResult<Option<StaffRecord>> {
        org::find_staff_by_username(&self.pool, username).await
    }

    async fn list_staff_by_role(&self, role: Role) -> StoreResult<Vec<StaffRecord>> {
        org::list_staff_by_role(&self.pool, role).await
    }

    async fn update_staff_password(&self, staff_id: i64, password_hash: &str) -> StoreResult<()> {
        org::update_staff_password(&self.pool, staff_id, password_hash).await
    }

    async fn insert_credential(&self, credential: NewCredential) -> StoreResult<()> {
        org::insert_credential(&self.pool, credential).await
    }

    async fn find_credential(&self, secret_hash: &str, now: Timestamp) -> StoreResult<Option<StaffRecord>> {
        org::find_credential(&self.pool, secret_hash, now).await
    }

    async fn revoke_credential(&self, secret_hash: &str, now: Timestamp) -> StoreResult<()> {
        org::revoke_credential(&self.pool, secret_hash, now).await
    }

    async fn insert_complaint(&self, new: NewComplaint) -> StoreResult<Inserted> {
        self.intake.insert(new).await
    }

    async fn insert_complaints(&self, batch: Vec<NewComplaint>) -> StoreResult<Vec<Complaint>> {
        error::retrying(|| intake::insert_complaints(&self.pool, &batch)).await
    }

    async fn find_complaint(&self, company_id: i64, id: i64) -> StoreResult<Complaint> {
        reads::find_complaint(&self.pool, company_id, id).await
    }

    async fn find_complaints_by_tracking_no(&self, tracking_no: &TrackingNo) -> StoreResult<Vec<Complaint>> {
        reads::find_complaints_by_tracking_no(&self.pool, tracking_no).await
    }

    async fn list_events(&self, complaint_id: i64) -> StoreResult<Vec<Event>> {
        reads::list_events(&self.pool, complaint_id).await
    }

    async fn append_event(&self, event: &Event, state: &Complaint) -> StoreResult<()> {
        error::retrying(|| append::append_event(&self.pool, event, state)).await
    }

    async fn list_complaints(&self, company_id: i64, filter: &ComplaintFilter, page: PageRequest) -> StoreResult<Page> {
        listing::list_complaints(&self.pool, company_id, filter, page).await
    }

    async fn insert_file(&self, file: NewFile) -> StoreResult<i64> {
        org::insert_file(&self.pool, file).await
    }

    async fn find_file(&self, company_id: i64, id: i64) -> StoreResult<StoredFile> {
        reads::find_file(&self.pool, company_id, id).await
    }

    async fn find_due_complaints(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
        reads::find_due_complaints(&self.pool, now, limit).await
    }

    async fn claim_due_complaints(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
        claims::claim_due_complaints(&self.pool, lease, limit).await
    }

    async fn find_next_deadline_check(&self) -> StoreResult<Option<Timestamp>> {
        claims::find_next_deadline_check(&self.pool).await
    }

    async fn list_complaints_by_customer(
        &self,
        company_id: i64,
        phone: &str,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>> {
        self.customers.find(company_id, phone, since, limit).await
    }

    async fn list_unrouted_notifications(&self, limit: u32) -> StoreResult<Vec<StoredNotification>> {
        outbox::list_unrouted(&self.pool, limit).await
    }

    async fn route_notification(&self, notification_id: i64, routes: &[String], now: Timestamp) -> StoreResult<()> {
        outbox::route(&self.pool, notification_id, routes, now).await
    }

    async fn claim_due_deliveries(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<Delivery>> {
        outbox::claim_due(&self.pool, lease, limit).await
    }

    async fn update_delivery(&self, id: i64, outcome: DeliveryOutcome) -> StoreResult<()> {
        outbox::update(&self.pool, id, outcome).await
    }

    async fn list_deliveries(&self, status: Option<DeliveryStatus>, limit: u32) -> StoreResult<Vec<Delivery>> {
        outbox::list(&self.pool, status, limit).await
    }

    async fn retry_delivery(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        outbox::retry(&self.pool, id, now).await
    }

    async fn list_daily_figures(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        key_prefix: &str,
    ) -> StoreResult<Vec<(chrono::NaiveDate, i64, String, i64)>> {
        figures::list_daily_figures(&self.pool, company_id, from, to, key_prefix).await
    }

    async fn list_current_figures(&self, company_id: i64, key_prefix: &str) -> StoreResult<Vec<(i64, String, i64)>> {
        figures::list_current_figures(&self.pool, company_id, key_prefix).await
    }

    async fn insert_extra_service(&self, service: ExtraService) -> StoreResult<i64> {
        extra_services::insert(&self.pool, &service).await
    }

    async fn list_extra_services(
        &self,
        company_id: i64,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<ExtraService>> {
        extra_services::list(&self.pool, company_id, before_id, limit).await
    }

    async fn household_had_extra_service(
        &self,
        project_id: i64,
        building: &str,
        unit: &str,
        at: Timestamp,
    ) -> StoreResult<bool> {
        extra_services::household_had(&self.pool, project_id, building, unit, at).await
    }

    async fn insert_training_case(&self, case: StoredTrainingCase) -> StoreResult<i64> {
        training_cases::insert(&self.pool, &case).await
    }

    async fn list_training_cases(&self, company_id: i64, limit: u32) -> StoreResult<Vec<StoredTrainingCase>> {
        training_cases::list(&self.pool, company_id, limit).await
    }

    async fn find_training_case(&self, company_id: i64, id: i64) -> StoreResult<StoredTrainingCase> {
        training_cases::find(&self.pool, company_id, id).await
    }

    async fn insert_group_incident(&self, incident: GroupIncident) -> StoreResult<i64> {
        groups::insert(&self.pool, incident).await
    }

    async fn update_group_incident(
        &self,
        id: i64,
        severity: tousu_domain::Severity,
        households: u32,
        new_members: &[i64],
        at: Timestamp,
    ) -> StoreResult<()> {
        groups::update(&self.pool, id, severity, households, new_members, at).await
    }

    async fn list_group_incidents(&self, company_id: i64, limit: u32) -> StoreResult<Vec<GroupIncident>> {
        groups::list(&self.pool, company_id, limit).await
    }

    async fn find_group_incident_of(&self, complaint_id: i64) -> StoreResult<Option<GroupIncident>> {
        groups::find_of(&self.pool, complaint_id).await
    }

    async fn list_calendar_years(&self) -> StoreResult<Vec<(i32, String)>> {
        outbox::list_calendar_years(&self.pool).await
    }

    async fn upsert_calendar_year(&self, year: i32, content: &str, now: Timestamp) -> StoreResult<()> {
        outbox::upsert_calendar_year(&self.pool, year, content, now).await
    }

    async fn insert_project(&self, company_id: i64, project: ProjectSeed) -> StoreResult<i64> {
        org_admin::insert_project(&self.pool, company_id, project).await
    }

    async fn insert_building(&self, company_id: i64, project_code: &str, building: Building) -> StoreResult<()> {
        org_admin::insert_building(&self.pool, company_id, project_code, building).await
    }

    async fn insert_department(&self, company_id: i64, department: Department) -> StoreResult<()> {
        org_admin::insert_department(&self.pool, company_id, department).await
    }

    async fn list_complaints_at_unit(
        &self,
        company_id: i64,
        project: &str,
        building: &str,
        unit: &str,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>> {
        reads::list_complaints_at_unit(&self.pool, company_id, project, building, unit, limit).await
    }

    async fn list_complaints_with_defect(
        &self,
        company_id: i64,
        defect_key: &str,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>> {
        reads::list_complaints_with_defect(&self.pool, company_id, defect_key, limit).await
    }

    async fn household_has_closed_defect(
        &self,
        project_id: i64,
        building: &str,
        unit: &str,
        defect_key: &str,
        except_id: i64,
    ) -> StoreResult<bool> {
        reads::household_has_closed_defect(&self.pool, project_id, building, unit, defect_key, except_id).await
    }

    async fn list_changes_after(&self, after: FeedPosition, limit: u32) -> StoreResult<Vec<Change>> {
        reads::list_changes_after(&self.pool, after, limit).await
    }

    async fn feed_head(&self) -> StoreResult<FeedHead> {
        reads::feed_head(&self.pool).await
    }

    async fn list_complaints_with_history(&self, after_id: i64, limit: u32) -> StoreResult<Vec<(Complaint, Vec<Event>)>> {
        reads::list_complaints_with_history(&self.pool, after_id, limit).await
    }

    async fn find_complaint_by_id(&self, id: i64) -> StoreResult<Complaint> {
        reads::find_complaint_by_id(&self.pool, id).await
    }

    async fn sum_daily_figures(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        keys: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>> {
        dashboard::sum_daily_figures(&self.pool, company_id, from, to, keys).await
    }

    async fn sum_figures_by_project(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        key_prefix: &str,
    ) -> StoreResult<Vec<(i64, String, i64)>> {
        dashboard::sum_figures_by_project(&self.pool, company_id, from, to, key_prefix).await
    }
}
