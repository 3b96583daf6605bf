//! The defect library (缺陷库): what each closed valid complaint was really
//! about — a component of the building or the service (from an editable
//! tree) and the phase that caused it — so that the same defect is stopped
//! at drawing review (审图) on the next project instead of being complained
//! about again.
//!
//! The tree is a TOML document an administrator edits (`defect-components.toml`
//! in the data folder); [`ComponentTree::builtin`] is the one tousu starts with.
//! Figures are kept per project and month as complaints close
//! (`defect:{component}:{phase}:{measure}`, see [`deltas`]).

use crate::complaint::Complaint;
use crate::error::DomainError;
use crate::event::{Event, EventKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// 责任阶段 — the phase of the property's life that caused the defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 设计
    Design,
    /// 施工
    Construction,
    /// 销售承诺
    SalesPromise,
    /// 交付
    Handover,
    /// 运营（物业服务）
    Operation,
}

impl Phase {
    pub const ALL: [Phase; 5] =
        [Phase::Design, Phase::Construction, Phase::SalesPromise, Phase::Handover, Phase::Operation];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Design => "design",
            Phase::Construction => "construction",
            Phase::SalesPromise => "sales_promise",
            Phase::Handover => "handover",
            Phase::Operation => "operation",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Phase::Design => "设计",
            Phase::Construction => "施工",
            Phase::SalesPromise => "销售承诺",
            Phase::Handover => "交付",
            Phase::Operation => "运营",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether drawing review can stop it: what was designed, built or
    /// handed over, not how the property is run or what sales promised.
    pub fn reviewable(self) -> bool {
        matches!(self, Phase::Design | Phase::Construction | Phase::Handover)
    }
}

/// The root cause a closed complaint carries into the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Defect {
    /// A component code of the tree (`roof_leak`, `lifts` …).
    pub component: String,
    pub phase: Phase,
    /// What fixing it cost, in fen (分), where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_fen: Option<i64>,
    /// Read from the complaint's words at closing because nobody recorded
    /// one; a person may correct it (`record_defect`).
    #[serde(default)]
    pub inferred: bool,
    /// The household's first complaint about this component and phase:
    /// the library counts households by it.
    #[serde(default)]
    pub first_in_household: bool,
}

impl Defect {
    /// `component:phase`, its place in the library (stored beside the complaint).
    pub fn key(&self) -> String {
        format!("{}:{}", self.component, self.phase.as_str())
    }
}

/// One component of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Lower-case letters, digits and `_`; stable, used in figures.
    pub code: String,
    /// The Chinese name shown (屋面渗漏).
    pub name: String,
    /// The code of the component it belongs to; none for a top-level one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Words that point to it when a closing complaint has no defect recorded.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The phase assumed when it is read from the words (inherited from the parent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
}

/// Where every complaint without a better match goes.
pub const OTHER: &str = "other";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeFile {
    #[serde(default)]
    component: Vec<Component>,
}

/// The editable component tree, checked when loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentTree {
    components: Vec<Component>,
    index: HashMap<String, usize>,
}

/// The tree tousu starts with: the components DOMAIN.md's complaints are about.
pub const BUILTIN_TEXT: &str = include_str!("defect-components.toml");

impl ComponentTree {
    /// Parses and checks a tree document: unique well-formed codes, known
    /// parents, no cycles, and an `other` component.
    pub fn parse(text: &str) -> Result<ComponentTree, DomainError> {
        let file: TreeFile = toml::from_str(text).map_err(|e| {
            DomainError::invalid(
                "components",
                format!("部位树格式错误：{}", e.message()),
                format!("not a component tree: {}", e.message()),
            )
        })?;
        ComponentTree::new(file.component)
    }

