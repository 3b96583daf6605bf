//! A person's query as the index reads it: clauses (words, or a "quoted
//! phrase"), each word matching its synonyms, each in the words or as an
//! exact run of grams; every clause must match.

use crate::analysis::{indexed_word, known_word, normalise, query_grams, query_pieces};
use crate::error::SearchError;
use crate::synonyms::Synonyms;
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

/// The longest query accepted.
pub const MAX_QUERY_CHARS: usize = 200;

/// The fields a query looks in: the text's words and grams, and (for those
/// who may see it) the personal data's.
#[derive(Debug, Clone, Copy)]
pub struct TextFields {
    pub words: Field,
    pub grams: Field,
    pub personal_words: Field,
    pub personal_grams: Field,
}

/// A query's clauses, normalised; empty when nothing in it can match
/// (only punctuation, only spaces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Each clause: a quoted phrase kept whole (`phrase`), or one word.
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// Words to find in any order (jieba's words of an unquoted part).
    Word(String),
    /// A quoted part: its exact run of grams.
    Phrase(String),
}

impl ParsedQuery {
    /// Parses `q`: too long is an error, an unbalanced quote is taken as a
    /// space, and what cannot match is left out.
    pub fn parse(q: &str) -> Result<ParsedQuery, SearchError> {
        let n = q.chars().count();
        if n > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong(n));
        }
        let norm = normalise(q);
        let quotes = norm.matches('"').count();
        let mut clauses = Vec::new();
        for (i, part) in norm.split('"').enumerate() {
            // Odd parts are inside quotes, when the quotes pair up.
            let quoted = i % 2 == 1 && (quotes % 2 == 0 || i < quotes);
            if quoted && !query_grams(part).is_empty() {
                clauses.push(Clause::Phrase(part.trim().to_string()));
                continue;
            }
            for c in part.split_whitespace().flat_map(unquoted_clauses) {
                if !clauses.contains(&c) {
                    clauses.push(c);
                }
            }
        }
        Ok(ParsedQuery { clauses })
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// Every string a highlight should mark: the clauses and their synonyms.
    pub fn highlights(&self, synonyms: &Synonyms) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.clauses {
            let words = match c {
                Clause::Word(w) => synonyms.expand(w),
                Clause::Phrase(p) => vec![p.clone()],
            };
            for w in words {
                if !out.contains(&w) {
                    out.push(w);
                }
            }
        }
        // Longest first, so that a longer match wins where two overlap.
        out.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        out
    }

    /// The tantivy query: every clause must match; a clause matches one of
    /// its words (with synonyms) as a word or as an exact run of grams, in
    /// the text or, when `personal`, in the personal data.
    pub fn to_query(&self, f: TextFields, synonyms: &Synonyms, personal: bool) -> Option<Box<dyn Query>> {
        if self.clauses.is_empty() {
            return None;
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for c in &self.clauses {
            let alternatives = match c {
                Clause::Word(w) => synonyms.expand(w),
                Clause::Phrase(p) => vec![p.clone()],
            };
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for a in &alternatives {
                let mut fields = vec![(f.words, f.grams)];
                if personal {
                    fields.push((f.personal_words, f.personal_grams));
                }
                for (words, grams) in fields {
                    if matches!(c, Clause::Word(_)) {
                        let term = Term::from_field_text(words, &indexed_word(a));
                        any.push((Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))));
                    }
                    // A word the dictionary knows is in the words field; the
                    // grams are for what it does not know (fragments,
                    // unit strings, new words) and for quoted runs.
                    let word_only = matches!(c, Clause::Word(_)) && known_word(a);
                    if !word_only && let Some(q) = grams_query(grams, a) {
                        any.push((Occur::Should, q));
                    }
                }
            }
            must.push((Occur::Must, any_of(any)));
        }
        Some(if must.len() == 1 { must.remove(0).1 } else { Box::new(BooleanQuery::new(must)) })
    }
}

/// The clauses of an unquoted part: each word; but pieces jieba could not
/// make words of (single characters, digit or letter runs) that follow one
/// another are kept together as one run — 3栋1801, B座, 修了三 are what was
/// written, in that order, not three words found anywhere.
fn unquoted_clauses(part: &str) -> Vec<Clause> {
    let mut out = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut Vec<Clause>| {
        match run.len() {
            0 => {}
            1 => out.push(Clause::Word(run.remove(0))),
            _ => out.push(Clause::Phrase(run.concat())),
        }
        run.clear();
    };
    for piece in query_pieces(part) {
        match piece {
            Some(w) if is_fragment(&w) => run.push(w),
            Some(w) => {
                flush(&mut run, &mut out);
                out.push(Clause::Word(w));
            }
            None => flush(&mut run, &mut out),
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A piece no dictionary word covers: one Han character, or a run of
/// digits, or one letter.
fn is_fragment(piece: &str) -> bool {
    let mut chars = piece.chars();
    let one = chars.clone().count() == 1;
    (one && piece.chars().all(|c| c.is_alphanumeric())) || chars.all(|c| c.is_ascii_digit())
}

/// One of `alternatives`: kept flat (a lone term, or a union of terms) so
/// that tantivy can prune its top-k with block-max WAND.
fn any_of(mut alternatives: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    if alternatives.len() == 1 { alternatives.remove(0).1 } else { Box::new(BooleanQuery::new(alternatives)) }
}

/// An exact run of grams (one gram: a term).
fn grams_query(field: Field, text: &str) -> Option<Box<dyn Query>> {
    let grams = query_grams(text);
    match grams.len() {
        0 => None,
        1 => Some(Box::new(TermQuery::new(Term::from_field_text(field, &grams[0].1), IndexRecordOption::WithFreqs))),
        _ => Some(Box::new(PhraseQuery::new_with_offset(
            grams.into_iter().map(|(offset, g)| (offset, Term::from_field_text(field, &g))).collect(),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<Clause> {
        ParsedQuery::parse(q).expect("parsed").clauses
    }

    #[test]
    fn words_quotes_and_punctuation() {
        assert_eq!(words("维修电梯"), vec![Clause::Word("维修".into()), Clause::Word("电梯".into())]);
        assert_eq!(words("\"3栋1801\" 漏水"), vec![Clause::Phrase("3栋1801".into()), Clause::Word("漏水".into())]);
        assert!(words("？？！！。。").is_empty(), "only punctuation matches nothing");
        // An unbalanced quote is a space.
        assert_eq!(words("漏水\"楼上"), vec![Clause::Word("漏水".into()), Clause::Word("楼上".into())]);
        assert!(matches!(ParsedQuery::parse(&"漏".repeat(10_000)), Err(SearchError::QueryTooLong(10_000))));
    }
}
