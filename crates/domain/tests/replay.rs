//! Property: whatever anyone tries, in whatever order, the history explains
//! the complaint. Random actions by random actors (every role, several
//! departments, the owner, the system) at increasing times are decided, and
//! the escalation worker looks in now and then; the accepted actions and the
//! worker's findings are recorded and folded in. After every step:
//!
//! - `Complaint::replay` of the history equals the folded state exactly;
//! - event seqs are 1..=n without gaps;
//! - a refused action changes nothing;
//! - the outcome (accepted, or which refusal) is the one an independent model
//!   of DOMAIN.md's rules and issue 3's moves predicts, so the status is
//!   always one the rules can reach from the previous one;
//! - the worker records exactly the warnings and breaches the model predicts
//!   (a deadline met, paused or already breached never fires) and raises the
//!   complaint to the level the chain names;
//! - the deadlines still owed — rule, due time, level, at-risk moment,
//!   pause — and the time the owner is told are the ones the model computes.

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use std::collections::{BTreeMap, BTreeSet};
use tousu_domain::action::ACTION_NAMES;
use tousu_domain::classification::CallbackMethod;
use tousu_domain::complaint::{ProjectRef, StaffRef};
use tousu_domain::deadline::check::check;
use tousu_domain::deadline::policy::ExtensionApprover;
use tousu_domain::deadline::schedule::Clock;
use tousu_domain::deadline::{Commitment, Limits, Span, WeekendsOnly};
use tousu_domain::event::{EvidenceFile, ReportKind};
use tousu_domain::intake::{CustomerDraft, IntakeDraft, Reception, RepeatLink, receive};
use tousu_domain::lifecycle::{
    Context, Decision, Directory, available_actions, decide, decide_attach_evidence, decide_reveal,
};
use tousu_domain::masking::PersonalField;
use tousu_domain::notices::notices;
use tousu_domain::owner_view::{committed_time, owner_event};
use tousu_domain::{
    Action, Actor, Category, Channel, Complaint, DeadlineRule, DomainError, EscalationLevel, Event, EventKind, Role,
    Severity, Status, TimePolicy, Timestamp, TrackingNo, WorkingDays,
};

// ---------------------------------------------------------------------------
// The organisation.
// ---------------------------------------------------------------------------

use common::{DEPARTMENTS, Org, STAFF, actors};

const ACTOR_COUNT: usize = STAFF.len() + 2;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).single().expect("test setup: a valid instant")
}

fn calendar() -> WeekendsOnly {
    WeekendsOnly(chrono_tz::Asia::Shanghai)
}

/// The action names in the order of the lifecycle (the first 12) and then the moves.
const LIFECYCLE_ACTIONS: usize = 12;

// ---------------------------------------------------------------------------
// What the generator produces.
// ---------------------------------------------------------------------------

/// How a complaint starts.
#[derive(Debug, Clone)]
struct Start {
    category: Option<Category>,
    /// The intake's own emergency flag (an emergency category is one too).
    emergency: bool,
    /// Index into STAFF.
    first_responder: Option<usize>,
    /// The repeat count, when it repeats an earlier complaint.
    repeat: Option<u32>,
    /// `lift` has a 24 h commitment; `fees` has none.
    service: Option<&'static str>,
    /// Extensions are approved by the company's leaders instead of the department head.
    leaders_approve: bool,
}

/// The fields of an action, chosen before we know which action it will be.
#[derive(Debug, Clone)]
struct Fields {
    /// Index into ACTION_NAMES (used when the move is not guided).
    name: usize,
    /// Leave every required text of the action blank.
    blank: bool,
    severity: Severity,
    category: Option<Category>,
    /// A department code, possibly unknown; `None` means "the default".
    department: Option<&'static str>,
    /// A handler username, possibly from another department or unknown.
    handler: Option<&'static str>,
    /// Cooperating department codes, possibly unknown or the dispatched one.
    cooperating: Vec<&'static str>,
    evidence: Vec<i64>,
    /// The new time of a delay, relative to now.
    delay_minutes: i64,
    /// When the work finished, relative to now (positive: in the future, refused).
    finished_minutes: Option<i64>,
    /// The time an extension asks for, relative to now.
    extension_minutes: i64,
    approve: bool,
    report: ReportKind,
    perceived: u8,
    expected: u8,
    method: Option<CallbackMethod>,
}

#[derive(Debug, Clone)]
enum Move {
    /// A random action by a random actor.
    Act {
        actor: usize,
        fields: Fields,
    },
    /// One of the (actor, action) pairs that the model says passes the role,
    /// state and department rules, so that histories get deep; mostly a step
    /// of the lifecycle when one is possible.
    Guided {
        pick: Index,
        lifecycle: bool,
        fields: Fields,
    },
    /// The escalation worker looks at the complaint.
    Tick,
    AttachEvidence {
        actor: usize,
        file: i64,
    },
    Reveal {
        actor: usize,
        fields: Vec<PersonalField>,
    },
}

#[derive(Debug, Clone)]
struct Step {
    mv: Move,
    /// Minutes since the previous step (times strictly increase).
    after: i64,
}

const CODES: [&str; 5] = ["engineering", "security", "environment", "service_centre", "plumbing"];

fn fields() -> impl Strategy<Value = Fields> {
    let score = prop_oneof![12 => 1u8..=10, 1 => Just(0u8), 1 => Just(11u8)];
    let department = prop_oneof![
        4 => Just(None),
        3 => Just(Some("engineering")),
        2 => Just(Some("security")),
        1 => Just(Some("environment")),
        1 => Just(Some("service_centre")),
        1 => Just(Some("plumbing")),
    ];
    let usernames: Vec<&'static str> = STAFF.iter().map(|s| s.0).chain(["ghost"]).collect();
    let handler = prop_oneof![3 => Just(None), 1 => select(usernames).prop_map(Some)];
    let cooperating =
        prop_oneof![4 => Just(vec![]), 2 => proptest::collection::vec(select(CODES.to_vec()), 1..=2)];
    let evidence =
        prop_oneof![6 => Just(vec![]), 1 => proptest::collection::vec(prop_oneof![1i64..=3, Just(99)], 1..=2)];
    let delay = prop_oneof![6 => 1i64..=10 * 24 * 60, 1 => Just(0i64), 1 => -600i64..0];
    let finished = prop_oneof![3 => Just(None), 2 => (-600i64..=0).prop_map(Some), 1 => (1i64..=60).prop_map(Some)];
    let extension = prop_oneof![6 => 60i64..=15 * 24 * 60, 1 => -600i64..=60];
    let report = select(vec![ReportKind::FirstResponderUpdate, ReportKind::WrittenReport, ReportKind::Verification]);
    let method = proptest::option::of(select(CallbackMethod::ALL.to_vec()));
    (
        (0..ACTION_NAMES.len(), proptest::bool::weighted(0.08)),
        (select(Severity::ALL.to_vec()), proptest::option::of(select(Category::ALL.to_vec()))),
        (department, handler, cooperating, evidence),
        (delay, finished, extension, any::<bool>(), report),
        (score.clone(), score, method),
    )
        .prop_map(
            |(
                (name, blank),
                (severity, category),
                (department, handler, cooperating, evidence),
                (delay_minutes, finished_minutes, extension_minutes, approve, report),
                (perceived, expected, method),
            )| {
                Fields {
                    name,
                    blank,
                    severity,
                    category,
                    department,
                    handler,
                    cooperating,
                    evidence,
                    delay_minutes,
                    finished_minutes,
                    extension_minutes,
                    approve,
                    report,
                    perceived,
                    expected,
                    method,
                }
            },
        )
}