    pub fn new(components: Vec<Component>) -> Result<ComponentTree, DomainError> {
        let bad = |zh: String, en: String| DomainError::invalid("components", zh, en);
        let mut index = HashMap::new();
        for (i, c) in components.iter().enumerate() {
            let well_formed = !c.code.is_empty()
                && c.code.len() <= 40
                && c.code.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
            if !well_formed {
                return Err(bad(
                    format!("部位编码「{}」只能由小写字母、数字和下划线组成", c.code),
                    format!("component code `{}` must be lower-case letters, digits and _", c.code),
                ));
            }
            if c.name.trim().is_empty() {
                return Err(bad(format!("部位「{}」没有名称", c.code), format!("component `{}` has no name", c.code)));
            }
            if index.insert(c.code.clone(), i).is_some() {
                return Err(bad(
                    format!("部位编码「{}」重复", c.code),
                    format!("component code `{}` is used twice", c.code),
                ));
            }
        }
        let tree = ComponentTree { components, index };
        for c in &tree.components {
            if let Some(p) = &c.parent
                && !tree.index.contains_key(p)
            {
                return Err(bad(
                    format!("部位「{}」的上级「{p}」不存在", c.code),
                    format!("component `{}` names an unknown parent `{p}`", c.code),
                ));
            }
            if tree.path(&c.code).len() > tree.components.len() {
                return Err(bad(
                    format!("部位「{}」的上级形成循环", c.code),
                    format!("component `{}` is its own ancestor", c.code),
                ));
            }
        }
        if !tree.index.contains_key(OTHER) {
            return Err(bad(
                "部位树须包含编码为 other 的「其他」".into(),
                "the tree must have an `other` component".into(),
            ));
        }
        Ok(tree)
    }

    /// The tree tousu starts with.
    pub fn builtin() -> ComponentTree {
        // The built-in text is tested to parse; fall back to the bare minimum anyway.
        ComponentTree::parse(BUILTIN_TEXT).unwrap_or_else(|_| ComponentTree {
            components: vec![Component {
                code: OTHER.into(),
                name: "其他".into(),
                parent: None,
                keywords: vec![],
                phase: None,
            }],
            index: HashMap::from([(OTHER.to_string(), 0)]),
        })
    }

    pub fn components(&self) -> &[Component] {
        &self.components
    }

    pub fn get(&self, code: &str) -> Option<&Component> {
        self.index.get(code).map(|&i| &self.components[i])
    }

    /// A code of the tree, or a 422 naming `field`.
    pub fn check(&self, field: &'static str, code: &str) -> Result<String, DomainError> {
        let code = code.trim();
        match self.get(code) {
            Some(c) => Ok(c.code.clone()),
            None => Err(DomainError::invalid(
                field,
                format!("部位树中没有编码为「{code}」的部位"),
                format!("no component `{code}` in the component tree"),
            )),
        }
    }

    /// The component and its ancestors, top-level first. Stops on a cycle
    /// (a path longer than the tree), which [`ComponentTree::new`] refuses.
    pub fn path(&self, code: &str) -> Vec<&Component> {
        let mut out = Vec::new();
        let mut at = self.get(code);
        while let Some(c) = at {
            out.push(c);
            if out.len() > self.components.len() {
                break;
            }
            at = c.parent.as_deref().and_then(|p| self.get(p));
        }
        out.reverse();
        out
    }

    /// The top-level component a component belongs to (itself when top-level).
    pub fn top(&self, code: &str) -> String {
        self.path(code).first().map_or_else(|| OTHER.to_string(), |c| c.code.clone())
    }

    /// `防水 › 屋面渗漏`; the code itself when it is no longer in the tree.
    pub fn display(&self, code: &str) -> String {
        let path = self.path(code);
        if path.is_empty() {
            code.to_string()
        } else {
            path.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" › ")
        }
    }

    /// The phase a component implies: its own, else its nearest ancestor's,
    /// else operation.
    pub fn phase_of(&self, code: &str) -> Phase {
        self.path(code).iter().rev().find_map(|c| c.phase).unwrap_or(Phase::Operation)
    }

    /// The component the words point to: the one with most keyword hits,
    /// a deeper one winning a tie (屋面渗漏 over 防水); `other` when none hits.
    pub fn infer(&self, text: &str) -> String {
        let mut best: Option<(usize, usize, &str)> = None;
        for c in &self.components {
            let hits = c.keywords.iter().filter(|k| !k.is_empty() && text.contains(k.as_str())).count();
            if hits == 0 {
                continue;
            }
            // A child's hits add to its ancestors' evidence.
            let path = self.path(&c.code);
            let score: usize = path
                .iter()
                .map(|p| p.keywords.iter().filter(|k| !k.is_empty() && text.contains(k.as_str())).count())
                .sum();
            let key = (score, path.len(), c.code.as_str());
            if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
                best = Some(key);
            }
        }
        best.map_or_else(|| OTHER.to_string(), |b| b.2.to_string())
    }
}

