//! Text normalisation before analysis: full-width → half-width, ASCII
//! lower-case, Traditional → Simplified (OpenCC tables via the `hanconv`
//! crate, Taiwan phrases included), then regional wording (HK/TW/Cantonese →
//! mainland, from the lexicon's `[regional]` table).

use crate::labels::Language;
use aho_corasick::{AhoCorasick, MatchKind};

/// Full-width forms and Chinese punctuation to ASCII; ASCII lower-cased.
pub fn fold_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '。' => '.',
            '、' => ',',
            '“' | '”' | '「' | '」' | '『' | '』' => '"',
            '‘' | '’' => '\'',
            '【' | '〔' => '[',
            '】' | '〕' => ']',
            '—' => '-',
            '…' => '.',
            '〜' => '~',
            c => c,
        };
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Han characters in the text.
fn han_count(text: &str) -> usize {
    text.chars().filter(|c| is_han(*c)).count()
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{2FFFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Traditional → Simplified; returns the text and how many characters changed.
pub fn to_simplified(text: &str) -> (String, usize) {
    if !text.chars().any(is_han) {
        return (text.to_string(), 0);
    }
    let converted = hanconv::hk2s(text);
    let changed = text
        .chars()
        .zip(converted.chars())
        .filter(|(a, b)| a != b)
        .count();
    (converted, changed)
}

/// Replaces regional wording by the mainland words the lexicon uses.
pub struct Regional {
    ac: AhoCorasick,
    to: Vec<String>,
}

impl Regional {
    pub fn new(pairs: &[(String, String)]) -> Self {
        let from: Vec<&str> = pairs.iter().map(|(f, _)| f.as_str()).collect();
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&from)
            .expect("regional table builds");
        Regional {
            ac,
            to: pairs.iter().map(|(_, t)| t.clone()).collect(),
        }
    }

    pub fn apply(&self, text: &str) -> String {
        self.ac.replace_all(text, &self.to)
    }
}

/// The normalised text and the language it was written in.
pub struct Normalised {
    pub text: String,
    pub language: Language,
}

pub fn normalise(raw: &str, regional: &Regional) -> Normalised {
    let folded = fold_width(raw);
    let han = han_count(&folded);
    let letters = folded.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let (simplified, changed) = to_simplified(&folded);
    let language = if han == 0 || (letters > han * 3 && han < 10) {
        Language::En
    } else if changed >= 2 || (changed == 1 && han < 20) {
        Language::ZhHant
    } else {
        Language::ZhHans
    };
    Normalised {
        text: regional.apply(&simplified),
        language,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_case_are_folded() {
        assert_eq!(fold_width("ＡＢＣ１２３！？"), "abc123!?");
        assert_eq!(fold_width("Block A，３栋"), "block a,3栋");
    }

    #[test]
    fn simplified_text_is_left_alone() {
        // a Taiwan-variant table would turn 么 into 幺
        assert_eq!(
            to_simplified("为什么这么慢，怎么回事").0,
            "为什么这么慢，怎么回事"
        );
    }

    #[test]
    fn traditional_becomes_simplified() {
        let (s, changed) = to_simplified("升降機壞了，管理處沒人理");
        assert_eq!(s, "升降机坏了，管理处没人理");
        assert!(changed >= 4);
    }

    #[test]
    fn regional_words_become_mainland_words() {
        let r = Regional::new(&[
            ("升降机".into(), "电梯".into()),
            ("管理处".into(), "物业".into()),
        ]);
        let n = normalise("升降機又壞咗，管理處冇人理", &r);
        assert!(n.text.contains("电梯"), "{}", n.text);
        assert!(n.text.contains("物业"), "{}", n.text);
        assert_eq!(n.language, Language::ZhHant);
    }

    #[test]
    fn english_is_detected() {
        let r = Regional::new(&[]);
        assert_eq!(
            normalise("The lift in Block 3 is broken again", &r).language,
            Language::En
        );
        assert_eq!(normalise("我家漏水了", &r).language, Language::ZhHans);
    }
}
