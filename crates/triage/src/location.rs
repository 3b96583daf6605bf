//! Building and unit named in the text, normalised as the data README says:
//! `N栋` (栋/棟/号楼/幢, Block/Tower N), `X座` (lettered block), HK `第N座` →
//! `N座`; the unit without stairwell (`3栋2单元1801` → `1801`, `18樓B室` →
//! `18B`). Several different buildings → none.

use regex::Regex;

pub struct Locator {
    building: Vec<(Regex, BuildingKind)>,
    unit_after: Regex,
    unit_alone: Vec<Regex>,
}

#[derive(Clone, Copy)]
enum BuildingKind {
    /// 第N座 / 第N栋: keep the suffix
    Ordinal,
    /// digits → N栋
    Numbered,
    /// digits → N座
    NumberedBlock,
    /// letter → X座
    Lettered,
}

/// Where a building was named and how it reads normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub building: Option<String>,
    pub unit: Option<String>,
    pub evidence: Vec<String>,
    pub several_buildings: bool,
}

fn cn_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u32)
            .or(if c == '两' { Some(2) } else { None })
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        _ => None,
    }
}

impl Locator {
    pub fn new() -> Self {
        let r = |p: &str| Regex::new(p).expect("location regex");
        Locator {
            building: vec![
                (
                    r(r"第\s*([0-9]{1,3}|[一二三四五六七八九十两]{1,3})\s*(座|栋|幢|期)"),
                    BuildingKind::Ordinal,
                ),
                (
                    r(r"\b(?:block|tower|blk|bldg|building)\s*\.?\s*(?:no\.?\s*)?([0-9]{1,3})\b"),
                    BuildingKind::Numbered,
                ),
                (
                    r(r"\b(?:block|tower|blk)\s*\.?\s*([a-z])\b"),
                    BuildingKind::Lettered,
                ),
                (
                    r(r"([0-9]{1,3})\s*(?:号楼|号栋|栋|幢|#楼|#)"),
                    BuildingKind::Numbered,
                ),
                (
                    r(r"(?:^|[^a-z])([a-z])\s*(?:座|栋|幢)"),
                    BuildingKind::Lettered,
                ),
                (
                    r(r"(?:^|[^0-9第])([0-9]{1,3})\s*座"),
                    BuildingKind::NumberedBlock,
                ),
            ],
            unit_after: r(
                r"^\s*[-,]?\s*(?:[0-9]{1,2}\s*(?:单元|门|梯|号门)\s*[-,]?\s*)?([0-9]{3,4}|[0-9]{1,2}[a-z])(?:室|房|号|户)?(?:[^0-9a-z元块年月日米平%次天度万千个]|$)",
            ),
            unit_alone: vec![
                r(r"([0-9]{1,2})\s*楼\s*([a-z])\s*(?:室|户|单位)"),
                r(r"\b([0-9]{1,2})\s*/\s*f\b[\s,]*(?:flat|unit|rm|room)?\s*([a-z])\b"),
                r(
                    r"\b(?:flat|unit|room|rm|apt|apartment)\s*\.?\s*#?\s*([0-9]{1,2}[a-z]|[0-9]{3,4}[a-z]?)\b",
                ),
                r(r"\b[0-9]{1,3}-[0-9]{1,2}-([0-9]{3,4})\b"),
                r(r"[0-9]{1,2}\s*单元\s*-?\s*([0-9]{3,4})(?:[^0-9]|$)"),
                r(r"(?:^|[^0-9])([0-9]{3,4})\s*(?:室|房间|号房|房|户)"),
            ],
        }
    }

