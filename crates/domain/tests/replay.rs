//! Property: whatever anyone tries, in whatever order, the history explains
//! the complaint. Random actions by random actors (every role, several
//! departments, the owner, the system) at increasing times are decided; the
//! accepted ones are recorded and folded in. After every step:
//!
//! - `Complaint::replay` of the history equals the folded state exactly;
//! - event seqs are 1..=n without gaps;
//! - a refused action changes nothing;
//! - the outcome (accepted, or which refusal) is the one an independent model
//!   of DOMAIN.md's rules predicts, so the status is always one the rules can
//!   reach from the previous one;
//! - the deadlines still owed are the ones the status implies.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use std::collections::BTreeSet;
use tousu_domain::action::ACTION_NAMES;
use tousu_domain::classification::CallbackMethod;
use tousu_domain::complaint::{DepartmentRef, ProjectRef, StaffRef};
use tousu_domain::event::EvidenceFile;
use tousu_domain::intake::{CustomerDraft, IntakeDraft, Reception, receive};
use tousu_domain::lifecycle::{
    Decision, Directory, StaffEntry, available_actions, decide, decide_attach_evidence, decide_reveal,
};
use tousu_domain::masking::PersonalField;
use tousu_domain::{
    Action, Actor, Category, Channel, Complaint, DeadlineRule, DomainError, Event, Role, Severity, Status, TimeLimits,
    Timestamp, TrackingNo,
};

// ---------------------------------------------------------------------------
// The organisation.
// ---------------------------------------------------------------------------

const DEPARTMENTS: [(&str, &str); 4] =
    [("engineering", "工程部"), ("service_centre", "客服中心"), ("security", "秩序部"), ("environment", "环境部")];

/// username, id, name, role, department
const STAFF: [(&str, i64, &str, Role, Option<&str>); 13] = [
    ("wang.fang", 1, "王芳", Role::FrontDesk, Some("service_centre")),
    ("li.qiang", 2, "李强", Role::Handler, Some("engineering")),
    ("zhao.min", 3, "赵敏", Role::DepartmentHead, Some("engineering")),
    ("sun.li", 4, "孙丽", Role::Handler, Some("security")),
    ("qian.jun", 5, "钱军", Role::DepartmentHead, Some("security")),
    ("zhou.hua", 6, "周华", Role::CompanyLeader, None),
    ("wu.gang", 7, "吴刚", Role::Board, None),
    ("zheng.yu", 8, "郑宇", Role::Analyst, Some("quality")),
    ("feng.lei", 9, "冯磊", Role::Admin, None),
    ("chen.jing", 10, "陈静", Role::Handler, Some("engineering")),
    ("he.ping", 11, "何平", Role::Handler, Some("environment")),
    ("lin.xue", 12, "林雪", Role::FrontDesk, Some("service_centre")),
    ("xu.bo", 13, "徐波", Role::Handler, None),
];

struct Org;

impl Directory for Org {
    fn department(&self, code: &str) -> Option<DepartmentRef> {
        DEPARTMENTS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, n)| DepartmentRef { code: c.to_string(), name: n.to_string() })
    }

    fn staff(&self, username: &str) -> Option<StaffEntry> {
        STAFF.iter().find(|s| s.0 == username).map(|&(_, id, name, role, dept)| StaffEntry {
            id,
            name: name.to_string(),
            role,
            department: dept.map(str::to_string),
        })
    }
}

/// Everyone who might act: each staff member, then the owner and tousu itself.
fn actors() -> Vec<Actor> {
    STAFF
        .iter()
        .map(|&(_, id, name, role, dept)| Actor::Staff {
            id,
            name: name.to_string(),
            role,
            department: dept.map(str::to_string),
        })
        .chain([Actor::Owner, Actor::System])
        .collect()
}

const ACTOR_COUNT: usize = STAFF.len() + 2;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).single().expect("test setup: a valid instant")
}

