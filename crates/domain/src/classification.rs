//! The label sets of DOMAIN.md "Classification" that the core lifecycle uses:
//! intake channel, category, severity and the remedies of 002.

use serde::{Deserialize, Serialize};

macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in the API and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)+ }
            }
            /// Parses the stable code; the error lists the accepted codes.
            pub fn parse(s: &str) -> Result<Self, crate::error::DomainError> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(crate::error::DomainError::invalid(
                        $what,
                        format!("「{}」不是有效的取值，可选：{}", s, [$($code),+].join(", ")),
                        format!("`{}` is not valid; expected one of {}", s, [$($code),+].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

labelled_enum! {
    /// Where a complaint came in (受理渠道).
    Channel, "channel" {
        Phone = "phone", "电话", "phone";
        Wechat = "wechat", "微信/H5", "WeChat / H5";
        Web = "web", "网站", "web";
        App = "app", "App", "app";
        Email = "email", "电子邮件", "email";
        Letter = "letter", "信函", "letter";
        Fax = "fax", "传真", "fax";
        FrontDesk = "front_desk", "前台", "front desk";
        Api = "api", "接口", "API";
    }
}

labelled_enum! {
    /// What the complaint is about (投诉类别, 002).
    Category, "category" {
        /// 设施设备: design defects, leaks, cracks, lifts, supply equipment.
        Facilities = "facilities", "设施设备", "facilities";
        /// 管理服务: staff, security, cleaning, greenery, noise, parking.
        Service = "service", "管理服务", "service";
        /// 收费: fees, apportionments, special repair charges.
        Fees = "fees", "收费", "fees";
        /// 突发事件: outages, people trapped in lifts, flooding, theft.
        Emergency = "emergency", "突发事件", "emergency";
        /// 咨询: a question, not a complaint.
        Consultation = "consultation", "咨询", "consultation";
    }
}

labelled_enum! {
    /// How serious a complaint is (003): it picks the handling procedure.
    Severity, "severity" {
        /// 一般投诉.
        General = "general", "一般", "general";
        /// 重大投诉: safety hazard, many households, legal risk.
        Major = "major", "重大", "major";
        /// 危机事件: casualties, media exposure, mass incident.
        Crisis = "crisis", "危机", "crisis";
    }
}

labelled_enum! {
    /// A remedy a customer may ask for (002; ISO 10002 "remedy sought").
    Remedy, "remedies" {
        Apology = "apology", "道歉", "apology";
        Repair = "repair", "维修", "repair";
        Refund = "refund", "退款", "refund";
        Discount = "discount", "折扣", "discount";
        FeeWaiver = "fee_waiver", "减免费用", "fee waiver";
        Gift = "gift", "礼品", "gift";
        Other = "other", "其他", "other";
    }
}

labelled_enum! {
    /// How a callback (回访) was made.
    CallbackMethod, "method" {
        Phone = "phone", "电话回访", "phone";
        Visit = "visit", "上门回访", "visit";
        Message = "message", "短信/微信回访", "message";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_channel_parses_from_its_code() {
        assert_eq!(Channel::parse("front_desk").unwrap(), Channel::FrontDesk);
    }

    #[test]
    fn an_unknown_severity_is_rejected_naming_the_field_and_the_choices() {
        let err = Severity::parse("catastrophic").unwrap_err();
        assert_eq!(err.field(), Some("severity"));
        assert!(err.message_en().contains("general, major, crisis"));
    }
}
