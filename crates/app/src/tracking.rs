//! Owners follow their complaint without an account: tracking number plus
//! the phone number they gave. Rate-limited per client and per tracking
//! number, and an unknown number answers exactly like a wrong phone, so the
//! lookup cannot be used to discover complaints or phone numbers.

use crate::config::AppConfig;
use crate::views::OwnerTrackingView;
use crate::{AppError, AppResult, Services};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use subtle::ConstantTimeEq;
use tousu_domain::owner_view::{committed_time, owner_event};
use tousu_domain::{PhoneNumber, TrackingNo};

pub struct TrackingLimits {
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    per_number: DefaultKeyedRateLimiter<String>,
    /// Complaints submitted through the owners' portal, per client address.
    submissions: DefaultKeyedRateLimiter<IpAddr>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

impl TrackingLimits {
    pub(crate) fn new(config: &AppConfig) -> TrackingLimits {
        TrackingLimits {
            per_client: RateLimiter::keyed(Quota::per_minute(nz(config.track_per_minute)).allow_burst(nz(config.track_burst))),
            per_number: RateLimiter::keyed(Quota::per_hour(nz(config.track_per_number_per_hour))),
            submissions: RateLimiter::keyed(Quota::per_hour(nz(config.portal_submissions_per_hour)).allow_burst(nz(5))),
        }
    }
}

/// Keys kept by a limiter before idle ones are swept.
const SWEEP_ABOVE: usize = 10_000;

fn limited(r: Result<(), governor::NotUntil<governor::clock::QuantaInstant>>) -> AppResult<()> {
    r.map_err(|not_until| AppError::RateLimited {
        retry_after_secs: not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1),
    })
}

impl Services {
    /// The owner's view of their complaint.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn track(&self, client: Option<IpAddr>, tracking_no: &str, phone: &str) -> AppResult<OwnerTrackingView> {
        let complaint = self.find_owned(client, tracking_no, phone).await?;
        self.owner_view(complaint).await
    }

    /// The complaint a tracking number and phone identify, rate-limited.
    pub(crate) async fn find_owned(&self, client: Option<IpAddr>, tracking_no: &str, phone: &str) -> AppResult<tousu_domain::Complaint> {
        if let Some(ip) = client {
            limited(self.tracking.per_client.check_key(&ip))?;
        }
        let no = TrackingNo::parse(tracking_no)?;
        let phone = PhoneNumber::parse("phone", phone)?;
        limited(self.tracking.per_number.check_key(&no.to_string()))?;
        if self.tracking.per_client.len() > SWEEP_ABOVE {
            self.tracking.per_client.retain_recent();
            self.tracking.per_number.retain_recent();
        }
        let candidates = self.store.find_complaints_by_tracking_no(&no).await?;
        candidates
            .into_iter()
            .find(|c| bool::from(c.customer.phone.as_str().as_bytes().ct_eq(phone.as_str().as_bytes())))
            .ok_or(AppError::NotFound { zh: "与该电话匹配的投诉", en: "complaint with that tracking number and phone" })
    }

    /// Counts a portal submission against the client's hourly allowance.
    pub(crate) fn check_submission_rate(&self, client: Option<IpAddr>) -> AppResult<()> {
        match client {
            Some(ip) => limited(self.tracking.submissions.check_key(&ip)),
            None => Ok(()),
        }
    }

    pub(crate) async fn owner_view(&self, complaint: tousu_domain::Complaint) -> AppResult<OwnerTrackingView> {
        let events = self.store.list_events(complaint.id).await?;
        let company = self.org(complaint.company_id).await?.company.name.clone();
        Ok(OwnerTrackingView {
            tracking_no: complaint.tracking_no.to_string(),
            company,
            status: complaint.status,
            status_text: complaint.status.owner_text_zh(),
            project: complaint.project.name.clone(),
            building: complaint.building.clone(),
            received_at: complaint.received_at,
            committed_at: committed_time(&complaint),
            department: complaint.department.as_ref().map(|d| d.name.clone()),
            resolution: complaint.resolution.clone(),
            available_actions: tousu_domain::lifecycle::available_actions(&complaint, &tousu_domain::Actor::Owner),
            history: events.iter().filter_map(owner_event).collect(),
        })
    }
}
