//! The organisation as requests need it: cached per company, indexed for
//! the lookups every intake makes (project → building → unit).

use crate::{AppError, AppResult, Principal, Services};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tousu_domain::DomainError;
use tousu_domain::complaint::{DepartmentRef, ProjectRef};
use tousu_domain::lifecycle::{Directory, StaffEntry};
use tousu_store::{Company, Department, OrgSnapshot, Project};

/// A company's organisation with lookup indexes.
pub struct OrgIndex {
    pub company: Company,
    pub snapshot: OrgSnapshot,
    units: HashMap<String, (ProjectRef, HashMap<String, HashSet<String>>)>,
}

impl OrgIndex {
    fn new(company: Company, snapshot: OrgSnapshot) -> OrgIndex {
        let units = snapshot
            .projects
            .iter()
            .map(|p| {
                let buildings = p
                    .buildings
                    .iter()
                    .map(|b| (b.name.clone(), b.units.iter().cloned().collect()))
                    .collect();
                let project = ProjectRef { id: p.id, code: p.code.clone(), name: p.name.clone() };
                (p.code.clone(), (project, buildings))
            })
            .collect();
        OrgIndex { company, snapshot, units }
    }

    /// Resolves project, building and unit, naming the first that is unknown.
    pub fn place(&self, project: &str, building: &str, unit: &str) -> Result<ProjectRef, DomainError> {
        let (p, buildings) = self.units.get(project).ok_or_else(|| {
            DomainError::invalid("project", format!("没有编码为「{project}」的项目"), format!("no project with code `{project}`"))
        })?;
        let units = buildings.get(building).ok_or_else(|| {
            DomainError::invalid(
                "building",
                format!("项目{}没有「{building}」", p.name),
                format!("project {} has no building `{building}`", p.code),
            )
        })?;
        if !units.contains(unit) {
            return Err(DomainError::invalid(
                "unit",
                format!("{building}没有「{unit}」室"),
                format!("building {building} has no unit `{unit}`"),
            ));
        }
        Ok(p.clone())
    }
}

impl Directory for OrgIndex {
    fn department(&self, code: &str) -> Option<DepartmentRef> {
        self.snapshot.department(code)
    }
    fn staff(&self, username: &str) -> Option<StaffEntry> {
        self.snapshot.staff(username)
    }
}

/// How long a cached organisation is used before it is read again. A change
/// made through this process clears the cache at once; one made through
/// another server on the same database is seen here within this long.
pub const ORG_TTL: Duration = Duration::from_secs(5);

/// Organisation snapshots per company, loaded on first use and again once
/// older than [`ORG_TTL`].
#[derive(Default)]
pub struct OrgCache {
    companies: RwLock<HashMap<i64, (Instant, Arc<OrgIndex>)>>,
}

impl Services {
    /// The caller's company organisation.
    pub async fn org(&self, company_id: i64) -> AppResult<Arc<OrgIndex>> {
        let cached = self.org.companies.read().ok().and_then(|m| m.get(&company_id).cloned());
        if let Some((_, idx)) = cached.filter(|(loaded, _)| loaded.elapsed() < ORG_TTL) {
            return Ok(idx);
        }
        let company = self
            .store
            .list_companies()
            .await?
            .into_iter()
            .find(|c| c.id == company_id)
            .ok_or(AppError::NotFound { zh: "公司", en: "company" })?;
        let snapshot = self.store.find_org_snapshot(company_id).await?;
        let idx = Arc::new(OrgIndex::new(company, snapshot));
        if let Ok(mut m) = self.org.companies.write() {
            m.insert(company_id, (Instant::now(), idx.clone()));
        }
        Ok(idx)
    }

    /// Forgets cached organisations (after the organisation changes).
    pub fn invalidate_org(&self) {
        if let Ok(mut m) = self.org.companies.write() {
            m.clear();
        }
    }

    /// The projects the caller may see: those of their company.
    pub async fn list_projects(&self, who: &Principal) -> AppResult<Vec<Project>> {
        Ok(self.org(who.company_id).await?.snapshot.projects.clone())
    }

    pub async fn list_departments(&self, who: &Principal) -> AppResult<Vec<Department>> {
        Ok(self.org(who.company_id).await?.snapshot.departments.clone())
    }
}