fn step() -> impl Strategy<Value = Step> {
    let mv = prop_oneof![
        3 => (0..ACTOR_COUNT, fields()).prop_map(|(actor, fields)| Move::Act { actor, fields }),
        8 => (any::<Index>(), proptest::bool::weighted(0.75), fields())
            .prop_map(|(pick, lifecycle, fields)| Move::Guided { pick, lifecycle, fields }),
        2 => Just(Move::Tick),
        1 => (0..ACTOR_COUNT, 1i64..=3).prop_map(|(actor, file)| Move::AttachEvidence { actor, file }),
        1 => (0..ACTOR_COUNT, proptest::collection::vec(select(PersonalField::ALL.to_vec()), 0..=3))
            .prop_map(|(actor, fields)| Move::Reveal { actor, fields }),
    ];
    (mv, prop_oneof![4 => 1i64..=120, 1 => 121i64..=3 * 24 * 60]).prop_map(|(mv, after)| Step { mv, after })
}

fn start() -> impl Strategy<Value = Start> {
    let category = prop_oneof![
        Just(None),
        Just(Some(Category::Facilities)),
        Just(Some(Category::Service)),
        Just(Some(Category::Emergency)),
        Just(Some(Category::Consultation)),
    ];
    (
        category,
        proptest::bool::weighted(0.15),
        proptest::option::of(0..STAFF.len()),
        prop_oneof![4 => Just(None), 1 => (1u32..=3).prop_map(Some)],
        prop_oneof![Just(None), Just(Some("lift")), Just(Some("fees"))],
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(category, emergency, first_responder, repeat, service, leaders_approve)| Start {
            category,
            emergency,
            first_responder,
            repeat,
            service,
            leaders_approve,
        })
}

/// The action named `name` built from `f`, at `now`.
fn build(name: &str, f: &Fields, now: Timestamp) -> Action {
    let text = |s: &str| if f.blank { "  ".to_string() } else { s.to_string() };
    match name {
        "confirm" => Action::Confirm { note: Some("已与业主确认".to_string()) },
        "invalidate" => Action::Invalidate { explanation: text("属于咨询，已解答") },
        "assess" => Action::Assess { severity: f.severity, category: f.category, note: None },
        "investigate" => Action::Investigate {
            department: f.department.unwrap_or("engineering").to_string(),
            post: text("水电维修岗"),
            person: text("李强"),
            root_cause: text("防水层老化"),
            evidence: f.evidence.clone(),
            report: Some("现场查看记录".to_string()),
        },
        "dispatch" => Action::Dispatch {
            department: f.department.map(str::to_string),
            handler: f.handler.map(str::to_string),
            cooperating: f.cooperating.iter().map(|c| c.to_string()).collect(),
            note: None,
        },
        "accept" => Action::Accept { note: None },
        "report_delay" => {
            Action::ReportDelay { reason: text("等待材料"), new_time: now + Duration::minutes(f.delay_minutes) }
        }
        "resolve" => Action::Resolve {
            resolution: text("已修复"),
            finished_at: f.finished_minutes.map(|m| now + Duration::minutes(m)),
        },
        "accept_result" => Action::AcceptResult { note: None },
        "reject_result" => Action::RejectResult { reason: text("仍然漏水") },
        "close" => Action::Close { note: None },
        "callback" => Action::Callback {
            perceived: f.perceived,
            expected: f.expected,
            comment: Some("回访记录".to_string()),
            method: f.method,
        },
        "request_extension" => Action::RequestExtension {
            reason: text("需协调入户时间"),
            new_time: now + Duration::minutes(f.extension_minutes),
        },
        "decide_extension" => Action::DecideExtension { approve: f.approve, note: None },
        "return" => Action::Return { reason: text("派错部门") },
        "urge" => Action::Urge { note: Some("业主再次来电".to_string()) },
        "pause" => Action::Pause { reason: text("等待业主提供资料") },
        "resume" => Action::Resume { note: None },
        "record_report" => Action::RecordReport { report: f.report, text: text("情况说明") },
        "escalate" => Action::Escalate { reason: text("本级无法解决") },
        // These histories carry no triage, so a correction is always refused.
        "correct_triage" => Action::CorrectTriage { field: "category".to_string(), value: "fees".to_string(), note: None },
        "record_defect" => Action::RecordDefect {
            component: text("roof_leak"),
            phase: tousu_domain::defects::Phase::Construction,
            cost: None,
        },
        other => panic!("test setup: unknown action {other}"),
    }
}

// ---------------------------------------------------------------------------
// An independent model of DOMAIN.md's rules and issue 3's time limits.
// ---------------------------------------------------------------------------

/// A length of time as DOMAIN.md states the limits.
#[derive(Debug, Clone, Copy)]
enum Len {
    Minutes(i64),
    WorkingDays(u32),
}

const H: i64 = 60;
const D: i64 = 24 * H;

/// The default limits of DOMAIN.md "Time limits".
fn limit(rule: DeadlineRule) -> Len {
    use DeadlineRule::*;
    match rule {
        Dispatch => Len::Minutes(12 * H),
        NotifyDepartments => Len::Minutes(3),
        DelayNotice | CompletionReport | FirstResponderUpdate => Len::Minutes(2 * H),
        Answer => Len::Minutes(3 * D),
        Callback => Len::WorkingDays(2),
        CallbackLatest => Len::Minutes(7 * D),
        EmergencyHead => Len::Minutes(5),
        EmergencyLeader => Len::Minutes(10),
        WrittenReportLeader => Len::Minutes(24 * H),
        WrittenReportBoard => Len::Minutes(48 * H),
        Verification => Len::Minutes(8 * H),
    }
}

/// One deadline still owed, as the model sees it.
#[derive(Debug, Clone, PartialEq)]
struct Owed {
    due: Timestamp,
    level: EscalationLevel,
    at_risk_at: Option<Timestamp>,
    at_risk: bool,
    breached: bool,
    paused_at: Option<Timestamp>,
    extensions: u32,
}

