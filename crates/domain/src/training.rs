//! 案例库 — training cases: a closed complaint turned into a case for the
//! training file (DOMAIN.md step 8, 反馈改进), anonymised automatically: no
//! customer name, no phone number, no unit — in the fields and in the free
//! texts where owners and staff wrote them.

use crate::complaint::Complaint;
use crate::error::DomainError;
use crate::status::Status;
use serde::{Deserialize, Serialize};

/// What stands in for what was taken out.
pub const OWNER: &str = "业主";
pub const NUMBER: &str = "[号码]";
pub const UNIT: &str = "[房号]";

/// Texts longer than this are refused.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Tags a case may carry, and how long one may be.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 30;

/// What the person writing the case adds to what the complaint says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CaseNotes {
    /// The handler's account of how it was handled (处理经过).
    pub account: String,
    /// What went right.
    #[serde(default)]
    pub went_right: Option<String>,
    /// What went wrong.
    #[serde(default)]
    pub went_wrong: Option<String>,
    /// The lesson (经验教训).
    pub lesson: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A training case, anonymised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingCase {
    pub title: String,
    /// 项目 and building: where it happened, never the unit.
    pub project: String,
    pub building: String,
    pub category: Option<String>,
    pub severity: Option<String>,
    /// What the owner complained of.
    pub complaint: String,
    pub root_cause: Option<String>,
    pub resolution: Option<String>,
    /// The callbacks' satisfaction indexes, oldest first.
    pub satisfaction: Vec<f64>,
    pub reopened: u32,
    pub rehandled: u32,
    pub account: String,
    pub went_right: Option<String>,
    pub went_wrong: Option<String>,
    pub lesson: String,
    pub tags: Vec<String>,
}

/// Takes personal data out of a text: the customer's name (and their
/// family name with 先生/女士/小姐), their phone number and any run of 7 or
/// more digits (phones, ID and bank cards, even split by spaces or dashes),
/// and the unit, after the building (3栋1801) or alone. Errs on the side
/// of taking out: a unit `101` is taken out of `2101` too.
pub fn anonymise(text: &str, c: &Complaint) -> String {
    let mut out = text.to_string();
    let name = c.customer.name.trim();
    if !name.is_empty() {
        out = out.replace(name, OWNER);
        if let Some(family) = name.chars().next() {
            for title in ["先生", "女士", "小姐", "阿姨", "大爷"] {
                out = out.replace(&format!("{family}{title}"), OWNER);
            }
        }
    }
    let unit = c.unit.trim();
    if !unit.is_empty() {
        for building_unit in [format!("{}{unit}", c.building), format!("{} {unit}", c.building)] {
            out = out.replace(&building_unit, &format!("{}{UNIT}", c.building));
        }
        // Alone only when long enough to be the unit and not any number
        // (`1801`, `B-1203`; a unit `1` would take every 1 of the text).
        if unit.chars().count() >= 3 {
            out = out.replace(unit, UNIT);
        }
    }
    without_digit_runs(&out)
}

/// Replaces runs of 7 or more digits (ASCII or full-width, single spaces or
/// dashes between them) with [`NUMBER`].
fn without_digit_runs(text: &str) -> String {
    crate::masking::map_digit_runs(text, 7, |_, out| out.push_str(NUMBER))
}

fn required(field: &str, value: &str) -> Result<String, DomainError> {
    crate::text::required_text(field, value, MAX_TEXT_CHARS)
}

fn optional(field: &str, value: &Option<String>) -> Result<Option<String>, DomainError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required(field, v).map(Some),
    }
}