/// The defect a complaint carries when it closes: the one recorded, or one
/// read from its words (root cause, description, resolution).
pub fn at_closing(c: &Complaint, tree: &ComponentTree) -> Defect {
    if let Some(d) = &c.defect {
        return d.clone();
    }
    let mut text = String::new();
    if let Some(inv) = &c.investigation {
        text.push_str(&inv.root_cause);
        text.push('\n');
    }
    text.push_str(c.subject.as_deref().unwrap_or(""));
    text.push('\n');
    text.push_str(&c.description);
    text.push('\n');
    text.push_str(c.resolution.as_deref().unwrap_or(""));
    let component = tree.infer(&text);
    let phase = tree.phase_of(&component);
    Defect { component, phase, cost_fen: None, inferred: true, first_in_household: false }
}

/// Cost in yuan (元, at most 2 decimals, ≥ 0) as fen.
pub fn cost_fen(yuan: f64) -> Result<i64, DomainError> {
    if !yuan.is_finite() || yuan < 0.0 || yuan > 1e10 {
        return Err(DomainError::invalid(
            "cost",
            "费用须为不小于 0 的金额（元）",
            "cost must be an amount in yuan, 0 or more",
        ));
    }
    Ok((yuan * 100.0).round() as i64)
}

/// The library's measures, kept per project and month of closing.
pub const MEASURES: [&str; 5] = ["complaints", "households", "repeat", "escalated", "cost_fen"];

fn defect_measures(c: &Complaint, d: &Defect, sign: i64) -> Vec<(String, i64)> {
    let key = |m: &str| format!("defect:{}:{}:{m}", d.component, d.phase.as_str());
    let mut out = vec![(key("complaints"), sign)];
    if d.first_in_household {
        out.push((key("households"), sign));
    }
    if c.repeat.is_some() {
        out.push((key("repeat"), sign));
    }
    if c.escalation_level > crate::EscalationLevel::ServiceCentre {
        out.push((key("escalated"), sign));
    }
    if let Some(cost) = d.cost_fen.filter(|c| *c != 0) {
        out.push((key("cost_fen"), sign * cost));
    }
    out
}

/// The library's figures an event changes: a closing counts the complaint's
/// defect; a correction after closing moves it. Counted in the month of
/// closing (the caller puts them there).
pub fn deltas(after: &Complaint, event: &Event) -> Vec<(String, i64)> {
    match &event.kind {
        EventKind::Closed { defect: Some(d), .. } => defect_measures(after, d, 1),
        EventKind::DefectRecorded { defect, previous } if after.status == crate::Status::Closed => {
            let mut out = previous.as_ref().map(|p| defect_measures(after, p, -1)).unwrap_or_default();
            out.extend(defect_measures(after, defect, 1));
            out
        }
        _ => vec![],
    }
}

/// One row of the library: a component (or group of them) and phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LibraryRow {
    /// The component code (or top-level code, or phase) the row counts.
    pub key: String,
    /// `防水 › 屋面渗漏`, or the phase's name.
    pub label: String,
    /// The phase, when the row is one component in one phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    pub complaints: i64,
    /// Households whose first complaint about it closed in the period.
    pub households: i64,
    pub repeat: i64,
    pub escalated: i64,
    /// Cost recorded, in yuan.
    pub cost_yuan: f64,
    /// Projects with at least one such complaint.
    pub projects: usize,
    /// Their ids, in order (for naming them; not in the JSON).
    #[serde(skip)]
    pub project_ids: Vec<i64>,
    /// This row's share of all complaints, and the running share down the
    /// ranking (the Pareto line), both 0–1 to 3 decimals.
    pub share: f64,
    pub cumulative_share: f64,
}

/// How the library groups its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// A component in a phase.
    ComponentPhase,
    /// A component as recorded, all phases.
    Component,
    /// Top-level components (防水, 电梯 …).
    Top,
    Phase,
}

impl Grouping {
    pub fn parse(s: &str) -> Option<Grouping> {
        Some(match s {
            "component_phase" => Grouping::ComponentPhase,
            "component" => Grouping::Component,
            "top" => Grouping::Top,
            "phase" => Grouping::Phase,
            _ => return None,
        })
    }
}

