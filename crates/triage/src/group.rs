//! Group complaints (群诉) and repeats over a timestamped stream.
//!
//! Each complaint becomes a profile: its cause vector (the lexicon's `cause.*`
//! signals: water supply, lift, leak, fee increase …), a MinHash signature of
//! its normalised text's character 2- and 3-grams, its building and its
//! household. Complaints are bucketed by project; a bucket only keeps what is
//! inside the time window (and at most `max_recent` complaints), so each new
//! complaint costs the same whatever the length of the history.
//!
//! - A new complaint joins the open group of its project it resembles most
//!   (same cause, similar wording, same building helps), if similar enough;
//!   otherwise it may start a group with similar recent complaints of other
//!   households. A group counts households, not complaints: at
//!   `min_households` it is flagged (an incident opens, severity major), at
//!   `crisis_households` — or when a member threatens media or mass action —
//!   it becomes a crisis.
//! - A repeat: a complaint from the same household (customer, or else
//!   project+building+unit) about a similar issue within `repeat_window_days`
//!   links to the most recent such complaint.

use crate::{CAUSES, Triage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Thresholds (all configurable).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupConfig {
    /// A group spans at most this long, first to last member (hours).
    pub window_hours: f64,
    /// While a group is still too small to flag, its members are at most
    /// this far apart: a group complaint is a burst (hours).
    pub burst_hours: f64,
    /// Once flagged, a new member is at most this long after the latest (hours).
    pub max_gap_hours: f64,
    /// Distinct households at which a group is flagged as an incident.
    pub min_households: usize,
    /// Distinct households at which an incident becomes a crisis.
    pub crisis_households: usize,
    /// Similarity (0–1) to join a group or pair up with a recent complaint.
    pub link_threshold: f32,
    /// Cause similarity (cosine, 0–1) required in any case.
    pub min_cause_similarity: f32,
    /// Repeats: how far back to look (days).
    pub repeat_window_days: f64,
    /// Repeats: similarity (0–1) to count as the same issue.
    pub repeat_threshold: f32,
    /// Repeats: the similarity needed when the text itself says it was
    /// reported before (投诉过, 又, 第三次 …).
    pub repeat_threshold_marked: f32,
    /// Most complaints kept per project bucket (bounds the cost of one observation).
    pub max_recent: usize,
    /// Most earlier complaints kept per household for repeats.
    pub max_per_household: usize,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            window_hours: 72.0,
            burst_hours: 12.0,
            max_gap_hours: 24.0,
            min_households: 3,
            crisis_households: 10,
            link_threshold: 0.55,
            min_cause_similarity: 0.5,
            repeat_window_days: 90.0,
            repeat_threshold: 0.45,
            repeat_threshold_marked: 0.08,
            max_recent: 400,
            max_per_household: 8,
        }
    }
}

/// One complaint as the detector sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Observation {
    pub id: String,
    pub project: String,
    #[serde(default)]
    pub building: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    /// The customer (e.g. a phone number); one customer = one household.
    #[serde(default)]
    pub customer: Option<String>,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// What the detector concluded from one observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A group reached `min_households`: an incident opens (notify leaders).
    GroupOpened {
        incident: u64,
        project: String,
        members: Vec<String>,
        flagged_at: String,
        households: usize,
        severity: crate::Severity,
        cause: String,
    },
    /// A complaint joined an open incident.
    GroupJoined {
        incident: u64,
        id: String,
        households: usize,
    },
    /// The incident's severity went up.
    SeverityRaised {
        incident: u64,
        severity: crate::Severity,
        households: usize,
        reason: String,
    },
    /// The complaint repeats an earlier one of the same household.
    Repeat {
        id: String,
        repeat_of: String,
        similarity: f32,
    },
}

/// An incident (or a group still too small to be one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incident {
    pub incident: u64,
    pub project: String,
    pub members: Vec<String>,
    pub flagged_at: Option<String>,
    pub households: usize,
    pub severity: crate::Severity,
    pub cause: String,
}

const K: usize = 64;
const NC: usize = CAUSES.len();

#[derive(Debug, Clone)]
struct Profile {
    id: String,
    household: String,
    building: Option<String>,
    at: i64,
    cause: [f32; NC],
    sig: [u32; K],
    escalating: bool,
    says_repeat: bool,
    collective: bool,
    group: Option<usize>,
}

