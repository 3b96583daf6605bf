//! The clock is injected: the domain never reads it, services read it once
//! per request, and tests substitute their own.

use tousu_domain::Timestamp;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // Milliseconds are what storage keeps; finer digits would only
        // make the same instant compare unequal after a round trip.
        chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3)
    }
}
