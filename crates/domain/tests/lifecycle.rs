//! The 8 steps of DOMAIN.md, walked without I/O: `intake::receive` starts a
//! complaint, `lifecycle::decide` answers each action, `Decision::into_event`
//! numbers the event and `Complaint::apply` folds it in.

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use std::collections::HashMap;
use tousu_domain::action::ACTION_NAMES;
use tousu_domain::classification::{CallbackMethod, Remedy};
use tousu_domain::complaint::{DepartmentRef, ProjectRef, StaffRef};
use tousu_domain::event::{EvidenceFile, ReportKind};
use tousu_domain::intake::{CustomerDraft, IntakeDraft, Reception, receive};
use tousu_domain::lifecycle::{
    Decision, Directory, OWNER_ACTIONS, available_actions, decide, decide_attach_evidence, decide_reveal,
    permitted_roles, state_allows,
};
use tousu_domain::masking::PersonalField;
use tousu_domain::lifecycle::Context;
use tousu_domain::deadline::WeekendsOnly;
use tousu_domain::owner_view::{committed_time, owner_event};
use tousu_domain::{
    Action, Actor, Category, Channel, Complaint, Deadline, DeadlineRule, DeadlineState, DomainError, EscalationLevel, Event,
    EventKind, Role, Severity, Status, TimePolicy, Timestamp, TrackingNo,
};

// ---------------------------------------------------------------------------
// The organisation: a small property company.
// ---------------------------------------------------------------------------

use common::{Org, STAFF, staff};

/// The staff these tests act with: the first ten of the shared organisation
/// (one front desk). The console table below names what each may do.
const LIFECYCLE_STAFF: &[(&str, i64, &str, Role, Option<&str>)] = STAFF.split_at(10).0;

const FRONT_DESK: &str = "wang.fang";
const ENG_HANDLER: &str = "li.qiang";
const ENG_HEAD: &str = "zhao.min";
const SEC_HANDLER: &str = "sun.li";
const SEC_HEAD: &str = "qian.jun";
const LEADER: &str = "zhou.hua";
const BOARD: &str = "wu.gang";
const ANALYST: &str = "zheng.yu";
const ADMIN: &str = "feng.lei";
const ENG_HANDLER_2: &str = "chen.jing";

/// An actor with `role` in the engineering department (department-bound
/// roles then pass the department check for complaints sent to engineering).
fn engineer_with_role(role: Role) -> Actor {
    Actor::Staff { id: 100, name: "测试员".to_string(), role, department: Some("engineering".to_string()) }
}

fn engineering() -> DepartmentRef {
    DepartmentRef { code: "engineering".to_string(), name: "工程部".to_string() }
}

fn security() -> DepartmentRef {
    DepartmentRef { code: "security".to_string(), name: "秩序部".to_string() }
}

// ---------------------------------------------------------------------------
// Time: everything happens on one Monday in Shanghai (09:00 = 01:00 UTC).
// ---------------------------------------------------------------------------

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).single().expect("test setup: a valid instant")
}

fn at(minutes: i64) -> Timestamp {
    t0() + Duration::minutes(minutes)
}

const HOUR: i64 = 60;
const DAY: i64 = 24 * HOUR;

// ---------------------------------------------------------------------------
// Actions with sensible fields.
// ---------------------------------------------------------------------------

fn confirm() -> Action {
    Action::Confirm { note: Some("已电话与业主确认漏水情况".to_string()) }
}

fn invalidate() -> Action {
    Action::Invalidate { explanation: "业主咨询物业费缴纳方式，已当场解答".to_string() }
}

fn assess() -> Action {
    Action::Assess { severity: Severity::General, category: Some(Category::Facilities), note: None }
}

fn investigate() -> Action {
    Action::Investigate {
        department: "engineering".to_string(),
        post: "水电维修岗".to_string(),
        person: "李强".to_string(),
        root_cause: "楼上卫生间防水层老化".to_string(),
        evidence: vec![],
        report: Some("现场查看：楼上卫生间地漏周边渗水。".to_string()),
    }
}

fn dispatch() -> Action {
    Action::Dispatch { department: None, handler: None, cooperating: vec![], note: None }
}

fn accept() -> Action {
    Action::Accept { note: None }
}

fn report_delay(new_time: Timestamp) -> Action {
    Action::ReportDelay { reason: "防水材料需要从供应商处调货".to_string(), new_time }
}

fn resolve() -> Action {
    Action::Resolve { resolution: "已重做楼上卫生间防水层，并修补业主家天花板".to_string(), finished_at: None }
}

fn accept_result() -> Action {
    Action::AcceptResult { note: None }
}

fn reject_result() -> Action {
    Action::RejectResult { reason: "天花板仍有水渍，还在滴水".to_string() }
}

fn close() -> Action {
    Action::Close { note: Some("资料已归档".to_string()) }
}

fn callback(perceived: u8, expected: u8) -> Action {
    Action::Callback {
        perceived,
        expected,
        comment: Some("师傅很负责".to_string()),
        method: Some(CallbackMethod::Phone),
    }
}

fn record_update() -> Action {
    Action::RecordReport { report: ReportKind::FirstResponderUpdate, text: "已告知首问责任人处理结果".to_string() }
}

fn request_extension(new_time: Timestamp) -> Action {
    Action::RequestExtension { reason: "需协调楼上业主入户，时间待定".to_string(), new_time }
}

fn decide_extension(approve: bool) -> Action {
    Action::DecideExtension { approve, note: None }
}

fn return_it() -> Action {
    Action::Return { reason: "属于秩序部职责，派错部门".to_string() }
}

fn pause() -> Action {
    Action::Pause { reason: "业主出差，无法入户查看".to_string() }
}

fn resume() -> Action {
    Action::Resume { note: None }
}

fn escalate() -> Action {
    Action::Escalate { reason: "本级无法解决".to_string() }
}

fn urge() -> Action {
    Action::Urge { note: Some("业主再次来电".to_string()) }
}

/// A valid instance of the action named `name`, done at `now`.
fn sample_action(name: &str, now: Timestamp) -> Action {
    match name {
        "confirm" => confirm(),
        "invalidate" => invalidate(),
        "assess" => assess(),
        "investigate" => investigate(),
        // Named, so that an emergency not yet investigated can be dispatched too.
        "dispatch" => Action::Dispatch {
            department: Some("engineering".to_string()),
            handler: None,
            cooperating: vec![],
            note: None,
        },
        "accept" => accept(),
        "report_delay" => report_delay(now + Duration::days(1)),
        "resolve" => resolve(),
        "accept_result" => accept_result(),
        "reject_result" => reject_result(),
        "close" => close(),
        "callback" => callback(9, 8),
        "request_extension" => request_extension(now + Duration::days(10)),
        "decide_extension" => decide_extension(true),
        "return" => return_it(),
        "urge" => urge(),
        "pause" => pause(),
        "resume" => resume(),
        "record_report" => record_update(),
        "escalate" => escalate(),
        "correct_triage" => Action::CorrectTriage { field: "category".to_string(), value: "fees".to_string(), note: None },
        "record_defect" => Action::RecordDefect {
            component: "roof_leak".to_string(),
            phase: tousu_domain::defects::Phase::Construction,
            cost: Some(300.0),
        },
        other => panic!("test setup: unknown action {other}"),
    }
}

// ---------------------------------------------------------------------------
// A complaint under test with its history.
// ---------------------------------------------------------------------------

struct Case {
    limits: TimePolicy,
    complaint: Complaint,
    events: Vec<Event>,
}

fn intake_draft(category: Category) -> IntakeDraft {
    IntakeDraft {
        channel: Channel::Phone,
        customer: CustomerDraft { name: "张三丰".to_string(), phone: "+86 138-1234-5678".to_string() },
        project: "HY01".to_string(),
        building: "3栋".to_string(),
        unit: "1801".to_string(),
        description: "卫生间天花板漏水三天了，物业一直没人来看。".to_string(),
        subject: Some("卫生间漏水".to_string()),
        remedy_sought: Some("尽快维修，赔偿泡坏的吊顶".to_string()),
        remedies: vec![Remedy::Repair, Remedy::Apology, Remedy::Repair],
        first_responder: Some(FRONT_DESK.to_string()),
        category: Some(category),
        emergency: false,
        service: None,
    }
}

impl Case {
    /// Step 1: a complaint received by the front desk at `now`.
    fn received(category: Category, now: Timestamp) -> Case {
        Case::received_by(category, FRONT_DESK, now)
    }

