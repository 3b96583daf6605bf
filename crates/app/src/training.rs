//! 案例库 — training cases made from closed complaints in one action,
//! anonymised by the domain ([`tousu_domain::training`]); every staff
//! member may read and search them, quality analysts, heads and leaders
//! write them.

use crate::{AppError, AppResult, Principal, Services};
use serde::Serialize;
use tousu_domain::Role;
use tousu_domain::training::{CaseNotes, TrainingCase, case_from};
use tousu_store::{ConflictKind, StoreError, StoredTrainingCase};

/// How many of the newest cases a search looks through. A company's case
/// library is hundreds of cases, not millions; full-text search over
/// complaints is issue 8's.
pub const SEARCHED: u32 = 2_000;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingCaseView {
    pub id: i64,
    pub complaint_id: i64,
    #[serde(flatten)]
    pub case: TrainingCase,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn view(t: StoredTrainingCase) -> TrainingCaseView {
    TrainingCaseView { id: t.id, complaint_id: t.complaint_id, case: t.case, created_at: t.created_at }
}

fn may_write(role: Role) -> bool {
    matches!(role, Role::Analyst | Role::DepartmentHead | Role::CompanyLeader | Role::Board | Role::Admin)
}

impl Services {
    /// Turns a closed complaint into a training case.
    pub async fn create_training_case(
        &self,
        who: &Principal,
        complaint_id: i64,
        notes: CaseNotes,
    ) -> AppResult<TrainingCaseView> {
        if !may_write(who.role) {
            return Err(AppError::forbidden(
                "培训案例由品质分析员、部门负责人及以上整理",
                "training cases are written by analysts, department heads and above",
            ));
        }
        let complaint = self.store.find_complaint(who.company_id, complaint_id).await?;
        let case = case_from(&complaint, &notes)?;
        let stored = StoredTrainingCase {
            id: 0,
            company_id: who.company_id,
            complaint_id,
            case,
            created_by: Some(who.staff_id),
            created_at: self.now(),
        };
        match self.store.insert_training_case(stored.clone()).await {
            Ok(id) => Ok(view(StoredTrainingCase { id, ..stored })),
            Err(StoreError::Conflict(ConflictKind::Duplicate(_))) => Err(AppError::Conflict {
                zh: format!("投诉 {complaint_id} 已整理为培训案例"),
                en: format!("complaint {complaint_id} is already a training case"),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The company's cases, newest first; with `query`, those containing
    /// every word of it; with `tag`, those carrying it.
    pub async fn list_training_cases(
        &self,
        who: &Principal,
        query: Option<&str>,
        tag: Option<&str>,
    ) -> AppResult<Vec<TrainingCaseView>> {
        let cases = self.store.list_training_cases(who.company_id, SEARCHED).await?;
        Ok(cases
            .into_iter()
            .filter(|t| query.is_none_or(|q| t.case.matches(q)))
            .filter(|t| tag.is_none_or(|tag| t.case.tags.iter().any(|x| x == tag)))
            .map(view)
            .collect())
    }

    /// One case as a Markdown document for the training file.
    pub async fn training_case_document(&self, who: &Principal, id: i64) -> AppResult<String> {
        match self.store.find_training_case(who.company_id, id).await {
            Ok(t) => Ok(t.case.to_markdown()),
            Err(StoreError::NotFound(_)) => Err(AppError::NotFound { zh: "培训案例", en: "training case" }),
            Err(e) => Err(e.into()),
        }
    }
}
