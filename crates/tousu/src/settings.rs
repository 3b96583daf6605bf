//! Settings, layered: built-in defaults → `tousu.toml` in the data folder
//! (or `--config FILE`) → environment variables `TOUSU_SECTION__KEY` (last,
//! so they win) → command-line flags. Validated once at start.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use tousu_app::AppConfig;

pub const DEFAULT_DATA_DIR: &str = "tousu-data";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The data folder: the SQLite database and its lock file (unless the
    /// database is PostgreSQL), the time-limit policy and the triage scripts.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DATABASE`; defaults to
    /// `tousu.db` in the data folder.
    pub database: Option<String>,
    pub bind: SocketAddr,
    /// Seed the demo organisation when the database has none.
    pub demo: bool,
    /// Run the escalation worker and the outbox dispatcher in this process
    /// (a larger deployment may run them apart from the API).
    pub worker: bool,
    /// Keep a search index in the data folder, current with the history
    /// (benchmarks of other things turn it off).
    pub search: bool,
    pub app: AppConfig,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database: None,
            bind: DEFAULT_BIND.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080))),
            demo: false,
            worker: true,
            search: true,
            app: AppConfig::default(),
        }
    }
}

/// Overrides given on the command line.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database: Option<String>,
    pub bind: Option<SocketAddr>,
    pub demo: bool,
    pub config_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid settings: {0}")]
pub struct SettingsError(String);

impl Settings {
    pub fn load(o: Overrides) -> Result<Settings, SettingsError> {
        let data_dir = o.data_dir.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let file = o.config_file.clone().unwrap_or_else(|| data_dir.join("tousu.toml"));
        let mut s: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("TOUSU_").split("__"))
            .extract()
            .map_err(|e| SettingsError(e.to_string()))?;
        if let Some(d) = o.data_dir {
            s.data_dir = d;
        }
        if o.database.is_some() {
            s.database = o.database;
        }
        if let Some(b) = o.bind {
            s.bind = b;
        }
        s.demo |= o.demo;
        Ok(s)
    }

    /// The time-limit policy document (created with the defaults if missing).
    pub fn time_limits_file(&self) -> PathBuf {
        self.data_dir.join("time-limits.toml")
    }

    /// The defect library's component tree (created with the built-in one if missing).
    pub fn defect_tree_file(&self) -> PathBuf {
        self.data_dir.join("defect-components.toml")
    }

    /// The search synonym list (created with the built-in one if missing).
    pub fn search_synonyms_file(&self) -> PathBuf {
        self.data_dir.join("search-synonyms.toml")
    }

    /// The search index (rebuilt from the history when missing).
    pub fn search_index_dir(&self) -> PathBuf {
        self.data_dir.join("search-index")
    }

    /// Where the database is, as a URL.
    pub fn database_url(&self) -> String {
        self.database.clone().unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("tousu.db").display()))
    }
}

/// The storage backend a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The embedded database file (one server process per file).
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgres://user@host:port/db`, as given):
    /// several server processes may share it.
    Postgres(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BackendError {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST:PORT/DATABASE")]
    Unknown(String),
}

impl Backend {
    /// Picks the backend from the URL scheme.
    pub fn from_url(url: &str) -> Result<Backend, BackendError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(url.to_string()));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"));
        match path {
            Some(p) if !p.is_empty() => Ok(Backend::Sqlite(Path::new(p).to_path_buf())),
            _ => Err(BackendError::Unknown(redacted(url))),
        }
    }
}

/// A database URL as it may be shown or logged: without its password.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_names_its_file() {
        assert_eq!(Backend::from_url("sqlite://data/t.db"), Ok(Backend::Sqlite("data/t.db".into())));
        assert_eq!(Backend::from_url("sqlite:/tmp/t.db"), Ok(Backend::Sqlite("/tmp/t.db".into())));
    }

    #[test]
    fn a_postgres_url_names_the_postgres_backend() {
        let url = "postgres://tousu@db.internal:5432/tousu";
        assert_eq!(Backend::from_url(url), Ok(Backend::Postgres(url.into())));
        let url = "postgresql://localhost/test";
        assert_eq!(Backend::from_url(url), Ok(Backend::Postgres(url.into())));
    }

    #[test]
    fn a_shown_url_hides_only_the_password() {
        assert_eq!(redacted("postgres://tousu:s3cret@db:5432/tousu"), "postgres://tousu:***@db:5432/tousu");
        assert_eq!(redacted("postgres://tousu@db/tousu"), "postgres://tousu@db/tousu");
        assert_eq!(redacted("sqlite://tousu-data/tousu.db"), "sqlite://tousu-data/tousu.db");
    }

    #[test]
    fn an_unknown_scheme_is_refused_without_showing_its_password() {
        let err = Backend::from_url("mysql://root:secret@x/db").unwrap_err();
        assert!(matches!(err, BackendError::Unknown(_)));
        let message = err.to_string();
        assert!(message.contains("postgres://") && message.contains("sqlite://"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn the_default_database_is_in_the_data_folder() {
        let s = Settings::default();
        assert_eq!(s.database_url(), "sqlite://tousu-data/tousu.db");
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
    }
}
