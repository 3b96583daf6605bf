//! Administration of the time-limit policy, the calendar and the
//! notification deliveries. Administrators only.

use crate::calendar::CalendarYear;
use crate::policy::{DEFAULT_TEXT, PolicyBook};
use crate::{AppError, AppResult, Principal, Services};
use std::path::{Path, PathBuf};
use tousu_domain::{Role, TimePolicy};
use tousu_store::{Delivery, DeliveryStatus};

/// The policy document and what it resolves to.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyView {
    /// The TOML document as written.
    pub toml: String,
    /// Every policy it defines: the defaults, each company, each project.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub effective: Vec<serde_json::Value>,
}

fn admin_only(who: &Principal) -> AppResult<()> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::forbidden("仅系统管理员可以操作", "administrators only"))
    }
}

impl Services {
    /// Loads the policy book from `path`, writing the default document there
    /// first if there is none; later edits are saved to it.
    pub fn with_policy_file(mut self, path: &Path) -> AppResult<Services> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_atomically(path, DEFAULT_TEXT)?;
                DEFAULT_TEXT.to_string()
            }
            Err(e) => return Err(AppError::Internal(format!("cannot read {}: {e}", path.display()))),
        };
        let book = PolicyBook::parse(&text).map_err(|e| {
            AppError::Internal(format!("{} is not a valid time-limit policy: {}", path.display(), e.message_en()))
        })?;
        self.set_policy(book);
        self.policy_file = Some(path.to_path_buf());
        Ok(self)
    }

    pub fn policy_view(&self, who: &Principal) -> AppResult<PolicyView> {
        admin_only(who)?;
        let book = self.policy();
        let effective = book
            .all()
            .into_iter()
            .map(|(company, project, p): (Option<&str>, Option<&str>, &TimePolicy)| {
                serde_json::json!({"company": company, "project": project, "limits": p.limits, "commitments": p.commitments})
            })
            .collect();
        Ok(PolicyView { toml: book.text.clone(), effective })
    }

    /// Replaces the policy document: checked first, saved, then in force.
    pub fn update_policy(&self, who: &Principal, text: &str) -> AppResult<PolicyView> {
        admin_only(who)?;
        let book = PolicyBook::parse(text)?;
        if let Some(path) = &self.policy_file {
            write_atomically(path, text)?;
        }
        self.set_policy(book);
        self.policy_view(who)
    }

    pub async fn admin_import_calendar(&self, who: &Principal, content: &str) -> AppResult<CalendarYear> {
        admin_only(who)?;
        self.import_calendar_year(content).await
    }

    pub fn admin_calendar_years(&self, who: &Principal) -> AppResult<Vec<CalendarYear>> {
        admin_only(who)?;
        Ok(self.calendar_years())
    }

    pub async fn admin_deliveries(&self, who: &Principal, status: Option<DeliveryStatus>, limit: u32) -> AppResult<Vec<Delivery>> {
        admin_only(who)?;
        self.list_deliveries(status, limit).await
    }

    pub async fn admin_retry_delivery(&self, who: &Principal, id: i64) -> AppResult<()> {
        admin_only(who)?;
        self.retry_delivery(id).await
    }
}

/// Writes through a temporary file and a rename, so a crash leaves the old
/// document or the new one, never half of one.
pub(crate) fn write_atomically(path: &Path, text: &str) -> AppResult<()> {
    let tmp: PathBuf = path.with_extension("toml.tmp");
    let io = |e: std::io::Error| AppError::Internal(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
