//! Masking of personal data (DOMAIN.md "Confidentiality"): complainants'
//! names, phones and addresses are masked by default in every response and
//! revealed only on an explicit, recorded request.

use serde::{Deserialize, Serialize};

/// A piece of personal data that can be revealed on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PersonalField {
    Name,
    Phone,
    Unit,
}

impl PersonalField {
    pub const ALL: [PersonalField; 3] = [PersonalField::Name, PersonalField::Phone, PersonalField::Unit];
}

/// `张**`: the family name stays so staff can address the customer politely
/// (张先生/张女士); the rest is hidden.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
    }
}

/// `1***`: the unit (room) number identifies a household, so only its first
/// character stays; the building and project remain visible for routing.
pub fn mask_unit(unit: &str) -> String {
    mask_name(unit)
}

/// Masks long digit runs (11 digits or more: mobiles, ID card and bank card
/// numbers) that owners often write into the description itself. A run may
/// be split by single spaces or dashes (`138 1234 5678`, `138-1234-5678`)
/// and may use full-width digits (`１３８…`, from Chinese input methods):
/// the first three and last four digits stay, the separators too.
pub fn mask_digits_in_text(text: &str) -> String {
    map_digit_runs(text, 11, |run, out| {
        let digits = run.iter().filter(|c| is_digit(**c)).count();
        let mut seen = 0;
        for &c in run {
            if is_digit(c) {
                seen += 1;
                out.push(if seen <= 3 || seen > digits - 4 { c } else { '*' });
            } else {
                out.push(c);
            }
        }
    })
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// Copies `text`, handing every run of at least `min_digits` digits (ASCII
/// or full-width, single spaces or dashes between them) to `write` instead.
pub(crate) fn map_digit_runs(text: &str, min_digits: usize, mut write: impl FnMut(&[char], &mut String)) -> String {
    let is_separator = |c: char| c == ' ' || c == '-';
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i + 1;
        loop {
            if end < chars.len() && is_digit(chars[end]) {
                end += 1;
            } else if end + 1 < chars.len() && is_separator(chars[end]) && is_digit(chars[end + 1]) {
                end += 2;
            } else {
                break;
            }
        }
        let run = &chars[i..end];
        if run.iter().filter(|c| is_digit(**c)).count() >= min_digits {
            write(run, &mut out);
        } else {
            out.extend(run);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_three_character_name_keeps_the_family_name() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("王"), "王*");
    }

    #[test]
    fn a_unit_keeps_only_its_first_character() {
        assert_eq!(mask_unit("1801"), "1***");
    }

    #[test]
    fn a_mobile_number_inside_a_description_is_masked() {
        assert_eq!(
            mask_digits_in_text("请打13812345678联系我，3栋1801"),
            "请打138****5678联系我，3栋1801"
        );
    }

    #[test]
    fn a_mobile_number_split_by_spaces_or_dashes_or_typed_full_width_is_masked() {
        assert_eq!(mask_digits_in_text("电话 138 1234 5678。"), "电话 138 **** 5678。");
        assert_eq!(mask_digits_in_text("电话138-1234-5678"), "电话138-****-5678");
        assert_eq!(mask_digits_in_text("电话１３８１２３４５６７８"), "电话１３８****５６７８");
    }

    #[test]
    fn short_numbers_dates_and_units_stay() {
        for text in ["3栋 1801 室", "2026-11-23 10:00", "18 楼 02 号", "共 3 次"] {
            assert_eq!(mask_digits_in_text(text), text);
        }
    }
}