    /// Step 1: a complaint whose first responder (首问责任人) is `username`.
    fn received_by(category: Category, username: &str, now: Timestamp) -> Case {
        let mut draft = intake_draft(category);
        draft.first_responder = Some(username.to_string());
        let intake = draft.validate().expect("test setup: a valid intake");
        let responder = Org.staff(username).expect("test setup: a known first responder");
        let limits = TimePolicy::default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("test setup: a valid date");
        let (complaint, event) = receive(Reception {
            id: 7,
            company_id: 1,
            tracking_no: TrackingNo::new("TS", day, 42),
            project: ProjectRef { id: 1, code: "HY01".to_string(), name: "华苑小区".to_string() },
            first_responder: Some(StaffRef { id: responder.id, name: responder.name }),
            intake,
            actor: staff(username),
            now,
            policy: limits.clone(),
            repeat: None,
        }, &WeekendsOnly(chrono_tz::Asia::Shanghai));
        Case { limits, complaint, events: vec![event] }
    }

    fn decide_as(&self, actor: &Actor, action: &Action, now: Timestamp) -> Result<Decision, DomainError> {
        decide(&self.complaint, actor, action, &Context { now, policy: &self.limits, days: &WeekendsOnly(chrono_tz::Asia::Shanghai), dir: &Org })
    }

    fn record(&mut self, decision: Decision, actor: Actor, now: Timestamp) -> &Event {
        let event = decision.into_event(&self.complaint, actor, now);
        self.complaint.apply(&event);
        self.events.push(event);
        self.events.last().expect("an event was just pushed")
    }

    /// Performs `action` as `actor` if the domain accepts it.
    fn try_act_as(&mut self, actor: Actor, action: Action, now: Timestamp) -> Result<&Event, DomainError> {
        let decision = self.decide_as(&actor, &action, now)?;
        Ok(self.record(decision, actor, now))
    }

    fn try_act(&mut self, username: &str, action: Action, now: Timestamp) -> Result<&Event, DomainError> {
        self.try_act_as(staff(username), action, now)
    }

    /// Performs a step the test relies on; refusal is a test failure.
    fn act(&mut self, username: &str, action: Action, now: Timestamp) -> &Event {
        let name = action.name();
        let status = self.complaint.status;
        self.try_act(username, action, now)
            .unwrap_or_else(|e| panic!("{username} could not {name} while {status}: {e}"))
    }

    /// Asserts that `action` by `actor` is refused with `expected`, and that
    /// the refusal leaves the complaint exactly as it was.
    fn assert_refused_as(&self, actor: &Actor, action: &Action, now: Timestamp, expected: &DomainError) {
        let before = self.complaint.clone();
        let err = self.decide_as(actor, action, now).expect_err("the action should be refused");
        assert_eq!(&err, expected, "{} by {actor:?} while {}", action.name(), self.complaint.status);
        assert_eq!(self.complaint, before, "a refused action must not change the complaint");
    }

    fn deadlines(&self, rule: DeadlineRule) -> Vec<&Deadline> {
        self.complaint.deadlines.iter().filter(|d| d.rule == rule).collect()
    }

    fn open_deadline(&self, rule: DeadlineRule) -> Option<&Deadline> {
        self.complaint.open_deadlines().find(|d| d.rule == rule)
    }
}

/// The happy path's steps, each with its actor and time (minutes after receipt).
fn happy_steps() -> Vec<(&'static str, Action, i64, Status)> {
    vec![
        (FRONT_DESK, confirm(), 10, Status::Confirmed),
        (FRONT_DESK, assess(), 20, Status::Assessed),
        (ENG_HEAD, investigate(), HOUR, Status::Investigating),
        (FRONT_DESK, dispatch(), 2 * HOUR, Status::Dispatched),
        (ENG_HANDLER, accept(), 2 * HOUR + 30, Status::InProgress),
        (ENG_HANDLER, resolve(), DAY, Status::Resolved),
        (FRONT_DESK, accept_result(), DAY + HOUR, Status::CustomerAccepted),
        (ENG_HEAD, close(), DAY + 2 * HOUR, Status::Closed),
    ]
}

/// A facilities complaint received at `t0` and taken along the happy path
/// until it reaches `status` (`Closed` means closed, awaiting the callback).
fn advanced_to(status: Status) -> Case {
    let mut case = Case::received(Category::Facilities, t0());
    if status == Status::ClosedInvalid {
        case.act(FRONT_DESK, invalidate(), at(10));
        return case;
    }
    for (who, action, minutes, reached) in happy_steps() {
        if case.complaint.status == status {
            break;
        }
        case.act(who, action, at(minutes));
        assert_eq!(case.complaint.status, reached);
    }
    assert_eq!(case.complaint.status, status, "test setup: the happy path never reaches {status}");
    case
}

/// Closed and already called back (satisfied): nothing more is owed.
fn called_back() -> Case {
    let mut case = advanced_to(Status::Closed);
    case.act(FRONT_DESK, callback(9, 8), at(2 * DAY));
    case
}

fn evidence(id: i64) -> EvidenceFile {
    EvidenceFile {
        id,
        name: format!("现场照片{id}.jpg"),
        content_type: "image/jpeg".to_string(),
        size: 120_000,
        sha256: "ab".repeat(32),
    }
}

// ---------------------------------------------------------------------------
// Step 1: receive.
// ---------------------------------------------------------------------------

#[test]
fn a_received_complaint_owes_dispatch_within_12_hours_and_an_answer_within_3_days() {
    let case = Case::received(Category::Facilities, t0());
    let c = &case.complaint;
    assert_eq!(c.status, Status::Received);
    assert_eq!(c.version, 1);
    assert_eq!(case.events[0].seq, 1);
    assert_eq!(c.tracking_no.as_str(), "TS20261123-0042");
    assert_eq!(c.customer.phone.as_str(), "13812345678");
    assert_eq!(c.remedies, vec![Remedy::Apology, Remedy::Repair], "remedies are deduplicated");
    assert_eq!(c.first_responder, Some(StaffRef { id: 1, name: "王芳".to_string() }));
    assert_eq!(c.received_at, t0());
    assert_eq!(
        c.deadlines,
        vec![
            {
                let mut dispatch = Deadline::open(DeadlineRule::Dispatch, at(12 * HOUR), Default::default());
                dispatch.at_risk_at = Some(at(12 * HOUR * 80 / 100));
                dispatch
            },
            {
                let mut answer = Deadline::open(DeadlineRule::Answer, at(3 * DAY), Default::default());
                answer.committed = true;
                answer.at_risk_at = Some(at(3 * DAY * 80 / 100));
                answer
            },
        ]
    );
    assert_eq!(case.open_deadline(DeadlineRule::Answer).map(|d| d.due_at), Some(at(3 * DAY)));
    assert_eq!(committed_time(c), Some(at(3 * DAY)), "the owner is promised the answer deadline");
}

#[test]
fn an_intake_with_a_malformed_phone_is_refused_naming_the_field() {
    let mut draft = intake_draft(Category::Facilities);
    draft.customer.phone = "138-abc-5678".to_string();
    let err = draft.validate().expect_err("a phone with letters is not a phone");
    assert_eq!(err.field(), Some("customer.phone"));
}

#[test]
fn an_emergency_must_reach_the_departments_within_3_minutes_and_dispatch_meets_that() {
    let mut case = Case::received(Category::Emergency, t0());
    let notify = case.open_deadline(DeadlineRule::NotifyDepartments).map(|d| d.due_at);
    assert_eq!(notify, Some(at(3)));
    assert!(case.deadlines(DeadlineRule::Dispatch).is_empty(), "an emergency has no 12 h dispatch limit");

    case.act(FRONT_DESK, confirm(), at(1));
    case.act(FRONT_DESK, assess(), at(1));
    case.act(LEADER, investigate(), at(2));
    case.act(LEADER, dispatch(), at(2));

    let notify = case.deadlines(DeadlineRule::NotifyDepartments);
    assert_eq!(notify.len(), 1);
    assert_eq!(notify[0].state, DeadlineState::Met);
    assert_eq!(notify[0].closed_at, Some(at(2)));
}

// ---------------------------------------------------------------------------
// Steps 1–7: the happy path.
// ---------------------------------------------------------------------------

