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
/// numbers) that owners often write into the description itself.
pub fn mask_digits_in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let n = run.chars().count();
        if n >= 11 {
            let chars: Vec<char> = run.chars().collect();
            out.extend(&chars[..3]);
            out.push_str(&"*".repeat(n - 7));
            out.extend(&chars[n - 4..]);
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
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
}
