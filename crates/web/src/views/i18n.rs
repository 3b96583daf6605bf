//! Message catalogues: every string a page shows comes from
//! `i18n/{zh-CN,zh-TW,en}.toml`, never from a template. Chinese (Simplified)
//! is the default; Traditional Chinese and English are selectable.

use axum::http::HeaderMap;
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    ZhCn,
    ZhTw,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::ZhCn, Locale::ZhTw, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::ZhTw => "zh-TW",
            Locale::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The `tousu_lang` cookie, else the browser's first acceptable language, else zh-CN.
    pub fn from_headers(headers: &HeaderMap) -> Locale {
        let cookie = headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == LANG_COOKIE)
            .and_then(|c| Locale::parse(c.value()));
        if let Some(l) = cookie {
            return l;
        }
        let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        for tag in accept.split(',').map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
            if tag.starts_with("zh-tw") || tag.starts_with("zh-hk") || tag.starts_with("zh-mo") || tag.starts_with("zh-hant") {
                return Locale::ZhTw;
            }
            if tag.starts_with("zh") {
                return Locale::ZhCn;
            }
            if tag.starts_with("en") {
                return Locale::En;
            }
        }
        Locale::ZhCn
    }
}

pub const LANG_COOKIE: &str = "tousu_lang";

const SOURCES: [(Locale, &str); 3] = [
    (Locale::ZhCn, include_str!("../../i18n/zh-CN.toml")),
    (Locale::ZhTw, include_str!("../../i18n/zh-TW.toml")),
    (Locale::En, include_str!("../../i18n/en.toml")),
];

/// All catalogues, flattened to `section.key` → text.
pub static CATALOGUES: LazyLock<HashMap<Locale, HashMap<String, String>>> = LazyLock::new(|| {
    SOURCES
        .into_iter()
        .map(|(locale, text)| {
            let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| {
                tracing::error!(locale = locale.code(), error = %e, "a message catalogue does not parse");
                toml::Table::new()
            });
            let mut flat = HashMap::new();
            flatten("", &table, &mut flat);
            (locale, flat)
        })
        .collect()
});

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

/// The text for `key`; the key itself when a catalogue lacks it (a test
/// keeps the catalogues complete).
pub fn text(locale: Locale, key: &str) -> String {
    CATALOGUES
        .get(&locale)
        .and_then(|c| c.get(key))
        .or_else(|| CATALOGUES.get(&Locale::ZhCn).and_then(|c| c.get(key)))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_has_every_key_of_the_chinese_one() {
        let zh = &CATALOGUES[&Locale::ZhCn];
        assert!(!zh.is_empty());
        for locale in [Locale::ZhTw, Locale::En] {
            let other = &CATALOGUES[&locale];
            let missing: Vec<_> = zh.keys().filter(|k| !other.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.code());
            let extra: Vec<_> = other.keys().filter(|k| !zh.contains_key(*k)).collect();
            assert!(extra.is_empty(), "{} has keys zh-CN lacks: {extra:?}", locale.code());
        }
    }

    #[test]
    fn every_key_a_template_uses_is_in_the_catalogue() {
        let zh = &CATALOGUES[&Locale::ZhCn];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut missing = Vec::new();
        for entry in walk(&dir) {
            let text = std::fs::read_to_string(&entry).unwrap_or_default();
            // Literal keys only: `t("nav.home")`; `t("role." ~ r)` is checked by the role tests.
            for (i, _) in text.match_indices("t(\"") {
                let rest = &text[i + 3..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if rest[end + 1..].starts_with(')') && !zh.contains_key(key) {
                        missing.push(format!("{}: {key}", entry.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys not in zh-CN.toml: {missing:?}");
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    out.extend(walk(&p));
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    #[test]
    fn the_browser_language_picks_the_catalogue_and_chinese_is_the_default() {
        let mut h = HeaderMap::new();
        assert_eq!(Locale::from_headers(&h), Locale::ZhCn);
        h.insert(axum::http::header::ACCEPT_LANGUAGE, "zh-HK,zh;q=0.9".parse().unwrap());
        assert_eq!(Locale::from_headers(&h), Locale::ZhTw);
        h.insert(axum::http::header::ACCEPT_LANGUAGE, "en-GB,en;q=0.8".parse().unwrap());
        assert_eq!(Locale::from_headers(&h), Locale::En);
        h.insert(axum::http::header::COOKIE, "tousu_lang=zh-CN".parse().unwrap());
        assert_eq!(Locale::from_headers(&h), Locale::ZhCn);
    }
}