#[test]
fn a_complaint_walks_all_eight_steps_to_closed_and_a_satisfied_callback() {
    let mut case = Case::received(Category::Facilities, t0());
    let mut expected_seq = 1;

    for (who, action, minutes, reached) in happy_steps() {
        let name = action.name();
        let event = case.act(who, action, at(minutes));
        expected_seq += 1;
        assert_eq!(event.seq, expected_seq, "{name} is event {expected_seq}");
        assert_eq!(event.at, at(minutes));
        assert_eq!(case.complaint.status, reached, "after {name}");
        assert_eq!(case.complaint.version, expected_seq);
        assert_eq!(case.complaint.updated_at, at(minutes));

        match reached {
            Status::Investigating => {
                let inv = case.complaint.investigation.as_ref().expect("the findings are kept");
                assert_eq!(inv.department, engineering());
                assert_eq!(inv.root_cause, "楼上卫生间防水层老化");
            }
            Status::Dispatched => {
                assert_eq!(case.complaint.department, Some(engineering()));
                let dispatch = case.deadlines(DeadlineRule::Dispatch);
                assert_eq!(dispatch[0].state, DeadlineState::Met, "dispatched within 12 h");
                assert_eq!(dispatch[0].closed_at, Some(at(2 * HOUR)));
                assert_eq!(dispatch[0].due_at, at(12 * HOUR));
            }
            Status::InProgress => {
                assert_eq!(case.complaint.handler, Some(StaffRef { id: 2, name: "李强".to_string() }));
            }
            Status::Resolved => {
                assert_eq!(case.complaint.resolved_at, Some(at(DAY)));
                let answer = case.deadlines(DeadlineRule::Answer);
                assert_eq!(answer.len(), 1);
                assert_eq!(answer[0].state, DeadlineState::Met, "answered within 3 days");
                assert_eq!(answer[0].closed_at, Some(at(DAY)));
                let update = case.open_deadline(DeadlineRule::FirstResponderUpdate).expect("the first responder must be told");
                assert_eq!(update.due_at, at(DAY + 2 * HOUR));
            }
            Status::Closed => {
                assert_eq!(case.complaint.closed_at, Some(at(DAY + 2 * HOUR)));
                assert!(case.complaint.awaiting_callback);
                // Closed on Tuesday 24 November 11:00 in Shanghai: 2 working days
                // run to the end of Thursday 26 November; never later than 7 days.
                let callback = case.open_deadline(DeadlineRule::Callback).expect("a callback is owed");
                let end_of_thursday = chrono_tz::Asia::Shanghai
                    .with_ymd_and_hms(2026, 11, 27, 0, 0, 0)
                    .single()
                    .expect("test setup: a valid local time")
                    .to_utc()
                    - Duration::milliseconds(1);
                assert_eq!(callback.due_at, end_of_thursday, "2 working days after closure");
                let latest = case.open_deadline(DeadlineRule::CallbackLatest).expect("a latest callback time");
                assert_eq!(latest.due_at, at(DAY + 2 * HOUR + 7 * DAY), "never later than 7 days");
                let mut owed: Vec<DeadlineRule> = case.complaint.open_deadlines().map(|d| d.rule).collect();
                owed.sort();
                assert_eq!(
                    owed,
                    [DeadlineRule::FirstResponderUpdate, DeadlineRule::Callback, DeadlineRule::CallbackLatest],
                    "the callback and the first responder's update are still owed"
                );
            }
            _ => {}
        }
    }

    // Step 7: the callback, 9 felt against 6 expected.
    case.act(FRONT_DESK, callback(9, 6), at(2 * DAY));
    let c = &case.complaint;
    assert_eq!(c.status, Status::Closed);
    assert!(!c.awaiting_callback);
    assert_eq!(c.version, 10);
    let s = c.satisfaction().expect("the callback is recorded");
    assert_eq!((s.perceived, s.expected, s.difference), (9, 6, 3));
    assert_eq!(s.index, 1.5);
    assert!(!s.rehandle);
    assert_eq!(s.method, CallbackMethod::Phone);
    assert_eq!(s.comment.as_deref(), Some("师傅很负责"));
    let callback = case.deadlines(DeadlineRule::Callback);
    assert_eq!(callback[0].state, DeadlineState::Met);
    assert_eq!(callback[0].closed_at, Some(at(2 * DAY)));
    assert_eq!(case.deadlines(DeadlineRule::CallbackLatest)[0].state, DeadlineState::Met, "one callback meets both");
    let owed: Vec<DeadlineRule> = c.open_deadlines().map(|d| d.rule).collect();
    assert_eq!(owed, [DeadlineRule::FirstResponderUpdate], "only the first responder's update is still owed");

    // The front desk tells the first responder (here: itself) the outcome.
    case.act(FRONT_DESK, record_update(), at(2 * DAY + HOUR));
    let c = &case.complaint;
    assert_eq!(c.version, 11);
    assert_eq!(c.open_deadlines().count(), 0, "nothing is owed any more");
    assert_eq!(c.rehandle_count, 0);
    assert_eq!(c.reopen_count, 0);
    assert_eq!(committed_time(c), None);

    assert_eq!(Complaint::replay(c.id, &case.events).as_ref(), Some(c), "history rebuilds the same complaint");
}

#[test]
fn a_callback_without_a_method_is_recorded_as_a_phone_callback() {
    let mut case = advanced_to(Status::Closed);
    case.act(FRONT_DESK, Action::Callback { perceived: 7, expected: 7, comment: None, method: None }, at(2 * DAY));
    let s = case.complaint.satisfaction().expect("the callback is recorded");
    assert_eq!(s.method, CallbackMethod::Phone);
    assert_eq!(s.index, 1.0);
    assert!(!s.rehandle, "content is not dissatisfied");
}

#[test]
fn a_callback_score_outside_one_to_ten_is_refused_naming_the_score() {
    let case = advanced_to(Status::Closed);
    let err = case.decide_as(&staff(FRONT_DESK), &callback(11, 5), at(2 * DAY)).expect_err("11 is not a score");
    assert_eq!(err.field(), Some("perceived"));
    let err = case.decide_as(&staff(FRONT_DESK), &callback(5, 0), at(2 * DAY)).expect_err("0 is not a score");
    assert_eq!(err.field(), Some("expected"));
}

// ---------------------------------------------------------------------------
// Step 2: invalid complaints.
// ---------------------------------------------------------------------------

#[test]
fn an_invalid_complaint_is_explained_closed_as_invalid_and_its_deadlines_cancelled() {
    for before_confirming in [true, false] {
        let mut case = Case::received(Category::Facilities, t0());
        if !before_confirming {
            case.act(FRONT_DESK, confirm(), at(5));
        }
        case.act(FRONT_DESK, invalidate(), at(10));
        let c = &case.complaint;
        assert_eq!(c.status, Status::ClosedInvalid);
        assert!(!c.status.is_open());
        assert_eq!(c.invalid_explanation.as_deref(), Some("业主咨询物业费缴纳方式，已当场解答"));
        assert_eq!(c.closed_at, Some(at(10)));
        assert_eq!(c.open_deadlines().count(), 0);
        assert_eq!(c.deadlines.len(), 2, "the deadlines stay as history");
        for d in &c.deadlines {
            assert_eq!(d.state, DeadlineState::Cancelled, "{:?}", d.rule);
            assert_eq!(d.closed_at, Some(at(10)));
        }
        assert!(available_actions(c, &staff(FRONT_DESK)).is_empty());
        assert_eq!(committed_time(c), None);
    }
}

#[test]
fn an_invalidation_without_an_explanation_is_refused_naming_the_field() {
    let case = Case::received(Category::Consultation, t0());
    let err = case
        .decide_as(&staff(FRONT_DESK), &Action::Invalidate { explanation: "  \n ".to_string() }, at(5))
        .expect_err("the customer must be told why");
    assert_eq!(err.field(), Some("explanation"));
    assert_eq!(err.code(), "invalid_field");
}

// ---------------------------------------------------------------------------
// State rules (409).
// ---------------------------------------------------------------------------

