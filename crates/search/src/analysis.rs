//! How text becomes searchable: folded to half-width, lower-case and
//! Simplified (so 電梯 finds 电梯), then read two ways —
//!
//! - **words** ([`WORDS`]): jieba's search-mode segmentation (电梯维修 →
//!   电梯, 维修), English words stemmed, so word order does not matter;
//! - **grams** ([`GRAMS`]): every Han character and every pair of adjacent
//!   ones, and runs of letters or digits, each at its character position,
//!   so unknown words, fragments and unit strings (3栋1801, B座) are found
//!   by position (a phrase of grams is an exact substring).
//!
//! The analyzers read text already normalised ([`normalise`], once per
//! document and per query: the Traditional → Simplified tables are the
//! costly part); snippets map back to the original text themselves
//! (`crate::index::snippet`), one normalised character for each original one.

use jieba_rs::{Jieba, TokenizeMode};
use std::sync::LazyLock;
use tantivy::tokenizer::{Language, LowerCaser, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};
use tousu_triage::normalize::{fold_width, is_han, to_simplified};

/// The words analyzer's name in the index.
pub const WORDS: &str = "tousu_words";
/// The grams analyzer's name in the index.
pub const GRAMS: &str = "tousu_grams";

/// jieba's dictionary, with the built-in synonyms' words added: a synonym
/// jieba does not know (升降机, 物管费) would otherwise only match as a
/// phrase over its grams, which costs positions on every match and keeps
/// tantivy from pruning a common word's union of terms.
static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    for word in crate::synonyms::builtin_words() {
        if word.chars().count() >= 2 && word.chars().all(is_han) && !jieba.has_word(&word) {
            jieba.add_word(&word, None, None);
        }
    }
    jieba
});

/// The text as the index reads it, one character for each of the original's.
pub fn normalise_chars(text: &str) -> Vec<char> {
    let folded = fold_width(text);
    let (simplified, _) = to_simplified(&folded);
    let count = text.chars().count();
    if simplified.chars().count() == count {
        simplified.chars().collect()
    } else {
        // A phrase changed length: convert character by character instead,
        // keeping one normalised character per original one.
        folded.chars().map(|c| to_simplified(&c.to_string()).0.chars().next().unwrap_or(c)).collect()
    }
}

/// The normalised text.
pub fn normalise(text: &str) -> String {
    normalise_chars(text).into_iter().collect()
}

/// Letters and digits (ASCII after folding): read as runs.
fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Byte offsets of each character of `text`, and the end.
fn char_offsets(text: &str) -> Vec<usize> {
    let mut at: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    at.push(text.len());
    at
}

fn stream(tokens: Vec<Token>) -> VecTokenStream {
    VecTokenStream { tokens, index: 0 }
}

/// A token stream over tokens made up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index.saturating_sub(1).min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.index.saturating_sub(1).min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

fn token(text: String, from: usize, to: usize, position: usize, offsets: &[usize]) -> Token {
    Token { offset_from: offsets[from], offset_to: offsets[to], position, text, position_length: 1 }
}

/// jieba's words of the normalised text (search mode: long words and their parts).
#[derive(Clone, Default)]
pub struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let chars: Vec<char> = text.chars().collect();
        let offsets = char_offsets(text);
        let mut tokens = Vec::new();
        for (position, t) in JIEBA.tokenize(text, TokenizeMode::Search, false).into_iter().enumerate() {
            if !t.word.chars().any(|c| is_han(c) || is_alnum(c)) {
                continue;
            }
            let (from, to) = (t.start.min(chars.len()), t.end.min(chars.len()));
            tokens.push(token(t.word.to_string(), from, to, position, &offsets));
        }
        stream(tokens)
    }
}

/// Han unigrams and bigrams, and letter or digit runs, at character positions.
#[derive(Clone, Default)]
pub struct GramTokenizer;

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let chars: Vec<char> = text.chars().collect();
        let offsets = char_offsets(text);
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if is_han(c) {
                tokens.push(token(c.to_string(), i, i + 1, i, &offsets));
                if let Some(&next) = chars.get(i + 1).filter(|n| is_han(**n)) {
                    tokens.push(token([c, next].iter().collect(), i, i + 2, i, &offsets));
                }
                i += 1;
            } else if is_alnum(c) {
                let start = i;
                while i < chars.len() && is_alnum(chars[i]) {
                    i += 1;
                }
                tokens.push(token(chars[start..i].iter().collect(), start, i, start, &offsets));
            } else {
                i += 1;
            }
        }
        stream(tokens)
    }
}

