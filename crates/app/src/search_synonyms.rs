//! 同义词表 — the search synonym list as administrators edit it:
//! `search-synonyms.toml` in the data folder, written with the built-in
//! list on first start and read on every start, replaced whole through
//! the admin API. Synonyms are applied to queries, not to the index, so a
//! new list is in force for the very next search, with no rebuild.

use crate::admin::write_atomically;
use crate::{AppError, AppResult, Principal, Services};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tousu_domain::{DomainError, Role};
use tousu_search::Synonyms;
use tousu_search::synonyms::BUILTIN_TEXT;

/// A word longer than this is a paste gone wrong, not a word staff type.
pub const MAX_WORD_CHARS: usize = 40;
/// Groups in one list; the shipped one has a few dozen.
pub const MAX_GROUPS: usize = 5_000;

/// The document in force and where edits are saved. One lock for both, held
/// while a new list is written and swapped in, so two edits cannot
/// interleave (the file and the list in force always agree).
#[derive(Default)]
pub(crate) struct SynonymsFile {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    text: Option<String>,
    file: Option<PathBuf>,
}

/// One group (同义词组): every word of it finds the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SynonymGroup {
    pub words: Vec<String>,
}

/// The list as the API shows it: the TOML document as written, and its groups.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SynonymsView {
    pub toml: String,
    pub groups: Vec<SynonymGroup>,
}

/// A new list given as groups rather than as a TOML document.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SynonymsUpdate {
    pub groups: Vec<SynonymGroup>,
}

/// The document's shape (what `tousu_search::Synonyms` reads).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    #[serde(default)]
    group: Vec<SynonymGroup>,
}

fn bad(zh: String, en: String) -> AppError {
    DomainError::invalid("synonyms", zh, en).into()
}

/// Reads and checks a document: its groups as written, and the list the
/// engine applies. Each problem is named in both languages, with the group.
pub fn check_synonyms(text: &str) -> AppResult<(Vec<SynonymGroup>, Synonyms)> {
    let file: ListFile = toml::from_str(text).map_err(|e| {
        bad(format!("同义词表格式错误：{}", e.message()), format!("not a synonym list: {}", e.message()))
    })?;
    if file.group.len() > MAX_GROUPS {
        return Err(bad(
            format!("同义词组最多 {MAX_GROUPS} 组，收到 {} 组", file.group.len()),
            format!("at most {MAX_GROUPS} groups, got {}", file.group.len()),
        ));
    }
    for (i, g) in file.group.iter().enumerate() {
        let n = i + 1;
        if let Some(w) = g.words.iter().find(|w| w.trim().chars().count() > MAX_WORD_CHARS) {
            return Err(bad(
                format!("第 {n} 组的词「{w}」超过 {MAX_WORD_CHARS} 个字"),
                format!("group {n}: the word {w:?} is longer than {MAX_WORD_CHARS} characters"),
            ));
        }
        let mut distinct: Vec<&str> = g.words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 2 {
            let words = g.words.join("、");
            return Err(bad(
                format!("第 {n} 组只有一个词（{words}）：每组至少两个不同的词"),
                format!("group {n} has fewer than two different words ({words})"),
            ));
        }
    }
    // What the engine itself refuses (after its own normalisation).
    let synonyms = Synonyms::parse(text)
        .map_err(|e| bad(format!("同义词表有误：{e}"), format!("the synonym list is not valid: {e}")))?;
    Ok((file.group, synonyms))
}

/// A list of groups as the TOML document kept in the data folder.
pub fn synonyms_toml(groups: &[SynonymGroup]) -> AppResult<String> {
    let file = ListFile { group: groups.to_vec() };
    let body = toml::to_string(&file).map_err(|e| AppError::Internal(format!("writing the synonym list: {e}")))?;
    Ok(format!("# 同义词 — each group's words find each other in searches (edited through the admin API).\n{body}"))
}

impl Services {
    /// Loads the synonym list from `path`, writing the built-in one there
    /// first if there is none; later edits are saved to it. A file that
    /// does not read as a list stops the start (as the component tree does)
    /// rather than silently searching without it.
    pub fn with_search_synonyms_file(self, path: &Path) -> AppResult<Services> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                write_atomically(path, BUILTIN_TEXT)?;
                BUILTIN_TEXT.to_string()
            }
            Err(e) => return Err(AppError::Internal(format!("cannot read {}: {e}", path.display()))),
        };
        let (_, synonyms) = check_synonyms(&text)
            .map_err(|e| AppError::Internal(format!("{} is not a valid synonym list: {e}", path.display())))?;
        let mut inner = self.synonyms_file.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.set_synonyms(synonyms);
        inner.text = Some(text);
        inner.file = Some(path.to_path_buf());
        drop(inner);
        Ok(self)
    }

    /// The list in force, for every staff member (it explains what a search matched).
    pub fn search_synonyms_view(&self, _who: &Principal) -> SynonymsView {
        let text = self.synonyms_file.inner.lock().unwrap_or_else(|e| e.into_inner()).text.clone();
        let toml = text.unwrap_or_else(|| BUILTIN_TEXT.to_string());
        let groups = check_synonyms(&toml).map(|(g, _)| g).unwrap_or_default();
        SynonymsView { toml, groups }
    }

    /// Replaces the list (administrators): checked first (a 422 naming
    /// `synonyms` and the group at fault), saved atomically, then in force
    /// for the next query.
    pub fn update_search_synonyms(&self, who: &Principal, text: &str) -> AppResult<SynonymsView> {
        if who.role != Role::Admin {
            return Err(AppError::forbidden(
                "仅系统管理员可以修改同义词表",
                "only administrators edit the synonym list",
            ));
        }
        let (groups, synonyms) = check_synonyms(text)?;
        let mut inner = self.synonyms_file.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(path) = &inner.file {
            write_atomically(path, text)?;
        }
        self.set_synonyms(synonyms);
        inner.text = Some(text.to_string());
        drop(inner);
        // The defect tree and the policy keep no record of who edited them;
        // the log line says who changed the list, as far as this goes.
        tracing::info!(by = %who.username, groups = groups.len(), "the search synonym list was replaced");
        Ok(SynonymsView { toml: text.to_string(), groups })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_checks_and_shows_its_groups() {
        let (groups, synonyms) = check_synonyms(BUILTIN_TEXT).unwrap();
        assert!(groups.iter().any(|g| g.words.contains(&"升降机".to_string())));
        assert!(synonyms.expand("电梯").contains(&"升降机".to_string()));
    }

    #[test]
    fn a_group_of_one_word_bad_toml_or_an_unknown_key_is_refused_naming_the_field() {
        let too_long = format!("[[group]]\nwords = [\"门禁\", \"{}\"]\n", "门".repeat(MAX_WORD_CHARS + 1));
        for text in [
            "[[group]]\nwords = [\"门禁\"]\n",
            "[[group]]\nwords = [\"门禁\", \" 门禁 \"]\n",
            "[[group]\n",
            "[[group]]\nword = [\"门禁\", \"门卡\"]\n",
            too_long.as_str(),
        ] {
            match check_synonyms(text) {
                Err(AppError::Domain(e)) => assert_eq!(e.field(), Some("synonyms"), "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn groups_written_as_toml_read_back_the_same() {
        let groups = vec![SynonymGroup { words: vec!["门禁".into(), "门卡".into(), "access card".into()] }];
        let text = synonyms_toml(&groups).unwrap();
        let (back, synonyms) = check_synonyms(&text).unwrap();
        assert_eq!(back, groups);
        assert!(synonyms.expand("门卡").contains(&"门禁".to_string()));
    }
}