/// Where each action is possible, as DOMAIN.md's 8 steps and issue 3's moves
/// describe it: the lifecycle by status; the moves by what is owed or pending.
fn allowed_in(action: &str, c: &Complaint) -> bool {
    use Status::*;
    let status = c.status;
    // With a department: dispatched to it, or being handled by it.
    let with_department = matches!(status, Dispatched | InProgress);
    let owed = |rule: DeadlineRule| c.open_deadline(rule).is_some();
    match action {
        "confirm" => status == Received,
        "invalidate" => matches!(status, Received | Confirmed),
        "assess" => status == Confirmed,
        "investigate" => matches!(status, Assessed | Investigating),
        // An emergency goes to the department at once (3 min), before it is
        // confirmed, assessed or investigated.
        "dispatch" => status == Investigating || (c.emergency && matches!(status, Received | Confirmed | Assessed)),
        "accept" => status == Dispatched,
        "report_delay" | "urge" | "return" => with_department,
        "resolve" => status == InProgress,
        "accept_result" | "reject_result" => status == Resolved,
        "close" => status == CustomerAccepted,
        "callback" => status == Closed,
        // More time to answer: while the department has it, the answer is
        // still owed, and no other request waits for a decision.
        "request_extension" => with_department && owed(DeadlineRule::Answer) && c.pending_extension.is_none(),
        "decide_extension" => c.pending_extension.is_some(),
        "pause" => status.is_open() && c.paused_at.is_none(),
        "resume" => c.paused_at.is_some(),
        // Only when a report is owed.
        "record_report" => [
            DeadlineRule::FirstResponderUpdate,
            DeadlineRule::WrittenReportLeader,
            DeadlineRule::WrittenReportBoard,
            DeadlineRule::Verification,
        ]
        .into_iter()
        .any(owed),
        // Up the chain while open, until the board.
        "escalate" => status.is_open() && c.escalation_level < EscalationLevel::Board,
        // Only what triage read can be corrected.
        "correct_triage" => c.triage.is_some(),
        // From investigation on, closed too (a correction), never when invalid.
        "record_defect" => c.investigation.is_some() && status != Status::ClosedInvalid,
        other => panic!("test setup: unknown action {other}"),
    }
}

/// The roles DOMAIN.md and issue 3 give each action.
fn expected_roles(action: &str) -> Vec<Role> {
    use Role::*;
    match action {
        "confirm" | "invalidate" | "accept_result" | "reject_result" | "callback" => vec![FrontDesk],
        "assess" | "investigate" => vec![FrontDesk, DepartmentHead, CompanyLeader],
        "dispatch" => vec![FrontDesk, CompanyLeader],
        // The department asks for more time and returns what is not its own.
        "accept" | "report_delay" | "resolve" | "request_extension" | "return" => vec![Handler, DepartmentHead],
        // The department head approves (or a company leader, above it).
        "close" | "decide_extension" => vec![DepartmentHead, CompanyLeader],
        // The service centre or a leader urges.
        "urge" => vec![FrontDesk, CompanyLeader, Board],
        // Whoever waits on the customer.
        "pause" | "resume" => vec![FrontDesk, Handler, DepartmentHead],
        // Anyone who may owe a report; which report is checked per kind.
        "record_report" => vec![FrontDesk, Handler, DepartmentHead, CompanyLeader, Board],
        // Each level that cannot solve it, up to the company's leaders.
        "escalate" => vec![FrontDesk, DepartmentHead, CompanyLeader],
        // A person corrects the machine: the service centre, heads, leaders, quality.
        "correct_triage" => vec![FrontDesk, DepartmentHead, CompanyLeader, Analyst],
        // The department that fixed it files the defect; leaders may too.
        "record_defect" => vec![DepartmentHead, Handler, CompanyLeader],
        other => panic!("test setup: unknown action {other}"),
    }
}

/// Actions bound to the department the complaint is dispatched to (for
/// handlers and department heads).
fn department_bound(action: &str) -> bool {
    matches!(
        action,
        "accept"
            | "report_delay"
            | "resolve"
            | "close"
            | "request_extension"
            | "decide_extension"
            | "return"
            | "pause"
            | "resume"
            | "record_report"
            | "escalate"
            | "record_defect"
    )
}

/// In progress, with the department's request for more time waiting.
fn with_pending_extension() -> Case {
    let mut case = advanced_to(Status::InProgress);
    case.act(ENG_HANDLER, request_extension(at(10 * DAY)), at(3 * HOUR));
    case
}

/// In progress, waiting on the customer.
fn paused() -> Case {
    let mut case = advanced_to(Status::InProgress);
    case.act(FRONT_DESK, pause(), at(3 * HOUR));
    case
}

/// One complaint in every state the lifecycle can reach, and in the states
/// the moves add (a request pending, a clock paused, an emergency just in).
fn one_complaint_in_each_state() -> Vec<Case> {
    let mut cases: Vec<Case> = Status::ALL.into_iter().map(advanced_to).collect();
    cases.push(called_back());
    cases.push(with_pending_extension());
    cases.push(paused());
    cases.push(Case::received(Category::Emergency, t0()));
    cases
}

fn describe(c: &Complaint) -> String {
    format!(
        "{} (emergency: {}, pending extension: {}, paused: {}, awaiting callback: {})",
        c.status,
        c.emergency,
        c.pending_extension.is_some(),
        c.paused_at.is_some(),
        c.awaiting_callback
    )
}

#[test]
fn every_action_in_a_wrong_state_is_a_state_conflict_and_changes_nothing() {
    for case in one_complaint_in_each_state() {
        let status = case.complaint.status;
        let now = at(3 * DAY);
        for action in ACTION_NAMES {
            // Someone whose role and department would allow it.
            let actor = engineer_with_role(expected_roles(action)[0]);
            let a = sample_action(action, now);
            if case.complaint.status == Status::Closed && !case.complaint.awaiting_callback && action == "callback" {
                case.assert_refused_as(&actor, &a, now, &DomainError::AlreadyCalledBack);
            } else if allowed_in(action, &case.complaint) {
                let result = case.decide_as(&actor, &a, now);
                assert!(result.is_ok(), "{action} should be possible while {}: {result:?}", describe(&case.complaint));
            } else {
                let expected = DomainError::NotAllowedInState { action, status };
                case.assert_refused_as(&actor, &a, now, &expected);
                assert_eq!(expected.code(), "transition_not_allowed");
            }
        }
    }
}

#[test]
fn nothing_can_be_done_to_a_complaint_closed_as_invalid() {
    let case = advanced_to(Status::ClosedInvalid);
    for action in ACTION_NAMES {
        for role in expected_roles(action) {
            let expected = DomainError::NotAllowedInState { action, status: Status::ClosedInvalid };
            case.assert_refused_as(&engineer_with_role(role), &sample_action(action, at(DAY)), at(DAY), &expected);
        }
    }
}

#[test]
fn a_complaint_paused_and_then_invalidated_cannot_be_resumed() {
    let mut case = Case::received(Category::Facilities, t0());
    case.act(FRONT_DESK, pause(), at(5));
    case.act(FRONT_DESK, invalidate(), at(10));
    assert_eq!(case.complaint.paused_at, None, "nothing waits on the customer once closed");
    case.assert_refused_as(
        &staff(FRONT_DESK),
        &resume(),
        at(20),
        &DomainError::NotAllowedInState { action: "resume", status: Status::ClosedInvalid },
    );
}

// ---------------------------------------------------------------------------
// Role rules (403).
// ---------------------------------------------------------------------------

#[test]
fn each_action_is_permitted_to_exactly_the_documented_roles() {
    for action in ACTION_NAMES {
        assert_eq!(permitted_roles(action).to_vec(), expected_roles(action), "{action}");
    }
    assert!(permitted_roles("delete").is_empty(), "an unknown action is permitted to nobody");
}

#[test]
fn every_action_by_a_role_not_permitted_is_refused_for_the_role() {
    let cases = one_complaint_in_each_state();
    for action in ACTION_NAMES {
        let allowed = expected_roles(action);
        // Department-bound actions are tried on a complaint dispatched to
        // engineering, where the engineering test actor passes the department rule.
        let Some(case) = cases
            .iter()
            .find(|c| allowed_in(action, &c.complaint) && (!department_bound(action) || c.complaint.department.is_some()))
        else {
            // These complaints carry no triage; tests/triage.rs covers its corrections.
            assert_eq!(action, "correct_triage", "test setup: every action is possible in some state");
            continue;
        };
        let now = at(3 * DAY);
        let a = sample_action(action, now);
        for role in Role::ALL {
            let actor = engineer_with_role(role);
            if action == "record_report" && allowed.contains(&role) && role != Role::FrontDesk {
                // Only the first-responder update is owed: the front desk (or the
                // first responder) records it; no one else has a report to file.
                let expected = DomainError::RoleNotAllowed { action, role: Some(role), allowed: vec![Role::FrontDesk] };
                case.assert_refused_as(&actor, &a, now, &expected);
            } else if allowed.contains(&role) {
                assert!(case.decide_as(&actor, &a, now).is_ok(), "{role} may {action}");
            } else {
                let expected = DomainError::RoleNotAllowed { action, role: Some(role), allowed: allowed.clone() };
                case.assert_refused_as(&actor, &a, now, &expected);
            }
        }
        // The owner does their own part through the portal; tousu itself acts only through deadlines.
        if OWNER_ACTIONS.contains(&action) {
            assert!(case.decide_as(&Actor::Owner, &a, now).is_ok(), "the owner may {action}");
        } else {
            let expected = DomainError::RoleNotAllowed { action, role: None, allowed: allowed.clone() };
            case.assert_refused_as(&Actor::Owner, &a, now, &expected);
        }
        let expected = DomainError::RoleNotAllowed { action, role: None, allowed: allowed.clone() };
        case.assert_refused_as(&Actor::System, &a, now, &expected);
    }
}

