//! Is a new complaint the same issue again? Text similarity over character
//! bigrams (Chinese has no spaces; bigrams catch 漏水/渗水-style rewording
//! better than words and need no dictionary). Used with the same customer
//! and unit within a window (default 90 days) to link repeats.

use std::collections::HashSet;

/// Similarity at or above which two texts from the same customer and unit
/// are taken as the same issue.
pub const SAME_ISSUE: f64 = 0.2;

fn bigrams(text: &str) -> HashSet<(char, char)> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Jaccard similarity of the two texts' character bigrams, from 0 to 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (bigrams(a), bigrams(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(&b).count() as f64;
    shared / a.union(&b).count() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_leak_told_again_is_similar() {
        let first = "卫生间顶上滴水，楼上防水有问题，请尽快维修";
        let again = "卫生间顶上又开始滴水了，上次修过还是漏，楼上防水的问题";
        assert!(similarity(first, again) >= SAME_ISSUE, "{}", similarity(first, again));
    }

    #[test]
    fn a_different_issue_is_not() {
        let leak = "卫生间顶上滴水，楼上防水有问题";
        let fee = "物业费比去年多收了两百元，请解释";
        assert!(similarity(leak, fee) < SAME_ISSUE, "{}", similarity(leak, fee));
    }

    #[test]
    fn identical_texts_are_fully_similar_and_empty_ones_not_at_all() {
        assert_eq!(similarity("电梯坏了", "电梯坏了"), 1.0);
        assert_eq!(similarity("", "电梯坏了"), 0.0);
    }
}