#[derive(Debug, Clone)]
struct Model {
    status: Status,
    awaiting_callback: bool,
    emergency: bool,
    /// Staff id of the first responder (首问责任人).
    first_responder: Option<i64>,
    investigated: Option<String>,
    /// A defect was filed (the same one again is refused).
    defected: bool,
    department: Option<String>,
    evidence: Vec<i64>,
    reopens: u32,
    rehandles: u32,
    callbacks: usize,
    received_at: Timestamp,
    service: Option<&'static str>,
    leaders_approve: bool,
    level: EscalationLevel,
    multi: bool,
    resolved_once: bool,
    urges: u32,
    returns: u32,
    pending: Option<Timestamp>,
    paused: bool,
    /// The time a department promised (delay) or an approved extension set.
    promised: Option<Timestamp>,
    /// The deadlines owed, at most one per rule.
    owed: BTreeMap<DeadlineRule, Owed>,
}

/// What the model expects of an attempt.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Accept,
    Role,
    State,
    AlreadyCalledBack,
    Department,
    /// Refused for one of these fields.
    Invalid(BTreeSet<&'static str>),
}

/// What the model expects the worker to record.
#[derive(Debug, Clone, PartialEq)]
enum Finding {
    AtRisk(BTreeSet<DeadlineRule>),
    Breach { rules: BTreeSet<DeadlineRule>, from: EscalationLevel, to: Option<EscalationLevel> },
}

/// Whether `actor`'s role (or, for the owner, the portal) allows `action`:
/// owners accept or reject the result, answer the callback and add photos.
fn may_act(actor: &Actor, action: &str) -> bool {
    match actor {
        Actor::Owner => ["accept_result", "reject_result", "callback", "attach_evidence"].contains(&action),
        _ => actor.role().is_some_and(|r| roles_for(action).contains(&r)),
    }
}

fn roles_for(action: &str) -> &'static [Role] {
    use Role::*;
    match action {
        "confirm" | "invalidate" | "accept_result" | "reject_result" | "callback" => &[FrontDesk],
        "assess" | "investigate" => &[FrontDesk, DepartmentHead, CompanyLeader],
        "dispatch" => &[FrontDesk, CompanyLeader],
        "accept" | "report_delay" | "resolve" | "request_extension" | "return" => &[Handler, DepartmentHead],
        "close" | "decide_extension" => &[DepartmentHead, CompanyLeader],
        "urge" => &[FrontDesk, CompanyLeader, Board],
        "pause" | "resume" => &[FrontDesk, Handler, DepartmentHead],
        "record_report" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader, Board],
        "escalate" => &[FrontDesk, DepartmentHead, CompanyLeader],
        "correct_triage" => &[FrontDesk, DepartmentHead, CompanyLeader, Analyst],
        "record_defect" => &[Handler, DepartmentHead, CompanyLeader],
        "attach_evidence" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader],
        "reveal" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader, Board],
        _ => &[],
    }
}

/// Who files each report: the service centre tells the first responder (or
/// the first responder notes it); the levels above the service centre write
/// reports; the service centre and the levels that handled it verify.
fn report_roles(kind: ReportKind) -> &'static [Role] {
    use Role::*;
    match kind {
        ReportKind::FirstResponderUpdate => &[FrontDesk],
        ReportKind::WrittenReport => &[DepartmentHead, CompanyLeader, Board],
        ReportKind::Verification => &[FrontDesk, DepartmentHead, CompanyLeader],
    }
}

fn report_rules(kind: ReportKind) -> &'static [DeadlineRule] {
    match kind {
        ReportKind::FirstResponderUpdate => &[DeadlineRule::FirstResponderUpdate],
        ReportKind::WrittenReport => &[DeadlineRule::WrittenReportLeader, DeadlineRule::WrittenReportBoard],
        ReportKind::Verification => &[DeadlineRule::Verification],
    }
}

const REPORT_KINDS: [ReportKind; 3] =
    [ReportKind::FirstResponderUpdate, ReportKind::WrittenReport, ReportKind::Verification];

fn severity_level(s: Severity) -> EscalationLevel {
    match s {
        Severity::General => EscalationLevel::ServiceCentre,
        Severity::Major => EscalationLevel::DepartmentHead,
        Severity::Crisis => EscalationLevel::CompanyLeader,
    }
}

fn up(l: EscalationLevel) -> EscalationLevel {
    use EscalationLevel::*;
    match l {
        ServiceCentre => DepartmentHead,
        DepartmentHead => CompanyLeader,
        CompanyLeader | Board => Board,
    }
}

impl Model {
    fn start(s: &Start, first_responder: Option<i64>) -> Model {
        let level = (0..s.repeat.unwrap_or(0).min(3)).fold(EscalationLevel::ServiceCentre, |l, _| up(l));
        let mut m = Model {
            status: Status::Received,
            awaiting_callback: false,
            emergency: s.emergency || s.category == Some(Category::Emergency),
            first_responder,
            investigated: None,
            defected: false,
            department: None,
            evidence: vec![],
            reopens: 0,
            rehandles: 0,
            callbacks: 0,
            received_at: t0(),
            service: s.service,
            leaders_approve: s.leaders_approve,
            level,
            multi: false,
            resolved_once: false,
            urges: 0,
            returns: 0,
            pending: None,
            paused: false,
            promised: None,
            owed: BTreeMap::new(),
        };
        let now = t0();
        let first = if m.emergency { DeadlineRule::NotifyDepartments } else { DeadlineRule::Dispatch };
        m.open(first, now, limit(first));
        m.open(DeadlineRule::Answer, now, m.answer_len());
        if level >= EscalationLevel::CompanyLeader {
            m.escalated(level, now);
        }
        m
    }

    /// The answer: the commitment for lifts (24 h), else one department's 3
    /// days or several departments' 7 working days.
    fn answer_len(&self) -> Len {
        if self.service == Some("lift") {
            Len::Minutes(24 * H)
        } else if self.multi || self.level >= EscalationLevel::CompanyLeader {
            Len::WorkingDays(7)
        } else {
            limit(DeadlineRule::Answer)
        }
    }

    fn open(&mut self, rule: DeadlineRule, start: Timestamp, len: Len) {
        let due = match len {
            Len::Minutes(m) => start + Duration::minutes(m),
            Len::WorkingDays(n) => calendar().add_working_days(start, n),
        };
        // At risk once 80% of the time has passed, in whole milliseconds (as stored).
        let total = (due - start).num_milliseconds();
        let at_risk_at = (due > start).then(|| start + Duration::milliseconds(total * 80 / 100));
        let owed =
            Owed { due, level: self.level, at_risk_at, at_risk: false, breached: false, paused_at: None, extensions: 0 };
        let previous = self.owed.insert(rule, owed);
        assert!(previous.is_none(), "model: {rule:?} opened twice");
    }

    /// Met or cancelled: no longer owed.
    fn close(&mut self, rule: DeadlineRule) {
        self.owed.remove(&rule);
    }

    fn owes(&self, rule: DeadlineRule) -> bool {
        self.owed.contains_key(&rule)
    }