#[test]
fn the_role_is_checked_before_the_state() {
    let case = advanced_to(Status::Received);
    let err = case.decide_as(&staff(ANALYST), &resolve(), at(HOUR)).expect_err("an analyst never resolves");
    assert_eq!(err.code(), "role_not_allowed");
}

// ---------------------------------------------------------------------------
// Department rules.
// ---------------------------------------------------------------------------

fn not_your_department(action: &'static str, yours: &str) -> DomainError {
    DomainError::NotYourDepartment { action, assigned: Some("工程部".to_string()), yours: Some(yours.to_string()) }
}

#[test]
fn a_handler_of_another_department_cannot_accept() {
    let case = advanced_to(Status::Dispatched);
    case.assert_refused_as(&staff(SEC_HANDLER), &accept(), at(3 * HOUR), &not_your_department("accept", "security"));
}

#[test]
fn a_handler_of_another_department_cannot_report_a_delay() {
    let case = advanced_to(Status::InProgress);
    let action = report_delay(at(5 * DAY));
    case.assert_refused_as(
        &staff(SEC_HANDLER),
        &action,
        at(3 * HOUR),
        &not_your_department("report_delay", "security"),
    );
}

#[test]
fn a_handler_of_another_department_cannot_resolve() {
    let case = advanced_to(Status::InProgress);
    case.assert_refused_as(&staff(SEC_HANDLER), &resolve(), at(DAY), &not_your_department("resolve", "security"));
    let err = case.decide_as(&staff(SEC_HANDLER), &resolve(), at(DAY)).expect_err("refused");
    assert_eq!(err.code(), "not_your_department");
}

#[test]
fn a_head_of_another_department_cannot_close() {
    let case = advanced_to(Status::CustomerAccepted);
    case.assert_refused_as(&staff(SEC_HEAD), &close(), at(2 * DAY), &not_your_department("close", "security"));
}

#[test]
fn a_handler_without_a_department_cannot_resolve() {
    let case = advanced_to(Status::InProgress);
    let homeless = Actor::Staff { id: 50, name: "临时工".to_string(), role: Role::Handler, department: None };
    let expected =
        DomainError::NotYourDepartment { action: "resolve", assigned: Some("工程部".to_string()), yours: None };
    case.assert_refused_as(&homeless, &resolve(), at(DAY), &expected);
}

#[test]
fn a_company_leader_may_close_for_any_department() {
    let mut case = advanced_to(Status::CustomerAccepted);
    case.act(LEADER, close(), at(2 * DAY));
    assert_eq!(case.complaint.status, Status::Closed);
}

#[test]
fn the_department_head_may_accept_and_becomes_the_handler() {
    let mut case = advanced_to(Status::Dispatched);
    case.act(ENG_HEAD, accept(), at(3 * HOUR));
    assert_eq!(case.complaint.status, Status::InProgress);
    assert_eq!(case.complaint.handler, Some(StaffRef { id: 3, name: "赵敏".to_string() }));
}

// ---------------------------------------------------------------------------
// Step 5: dispatch.
// ---------------------------------------------------------------------------

#[test]
fn dispatch_without_a_department_goes_to_the_investigated_department() {
    let mut case = advanced_to(Status::Investigating);
    case.act(FRONT_DESK, dispatch(), at(2 * HOUR));
    assert_eq!(case.complaint.department, Some(engineering()));
    assert_eq!(case.complaint.handler, None);
    match &case.events.last().expect("dispatched").kind {
        EventKind::Dispatched { department, handler, .. } => {
            assert_eq!(department, &engineering());
            assert_eq!(handler, &None);
        }
        other => panic!("expected a Dispatched event, got {other:?}"),
    }
}

#[test]
fn dispatch_to_a_named_department_overrides_the_investigation() {
    let mut case = advanced_to(Status::Investigating);
    let action = Action::Dispatch { department: Some(" security ".to_string()), handler: None, cooperating: vec![], note: None };
    case.act(FRONT_DESK, action, at(2 * HOUR));
    assert_eq!(case.complaint.department, Some(security()));
    // Now only security may accept it.
    case.assert_refused_as(
        &staff(ENG_HANDLER),
        &accept(),
        at(3 * HOUR),
        &DomainError::NotYourDepartment {
            action: "accept",
            assigned: Some("秩序部".to_string()),
            yours: Some("engineering".to_string()),
        },
    );
    case.act(SEC_HANDLER, accept(), at(3 * HOUR));
    assert_eq!(case.complaint.handler, Some(StaffRef { id: 4, name: "孙丽".to_string() }));
}

#[test]
fn dispatch_to_an_unknown_department_is_refused_naming_the_field() {
    let case = advanced_to(Status::Investigating);
    let action = Action::Dispatch { department: Some("plumbing".to_string()), handler: None, cooperating: vec![], note: None };
    let err = case.decide_as(&staff(FRONT_DESK), &action, at(2 * HOUR)).expect_err("no such department");
    assert_eq!(err.field(), Some("department"));
}

#[test]
fn investigating_with_an_unknown_department_is_refused_naming_the_field() {
    let case = advanced_to(Status::Assessed);
    let Action::Investigate { post, person, root_cause, report, .. } = investigate() else {
        unreachable!("investigate() builds an Investigate action")
    };
    let action =
        Action::Investigate { department: "plumbing".to_string(), post, person, root_cause, evidence: vec![], report };
    let err = case.decide_as(&staff(ENG_HEAD), &action, at(HOUR)).expect_err("no such department");
    assert_eq!(err.field(), Some("department"));
}

#[test]
fn dispatch_naming_a_handler_keeps_that_handler_even_if_a_colleague_accepts() {
    let mut case = advanced_to(Status::Investigating);
    let action = Action::Dispatch { department: None, handler: Some(ENG_HANDLER.to_string()), cooperating: vec![], note: None };
    case.act(FRONT_DESK, action, at(2 * HOUR));
    let li = Some(StaffRef { id: 2, name: "李强".to_string() });
    assert_eq!(case.complaint.handler, li);
    case.act(ENG_HANDLER_2, accept(), at(3 * HOUR));
    assert_eq!(case.complaint.handler, li);
}

#[test]
fn a_handler_username_from_another_department_is_refused_at_dispatch() {
    let case = advanced_to(Status::Investigating);
    for username in [SEC_HANDLER, SEC_HEAD] {
        let action = Action::Dispatch { department: None, handler: Some(username.to_string()), cooperating: vec![], note: None };
        let err = case.decide_as(&staff(FRONT_DESK), &action, at(2 * HOUR)).expect_err("not an engineer");
        assert_eq!(err.field(), Some("handler"), "{username}");
    }
}

#[test]
fn a_handler_username_that_is_not_a_handler_is_refused_at_dispatch() {
    let case = advanced_to(Status::Investigating);
    for username in [FRONT_DESK, LEADER, "nobody.here"] {
        let action = Action::Dispatch { department: None, handler: Some(username.to_string()), cooperating: vec![], note: None };
        let err = case.decide_as(&staff(FRONT_DESK), &action, at(2 * HOUR)).expect_err("not a handler");
        assert_eq!(err.field(), Some("handler"), "{username}");
    }
}

