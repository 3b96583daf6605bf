//! Application settings (the binary layers defaults, a file and the
//! environment on top of these).

use serde::{Deserialize, Serialize};
use tousu_domain::TimeLimits;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AppConfig {
    /// The company's time limits (DOMAIN.md defaults).
    pub time_limits: TimeLimits,
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
    /// Largest evidence file accepted, in bytes.
    pub max_file_bytes: usize,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            time_limits: TimeLimits::default(),
            session_hours: 12,
            secure_cookies: false,
            track_per_minute: 30,
            track_burst: 10,
            track_per_number_per_hour: 30,
            login_per_minute: 10,
            max_file_bytes: 10 * 1024 * 1024,
        }
    }
}