/// Turns a closed complaint into a training case. Only a complaint closed
/// as valid may be one (an invalid complaint teaches nothing about service).
pub fn case_from(c: &Complaint, notes: &CaseNotes) -> Result<TrainingCase, DomainError> {
    if c.status != Status::Closed {
        return Err(DomainError::invalid(
            "complaint",
            "只有已关闭的有效投诉可以整理为培训案例",
            "only a complaint closed as valid can become a training case",
        ));
    }
    if notes.tags.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            "tags",
            format!("标签最多 {MAX_TAGS} 个"),
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut tags = Vec::new();
    for tag in &notes.tags {
        let tag = crate::text::required_text("tags", tag, MAX_TAG_CHARS)?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let clean = |t: &str| anonymise(t, c);
    let title = c.subject.clone().unwrap_or_else(|| c.description.chars().take(20).collect());
    Ok(TrainingCase {
        title: clean(&title),
        project: c.project.name.clone(),
        building: c.building.clone(),
        category: c.category.map(|k| k.as_str().to_string()),
        severity: c.severity.map(|s| s.as_str().to_string()),
        complaint: clean(&c.description),
        root_cause: c.investigation.as_ref().map(|i| clean(&i.root_cause)),
        resolution: c.resolution.as_deref().map(clean),
        satisfaction: c.callbacks.iter().map(|s| s.index).collect(),
        reopened: c.reopen_count,
        rehandled: c.rehandle_count,
        account: clean(&required("account", &notes.account)?),
        went_right: optional("went_right", &notes.went_right)?.map(|t| clean(&t)),
        went_wrong: optional("went_wrong", &notes.went_wrong)?.map(|t| clean(&t)),
        lesson: clean(&required("lesson", &notes.lesson)?),
        tags,
    })
}

impl TrainingCase {
    /// Whether the case matches a search: every word of `query` (split on
    /// spaces) appears in its title, texts or tags.
    pub fn matches(&self, query: &str) -> bool {
        let haystack = [
            Some(self.title.as_str()),
            Some(self.complaint.as_str()),
            self.root_cause.as_deref(),
            self.resolution.as_deref(),
            Some(self.account.as_str()),
            self.went_right.as_deref(),
            self.went_wrong.as_deref(),
            Some(self.lesson.as_str()),
        ]
        .into_iter()
        .flatten()
        .chain(self.tags.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase();
        query.split_whitespace().all(|word| haystack.contains(&word.to_lowercase()))
    }

    /// The case as a Markdown document for the training file.
    pub fn to_markdown(&self) -> String {
        let mut d = format!("# 培训案例：{}\n\n", self.title);
        d += &format!("- 项目：{} {}\n", self.project, self.building);
        if let Some(c) = &self.category {
            d += &format!("- 类别：{c}\n");
        }
        if let Some(s) = &self.severity {
            d += &format!("- 等级：{s}\n");
        }
        if !self.satisfaction.is_empty() {
            let scores: Vec<String> = self.satisfaction.iter().map(|i| format!("{i:.2}")).collect();
            d += &format!("- 回访满意度：{}\n", scores.join("，"));
        }
        if self.reopened + self.rehandled > 0 {
            d += &format!("- 重新处理：{} 次，重办：{} 次\n", self.reopened, self.rehandled);
        }
        if !self.tags.is_empty() {
            d += &format!("- 标签：{}\n", self.tags.join("、"));
        }
        let mut section = |title: &str, text: Option<&str>| {
            if let Some(t) = text {
                d += &format!("\n## {title}\n\n{t}\n");
            }
        };
        section("投诉内容", Some(&self.complaint));
        section("原因", self.root_cause.as_deref());
        section("处理结果", self.resolution.as_deref());
        section("处理经过", Some(&self.account));
        section("做得好的", self.went_right.as_deref());
        section("做得不好的", self.went_wrong.as_deref());
        section("经验教训", Some(&self.lesson));
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_seven_digits_or_more_go_even_split_or_full_width_and_short_numbers_stay() {
        assert_eq!(without_digit_runs("电话138 1234 5678，身份证110101199001011234"), "电话[号码]，身份证[号码]");
        assert_eq!(without_digit_runs("拨打１３８１２３４５６７８"), "拨打[号码]");
        assert_eq!(without_digit_runs("3栋 2026年11月 等了 48 小时"), "3栋 2026年11月 等了 48 小时");
        assert_eq!(without_digit_runs("0755-8888-1234"), "[号码]");
    }
}
