use serde::{Deserialize, Serialize};

/// One notification, independent of the channel it goes to. The generic
/// webhook receives exactly this, as JSON; the robots and email receive a
/// rendering of it (see the crate documentation).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// What happened, machine-readable: `deadline_breached`, `escalated` …
    pub kind: String,
    /// One line, in Chinese: the email subject, the robot card's title.
    pub title: String,
    /// The text, in Chinese; newlines separate paragraphs.
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint_id: Option<i64>,
    /// The tracking number the customer was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_no: Option<String>,
    /// The escalation level or severity, as the caller wants it shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// A link to the complaint in tousu.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Anything else, for machine receivers (the webhook); not rendered.
    #[serde(default)]
    pub data: serde_json::Value,
}
