//! 话术: response scripts chosen by psychology and category (data/scripts.toml).

use crate::labels::{Category, Psychology, ResponseScript};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
struct RawScripts {
    script: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
struct Entry {
    psychology: String,
    category: String,
    feelings: String,
    facts: String,
    #[serde(default)]
    avoid: String,
}

/// The loaded scripts.
#[derive(Debug, Clone)]
pub struct Scripts {
    entries: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScriptsError {
    #[error("scripts: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("scripts: unknown psychology `{0}`")]
    Psychology(String),
    #[error("scripts: unknown category `{0}`")]
    Category(String),
    #[error("scripts: a default entry (psychology = \"*\", category = \"*\") is required")]
    NoDefault,
}

impl Scripts {
    pub fn parse(toml_text: &str) -> Result<Self, ScriptsError> {
        let raw: RawScripts = toml::from_str(toml_text)?;
        for e in &raw.script {
            if e.psychology != "*" && Psychology::parse(&e.psychology).is_none() {
                return Err(ScriptsError::Psychology(e.psychology.clone()));
            }
            if e.category != "*" && Category::parse(&e.category).is_err() {
                return Err(ScriptsError::Category(e.category.clone()));
            }
        }
        if !raw
            .script
            .iter()
            .any(|e| e.psychology == "*" && e.category == "*")
        {
            return Err(ScriptsError::NoDefault);
        }
        Ok(Scripts {
            entries: raw.script,
        })
    }

    /// The best script for this psychology and category, placeholders filled.
    pub fn choose(
        &self,
        psychology: Psychology,
        category: Category,
        deadline: &str,
    ) -> ResponseScript {
        let (p, c) = (psychology.as_str(), category.as_str());
        // an emergency's script is about safety first, whatever the psychology
        let urgent = category == Category::Emergency;
        let rank = |e: &Entry| match (
            e.psychology == p,
            e.category == c,
            e.psychology == "*",
            e.category == "*",
        ) {
            (true, true, _, _) => 0,
            (true, false, _, true) => {
                if urgent {
                    2
                } else {
                    1
                }
            }
            (false, true, true, _) => {
                if urgent {
                    1
                } else {
                    2
                }
            }
            (false, false, true, true) => 3,
            _ => 9,
        };
        let best = self
            .entries
            .iter()
            .filter(|e| rank(e) < 9)
            .min_by_key(|e| rank(e))
            .expect("default script exists");
        let fill = |s: &str| {
            s.replace("{category_zh}", category.label_zh())
                .replace("{deadline}", deadline)
        };
        ResponseScript {
            key: format!("{}/{}", best.psychology, best.category),
            feelings: fill(&best.feelings),
            facts: fill(&best.facts),
            avoid: best.avoid.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_scripts_load_and_fall_back() {
        let s = Scripts::parse(crate::DEFAULT_SCRIPTS).unwrap();
        let v = s.choose(Psychology::Venting, Category::Facilities, "3天");
        assert_eq!(v.key, "venting/facilities");
        let e = s.choose(Psychology::Evading, Category::Fees, "3天");
        assert_eq!(e.key, "evading/*");
        let x = s.choose(Psychology::Respect, Category::Emergency, "3分钟");
        assert_eq!(x.key, "*/emergency");
        assert!(!v.feelings.contains('{'));
    }

    #[test]
    fn a_replacement_file_needs_a_default() {
        assert!(matches!(
            Scripts::parse(
                "[[script]]\npsychology = \"venting\"\ncategory = \"*\"\nfeelings = \"a\"\nfacts = \"b\"\n"
            ),
            Err(ScriptsError::NoDefault)
        ));
        assert!(Scripts::parse("[[script]]\npsychology = \"angry\"\ncategory = \"*\"\nfeelings = \"a\"\nfacts = \"b\"\n").is_err());
    }
}
