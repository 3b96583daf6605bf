//! Triage at intake: tousu reads each complaint the way an experienced
//! supervisor would and says so before anyone has to. What it reads is kept
//! with the complaint (with confidence and evidence); an emergency is
//! flagged whenever triage thinks so (never missed on purpose); a category
//! it is sure of is applied when none was given, and a crisis it is sure of
//! starts at the company's leaders at once. A major severity is only
//! suggested: the service centre assesses it (step 3). People may correct
//! everything triage read.

use crate::{AppError, AppResult, Services};
use std::sync::{Arc, LazyLock, RwLock};
use tousu_domain::intake::Intake;
use tousu_domain::triage::{Script, Suggested, TriageResult};
use tousu_domain::{Category, Severity};
use tousu_triage::{Assessment, Labelled, Triage};

/// The engine with the shipped lexicon and scripts: built once per process
/// (its dictionary takes a moment to load).
static SHIPPED: LazyLock<Arc<Triage>> = LazyLock::new(|| Arc::new(Triage::new()));

/// The shipped engine (shared: group detection reads texts with it).
pub(crate) fn shipped() -> Arc<Triage> {
    SHIPPED.clone()
}

/// The engine in force (replaced when an administrator edits the scripts).
pub struct TriageState {
    engine: RwLock<Arc<Triage>>,
    scripts: RwLock<String>,
    /// Where edited scripts are kept (`DATA/scripts.toml`), when set.
    file: RwLock<Option<std::path::PathBuf>>,
}

impl Default for TriageState {
    fn default() -> Self {
        TriageState {
            engine: RwLock::new(SHIPPED.clone()),
            scripts: RwLock::new(tousu_triage::DEFAULT_SCRIPTS.to_string()),
            file: RwLock::new(None),
        }
    }
}

fn suggested<T, U>(l: &Labelled<T>, f: impl FnOnce(&T) -> U) -> Suggested<U> {
    Suggested::new(f(&l.value), l.confidence, l.evidence.clone())
}

/// The domain's record of an assessment.
pub fn to_result(a: &Assessment) -> TriageResult {
    TriageResult {
        category: suggested(&a.category, |c| Category::parse(c.as_str()).unwrap_or(Category::Service)),
        service_aspect: suggested(&a.service_aspect, |s| s.map(|s| s.as_str().to_string())),
        severity: suggested(&a.severity, |s| Severity::parse(s.as_str()).unwrap_or(Severity::General)),
        emergency: suggested(&a.emergency, |e| *e),
        psychology: suggested(&a.psychology, |p| p.as_str().to_string()),
        touchpoint: suggested(&a.touchpoint, |t| t.as_str().to_string()),
        stage: suggested(&a.stage, |s| s.as_str().to_string()),
        repeat_claimed: suggested(&a.repeat, |r| *r),
        compensation: suggested(&a.expected_compensation, |c| *c),
        building: suggested(&a.building, |b| b.clone()),
        unit: suggested(&a.unit, |u| u.clone()),
        language: a.language.as_str().to_string(),
        script: Script {
            key: a.script.key.clone(),
            feelings: a.script.feelings.clone(),
            facts: a.script.facts.clone(),
            avoid: a.script.avoid.clone(),
        },
    }
}

impl Services {
    pub fn triage_engine(&self) -> Arc<Triage> {
        self.triage.engine.read().map(|e| e.clone()).unwrap_or_else(|e| e.into_inner().clone())
    }

    /// What triage reads in a text (the intake form shows it while typing).
    pub fn assess(&self, text: &str) -> TriageResult {
        to_result(&self.triage_engine().classify(text))
    }

    /// Reads an intake and applies what triage is sure of: the emergency
    /// flag always (when in doubt, the fast path), the category when none
    /// was given, a crisis (media, casualties, mass incidents: the leaders
    /// must know at once).
    pub(crate) fn triage_intake(&self, intake: &mut Intake) {
        let text = match &intake.subject {
            Some(s) => format!("{s}。{}", intake.description),
            None => intake.description.clone(),
        };
        let t = self.assess(&text);
        intake.emergency |= t.emergency.value;
        if intake.category.is_none() && t.category.trusted() {
            intake.category = Some(t.category.value);
        }
        if t.severity.trusted() && t.severity.value == Severity::Crisis {
            intake.severity = Some(t.severity.value);
        }
        intake.triage = Some(t);
    }

    /// The response scripts (话术) in force, as TOML.
    pub fn scripts_text(&self) -> String {
        self.triage.scripts.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Uses the scripts kept at `path` if an administrator edited them
    /// before; later edits are saved there.
    pub fn with_scripts_file(self, path: &std::path::Path) -> AppResult<Services> {
        if let Ok(text) = std::fs::read_to_string(path) {
            self.apply_scripts(&text)?;
        }
        if let Ok(mut f) = self.triage.file.write() {
            *f = Some(path.to_path_buf());
        }
        Ok(self)
    }

    /// Replaces the response scripts (checked first, then saved and in force).
    pub fn set_scripts(&self, toml: &str) -> AppResult<()> {
        self.apply_scripts(toml)?;
        let file = self.triage.file.read().ok().and_then(|f| f.clone());
        if let Some(path) = file {
            crate::admin::write_atomically(&path, toml)?;
        }
        Ok(())
    }

    fn apply_scripts(&self, toml: &str) -> AppResult<()> {
        let engine = Triage::with_scripts(toml).map_err(|e| {
            AppError::Domain(tousu_domain::DomainError::invalid("scripts", format!("话术配置有误：{e}"), e.to_string()))
        })?;
        if let Ok(mut s) = self.triage.engine.write() {
            *s = Arc::new(engine);
        }
        if let Ok(mut s) = self.triage.scripts.write() {
            *s = toml.to_string();
        }
        Ok(())
    }
}