    /// What reaching `to` owes: from the company's leaders up a written report
    /// (24 h, 48 h at the board); an emergency still being handled gives the
    /// leaders 10 minutes; the minutes of the levels below end.
    fn escalated(&mut self, to: EscalationLevel, now: Timestamp) {
        self.level = self.level.max(to);
        match to {
            EscalationLevel::CompanyLeader => {
                self.longer_answer(now);
                self.close(DeadlineRule::EmergencyHead);
                self.close(DeadlineRule::WrittenReportLeader);
                self.open(DeadlineRule::WrittenReportLeader, now, limit(DeadlineRule::WrittenReportLeader));
                if self.emergency && self.status.is_open() && !self.resolved_once {
                    self.close(DeadlineRule::EmergencyLeader);
                    self.open(DeadlineRule::EmergencyLeader, now, limit(DeadlineRule::EmergencyLeader));
                }
            }
            EscalationLevel::Board => {
                for rule in [DeadlineRule::EmergencyHead, DeadlineRule::EmergencyLeader, DeadlineRule::WrittenReportBoard] {
                    self.close(rule);
                }
                self.open(DeadlineRule::WrittenReportBoard, now, limit(DeadlineRule::WrittenReportBoard));
            }
            _ => {}
        }
    }

    /// The company's leaders take the answer: the longer limit from receipt,
    /// if later than the one running and that one is neither paused nor breached.
    fn longer_answer(&mut self, now: Timestamp) {
        let Some(current) = self.owed.get(&DeadlineRule::Answer) else { return };
        if self.multi || current.paused_at.is_some() || current.breached || current.due <= now {
            return;
        }
        let len = self.answer_len();
        let due = match len {
            Len::Minutes(m) => self.received_at + Duration::minutes(m),
            Len::WorkingDays(n) => calendar().add_working_days(self.received_at, n),
        };
        if due > current.due {
            self.close(DeadlineRule::Answer);
            self.open(DeadlineRule::Answer, self.received_at, len);
        }
    }

    fn answer_again(&mut self, now: Timestamp) {
        self.close(DeadlineRule::Answer);
        self.open(DeadlineRule::Answer, now, self.answer_len());
    }

    fn report_owed(&self, kind: ReportKind) -> bool {
        report_rules(kind).iter().any(|r| self.owes(*r))
    }

    fn is_first_responder(&self, actor: &Actor) -> bool {
        actor.staff_id().is_some() && actor.staff_id() == self.first_responder
    }

    fn may_record(&self, actor: &Actor, kind: ReportKind) -> bool {
        actor.role().is_some_and(|r| report_roles(kind).contains(&r))
            || (kind == ReportKind::FirstResponderUpdate && self.is_first_responder(actor))
    }

    fn allowed_in(&self, action: &str) -> bool {
        use Status::*;
        let status = self.status;
        let with_department = matches!(status, Dispatched | InProgress);
        match action {
            "confirm" => status == Received,
            "invalidate" => matches!(status, Received | Confirmed),
            "assess" => status == Confirmed,
            "investigate" => matches!(status, Assessed | Investigating),
            "dispatch" => status == Investigating || (self.emergency && matches!(status, Received | Confirmed | Assessed)),
            "accept" => status == Dispatched,
            "report_delay" | "urge" | "return" => with_department,
            "resolve" => status == InProgress,
            "accept_result" | "reject_result" => status == Resolved,
            "close" => status == CustomerAccepted,
            "callback" => status == Closed,
            "request_extension" => with_department && self.pending.is_none() && self.owes(DeadlineRule::Answer),
            "decide_extension" => self.pending.is_some(),
            "pause" => status.is_open() && !self.paused,
            "resume" => self.paused,
            "record_report" => REPORT_KINDS.iter().any(|k| self.report_owed(*k)),
            "escalate" => status.is_open() && self.level < EscalationLevel::Board,
            "record_defect" => self.investigated.is_some() && status != ClosedInvalid,
            _ => false,
        }
    }

    /// The role, state and department rules, in the order the API reports them.
    fn gate(&self, actor: &Actor, action: &str) -> Option<Expect> {
        if !may_act(actor, action) {
            return Some(Expect::Role);
        }
        if action == "callback" && self.status == Status::Closed && !self.awaiting_callback {
            return Some(Expect::AlreadyCalledBack);
        }
        if !self.allowed_in(action) {
            return Some(Expect::State);
        }
        if action == "record_report" && !REPORT_KINDS.iter().any(|k| self.report_owed(*k) && self.may_record(actor, *k)) {
            return Some(Expect::Role);
        }
        let bound = matches!(
            action,
            "accept" | "report_delay" | "resolve" | "close" | "request_extension" | "decide_extension" | "return"
        );
        // Once the complaint is a department's, its staff act only for it; the
        // first responder may always note that they were told the outcome.
        let bound_once_dispatched = matches!(action, "pause" | "resume" | "escalate" | "record_defect")
            || (action == "record_report" && !self.is_first_responder(actor));
        let department_staff = matches!(actor.role(), Some(Role::Handler | Role::DepartmentHead));
        let applies = bound || (bound_once_dispatched && (self.department.is_some() || actor.role() == Some(Role::Handler)));
        if applies && department_staff && (self.department.is_none() || self.department.as_deref() != actor.department()) {
            return Some(Expect::Department);
        }
        None
    }

