//! Application settings (the binary layers defaults, a file and the
//! environment on top of these).

use serde::{Deserialize, Serialize};
use tousu_domain::deadline::EscalationLevel;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AppConfig {
    /// A new complaint from the same customer and unit about a similar
    /// issue within this many days is a repeat (重复投诉).
    pub repeat_window_days: i64,
    /// Notification delivery: SMTP and the routes from notices to channels.
    pub notify: NotifyConfig,
    /// Group complaint (群诉) thresholds: households to flag, window, similarity.
    pub groups: tousu_triage::GroupConfig,
    /// Watch arriving complaints for group complaints (on by default). Off,
    /// intake records each complaint without the detector's extra writes.
    pub detect_groups: bool,
    /// How long a staff session lasts without logging in again.
    pub session_hours: i64,
    /// Set the `Secure` flag on cookies (behind HTTPS).
    pub secure_cookies: bool,
    /// Owner tracking lookups allowed per client address per minute, and burst.
    pub track_per_minute: u32,
    pub track_burst: u32,
    /// Lookups allowed per tracking number per hour (slows phone guessing).
    pub track_per_number_per_hour: u32,
    /// Login attempts per username per minute.
    pub login_per_minute: u32,
    /// Complaints an address may submit through the owners' portal per hour.
    pub portal_submissions_per_hour: u32,
    /// Photos an owner may attach to a complaint.
    pub portal_max_photos: usize,
    /// Largest evidence file accepted, in bytes.
    pub max_file_bytes: usize,
    /// How long a background worker's claim on a due deadline or a
    /// delivery holds (several servers on one database): a process killed
    /// mid-work leaves its claims to others after this long. Longer than
    /// the slowest delivery attempt (the SMTP timeout is 30 s).
    pub worker_lease_seconds: u64,
    /// 冰山系数 — the silent dissatisfied customers one complaint stands for
    /// in the iceberg figures (DOMAIN.md: about 24).
    pub iceberg_factor: u32,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            repeat_window_days: 90,
            notify: NotifyConfig::default(),
            groups: tousu_triage::GroupConfig::default(),
            detect_groups: true,
            session_hours: 12,
            secure_cookies: false,
            track_per_minute: 30,
            track_burst: 10,
            track_per_number_per_hour: 30,
            login_per_minute: 10,
            portal_submissions_per_hour: 20,
            portal_max_photos: 6,
            max_file_bytes: 10 * 1024 * 1024,
            worker_lease_seconds: 60,
            iceberg_factor: tousu_domain::iceberg::DEFAULT_FACTOR,
        }
    }
}

/// Where notices go. A notice is sent on every route that matches it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifyConfig {
    pub smtp: Option<tousu_notify::SmtpConfig>,
    pub routes: Vec<Route>,
    /// Attempts before a delivery is marked failed (an admin may retry it).
    pub max_attempts: u32,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig { smtp: None, routes: Vec::new(), max_attempts: 8 }
    }
}

/// One route: which notices (by company, level, department, kind) go to
/// which channel. Empty filters match everything.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Route {
    /// Shown to administrators with each delivery.
    pub name: String,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub level: Option<EscalationLevel>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    pub channel: tousu_notify::Channel,
}
