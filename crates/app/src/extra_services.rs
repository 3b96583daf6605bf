//! 惊喜服务 — the extra-services ledger: staff log an unannounced extra
//! service given to a household (what, who, when). DOMAIN.md (000): legal,
//! beyond routine, never advertised, only a little more than expected. The
//! satisfaction figures split callbacks by whether their household had one
//! (`by=extra_service`).

use crate::{AppError, AppResult, Principal, Services};
use serde::{Deserialize, Serialize};
use tousu_domain::{DomainError, Role};
use tousu_store::ExtraService;

/// The most entries listed at once.
pub const MAX_PAGE: u32 = 200;

/// What staff send.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtraServiceDraft {
    /// The project code.
    pub project: String,
    pub building: String,
    pub unit: String,
    /// The catalogue's service code, when it is one (a `surprise` service).
    #[serde(default)]
    pub service: Option<String>,
    /// What was done (雨天送伞到家, 生日送花 …).
    pub description: String,
    /// Who gave it; the caller when left out.
    #[serde(default)]
    pub given_by: Option<String>,
    /// When; now when left out. Not in the future.
    #[serde(default)]
    pub given_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An entry of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtraServiceView {
    pub id: i64,
    pub project: String,
    pub building: String,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub description: String,
    pub given_by: String,
    pub given_at: chrono::DateTime<chrono::Utc>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// Who logs and reads extra services: everyone who serves owners, and
/// those who steer; not analysts (they see the figures).
fn may_log(role: Role) -> bool {
    !matches!(role, Role::Analyst)
}

fn text(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    tousu_domain::text::required_text(field, value, max)
}

impl Services {
    pub async fn record_extra_service(&self, who: &Principal, d: ExtraServiceDraft) -> AppResult<ExtraServiceView> {
        if !may_log(who.role) {
            return Err(AppError::forbidden("品质分析员不能登记惊喜服务", "analysts do not log extra services"));
        }
        let org = self.org(who.company_id).await?;
        let project = org.snapshot.project(&d.project).cloned().ok_or_else(|| {
            DomainError::invalid(
                "project",
                format!("没有编号为 {} 的项目", d.project),
                format!("no project {}", d.project),
            )
        })?;
        let building = text("building", &d.building, 200)?;
        let unit = text("unit", &d.unit, 200)?;
        let known = project.buildings.iter().find(|b| b.name == building);
        if !project.buildings.is_empty() && !known.is_some_and(|b| b.units.is_empty() || b.units.contains(&unit)) {
            return Err(DomainError::invalid(
                "unit",
                format!("项目 {} 没有 {building} {unit}", project.name),
                format!("project {} has no unit {building} {unit}", project.code),
            )
            .into());
        }
        let description = text("description", &d.description, tousu_domain::text::MAX_DESCRIPTION_CHARS)?;
        let given_by = match &d.given_by {
            Some(name) => text("given_by", name, 50)?,
            None => who.name.clone(),
        };
        let service = match d.service.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(text("service", code, 100)?),
        };
        let now = self.now();
        let given_at = d.given_at.unwrap_or(now);
        if given_at > now {
            return Err(DomainError::invalid("given_at", "服务时间不能晚于现在", "given_at is in the future").into());
        }
        let entry = ExtraService {
            id: 0,
            company_id: who.company_id,
            project_id: project.id,
            building,
            unit,
            service,
            description,
            given_by,
            given_at,
            recorded_by: Some(who.staff_id),
            recorded_at: now,
        };
        let id = self.store.insert_extra_service(entry.clone()).await?;
        Ok(view(ExtraService { id, ..entry }, &project.code))
    }

    /// The company's ledger, newest first.
    pub async fn list_extra_services(
        &self,
        who: &Principal,
        before_id: Option<i64>,
        limit: Option<u32>,
    ) -> AppResult<Vec<ExtraServiceView>> {
        if !may_log(who.role) && !crate::dashboard::may_see_dashboard(who.role) {
            return Err(AppError::forbidden("无权查看惊喜服务记录", "you may not see the extra-services ledger"));
        }
        let org = self.org(who.company_id).await?;
        let limit = limit.unwrap_or(50).clamp(1, MAX_PAGE);
        let entries = self.store.list_extra_services(who.company_id, before_id, limit).await?;
        Ok(entries
            .into_iter()
            .map(|e| {
                let code = org.snapshot.projects.iter().find(|p| p.id == e.project_id).map(|p| p.code.clone());
                let code = code.unwrap_or_else(|| e.project_id.to_string());
                view(e, &code)
            })
            .collect())
    }
}

fn view(e: ExtraService, project: &str) -> ExtraServiceView {
    ExtraServiceView {
        id: e.id,
        project: project.to_string(),
        building: e.building,
        unit: e.unit,
        service: e.service,
        description: e.description,
        given_by: e.given_by,
        given_at: e.given_at,
        recorded_at: e.recorded_at,
    }
}