    /// The fields of `action` that are wrong.
    fn invalid_fields(&self, action: &Action, now: Timestamp) -> BTreeSet<&'static str> {
        let blank = |s: &str| s.trim().is_empty();
        let known = |code: &str| DEPARTMENTS.iter().any(|(c, _)| *c == code);
        let mut bad = BTreeSet::new();
        match action {
            Action::RecordDefect { component, .. } if blank(component) || self.defected => {
                bad.insert("component");
            }
            Action::Invalidate { explanation } if blank(explanation) => {
                bad.insert("explanation");
            }
            Action::Investigate { department, post, person, root_cause, evidence, .. } => {
                if evidence.iter().any(|id| !self.evidence.contains(id)) {
                    bad.insert("evidence");
                }
                if !known(department) {
                    bad.insert("department");
                }
                for (field, v) in [("post", post), ("person", person), ("root_cause", root_cause)] {
                    if blank(v) {
                        bad.insert(field);
                    }
                }
            }
            Action::Dispatch { department, handler, cooperating, .. } => {
                let target = match department {
                    Some(code) if known(code) => Some(code.clone()),
                    Some(_) => None,
                    None => self.investigated.clone(),
                };
                match target {
                    None => {
                        bad.insert("department");
                    }
                    Some(target) => {
                        if let Some(username) = handler {
                            let fits = Org.staff(username).is_some_and(|s| {
                                matches!(s.role, Role::Handler | Role::DepartmentHead)
                                    && s.department.as_deref() == Some(target.as_str())
                            });
                            if !fits {
                                bad.insert("handler");
                            }
                        }
                    }
                }
                if cooperating.iter().any(|c| !known(c)) {
                    bad.insert("cooperating");
                }
            }
            Action::ReportDelay { reason, new_time } => {
                if *new_time <= now {
                    bad.insert("new_time");
                }
                if blank(reason) {
                    bad.insert("reason");
                }
            }
            Action::Resolve { resolution, finished_at } => {
                if blank(resolution) {
                    bad.insert("resolution");
                }
                if finished_at.is_some_and(|f| f > now) {
                    bad.insert("finished_at");
                }
            }
            Action::RejectResult { reason } if blank(reason) => {
                bad.insert("reason");
            }
            Action::Callback { perceived, expected, .. } => {
                if !(1..=10).contains(perceived) {
                    bad.insert("perceived");
                }
                if !(1..=10).contains(expected) {
                    bad.insert("expected");
                }
            }
            Action::RequestExtension { reason, new_time } => {
                if blank(reason) {
                    bad.insert("reason");
                }
                // Later than now and than the answer owed.
                let due = self.owed.get(&DeadlineRule::Answer).map(|d| d.due);
                if *new_time <= now || due.is_some_and(|due| *new_time <= due) {
                    bad.insert("new_time");
                }
            }
            Action::Return { reason } | Action::Pause { reason } | Action::Escalate { reason } if blank(reason) => {
                bad.insert("reason");
            }
            _ => {}
        }
        bad
    }

    fn predict(&self, actor: &Actor, action: &Action, now: Timestamp) -> Expect {
        if let Some(refusal) = self.gate(actor, action.name()) {
            return refusal;
        }
        match action {
            Action::RecordReport { report, text } => {
                if text.trim().is_empty() {
                    return Expect::Invalid(["text"].into());
                }
                if !self.report_owed(*report) {
                    return Expect::Invalid(["report"].into());
                }
                if !self.may_record(actor, *report) {
                    return Expect::Role;
                }
                let department_staff = matches!(actor.role(), Some(Role::Handler | Role::DepartmentHead));
                if *report != ReportKind::FirstResponderUpdate
                    && self.is_first_responder(actor)
                    && department_staff
                    && self.department.is_some()
                    && self.department.as_deref() != actor.department()
                {
                    return Expect::Department;
                }
                return Expect::Accept;
            }
            // When the policy names the company's leaders, only they decide.
            Action::DecideExtension { .. } if self.leaders_approve && actor.role() != Some(Role::CompanyLeader) => {
                return Expect::Role;
            }
            _ => {}
        }
        let bad = self.invalid_fields(action, now);
        if bad.is_empty() { Expect::Accept } else { Expect::Invalid(bad) }
    }

    /// Personal data is for those who need it: never analysts, admins, the
    /// owner or the system; a department's staff only once the complaint is
    /// theirs, unless they received it. `None` when it may be shown.
    fn predict_reveal(&self, actor: &Actor, fields: &[PersonalField]) -> Option<&'static str> {
        if !actor.role().is_some_and(|r| roles_for("reveal").contains(&r)) {
            return Some("role_not_allowed");
        }
        let department_bound = matches!(actor.role(), Some(Role::Handler | Role::DepartmentHead));
        if department_bound
            && !self.is_first_responder(actor)
            && (self.department.is_none() || self.department.as_deref() != actor.department())
        {
            return Some("not_your_department");
        }
        if fields.is_empty() {
            return Some("invalid_field");
        }
        None
    }

    /// The rules' effect of an accepted action.
    fn accept(&mut self, actor: &Actor, action: &Action, now: Timestamp) {
        use DeadlineRule as R;
        use Status::*;
        match action {
            Action::CorrectTriage { .. } => unreachable!("no history here has triage"),
            Action::RecordDefect { .. } => self.defected = true,
            Action::Confirm { .. } => self.status = Confirmed,
            Action::Invalidate { .. } => {
                self.status = ClosedInvalid;
                self.owed.clear();
                self.paused = false;
            }
            Action::Assess { severity, .. } => {
                self.status = Assessed;
                let to = severity_level(*severity);
                if to > self.level {
                    self.escalated(to, now);
                }
            }
            Action::Investigate { department, .. } => {
                self.status = Investigating;
                self.investigated = Some(department.clone());
            }
            Action::Dispatch { department, cooperating, .. } => {
                let target = department.clone().or_else(|| self.investigated.clone()).expect("validated");
                let others: BTreeSet<&String> = cooperating.iter().filter(|c| **c != target).collect();
                self.close(R::Dispatch);
                self.close(R::NotifyDepartments);
                self.close(R::DelayNotice);
                self.open(R::DelayNotice, now, limit(R::DelayNotice));
                if !others.is_empty() && !self.multi {
                    self.multi = true;
                    // Several departments: the longer answer, still counted from receipt.
                    if self.owes(R::Answer) {
                        self.close(R::Answer);
                        self.open(R::Answer, self.received_at, self.answer_len());
                    }
                }
                if self.emergency && !self.owes(R::EmergencyHead) && self.level < EscalationLevel::CompanyLeader {
                    self.open(R::EmergencyHead, now, limit(R::EmergencyHead));
                }
                self.status = Dispatched;
                self.department = Some(target);
            }
            Action::Accept { .. } => {
                self.status = InProgress;
                self.close(R::DelayNotice);
            }
            Action::ReportDelay { new_time, .. } => {
                self.close(R::DelayNotice);
                self.promised = Some(*new_time);
            }
            Action::Resolve { .. } => {
                for rule in [R::Answer, R::DelayNotice, R::EmergencyHead, R::EmergencyLeader, R::FirstResponderUpdate] {
                    self.close(rule);
                }
                self.open(R::FirstResponderUpdate, now, limit(R::FirstResponderUpdate));
                if self.emergency {
                    self.close(R::Verification);
                    self.open(R::Verification, now, limit(R::Verification));
                }
                self.status = Resolved;
                self.resolved_once = true;
                self.promised = None;
                self.pending = None;
            }
            Action::AcceptResult { .. } => self.status = CustomerAccepted,
            Action::RejectResult { .. } => {
                self.status = InProgress;
                self.reopens += 1;
                self.answer_again(now);
            }
            Action::Close { .. } => {
                self.status = Closed;
                self.awaiting_callback = true;
                self.paused = false;
                self.open(R::Callback, now, limit(R::Callback));
                self.open(R::CallbackLatest, now, limit(R::CallbackLatest));
            }
            Action::Callback { perceived, expected, .. } => {
                self.callbacks += 1;
                self.awaiting_callback = false;
                self.close(R::Callback);
                self.close(R::CallbackLatest);
                if perceived < expected {
                    self.status = Dispatched;
                    self.rehandles += 1;
                    self.answer_again(now);
                }
            }
            Action::RequestExtension { new_time, .. } => self.pending = Some(*new_time),
            Action::DecideExtension { approve, .. } => {
                let due = self.pending.take().expect("a request was pending");
                if *approve {
                    self.promised = Some(due);
                    if let Some(answer) = self.owed.get_mut(&R::Answer) {
                        answer.due = due;
                        answer.extensions += 1;
                        answer.at_risk = false;
                        // Warned again at 80% of the time left from the approval.
                        let total = (due - now).num_milliseconds();
                        answer.at_risk_at = (due > now).then(|| now + Duration::milliseconds(total * 80 / 100));
                        answer.breached = false;
                    }
                }
            }
            Action::Return { .. } => {
                self.status = Investigating;
                self.department = None;
                self.pending = None;
                self.returns += 1;
                self.close(R::DelayNotice);
                self.close(R::EmergencyHead);
            }
            Action::Urge { .. } => self.urges += 1,
            Action::Pause { .. } => {
                self.paused = true;
                for (rule, d) in self.owed.iter_mut() {
                    if matches!(rule, R::Answer | R::Callback | R::CallbackLatest) && d.paused_at.is_none() {
                        d.paused_at = Some(now);
                    }
                }
            }
            Action::Resume { .. } => {
                self.paused = false;
                for d in self.owed.values_mut() {
                    if let Some(p) = d.paused_at.take() {
                        d.due += now - p;
                        d.at_risk_at = d.at_risk_at.map(|r| r + (now - p));
                    }
                }
            }
            Action::RecordReport { report, .. } => {
                for rule in report_rules(*report) {
                    self.close(*rule);
                }
            }
            Action::Escalate { .. } => {
                let by = match actor.role() {
                    Some(Role::CompanyLeader) => EscalationLevel::Board,
                    Some(Role::DepartmentHead) => EscalationLevel::CompanyLeader,
                    _ => EscalationLevel::DepartmentHead,
                };
                let to = by.max(up(self.level));
                // Escalating in time keeps the emergency's minutes.
                if to >= EscalationLevel::CompanyLeader {
                    self.close(R::EmergencyHead);
                }
                if to == EscalationLevel::Board {
                    self.close(R::EmergencyLeader);
                }
                self.escalated(to, now);
            }
        }
    }

    /// What the worker must record at `now`, applied to the model.
    fn tick(&mut self, now: Timestamp) -> Option<Finding> {
        let (mut breached, mut at_risk) = (BTreeSet::new(), BTreeSet::new());
        for (rule, d) in &self.owed {
            if d.paused_at.is_some() || d.breached {
                continue;
            }
            if d.due <= now {
                breached.insert(*rule);
            } else if !d.at_risk && d.at_risk_at.is_some_and(|r| r <= now) {
                at_risk.insert(*rule);
            }
        }
        for rule in &at_risk {
            self.owed.get_mut(rule).expect("owed").at_risk = true;
        }
        if breached.is_empty() {
            return (!at_risk.is_empty()).then_some(Finding::AtRisk(at_risk));
        }
        for rule in &breached {
            self.owed.get_mut(rule).expect("owed").breached = true;
        }
        // One level up; an emergency's head or leaders out of time go to the
        // level the rule names.
        let from = self.level;
        let mut to = up(from);
        if breached.contains(&DeadlineRule::EmergencyHead) {
            to = to.max(EscalationLevel::CompanyLeader);
        }
        if breached.contains(&DeadlineRule::EmergencyLeader) {
            to = EscalationLevel::Board;
        }
        if to > from {
            self.escalated(to, now);
        }
        Some(Finding::Breach { rules: breached, from, to: (to > from).then_some(to) })
    }

    /// The time the owner is told.
    fn committed(&self) -> Option<Timestamp> {
        if !self.status.is_open() {
            return None;
        }
        self.promised.or_else(|| self.owed.get(&DeadlineRule::Answer).map(|d| d.due))
    }
}

