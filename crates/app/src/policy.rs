//! The time-limit policy book: `time-limits.toml` in the data folder, loaded
//! at start and editable through the admin API. Limits are set for all
//! companies, then overridden per company and per project; each company
//! lists its tiered service commitments (分级服务承诺).
//!
//! ```toml
//! [limits]                               # every company
//! dispatch = "12h"
//! [companies.HTWY.limits]                # one company
//! answer_single = "2d"
//! [companies.HTWY.projects.JYHY.limits]  # one project
//! dispatch = "6h"
//! [[companies.HTWY.commitments]]         # the company's commitments
//! service = "lift"
//! name = "电梯故障"
//! answer = "24h"
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use tousu_domain::deadline::{Commitment, Limits, TimePolicy};
use tousu_domain::DomainError;

/// The file as written: tables of overrides, checked when loaded.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookFile {
    #[serde(default)]
    limits: toml::Table,
    #[serde(default)]
    companies: BTreeMap<String, CompanyFile>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompanyFile {
    #[serde(default)]
    limits: toml::Table,
    #[serde(default)]
    projects: BTreeMap<String, ProjectFile>,
    #[serde(default)]
    commitments: Vec<Commitment>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    #[serde(default)]
    limits: toml::Table,
}

/// Every policy in force, resolved when loaded.
#[derive(Debug, Clone, Default)]
pub struct PolicyBook {
    /// The document as the administrator wrote it.
    pub text: String,
    defaults: TimePolicy,
    companies: BTreeMap<String, (TimePolicy, BTreeMap<String, TimePolicy>)>,
}

/// The file written on first start, so administrators see what they can change.
pub const DEFAULT_TEXT: &str = r#"# tousu time limits (DOMAIN.md "Time limits"). Spans: 3min, 12h, 3d, 7wd (working days).
# Override below for a company ([companies.CODE.limits]) or a project
# ([companies.CODE.projects.CODE.limits]); list a company's tiered service
# commitments as [[companies.CODE.commitments]] with service, name and answer.

[limits]
dispatch = "12h"
delay_notice = "2h"
completion_report = "2h"
first_responder_update = "2h"
answer_single = "3d"
answer_multi = "7wd"
callback = "2wd"
callback_latest = "7d"
emergency_notify = "3min"
emergency_head = "5min"
emergency_leader = "10min"
written_report_leader = "24h"
written_report_board = "48h"
verification = "8h"
at_risk_percent = 80
extension_approver = "department_head"
"#;

fn invalid(zh: String, en: String) -> DomainError {
    DomainError::invalid("time_limits", zh, en)
}

/// `base` with the keys of `over` replaced.
fn merged(base: &Limits, over: &toml::Table, place: &str) -> Result<Limits, DomainError> {
    let mut table = toml::Table::try_from(base).map_err(|e| invalid(e.to_string(), e.to_string()))?;
    for (k, v) in over {
        table.insert(k.clone(), v.clone());
    }
    toml::Value::Table(table).try_into::<Limits>().map_err(|e| {
        invalid(format!("{place} 的时限设置有误：{e}"), format!("limits of {place}: {e}"))
    })
}

impl PolicyBook {
    /// Parses and checks a policy document; the error names what is wrong.
    pub fn parse(text: &str) -> Result<PolicyBook, DomainError> {
        let file: BookFile = toml::from_str(text)
            .map_err(|e| invalid(format!("时限配置不是有效的 TOML：{e}"), format!("not valid TOML: {e}")))?;
        let defaults = TimePolicy { limits: merged(&Limits::default(), &file.limits, "[limits]")?, commitments: vec![] };
        defaults.validate()?;
        let mut companies = BTreeMap::new();
        for (code, c) in &file.companies {
            let company = TimePolicy {
                limits: merged(&defaults.limits, &c.limits, &format!("companies.{code}"))?,
                commitments: c.commitments.clone(),
            };
            company.validate()?;
            let mut projects = BTreeMap::new();
            for (p, pf) in &c.projects {
                let project = TimePolicy {
                    limits: merged(&company.limits, &pf.limits, &format!("companies.{code}.projects.{p}"))?,
                    commitments: c.commitments.clone(),
                };
                project.validate()?;
                projects.insert(p.clone(), project);
            }
            companies.insert(code.clone(), (company, projects));
        }
        Ok(PolicyBook { text: text.to_string(), defaults, companies })
    }

    /// The policy for a complaint of `company` in `project`.
    pub fn resolve(&self, company: &str, project: &str) -> &TimePolicy {
        match self.companies.get(company) {
            Some((c, projects)) => projects.get(project).unwrap_or(c),
            None => &self.defaults,
        }
    }

    /// Every resolved policy, for the admin view: `(company, project, policy)`.
    pub fn all(&self) -> Vec<(Option<&str>, Option<&str>, &TimePolicy)> {
        let mut out = vec![(None, None, &self.defaults)];
        for (code, (c, projects)) in &self.companies {
            out.push((Some(code.as_str()), None, c));
            for (p, policy) in projects {
                out.push((Some(code.as_str()), Some(p.as_str()), policy));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tousu_domain::Span;

    #[test]
    fn the_default_file_gives_domain_md_limits() {
        let book = PolicyBook::parse(DEFAULT_TEXT).unwrap();
        assert_eq!(book.resolve("ANY", "ANY").limits, Limits::default());
    }

    #[test]
    fn a_project_overrides_its_company_which_overrides_the_defaults() {
        let book = PolicyBook::parse(
            r#"
            [limits]
            dispatch = "10h"
            [companies.HTWY.limits]
            answer_single = "2d"
            [companies.HTWY.projects.JYHY.limits]
            dispatch = "6h"
            [[companies.HTWY.commitments]]
            service = "lift"
            name = "电梯故障"
            answer = "24h"
            "#,
        )
        .unwrap();
        let project = book.resolve("HTWY", "JYHY");
        assert_eq!(project.limits.dispatch, Span::Hours(6));
        assert_eq!(project.limits.answer_single, Span::Days(2));
        assert_eq!(project.answer_span(Some("lift"), false), Span::Hours(24));
        let other = book.resolve("HTWY", "LHW");
        assert_eq!(other.limits.dispatch, Span::Hours(10));
        assert_eq!(book.resolve("OTHER", "X").limits.answer_single, Span::Days(3));
    }

    #[test]
    fn a_misspelt_limit_or_a_bad_span_is_refused_with_its_place() {
        let err = PolicyBook::parse("[companies.HTWY.limits]\ndispach = \"6h\"").unwrap_err();
        assert!(err.message_en().contains("companies.HTWY"), "{}", err.message_en());
        assert!(PolicyBook::parse("[limits]\ndispatch = \"6 hours\"").is_err());
        assert!(PolicyBook::parse("not toml [").is_err());
    }
}
