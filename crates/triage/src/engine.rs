//! The triage engine: normalise, segment, scan the lexicon once, then decide
//! each label from the signals with the rules documented in README.md.

use crate::labels::*;
use crate::lexicon::{Hits, Lexicon, LexiconError};
use crate::location::Locator;
use crate::normalize::{Regional, normalise};
use crate::scripts::{Scripts, ScriptsError};
use jieba_rs::Jieba;
use regex::Regex;

/// The triage engine. Build it once (it loads the jieba dictionary and
/// compiles the lexicon) and share it: `classify` takes `&self`.
pub struct Triage {
    lex: Lexicon,
    regional: Regional,
    jieba: Jieba,
    locator: Locator,
    scripts: Scripts,
    repeat_re: Vec<Regex>,
    money_re: Regex,
    trapped_re: Regex,
    fall_re: Regex,
    households_re: Regex,
}

#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error(transparent)]
    Scripts(#[from] ScriptsError),
}

/// Causes recognised for group detection, in signal order.
pub const CAUSES: &[&str] = &[
    "water_supply",
    "power",
    "gas",
    "leak",
    "drain",
    "structure",
    "lift",
    "access",
    "heating",
    "lighting",
    "fire_equipment",
    "fee",
    "fee_increase",
    "parking",
    "noise",
    "sanitation",
    "greenery",
    "security",
    "pets",
    "theft",
    "clutter",
    "decoration",
];

/// What group detection takes from a text.
#[derive(Debug, Clone)]
pub struct GroupFeatures {
    /// normalised text
    pub text: String,
    /// cause keys with weights, strongest first
    pub causes: Vec<(String, f32)>,
    /// threatens media exposure or mass action
    pub escalating: bool,
    /// says it was reported before (投诉过, 又, 第三次 …)
    pub says_repeat: bool,
    /// speaks of many households (整栋, 邻居都, 业主群 …)
    pub collective: bool,
}

struct Sig<'a> {
    lex: &'a Lexicon,
    hits: &'a Hits,
}

impl Sig<'_> {
    fn s(&self, name: &str) -> f32 {
        self.lex
            .signal_id(name)
            .map(|i| self.hits.scores[i])
            .unwrap_or(0.0)
    }
    /// `term→signal` for every hit whose signal starts with one of `prefixes`.
    fn evidence(&self, prefixes: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in &self.hits.found {
            let name = self.lex.name(f.signal);
            if f.weight != 0.0 && prefixes.iter().any(|p| name.starts_with(p)) {
                let e = format!("「{}」→{}{:+}", self.lex.term(f.term), name, f.weight);
                if !out.contains(&e) {
                    out.push(e);
                }
            }
        }
        out
    }
}

/// How much the question words must outweigh the grievance words for a consultation.
const CONSULT_MARGIN: f32 = 1.0;
/// A sum of money at or above which a complaint is major (yuan).
const LARGE_SUM: f64 = 5_000.0;
/// Whether a repeated, still unresolved complaint is major by itself.
const REPEAT_IS_MAJOR: bool = true;
/// Venting at or above which it wins over worries (mixed).
const VENTING_STRONG: f32 = 4.0;

fn conf_from_margin(margin: f32, base: f32) -> f32 {
    (base + (1.0 - base) * (1.0 - (-margin.max(0.0) / 2.0).exp())).min(0.99)
}

impl Triage {
    /// The engine with the embedded lexicon and scripts.
    pub fn new() -> Self {
        Self::with_data(crate::DEFAULT_LEXICON, crate::DEFAULT_SCRIPTS)
            .expect("embedded data is valid")
    }

    /// The embedded lexicon with other scripts (an admin's TOML file).
    pub fn with_scripts(scripts_toml: &str) -> Result<Self, TriageError> {
        Self::with_data(crate::DEFAULT_LEXICON, scripts_toml)
    }

