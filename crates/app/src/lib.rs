//! tousu's application services: what the API and the pages both call.
//! Each service checks who is asking, validates input with the domain,
//! decides with the domain, and records through the storage trait. Nothing
//! here knows HTTP or SQL.

pub mod admin;
pub mod auth;
pub mod bulk;
pub mod calendar;
pub mod catalogue;
pub mod clock;
pub mod complaints;
pub mod config;
pub mod dashboard;
pub mod defects;
pub mod design_review;
pub mod error;
pub mod escalation;
pub mod evidence;
pub mod extra_services;
pub mod heatmap;
pub mod groups;
pub mod org;
pub mod org_admin;
pub mod outbox;
pub mod performance;
pub mod policy;
pub mod portal;
pub mod principal;
pub mod report;
pub mod satisfaction;
pub mod search;
pub mod search_synonyms;
pub mod seed;
pub mod tracking;
pub mod training;
pub mod triage;
pub mod views;
mod worker_id;

pub use clock::{Clock, SystemClock};
pub use config::AppConfig;
pub use error::AppError;
pub use principal::Principal;

use std::sync::{Arc, RwLock};
use tousu_store::Store;

pub type AppResult<T> = Result<T, AppError>;

/// Everything a request handler needs, cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: Arc<AppConfig>,
    pub(crate) org: Arc<org::OrgCache>,
    pub(crate) auth: Arc<auth::AuthState>,
    pub(crate) tracking: Arc<tracking::TrackingLimits>,
    pub(crate) calendar: Arc<calendar::CalendarState>,
    pub(crate) policy: Arc<RwLock<Arc<policy::PolicyBook>>>,
    pub(crate) triage: Arc<triage::TriageState>,
    pub(crate) groups: Arc<groups::GroupsState>,
    /// The defect library's component tree (缺陷部位树).
    pub(crate) defects: Arc<defects::TreeState>,
    /// The search index (搜索), when the server opened one.
    pub(crate) search: Arc<search::SearchState>,
    /// The editable synonym list's document and file (同义词表).
    pub(crate) synonyms_file: Arc<search_synonyms::SynonymsFile>,
    /// Where the policy book is kept (edits through the admin API are saved there).
    pub(crate) policy_file: Option<std::path::PathBuf>,
    /// This process's name on its leases (several servers on one database).
    pub(crate) worker_id: Arc<str>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AppConfig) -> Services {
        let config = Arc::new(config);
        Services {
            org: Arc::new(org::OrgCache::default()),
            auth: Arc::new(auth::AuthState::new(&config)),
            tracking: Arc::new(tracking::TrackingLimits::new(&config)),
            calendar: Arc::new(calendar::CalendarState::default()),
            policy: Arc::new(RwLock::new(Arc::new(
                policy::PolicyBook::parse(policy::DEFAULT_TEXT).unwrap_or_default(),
            ))),
            policy_file: None,
            worker_id: worker_id::new_worker_id().into(),
            triage: Arc::new(triage::TriageState::default()),
            defects: Arc::new(defects::TreeState::default()),
            search: Arc::new(search::SearchState::default()),
            synonyms_file: Arc::new(search_synonyms::SynonymsFile::default()),
            groups: Arc::new(groups::GroupsState::new(config.groups.clone(), triage::shipped())),
            store,
            clock,
            config,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    pub fn now(&self) -> tousu_domain::Timestamp {
        self.clock.now()
    }

    /// The time-limit policies in force.
    pub fn policy(&self) -> Arc<policy::PolicyBook> {
        self.policy.read().map(|p| p.clone()).unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Puts a new policy book in force (at start, and after an admin edit).
    pub fn set_policy(&self, book: policy::PolicyBook) {
        match self.policy.write() {
            Ok(mut p) => *p = Arc::new(book),
            Err(e) => *e.into_inner() = Arc::new(book),
        }
    }
}