fn refusal_matches(expect: &Expect, err: &DomainError, actor: &Actor, action: &str, status: Status) -> bool {
    match (expect, err) {
        (Expect::Role, DomainError::RoleNotAllowed { action: a, role, .. }) => *a == action && *role == actor.role(),
        (Expect::State, DomainError::NotAllowedInState { action: a, status: s }) => *a == action && *s == status,
        (Expect::AlreadyCalledBack, DomainError::AlreadyCalledBack) => true,
        (Expect::Department, DomainError::NotYourDepartment { action: a, yours, .. }) => {
            *a == action && yours.as_deref() == actor.department()
        }
        (Expect::Invalid(fields), DomainError::Invalid { field, .. }) => fields.contains(field.as_str()),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// Running a history.
// ---------------------------------------------------------------------------

struct Run {
    id: i64,
    complaint: Complaint,
    events: Vec<Event>,
    model: Model,
    policy: TimePolicy,
    now: Timestamp,
}

impl Run {
    fn start(id: i64, s: &Start) -> Run {
        let first_responder = s.first_responder.map(|i| StaffRef { id: STAFF[i].1, name: STAFF[i].2.to_string() });
        let draft = IntakeDraft {
            channel: Channel::Wechat,
            customer: CustomerDraft { name: "张三丰".to_string(), phone: "13812345678".to_string() },
            project: "HY01".to_string(),
            building: "3栋".to_string(),
            unit: "1801".to_string(),
            description: "地下车库顶板漏水，车被泡了。".to_string(),
            subject: None,
            remedy_sought: None,
            remedies: vec![],
            first_responder: None,
            category: s.category,
            emergency: s.emergency,
            service: s.service.map(str::to_string),
        };
        let policy = TimePolicy {
            limits: Limits {
                extension_approver: if s.leaders_approve {
                    ExtensionApprover::CompanyLeader
                } else {
                    ExtensionApprover::DepartmentHead
                },
                ..Limits::default()
            },
            commitments: vec![Commitment::new("lift", "电梯故障", Span::Hours(24))],
        };
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("test setup: a valid date");
        let repeat = s.repeat.map(|count| RepeatLink {
            of: id + 1,
            tracking_no: TrackingNo::new("TS", NaiveDate::from_ymd_opt(2026, 10, 1).expect("a date"), 9),
            count,
        });
        let (complaint, event) = receive(
            Reception {
                id,
                company_id: 1,
                tracking_no: TrackingNo::new("TS", day, 1),
                project: ProjectRef { id: 1, code: "HY01".to_string(), name: "华苑小区".to_string() },
                first_responder: first_responder.clone(),
                intake: draft.validate().expect("test setup: a valid intake"),
                actor: Actor::Owner,
                now: t0(),
                policy: policy.clone(),
                repeat,
            },
            &calendar(),
        );
        let model = Model::start(s, first_responder.map(|s| s.id));
        Run { id, complaint, events: vec![event], model, policy, now: t0() }
    }

    fn record(&mut self, decision: Decision, actor: Actor) -> Result<(), TestCaseError> {
        let event = decision.into_event(&self.complaint, actor, self.now);
        prop_assert_eq!(event.seq as usize, self.events.len() + 1, "the next event follows the last one");
        self.complaint.apply(&event);
        self.events.push(event);
        Ok(())
    }

    /// The (actor, action) pairs the model lets through the role, state and
    /// department rules.
    fn candidates(&self, actors: &[Actor], lifecycle: bool) -> Vec<(usize, &'static str)> {
        let names = if lifecycle { &ACTION_NAMES[..LIFECYCLE_ACTIONS] } else { &ACTION_NAMES[..] };
        let mut out = Vec::new();
        for (i, actor) in actors.iter().enumerate() {
            for name in names {
                if self.model.gate(actor, name).is_none() {
                    out.push((i, *name));
                }
            }
        }
        out
    }

    fn lifecycle_action(&mut self, actor: &Actor, action: Action) -> Result<(), TestCaseError> {
        let before = self.complaint.clone();
        let expect = self.model.predict(actor, &action, self.now);
        let ctx = Context { now: self.now, policy: &self.policy, days: &calendar(), dir: &Org };
        match decide(&self.complaint, actor, &action, &ctx) {
            Ok(decision) => {
                prop_assert_eq!(
                    &expect,
                    &Expect::Accept,
                    "{} by {:?} while {} was accepted: {:?}",
                    action.name(),
                    actor,
                    before.status,
                    action
                );
                self.record(decision, actor.clone())?;
                self.model.accept(actor, &action, self.now);
            }
            Err(err) => {
                prop_assert!(
                    refusal_matches(&expect, &err, actor, action.name(), before.status),
                    "{} by {:?} while {}: expected {:?}, got {:?} ({:?})",
                    action.name(),
                    actor,
                    before.status,
                    expect,
                    err,
                    action
                );
                prop_assert_eq!(&self.complaint, &before, "a refused action changed the complaint");
            }
        }
        Ok(())
    }

    /// The escalation worker's look at the complaint.
    fn tick(&mut self) -> Result<(), TestCaseError> {
        let clock = Clock { now: self.now, policy: &self.policy, days: &calendar() };
        let found = check(&self.complaint, &clock);
        let expected = self.model.tick(self.now);
        let Some(decision) = found else {
            prop_assert_eq!(expected, None, "the worker found nothing at {}", self.now);
            return Ok(());
        };
        let got = match &decision.kind {
            EventKind::DeadlineAtRisk { rules } => Finding::AtRisk(rules.iter().copied().collect()),
            EventKind::DeadlineBreached { rules, from, to } => {
                Finding::Breach { rules: rules.iter().copied().collect(), from: *from, to: *to }
            }
            other => return Err(TestCaseError::fail(format!("the worker recorded {other:?}"))),
        };
        prop_assert_eq!(Some(got.clone()), expected, "the worker's finding at {}", self.now);
        self.record(decision, Actor::System)?;
        let event = self.events.last().expect("just recorded");
        // The level that must act is told at once; warnings stay internal.
        let sent = notices(event, &self.complaint);
        match got {
            Finding::AtRisk(_) => prop_assert!(owner_event(event).is_none(), "the owner never sees a warning"),
            Finding::Breach { to, .. } => {
                prop_assert_eq!(sent.len(), 1);
                prop_assert_eq!(sent[0].level, Some(to.unwrap_or(self.complaint.escalation_level)));
                prop_assert_eq!(owner_event(event).is_some(), to.is_some(), "the owner sees 督办 only when it rose");
            }
        }
        Ok(())
    }

    fn attach(&mut self, actor: &Actor, file: i64) -> Result<(), TestCaseError> {
        let before = self.complaint.clone();
        let evidence = EvidenceFile {
            id: file,
            name: format!("照片{file}.jpg"),
            content_type: "image/jpeg".to_string(),
            size: 1_000 * file as u64,
            sha256: format!("{file:064x}"),
        };
        match decide_attach_evidence(&self.complaint, actor, evidence) {
            Ok(decision) => {
                prop_assert!(
                    may_act(actor, "attach_evidence"),
                    "{:?} attached evidence",
                    actor
                );
                self.record(decision, actor.clone())?;
                self.model.evidence.push(file);
            }
            Err(err) => {
                prop_assert!(
                    !may_act(actor, "attach_evidence"),
                    "{:?}: {:?}",
                    actor,
                    err
                );
                prop_assert_eq!(err.code(), "role_not_allowed");
                prop_assert_eq!(&self.complaint, &before);
            }
        }
        Ok(())
    }

    fn reveal(&mut self, actor: &Actor, fields: &[PersonalField]) -> Result<(), TestCaseError> {
        let before = self.complaint.clone();
        let expected_code = self.model.predict_reveal(actor, fields);
        match decide_reveal(&self.complaint, actor, fields) {
            Ok(decision) => {
                prop_assert_eq!(expected_code, None, "{:?} revealed {:?} while {}", actor, fields, before.status);
                self.record(decision, actor.clone())?;
            }
            Err(err) => {
                prop_assert_eq!(Some(err.code()), expected_code, "{:?} revealing {:?}", actor, fields);
                prop_assert_eq!(&self.complaint, &before);
            }
        }
        Ok(())
    }

    fn take(&mut self, step: &Step, actors: &[Actor]) -> Result<(), TestCaseError> {
        self.now += Duration::minutes(step.after);
        match &step.mv {
            Move::Act { actor, fields } => {
                let action = build(ACTION_NAMES[fields.name], fields, self.now);
                self.lifecycle_action(&actors[*actor], action)
            }
            Move::Guided { pick, lifecycle, fields } => {
                let mut candidates = if *lifecycle { self.candidates(actors, true) } else { vec![] };
                if candidates.is_empty() {
                    candidates = self.candidates(actors, false);
                }
                let (actor, name) = if candidates.is_empty() {
                    (fields.name % actors.len(), ACTION_NAMES[fields.name])
                } else {
                    *pick.get(&candidates)
                };
                let mut fields = fields.clone();
                if name == "record_report" {
                    // A report this actor may file, when one is owed.
                    let owed = REPORT_KINDS
                        .into_iter()
                        .find(|k| self.model.report_owed(*k) && self.model.may_record(&actors[actor], *k));
                    fields.report = owed.unwrap_or(fields.report);
                }
                let action = build(name, &fields, self.now);
                self.lifecycle_action(&actors[actor], action)
            }
            Move::Tick => self.tick(),
            Move::AttachEvidence { actor, file } => self.attach(&actors[*actor], *file),
            Move::Reveal { actor, fields } => self.reveal(&actors[*actor], fields),
        }
    }

    /// Everything that must hold after every step.
    fn check(&self, actors: &[Actor]) -> Result<(), TestCaseError> {
        let c = &self.complaint;
        let m = &self.model;

        let replayed = Complaint::replay(self.id, &self.events);
        prop_assert_eq!(replayed.as_ref(), Some(c), "replay differs from the folded state");

        let seqs: Vec<u32> = self.events.iter().map(|e| e.seq).collect();
        let expected: Vec<u32> = (1..=self.events.len() as u32).collect();
        prop_assert_eq!(seqs, expected, "event seqs have a gap");
        prop_assert_eq!(c.version as usize, self.events.len());
        prop_assert!(self.events.windows(2).all(|w| w[0].at < w[1].at), "times increase");
        prop_assert_eq!(Some(c.updated_at), self.events.last().map(|e| e.at));

        prop_assert!(Status::ALL.contains(&c.status));
        prop_assert_eq!(c.status, m.status, "the status is not the one the rules reach");
        prop_assert_eq!(c.awaiting_callback, m.awaiting_callback);
        prop_assert_eq!(c.department.as_ref().map(|d| d.code.clone()), m.department.clone());
        prop_assert_eq!(c.reopen_count, m.reopens);
        prop_assert_eq!(c.rehandle_count, m.rehandles);
        prop_assert_eq!(c.callbacks.len(), m.callbacks);
        prop_assert_eq!(c.evidence.iter().map(|f| f.id).collect::<Vec<_>>(), m.evidence.clone());
        prop_assert_eq!(c.closed_at.is_some(), matches!(c.status, Status::Closed | Status::ClosedInvalid));
        prop_assert_eq!(c.resolved_at.is_some(), c.resolution.is_some());
        prop_assert_eq!(c.emergency, m.emergency);
        prop_assert_eq!(c.escalation_level, m.level, "the escalation level");
        prop_assert_eq!(c.multi_department, m.multi);
        prop_assert_eq!(c.urge_count, m.urges);
        prop_assert_eq!(c.returned_count, m.returns);
        prop_assert_eq!(c.pending_extension.as_ref().map(|p| p.due_at), m.pending);
        prop_assert_eq!(c.paused_at.is_some(), m.paused);
        prop_assert_eq!(committed_time(c), m.committed(), "the time the owner is told");

        // The deadlines owed: one per rule, each as the model computes it.
        let mut owed = BTreeMap::new();
        for d in c.open_deadlines() {
            let entry = Owed {
                due: d.due_at,
                level: d.level,
                at_risk_at: d.at_risk_at,
                at_risk: d.at_risk,
                breached: d.breached_at.is_some(),
                paused_at: d.paused_at,
                extensions: d.extensions,
            };
            prop_assert!(owed.insert(d.rule, entry).is_none(), "{:?} is owed twice", d.rule);
            prop_assert_eq!(d.committed, d.rule == DeadlineRule::Answer, "{:?}", d);
        }
        prop_assert_eq!(&owed, &m.owed, "deadlines owed while {}", c.status);
        for d in &c.deadlines {
            prop_assert_eq!(d.closed_at.is_none(), d.state == tousu_domain::DeadlineState::Open, "{:?}", d);
        }

        for actor in actors {
            let offered = available_actions(c, actor);
            let expected: Vec<&str> = ACTION_NAMES.into_iter().filter(|a| m.gate(actor, a).is_none()).collect();
            prop_assert_eq!(offered, expected, "available actions of {:?} while {}", actor, c.status);
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn replaying_the_history_always_gives_the_folded_complaint(
        id in 1i64..10_000,
        start in start(),
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let actors = actors();
        let mut run = Run::start(id, &start);
        run.check(&actors)?;
        for step in &steps {
            run.take(step, &actors)?;
            run.check(&actors)?;
        }
    }

    #[test]
    fn a_history_read_back_from_json_replays_to_the_same_complaint(
        start in start(),
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let actors = actors();
        let mut run = Run::start(1, &start);
        for step in &steps {
            run.take(step, &actors)?;
        }
        let json = serde_json::to_string(&run.events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Vec<Event> = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &run.events);
        prop_assert_eq!(Complaint::replay(1, &back), Some(run.complaint));
    }
}

/// The generator is only useful if it reaches every state, the loops
/// (reopen, re-handling, delay) and the moves and findings of the time
/// limits; this checks that the guided moves really walk all of them.
#[test]
fn random_histories_reach_every_status_move_and_finding() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let actors = actors();
    let mut seen = BTreeSet::new();
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::collection::vec(step(), 60..80);
    for n in 0..300 {
        let steps = strategy.new_tree(&mut runner).expect("test setup: steps generate").current();
        let start = Start {
            category: Some(if n % 3 == 2 { Category::Emergency } else { Category::Facilities }),
            emergency: false,
            first_responder: Some(n % STAFF.len()),
            repeat: (n % 5 == 4).then_some(1 + (n % 3) as u32),
            service: [None, Some("lift"), Some("fees")][n % 3],
            leaders_approve: n % 4 == 1,
        };
        let mut run = Run::start(1, &start);
        for step in &steps {
            run.take(step, &actors).expect("the rules hold");
            let c = &run.complaint;
            seen.insert(c.status.as_str().to_string());
            let mut mark = |cond: bool, what: &str| {
                if cond {
                    seen.insert(what.to_string());
                }
            };
            mark(c.status == Status::Closed && !c.awaiting_callback, "called back");
            mark(c.reopen_count > 0, "reopened");
            mark(c.rehandle_count > 0, "re-handled");
            mark(c.promised_at.is_some() && c.pending_extension.is_none(), "delayed or extended");
            mark(c.pending_extension.is_some(), "extension requested");
            mark(c.deadlines.iter().any(|d| d.extensions > 0), "extension approved");
            mark(c.returned_count > 0, "returned");
            mark(c.urge_count > 0, "urged");
            mark(c.paused_at.is_some(), "paused");
            mark(c.multi_department, "several departments");
            mark(c.escalation_level == EscalationLevel::Board, "at the board");
            mark(c.emergency && c.department.is_some() && c.investigation.is_none(), "emergency dispatched at once");
            if let Some(e) = run.events.last() {
                mark(e.type_name_is("deadline_at_risk"), "at risk");
                mark(e.type_name_is("deadline_breached"), "breached");
                mark(e.type_name_is("escalated"), "escalated by hand");
                mark(e.type_name_is("report_recorded"), "report recorded");
                mark(e.type_name_is("resumed"), "resumed");
            }
        }
    }
    let all: BTreeSet<String> = Status::ALL
        .into_iter()
        .map(Status::as_str)
        .chain([
            "called back",
            "reopened",
            "re-handled",
            "delayed or extended",
            "extension requested",
            "extension approved",
            "returned",
            "urged",
            "paused",
            "several departments",
            "at the board",
            "emergency dispatched at once",
            "at risk",
            "breached",
            "escalated by hand",
            "report recorded",
            "resumed",
        ])
        .map(str::to_string)
        .collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "never reached: {missing:?}");
}

trait TypeName {
    fn type_name_is(&self, name: &str) -> bool;
}

impl TypeName for Event {
    fn type_name_is(&self, name: &str) -> bool {
        self.kind.type_name() == name
    }
}
