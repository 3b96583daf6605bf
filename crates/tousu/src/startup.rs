//! Building and running the server. `Application::build` opens storage,
//! seeds the demo if asked and binds the listener; tests bind port 0 and
//! read [`Application::port`].

use crate::settings::{Backend, BackendError, Settings};
use std::fs::File;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tousu_app::seed::SeededAccount;
use tousu_app::{Clock, Services, SystemClock};
use tousu_store::Store;
use tousu_store_postgres::PostgresStore;
use tousu_store_sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error(transparent)]
    Open(#[from] tousu_store_sqlite::OpenError),
    #[error("cannot open the PostgreSQL database / 无法连接 PostgreSQL 数据库")]
    OpenPostgres(#[from] tousu_store_postgres::PgError),
    #[error(
        "another tousu server is already using {0}; stop it first (one server per SQLite database) / \
         已有另一个 tousu 服务在使用该数据库"
    )]
    Locked(PathBuf),
    #[error("cannot lock {path}: {source}")]
    Lock { path: PathBuf, source: std::io::Error },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("cannot seed the demo organisation: {0}")]
    Seed(#[source] tousu_app::AppError),
    #[error("{0}")]
    Config(#[source] tousu_app::AppError),
    #[error("cannot start notifications: {0}")]
    Notify(#[source] tousu_notify::DeliveryError),
}

/// Holds the database's lock file for the life of the server: one SQLite
/// database, one server (its single writer allots ids in memory).
#[derive(Debug)]
pub struct DatabaseLock(#[allow(dead_code)] File);

impl DatabaseLock {
    pub fn acquire(db_path: &Path) -> Result<DatabaseLock, StartError> {
        let path = PathBuf::from(format!("{}.lock", db_path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StartError::Lock { path: path.clone(), source })?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StartError::Lock { path: path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(DatabaseLock(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(StartError::Locked(db_path.to_path_buf())),
            Err(std::fs::TryLockError::Error(source)) => Err(StartError::Lock { path, source }),
        }
    }
}

/// Opens the storage a settings' database URL names, applying pending
/// migrations.
pub async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>, StartError> {
    match Backend::from_url(&settings.database_url())? {
        Backend::Sqlite(path) => Ok(Arc::new(SqliteStore::open(&path).await?)),
        Backend::Postgres(url) => Ok(Arc::new(PostgresStore::connect(&url).await?)),
    }
}

pub struct Application {
    listener: TcpListener,
    services: Services,
    seeded: Option<Vec<SeededAccount>>,
    worker: bool,
    /// SQLite only: PostgreSQL is shared by any number of servers.
    _lock: Option<DatabaseLock>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        Application::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// Like [`Application::build`] with a chosen clock (tests of time limits).
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Application, StartError> {
        let lock = match Backend::from_url(&settings.database_url())? {
            Backend::Sqlite(path) => Some(DatabaseLock::acquire(&path)?),
            Backend::Postgres(_) => None,
        };
        let store = open_store(&settings).await?;
        let services = Services::new(store, clock, settings.app.clone())
            .with_policy_file(&settings.time_limits_file())
            .and_then(|s| s.with_scripts_file(&settings.data_dir.join("scripts.toml")))
            .and_then(|s| s.with_defect_tree_file(&settings.defect_tree_file()))
            .and_then(|s| if settings.search { s.with_search_index(&settings.search_index_dir()) } else { Ok(s) })
            // After the index, which starts with the built-in list.
            .and_then(|s| s.with_search_synonyms_file(&settings.search_synonyms_file()))
            .map_err(StartError::Config)?;
        services.load_calendar().await.map_err(StartError::Config)?;
        services.rebuild_groups().await.map_err(StartError::Config)?;
        let seeded = if settings.demo { services.seed_demo_if_empty().await.map_err(StartError::Seed)? } else { None };
        let listener = TcpListener::bind(settings.bind)
            .await
            .map_err(|source| StartError::Bind { addr: settings.bind, source })?;
        Ok(Application { listener, services, seeded, worker: settings.worker, _lock: lock })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    /// The demo accounts created by this start, with their passwords.
    pub fn seeded_accounts(&self) -> Option<&[SeededAccount]> {
        self.seeded.as_deref()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests
    /// (each waits for its write to be on disk) before returning.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let router = tousu_web::router(self.services.clone());
        let stop_workers = CancellationToken::new();
        let mut workers = Vec::new();
        if self.worker {
            let config = tousu_notify::NotifierConfig {
                smtp: self.services.config().notify.smtp.clone(),
                ..Default::default()
            };
            let notifier = Arc::new(tousu_notify::Notifier::new(&config).map_err(std::io::Error::other)?);
            workers.push(tokio::spawn(tousu_worker::run_escalation(self.services.clone(), stop_workers.clone())));
            workers.push(tokio::spawn(tousu_worker::run_outbox(self.services.clone(), notifier, stop_workers.clone())));
        }
        if self.services.has_search_index() {
            workers.push(tokio::spawn(tousu_worker::run_search_indexer(self.services.clone(), stop_workers.clone())));
        }
        let served = axum::serve(self.listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await;
        stop_workers.cancel();
        for w in workers {
            let _ = w.await;
        }
        self.services.close_search_index();
        served
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