// ---------------------------------------------------------------------------
// What the generator produces.
// ---------------------------------------------------------------------------

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
    evidence: Vec<i64>,
    /// The new time of a delay, relative to now.
    delay_minutes: i64,
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
    /// state and department rules, so that histories get deep.
    Guided {
        pick: Index,
        fields: Fields,
    },
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
    let evidence =
        prop_oneof![6 => Just(vec![]), 1 => proptest::collection::vec(prop_oneof![1i64..=3, Just(99)], 1..=2)];
    let delay = prop_oneof![6 => 1i64..=10 * 24 * 60, 1 => Just(0i64), 1 => -600i64..0];
    let method = proptest::option::of(select(CallbackMethod::ALL.to_vec()));
    (
        (0..ACTION_NAMES.len(), proptest::bool::weighted(0.08)),
        (select(Severity::ALL.to_vec()), proptest::option::of(select(Category::ALL.to_vec()))),
        (department, handler, evidence),
        (delay, score.clone(), score, method),
    )
        .prop_map(
            |(
                (name, blank),
                (severity, category),
                (department, handler, evidence),
                (delay_minutes, perceived, expected, method),
            )| {
                Fields {
                    name,
                    blank,
                    severity,
                    category,
                    department,
                    handler,
                    evidence,
                    delay_minutes,
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
        8 => (any::<Index>(), fields()).prop_map(|(pick, fields)| Move::Guided { pick, fields }),
        1 => (0..ACTOR_COUNT, 1i64..=3).prop_map(|(actor, file)| Move::AttachEvidence { actor, file }),
        1 => (0..ACTOR_COUNT, proptest::collection::vec(select(PersonalField::ALL.to_vec()), 0..=3))
            .prop_map(|(actor, fields)| Move::Reveal { actor, fields }),
    ];
    (mv, prop_oneof![4 => 1i64..=120, 1 => 121i64..=3 * 24 * 60]).prop_map(|(mv, after)| Step { mv, after })
}

fn intake_category() -> impl Strategy<Value = Option<Category>> {
    prop_oneof![
        Just(None),
        Just(Some(Category::Facilities)),
        Just(Some(Category::Service)),
        Just(Some(Category::Emergency)),
        Just(Some(Category::Consultation)),
    ]
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
            note: None,
        },
        "accept" => Action::Accept { note: None },
        "report_delay" => {
            Action::ReportDelay { reason: text("等待材料"), new_time: now + Duration::minutes(f.delay_minutes) }
        }
        "resolve" => Action::Resolve { resolution: text("已修复") },
        "accept_result" => Action::AcceptResult { note: None },
        "reject_result" => Action::RejectResult { reason: text("仍然漏水") },
        "close" => Action::Close { note: None },
        "callback" => Action::Callback {
            perceived: f.perceived,
            expected: f.expected,
            comment: Some("回访记录".to_string()),
            method: f.method,
        },
        other => panic!("test setup: unknown action {other}"),
    }
}

// ---------------------------------------------------------------------------
// An independent model of DOMAIN.md's rules.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Model {
    status: Status,
    awaiting_callback: bool,
    emergency: bool,
    /// Staff id of the first responder (首问责任人).
    first_responder: Option<i64>,
    investigated: Option<String>,
    department: Option<String>,
    evidence: Vec<i64>,
    reopens: u32,
    rehandles: u32,
    callbacks: usize,
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

fn roles_for(action: &str) -> &'static [Role] {
    use Role::*;
    match action {
        "confirm" | "invalidate" | "accept_result" | "reject_result" | "callback" => &[FrontDesk],
        "assess" | "investigate" => &[FrontDesk, DepartmentHead, CompanyLeader],
        "dispatch" => &[FrontDesk, CompanyLeader],
        "accept" | "report_delay" | "resolve" => &[Handler, DepartmentHead],
        "close" => &[DepartmentHead, CompanyLeader],
        "attach_evidence" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader],
        "reveal" => &[FrontDesk, Handler, DepartmentHead, CompanyLeader, Board],
        _ => &[],
    }
}

fn allowed_in(action: &str, status: Status) -> bool {
    use Status::*;
    match action {
        "confirm" => status == Received,
        "invalidate" => matches!(status, Received | Confirmed),
        "assess" => status == Confirmed,
        "investigate" => matches!(status, Assessed | Investigating),
        "dispatch" => status == Investigating,
        "accept" => status == Dispatched,
        "report_delay" => matches!(status, Dispatched | InProgress),
        "resolve" => status == InProgress,
        "accept_result" | "reject_result" => status == Resolved,
        "close" => status == CustomerAccepted,
        "callback" => status == Closed,
        _ => false,
    }
}