/// A figure key split: component, phase, measure.
pub fn split_key(key: &str) -> Option<(&str, Phase, &str)> {
    let rest = key.strip_prefix("defect:")?;
    let mut parts = rest.split(':');
    let (component, phase, measure) = (parts.next()?, parts.next()?, parts.next()?);
    Some((component, Phase::parse(phase)?, measure))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The library from `(project, key, sum)` figures: rows ranked by
/// complaints (then households, then key), with Pareto shares.
pub fn library(figures: &[(i64, String, i64)], tree: &ComponentTree, grouping: Grouping) -> Vec<LibraryRow> {
    let mut rows: BTreeMap<(String, Option<Phase>), (LibraryRow, std::collections::BTreeSet<i64>)> = BTreeMap::new();
    for (project, key, value) in figures {
        let Some((component, phase, measure)) = split_key(key) else { continue };
        let (k, label, phase) = match grouping {
            Grouping::ComponentPhase => (component.to_string(), tree.display(component), Some(phase)),
            Grouping::Component => (component.to_string(), tree.display(component), None),
            Grouping::Top => {
                let top = tree.top(component);
                let label = tree.display(&top);
                // A code no longer in the tree stays its own row.
                if tree.get(component).is_none() {
                    (component.to_string(), component.to_string(), None)
                } else {
                    (top, label, None)
                }
            }
            Grouping::Phase => (phase.as_str().to_string(), phase.label_zh().to_string(), None),
        };
        let (row, projects) = rows
            .entry((k.clone(), phase))
            .or_insert_with(|| (LibraryRow { key: k, label, phase, ..LibraryRow::default() }, Default::default()));
        match measure {
            "complaints" => {
                row.complaints += value;
                if *value > 0 {
                    projects.insert(*project);
                }
            }
            "households" => row.households += value,
            "repeat" => row.repeat += value,
            "escalated" => row.escalated += value,
            "cost_fen" => row.cost_yuan += *value as f64 / 100.0,
            _ => {}
        }
    }
    let mut out: Vec<LibraryRow> = rows
        .into_values()
        .filter(|(r, _)| r.complaints > 0)
        .map(|(mut r, p)| {
            r.projects = p.len();
            r.project_ids = p.into_iter().collect();
            r.cost_yuan = (r.cost_yuan * 100.0).round() / 100.0;
            r
        })
        .collect();
    out.sort_by(|a, b| b.complaints.cmp(&a.complaints).then(b.households.cmp(&a.households)).then(a.key.cmp(&b.key)));
    let total: i64 = out.iter().map(|r| r.complaints).sum();
    let mut running = 0;
    for r in &mut out {
        running += r.complaints;
        if total > 0 {
            r.share = round3(r.complaints as f64 / total as f64);
            r.cumulative_share = round3(running as f64 / total as f64);
        }
    }
    out
}

/// The design-review checklist (审图清单): components that went wrong in a
/// reviewable phase on at least `min_projects` projects, most projects
/// first, then most complaints.
pub fn checklist(figures: &[(i64, String, i64)], tree: &ComponentTree, min_projects: usize) -> Vec<LibraryRow> {
    let mut rows: Vec<LibraryRow> = library(figures, tree, Grouping::ComponentPhase)
        .into_iter()
        .filter(|r| r.phase.is_some_and(Phase::reviewable) && r.projects >= min_projects)
        .collect();
    rows.sort_by(|a, b| b.projects.cmp(&a.projects).then(b.complaints.cmp(&a.complaints)).then(a.key.cmp(&b.key)));
    rows
}

/// The library's trend: complaints per month (first day) and top-level
/// component, from `(day, project, key, value)` figures.
pub fn trend(
    figures: &[(chrono::NaiveDate, i64, String, i64)],
    tree: &ComponentTree,
) -> BTreeMap<chrono::NaiveDate, BTreeMap<String, i64>> {
    let mut out: BTreeMap<chrono::NaiveDate, BTreeMap<String, i64>> = BTreeMap::new();
    for (day, _, key, value) in figures {
        if let Some((component, _, "complaints")) = split_key(key) {
            let top = if tree.get(component).is_some() { tree.top(component) } else { component.to_string() };
            *out.entry(*day).or_default().entry(top).or_default() += value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_tree_parses_and_has_the_components_named_by_the_issue() {
        let tree = ComponentTree::parse(BUILTIN_TEXT).expect("builtin tree");
        for code in [
            "waterproofing",
            "windows",
            "walls",
            "lifts",
            "plumbing",
            "electrical",
            "parking",
            "landscaping",
            "fees",
            "staff_conduct",
            OTHER,
        ] {
            assert!(tree.get(code).is_some(), "{code}");
        }
        assert_eq!(tree.display("roof_leak"), "防水 › 屋面渗漏");
        assert_eq!(tree.top("roof_leak"), "waterproofing");
    }

    #[test]
    fn a_tree_with_an_unknown_parent_a_cycle_or_a_bad_code_is_refused() {
        let other = "[[component]]\ncode = \"other\"\nname = \"其他\"\n";
        assert!(
            ComponentTree::parse(&format!("{other}[[component]]\ncode = \"a\"\nname = \"甲\"\nparent = \"nope\"\n"))
                .is_err()
        );
        assert!(
            ComponentTree::parse(&format!(
                "{other}[[component]]\ncode = \"a\"\nname = \"甲\"\nparent = \"b\"\n[[component]]\ncode = \"b\"\nname = \"乙\"\nparent = \"a\"\n"
            ))
            .is_err()
        );
        assert!(ComponentTree::parse(&format!("{other}[[component]]\ncode = \"A:b\"\nname = \"甲\"\n")).is_err());
        assert!(ComponentTree::parse("[[component]]\ncode = \"a\"\nname = \"甲\"\n").is_err(), "no other");
        assert!(ComponentTree::parse(&format!("{other}{other}")).is_err(), "twice");
    }

    #[test]
    fn words_point_to_the_deepest_matching_component_and_its_phase() {
        let tree = ComponentTree::builtin();
        assert_eq!(tree.infer("顶楼屋面防水层老化，下雨漏水"), "roof_leak");
        assert_eq!(tree.phase_of("roof_leak"), Phase::Construction);
        assert_eq!(tree.infer("电梯困人"), "lifts");
        assert_eq!(tree.infer("今天天气很好"), OTHER);
        assert_eq!(tree.phase_of(OTHER), Phase::Operation);
    }

    fn fig(project: i64, component: &str, phase: &str, measure: &str, v: i64) -> (i64, String, i64) {
        (project, format!("defect:{component}:{phase}:{measure}"), v)
    }

    #[test]
    fn the_library_ranks_counts_projects_and_draws_the_pareto_line() {
        let tree = ComponentTree::builtin();
        let figures = vec![
            fig(1, "roof_leak", "construction", "complaints", 5),
            fig(2, "roof_leak", "construction", "complaints", 1),
            fig(1, "roof_leak", "construction", "households", 4),
            fig(1, "roof_leak", "construction", "cost_fen", 12_050),
            fig(1, "lifts", "operation", "complaints", 3),
            fig(1, "lifts", "operation", "escalated", 2),
            fig(2, "fees", "operation", "complaints", 1),
            fig(2, "bathroom_leak", "design", "complaints", 0),
        ];
        let rows = library(&figures, &tree, Grouping::ComponentPhase);
        assert_eq!(rows.len(), 3, "zero rows are left out");
        assert_eq!(rows[0].key, "roof_leak");
        assert_eq!((rows[0].complaints, rows[0].households, rows[0].projects, rows[0].cost_yuan), (6, 4, 2, 120.5));
        assert_eq!((rows[0].share, rows[0].cumulative_share), (0.6, 0.6));
        assert_eq!(rows[0].project_ids, vec![1, 2]);
        assert_eq!((rows[1].key.as_str(), rows[1].escalated, rows[1].cumulative_share), ("lifts", 2, 0.9));
        assert_eq!(rows[2].cumulative_share, 1.0);
        let top = library(&figures, &tree, Grouping::Top);
        assert_eq!(top[0].key, "waterproofing");
        let phases = library(&figures, &tree, Grouping::Phase);
        assert_eq!((phases[0].key.as_str(), phases[0].complaints), ("construction", 6));
        // Only what recurred on 2 projects in a reviewable phase.
        let list = checklist(&figures, &tree, 2);
        assert_eq!(list.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), vec!["roof_leak"]);
    }

    #[test]
    fn cost_is_kept_in_fen_and_a_negative_cost_is_refused() {
        assert_eq!(cost_fen(120.5).ok(), Some(12_050));
        assert!(cost_fen(-1.0).is_err());
        assert!(cost_fen(f64::NAN).is_err());
    }
}