#[test]
fn evidence_must_be_attached_before_the_investigation_cites_it() {
    let mut case = advanced_to(Status::Assessed);
    let cite = |ids: Vec<i64>| {
        let Action::Investigate { department, post, person, root_cause, report, .. } = investigate() else {
            unreachable!("investigate() builds an Investigate action")
        };
        Action::Investigate { department, post, person, root_cause, evidence: ids, report }
    };
    let err = case.decide_as(&staff(ENG_HEAD), &cite(vec![31]), at(HOUR)).expect_err("file 31 is not attached");
    assert_eq!(err.field(), Some("evidence"));

    let decision =
        decide_attach_evidence(&case.complaint, &staff(ENG_HANDLER), evidence(31)).expect("a handler may upload");
    case.record(decision, staff(ENG_HANDLER), at(HOUR));
    assert_eq!(case.complaint.evidence, vec![evidence(31)]);
    assert_eq!(case.complaint.status, Status::Assessed, "evidence does not move the complaint");

    case.act(ENG_HEAD, cite(vec![31]), at(HOUR + 5));
    let inv = case.complaint.investigation.as_ref().expect("investigated");
    assert_eq!(inv.evidence, vec![31]);
}

#[test]
fn evidence_may_not_be_attached_by_analysts_admins_or_the_board() {
    let case = advanced_to(Status::InProgress);
    for actor in [staff(ANALYST), staff(ADMIN), staff(BOARD), Actor::System] {
        let err = decide_attach_evidence(&case.complaint, &actor, evidence(1)).expect_err("may not upload");
        assert_eq!(err.code(), "role_not_allowed", "{actor:?}");
    }
}

#[test]
fn the_owner_may_add_photos_of_their_own_complaint() {
    let case = advanced_to(Status::Received);
    assert!(decide_attach_evidence(&case.complaint, &Actor::Owner, evidence(1)).is_ok());
}

// ---------------------------------------------------------------------------
// Step 5: delays.
// ---------------------------------------------------------------------------

#[test]
fn a_delay_to_a_time_already_past_is_refused_naming_new_time() {
    let case = advanced_to(Status::InProgress);
    let now = at(5 * HOUR);
    for new_time in [now - Duration::minutes(1), now] {
        let err = case
            .decide_as(&staff(ENG_HANDLER), &report_delay(new_time), now)
            .expect_err("a new time must be in the future");
        assert_eq!(err.field(), Some("new_time"));
        assert_eq!(err.code(), "invalid_field");
    }
}

#[test]
fn a_delay_without_a_reason_is_refused_naming_the_reason() {
    let case = advanced_to(Status::Dispatched);
    let action = Action::ReportDelay { reason: " ".to_string(), new_time: at(5 * DAY) };
    let err = case.decide_as(&staff(ENG_HANDLER), &action, at(3 * HOUR)).expect_err("a reason is required");
    assert_eq!(err.field(), Some("reason"));
}

#[test]
fn a_reported_delay_records_the_reason_and_the_new_promised_time() {
    let mut case = advanced_to(Status::Dispatched);
    let version = case.complaint.version;
    case.act(ENG_HANDLER, report_delay(at(5 * DAY)), at(3 * HOUR));
    let c = &case.complaint;
    assert_eq!(c.status, Status::Dispatched, "a delay does not change the state");
    assert_eq!(c.promised_at, Some(at(5 * DAY)));
    assert_eq!(c.delay_reason.as_deref(), Some("防水材料需要从供应商处调货"));
    assert_eq!(c.version, version + 1);
    assert_eq!(committed_time(c), Some(at(5 * DAY)), "the owner is told the new time");
}

// ---------------------------------------------------------------------------
// Step 6: a rejected result.
// ---------------------------------------------------------------------------

#[test]
fn a_rejected_result_reopens_the_complaint_with_a_new_answer_deadline() {
    let mut case = advanced_to(Status::Resolved);
    let rejected_at = at(DAY + 3 * HOUR);
    case.act(FRONT_DESK, reject_result(), rejected_at);
    let c = &case.complaint;
    assert_eq!(c.status, Status::InProgress);
    assert_eq!(c.reopen_count, 1);
    let answers = case.deadlines(DeadlineRule::Answer);
    assert_eq!(answers.len(), 2, "the first answer stays as history");
    assert_eq!(answers[0].state, DeadlineState::Met);
    assert_eq!(answers[1].state, DeadlineState::Open);
    assert_eq!(answers[1].due_at, rejected_at + Duration::days(3));
    assert_eq!(committed_time(c), Some(rejected_at + Duration::days(3)));

    // The same department fixes it again; the new answer is met.
    case.act(ENG_HANDLER, resolve(), at(2 * DAY));
    assert_eq!(case.complaint.status, Status::Resolved);
    assert!(case.deadlines(DeadlineRule::Answer).iter().all(|d| d.state == DeadlineState::Met));
    case.act(FRONT_DESK, reject_result(), at(2 * DAY + HOUR));
    assert_eq!(case.complaint.reopen_count, 2);
}

#[test]
fn after_a_reopen_the_owner_is_promised_the_new_answer_deadline_not_an_old_delay() {
    let mut case = advanced_to(Status::InProgress);
    case.act(ENG_HANDLER, report_delay(at(2 * DAY)), at(3 * HOUR));
    case.act(ENG_HANDLER, resolve(), at(DAY + 20 * HOUR));
    let rejected_at = at(2 * DAY + 12 * HOUR);
    case.act(FRONT_DESK, reject_result(), rejected_at);
    assert_eq!(committed_time(&case.complaint), Some(rejected_at + Duration::days(3)));
}

// ---------------------------------------------------------------------------
// Step 7: callbacks.
// ---------------------------------------------------------------------------

#[test]
fn a_dissatisfied_callback_sends_the_complaint_back_to_the_department() {
    let mut case = advanced_to(Status::Closed);
    let called_at = at(2 * DAY);
    case.act(FRONT_DESK, callback(4, 8), called_at);
    let c = &case.complaint;
    assert_eq!(c.status, Status::Dispatched, "重办: the department must accept again");
    assert_eq!(c.rehandle_count, 1);
    assert_eq!(c.reopen_count, 0);
    assert_eq!(c.closed_at, None);
    assert!(!c.awaiting_callback);
    assert_eq!(c.department, Some(engineering()));
    let s = c.satisfaction().expect("recorded");
    assert_eq!(s.index, 0.5);
    assert_eq!(s.difference, -4);
    assert!(s.rehandle);
    assert_eq!(case.deadlines(DeadlineRule::Callback)[0].state, DeadlineState::Met);
    let answer = case.open_deadline(DeadlineRule::Answer).expect("a new answer is owed");
    assert_eq!(answer.due_at, called_at + Duration::days(3));

    // A second callback in this round is refused: the complaint is back with the department.
    case.assert_refused_as(
        &staff(FRONT_DESK),
        &callback(9, 8),
        at(2 * DAY + HOUR),
        &DomainError::NotAllowedInState { action: "callback", status: Status::Dispatched },
    );

    // The second round runs to a new closure and a new callback.
    case.act(ENG_HANDLER, accept(), at(2 * DAY + 2 * HOUR));
    case.act(ENG_HANDLER, resolve(), at(3 * DAY));
    case.act(FRONT_DESK, accept_result(), at(3 * DAY + HOUR));
    case.act(ENG_HEAD, close(), at(3 * DAY + 2 * HOUR));
    assert!(case.complaint.awaiting_callback);
    assert_eq!(case.deadlines(DeadlineRule::Callback).len(), 2);
    case.act(FRONT_DESK, callback(8, 8), at(4 * DAY));
    let c = &case.complaint;
    assert_eq!(c.status, Status::Closed);
    assert_eq!(c.callbacks.len(), 2);
    assert_eq!(c.satisfaction().map(|s| s.index), Some(1.0));
    assert_eq!(c.rehandle_count, 1);
    // Two resolutions, one first-responder update owed: the second outcome supersedes the first.
    let updates = case.deadlines(DeadlineRule::FirstResponderUpdate);
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0].state, DeadlineState::Cancelled);
    assert_eq!(updates[1].state, DeadlineState::Open);
    case.act(FRONT_DESK, record_update(), at(4 * DAY + HOUR));
    assert_eq!(case.complaint.open_deadlines().count(), 0);
}

#[test]
fn a_second_callback_for_the_same_closure_is_refused_as_already_called_back() {
    let case = called_back();
    case.assert_refused_as(&staff(FRONT_DESK), &callback(3, 9), at(3 * DAY), &DomainError::AlreadyCalledBack);
    assert_eq!(DomainError::AlreadyCalledBack.code(), "already_called_back");
}

// ---------------------------------------------------------------------------
// Personal data.
// ---------------------------------------------------------------------------

