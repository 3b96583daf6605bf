//! The time-limit policy: every limit of DOMAIN.md as a named rule with its
//! default, overridable per company and project, and tightened or loosened
//! per service type by the company's tiered service commitments
//! (分级服务承诺): the deadline the owner is told is the committed one.

use crate::Timestamp;
use crate::error::DomainError;
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A length of time as the rules state it: clock minutes, hours or days
/// (they run around the clock), or working days (they follow the Chinese
/// working-day calendar). Written `3min`, `12h`, `3d`, `7wd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Span {
    Minutes(u32),
    Hours(u32),
    Days(u32),
    WorkingDays(u32),
}

impl Span {
    /// The due time for a span starting at `start`.
    pub fn after(self, start: Timestamp, days: &dyn WorkingDays) -> Timestamp {
        match self {
            Span::Minutes(m) => start + Duration::minutes(i64::from(m)),
            Span::Hours(h) => start + Duration::hours(i64::from(h)),
            Span::Days(d) => start + Duration::days(i64::from(d)),
            Span::WorkingDays(n) => days.add_working_days(start, n),
        }
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Span::Minutes(n) => write!(f, "{n}min"),
            Span::Hours(n) => write!(f, "{n}h"),
            Span::Days(n) => write!(f, "{n}d"),
            Span::WorkingDays(n) => write!(f, "{n}wd"),
        }
    }
}

impl FromStr for Span {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (n, unit) = s.split_at(split);
        let n: u32 = n.parse().map_err(|_| format!("`{s}`: expected a number and a unit, e.g. 12h, 3d, 7wd, 3min"))?;
        match unit.trim() {
            "min" | "m" => Ok(Span::Minutes(n)),
            "h" => Ok(Span::Hours(n)),
            "d" => Ok(Span::Days(n)),
            "wd" => Ok(Span::WorkingDays(n)),
            other => Err(format!("`{s}`: unknown unit `{other}`; use min, h, d or wd (working days)")),
        }
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Working-day arithmetic, supplied by the calendar (kept behind a trait so
/// the rules do not depend on where the calendar comes from).
pub trait WorkingDays {
    /// The end of the `n`th working day after `start`'s local date.
    fn add_working_days(&self, start: Timestamp, n: u32) -> Timestamp;
}

/// Weekends only: for tests and for years no calendar covers.
pub struct WeekendsOnly(pub chrono_tz::Tz);

impl WorkingDays for WeekendsOnly {
    fn add_working_days(&self, start: Timestamp, n: u32) -> Timestamp {
        use chrono::{Datelike, TimeZone, Weekday};
        let mut day = start.with_timezone(&self.0).date_naive();
        let working = |d: chrono::NaiveDate| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let mut left = n;
        if left == 0 {
            while !working(day) {
                day = day.succ_opt().unwrap_or(day);
            }
        }
        while left > 0 {
            day = day.succ_opt().unwrap_or(day);
            if working(day) {
                left -= 1;
            }
        }
        let next = day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0).unwrap_or_default();
        let end = self.0.from_local_datetime(&next).earliest().map(|t| t.to_utc()).unwrap_or(start);
        end - Duration::milliseconds(1)
    }
}

/// The named limits (DOMAIN.md "Time limits"), with their defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Dispatch to the responsible department after receipt.
    pub dispatch: Span,
    /// After dispatch, the department accepts or says it cannot finish on time.
    pub delay_notice: Span,
    /// After finishing the work, the department reports completion.
    pub completion_report: Span,
    /// After resolution, the service centre tells the first responder.
    pub first_responder_update: Span,
    /// Answer, matters of one department.
    pub answer_single: Span,
    /// Answer, matters of several departments or of leaders.
    pub answer_multi: Span,
    /// Callback after closure.
    pub callback: Span,
    /// Callback never later than this after closure.
    pub callback_latest: Span,
    /// Emergencies: departments notified after receipt.
    pub emergency_notify: Span,
    /// Emergencies: a department head who cannot solve it escalates to the company's leaders.
    pub emergency_head: Span,
    /// Emergencies: a company leader who cannot solve it escalates to the board.
    pub emergency_leader: Span,
    /// Written report after escalation to the company's leaders.
    pub written_report_leader: Span,
    /// Written report after escalation to the board.
    pub written_report_board: Span,
    /// Emergencies: verification by the developer and the property company after handling.
    pub verification: Span,
    /// A deadline is "at risk" once this share of its time has passed (0 disables).
    pub at_risk_percent: u8,
    /// Who approves a department's request for more time.
    pub extension_approver: ExtensionApprover,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            dispatch: Span::Hours(12),
            delay_notice: Span::Hours(2),
            completion_report: Span::Hours(2),
            first_responder_update: Span::Hours(2),
            answer_single: Span::Days(3),
            answer_multi: Span::WorkingDays(7),
            callback: Span::WorkingDays(2),
            callback_latest: Span::Days(7),
            emergency_notify: Span::Minutes(3),
            emergency_head: Span::Minutes(5),
            emergency_leader: Span::Minutes(10),
            written_report_leader: Span::Hours(24),
            written_report_board: Span::Hours(48),
            verification: Span::Hours(8),
            at_risk_percent: 80,
            extension_approver: ExtensionApprover::DepartmentHead,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionApprover {
    #[default]
    DepartmentHead,
    CompanyLeader,
}

/// A service of the company's catalogue with its tiered commitment
/// (分级服务承诺): for a service type, the time the company promises to
/// answer in, which replaces the answer limit; the need it meets (Kano);
/// and to whom it is published — what is published sets the expectation
/// (DOMAIN.md, expectation management, 004).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// The service type code complaints carry (`lift`, `water_leak`, `fees` …).
    pub service: String,
    /// Its name (电梯故障).
    #[serde(default)]
    pub name: String,
    /// The committed answer time.
    pub answer: Span,
    /// The need it meets: `basic` (the default), `expected` or `surprise`.
    #[serde(default)]
    pub kano: crate::catalogue::Kano,
    /// The commitment tier (`标准`, `尊享` …), as the company names its tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// `everyone` (the default), `group:NAME` (one customer group) or `nobody`.
    #[serde(default)]
    pub published_to: crate::catalogue::Publicity,
}

