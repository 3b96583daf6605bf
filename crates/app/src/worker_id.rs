//! Who this server process is to the other processes on the same
//! database: the name its leases carry (see [`tousu_store::Lease`]).

use crate::Services;
use tousu_domain::Timestamp;
use tousu_store::Lease;

/// `host:pid:random`: readable in the deliveries list (which server sent
/// it) and unique even when a process id is reused after a restart.
pub(crate) fn new_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "host".into());
    let mut random = [0u8; 4];
    // Without randomness the host and pid still tell processes apart.
    let _ = getrandom::fill(&mut random);
    format!("{host}:{}:{}", std::process::id(), hex(&random))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Services {
    /// This process's name on its leases.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// A claim by this process at `now`, held for the configured lease.
    pub(crate) fn lease(&self, now: Timestamp) -> Lease {
        let seconds = i64::try_from(self.config.worker_lease_seconds.max(1)).unwrap_or(i64::MAX / 1000);
        Lease { worker: self.worker_id.to_string(), now, until: now + chrono::Duration::seconds(seconds) }
    }
}