#[derive(Debug)]
struct Group {
    incident: Incident,
    /// A set: a flood of complaints must not make each join cost more.
    households: std::collections::HashSet<String>,
    centroid: [f32; NC],
    buildings: HashMap<String, usize>,
    /// signatures of the first and the latest members
    sigs: VecDeque<[u32; K]>,
    last_at: i64,
    first_at: i64,
}

/// Incremental group-complaint and repeat detector.
pub struct GroupDetector {
    config: GroupConfig,
    triage: Arc<Triage>,
    recent: HashMap<String, VecDeque<Profile>>,
    groups: Vec<Group>,
    open: HashMap<String, Vec<usize>>,
    households: HashMap<String, VecDeque<Profile>>,
    next_incident: u64,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Characters that carry no cause (function words, the company's name …):
/// shingles made only of them are skipped.
const STOP: &str = "的了是我你他她它们在有和就都也还吗呢吧啊呀哦嘛这那个一下请问麻烦物业业主小区您好谢说要到能不会没很太又把给让被对从";

fn signature(text: &str) -> [u32; K] {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut sig = [u32::MAX; K];
    let mut add = |h: u64| {
        for (k, slot) in sig.iter_mut().enumerate() {
            let v = (splitmix(h ^ (k as u64).wrapping_mul(0xA24B_AED4_963E_E407)) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    };
    for n in [2usize, 3] {
        for w in chars.windows(n) {
            if w.iter().all(|c| STOP.contains(*c)) {
                continue;
            }
            let mut h = n as u64;
            for c in w {
                h = h.wrapping_mul(0x100000001B3).wrapping_add(*c as u64);
            }
            add(h);
        }
    }
    sig
}

fn minhash_sim(a: &[u32; K], b: &[u32; K]) -> f32 {
    if a[0] == u32::MAX || b[0] == u32::MAX {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / K as f32
}

fn cosine(a: &[f32; NC], b: &[f32; NC]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

/// Causes that typically hit many households at once (shared supply,
/// shared equipment, a collective decision), unlike individual nuisances.
const GROUP_PRONE: &[&str] = &[
    "water_supply",
    "power",
    "gas",
    "lift",
    "access",
    "fee_increase",
    "heating",
    "leak",
    "drain",
];

fn prone_cause(v: &[f32; NC]) -> bool {
    GROUP_PRONE.contains(&top_cause(v).as_str())
}

fn top_cause(v: &[f32; NC]) -> String {
    let (i, x) = v.iter().enumerate().fold(
        (0, 0.0f32),
        |acc, (i, x)| if *x > acc.1 { (i, *x) } else { acc },
    );
    if x > 0.0 {
        CAUSES[i].to_string()
    } else {
        "other".to_string()
    }
}

impl GroupDetector {
    /// A detector with its own triage engine (builds the jieba dictionary).
    pub fn new(config: GroupConfig) -> Self {
        Self::with_triage(config, Arc::new(Triage::new()))
    }

    /// A detector sharing an existing engine.
    pub fn with_triage(config: GroupConfig, triage: Arc<Triage>) -> Self {
        GroupDetector {
            config,
            triage,
            recent: HashMap::new(),
            groups: Vec::new(),
            open: HashMap::new(),
            households: HashMap::new(),
            next_incident: 1,
        }
    }

    pub fn config(&self) -> &GroupConfig {
        &self.config
    }

    fn profile(&self, o: &Observation) -> Profile {
        let f = self.triage.group_features(&o.text);
        let mut cause = [0f32; NC];
        for (name, w) in f.causes {
            if let Some(i) = CAUSES.iter().position(|c| *c == name) {
                cause[i] = w;
            }
        }
        let household = match &o.customer {
            Some(c) if !c.is_empty() => format!("c:{c}"),
            _ => format!(
                "u:{}/{}/{}",
                o.project,
                o.building.as_deref().unwrap_or("?"),
                o.unit.as_deref().unwrap_or(&o.id)
            ),
        };
        Profile {
            id: o.id.clone(),
            household,
            building: o.building.clone(),
            at: o.at.timestamp(),
            cause,
            sig: signature(&f.text),
            escalating: f.escalating,
            says_repeat: f.says_repeat,
            collective: f.collective,
            group: None,
        }
    }

    /// Similarity of two complaints as possible members of one group.
    fn pair_score(&self, a: &Profile, b: &Profile) -> (f32, f32) {
        let cos = cosine(&a.cause, &b.cause);
        let text = minhash_sim(&a.sig, &b.sig);
        let same_b = matches!((&a.building, &b.building), (Some(x), Some(y)) if x == y);
        let collective = if a.collective && b.collective {
            0.05
        } else {
            0.0
        };
        let prone = if prone_cause(&a.cause)
            && prone_cause(&b.cause)
            && top_cause(&a.cause) == top_cause(&b.cause)
        {
            0.1
        } else {
            0.0
        };
        let score = 0.6 * cos
            + 0.4 * (text * 2.5).min(1.0)
            + if same_b { 0.1 } else { 0.0 }
            + collective
            + prone;
        (score, cos)
    }

    fn group_score(&self, p: &Profile, g: &Group) -> (f32, f32) {
        let cos = cosine(&p.cause, &g.centroid);
        let text = g
            .sigs
            .iter()
            .map(|s| minhash_sim(&p.sig, s))
            .fold(0.0f32, f32::max);
        let n: usize = g.buildings.values().sum();
        let in_b = p
            .building
            .as_ref()
            .and_then(|b| g.buildings.get(b))
            .copied()
            .unwrap_or(0);
        let share = if n == 0 { 0.0 } else { in_b as f32 / n as f32 };
        let top_share = g.buildings.values().copied().max().unwrap_or(0) as f32 / n.max(1) as f32;
        // a group so far confined to one building is about that building
        let building = if n >= 3 && top_share >= 0.8 {
            if share > 0.0 { 0.1 } else { -0.2 }
        } else {
            0.1 * share
        };
        let prone = if prone_cause(&p.cause) && top_cause(&p.cause) == top_cause(&g.centroid) {
            0.1
        } else {
            0.0
        };
        // a flagged incident takes in a same-cause complaint more readily
        let flagged = if g.incident.flagged_at.is_some() {
            0.1
        } else {
            0.0
        };
        (
            0.6 * cos + 0.4 * (text * 2.5).min(1.0) + building + prone + flagged,
            cos,
        )
    }

    fn expire(&mut self, project: &str, now: i64) {
        let burst = (self.config.burst_hours * 3600.0) as i64;
        let window = (self.config.window_hours * 3600.0) as i64;
        let gap = (self.config.max_gap_hours * 3600.0) as i64;
        if let Some(q) = self.recent.get_mut(project) {
            while q.front().is_some_and(|p| now - p.at > burst) || q.len() > self.config.max_recent
            {
                q.pop_front();
            }
        }
        if let Some(list) = self.open.get_mut(project) {
            let groups = &self.groups;
            list.retain(|gi| {
                let g = &groups[*gi];
                let flagged = g.incident.flagged_at.is_some();
                now - g.first_at <= window && now - g.last_at <= if flagged { gap } else { burst }
            });
        }
    }

    /// Takes in one complaint; answers what it caused.
    pub fn observe(&mut self, o: Observation) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut p = self.profile(&o);
        let now = p.at;
        self.expire(&o.project, now);

        // ── repeats: same household, similar issue ──
        let repeat_window = (self.config.repeat_window_days * 86400.0) as i64;
        if let Some(hist) = self.households.get(&p.household) {
            let mut best: Option<(&Profile, f32)> = None;
            for prev in hist.iter().rev() {
                if now - prev.at > repeat_window {
                    continue;
                }
                let cos = cosine(&p.cause, &prev.cause);
                let text = minhash_sim(&p.sig, &prev.sig);
                let sim = 0.5 * cos + 0.5 * (text * 2.0).min(1.0);
                let threshold = if p.says_repeat {
                    self.config.repeat_threshold_marked
                } else {
                    self.config.repeat_threshold
                };
                if sim >= threshold && (p.says_repeat || cos > 0.0 || text >= 0.1) {
                    best = Some((prev, sim));
                    break; // the most recent similar one
                }
            }
            if let Some((prev, sim)) = best {
                findings.push(Finding::Repeat {
                    id: p.id.clone(),
                    repeat_of: prev.id.clone(),
                    similarity: sim,
                });
            }
        }

        // ── groups ──
        let open: Vec<usize> = self.open.get(&o.project).cloned().unwrap_or_default();
        let mut best: Option<(usize, f32)> = None;
        for gi in open {
            let g = &self.groups[gi];
            let (score, cos) = self.group_score(&p, g);
            if cos >= self.config.min_cause_similarity
                && score >= self.config.link_threshold
                && best.is_none_or(|b| score > b.1)
            {
                best = Some((gi, score));
            }
        }
        if let Some((gi, _)) = best {
            p.group = Some(gi);
            self.join(gi, &p, &mut findings);
        } else {
            // pair up with recent ungrouped complaints of other households
            let recent = self.recent.get(&o.project);
            let mut mates: Vec<usize> = Vec::new();
            if let Some(q) = recent {
                for (i, r) in q.iter().enumerate() {
                    if r.group.is_some() || r.household == p.household {
                        continue;
                    }
                    let (score, cos) = self.pair_score(&p, r);
                    if cos >= self.config.min_cause_similarity
                        && score >= self.config.link_threshold
                    {
                        mates.push(i);
                    }
                }
            }
            if !mates.is_empty() {
                let gi = self.groups.len();
                let members: Vec<Profile> = {
                    let q = self.recent.get_mut(&o.project).expect("bucket exists");
                    mates
                        .iter()
                        .map(|i| {
                            q[*i].group = Some(gi);
                            q[*i].clone()
                        })
                        .collect()
                };
                self.groups.push(Group {
                    incident: Incident {
                        incident: 0,
                        project: o.project.clone(),
                        members: Vec::new(),
                        flagged_at: None,
                        households: 0,
                        severity: crate::Severity::General,
                        cause: String::new(),
                    },
                    households: std::collections::HashSet::new(),
                    centroid: [0.0; NC],
                    buildings: HashMap::new(),
                    sigs: VecDeque::new(),
                    last_at: now,
                    first_at: members.first().map(|m| m.at).unwrap_or(now),
                });
                self.open.entry(o.project.clone()).or_default().push(gi);
                for m in &members {
                    self.join(gi, m, &mut Vec::new());
                }
                p.group = Some(gi);
                self.join(gi, &p, &mut findings);
            }
        }

        // ── remember ──
        let q = self.recent.entry(o.project.clone()).or_default();
        q.push_back(p.clone());
        let h = self.households.entry(p.household.clone()).or_default();
        h.push_back(p);
        while h.len() > self.config.max_per_household {
            h.pop_front();
        }
        findings
    }

    fn join(&mut self, gi: usize, p: &Profile, findings: &mut Vec<Finding>) {
        let min = self.config.min_households;
        let crisis = self.config.crisis_households;
        let g = &mut self.groups[gi];
        g.incident.members.push(p.id.clone());
        g.last_at = g.last_at.max(p.at);
        let new_household = g.households.insert(p.household.clone());
        if new_household {
            for (c, x) in g.centroid.iter_mut().zip(&p.cause) {
                *c += *x;
            }
            if let Some(b) = &p.building {
                *g.buildings.entry(b.clone()).or_default() += 1;
            }
            if g.sigs.len() >= 24 {
                g.sigs.remove(4); // keep the first 4 and the latest
            }
            g.sigs.push_back(p.sig);
        }
        g.incident.households = g.households.len();
        g.incident.cause = top_cause(&g.centroid);
        let n = g.households.len();
        if g.incident.flagged_at.is_none() {
            if n >= min {
                g.incident.incident = self.next_incident;
                self.next_incident += 1;
                g.incident.flagged_at = Some(p.id.clone());
                g.incident.severity = crate::Severity::Major;
                findings.push(Finding::GroupOpened {
                    incident: g.incident.incident,
                    project: g.incident.project.clone(),
                    members: g.incident.members.clone(),
                    flagged_at: p.id.clone(),
                    households: n,
                    severity: crate::Severity::Major,
                    cause: g.incident.cause.clone(),
                });
            }
        } else {
            findings.push(Finding::GroupJoined {
                incident: g.incident.incident,
                id: p.id.clone(),
                households: n,
            });
        }
        if g.incident.flagged_at.is_some() && g.incident.severity != crate::Severity::Crisis {
            let reason = if n >= crisis {
                Some(format!("{n} households"))
            } else if p.escalating {
                Some("a member threatens media exposure or mass action".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                g.incident.severity = crate::Severity::Crisis;
                findings.push(Finding::SeverityRaised {
                    incident: g.incident.incident,
                    severity: crate::Severity::Crisis,
                    households: n,
                    reason,
                });
            }
        }
    }

    /// The incidents opened so far (flagged groups), in the order they opened.
    pub fn incidents(&self) -> Vec<Incident> {
        let mut v: Vec<Incident> = self
            .groups
            .iter()
            .filter(|g| g.incident.flagged_at.is_some())
            .map(|g| g.incident.clone())
            .collect();
        v.sort_by_key(|i| i.incident);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn obs(
        id: &str,
        project: &str,
        building: &str,
        phone: &str,
        hour: i64,
        text: &str,
    ) -> Observation {
        Observation {
            id: id.into(),
            project: project.into(),
            building: Some(building.into()),
            unit: Some("101".into()),
            customer: Some(phone.into()),
            text: text.into(),
            at: Utc.with_ymd_and_hms(2030, 5, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(hour),
        }
    }

    #[test]
    fn differently_worded_complaints_of_one_cause_open_an_incident() {
        let mut d = GroupDetector::new(GroupConfig::default());
        let texts = [
            "12栋从早上开始就停电了，家里冰箱的东西都要坏了",
            "请问12栋什么时候来电？停电一上午了也没个通知",
            "我们这栋楼全黑了，物业有没有人去配电房看看？",
            "12栋断电到现在，电梯也停了，老人上不了楼",
        ];
        let mut opened = None;
        for (i, t) in texts.iter().enumerate() {
            for f in d.observe(obs(
                &format!("x{i}"),
                "云山府",
                "12栋",
                &format!("p{i}"),
                i as i64,
                t,
            )) {
                if let Finding::GroupOpened { flagged_at, .. } = f {
                    opened = Some(flagged_at);
                }
            }
        }
        assert!(opened.is_some(), "no incident opened");
        // an unrelated complaint in the same project does not join
        let f = d.observe(obs(
            "y",
            "云山府",
            "3栋",
            "q",
            5,
            "楼下的狗每天晚上叫个不停，吵得睡不着",
        ));
        assert!(!f.iter().any(|f| matches!(f, Finding::GroupJoined { .. })));
    }

    #[test]
    fn another_project_is_another_bucket() {
        let mut d = GroupDetector::new(GroupConfig::default());
        let t = "小区停水了，一滴水都没有，什么时候来水";
        let mut all = Vec::new();
        for (i, p) in ["甲苑", "乙苑", "丙苑", "丁苑"].iter().enumerate() {
            all.extend(d.observe(obs(
                &format!("x{i}"),
                p,
                "1栋",
                &format!("p{i}"),
                i as i64,
                t,
            )));
        }
        assert!(d.incidents().is_empty(), "{all:?}");
    }

    #[test]
    fn the_same_household_again_about_the_same_issue_is_a_repeat() {
        let mut d = GroupDetector::new(GroupConfig::default());
        d.observe(obs(
            "a1",
            "云山府",
            "2栋",
            "p1",
            0,
            "卫生间地漏一直返臭味，麻烦派人来看看",
        ));
        d.observe(obs(
            "a2",
            "云山府",
            "2栋",
            "p1",
            30,
            "小区门口的快递柜坏了，取不了件",
        ));
        let f = d.observe(obs(
            "a3",
            "云山府",
            "2栋",
            "p1",
            100,
            "地漏返味的问题还是没解决，卫生间臭得没法用",
        ));
        assert!(
            f.contains(&Finding::Repeat {
                id: "a3".into(),
                repeat_of: "a1".into(),
                similarity: match &f[0] {
                    Finding::Repeat { similarity, .. } => *similarity,
                    _ => 0.0,
                }
            }),
            "{f:?}"
        );
        // a different issue from the same household is not
        let g = d.observe(obs(
            "a4",
            "云山府",
            "2栋",
            "p1",
            120,
            "保安晚上巡逻的时候大声打电话",
        ));
        assert!(
            !g.iter().any(|f| matches!(f, Finding::Repeat { .. })),
            "{g:?}"
        );
    }
}