#[test]
fn revealing_personal_data_is_refused_to_analysts_and_administrators() {
    let case = advanced_to(Status::InProgress);
    for username in [ANALYST, ADMIN] {
        let err = decide_reveal(&case.complaint, &staff(username), &[PersonalField::Phone])
            .expect_err("figures, never persons");
        match err {
            DomainError::RoleNotAllowed { action, role, allowed } => {
                assert_eq!(action, "reveal");
                assert_eq!(role, staff(username).role());
                assert!(!allowed.contains(&Role::Analyst) && !allowed.contains(&Role::Admin));
                assert!(allowed.contains(&Role::FrontDesk));
            }
            other => panic!("expected RoleNotAllowed for {username}, got {other:?}"),
        }
    }
    let err = decide_reveal(&case.complaint, &Actor::Owner, &[PersonalField::Name]).expect_err("not staff");
    assert_eq!(err.code(), "role_not_allowed");
}

#[test]
fn revealing_personal_data_to_the_front_desk_is_recorded_with_the_fields() {
    let mut case = advanced_to(Status::InProgress);
    let before = case.complaint.clone();
    let fields = [PersonalField::Unit, PersonalField::Phone, PersonalField::Unit];
    let decision =
        decide_reveal(&case.complaint, &staff(FRONT_DESK), &fields).expect("the front desk calls the customer");
    let event = case.record(decision, staff(FRONT_DESK), at(5 * HOUR)).clone();
    assert_eq!(event.seq, before.version + 1);
    assert_eq!(event.actor, staff(FRONT_DESK), "who looked is recorded");
    assert_eq!(event.at, at(5 * HOUR), "when is recorded");
    assert_eq!(event.kind, EventKind::PersonalDataRevealed { fields: vec![PersonalField::Phone, PersonalField::Unit] });
    assert_eq!(case.complaint.status, before.status);
    assert_eq!(case.complaint.version, before.version + 1);
}

#[test]
fn revealing_no_fields_is_refused() {
    let case = advanced_to(Status::Received);
    let err = decide_reveal(&case.complaint, &staff(FRONT_DESK), &[]).expect_err("nothing to reveal");
    assert_eq!(err.field(), Some("fields"));
}

#[test]
fn a_handler_sees_personal_data_only_of_complaints_sent_to_their_department() {
    let phone = [PersonalField::Phone];
    let before_dispatch = advanced_to(Status::Investigating);
    let err = decide_reveal(&before_dispatch.complaint, &staff(ENG_HANDLER), &phone).expect_err("not dispatched yet");
    assert_eq!(
        err,
        DomainError::NotYourDepartment { action: "reveal", assigned: None, yours: Some("engineering".to_string()) }
    );

    let case = advanced_to(Status::InProgress);
    for username in [ENG_HANDLER, ENG_HANDLER_2, ENG_HEAD] {
        assert!(decide_reveal(&case.complaint, &staff(username), &phone).is_ok(), "{username} works on it");
    }
    for username in [SEC_HANDLER, SEC_HEAD] {
        let err = decide_reveal(&case.complaint, &staff(username), &phone).expect_err("another department");
        assert_eq!(err.code(), "not_your_department", "{username}");
    }
    for username in [FRONT_DESK, LEADER, BOARD] {
        assert!(decide_reveal(&case.complaint, &staff(username), &phone).is_ok(), "{username} is not department-bound");
    }
}

#[test]
fn the_first_responder_may_see_personal_data_whatever_their_department() {
    // 孙丽 of security took the call (首问责任人); engineering handles it.
    let mut case = Case::received_by(Category::Facilities, SEC_HANDLER, t0());
    assert_eq!(case.complaint.first_responder, Some(StaffRef { id: 4, name: "孙丽".to_string() }));
    let phone = [PersonalField::Phone];
    assert!(decide_reveal(&case.complaint, &staff(SEC_HANDLER), &phone).is_ok(), "before dispatch");
    for (who, action, minutes, _) in happy_steps().into_iter().take(5) {
        case.act(who, action, at(minutes));
    }
    assert_eq!(case.complaint.department, Some(engineering()));
    assert!(decide_reveal(&case.complaint, &staff(SEC_HANDLER), &phone).is_ok(), "after dispatch elsewhere");
    let err = decide_reveal(&case.complaint, &staff(SEC_HEAD), &phone).expect_err("not the first responder");
    assert_eq!(err.code(), "not_your_department");
}

// ---------------------------------------------------------------------------
// What the console offers.
// ---------------------------------------------------------------------------

#[test]
fn available_actions_lists_exactly_what_each_person_may_do_now() {
    let everyone: Vec<&str> = LIFECYCLE_STAFF.iter().map(|s| s.0).collect();
    // For each state, who may do what; everyone else may do nothing.
    type Offers = Vec<(&'static str, Vec<&'static str>)>;
    let table: Vec<(Case, Offers)> = vec![
        (
            advanced_to(Status::Received),
            vec![
                (FRONT_DESK, vec!["confirm", "invalidate", "pause", "escalate"]),
                // Before dispatch a department head may be asked to assess or
                // investigate, so may pause or escalate; a handler has nothing yet.
                (ENG_HEAD, vec!["pause", "escalate"]),
                (SEC_HEAD, vec!["pause", "escalate"]),
                (LEADER, vec!["escalate"]),
            ],
        ),
        (
            advanced_to(Status::Confirmed),
            vec![
                (FRONT_DESK, vec!["invalidate", "assess", "pause", "escalate"]),
                (ENG_HEAD, vec!["assess", "pause", "escalate"]),
                (SEC_HEAD, vec!["assess", "pause", "escalate"]),
                (LEADER, vec!["assess", "escalate"]),
            ],
        ),
        (
            advanced_to(Status::Assessed),
            vec![
                (FRONT_DESK, vec!["investigate", "pause", "escalate"]),
                (ENG_HEAD, vec!["investigate", "pause", "escalate"]),
                (SEC_HEAD, vec!["investigate", "pause", "escalate"]),
                (LEADER, vec!["investigate", "escalate"]),
            ],
        ),
        (
            advanced_to(Status::Investigating),
            vec![
                (FRONT_DESK, vec!["investigate", "dispatch", "pause", "escalate"]),
                (ENG_HEAD, vec!["investigate", "pause", "escalate", "record_defect"]),
                (SEC_HEAD, vec!["investigate", "pause", "escalate", "record_defect"]),
                (LEADER, vec!["investigate", "dispatch", "escalate", "record_defect"]),
            ],
        ),
        (
            advanced_to(Status::Dispatched),
            vec![
                (ENG_HANDLER, vec!["accept", "report_delay", "request_extension", "return", "pause", "record_defect"]),
                (ENG_HANDLER_2, vec!["accept", "report_delay", "request_extension", "return", "pause", "record_defect"]),
                (ENG_HEAD, vec!["accept", "report_delay", "request_extension", "return", "pause", "escalate", "record_defect"]),
                // Security's head no longer acts on engineering's complaint.
                (FRONT_DESK, vec!["urge", "pause", "escalate"]),
                (LEADER, vec!["urge", "escalate", "record_defect"]),
                (BOARD, vec!["urge"]),
            ],
        ),
        (
            advanced_to(Status::InProgress),
            vec![
                (ENG_HANDLER, vec!["report_delay", "resolve", "request_extension", "return", "pause", "record_defect"]),
                (ENG_HANDLER_2, vec!["report_delay", "resolve", "request_extension", "return", "pause", "record_defect"]),
                (ENG_HEAD, vec!["report_delay", "resolve", "request_extension", "return", "pause", "escalate", "record_defect"]),
                (FRONT_DESK, vec!["urge", "pause", "escalate"]),
                (LEADER, vec!["urge", "escalate", "record_defect"]),
                (BOARD, vec!["urge"]),
            ],
        ),
        (
            advanced_to(Status::Resolved),
            vec![
                // The first responder (the front desk here) must be told: a report is owed.
                (FRONT_DESK, vec!["accept_result", "reject_result", "pause", "record_report", "escalate"]),
                (ENG_HANDLER, vec!["pause", "record_defect"]),
                (ENG_HANDLER_2, vec!["pause", "record_defect"]),
                (ENG_HEAD, vec!["pause", "escalate", "record_defect"]),
                (LEADER, vec!["escalate", "record_defect"]),
            ],
        ),
        (
            advanced_to(Status::CustomerAccepted),
            vec![
                (FRONT_DESK, vec!["pause", "record_report", "escalate"]),
                (ENG_HANDLER, vec!["pause", "record_defect"]),
                (ENG_HANDLER_2, vec!["pause", "record_defect"]),
                (ENG_HEAD, vec!["close", "pause", "escalate", "record_defect"]),
                (LEADER, vec!["close", "escalate", "record_defect"]),
            ],
        ),
        (advanced_to(Status::Closed), vec![
            (FRONT_DESK, vec!["callback", "record_report"]),
            (ENG_HANDLER, vec!["record_defect"]),
            (ENG_HANDLER_2, vec!["record_defect"]),
            (ENG_HEAD, vec!["record_defect"]),
            (LEADER, vec!["record_defect"]),
        ]),
        (called_back(), vec![
            (FRONT_DESK, vec!["record_report"]),
            (ENG_HANDLER, vec!["record_defect"]),
            (ENG_HANDLER_2, vec!["record_defect"]),
            (ENG_HEAD, vec!["record_defect"]),
            (LEADER, vec!["record_defect"]),
        ]),
        (advanced_to(Status::ClosedInvalid), vec![]),
        (
            with_pending_extension(),
            vec![
                (ENG_HANDLER, vec!["report_delay", "resolve", "return", "pause", "record_defect"]),
                (ENG_HANDLER_2, vec!["report_delay", "resolve", "return", "pause", "record_defect"]),
                (ENG_HEAD, vec!["report_delay", "resolve", "decide_extension", "return", "pause", "escalate", "record_defect"]),
                (FRONT_DESK, vec!["urge", "pause", "escalate"]),
                (LEADER, vec!["decide_extension", "urge", "escalate", "record_defect"]),
                (BOARD, vec!["urge"]),
            ],
        ),
        (
            paused(),
            vec![
                (ENG_HANDLER, vec!["report_delay", "resolve", "request_extension", "return", "resume", "record_defect"]),
                (ENG_HANDLER_2, vec!["report_delay", "resolve", "request_extension", "return", "resume", "record_defect"]),
                (ENG_HEAD, vec!["report_delay", "resolve", "request_extension", "return", "resume", "escalate", "record_defect"]),
                (FRONT_DESK, vec!["urge", "resume", "escalate"]),
                (LEADER, vec!["urge", "escalate", "record_defect"]),
                (BOARD, vec!["urge"]),
            ],
        ),
        (
            Case::received(Category::Emergency, t0()),
            vec![
                // The emergency fast path: dispatch straight from receipt.
                (FRONT_DESK, vec!["confirm", "invalidate", "dispatch", "pause", "escalate"]),
                (ENG_HEAD, vec!["pause", "escalate"]),
                (SEC_HEAD, vec!["pause", "escalate"]),
                (LEADER, vec!["dispatch", "escalate"]),
            ],
        ),
    ];
    for (case, expected) in table {
        let expected: HashMap<&str, Vec<&str>> = expected.into_iter().collect();
        for username in &everyone {
            let want = expected.get(username).cloned().unwrap_or_default();
            let got = available_actions(&case.complaint, &staff(username));
            assert_eq!(got, want, "{username} while {}", describe(&case.complaint));
        }
        let owner: Vec<&str> = ["accept_result", "reject_result", "callback"]
            .into_iter()
            .filter(|a| state_allows(a, &case.complaint).is_ok())
            .collect();
        assert_eq!(available_actions(&case.complaint, &Actor::Owner), owner, "the owner while {}", describe(&case.complaint));
        assert!(available_actions(&case.complaint, &Actor::System).is_empty());
    }
}

