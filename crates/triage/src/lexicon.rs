//! The lexicon (data/lexicon.toml): groups of terms that add weighted
//! signals. One Aho-Corasick pass finds every term (overlapping), then each
//! hit is checked for word boundaries (ASCII; jieba words for flagged
//! single characters) and negation (没/不/未/无 … just before).

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
struct RawLexicon {
    #[serde(default)]
    regional: HashMap<String, String>,
    #[serde(default)]
    g: Vec<RawGroup>,
}

#[derive(Debug, Deserialize)]
struct RawGroup {
    s: Vec<String>,
    t: Vec<String>,
    #[serde(default)]
    neg: bool,
    #[serde(default)]
    negwant: bool,
    #[serde(default)]
    word: bool,
}

#[derive(Debug)]
struct Group {
    signals: Vec<(usize, f32)>,
    neg: bool,
    negwant: bool,
    word: bool,
    /// an event group: a hypothetical (万一, 差点 …) cancels it too
    event: bool,
}

#[derive(Debug)]
struct Term {
    text: String,
    group: usize,
    ascii: bool,
    prefix: bool,
}

/// Compiled lexicon.
pub struct Lexicon {
    ac: AhoCorasick,
    terms: Vec<Term>,
    groups: Vec<Group>,
    names: Vec<String>,
    ids: HashMap<String, usize>,
    pub regional: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("lexicon: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("lexicon: bad signal `{0}`")]
    Signal(String),
    #[error("lexicon: {0}")]
    Build(String),
}

impl Lexicon {
    pub fn parse(toml_text: &str) -> Result<Self, LexiconError> {
        let raw: RawLexicon = toml::from_str(toml_text)?;
        let mut names = Vec::new();
        let mut ids = HashMap::new();
        let mut groups = Vec::new();
        let mut terms = Vec::new();
        for g in raw.g {
            let mut signals = Vec::new();
            for s in &g.s {
                let (name, w) = match s.rsplit_once(':') {
                    Some((n, w)) => (
                        n,
                        w.parse::<f32>()
                            .map_err(|_| LexiconError::Signal(s.clone()))?,
                    ),
                    None => (s.as_str(), 1.0),
                };
                let id = *ids.entry(name.to_string()).or_insert_with(|| {
                    names.push(name.to_string());
                    names.len() - 1
                });
                signals.push((id, w));
            }
            let gi = groups.len();
            let event = g.s.iter().any(|x| x.starts_with("ev."));
            groups.push(Group {
                signals,
                neg: g.neg,
                negwant: g.negwant,
                word: g.word,
                event,
            });
            for t in g.t {
                let t = crate::normalize::fold_width(&t);
                let (text, prefix) = match t.strip_suffix('*') {
                    Some(p) => (p.to_string(), true),
                    None => (t, false),
                };
                if text.is_empty() {
                    continue;
                }
                let ascii = text
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric());
                terms.push(Term {
                    text,
                    group: gi,
                    ascii,
                    prefix,
                });
            }
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(terms.iter().map(|t| t.text.as_str()))
            .map_err(|e| LexiconError::Build(e.to_string()))?;
        let mut regional: Vec<(String, String)> = raw.regional.into_iter().collect();
        regional.sort();
        Ok(Lexicon {
            ac,
            terms,
            groups,
            names,
            ids,
            regional,
        })
    }

    pub fn signal_id(&self, name: &str) -> Option<usize> {
        self.ids.get(name).copied()
    }

    pub fn signal_names(&self) -> &[String] {
        &self.names
    }

    /// Finds every term in `text` (already normalised). `word_bounds` are the
    /// byte offsets where jieba words start or end.
    pub fn scan(&self, text: &str, word_bounds: &[usize]) -> Hits {
        let mut hits = Hits {
            scores: vec![0.0; self.names.len()],
            found: Vec::new(),
        };
        let bytes = text.as_bytes();
        // distinct terms per group, for diminishing returns
        let mut per_group: Vec<(usize, usize)> = Vec::new();
        let mut seen_terms: Vec<usize> = Vec::new();
        for m in self.ac.find_overlapping_iter(text) {
            let ti = m.pattern().as_usize();
            let term = &self.terms[ti];
            let group = &self.groups[term.group];
            let (s, e) = (m.start(), m.end());
            if term.ascii {
                let before_ok = s == 0 || !bytes[s - 1].is_ascii_alphanumeric();
                let after_ok = term.prefix || e >= bytes.len() || !bytes[e].is_ascii_alphanumeric();
                if !before_ok || !after_ok {
                    continue;
                }
            }
            if group.word
                && !(word_bounds.binary_search(&s).is_ok() && word_bounds.binary_search(&e).is_ok())
            {
                continue;
            }
            if group.neg && negated(&text[..s], term.ascii) {
                continue;
            }
            if group.neg && group.event && hypothetical(&text[..s]) {
                continue;
            }
            if group.negwant && negated_wish(&text[..s], term.ascii) {
                continue;
            }
            if seen_terms.contains(&ti) {
                continue;
            }
            seen_terms.push(ti);
            let n = match per_group.iter_mut().find(|(g, _)| *g == term.group) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    per_group.push((term.group, 1));
                    1
                }
            };
            // first term counts fully, the second half, later ones not at all
            let factor = match n {
                1 => 1.0,
                2 => 0.5,
                _ => 0.0,
            };
            for &(sig, w) in &group.signals {
                hits.scores[sig] += w * factor;
                hits.found.push(Found {
                    signal: sig,
                    term: ti,
                    start: s,
                    weight: w * factor,
                });
            }
        }
        hits
    }

    pub fn term(&self, i: usize) -> &str {
        &self.terms[i].text
    }

    pub fn name(&self, sig: usize) -> &str {
        &self.names[sig]
    }
}

