//! What each channel shows of a [`Message`].

use crate::Message;

/// WeCom's robot refuses markdown content over 4096 bytes (UTF-8).
pub(crate) const WECOM_MARKDOWN_MAX_BYTES: usize = 4096;
/// DingTalk and Feishu robots accept far more than a notification needs;
/// a complaint text pasted whole is cut here, so the request stays well
/// inside their request-size limits (about 20 KB).
pub(crate) const ROBOT_TEXT_MAX_BYTES: usize = 16 * 1024;

const ELLIPSIS: &str = "…";

fn details(m: &Message) -> Vec<(&'static str, &str)> {
    let mut out = Vec::new();
    if let Some(no) = m.tracking_no.as_deref() {
        out.push(("投诉单号", no));
    }
    if let Some(level) = m.level.as_deref() {
        out.push(("级别", level));
    }
    out
}

fn paragraphs(body: &str) -> impl Iterator<Item = &str> {
    body.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
}

/// WeCom markdown: a title line, the body (a newline is a line break
/// there), the details as a quote, the link.
pub(crate) fn wecom_markdown(m: &Message) -> String {
    fit(m, WECOM_MARKDOWN_MAX_BYTES, |body| {
        let mut s = format!("### {}\n", m.title);
        for line in paragraphs(body) {
            s.push_str(line);
            s.push('\n');
        }
        for (label, value) in details(m) {
            s.push_str(&format!(
                "> {label}：<font color=\"comment\">{value}</font>\n"
            ));
        }
        if let Some(url) = m.url.as_deref() {
            s.push_str(&format!("[查看详情]({url})\n"));
        }
        s.trim_end().to_owned()
    })
}

/// DingTalk markdown: a single newline does not break a line there, so
/// every paragraph and every quoted detail stands in a block of its own.
pub(crate) fn dingtalk_markdown(m: &Message) -> String {
    fit(m, ROBOT_TEXT_MAX_BYTES, |body| {
        let mut blocks = vec![format!("### {}", m.title)];
        blocks.extend(paragraphs(body).map(str::to_owned));
        for (label, value) in details(m) {
            blocks.push(format!("> {label}：{value}"));
        }
        if let Some(url) = m.url.as_deref() {
            blocks.push(format!("[查看详情]({url})"));
        }
        blocks.join("\n\n")
    })
}

/// Plain text with the title on top (Feishu's text message).
pub(crate) fn text_with_title(m: &Message) -> String {
    fit(m, ROBOT_TEXT_MAX_BYTES, |body| {
        format!("{}\n{}", m.title, plain(m, body))
    })
}

/// Plain text without the title (the email body: the title is the subject).
pub(crate) fn email_text(m: &Message) -> String {
    plain(m, &m.body)
}

fn plain(m: &Message, body: &str) -> String {
    let mut s = String::new();
    for line in paragraphs(body) {
        s.push_str(line);
        s.push('\n');
    }
    let details = details(m);
    let has_url = m.url.is_some();
    if !details.is_empty() || has_url {
        s.push('\n');
    }
    for (label, value) in details {
        s.push_str(&format!("{label}：{value}\n"));
    }
    if let Some(url) = m.url.as_deref() {
        s.push_str(&format!("详情：{url}\n"));
    }
    s.trim_end().to_owned()
}

/// Renders with the whole body, and when that is over `max` bytes, again
/// with the body cut (on a character boundary, marked with "…") so that
/// title, details and link survive.
fn fit(m: &Message, max: usize, render: impl Fn(&str) -> String) -> String {
    let full = render(&m.body);
    if full.len() <= max {
        return full;
    }
    let overhead = full.len() - m.body.len();
    let budget = max.saturating_sub(overhead + ELLIPSIS.len());
    let mut cut = budget.min(m.body.len());
    while !m.body.is_char_boundary(cut) {
        cut -= 1;
    }
    let shortened = format!("{}{ELLIPSIS}", &m.body[..cut]);
    let out = render(&shortened);
    if out.len() <= max {
        return out;
    }
    // A title or link longer than the limit on its own: cut the result.
    let mut cut = max.saturating_sub(ELLIPSIS.len());
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ELLIPSIS}", &out[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Message {
        Message {
            kind: "deadline_breached".into(),
            title: "【超时】投诉派单超过12小时".into(),
            body: "3栋2单元电梯困人投诉未在时限内派单。\n请工程部立即处理。".into(),
            complaint_id: Some(42),
            tracking_no: Some("TS20250101-0042".into()),
            level: Some("部门负责人".into()),
            url: Some("https://tousu.example.com/complaints/42".into()),
            data: serde_json::Value::Null,
        }
    }

    #[test]
    fn wecom_markdown_has_title_body_details_and_link() {
        let s = wecom_markdown(&sample());
        assert_eq!(
            s,
            "### 【超时】投诉派单超过12小时\n\
             3栋2单元电梯困人投诉未在时限内派单。\n\
             请工程部立即处理。\n\
             > 投诉单号：<font color=\"comment\">TS20250101-0042</font>\n\
             > 级别：<font color=\"comment\">部门负责人</font>\n\
             [查看详情](https://tousu.example.com/complaints/42)"
        );
    }

    #[test]
    fn dingtalk_markdown_separates_blocks() {
        let s = dingtalk_markdown(&sample());
        assert!(s.starts_with("### 【超时】投诉派单超过12小时\n\n3栋2单元"));
        assert!(s.contains("派单。\n\n请工程部"));
        assert!(s.contains("\n\n> 投诉单号：TS20250101-0042\n\n> 级别：部门负责人\n\n[查看详情]("));
    }

    #[test]
    fn plain_text_lists_details() {
        assert_eq!(
            email_text(&sample()),
            "3栋2单元电梯困人投诉未在时限内派单。\n请工程部立即处理。\n\n\
             投诉单号：TS20250101-0042\n级别：部门负责人\n详情：https://tousu.example.com/complaints/42"
        );
        assert!(text_with_title(&sample()).starts_with("【超时】投诉派单超过12小时\n3栋"));
    }

    #[test]
    fn long_bodies_are_cut_on_a_character_boundary_keeping_the_link() {
        let mut m = sample();
        m.body = "漏水".repeat(3000); // 18,000 bytes
        let s = wecom_markdown(&m);
        assert!(s.len() <= WECOM_MARKDOWN_MAX_BYTES, "{}", s.len());
        assert!(s.contains("…"));
        assert!(s.ends_with("[查看详情](https://tousu.example.com/complaints/42)"));
        let d = dingtalk_markdown(&m);
        assert!(d.len() <= ROBOT_TEXT_MAX_BYTES);
        assert!(d.contains("TS20250101-0042"));
    }
}
