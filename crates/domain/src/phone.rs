//! Phone numbers as owners give them: mobiles, landlines with an area code,
//! and international numbers. Parsed once into a canonical form, so the same
//! phone typed two ways matches when an owner follows their complaint.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A phone number in canonical form: `13812345678` (mobile), `075512345678`
/// (landline with area code) or `+85291234567` (international).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses what a person typed: spaces, dashes, dots and brackets are
    /// ignored; a `+86`/`0086` prefix on a mainland number is dropped.
    pub fn parse(field: &str, input: &str) -> Result<PhoneNumber, DomainError> {
        let bad = |zh: &str, en: &str| DomainError::invalid(field, zh, en);
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(DomainError::required(field));
        }
        let plus = trimmed.starts_with('+');
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                '+' if i == 0 => {}
                // Full-width digits are common in input from Chinese IMEs.
                '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                _ => {
                    return Err(bad(
                        "电话号码只能包含数字",
                        "a phone number may contain only digits, spaces, dashes and a leading +",
                    ));
                }
            }
        }
        let mainland = if plus && digits.starts_with("86") {
            Some(&digits[2..])
        } else if !plus && digits.starts_with("0086") {
            Some(&digits[4..])
        } else if !plus && digits.len() == 13 && digits.starts_with("86") {
            Some(&digits[2..])
        } else if !plus {
            Some(digits.as_str())
        } else {
            None
        };
        match mainland {
            Some(d) if is_mobile(d) => Ok(PhoneNumber(d.to_string())),
            Some(d) if is_landline(d) => Ok(PhoneNumber(d.to_string())),
            Some(_) => Err(bad(
                "不是有效的手机号或带区号的固定电话",
                "not a valid mobile number or landline with area code",
            )),
            None if (8..=15).contains(&digits.len()) => Ok(PhoneNumber(format!("+{digits}"))),
            None => Err(bad("国际号码位数不正确", "an international number has 8 to 15 digits")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: the first three and last four digits of a mobile,
    /// fewer for shorter numbers, so a caller can be recognised but not dialled.
    pub fn masked(&self) -> String {
        let s: Vec<char> = self.0.chars().collect();
        let (head, tail) = if s.len() >= 11 { (3, 4) } else { (3, 2) };
        let head = head.min(s.len());
        let tail = tail.min(s.len() - head);
        let mut out: String = s[..head].iter().collect();
        out.push_str(&"*".repeat(s.len() - head - tail));
        out.extend(&s[s.len() - tail..]);
        out
    }
}

fn is_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

fn is_landline(d: &str) -> bool {
    // 0 + area code (2–3 digits) + number (7–8 digits).
    d.starts_with('0') && !d.starts_with("00") && (10..=12).contains(&d.len())
}

impl TryFrom<String> for PhoneNumber {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PhoneNumber::parse("phone", &value)
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<PhoneNumber, DomainError> {
        PhoneNumber::parse("customer.phone", s)
    }

    #[test]
    fn a_mobile_number_with_spaces_and_country_code_is_canonical() {
        assert_eq!(parse("+86 138-1234-5678").unwrap().as_str(), "13812345678");
        assert_eq!(parse("0086 13812345678").unwrap().as_str(), "13812345678");
        assert_eq!(parse("８６１３８１２３４５６７８").unwrap().as_str(), "13812345678");
    }

    #[test]
    fn a_landline_with_area_code_is_accepted() {
        assert_eq!(parse("0755-8888 6666").unwrap().as_str(), "075588886666");
    }

    #[test]
    fn an_international_number_keeps_its_plus() {
        assert_eq!(parse("+852 9123 4567").unwrap().as_str(), "+85291234567");
    }

    #[test]
    fn a_phone_number_with_letters_is_rejected() {
        let err = parse("138abc45678").unwrap_err();
        assert_eq!(err.field(), Some("customer.phone"));
    }

    #[test]
    fn a_short_or_made_up_number_is_rejected() {
        assert!(parse("12345").is_err());
        assert!(parse("12812345678").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn a_mobile_is_masked_keeping_three_and_four_digits() {
        assert_eq!(parse("13812345678").unwrap().masked(), "138****5678");
    }

    #[test]
    fn a_landline_is_masked_in_the_middle() {
        assert_eq!(parse("075588886666").unwrap().masked(), "075*****6666");
    }
}
