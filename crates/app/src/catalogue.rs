//! 服务目录 — the company's service catalogue as staff see it: every
//! service with its Kano class, tier, committed answer time and publicity.
//! The entries live in `time-limits.toml` (`[[companies.CODE.commitments]]`),
//! where the answer times are used by the time-limit rules.

use crate::{AppResult, Principal, Services};
use serde::Serialize;
use tousu_domain::catalogue::Kano;

/// One service of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueEntry {
    pub service: String,
    pub name: String,
    pub kano: Kano,
    /// 基本需求, 期望需求 or 惊喜需求.
    pub kano_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The committed answer time (`24h`, `3d`, `7wd`).
    pub answer: String,
    /// `everyone`, `group:NAME` or `nobody`.
    pub published_to: String,
}

impl Services {
    /// The company's services as the policy in force lists them.
    pub(crate) fn company_commitments(&self, company_code: &str) -> Vec<tousu_domain::deadline::Commitment> {
        self.policy().resolve(company_code, "").commitments.clone()
    }

    /// The catalogue of the caller's company (every staff role may read it:
    /// the front desk quotes the commitments to callers).
    pub async fn service_catalogue(&self, who: &Principal) -> AppResult<Vec<CatalogueEntry>> {
        let org = self.org(who.company_id).await?;
        Ok(self
            .company_commitments(&org.company.code)
            .iter()
            .map(|c| CatalogueEntry {
                service: c.service.clone(),
                name: c.name.clone(),
                kano: c.kano,
                kano_label: c.kano.label_zh().to_string(),
                tier: c.tier.clone(),
                answer: c.answer.to_string(),
                published_to: c.published_to.clone().into(),
            })
            .collect())
    }
}