// ---------------------------------------------------------------------------
// The owner's view.
// ---------------------------------------------------------------------------

#[test]
fn the_owner_view_never_names_staff_and_hides_evidence_and_reveals() {
    let mut case = advanced_to(Status::Investigating);
    let upload = decide_attach_evidence(&case.complaint, &staff(ENG_HANDLER), evidence(5)).expect("may upload");
    case.record(upload, staff(ENG_HANDLER), at(HOUR + 10));
    let reveal = decide_reveal(&case.complaint, &staff(FRONT_DESK), &[PersonalField::Phone]).expect("may reveal");
    case.record(reveal, staff(FRONT_DESK), at(HOUR + 20));
    let action = Action::Dispatch {
        department: None,
        handler: Some(ENG_HANDLER.to_string()),
        cooperating: vec![],
        note: Some("请李强尽快上门".to_string()),
    };
    case.act(FRONT_DESK, action, at(2 * HOUR));
    case.act(ENG_HANDLER_2, accept(), at(3 * HOUR));
    case.act(ENG_HANDLER, report_delay(at(4 * DAY)), at(4 * HOUR));
    case.act(ENG_HANDLER, resolve(), at(DAY));
    case.act(FRONT_DESK, reject_result(), at(DAY + HOUR));
    case.act(ENG_HEAD, resolve(), at(2 * DAY));
    case.act(FRONT_DESK, accept_result(), at(2 * DAY + HOUR));
    case.act(ENG_HEAD, close(), at(2 * DAY + 2 * HOUR));
    case.act(FRONT_DESK, callback(5, 8), at(3 * DAY));

    let owner: Vec<_> = case.events.iter().filter_map(owner_event).collect();
    let internal = case
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::EvidenceAttached(_) | EventKind::PersonalDataRevealed { .. }))
        .count();
    assert_eq!(internal, 2);
    assert_eq!(owner.len(), case.events.len() - internal);
    for e in &owner {
        assert!(!matches!(e.kind, "evidence_attached" | "personal_data_revealed"), "{e:?}");
    }
    let kinds: Vec<&str> = owner.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            "received",
            "confirmed",
            "assessed",
            "investigated",
            "dispatched",
            "accepted",
            "delay_reported",
            "resolved",
            "result_rejected",
            "resolved",
            "result_accepted",
            "closed",
            "callback_recorded",
        ]
    );

    let role_labels: Vec<&str> = Role::ALL.into_iter().map(Role::label_zh).chain(["业主", "系统"]).collect();
    for e in &owner {
        assert!(role_labels.contains(&e.actor), "the owner sees a role, not a person: {e:?}");
    }
    let shown = serde_json::to_string(&owner).expect("owner events serialise");
    for (username, _, name, _, _) in STAFF {
        assert!(!shown.contains(name), "the owner view names {name}: {shown}");
        assert!(!shown.contains(username), "the owner view names {username}: {shown}");
    }
    for internal_finding in ["楼上卫生间防水层老化", "水电维修岗", "现场照片", "请李强"] {
        assert!(!shown.contains(internal_finding), "the owner view shows {internal_finding}: {shown}");
    }
    assert!(shown.contains("TS20261123-0042"), "the owner sees their tracking number");
    assert!(shown.contains("工程部"), "the owner is told which department acts");
    assert!(shown.contains("2026-11-27 09:00"), "the delay's new time is shown in Beijing time: {shown}");
}

// ---------------------------------------------------------------------------
// History.
// ---------------------------------------------------------------------------

#[test]
fn events_are_numbered_one_after_another_and_replay_rebuilds_the_complaint() {
    let mut case = advanced_to(Status::Closed);
    case.act(FRONT_DESK, callback(2, 9), at(2 * DAY));
    case.act(ENG_HANDLER, accept(), at(2 * DAY + HOUR));
    let seqs: Vec<u32> = case.events.iter().map(|e| e.seq).collect();
    let expected: Vec<u32> = (1..=case.events.len() as u32).collect();
    assert_eq!(seqs, expected);
    assert_eq!(Complaint::replay(case.complaint.id, &case.events), Some(case.complaint.clone()));
    for n in 1..=case.events.len() {
        let prefix = Complaint::replay(case.complaint.id, &case.events[..n]).expect("starts with Received");
        assert_eq!(prefix.version as usize, n);
    }
}

#[test]
fn a_history_that_does_not_start_with_receipt_rebuilds_nothing() {
    let case = advanced_to(Status::Confirmed);
    assert_eq!(Complaint::replay(1, &case.events[1..]), None);
    assert_eq!(Complaint::replay(1, &[]), None);
}

#[test]
fn events_survive_a_round_trip_through_json() {
    let case = called_back();
    let json = serde_json::to_string(&case.events).expect("events serialise");
    let back: Vec<Event> = serde_json::from_str(&json).expect("events deserialise");
    assert_eq!(back, case.events);
    assert_eq!(Complaint::replay(case.complaint.id, &back), Some(case.complaint));
}
