//! Step 7 回访 — the callback and the satisfaction index of DOMAIN.md:
//! 满意度 = 感受值 / 期望值 (perceived ÷ expected). Above 1 the customer is
//! satisfied, at 1 content, below 1 dissatisfied; a dissatisfied callback
//! sends the complaint back for re-handling (重办).

use crate::classification::CallbackMethod;
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// A recorded callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    /// 感受值, 1–10: how the customer felt the handling was.
    pub perceived: u8,
    /// 期望值, 1–10: what the customer had expected.
    pub expected: u8,
    /// perceived ÷ expected.
    pub index: f64,
    /// perceived − expected (the CRM form).
    pub difference: i8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub method: CallbackMethod,
    /// True when the index is below 1: the complaint goes back for re-handling.
    pub rehandle: bool,
    /// The household had been given an extra service (惊喜服务) before this
    /// callback: the figures compare these with the others. Set by the
    /// application from the extra-services ledger, never by the caller.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extra_service: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Satisfied,
    Content,
    Dissatisfied,
}

impl Satisfaction {
    pub fn new(
        perceived: u8,
        expected: u8,
        comment: Option<String>,
        method: CallbackMethod,
    ) -> Result<Satisfaction, DomainError> {
        for (field, v) in [("perceived", perceived), ("expected", expected)] {
            if !(1..=10).contains(&v) {
                return Err(DomainError::invalid(
                    field,
                    format!("评分应为 1 到 10 的整数，收到 {v}"),
                    format!("a score is an integer from 1 to 10, got {v}"),
                ));
            }
        }
        let index = f64::from(perceived) / f64::from(expected);
        Ok(Satisfaction {
            perceived,
            expected,
            index,
            difference: perceived as i8 - expected as i8,
            comment,
            method,
            rehandle: perceived < expected,
            extra_service: false,
        })
    }

    pub fn verdict(&self) -> Verdict {
        match self.perceived.cmp(&self.expected) {
            std::cmp::Ordering::Greater => Verdict::Satisfied,
            std::cmp::Ordering::Equal => Verdict::Content,
            std::cmp::Ordering::Less => Verdict::Dissatisfied,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_perceived_over_expected() {
        let s = Satisfaction::new(9, 6, None, CallbackMethod::Phone).unwrap();
        assert_eq!(s.index, 1.5);
        assert_eq!(s.difference, 3);
        assert_eq!(s.verdict(), Verdict::Satisfied);
        assert!(!s.rehandle);
    }

    #[test]
    fn meeting_expectations_exactly_is_content() {
        let s = Satisfaction::new(7, 7, None, CallbackMethod::Visit).unwrap();
        assert_eq!(s.index, 1.0);
        assert_eq!(s.verdict(), Verdict::Content);
        assert!(!s.rehandle);
    }

    #[test]
    fn falling_short_sends_the_complaint_back_for_rehandling() {
        let s = Satisfaction::new(4, 8, Some("还在漏".into()), CallbackMethod::Phone).unwrap();
        assert_eq!(s.index, 0.5);
        assert_eq!(s.verdict(), Verdict::Dissatisfied);
        assert!(s.rehandle);
    }

    #[test]
    fn a_score_outside_one_to_ten_is_rejected() {
        assert_eq!(Satisfaction::new(0, 5, None, CallbackMethod::Phone).unwrap_err().field(), Some("perceived"));
        assert_eq!(Satisfaction::new(5, 11, None, CallbackMethod::Phone).unwrap_err().field(), Some("expected"));
    }
}
