//! tousu's application services: what the API and the pages both call.
//! Each service checks who is asking, validates input with the domain,
//! decides with the domain, and records through the storage trait. Nothing
//! here knows HTTP or SQL.

pub mod auth;
pub mod clock;
pub mod complaints;
pub mod config;
pub mod error;
pub mod evidence;
pub mod org;
pub mod principal;
pub mod seed;
pub mod tracking;
pub mod views;

pub use clock::{Clock, SystemClock};
pub use config::AppConfig;
pub use error::AppError;
pub use principal::Principal;

use std::sync::Arc;
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
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AppConfig) -> Services {
        let config = Arc::new(config);
        Services {
            org: Arc::new(org::OrgCache::default()),
            auth: Arc::new(auth::AuthState::new(&config)),
            tracking: Arc::new(tracking::TrackingLimits::new(&config)),
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
}