/// One term found: which signal it fed, where.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub signal: usize,
    pub term: usize,
    pub start: usize,
    pub weight: f32,
}

/// The signals found in one text.
#[derive(Debug, Clone)]
pub struct Hits {
    pub scores: Vec<f32>,
    pub found: Vec<Found>,
}

const NEGATORS_ZH: [&str; 12] = [
    "没有", "没", "不", "未", "无", "别", "非", "并无", "毫无", "不是", "不用", "免得",
];
const NEG_TAILS_ZH: [&str; 16] = [
    "",
    "人",
    "有",
    "有人",
    "人员",
    "被",
    "要",
    "要求",
    "需要",
    "用",
    "是",
    "是要",
    "是为了",
    "图",
    "求",
    "想要",
];

/// Is the term just after `before` negated? Looks back over at most a few
/// characters, never across punctuation: `没有人被困`, `不要求赔偿`, `no one trapped`.
pub fn negated(before: &str, ascii: bool) -> bool {
    if ascii {
        let tail: String = before
            .chars()
            .rev()
            .take(16)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let words: Vec<&str> = tail
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
            .filter(|w| !w.is_empty())
            .collect();
        let last2 = &words[words.len().saturating_sub(2)..];
        return last2.iter().any(|w| {
            matches!(
                *w,
                "no" | "not"
                    | "nobody"
                    | "never"
                    | "without"
                    | "isn't"
                    | "wasn't"
                    | "don't"
                    | "didn't"
            )
        });
    }
    let tail: String = {
        let mut v: Vec<char> = Vec::new();
        for c in before.chars().rev() {
            if v.len() >= 6
                || c.is_ascii_punctuation()
                || c.is_whitespace()
                || matches!(c, '，' | '。' | '！' | '？' | '；' | '：')
            {
                break;
            }
            v.push(c);
        }
        v.into_iter().rev().collect()
    };
    // questions are not negations: 是不是着火了, 有没有人被困, 会不会漏电
    if ["是不是", "有没有", "会不会", "能不能", "要不要"]
        .iter()
        .any(|q| tail.contains(q))
    {
        return false;
    }
    for n in NEGATORS_ZH {
        for t in NEG_TAILS_ZH {
            let pat = format!("{n}{t}");
            if tail.ends_with(&pat) {
                // "不" inside a longer word that is not a negation (e.g. 不停, 不断) is not reached here:
                // the term follows the negator directly or after one of the tails above.
                return true;
            }
        }
    }
    false
}

/// Is the event only imagined: 万一着火, 差点砸到人, 要是有人被困, if there were a fire.
pub fn hypothetical(before: &str) -> bool {
    let mut clause: Vec<char> = Vec::new();
    for c in before.chars().rev() {
        if clause.len() >= 12
            || matches!(
                c,
                ',' | '.' | '!' | '?' | ';' | '，' | '。' | '！' | '？' | '；'
            )
        {
            break;
        }
        clause.push(c);
    }
    let clause: String = clause.into_iter().rev().collect();
    const MARKERS: [&str; 22] = [
        "万一",
        "差点",
        "差一点",
        "险些",
        "要是",
        "如果",
        "假如",
        "一旦",
        "担心",
        "会不会",
        "迟早",
        "以免",
        "防止",
        "避免",
        "容易",
        "可能会",
        "就怕",
        "生怕",
        "if ",
        "in case",
        "nearly",
        "almost",
    ];
    MARKERS.iter().any(|m| clause.contains(m))
}

/// Is a wish negated just before: 不要赔偿, 不是为了补偿, 不图退款, not asking for a refund.
pub fn negated_wish(before: &str, ascii: bool) -> bool {
    let tail: String = before
        .chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if ascii {
        return [
            "not asking for ",
            "not looking for ",
            "don't want ",
            "do not want ",
            "not about ",
            "no need for ",
            "not for ",
        ]
        .iter()
        .any(|p| tail.ends_with(p) || tail.ends_with(p.trim_end()));
    }
    const WISH_NEG: [&str; 17] = [
        "不要",
        "不要求",
        "不需要",
        "不用",
        "不想要",
        "不是要",
        "不是为了",
        "不为",
        "不图",
        "不求",
        "无需",
        "并非",
        "没要",
        "不奢望",
        "不指望",
        "不是来要",
        "不是想要",
    ];
    let tail = tail.trim_end_matches(['什', '么', '任', '何', '你', '们', '的', '钱', '一', '分']);
    WISH_NEG.iter().any(|n| tail.ends_with(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_looks_back_a_little() {
        assert!(negated("没有人", false));
        assert!(negated("今天没有人员", false));
        assert!(negated("我们不要求", false));
        assert!(!negated("电梯不动了,", false));
        assert!(!negated("电梯不动了", false));
        assert!(!negated("有没有人", false));
        assert!(hypothetical("太危险了,万一"));
        assert!(hypothetical("昨天差点"));
        assert!(!hypothetical("万一坏了怎么办,现在"));
        assert!(negated("there is no one ", true));
        assert!(!negated("the lift ", true));
    }

    #[test]
    fn groups_add_signals_with_boundaries() {
        let lex = Lexicon::parse(
            r#"
[[g]]
s = ["a:2", "b"]
t = ["漏水", "leak*"]
[[g]]
s = ["c"]
neg = true
t = ["被困", "fire"]
"#,
        )
        .unwrap();
        let h = lex.scan("厨房漏水,leaking,没有人被困,firewall", &[]);
        assert_eq!(h.scores[lex.signal_id("a").unwrap()], 3.0); // 漏水 + leak (half)
        assert_eq!(h.scores[lex.signal_id("c").unwrap()], 0.0); // negated; firewall is not fire
    }
}
