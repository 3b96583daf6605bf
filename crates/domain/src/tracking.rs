//! Tracking numbers (受理编号): what an owner reads out over the phone.
//! `TS20261123-0042` is the company prefix, the local date of receipt and the
//! day's sequence (at least four digits; more when a day has more complaints).

use crate::error::DomainError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(transparent)]
pub struct TrackingNo(String);

impl TrackingNo {
    /// Builds the number for the `seq`-th complaint (1-based) of `day`.
    pub fn new(prefix: &str, day: NaiveDate, seq: u64) -> TrackingNo {
        TrackingNo(format!("{prefix}{}-{seq:04}", day.format("%Y%m%d")))
    }

    /// Parses what an owner typed: case and surrounding spaces do not matter.
    pub fn parse(input: &str) -> Result<TrackingNo, DomainError> {
        let s = input.trim().to_ascii_uppercase();
        let bad = || {
            DomainError::invalid(
                "tracking_no",
                "受理编号格式不正确，应类似 TS20261123-0042",
                "malformed tracking number; expected something like TS20261123-0042",
            )
        };
        let (head, seq) = s.split_once('-').ok_or_else(bad)?;
        let letters = head.chars().take_while(|c| c.is_ascii_uppercase()).count();
        let (prefix, date) = head.split_at(letters);
        let date_ok = date.len() == 8 && NaiveDate::parse_from_str(date, "%Y%m%d").is_ok();
        let seq_ok = (4..=9).contains(&seq.len()) && seq.bytes().all(|b| b.is_ascii_digit());
        if !(1..=6).contains(&prefix.len()) || !date_ok || !seq_ok {
            return Err(bad());
        }
        Ok(TrackingNo(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a company's tracking prefix: one to six capital letters.
pub fn valid_prefix(prefix: &str) -> bool {
    (1..=6).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_42nd_complaint_of_a_day_reads_like_the_example() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(TrackingNo::new("TS", day, 42).as_str(), "TS20261123-0042");
    }

    #[test]
    fn a_busy_day_grows_the_sequence_instead_of_wrapping() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(TrackingNo::new("TS", day, 123_456).as_str(), "TS20261123-123456");
    }

    #[test]
    fn a_lower_case_number_with_spaces_is_understood() {
        assert_eq!(TrackingNo::parse(" ts20261123-0042 ").unwrap().as_str(), "TS20261123-0042");
    }

    #[test]
    fn malformed_numbers_are_rejected() {
        for bad in ["", "TS2026-0042", "TS20261332-0042", "20261123-0042", "TS20261123-42", "TS20261123-00x2"] {
            assert!(TrackingNo::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
