//! 同义词 — words that mean the same to a service centre (电梯/升降机/lift,
//! 物业费/管理费, 漏水/渗水): an editable list, applied to queries (a query
//! word matches any word of its group), so the index need not be rebuilt
//! when the list changes.
//!
//! ```toml
//! [[group]]
//! words = ["电梯", "升降机", "lift", "elevator"]
//! ```

use crate::analysis::normalise;
use crate::error::SearchError;
use serde::Deserialize;
use std::collections::HashMap;

/// The list tousu starts with.
pub const BUILTIN_TEXT: &str = include_str!("synonyms.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    group: Vec<Group>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    words: Vec<String>,
}

/// The built-in list's words, normalised (the dictionary learns them).
pub(crate) fn builtin_words() -> Vec<String> {
    let file: File = toml::from_str(BUILTIN_TEXT).unwrap_or(File { group: vec![] });
    file.group.iter().flat_map(|g| g.words.iter().map(|w| normalise(w.trim()))).collect()
}

/// Each word (normalised) to the other words of its groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    of: HashMap<String, Vec<String>>,
}

impl Synonyms {
    pub fn parse(text: &str) -> Result<Synonyms, SearchError> {
        let file: File = toml::from_str(text).map_err(|e| SearchError::Synonyms(e.message().to_string()))?;
        let mut of: HashMap<String, Vec<String>> = HashMap::new();
        for g in file.group {
            let words: Vec<String> = g.words.iter().map(|w| normalise(w.trim())).filter(|w| !w.is_empty()).collect();
            if words.len() < 2 {
                return Err(SearchError::Synonyms(format!("a group needs two words or more: {:?}", g.words)));
            }
            for w in &words {
                let others = of.entry(w.clone()).or_default();
                for o in &words {
                    if o != w && !others.contains(o) {
                        others.push(o.clone());
                    }
                }
            }
        }
        Ok(Synonyms { of })
    }

    pub fn builtin() -> Synonyms {
        Synonyms::parse(BUILTIN_TEXT).unwrap_or_default()
    }

    /// The word and the words that mean the same (normalised).
    pub fn expand(&self, word: &str) -> Vec<String> {
        let mut out = vec![word.to_string()];
        if let Some(others) = self.of.get(word) {
            out.extend(others.iter().cloned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_list_joins_lift_words_fee_words_and_leak_words() {
        let s = Synonyms::builtin();
        assert!(s.expand("电梯").contains(&"升降机".to_string()));
        assert!(s.expand("lift").contains(&"电梯".to_string()));
        assert!(s.expand("管理费").contains(&"物业费".to_string()));
        assert!(s.expand("渗水").contains(&"漏水".to_string()));
        assert_eq!(s.expand("窗户"), vec!["窗户".to_string()]);
    }

    #[test]
    fn a_group_of_one_word_or_bad_toml_is_refused() {
        assert!(Synonyms::parse("[[group]]\nwords = [\"电梯\"]\n").is_err());
        assert!(Synonyms::parse("[[group]\n").is_err());
    }
}
