//! What the machine read in a complaint (分诊), and what people corrected.
//!
//! Triage runs at intake (the `tousu-triage` crate); its result is kept with
//! the complaint's first event, each label with a confidence and the
//! evidence that led to it, so a person can see why. A person's correction
//! is an event in the history and wins over the machine: the corrected
//! category, severity or emergency flag become the complaint's own.

use crate::classification::{Category, Severity};
use crate::complaint::StaffRef;
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// Below this confidence a suggestion is shown but not applied.
pub const TRUSTED: f32 = 0.6;

/// A suggested value with how sure triage was (0–1) and why; `corrected_by`
/// once a person has set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggested<T> {
    pub value: T,
    pub confidence: f32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrected_by: Option<StaffRef>,
}

impl<T> Suggested<T> {
    pub fn new(value: T, confidence: f32, evidence: Vec<String>) -> Self {
        Suggested { value, confidence, evidence, corrected_by: None }
    }

    /// Whether the machine was sure enough to act on it.
    pub fn trusted(&self) -> bool {
        self.corrected_by.is_some() || self.confidence >= TRUSTED
    }
}

/// The suggested response script (话术): feelings first, then the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Script {
    pub key: String,
    /// 先处理情感.
    pub feelings: String,
    /// 再处理事件.
    pub facts: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub avoid: String,
}

/// Everything triage said about a complaint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageResult {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub category: Suggested<Category>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub service_aspect: Suggested<Option<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub severity: Suggested<Severity>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub emergency: Suggested<bool>,
    /// The customer's dominant psychology (求尊重, 求发泄, 求补偿 …).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub psychology: Suggested<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub touchpoint: Suggested<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub stage: Suggested<String>,
    /// The text says it was complained about before.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub repeat_claimed: Suggested<bool>,
    /// Money, a refund, a fee waiver or a gift is asked for.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub compensation: Suggested<bool>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub building: Suggested<Option<String>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub unit: Suggested<Option<String>>,
    /// `zh_hans`, `zh_hant` or `en`.
    pub language: String,
    pub script: Script,
}

/// The labels a person may correct.
pub const CORRECTABLE: [&str; 8] =
    ["category", "service_aspect", "severity", "emergency", "psychology", "touchpoint", "repeat_claimed", "compensation"];

const PSYCHOLOGY: [&str; 6] = ["respect", "venting", "compensation", "evading", "hostile", "mixed"];
const ASPECTS: [&str; 7] = ["safety", "consistency", "attitude", "completeness", "environment", "convenience", "timeliness"];
const TOUCHPOINTS: [&str; 14] = [
    "sales_office", "opening", "signing", "notice", "keep_in_touch", "open_day", "handover", "repair", "decoration",
    "property_service", "community", "amenities", "complaint_service", "membership",
];

/// The stage of the customer's journey a touchpoint belongs to (5 stages, 003).
pub fn stage_of(touchpoint: &str) -> &'static str {
    match touchpoint {
        "sales_office" | "opening" | "signing" => "purchase",
        "notice" | "keep_in_touch" | "open_day" => "waiting",
        "handover" | "repair" | "decoration" => "handover",
        "complaint_service" | "membership" => "companion",
        _ => "living",
    }
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<String, DomainError> {
    if allowed.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(DomainError::invalid(
            "value",
            format!("{field} 的取值「{value}」无效，可选：{}", allowed.join(", ")),
            format!("`{value}` is not a valid {field}; expected one of {}", allowed.join(", ")),
        ))
    }
}

fn boolean(value: &str) -> Result<bool, DomainError> {
    match value {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(DomainError::invalid("value", "应为 true 或 false", "expected true or false")),
    }
}

/// Checks a correction and answers the value as it will be recorded.
pub fn check_correction(field: &str, value: &str) -> Result<String, DomainError> {
    let value = value.trim();
    match field {
        "category" => Category::parse(value).map(|c| c.as_str().to_string()),
        "severity" => Severity::parse(value).map(|s| s.as_str().to_string()),
        "emergency" | "repeat_claimed" | "compensation" => boolean(value).map(|b| b.to_string()),
        "psychology" => one_of(field, value, &PSYCHOLOGY),
        "touchpoint" => one_of(field, value, &TOUCHPOINTS),
        "service_aspect" if value.is_empty() || value == "none" => Ok(String::new()),
        "service_aspect" => one_of(field, value, &ASPECTS),
        _ => Err(DomainError::invalid(
            "field",
            format!("不能更正「{field}」，可更正：{}", CORRECTABLE.join(", ")),
            format!("`{field}` cannot be corrected; one of {}", CORRECTABLE.join(", ")),
        )),
    }
}

impl TriageResult {
    /// Every label's evidence, for masking the personal data it quotes.
    pub fn evidence_mut(&mut self) -> [&mut Vec<String>; 11] {
        [
            &mut self.category.evidence,
            &mut self.service_aspect.evidence,
            &mut self.severity.evidence,
            &mut self.emergency.evidence,
            &mut self.psychology.evidence,
            &mut self.touchpoint.evidence,
            &mut self.stage.evidence,
            &mut self.repeat_claimed.evidence,
            &mut self.compensation.evidence,
            &mut self.building.evidence,
            &mut self.unit.evidence,
        ]
    }

    /// The current value of a correctable label, as text.
    pub fn value_of(&self, field: &str) -> String {
        match field {
            "category" => self.category.value.as_str().to_string(),
            "severity" => self.severity.value.as_str().to_string(),
            "emergency" => self.emergency.value.to_string(),
            "repeat_claimed" => self.repeat_claimed.value.to_string(),
            "compensation" => self.compensation.value.to_string(),
            "psychology" => self.psychology.value.clone(),
            "touchpoint" => self.touchpoint.value.clone(),
            "service_aspect" => self.service_aspect.value.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Applies a checked correction by `by`.
    pub fn correct(&mut self, field: &str, value: &str, by: Option<StaffRef>) {
        fn set<T>(s: &mut Suggested<T>, v: T, by: Option<StaffRef>) {
            s.value = v;
            s.confidence = 1.0;
            s.evidence = vec!["人工更正".to_string()];
            s.corrected_by = by;
        }
        match field {
            "category" => {
                if let Ok(c) = Category::parse(value) {
                    set(&mut self.category, c, by);
                }
            }
            "severity" => {
                if let Ok(s) = Severity::parse(value) {
                    set(&mut self.severity, s, by);
                }
            }
            "emergency" => set(&mut self.emergency, value == "true", by),
            "repeat_claimed" => set(&mut self.repeat_claimed, value == "true", by),
            "compensation" => set(&mut self.compensation, value == "true", by),
            "psychology" => set(&mut self.psychology, value.to_string(), by),
            "touchpoint" => {
                self.stage.value = stage_of(value).to_string();
                self.stage.confidence = 1.0;
                set(&mut self.touchpoint, value.to_string(), by);
            }
            "service_aspect" => set(&mut self.service_aspect, (!value.is_empty()).then(|| value.to_string()), by),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_is_checked_against_its_label_set() {
        assert_eq!(check_correction("category", "fees").unwrap(), "fees");
        assert_eq!(check_correction("emergency", "yes").unwrap(), "true");
        assert_eq!(check_correction("psychology", "hostile").unwrap(), "hostile");
        assert!(check_correction("psychology", "angry").is_err());
        assert!(check_correction("tracking_no", "x").is_err());
    }
}
