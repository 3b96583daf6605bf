//! The label sets triage produces (DOMAIN.md "Classification", data README).

use serde::{Deserialize, Serialize};
pub use tousu_domain::{Category, Severity};

macro_rules! label_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code (the data file's value).
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $code,)+ } }
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh,)+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($code => Some($name::$variant),)+ _ => None } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

label_enum! {
    /// The 7 aspects of service quality (002), for `service` complaints.
    ServiceAspect {
        Safety = "safety", "安全";
        Consistency = "consistency", "一致";
        Attitude = "attitude", "态度";
        Completeness = "completeness", "完整";
        Environment = "environment", "环境";
        Convenience = "convenience", "方便";
        Timeliness = "timeliness", "时间";
    }
}

label_enum! {
    /// The customer's dominant motive (001, 003).
    Psychology {
        Respect = "respect", "求尊重";
        Venting = "venting", "求发泄";
        Compensation = "compensation", "求补偿";
        Evading = "evading", "逃避责任";
        Hostile = "hostile", "对立敌视";
        Mixed = "mixed", "综合";
    }
}

label_enum! {
    /// The 14 service touchpoints of the property lifecycle (003).
    Touchpoint {
        SalesOffice = "sales_office", "案场服务";
        Opening = "opening", "开盘服务";
        Signing = "signing", "签约服务";
        Notice = "notice", "告知服务";
        KeepInTouch = "keep_in_touch", "维系服务";
        OpenDay = "open_day", "开放服务";
        Handover = "handover", "交付服务";
        Repair = "repair", "维修服务";
        Decoration = "decoration", "家装服务";
        PropertyService = "property_service", "物业服务";
        Community = "community", "社群服务";
        Amenities = "amenities", "配套服务";
        ComplaintService = "complaint_service", "投诉服务";
        Membership = "membership", "会员服务";
    }
}

label_enum! {
    /// The 5 stages the touchpoints belong to (003).
    Stage {
        Purchase = "purchase", "买房阶段";
        Waiting = "waiting", "等待阶段";
        Handover = "handover", "交付阶段";
        Living = "living", "入住阶段";
        Companion = "companion", "陪伴阶段";
    }
}

label_enum! {
    /// The script the text was written in (after detection, before normalisation).
    Language {
        ZhHans = "zh_hans", "简体中文";
        ZhHant = "zh_hant", "繁体中文";
        En = "en", "英文";
    }
}

impl Touchpoint {
    /// The stage a touchpoint belongs to.
    pub fn stage(self) -> Stage {
        use Touchpoint::*;
        match self {
            SalesOffice | Opening | Signing => Stage::Purchase,
            Notice | KeepInTouch | OpenDay => Stage::Waiting,
            Handover | Repair | Decoration => Stage::Handover,
            PropertyService | Community | Amenities => Stage::Living,
            ComplaintService | Membership => Stage::Companion,
        }
    }
}

/// A label with how sure triage is (0–1) and why (the words and rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Labelled<T> {
    pub value: T,
    pub confidence: f32,
    pub evidence: Vec<String>,
}

impl<T> Labelled<T> {
    pub fn new(value: T, confidence: f32, evidence: Vec<String>) -> Self {
        Labelled {
            value,
            confidence: confidence.clamp(0.0, 1.0),
            evidence,
        }
    }
}

/// A suggested response script (话术): feelings first, then the facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseScript {
    /// Why this script was chosen, e.g. `venting/service`.
    pub key: String,
    /// 先处理情感: what to say first.
    pub feelings: String,
    /// 再处理事件: then the facts and the next step.
    pub facts: String,
    /// What to avoid saying.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub avoid: String,
}

/// Everything triage says about one complaint text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub category: Labelled<Category>,
    pub service_aspect: Labelled<Option<ServiceAspect>>,
    pub severity: Labelled<Severity>,
    pub emergency: Labelled<bool>,
    pub psychology: Labelled<Psychology>,
    pub touchpoint: Labelled<Touchpoint>,
    pub stage: Labelled<Stage>,
    pub repeat: Labelled<bool>,
    pub expected_compensation: Labelled<bool>,
    pub building: Labelled<Option<String>>,
    pub unit: Labelled<Option<String>>,
    pub language: Language,
    /// Cause keys (e.g. `water_supply`, `lift`) used by group detection.
    pub causes: Vec<String>,
    /// The suggested 话术 for the handler.
    pub script: ResponseScript,
}
