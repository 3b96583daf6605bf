//! Bounded free text. Owners write at length, but not without limit: a
//! description is at most 10,000 characters (characters, not bytes, so
//! Chinese is not penalised).

use crate::error::DomainError;

pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
pub const MAX_SHORT_TEXT_CHARS: usize = 200;
pub const MAX_NAME_CHARS: usize = 50;

/// Trims `value` and checks it is non-empty, free of control characters
/// other than line breaks and tabs, and at most `max` characters long.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(DomainError::required(field));
    }
    bounded(field, trimmed, max)
}

/// Like [`required_text`] for an optional field: blank becomes `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, DomainError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

fn bounded(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let count = value.chars().count();
    if count > max {
        return Err(DomainError::invalid(
            field,
            format!("内容过长：{count} 个字符，最多 {max} 个"),
            format!("too long: {count} characters, at most {max}"),
        ));
    }
    if value.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(DomainError::invalid(field, "包含不可见的控制字符", "contains control characters"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_thousand_chinese_characters_are_accepted_and_one_more_is_not() {
        let ok = "漏".repeat(MAX_DESCRIPTION_CHARS);
        assert!(required_text("description", &ok, MAX_DESCRIPTION_CHARS).is_ok());
        let too_long = "漏".repeat(MAX_DESCRIPTION_CHARS + 1);
        let err = required_text("description", &too_long, MAX_DESCRIPTION_CHARS).unwrap_err();
        assert_eq!(err.field(), Some("description"));
    }

    #[test]
    fn blank_text_is_missing() {
        assert!(required_text("description", "   \n", 10).is_err());
        assert_eq!(optional_text("subject", Some("  "), 10).unwrap(), None);
    }

    #[test]
    fn a_nul_character_is_refused() {
        assert!(required_text("description", "a\u{0}b", 10).is_err());
    }
}