    /// Both data files replaced.
    pub fn with_data(lexicon_toml: &str, scripts_toml: &str) -> Result<Self, TriageError> {
        let lex = Lexicon::parse(lexicon_toml)?;
        let scripts = Scripts::parse(scripts_toml)?;
        let regional = Regional::new(&lex.regional);
        let r = |p: &str| Regex::new(p).expect("triage regex");
        let num = "[0-9两二三四五六七八九十几多好无数n]";
        Ok(Triage {
            regional,
            jieba: Jieba::new(),
            locator: Locator::new(),
            scripts,
            repeat_re: vec![
                r(&format!(r"第\s*{num}+\s*(次|回|遍)")),
                r(&format!(r"{num}+\s*(次|遍|回|趟)了")),
                r(&format!(
                    r"(投诉|反映|报修|报|打电话|打了电话|打客服|联系|找|说|提|催|问|跑|去|修|来)了?过?\s*(了|过)?\s*{num}+\s*(次|遍|回|趟)"
                )),
                r(
                    r"(多次|屡次|反复|一再|再三|好几次|几次|很多次|无数次|n次)[^,.!?;]{0,4}(投诉|反映|报修|打电话|联系|找|催|提|说|要求|上门|来修|维修)",
                ),
                r(
                    r"(上次|上回|之前|以前|上个月|上周|前几天|前段时间|去年|年初)[^,.!?;]{0,8}(报修|投诉|反映|说过|修过|来修|来看|处理过|提过|找过|打过|报过)",
                ),
                r(r"(又|再次|再一次)[^,.!?;]{0,6}(投诉|反映|报修|打电话|来找|找你们|催)"),
                r(r"\b(\d+|two|three|four|five|six|several|multiple|many|countless)\s+times\b"),
                r(r"\b(second|third|fourth|fifth|\d+(st|nd|rd|th))\s+time\b"),
                r(
                    r"\b(reported|complained|called|emailed|raised|told)\b[^.!?]{0,30}\b(before|already|weeks? ago|months? ago|days ago|last (week|month))\b",
                ),
            ],
            trapped_re: r(
                r"(电梯|轿厢|里面|里头).{0,4}(关|困|卡)(了|着|住)?.{0,3}(人|[一二两三四五六七八九十几0-9]+个)|(关|困)(了|着|住)[一二两三四五六七八九十几0-9]+个人|里面有人|人在里面",
            ),
            fall_re: r(r"有人从.{0,10}(掉|摔|跳|坠)下"),
            households_re: r(
                r"([0-9]+|[一二两三四五六七八九十百几]+)\s*多?\s*(户|家|个业主|位业主|名业主)",
            ),
            money_re: r(
                r"([0-9]+(?:\.[0-9]+)?|[零一二两三四五六七八九十百千万]+)\s*(万|千)?\s*(元|块|rmb|yuan|万)",
            ),
            lex,
        })
    }