impl Model {
    /// The role, state and department rules, in the order the API reports them.
    fn gate(&self, actor: &Actor, action: &str) -> Option<Expect> {
        if !actor.role().is_some_and(|r| roles_for(action).contains(&r)) {
            return Some(Expect::Role);
        }
        if action == "callback" && self.status == Status::Closed && !self.awaiting_callback {
            return Some(Expect::AlreadyCalledBack);
        }
        if !allowed_in(action, self.status) {
            return Some(Expect::State);
        }
        let department_bound = matches!(action, "accept" | "report_delay" | "resolve" | "close");
        if department_bound
            && matches!(actor.role(), Some(Role::Handler | Role::DepartmentHead))
            && (self.department.is_none() || self.department.as_deref() != actor.department())
        {
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
            Action::Dispatch { department, handler, .. } => {
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
            }
            Action::ReportDelay { reason, new_time } => {
                if *new_time <= now {
                    bad.insert("new_time");
                }
                if blank(reason) {
                    bad.insert("reason");
                }
            }
            Action::Resolve { resolution } if blank(resolution) => {
                bad.insert("resolution");
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
            _ => {}
        }
        bad
    }

    fn predict(&self, actor: &Actor, action: &Action, now: Timestamp) -> Expect {
        if let Some(refusal) = self.gate(actor, action.name()) {
            return refusal;
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
        let first_responder = actor.staff_id().is_some() && actor.staff_id() == self.first_responder;
        let department_bound = matches!(actor.role(), Some(Role::Handler | Role::DepartmentHead));
        if department_bound
            && !first_responder
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
    fn accept(&mut self, action: &Action) {
        use Status::*;
        match action {
            Action::Confirm { .. } => self.status = Confirmed,
            Action::Invalidate { .. } => self.status = ClosedInvalid,
            Action::Assess { .. } => self.status = Assessed,
            Action::Investigate { department, .. } => {
                self.status = Investigating;
                self.investigated = Some(department.clone());
            }
            Action::Dispatch { department, .. } => {
                self.status = Dispatched;
                self.department = department.clone().or_else(|| self.investigated.clone());
            }
            Action::Accept { .. } => self.status = InProgress,
            Action::ReportDelay { .. } => {}
            Action::Resolve { .. } => self.status = Resolved,
            Action::AcceptResult { .. } => self.status = CustomerAccepted,
            Action::RejectResult { .. } => {
                self.status = InProgress;
                self.reopens += 1;
            }
            Action::Close { .. } => {
                self.status = Closed;
                self.awaiting_callback = true;
            }
            Action::Callback { perceived, expected, .. } => {
                self.callbacks += 1;
                self.awaiting_callback = false;
                if perceived < expected {
                    self.status = Dispatched;
                    self.rehandles += 1;
                }
            }
        }
    }

    /// The deadlines owed in the current state.
    fn owed(&self) -> Vec<DeadlineRule> {
        use Status::*;
        let first = if self.emergency { DeadlineRule::NotifyDepartments } else { DeadlineRule::Dispatch };
        let mut owed = match self.status {
            Received | Confirmed | Assessed | Investigating => vec![first, DeadlineRule::Answer],
            Dispatched | InProgress => vec![DeadlineRule::Answer],
            Resolved | CustomerAccepted | ClosedInvalid => vec![],
            Closed if self.awaiting_callback => vec![DeadlineRule::Callback],
            Closed => vec![],
        };
        owed.sort();
        owed
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
    limits: TimeLimits,
    now: Timestamp,
}

impl Run {
    fn start(id: i64, category: Option<Category>, first_responder: Option<usize>) -> Run {
        let first_responder = first_responder.map(|i| StaffRef { id: STAFF[i].1, name: STAFF[i].2.to_string() });
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
            category,
        };
        let limits = TimeLimits::default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("test setup: a valid date");
        let (complaint, event) = receive(Reception {
            id,
            company_id: 1,
            tracking_no: TrackingNo::new("TS", day, 1),
            project: ProjectRef { id: 1, code: "HY01".to_string(), name: "华苑小区".to_string() },
            first_responder: first_responder.clone(),
            intake: draft.validate().expect("test setup: a valid intake"),
            actor: Actor::Owner,
            now: t0(),
            limits: limits.clone(),
        });
        let model = Model {
            status: Status::Received,
            awaiting_callback: false,
            emergency: category == Some(Category::Emergency),
            first_responder: first_responder.map(|s| s.id),
            investigated: None,
            department: None,
            evidence: vec![],
            reopens: 0,
            rehandles: 0,
            callbacks: 0,
        };
        Run { id, complaint, events: vec![event], model, limits, now: t0() }
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
    fn candidates(&self, actors: &[Actor]) -> Vec<(usize, &'static str)> {
        let mut out = Vec::new();
        for (i, actor) in actors.iter().enumerate() {
            for name in ACTION_NAMES {
                if self.model.gate(actor, name).is_none() {
                    out.push((i, name));
                }
            }
        }
        out
    }

    fn lifecycle_action(&mut self, actor: &Actor, action: Action) -> Result<(), TestCaseError> {
        let before = self.complaint.clone();
        let expect = self.model.predict(actor, &action, self.now);
        let result = decide(&self.complaint, actor, &action, self.now, &self.limits, &Org);
        match result {
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
                self.model.accept(&action);
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
                    roles_for("attach_evidence").iter().any(|r| Some(*r) == actor.role()),
                    "{:?} attached evidence",
                    actor
                );
                self.record(decision, actor.clone())?;
                self.model.evidence.push(file);
            }
            Err(err) => {
                prop_assert!(
                    !roles_for("attach_evidence").iter().any(|r| Some(*r) == actor.role()),
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
            Move::Guided { pick, fields } => {
                let candidates = self.candidates(actors);
                let (actor, name) = if candidates.is_empty() {
                    (fields.name % actors.len(), ACTION_NAMES[fields.name])
                } else {
                    *pick.get(&candidates)
                };
                let action = build(name, fields, self.now);
                self.lifecycle_action(&actors[actor], action)
            }
            Move::AttachEvidence { actor, file } => self.attach(&actors[*actor], *file),
            Move::Reveal { actor, fields } => self.reveal(&actors[*actor], fields),
        }
    }

    /// Everything that must hold after every step.
    fn check(&self, actors: &[Actor]) -> Result<(), TestCaseError> {
        let c = &self.complaint;

        let replayed = Complaint::replay(self.id, &self.events);
        prop_assert_eq!(replayed.as_ref(), Some(c), "replay differs from the folded state");

        let seqs: Vec<u32> = self.events.iter().map(|e| e.seq).collect();
        let expected: Vec<u32> = (1..=self.events.len() as u32).collect();
        prop_assert_eq!(seqs, expected, "event seqs have a gap");
        prop_assert_eq!(c.version as usize, self.events.len());
        prop_assert!(self.events.windows(2).all(|w| w[0].at < w[1].at), "times increase");
        prop_assert_eq!(Some(c.updated_at), self.events.last().map(|e| e.at));

        prop_assert!(Status::ALL.contains(&c.status));
        prop_assert_eq!(c.status, self.model.status, "the status is not the one the rules reach");
        prop_assert_eq!(c.awaiting_callback, self.model.awaiting_callback);
        prop_assert_eq!(c.department.as_ref().map(|d| d.code.clone()), self.model.department.clone());
        prop_assert_eq!(c.reopen_count, self.model.reopens);
        prop_assert_eq!(c.rehandle_count, self.model.rehandles);
        prop_assert_eq!(c.callbacks.len(), self.model.callbacks);
        prop_assert_eq!(c.evidence.iter().map(|f| f.id).collect::<Vec<_>>(), self.model.evidence.clone());
        prop_assert_eq!(c.closed_at.is_some(), matches!(c.status, Status::Closed | Status::ClosedInvalid));
        prop_assert_eq!(c.resolved_at.is_some(), c.resolution.is_some());

        let mut owed: Vec<DeadlineRule> = c.open_deadlines().map(|d| d.rule).collect();
        owed.sort();
        prop_assert_eq!(owed, self.model.owed(), "deadlines owed while {}", c.status);
        for d in &c.deadlines {
            prop_assert_eq!(d.closed_at.is_none(), d.state == tousu_domain::DeadlineState::Open, "{:?}", d);
        }

        for actor in actors {
            let offered = available_actions(c, actor);
            let expected: Vec<&str> =
                ACTION_NAMES.into_iter().filter(|a| self.model.gate(actor, a).is_none()).collect();
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
        category in intake_category(),
        first_responder in proptest::option::of(0..STAFF.len()),
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let actors = actors();
        let mut run = Run::start(id, category, first_responder);
        run.check(&actors)?;
        for step in &steps {
            run.take(step, &actors)?;
            run.check(&actors)?;
        }
    }

    #[test]
    fn a_history_read_back_from_json_replays_to_the_same_complaint(
        category in intake_category(),
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let actors = actors();
        let mut run = Run::start(1, category, Some(0));
        for step in &steps {
            run.take(step, &actors)?;
        }
        let json = serde_json::to_string(&run.events).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Vec<Event> = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &run.events);
        prop_assert_eq!(Complaint::replay(1, &back), Some(run.complaint));
    }
}

/// The generator is only useful if it reaches every state (and the loops:
/// reopen, re-handling, delay); this checks that the guided moves really walk
/// the whole lifecycle.
#[test]
fn random_histories_reach_every_status() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let actors = actors();
    let mut seen = BTreeSet::new();
    let mut runner = TestRunner::deterministic();
    let strategy = proptest::collection::vec(step(), 60..80);
    for _ in 0..200 {
        let steps = strategy.new_tree(&mut runner).expect("test setup: steps generate").current();
        let mut run = Run::start(1, Some(Category::Facilities), Some(0));
        for step in &steps {
            run.take(step, &actors).expect("the rules hold");
            let c = &run.complaint;
            seen.insert(c.status.as_str());
            if c.status == Status::Closed && !c.awaiting_callback {
                seen.insert("called back");
            }
            if c.reopen_count > 0 {
                seen.insert("reopened");
            }
            if c.rehandle_count > 0 {
                seen.insert("re-handled");
            }
            if c.promised_at.is_some() {
                seen.insert("delayed");
            }
        }
    }
    let all: BTreeSet<&str> = Status::ALL
        .into_iter()
        .map(Status::as_str)
        .chain(["called back", "reopened", "re-handled", "delayed"])
        .collect();
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "never reached: {missing:?}");
}