impl Commitment {
    /// A basic service published to everyone, untiered.
    pub fn new(service: &str, name: &str, answer: Span) -> Commitment {
        Commitment {
            service: service.to_string(),
            name: name.to_string(),
            answer,
            kano: Default::default(),
            tier: None,
            published_to: Default::default(),
        }
    }
}

/// The policy that applies to one complaint: the limits after company and
/// project overrides, and the company's commitments.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TimePolicy {
    pub limits: Limits,
    #[serde(default)]
    pub commitments: Vec<Commitment>,
}

impl TimePolicy {
    /// The answer span for a complaint: the commitment for its service type
    /// when there is one, else the single- or multi-department limit.
    pub fn answer_span(&self, service: Option<&str>, multi: bool) -> Span {
        if let Some(c) = service.and_then(|s| self.commitments.iter().find(|c| c.service == s)) {
            return c.answer;
        }
        if multi { self.limits.answer_multi } else { self.limits.answer_single }
    }

    /// Checks a policy an administrator submits.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.limits.at_risk_percent > 100 {
            return Err(DomainError::invalid(
                "at_risk_percent",
                "预警比例应在 0 到 100 之间",
                "at_risk_percent must be from 0 to 100",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.commitments {
            if c.service.trim().is_empty() || !seen.insert(c.service.as_str()) {
                return Err(DomainError::invalid(
                    "commitments",
                    format!("服务承诺的服务类型「{}」为空或重复", c.service),
                    format!("commitment service `{}` is empty or repeated", c.service),
                ));
            }
            crate::catalogue::check_publicity(c)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spans_read_and_write_as_the_rules_state_them() {
        for (text, span) in [
            ("3min", Span::Minutes(3)),
            ("12h", Span::Hours(12)),
            ("3d", Span::Days(3)),
            ("7wd", Span::WorkingDays(7)),
        ] {
            assert_eq!(text.parse::<Span>().unwrap(), span);
            assert_eq!(span.to_string(), text);
        }
        assert!("12 hours".parse::<Span>().is_err());
        assert!("h".parse::<Span>().is_err());
    }

    #[test]
    fn a_commitment_replaces_the_answer_limit_for_its_service() {
        let policy = TimePolicy {
            commitments: vec![Commitment::new("lift", "电梯", Span::Hours(24))],
            ..TimePolicy::default()
        };
        assert_eq!(policy.answer_span(Some("lift"), false), Span::Hours(24));
        assert_eq!(policy.answer_span(Some("fees"), false), Span::Days(3));
        assert_eq!(policy.answer_span(None, true), Span::WorkingDays(7));
    }

    #[test]
    fn weekends_only_counts_to_the_end_of_the_nth_weekday() {
        let tz = chrono_tz::Asia::Shanghai;
        // Friday 2026-11-20 10:00 local → 2 working days → end of Tuesday 11-24.
        let start = tz.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap().to_utc();
        let due = WeekendsOnly(tz).add_working_days(start, 2).with_timezone(&tz);
        assert_eq!(due.format("%Y-%m-%d %H:%M:%S").to_string(), "2026-11-24 23:59:59");
    }

    #[test]
    fn limits_default_to_domain_md() {
        let l = Limits::default();
        assert_eq!(l.dispatch, Span::Hours(12));
        assert_eq!(l.answer_multi, Span::WorkingDays(7));
        assert_eq!(l.callback, Span::WorkingDays(2));
        assert_eq!(l.callback_latest, Span::Days(7));
        assert_eq!(l.emergency_notify, Span::Minutes(3));
        assert_eq!(l.written_report_board, Span::Hours(48));
    }
}