    /// The signals found in a text (for debugging and the README's examples).
    pub fn signals(&self, text: &str) -> Vec<(String, f32)> {
        let (_, hits) = self.scan(text);
        let mut v: Vec<(String, f32)> = self
            .lex
            .signal_names()
            .iter()
            .zip(&hits.scores)
            .filter(|(_, s)| **s != 0.0)
            .map(|(n, s)| (n.clone(), *s))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn scan(&self, text: &str) -> (crate::normalize::Normalised, Hits) {
        let norm = normalise(text, &self.regional);
        let mut bounds: Vec<usize> = Vec::with_capacity(norm.text.len() / 2);
        bounds.push(0);
        for w in self.jieba.cut(&norm.text, false) {
            bounds.push(w.byte_end);
        }
        let hits = self.lex.scan(&norm.text, &bounds);
        (norm, hits)
    }

    /// Normalised text (Simplified, half-width, lower-case, mainland wording).
    pub fn normalise(&self, text: &str) -> String {
        normalise(text, &self.regional).text
    }

    /// The causes (group-detection keys) a text mentions, strongest first.
    pub fn causes(&self, text: &str) -> Vec<(String, f32)> {
        let (_, hits) = self.scan(text);
        self.causes_of(&hits)
    }

    /// What group detection needs: the normalised text, the causes and
    /// whether it threatens media exposure or mass action.
    pub fn group_features(&self, text: &str) -> GroupFeatures {
        let (norm, hits) = self.scan(text);
        let sig = Sig {
            lex: &self.lex,
            hits: &hits,
        };
        let escalating = sig.s("sev.media") >= 3.0 || sig.s("sev.mass") >= 3.0;
        let causes = self.causes_of(&hits);
        let (rep_score, _) = self.repeat_score(&norm.text, &sig);
        GroupFeatures {
            says_repeat: rep_score >= 2.0 || sig.s("rep.weak") > 0.0,
            collective: sig.s("sev.many") > 0.0 || sig.s("sev.mass") > 0.0,
            text: norm.text,
            causes,
            escalating,
        }
    }

    fn repeat_score(&self, t: &str, sig: &Sig) -> (f32, Vec<String>) {
        let mut rep_evidence = sig.evidence(&["rep."]);
        let mut rep_score = sig.s("rep.strong");
        for re in &self.repeat_re {
            if let Some(m) = re.find(t) {
                rep_score += 3.0;
                rep_evidence.push(format!("pattern「{}」", m.as_str()));
            }
        }
        (rep_score, rep_evidence)
    }

    fn causes_of(&self, hits: &Hits) -> Vec<(String, f32)> {
        let sig = Sig {
            lex: &self.lex,
            hits,
        };
        let mut v: Vec<(String, f32)> = CAUSES
            .iter()
            .map(|c| (c.to_string(), sig.s(&format!("cause.{c}"))))
            .filter(|(_, s)| *s > 0.0)
            .collect();
        v.sort_by(|a, b| {
            b.1.partial_cmp(&a.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.0.cmp(&b.0))
        });
        v
    }

    fn largest_amount(&self, text: &str) -> f64 {
        let mut best = 0.0f64;
        for c in self.money_re.captures_iter(text) {
            let n = parse_amount(&c[1]);
            let mult = match (c.get(2).map(|m| m.as_str()), &c[3]) {
                (Some("万"), _) | (None, "万") => 10_000.0,
                (Some("千"), _) => 1_000.0,
                _ => 1.0,
            };
            best = best.max(n * mult);
        }
        best
    }

    /// Triage one complaint text.
    pub fn classify(&self, text: &str) -> Assessment {
        let (norm, hits) = self.scan(text);
        let t = norm.text.as_str();
        let sig = Sig {
            lex: &self.lex,
            hits: &hits,
        };
        let s = |n: &str| sig.s(n);

        // ── emergency (act within minutes) ──
        let now = s("now") + s("urgent");
        let past = s("past");
        let at_risk = s("at_risk");
        let lift = s("cause.lift") > 0.0;
        let duration = s("duration");
        let rep_strong_now = s("rep.strong");
        let mut em_reasons: Vec<String> = Vec::new();
        // live: said to be happening now, or told without any past/duration
        // marker; a complaint repeated several times is not new unless urgent
        let live = |score: f32| {
            score > 0.0
                && (now > 0.0 || (past == 0.0 && duration == 0.0))
                && (rep_strong_now < 3.0 || s("urgent") > 0.0)
        };
        let trapped_pattern = self.trapped_re.find(t).filter(|_| lift || at_risk > 0.0);
        if live(s("ev.trapped")) || trapped_pattern.is_some_and(|_| live(1.0)) {
            em_reasons.push(match trapped_pattern {
                Some(m) => format!("rule: a person is trapped「{}」", m.as_str()),
                None => "rule: a person is trapped".into(),
            });
        }
        if s("ev.lift_stuck") > 0.0
            && (lift || at_risk > 0.0)
            && (now > 0.0 || at_risk > 0.0 || s("urgent") > 0.0)
            && live(1.0)
        {
            em_reasons
                .push("rule: stuck (lift, or a vulnerable person) with people at stake".into());
        }
        let fall = self.fall_re.find(t);
        if let Some(m) = fall {
            em_reasons.push(format!("rule: a person fell「{}」", m.as_str()));
        }
        if live(s("ev.fire")) {
            em_reasons.push("rule: fire or smoke".into());
        }
        if live(s("ev.gas")) {
            em_reasons.push("rule: gas smell or leak".into());
        }
        if live(s("ev.flood")) {
            em_reasons.push("rule: flooding or burst pipe still running".into());
        }
        if live(s("ev.injury")) && (s("urgent") > 0.0 || now > 0.0 || s("sev.casualty") >= 3.0) {
            em_reasons.push("rule: someone is injured".into());
        }
        // crime and violence are usually reported after the fact: only an
        // explicit "happening now" (or a call for help) makes them urgent
        let in_progress = s("urgent") > 0.0
            || [
                "正在",
                "现在",
                "刚才",
                "刚刚",
                "此刻",
                "还没走",
                "还在里面",
                "还在打",
                "right now",
                "happening",
            ]
            .iter()
            .any(|w| t.contains(w));
        if s("ev.violence") > 0.0 && (in_progress || s("sev.threat") >= 3.0) && live(1.0) {
            em_reasons.push("rule: violence".into());
        }
        if s("ev.crime") > 0.0 && in_progress && past == 0.0 {
            em_reasons.push("rule: crime in progress".into());
        }
        if s("ev.hazard") > 0.0 && now > 0.0 && past == 0.0 {
            em_reasons.push("rule: live hazard now".into());
        }
        if s("ev.outage") > 0.0 && at_risk > 0.0 && s("urgent") > 0.0 {
            em_reasons.push("rule: outage with vulnerable people, urgent".into());
        }
        let emergency = !em_reasons.is_empty();
        let mut em_evidence = sig.evidence(&["ev.", "now", "urgent", "past", "at_risk"]);
        em_evidence.extend(em_reasons.iter().cloned());
        let em_conf = if emergency {
            conf_from_margin(
                s("ev.trapped") + s("ev.fire") + s("ev.gas") + s("ev.flood") + now - past,
                0.6,
            )
        } else {
            let any_ev = [
                "ev.trapped",
                "ev.fire",
                "ev.gas",
                "ev.flood",
                "ev.injury",
                "ev.crime",
                "ev.hazard",
                "ev.outage",
            ]
            .iter()
            .any(|n| s(n) > 0.0);
            if any_ev { 0.6 } else { 0.95 }
        };

        // ── compensation ──
        let comp_raw = s("comp.money") + s("comp.refund") + s("comp.waiver") + s("comp.gift");
        let comp_score = comp_raw - s("comp.third");
        let expected_compensation = comp_score >= 2.5;
        let mut comp_evidence = sig.evidence(&["comp."]);
        if comp_raw > 0.0 && s("comp.third") > 0.0 {
            comp_evidence.push("rule: payment to/by a third party does not count".into());
        }
        let comp_conf = if expected_compensation {
            conf_from_margin(comp_score - 2.0, 0.6)
        } else if comp_raw > 0.0 {
            0.6
        } else {
            0.9
        };

        // ── repeat ──
        let (rep_score, rep_evidence) = self.repeat_score(t, &sig);
        // 又/再次 alone is not a repeat ("the lift stopped again"); it only
        // strengthens other evidence.
        let rep_total = rep_score + s("rep.weak").min(1.0);
        let repeat = rep_score >= 3.0 || (rep_score >= 2.0 && rep_total >= 3.0);
        let rep_conf = if repeat {
            conf_from_margin(rep_total - 2.5, 0.6)
        } else if rep_total > 0.0 {
            0.65
        } else {
            0.9
        };

        // ── category ──
        let fac = s("cat.facilities");
        let svc = s("cat.service");
        let fee = s("cat.fees");
        // an injury, a trapping, a fire … told after the fact is the background
        // of a grievance about service or facilities; theft and outages stay
        // emergency-type events (002) even afterwards
        let emc = if emergency {
            s("cat.emergency")
        } else {
            s("cat.emergency")
                - [
                    "ev.injury",
                    "ev.trapped",
                    "ev.violence",
                    "ev.fire",
                    "ev.gas",
                    "ev.flood",
                ]
                .iter()
                .map(|n| s(n))
                .sum::<f32>()
        };
        let q = s("q");
        let venting = s("psy.venting");
        let hostile = s("psy.hostile");
        let fault = s("fault");
        let ev_any = [
            "ev.trapped",
            "ev.fire",
            "ev.gas",
            "ev.flood",
            "ev.injury",
            "ev.crime",
            "ev.violence",
        ]
        .iter()
        .map(|n| s(n))
        .sum::<f32>();
        let demand = s("demand");
        let grievance = demand
            + 0.5 * venting
            + hostile
            + fault
            + ev_any
            + rep_score
            + 0.5 * s("sev.hazard")
            + 0.5 * s("psy.mixed")
            + s("psy.evading")
            + 2.0 * s("cause.fee_increase")
            + if expected_compensation {
                comp_score
            } else {
                0.0
            };
        let money = self.largest_amount(t);
        let mut cat_evidence = sig.evidence(&["cat.", "q", "demand"]);
        // money back for a fee or a deposit is a fee matter
        let fee = if s("comp.refund") + s("comp.waiver") > 0.0 && s("cause.fee") > 0.0 {
            cat_evidence.push("rule: a refund or waiver of a fee or deposit→cat.fees+1.5".into());
            fee + 1.5
        } else {
            fee
        };
        let (category, cat_conf) = if emergency {
            cat_evidence.push("rule: an emergency is happening".into());
            (Category::Emergency, conf_from_margin(emc, 0.7))
        } else if q >= 2.0 && q - grievance >= CONSULT_MARGIN && s("sev.media") == 0.0 {
            cat_evidence.push(format!(
                "rule: a question (q={q:.1}) with little grievance ({grievance:.1})"
            ));
            (Category::Consultation, conf_from_margin(q - grievance, 0.5))
        } else {
            // ties: an event first, then the thing that is broken, then the
            // money, then the service around it
            let mut c = [
                (Category::Emergency, emc),
                (Category::Facilities, fac),
                (Category::Fees, fee),
                (Category::Service, svc),
            ];
            // stable: ties keep the order above
            c.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
            if c[0].1 <= 0.0 {
                if q >= 2.0 && grievance < 1.0 {
                    cat_evidence.push("rule: no complaint words, a question".into());
                    (Category::Consultation, 0.4)
                } else {
                    cat_evidence.push("rule: nothing specific: management service".into());
                    (Category::Service, 0.3)
                }
            } else {
                (c[0].0, conf_from_margin(c[0].1 - c[1].1, 0.4))
            }
        };

        // ── service aspect ──
        let service_aspect = if category == Category::Service {
            let mut a: Vec<(ServiceAspect, f32)> = ServiceAspect::ALL
                .iter()
                .map(|x| (*x, s(&format!("asp.{}", x.as_str()))))
                .collect();
            a.sort_by(|x, y| y.1.partial_cmp(&x.1).unwrap_or(std::cmp::Ordering::Equal));
            if a[0].1 > 0.0 {
                Labelled::new(
                    Some(a[0].0),
                    conf_from_margin(a[0].1 - a[1].1, 0.4),
                    sig.evidence(&["asp."]),
                )
            } else {
                Labelled::new(
                    Some(ServiceAspect::Completeness),
                    0.3,
                    vec!["rule: no aspect words: a service not provided".into()],
                )
            }
        } else {
            Labelled::new(
                None,
                cat_conf,
                vec![format!(
                    "rule: only for service (category is {})",
                    category.as_str()
                )],
            )
        };

        // ── severity ──
        let mut sev_evidence = sig.evidence(&["sev."]);
        let mut crisis_why: Vec<&str> = [
            ("sev.media", "media exposure or threat"),
            ("sev.mass", "mass incident / group action"),
            ("sev.casualty", "casualties"),
            ("sev.threat", "violent threat"),
        ]
        .iter()
        .filter(|(n, _)| s(n) >= 3.0)
        .map(|(_, w)| *w)
        .collect();
        if fall.is_some() {
            crisis_why.push("a person fell from height");
        }
        // ten or more households acting together
        let acting = [
            "签字", "联名", "一起", "集体", "组织", "维权", "聚集", "围", "堵",
        ]
        .iter()
        .any(|w| t.contains(w));
        let many_households = self
            .households_re
            .captures_iter(t)
            .map(|c| parse_amount(&c[1].replace('几', "")))
            .fold(0.0f64, f64::max);
        if acting && many_households >= 10.0 {
            crisis_why.push("many households acting together");
        }
        let mut major_why: Vec<String> = Vec::new();
        if emergency {
            major_why.push("emergency".into());
        }
        if category == Category::Emergency && s("sev.loss") > 0.0 {
            major_why.push("theft: property lost".into());
        }
        if s("sev.hazard") >= 2.0 || s("ev.hazard") > 0.0 {
            major_why.push("safety hazard".into());
        }
        if s("sev.legal") >= 2.0 {
            major_why.push("legal or regulator threat".into());
        }
        if s("sev.many") >= 2.0 {
            major_why.push("many households".into());
        }
        if money >= LARGE_SUM {
            major_why.push(format!("large sum ({money:.0} 元)"));
        }
        if repeat && REPEAT_IS_MAJOR {
            major_why.push("repeated complaint still unresolved".into());
        }
        if many_households >= 3.0 {
            major_why.push(format!("{many_households:.0} households"));
        }
        if s("ev.injury") > 0.0 {
            major_why.push("injury".into());
        }
        let (severity, sev_conf) = if !crisis_why.is_empty() {
            sev_evidence.extend(crisis_why.iter().map(|w| format!("rule: crisis — {w}")));
            (
                Severity::Crisis,
                conf_from_margin(crisis_why.len() as f32, 0.6),
            )
        } else if !major_why.is_empty() {
            sev_evidence.extend(major_why.iter().map(|w| format!("rule: major — {w}")));
            (
                Severity::Major,
                conf_from_margin(major_why.len() as f32, 0.55),
            )
        } else {
            sev_evidence
                .push("rule: no hazard, many households, legal threat, large sum or repeat".into());
            (Severity::General, 0.7)
        };

        // ── psychology ──
        let evading = s("psy.evading");
        let polite = s("psy.polite");
        let respect = s("psy.respect") + 0.5 * polite;
        // in a complaint (not a consultation) question marks are rhetorical
        let rhetorical = if category == Category::Consultation {
            0.0
        } else {
            (t.matches('?').count() as f32 * 0.5).min(1.5)
        };
        let venting = venting + rhetorical;
        let comp_p = if expected_compensation {
            3.0 + comp_score.min(3.0) / 3.0
        } else {
            0.0
        };
        let mut psy_evidence = sig.evidence(&["psy."]);
        let mixed = s("psy.mixed");
        let (psychology, psy_conf, why) =
            if evading >= 3.0 && evading >= hostile && category != Category::Consultation {
                (
                    Psychology::Evading,
                    conf_from_margin(evading - 2.0, 0.5),
                    "the customer's own part in the problem (evading)",
                )
            } else if emergency {
                (
                    Psychology::Mixed,
                    0.5,
                    "an emergency: fear, urgency and demands together",
                )
            } else if hostile >= 3.0 {
                (
                    Psychology::Hostile,
                    conf_from_margin(hostile - 2.0, 0.5),
                    "threatens to make trouble (hostile)",
                )
            } else if expected_compensation {
                (
                    Psychology::Compensation,
                    conf_from_margin(comp_p - venting / 2.0, 0.5),
                    "asks for money, a refund, a waiver or a gift",
                )
            } else if category == Category::Emergency {
            (Psychology::Mixed, 0.45, "a sudden event (theft, outage …): worry, loss and demands together")
        } else if venting >= VENTING_STRONG {
                (
                    Psychology::Venting,
                    conf_from_margin(venting - respect, 0.45),
                    "strongly emotional wording (venting)",
                )
            } else if mixed >= 2.0 {
                (
                    Psychology::Mixed,
                    conf_from_margin(mixed - 1.0, 0.4),
                    "worries, several issues or open responsibility together (mixed)",
                )
            } else if category == Category::Consultation {
                (
                    Psychology::Respect,
                    conf_from_margin(respect + 1.0 - venting, 0.4),
                    "a request for information (respect)",
                )
            } else if venting >= 1.5 && !(polite >= 2.0 && venting < 3.0) {
                (
                    Psychology::Venting,
                    conf_from_margin(venting - respect, 0.45),
                    "emotional wording (venting)",
                )
            } else if polite < 1.0 && s("psy.respect") < 2.0 {
                (
                    Psychology::Venting,
                    0.4,
                    "a grievance told without courtesy or a request for respect (venting)",
                )
            } else {
                (
                    Psychology::Respect,
                    conf_from_margin(respect - venting, 0.4),
                    "wants to be taken seriously / polite request (respect)",
                )
            };
        psy_evidence.push(format!("rule: {why}"));

        // ── touchpoint ──
        let house_defect = s("cause.leak") + s("cause.structure") + s("cause.drain") > 0.0;
        let mut tps: Vec<(Touchpoint, f32)> = Touchpoint::ALL
            .iter()
            .map(|tp| {
                let mut v = s(&format!("tp.{}", tp.as_str()));
                if *tp == Touchpoint::Repair && !(house_defect && category == Category::Facilities)
                {
                    v = 0.0; // warranty repairs are about the home's own defects
                }
                if *tp == Touchpoint::PropertyService {
                    v = 2.5; // the default: day-to-day property management
                }
                (*tp, v)
            })
            .collect();
        tps.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        let touchpoint = tps[0].0;
        let mut tp_evidence = sig.evidence(&["tp."]);
        if touchpoint == Touchpoint::PropertyService {
            tp_evidence.push("rule: default — day-to-day property management".into());
        }
        let tp_conf = conf_from_margin(tps[0].1 - tps[1].1, 0.45);

        // ── building / unit ──
        let place = self.locator.locate(t);

        let causes: Vec<String> = self.causes_of(&hits).into_iter().map(|(c, _)| c).collect();
        let deadline = match (emergency, severity) {
            (true, _) => "3分钟",
            (_, Severity::Crisis) | (_, Severity::Major) => "24小时",
            _ => "3天",
        };
        let script = self.scripts.choose(psychology, category, deadline);

        Assessment {
            category: Labelled::new(category, cat_conf, cat_evidence),
            service_aspect,
            severity: Labelled::new(severity, sev_conf, sev_evidence),
            emergency: Labelled::new(emergency, em_conf, em_evidence),
            psychology: Labelled::new(psychology, psy_conf, psy_evidence),
            stage: Labelled::new(
                touchpoint.stage(),
                tp_conf,
                vec![format!("rule: stage of touchpoint {}", touchpoint.as_str())],
            ),
            touchpoint: Labelled::new(touchpoint, tp_conf, tp_evidence),
            repeat: Labelled::new(repeat, rep_conf, rep_evidence),
            expected_compensation: Labelled::new(expected_compensation, comp_conf, comp_evidence),
            building: Labelled::new(
                place.building.clone(),
                if place.building.is_some() { 0.9 } else { 0.8 },
                place.evidence.clone(),
            ),
            unit: Labelled::new(
                place.unit.clone(),
                if place.unit.is_some() { 0.85 } else { 0.8 },
                place.evidence,
            ),
            language: norm.language,
            causes,
            script,
        }
    }
}

impl Default for Triage {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_amount(s: &str) -> f64 {
    if let Ok(v) = s.parse::<f64>() {
        return v;
    }
    // Chinese numerals: 五千, 两万, 一万二, 三百五十
    let digit = |c: char| match c {
        '零' => Some(0.0),
        '一' => Some(1.0),
        '二' | '两' => Some(2.0),
        '三' => Some(3.0),
        '四' => Some(4.0),
        '五' => Some(5.0),
        '六' => Some(6.0),
        '七' => Some(7.0),
        '八' => Some(8.0),
        '九' => Some(9.0),
        _ => None,
    };
    let (mut total, mut section, mut cur) = (0.0, 0.0, 0.0);
    for c in s.chars() {
        if let Some(d) = digit(c) {
            cur = d;
        } else {
            let unit = match c {
                '十' => 10.0,
                '百' => 100.0,
                '千' => 1000.0,
                '万' => 10000.0,
                _ => continue,
            };
            if unit == 10000.0 {
                total += (section + cur) * unit;
                section = 0.0;
            } else {
                section += if cur == 0.0 { 1.0 } else { cur } * unit;
            }
            cur = 0.0;
        }
    }
    total + section + cur
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn chinese_amounts() {
        assert_eq!(parse_amount("五千"), 5000.0);
        assert_eq!(parse_amount("两万"), 20000.0);
        assert_eq!(parse_amount("三百五十"), 350.0);
        assert_eq!(parse_amount("十"), 10.0);
        assert_eq!(parse_amount("1200"), 1200.0);
    }
}