/// The words analyzer: jieba words, lower-cased, English stemmed.
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer).filter(LowerCaser).filter(Stemmer::new(Language::English)).build()
}

/// The grams analyzer.
pub fn grams_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(GramTokenizer).build()
}

/// The query's words (jieba's ordinary segmentation of the normalised
/// query), punctuation left out.
pub fn query_words(normalised: &str) -> Vec<String> {
    query_pieces(normalised).into_iter().flatten().collect()
}

/// jieba's pieces of a query part, in order: a word, or `None` where
/// something that is no word (punctuation) stood between.
pub fn query_pieces(normalised: &str) -> Vec<Option<String>> {
    JIEBA
        .cut(normalised, true)
        .into_iter()
        .map(|t| t.word.chars().any(|c| is_han(c) || is_alnum(c)).then(|| t.word.to_string()))
        .collect()
}

/// The grams a query string must have in a row, with their offsets: Han
/// bigrams (a lone Han character as itself) and letter or digit runs.
pub fn query_grams(normalised: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = normalised.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            if i - start == 1 {
                out.push((start, c.to_string()));
            } else {
                for j in start..i - 1 {
                    out.push((j, [chars[j], chars[j + 1]].iter().collect()));
                }
            }
        } else if is_alnum(c) {
            let start = i;
            while i < chars.len() && is_alnum(chars[i]) {
                i += 1;
            }
            out.push((start, chars[start..i].iter().collect()));
        } else {
            i += 1;
        }
    }
    // Offsets relative to the first gram.
    let first = out.first().map_or(0, |(p, _)| *p);
    out.into_iter().map(|(p, g)| (p - first, g)).collect()
}

/// Whether the dictionary knows the word (two Han characters or more): the
/// words field then finds it, and its grams need not be matched as well.
pub fn known_word(word: &str) -> bool {
    word.chars().count() >= 2 && word.chars().all(is_han) && JIEBA.has_word(word)
}

/// A word as the words analyzer indexes it (lower-case, stemmed).
pub fn indexed_word(word: &str) -> String {
    let mut analyzer = words_analyzer();
    let mut s = analyzer.token_stream(word);
    let mut out = Vec::new();
    while s.advance() {
        out.push(s.token().text.clone());
    }
    if out.len() == 1 { out.remove(0) } else { word.to_lowercase() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(mut a: TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let t = s.token();
            out.push((t.text.clone(), t.position, t.offset_from));
        }
        out
    }

    #[test]
    fn traditional_and_full_width_text_is_read_as_simplified_one_character_for_one() {
        assert_eq!(normalise("電梯ＡＢＣ１８０１"), "电梯abc1801");
        assert_eq!(normalise_chars("電梯壞了").len(), 4);
        let words = texts(words_analyzer(), &normalise("電梯壞了"));
        assert!(words.iter().any(|(w, _, from)| w == "电梯" && *from == 0), "{words:?}");
        let grams = texts(grams_analyzer(), &normalise("Ｂ座1801"));
        assert_eq!(grams, vec![("b".into(), 0, 0), ("座".into(), 1, 1), ("1801".into(), 2, 4)]);
    }

    #[test]
    fn han_text_gives_unigrams_and_bigrams_at_character_positions() {
        let grams = texts(grams_analyzer(), "电梯维修");
        let bigrams: Vec<_> =
            grams.iter().filter(|(g, _, _)| g.chars().count() == 2).map(|(g, p, _)| (g.as_str(), *p)).collect();
        assert_eq!(bigrams, vec![("电梯", 0), ("梯维", 1), ("维修", 2)]);
        assert_eq!(query_grams("梯维修"), vec![(0, "梯维".to_string()), (1, "维修".to_string())]);
        assert_eq!(query_grams("3栋1801"), vec![(0, "3".to_string()), (1, "栋".to_string()), (2, "1801".to_string())]);
    }

    #[test]
    fn english_words_are_stemmed_and_punctuation_is_no_word() {
        assert_eq!(indexed_word("Leaking"), "leak");
        assert!(query_words("？！，。").is_empty());
        assert_eq!(query_words("维修电梯"), vec!["维修", "电梯"]);
    }
}
