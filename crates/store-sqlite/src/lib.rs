//! tousu's embedded backend: one SQLite file in the data folder.
//!
//! - WAL journal, `synchronous = FULL`, foreign keys on: a committed
//!   complaint survives `kill -9` and a power cut the moment after.
//! - One writer. Complaint writes go through a single thread that commits
//!   them in groups ([`writer`]): every request waits for its group's fsync,
//!   and one fsync serves many requests. Other, rare writes (organisation,
//!   credentials, files) use one more connection and SQLite's own locking.
//! - Readers use their own pool of read-only connections and never block
//!   the writer (WAL).

mod claims;
mod connect;
mod convert;
mod customers;
mod dashboard;
mod extra_services;
mod training_cases;
mod groups;
mod org;
mod org_admin;
mod outbox;
mod reads;
mod sql;
mod writer;

use async_trait::async_trait;
use sqlx::SqlitePool;
use std::path::Path;
use tokio::sync::{mpsc, oneshot};
use tousu_domain::{Complaint, Event, Role, Timestamp, TrackingNo};
use tousu_store::*;

pub use connect::OpenError;

/// The SQLite implementation of [`Store`].
pub struct SqliteStore {
    readers: SqlitePool,
    writes: SqlitePool,
    writer: mpsc::Sender<writer::WriteOp>,
    known: std::sync::Arc<customers::KnownCustomers>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and applies
    /// pending migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore, OpenError> {
        let connect::Pools { writes, readers } = connect::open_pools(path).await?;
        let (writer, known) = writer::spawn(path).map_err(OpenError::Writer)?;
        Ok(SqliteStore { readers, writes, writer, known })
    }

    /// Closes the pools after the writer has drained (on shutdown).
    pub async fn close(&self) {
        self.readers.close().await;
        self.writes.close().await;
    }

    async fn send<T>(&self, op: impl FnOnce(oneshot::Sender<StoreResult<T>>) -> writer::WriteOp) -> StoreResult<T> {
        let (tx, rx) = oneshot::channel();
        self.writer.send(op(tx)).await.map_err(|_| writer::stopped())?;
        rx.await.map_err(|_| writer::stopped())?
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert_organisation(&self, seed: OrgSeed) -> StoreResult<()> {
        org::insert_organisation(&self.writes, seed).await
    }

    async fn insert_staff(&self, company_id: i64, staff: StaffSeed) -> StoreResult<i64> {
        org::insert_staff(&self.writes, company_id, staff).await
    }

    async fn list_companies(&self) -> StoreResult<Vec<Company>> {
        org::list_companies(&self.readers).await
    }

    async fn find_org_snapshot(&self, company_id: i64) -> StoreResult<OrgSnapshot> {
        org::find_org_snapshot(&self.readers, company_id).await
    }

    async fn find_staff_by_username(&self, username: &str) -> StoreResult<Option<StaffRecord>> {
        org::find_staff_by_username(&self.readers, username).await
    }

    async fn list_staff_by_role(&self, role: Role) -> StoreResult<Vec<StaffRecord>> {
        org::list_staff_by_role(&self.readers, role).await
    }

    async fn update_staff_password(&self, staff_id: i64, password_hash: &str) -> StoreResult<()> {
        org::update_staff_password(&self.writes, staff_id, password_hash).await
    }

    async fn insert_credential(&self, credential: NewCredential) -> StoreResult<()> {
        org::insert_credential(&self.writes, credential).await
    }

    async fn find_credential(&self, secret_hash: &str, now: Timestamp) -> StoreResult<Option<StaffRecord>> {
        org::find_credential(&self.readers, secret_hash, now).await
    }

    async fn revoke_credential(&self, secret_hash: &str, now: Timestamp) -> StoreResult<()> {
        org::revoke_credential(&self.writes, secret_hash, now).await
    }

    async fn insert_complaint(&self, new: NewComplaint) -> StoreResult<Inserted> {
        self.send(|reply| writer::WriteOp::Intake { new: Box::new(new), reply }).await
    }

    async fn insert_complaints(&self, batch: Vec<NewComplaint>) -> StoreResult<Vec<Complaint>> {
        self.send(|reply| writer::WriteOp::Bulk { batch, reply }).await
    }

    async fn find_complaint(&self, company_id: i64, id: i64) -> StoreResult<Complaint> {
        reads::find_complaint(&self.readers, company_id, id).await
    }

    async fn find_complaints_by_tracking_no(&self, tracking_no: &TrackingNo) -> StoreResult<Vec<Complaint>> {
        reads::find_complaints_by_tracking_no(&self.readers, tracking_no).await
    }

    async fn list_events(&self, complaint_id: i64) -> StoreResult<Vec<Event>> {
        reads::list_events(&self.readers, complaint_id).await
    }

    async fn append_event(&self, event: &Event, state: &Complaint) -> StoreResult<()> {
        let (event, state) = (Box::new(event.clone()), Box::new(state.clone()));
        self.send(|reply| writer::WriteOp::Append { event, state, reply }).await
    }

    async fn list_complaints(&self, company_id: i64, filter: &ComplaintFilter, page: PageRequest) -> StoreResult<Page> {
        reads::list_complaints(&self.readers, company_id, filter, page).await
    }

    async fn insert_file(&self, file: NewFile) -> StoreResult<i64> {
        org::insert_file(&self.writes, file).await
    }

    async fn find_file(&self, company_id: i64, id: i64) -> StoreResult<StoredFile> {
        reads::find_file(&self.readers, company_id, id).await
    }

    async fn find_due_complaints(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
        reads::find_due_complaints(&self.readers, now, limit).await
    }

    async fn claim_due_complaints(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<(i64, i64)>> {
        claims::claim_due_complaints(&self.writes, lease, limit).await
    }

    async fn find_next_deadline_check(&self) -> StoreResult<Option<Timestamp>> {
        claims::find_next_deadline_check(&self.readers).await
    }

    async fn list_complaints_by_customer(
        &self,
        company_id: i64,
        phone: &str,
        since: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>> {
        if !self.known.may_have(company_id, phone) {
            return Ok(Vec::new());
        }
        reads::list_complaints_by_customer(&self.readers, company_id, phone, since, limit).await
    }

    async fn list_unrouted_notifications(&self, limit: u32) -> StoreResult<Vec<StoredNotification>> {
        outbox::list_unrouted(&self.readers, limit).await
    }

    async fn route_notification(&self, notification_id: i64, routes: &[String], now: Timestamp) -> StoreResult<()> {
        outbox::route(&self.writes, notification_id, routes, now).await
    }

    async fn claim_due_deliveries(&self, lease: &Lease, limit: u32) -> StoreResult<Vec<Delivery>> {
        outbox::claim_due(&self.writes, lease, limit).await
    }

    async fn update_delivery(&self, id: i64, outcome: DeliveryOutcome) -> StoreResult<()> {
        outbox::update(&self.writes, id, outcome).await
    }

    async fn list_deliveries(&self, status: Option<DeliveryStatus>, limit: u32) -> StoreResult<Vec<Delivery>> {
        outbox::list(&self.readers, status, limit).await
    }

    async fn retry_delivery(&self, id: i64, now: Timestamp) -> StoreResult<()> {
        outbox::retry(&self.writes, id, now).await
    }

    async fn list_daily_figures(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        key_prefix: &str,
    ) -> StoreResult<Vec<(chrono::NaiveDate, i64, String, i64)>> {
        reads::list_daily_figures(&self.readers, company_id, from, to, key_prefix).await
    }

    async fn list_current_figures(&self, company_id: i64, key_prefix: &str) -> StoreResult<Vec<(i64, String, i64)>> {
        reads::list_current_figures(&self.readers, company_id, key_prefix).await
    }

    async fn insert_extra_service(&self, service: ExtraService) -> StoreResult<i64> {
        extra_services::insert(&self.writes, &service).await
    }

    async fn list_extra_services(
        &self,
        company_id: i64,
        before_id: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<ExtraService>> {
        extra_services::list(&self.readers, company_id, before_id, limit).await
    }

    async fn household_had_extra_service(
        &self,
        project_id: i64,
        building: &str,
        unit: &str,
        at: Timestamp,
    ) -> StoreResult<bool> {
        extra_services::household_had(&self.readers, project_id, building, unit, at).await
    }

    async fn insert_training_case(&self, case: StoredTrainingCase) -> StoreResult<i64> {
        training_cases::insert(&self.writes, &case).await
    }

    async fn list_training_cases(&self, company_id: i64, limit: u32) -> StoreResult<Vec<StoredTrainingCase>> {
        training_cases::list(&self.readers, company_id, limit).await
    }

    async fn find_training_case(&self, company_id: i64, id: i64) -> StoreResult<StoredTrainingCase> {
        training_cases::find(&self.readers, company_id, id).await
    }

    async fn insert_group_incident(&self, incident: GroupIncident) -> StoreResult<i64> {
        self.send(|reply| writer::WriteOp::GroupInsert { incident: Box::new(incident), reply }).await
    }

    async fn update_group_incident(
        &self,
        id: i64,
        severity: tousu_domain::Severity,
        households: u32,
        new_members: &[i64],
        at: Timestamp,
    ) -> StoreResult<()> {
        let update = writer::GroupUpdate { id, severity, households, new_members: new_members.to_vec(), at };
        self.send(|reply| writer::WriteOp::GroupUpdate { update, reply }).await
    }

    async fn list_group_incidents(&self, company_id: i64, limit: u32) -> StoreResult<Vec<GroupIncident>> {
        groups::list(&self.readers, company_id, limit).await
    }

    async fn find_group_incident_of(&self, complaint_id: i64) -> StoreResult<Option<GroupIncident>> {
        groups::find_of(&self.readers, complaint_id).await
    }

    async fn list_calendar_years(&self) -> StoreResult<Vec<(i32, String)>> {
        outbox::list_calendar_years(&self.readers).await
    }

    async fn upsert_calendar_year(&self, year: i32, content: &str, now: Timestamp) -> StoreResult<()> {
        outbox::upsert_calendar_year(&self.writes, year, content, now).await
    }

    async fn insert_project(&self, company_id: i64, project: ProjectSeed) -> StoreResult<i64> {
        org_admin::insert_project(&self.writes, company_id, project).await
    }

    async fn insert_building(&self, company_id: i64, project_code: &str, building: Building) -> StoreResult<()> {
        org_admin::insert_building(&self.writes, company_id, project_code, building).await
    }

    async fn insert_department(&self, company_id: i64, department: Department) -> StoreResult<()> {
        org_admin::insert_department(&self.writes, company_id, department).await
    }

    async fn list_complaints_at_unit(
        &self,
        company_id: i64,
        project: &str,
        building: &str,
        unit: &str,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>> {
        reads::list_complaints_at_unit(&self.readers, company_id, project, building, unit, limit).await
    }

    async fn list_complaints_with_defect(
        &self,
        company_id: i64,
        defect_key: &str,
        limit: u32,
    ) -> StoreResult<Vec<Complaint>> {
        reads::list_complaints_with_defect(&self.readers, company_id, defect_key, limit).await
    }

    async fn household_has_closed_defect(
        &self,
        project_id: i64,
        building: &str,
        unit: &str,
        defect_key: &str,
        except_id: i64,
    ) -> StoreResult<bool> {
        reads::household_has_closed_defect(&self.readers, project_id, building, unit, defect_key, except_id).await
    }

    async fn list_changes_after(&self, after: FeedPosition, limit: u32) -> StoreResult<Vec<Change>> {
        reads::list_changes_after(&self.readers, after, limit).await
    }

    async fn feed_head(&self) -> StoreResult<FeedHead> {
        reads::feed_head(&self.readers).await
    }

    async fn list_complaints_with_history(&self, after_id: i64, limit: u32) -> StoreResult<Vec<(Complaint, Vec<Event>)>> {
        reads::list_complaints_with_history(&self.readers, after_id, limit).await
    }

    async fn find_complaint_by_id(&self, id: i64) -> StoreResult<Complaint> {
        reads::find_complaint_by_id(&self.readers, id).await
    }

    async fn sum_daily_figures(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        keys: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>> {
        dashboard::sum_daily_figures(&self.readers, company_id, from, to, keys).await
    }

    async fn sum_figures_by_project(
        &self,
        company_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        key_prefix: &str,
    ) -> StoreResult<Vec<(i64, String, i64)>> {
        dashboard::sum_figures_by_project(&self.readers, company_id, from, to, key_prefix).await
    }
}
