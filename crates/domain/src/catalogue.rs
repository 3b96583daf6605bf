//! 服务目录 — the service catalogue's classes (issue 7): the need a service
//! meets (Herzberg / Kano, DOMAIN.md "Satisfaction") and to whom it is
//! published (publicity control: what is published sets the expectation).

use crate::deadline::Commitment;
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// The need a service meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kano {
    /// 基本需求 — the promised service: failing it angers, meeting it earns nothing.
    #[default]
    Basic,
    /// 期望需求 — satisfaction grows with it.
    Expected,
    /// 惊喜需求 — an unannounced extra: legal, beyond routine, never
    /// advertised, only a little more than expected (000).
    Surprise,
}

impl Kano {
    pub fn label_zh(self) -> &'static str {
        match self {
            Kano::Basic => "基本需求",
            Kano::Expected => "期望需求",
            Kano::Surprise => "惊喜需求",
        }
    }
}

/// To whom a service and its commitment are published.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Publicity {
    /// Every owner: shown on the owners' portal.
    #[default]
    Everyone,
    /// One customer group (别墅业主, VIP …), told through its own channel.
    Group(String),
    /// Nobody: the service is given, never announced.
    Nobody,
}

impl Publicity {
    /// Shown to every owner (on the owners' portal).
    pub fn is_public(&self) -> bool {
        *self == Publicity::Everyone
    }
}

impl TryFrom<String> for Publicity {
    type Error = String;
    fn try_from(s: String) -> Result<Publicity, String> {
        match s.as_str() {
            "everyone" => Ok(Publicity::Everyone),
            "nobody" => Ok(Publicity::Nobody),
            _ => match s.strip_prefix("group:").map(str::trim) {
                Some(group) if !group.is_empty() => Ok(Publicity::Group(group.to_string())),
                _ => Err(format!("published_to is \"everyone\", \"nobody\" or \"group:NAME\", not {s:?}")),
            },
        }
    }
}

impl From<Publicity> for String {
    fn from(p: Publicity) -> String {
        match p {
            Publicity::Everyone => "everyone".into(),
            Publicity::Group(g) => format!("group:{g}"),
            Publicity::Nobody => "nobody".into(),
        }
    }
}

/// A surprise is never advertised (000): one published to anybody is refused.
pub fn check_publicity(c: &Commitment) -> Result<(), DomainError> {
    if c.kano == Kano::Surprise && c.published_to != Publicity::Nobody {
        return Err(DomainError::invalid(
            "commitments",
            format!("惊喜服务「{}」不得对外公布（published_to 应为 \"nobody\"）", c.service),
            format!("surprise service `{}` must not be published (published_to = \"nobody\")", c.service),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline::Span;

    #[test]
    fn publicity_reads_everyone_nobody_or_a_group_and_nothing_else() {
        let p = |s: &str| Publicity::try_from(s.to_string());
        assert_eq!(p("everyone"), Ok(Publicity::Everyone));
        assert_eq!(p("nobody"), Ok(Publicity::Nobody));
        assert_eq!(p("group: 别墅业主"), Ok(Publicity::Group("别墅业主".into())));
        assert!(p("group:").is_err());
        assert!(p("all").is_err());
        assert_eq!(String::from(Publicity::Group("VIP".into())), "group:VIP");
    }

    #[test]
    fn a_surprise_may_only_be_published_to_nobody() {
        let mut c = Commitment::new("birthday_flowers", "生日送花", Span::Days(1));
        c.kano = Kano::Surprise;
        assert!(check_publicity(&c).is_err(), "published to everyone by default");
        c.published_to = Publicity::Group("VIP".into());
        assert!(check_publicity(&c).is_err());
        c.published_to = Publicity::Nobody;
        assert!(check_publicity(&c).is_ok());
        c.kano = Kano::Expected;
        c.published_to = Publicity::Everyone;
        assert!(check_publicity(&c).is_ok());
    }
}