    pub fn locate(&self, text: &str) -> Place {
        let mut found: Vec<(usize, usize, String)> = Vec::new(); // (start, end, normalised)
        for (re, kind) in &self.building {
            for c in re.captures_iter(text) {
                let whole = c.get(0).unwrap();
                let g = c.get(1).unwrap();
                if found
                    .iter()
                    .any(|(s, e, _)| g.start() < *e && whole.end() > *s)
                {
                    continue;
                }
                let name = match kind {
                    BuildingKind::Ordinal => {
                        let Some(n) = cn_number(g.as_str()) else {
                            continue;
                        };
                        let suffix = c.get(2).map(|m| m.as_str()).unwrap_or("座");
                        if suffix == "期" {
                            continue; // 第二期 is a phase, not a building
                        }
                        format!("{n}{suffix}")
                    }
                    BuildingKind::Numbered => match cn_number(g.as_str()) {
                        Some(n) if n > 0 => format!("{n}栋"),
                        _ => continue,
                    },
                    BuildingKind::NumberedBlock => match cn_number(g.as_str()) {
                        Some(n) if n > 0 => format!("{n}座"),
                        _ => continue,
                    },
                    BuildingKind::Lettered => format!("{}座", g.as_str().to_ascii_uppercase()),
                };
                found.push((g.start(), whole.end(), name));
            }
        }
        found.sort_by_key(|f| f.0);
        let mut distinct: Vec<&str> = Vec::new();
        for f in &found {
            if !distinct.contains(&f.2.as_str()) {
                distinct.push(&f.2);
            }
        }
        let mut evidence = Vec::new();
        let several = distinct.len() > 1;
        let building = if distinct.len() == 1 {
            Some(distinct[0].to_string())
        } else {
            None
        };
        if several {
            evidence.push(format!("several buildings: {}", distinct.join(", ")));
        } else if let Some(b) = &building {
            evidence.push(format!("building: {b}"));
        }
        // unit: right after a building first, then standalone forms
        let mut unit = None;
        for (_, end, _) in &found {
            if let Some(c) = self.unit_after.captures(&text[*end..]) {
                unit = Some(c[1].to_ascii_uppercase());
                break;
            }
        }
        if unit.is_none() {
            for re in &self.unit_alone {
                if let Some(c) = re.captures(text) {
                    let u = if c.len() > 2 && c.get(2).is_some() {
                        format!("{}{}", &c[1], c[2].to_ascii_uppercase())
                    } else {
                        c[1].to_ascii_uppercase()
                    };
                    unit = Some(u);
                    break;
                }
            }
        }
        if let Some(u) = &unit {
            evidence.push(format!("unit: {u}"));
        }
        Place {
            building,
            unit,
            evidence,
            several_buildings: several,
        }
    }
}

impl Default for Locator {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(t: &str) -> (Option<String>, Option<String>) {
        let text = crate::normalize::fold_width(t);
        let (text, _) = crate::normalize::to_simplified(&text);
        let p = Locator::new().locate(&text);
        (p.building, p.unit)
    }

    #[test]
    fn numbered_buildings_and_units() {
        assert_eq!(
            loc("我住7栋1单元2202，楼道灯坏了"),
            (Some("7栋".into()), Some("2202".into()))
        );
        assert_eq!(
            loc("12号楼402的业主"),
            (Some("12栋".into()), Some("402".into()))
        );
        assert_eq!(loc("9幢三楼"), (Some("9栋".into()), None));
        assert_eq!(loc("十一棟1503室"), (None, Some("1503".into())));
        assert_eq!(
            loc("15棟1503室"),
            (Some("15栋".into()), Some("1503".into()))
        );
        assert_eq!(loc("6#楼 电梯"), (Some("6栋".into()), None));
    }

    #[test]
    fn lettered_and_hong_kong_blocks() {
        assert_eq!(
            loc("C座1106漏水"),
            (Some("C座".into()), Some("1106".into()))
        );
        assert_eq!(
            loc("本人住第三座12樓C室"),
            (Some("3座".into()), Some("12C".into()))
        );
        assert_eq!(
            loc("Block 5, Flat 9D, the lift"),
            (Some("5栋".into()), Some("9D".into()))
        );
        assert_eq!(
            loc("Tower B 23/F unit A"),
            (Some("B座".into()), Some("23A".into()))
        );
    }

    #[test]
    fn several_buildings_or_none() {
        assert_eq!(loc("3栋和5栋都停水了").0, None);
        assert_eq!(loc("小区门口的路灯不亮").0, None);
        assert_eq!(loc("8栋电梯坏了，8栋好多人被困").0, Some("8栋".into()));
    }

    #[test]
    fn amounts_and_floors_are_not_units() {
        assert_eq!(loc("2栋多收了1200元").1, None);
        assert_eq!(loc("电梯卡在9楼和10楼之间").1, None);
        assert_eq!(loc("3-2-1801 卫生间").1, Some("1801".into()));
    }
}
