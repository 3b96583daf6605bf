//! The storage conformance suite: the facts every [`Store`] backend must
//! make true, run identically against SQLite and PostgreSQL.
//!
//! A backend implements [`Backend`] (how to make an empty database for one
//! test and how to open a store on it) and invokes [`conformance_tests!`]
//! once, from an integration-test file:
//!
//! ```ignore
//! struct Sqlite;
//!
//! impl tousu_store::conformance::Backend for Sqlite {
//!     type Database = tempfile::TempDir;
//!     async fn create(&self) -> tempfile::TempDir {
//!         tempfile::tempdir().expect("a temporary folder")
//!     }
//!     async fn open(&self, dir: &tempfile::TempDir) -> Arc<dyn Store> {
//!         Arc::new(SqliteStore::open(&dir.path().join("tousu.db")).await.expect("the store opens"))
//!     }
//! }
//!
//! tousu_store::conformance_tests!(Sqlite);
//! ```
//!
//! The macro writes one `#[tokio::test]` per case (so each fact passes or
//! fails on its own line of test output); the backend's tests therefore need
//! `tokio` with the `macros` and `rt-multi-thread` features. Each case gets a
//! fresh database and seeds it with [`fixture::seed_organisation`].
//!
//! A new case is a `pub async fn(Arc<dyn Store>)` named as the fact it
//! checks, in one of the submodules, plus its name in the macro's list.
//!
//! Times in the suite are whole seconds, so backends may store milliseconds
//! or microseconds; complaints are compared whole (`PartialEq`), so whatever
//! a backend stores must read back identical.

mod complaints;
mod dashboard;
mod extra;
mod figures;
mod files;
pub mod fixture;
mod idempotency;
mod leases;
mod listing;
mod org;
mod org_admin;
mod replay;

pub use complaints::*;
pub use dashboard::*;
pub use extra::*;
pub use figures::*;
pub use files::*;
pub use idempotency::*;
pub use leases::*;
pub use listing::*;
pub use org::*;
pub use org_admin::*;
pub use replay::*;

use crate::Store;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How long one case may take before it is declared hung (a lost wake-up
/// in a writer, a lock never released).
pub const CASE_TIMEOUT: Duration = Duration::from_secs(120);

/// A storage backend under test.
pub trait Backend: Send + Sync {
    /// One test's database: a temporary folder, a scratch PostgreSQL
    /// database. Dropped when the test ends, and may delete the data then.
    type Database: Send + Sync;

    /// Whether the backend can run here (PostgreSQL needs a server). When
    /// not, every case passes without running; the backend says why, loudly.
    fn available(&self) -> bool {
        true
    }

    /// Makes a new, empty database.
    fn create(&self) -> impl Future<Output = Self::Database> + Send;

    /// Opens a store on `db`, applying migrations. Called more than once
    /// for the same database by the cases that check what survives a restart.
    fn open(&self, db: &Self::Database) -> impl Future<Output = Arc<dyn Store>> + Send;
}

/// Runs `case` on a store opened on a fresh database.
pub async fn run<B, F, Fut>(backend: &B, case: F)
where
    B: Backend,
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    if !backend.available() {
        return;
    }
    let db = backend.create().await;
    let store = backend.open(&db).await;
    within_timeout(case(store)).await;
    drop(db);
}

/// Runs a case that opens the database itself (restarts).
pub async fn run_with_backend<'b, B, F, Fut>(backend: &'b B, case: F)
where
    B: Backend,
    F: FnOnce(&'b B) -> Fut,
    Fut: Future<Output = ()> + 'b,
{
    if !backend.available() {
        return;
    }
    within_timeout(case(backend)).await;
}

async fn within_timeout(case: impl Future<Output = ()>) {
    if tokio::time::timeout(CASE_TIMEOUT, case).await.is_err() {
        panic!("the case did not finish within {CASE_TIMEOUT:?}: a write or read never answered");
    }
}

/// Writes one `#[tokio::test]` per conformance case for a [`Backend`]
/// value (an expression, evaluated once per test).
#[macro_export]
macro_rules! conformance_tests {
    ($backend:expr $(,)?) => {
        $crate::conformance_tests!(@fresh $backend;
            a_received_complaint_is_found_by_id_with_one_received_event,
            a_complaint_is_not_found_through_another_company,
            tracking_numbers_count_from_0001_per_company_and_local_day,
            concurrent_inserts_all_succeed_with_distinct_ids_and_tracking_numbers,
            an_insert_that_fails_does_not_fail_the_writes_sent_with_it,
            a_batch_is_recorded_with_consecutive_tracking_numbers,
            complaints_are_found_by_tracking_number_in_any_company,
            a_repeated_idempotency_key_answers_the_complaint_as_first_recorded,
            racing_requests_with_one_idempotency_key_record_one_complaint,
            an_idempotency_key_reused_for_another_request_is_a_conflict,
            one_idempotency_key_in_two_scopes_records_two_complaints,
            appended_events_are_listed_in_order,
            appending_with_a_stale_version_is_a_conflict_and_changes_nothing,
            an_event_that_does_not_follow_its_state_is_a_conflict_and_changes_nothing,
            concurrent_appends_at_one_version_let_exactly_one_win,
            listing_filters_by_status_project_category_severity_department_and_time,
            paging_with_before_id_visits_every_complaint_once_newest_first,
            paging_oldest_first_and_back_again_visits_every_complaint_once,
            a_received_time_range_is_exact_across_days_and_receipts_out_of_order,
            a_units_complaints_are_listed_newest_first,
            complaints_are_found_by_their_defect_newest_first_and_follow_a_correction,
            a_households_closed_defect_is_found_by_project_building_unit_and_defect,
            changes_are_listed_after_a_cursor_in_order_and_a_complaint_is_found_by_id,
            a_customers_recent_complaints_are_found_by_phone_even_when_asked_together,
            extra_services_are_listed_newest_first_per_company_and_found_by_household_and_time,
            training_cases_are_one_per_complaint_listed_newest_first_and_found_only_in_their_company,
            the_org_snapshot_has_projects_with_buildings_and_units_departments_and_staff,
            staff_are_found_by_username_and_role_and_their_password_changes,
            a_staff_member_added_later_is_found_and_a_taken_username_is_refused,
            a_duplicate_code_or_username_is_refused_and_nothing_of_the_seed_is_written,
            a_session_is_found_until_it_expires_or_is_revoked,
            the_same_bytes_stored_twice_are_two_files_sharing_their_content,
            a_file_is_not_found_through_another_company,
            replaying_the_events_rebuilds_the_stored_complaint,
            figures_are_the_sum_of_every_events_deltas,
            a_project_is_added_with_its_buildings_and_units_and_a_taken_code_is_refused,
            a_building_is_added_to_a_project_and_a_taken_name_is_refused_whole,
            a_department_is_added_and_a_taken_code_is_refused,
            the_dashboards_sums_agree_with_the_daily_figures,
            a_due_deadline_is_claimed_by_one_worker_until_the_claim_expires_or_the_deadline_is_written,
            workers_claiming_at_once_get_disjoint_shares_of_the_due_deadlines,
            a_due_delivery_is_leased_to_one_worker_and_its_outcome_ends_the_lease,
        );
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn tracking_numbers_and_ids_continue_after_the_store_is_reopened() {
            $crate::conformance::run_with_backend(
                &$backend,
                $crate::conformance::tracking_numbers_and_ids_continue_after_the_store_is_reopened,
            )
            .await;
        }
    };
    (@fresh $backend:expr; $($case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                $crate::conformance::run(&$backend, $crate::conformance::$case).await;
            }
        )*
    };
}
