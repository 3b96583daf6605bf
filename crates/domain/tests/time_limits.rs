//! The time limits of DOMAIN.md ("Time limits", "Escalation chain") and
//! issue 3, walked in simulated time without I/O: the clock is a value, the
//! escalation worker is `deadline::check::check` called at chosen instants,
//! and working days come from a calendar passed in (weekends only, or a tiny
//! one with a holiday and a make-up working Saturday).

mod common;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Asia::Shanghai;
use std::collections::BTreeSet;
use tousu_domain::classification::CallbackMethod;
use tousu_domain::complaint::{ProjectRef, StaffRef};
use tousu_domain::deadline::check::{check, next_check};
use tousu_domain::deadline::policy::ExtensionApprover;
use tousu_domain::deadline::schedule::Clock;
use tousu_domain::deadline::{Commitment, Limits, Span, WeekendsOnly};
use tousu_domain::event::ReportKind;
use tousu_domain::intake::{CustomerDraft, IntakeDraft, Reception, RepeatLink, receive};
use tousu_domain::lifecycle::{Context, Decision, Directory, decide};
use tousu_domain::notices::{Notice, notices};
use tousu_domain::owner_view::{committed_time, owner_event};
use tousu_domain::{
    Action, Actor, Category, Channel, Complaint, Deadline, DeadlineRule, DeadlineState, DomainError, EscalationLevel,
    Event, EventKind, Role, Severity, Status, TimePolicy, Timestamp, TrackingNo, WorkingDays,
};

// ---------------------------------------------------------------------------
// The organisation.
// ---------------------------------------------------------------------------

use common::{Org, staff};

const FRONT_DESK: &str = "wang.fang";
const ENG_HANDLER: &str = "li.qiang";
const ENG_HEAD: &str = "zhao.min";
const SEC_HANDLER: &str = "sun.li";
const SEC_HEAD: &str = "qian.jun";
const LEADER: &str = "zhou.hua";
const BOARD: &str = "wu.gang";
const FRONT_DESK_2: &str = "lin.xue";

// ---------------------------------------------------------------------------
// Time: from Monday 23 November 2026, 09:00 in Shanghai (01:00 UTC).
// ---------------------------------------------------------------------------

const MIN: i64 = 1;
const HOUR: i64 = 60;
const DAY: i64 = 24 * HOUR;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).single().expect("test setup: a valid instant")
}

/// `minutes` after receipt.
fn at(minutes: i64) -> Timestamp {
    t0() + Duration::minutes(minutes)
}

/// The last millisecond of a local day in Shanghai (where "N working days" ends).
fn end_of_local_day(y: i32, m: u32, d: u32) -> Timestamp {
    let next = NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.succ_opt()).expect("test setup: a valid date");
    Shanghai
        .from_local_datetime(&next.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("test setup: an unambiguous local time")
        .to_utc()
        - Duration::milliseconds(1)
}

/// A tiny working-day calendar: weekdays, minus holidays, plus make-up
/// working days (调休), in Shanghai.
struct TinyCalendar {
    holidays: Vec<NaiveDate>,
    make_up_days: Vec<NaiveDate>,
}

impl TinyCalendar {
    fn is_working(&self, d: NaiveDate) -> bool {
        if self.make_up_days.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }
}

impl WorkingDays for TinyCalendar {
    fn add_working_days(&self, start: Timestamp, n: u32) -> Timestamp {
        let mut day = start.with_timezone(&Shanghai).date_naive();
        let mut left = n;
        while left > 0 {
            day = day.succ_opt().expect("test setup: a representable date");
            if self.is_working(day) {
                left -= 1;
            }
        }
        end_of_local_day(day.year(), day.month(), day.day())
    }
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("test setup: a valid date")
}

// ---------------------------------------------------------------------------
// Actions.
// ---------------------------------------------------------------------------

fn confirm() -> Action {
    Action::Confirm { note: None }
}

fn assess(severity: Severity) -> Action {
    Action::Assess { severity, category: Some(Category::Facilities), note: None }
}

fn investigate() -> Action {
    Action::Investigate {
        department: "engineering".to_string(),
        post: "水电维修岗".to_string(),
        person: "李强".to_string(),
        root_cause: "楼上卫生间防水层老化".to_string(),
        evidence: vec![],
        report: None,
    }
}

fn dispatch_to(department: &str, cooperating: &[&str]) -> Action {
    Action::Dispatch {
        department: Some(department.to_string()),
        handler: None,
        cooperating: cooperating.iter().map(|c| c.to_string()).collect(),
        note: None,
    }
}

fn dispatch() -> Action {
    dispatch_to("engineering", &[])
}

fn accept() -> Action {
    Action::Accept { note: None }
}

fn report_delay(new_time: Timestamp) -> Action {
    Action::ReportDelay { reason: "防水材料需要调货".to_string(), new_time }
}

fn resolve() -> Action {
    Action::Resolve { resolution: "已重做防水层".to_string(), finished_at: None }
}

fn resolve_finished_at(finished_at: Timestamp) -> Action {
    Action::Resolve { resolution: "已重做防水层".to_string(), finished_at: Some(finished_at) }
}

fn accept_result() -> Action {
    Action::AcceptResult { note: None }
}

fn reject_result() -> Action {
    Action::RejectResult { reason: "仍然漏水".to_string() }
}

fn close() -> Action {
    Action::Close { note: None }
}

fn callback(perceived: u8, expected: u8) -> Action {
    Action::Callback { perceived, expected, comment: None, method: Some(CallbackMethod::Phone) }
}

fn request_extension(new_time: Timestamp) -> Action {
    Action::RequestExtension { reason: "需协调楼上业主入户".to_string(), new_time }
}

fn decide_extension(approve: bool) -> Action {
    Action::DecideExtension { approve, note: Some("同意".to_string()) }
}

fn return_it() -> Action {
    Action::Return { reason: "属于秩序部职责，派错部门".to_string() }
}

fn urge() -> Action {
    Action::Urge { note: Some("业主再次来电".to_string()) }
}

fn pause() -> Action {
    Action::Pause { reason: "业主出差，下周方可入户".to_string() }
}

fn resume() -> Action {
    Action::Resume { note: None }
}

fn report(kind: ReportKind) -> Action {
    Action::RecordReport { report: kind, text: "书面情况说明：原因、处置经过与后续措施".to_string() }
}

fn escalate() -> Action {
    Action::Escalate { reason: "本级无法解决".to_string() }
}

// ---------------------------------------------------------------------------
// A complaint under simulated time.
// ---------------------------------------------------------------------------

struct Setup {
    category: Category,
    emergency: bool,
    service: Option<&'static str>,
    repeat: Option<u32>,
    first_responder: &'static str,
    policy: TimePolicy,
    days: Box<dyn WorkingDays>,
}

fn ordinary() -> Setup {
    Setup {
        category: Category::Facilities,
        emergency: false,
        service: None,
        repeat: None,
        first_responder: FRONT_DESK,
        policy: TimePolicy::default(),
        days: Box::new(WeekendsOnly(Shanghai)),
    }
}

fn emergency() -> Setup {
    Setup { category: Category::Emergency, emergency: true, ..ordinary() }
}

impl Setup {
    fn service(self, service: &'static str) -> Setup {
        Setup { service: Some(service), ..self }
    }
    fn repeat(self, count: u32) -> Setup {
        Setup { repeat: Some(count), ..self }
    }
    fn first_responder(self, username: &'static str) -> Setup {
        Setup { first_responder: username, ..self }
    }
    fn policy(self, policy: TimePolicy) -> Setup {
        Setup { policy, ..self }
    }
    fn days(self, days: impl WorkingDays + 'static) -> Setup {
        Setup { days: Box::new(days), ..self }
    }

    /// Step 1, at `t0`.
    fn receive(self) -> Case {
        let draft = IntakeDraft {
            channel: Channel::Phone,
            customer: CustomerDraft { name: "张三丰".to_string(), phone: "13812345678".to_string() },
            project: "HY01".to_string(),
            building: "3栋".to_string(),
            unit: "1801".to_string(),
            description: "卫生间天花板漏水，电话 13812345678。".to_string(),
            subject: None,
            remedy_sought: None,
            remedies: vec![],
            first_responder: Some(self.first_responder.to_string()),
            category: Some(self.category),
            emergency: self.emergency,
            service: self.service.map(str::to_string),
        };
        let responder = Org.staff(self.first_responder).expect("test setup: a known first responder");
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).expect("test setup: a valid date");
        let repeat = self.repeat.map(|count| RepeatLink {
            of: 3,
            tracking_no: TrackingNo::new("TS", NaiveDate::from_ymd_opt(2026, 10, 8).expect("a date"), 7),
            count,
        });
        let (complaint, event) = receive(
            Reception {
                id: 7,
                company_id: 1,
                tracking_no: TrackingNo::new("TS", day, 42),
                project: ProjectRef { id: 1, code: "HY01".to_string(), name: "华苑小区".to_string() },
                first_responder: Some(StaffRef { id: responder.id, name: responder.name }),
                intake: draft.validate().expect("test setup: a valid intake"),
                repeat,
                actor: staff(self.first_responder),
                now: t0(),
                policy: self.policy.clone(),
            },
            self.days.as_ref(),
        );
        Case { policy: self.policy, days: self.days, complaint, events: vec![event] }
    }
}

struct Case {
    policy: TimePolicy,
    days: Box<dyn WorkingDays>,
    complaint: Complaint,
    events: Vec<Event>,
}

impl Case {
    fn decide_as(&self, username: &str, action: &Action, now: Timestamp) -> Result<Decision, DomainError> {
        let ctx = Context { now, policy: &self.policy, days: self.days.as_ref(), dir: &Org };
        decide(&self.complaint, &staff(username), action, &ctx)
    }

    fn record(&mut self, decision: Decision, actor: Actor, now: Timestamp) -> Event {
        let event = decision.into_event(&self.complaint, actor, now);
        self.complaint.apply(&event);
        self.events.push(event.clone());
        event
    }

    fn try_act(&mut self, username: &str, action: Action, now: Timestamp) -> Result<Event, DomainError> {
        let decision = self.decide_as(username, &action, now)?;
        Ok(self.record(decision, staff(username), now))
    }

    fn act(&mut self, username: &str, action: Action, now: Timestamp) -> Event {
        let (name, status) = (action.name(), self.complaint.status);
        self.try_act(username, action, now).unwrap_or_else(|e| panic!("{username} could not {name} while {status}: {e}"))
    }

    /// Asserts the refusal and that it changed nothing.
    fn refused(&self, username: &str, action: Action, now: Timestamp) -> DomainError {
        let before = self.complaint.clone();
        let err = self.decide_as(username, &action, now).expect_err("the action should be refused");
        assert_eq!(self.complaint, before);
        err
    }

    /// The escalation worker looks at the complaint at `now` and records what it finds.
    fn tick(&mut self, now: Timestamp) -> Option<Event> {
        let clock = Clock { now, policy: &self.policy, days: self.days.as_ref() };
        let decision = check(&self.complaint, &clock)?;
        Some(self.record(decision, Actor::System, now))
    }

    fn notices_of(&self, event: &Event) -> Vec<Notice> {
        notices(event, &self.complaint)
    }

    fn open(&self, rule: DeadlineRule) -> &Deadline {
        self.complaint.open_deadline(rule).unwrap_or_else(|| panic!("{rule:?} should be owed: {:#?}", self.complaint.deadlines))
    }

    fn all(&self, rule: DeadlineRule) -> Vec<&Deadline> {
        self.complaint.deadlines.iter().filter(|d| d.rule == rule).collect()
    }

    fn owed(&self) -> BTreeSet<DeadlineRule> {
        self.complaint.open_deadlines().map(|d| d.rule).collect()
    }

    fn level(&self) -> EscalationLevel {
        self.complaint.escalation_level
    }

    /// Confirmed, assessed, investigated and dispatched to engineering at 2 h.
    fn dispatched(mut self) -> Case {
        self.act(FRONT_DESK, confirm(), at(10 * MIN));
        self.act(FRONT_DESK, assess(Severity::General), at(20 * MIN));
        self.act(ENG_HEAD, investigate(), at(HOUR));
        self.act(FRONT_DESK, dispatch(), at(2 * HOUR));
        self
    }

    /// … and accepted at 2 h 30.
    fn in_progress(self) -> Case {
        let mut case = self.dispatched();
        case.act(ENG_HANDLER, accept(), at(2 * HOUR + 30));
        case
    }

    /// … and resolved at 1 day.
    fn resolved(self) -> Case {
        let mut case = self.in_progress();
        case.act(ENG_HANDLER, resolve(), at(DAY));
        case
    }
}

fn breached(event: &Event) -> (Vec<DeadlineRule>, EscalationLevel, Option<EscalationLevel>) {
    match &event.kind {
        EventKind::DeadlineBreached { rules, from, to } => (rules.clone(), *from, *to),
        other => panic!("expected a breach, got {other:?}"),
    }
}

fn at_risk(event: &Event) -> Vec<DeadlineRule> {
    match &event.kind {
        EventKind::DeadlineAtRisk { rules } => rules.clone(),
        other => panic!("expected an at-risk warning, got {other:?}"),
    }
}

fn rules<const N: usize>(rules: [DeadlineRule; N]) -> BTreeSet<DeadlineRule> {
    rules.into_iter().collect()
}

// ---------------------------------------------------------------------------
// The escalation chain.
// ---------------------------------------------------------------------------

#[test]
fn a_missed_dispatch_limit_warns_at_80_percent_then_each_breach_raises_one_level_until_the_board() {
    use EscalationLevel::*;
    let mut case = ordinary().receive();
    assert_eq!(case.open(DeadlineRule::Dispatch).due_at, at(12 * HOUR));
    assert_eq!(next_check(&case.complaint), Some(at(9 * HOUR + 36)), "the first look is the at-risk moment");

    assert!(case.tick(at(9 * HOUR + 35)).is_none(), "nothing before 80% of the 12 h");
    let warning = case.tick(at(9 * HOUR + 36)).expect("at risk at 80%");
    assert_eq!(at_risk(&warning), [DeadlineRule::Dispatch]);
    assert_eq!(case.level(), ServiceCentre, "a warning does not escalate");
    assert!(case.open(DeadlineRule::Dispatch).at_risk);
    let notice = &case.notices_of(&warning)[0];
    assert_eq!((notice.kind.as_str(), notice.level), ("deadline_at_risk", Some(ServiceCentre)));
    assert!(case.tick(at(10 * HOUR)).is_none(), "the warning is given once");

    // 12 h: the dispatch limit is missed; the department heads are told.
    let breach = case.tick(at(12 * HOUR)).expect("breached at 12 h");
    assert_eq!(breached(&breach), (vec![DeadlineRule::Dispatch], ServiceCentre, Some(DepartmentHead)));
    assert_eq!(case.level(), DepartmentHead);
    let dispatch = case.open(DeadlineRule::Dispatch);
    assert_eq!(dispatch.breached_at, Some(at(12 * HOUR)), "a breach stays owed");
    let notice = &case.notices_of(&breach)[0];
    assert_eq!((notice.kind.as_str(), notice.level), ("deadline_breached", Some(DepartmentHead)));
    assert!(notice.body.contains("部门负责人"), "{}", notice.body);
    assert!(case.tick(at(13 * HOUR)).is_none(), "a breach fires once");

    // The answer (3 days): warned at 57 h 36, missed at 72 h → company leaders,
    // who are owed a written report within 24 h.
    assert_eq!(at_risk(&case.tick(at(57 * HOUR + 36)).expect("answer at risk")), [DeadlineRule::Answer]);
    let breach = case.tick(at(3 * DAY)).expect("answer breached");
    assert_eq!(breached(&breach), (vec![DeadlineRule::Answer], DepartmentHead, Some(CompanyLeader)));
    assert_eq!(case.level(), CompanyLeader);
    let report = case.open(DeadlineRule::WrittenReportLeader);
    assert_eq!((report.due_at, report.level), (at(4 * DAY), CompanyLeader));
    assert_eq!(case.notices_of(&breach)[0].level, Some(CompanyLeader));

    // The written report is missed too → the board, owed its own in 48 h.
    assert_eq!(at_risk(&case.tick(at(3 * DAY + 19 * HOUR + 12)).expect("report at risk")), [DeadlineRule::WrittenReportLeader]);
    let breach = case.tick(at(4 * DAY)).expect("report breached");
    assert_eq!(breached(&breach), (vec![DeadlineRule::WrittenReportLeader], CompanyLeader, Some(Board)));
    assert_eq!(case.level(), Board);
    assert_eq!(case.open(DeadlineRule::WrittenReportBoard).due_at, at(6 * DAY));
    assert_eq!(case.notices_of(&breach)[0].level, Some(Board));

    // At the top: a further breach is recorded and the board told, but nothing rises.
    case.tick(at(5 * DAY + 14 * HOUR + 24)).expect("board report at risk");
    let breach = case.tick(at(6 * DAY)).expect("board report breached");
    assert_eq!(breached(&breach), (vec![DeadlineRule::WrittenReportBoard], Board, None));
    assert_eq!(case.level(), Board, "the board is the top");
    let notice = &case.notices_of(&breach)[0];
    assert_eq!((notice.kind.as_str(), notice.level), ("deadline_breached", Some(Board)));
    assert!(owner_event(&breach).is_none(), "nothing new to tell the owner");
    assert!(case.tick(at(30 * DAY)).is_none(), "every breach has fired once");
    assert_eq!(next_check(&case.complaint), None);

    assert_eq!(Complaint::replay(case.complaint.id, &case.events).as_ref(), Some(&case.complaint));
}

#[test]
fn a_deadline_met_in_time_never_fires() {
    let mut case = ordinary().receive().in_progress();
    assert_eq!(case.all(DeadlineRule::Dispatch)[0].state, DeadlineState::Met);
    assert_eq!(case.all(DeadlineRule::DelayNotice)[0].state, DeadlineState::Met);
    for hours in [12, 13, 24, 48] {
        assert!(case.tick(at(hours * HOUR)).is_none(), "{hours} h: nothing due");
    }
    case.act(ENG_HANDLER, resolve(), at(2 * DAY));
    case.act(FRONT_DESK, report(ReportKind::FirstResponderUpdate), at(2 * DAY + HOUR));
    assert!(case.tick(at(3 * DAY)).is_none(), "the answer was given in time");
    assert!(case.tick(at(10 * DAY)).is_none());
    assert!(case.events.iter().all(|e| !matches!(e.kind, EventKind::DeadlineBreached { .. })));
}

#[test]
fn a_breach_recorded_before_a_restart_is_not_fired_again_after_replaying_the_history() {
    let mut case = ordinary().receive();
    case.tick(at(12 * HOUR)).expect("breached");
    let json = serde_json::to_string(&case.events).expect("events serialise");
    let stored: Vec<Event> = serde_json::from_str(&json).expect("events deserialise");
    let restarted = Complaint::replay(case.complaint.id, &stored).expect("a history");
    assert_eq!(restarted, case.complaint);
    let clock = Clock { now: at(12 * HOUR + 1), policy: &case.policy, days: case.days.as_ref() };
    assert!(check(&restarted, &clock).is_none(), "the breach is in the history; it does not fire again");
    assert_eq!(next_check(&restarted), Some(at(57 * HOUR + 36)), "the answer's warning is still to come");
}

// ---------------------------------------------------------------------------
// The department's limits.
// ---------------------------------------------------------------------------

#[test]
fn a_dispatch_tells_the_department_which_owes_acceptance_or_a_delay_notice_within_2_hours() {
    let case = ordinary().receive().dispatched();
    let dispatched = case.events.last().expect("dispatched");
    let notice = &case.notices_of(dispatched)[0];
    assert_eq!((notice.kind.as_str(), notice.department.as_deref()), ("dispatched", Some("engineering")));
    assert_eq!(case.open(DeadlineRule::DelayNotice).due_at, at(4 * HOUR));

    for (who, action) in [(ENG_HANDLER, accept()), (ENG_HANDLER, report_delay(at(5 * DAY)))] {
        let mut case = ordinary().receive().dispatched();
        case.act(who, action, at(3 * HOUR));
        let notice = case.all(DeadlineRule::DelayNotice)[0];
        assert_eq!((notice.state, notice.closed_at), (DeadlineState::Met, Some(at(3 * HOUR))));
        assert!(case.tick(at(4 * HOUR)).is_none());
    }

    let mut silent = ordinary().receive().dispatched();
    let breach = silent.tick(at(4 * HOUR)).expect("the department said nothing");
    assert_eq!(breached(&breach).0, [DeadlineRule::DelayNotice]);
    let notice = &silent.notices_of(&breach)[0];
    assert_eq!(notice.level, Some(EscalationLevel::DepartmentHead));
    assert_eq!(notice.department.as_deref(), Some("engineering"), "the department is told too");
}

#[test]
fn a_completion_reported_more_than_2_hours_after_the_work_finished_is_met_late() {
    let mut late = ordinary().receive().in_progress();
    late.act(ENG_HANDLER, resolve_finished_at(at(DAY - 3 * HOUR)), at(DAY));
    let report = late.all(DeadlineRule::CompletionReport)[0].clone();
    assert_eq!(report.due_at, at(DAY - HOUR));
    assert_eq!((report.state, report.closed_at), (DeadlineState::Met, Some(at(DAY))));
    assert!(report.met_late(), "reported 3 h after finishing");

    let mut on_time = ordinary().receive().in_progress();
    on_time.act(ENG_HANDLER, resolve_finished_at(at(DAY - HOUR)), at(DAY));
    let report = on_time.all(DeadlineRule::CompletionReport)[0];
    assert_eq!(report.state, DeadlineState::Met);
    assert!(!report.met_late());

    let mut unstated = ordinary().receive().in_progress();
    unstated.act(ENG_HANDLER, resolve(), at(DAY));
    assert!(unstated.all(DeadlineRule::CompletionReport).is_empty(), "finished when reported");

    let case = ordinary().receive().in_progress();
    let err = case.refused(ENG_HANDLER, resolve_finished_at(at(DAY + 1)), at(DAY));
    assert_eq!(err.field(), Some("finished_at"), "the work cannot finish in the future");
}

#[test]
fn the_first_responder_must_be_told_within_2_hours_of_resolution_by_the_front_desk_or_themselves() {
    // 孙丽 of security took the call (首问责任人); engineering fixed it.
    let mut case = ordinary().first_responder(SEC_HANDLER).receive().resolved();
    let update = case.open(DeadlineRule::FirstResponderUpdate);
    assert_eq!(update.due_at, at(DAY + 2 * HOUR));

    let err = case.refused(ENG_HANDLER, report(ReportKind::FirstResponderUpdate), at(DAY + HOUR));
    assert_eq!(err, DomainError::RoleNotAllowed { action: "record_report", role: Some(Role::Handler), allowed: vec![Role::FrontDesk] });
    let err = case.refused(SEC_HEAD, report(ReportKind::FirstResponderUpdate), at(DAY + HOUR));
    assert_eq!(err.code(), "role_not_allowed", "security's head is not the first responder and has no report to file");

    // The first responder records it, though the complaint is engineering's.
    let event = case.act(SEC_HANDLER, report(ReportKind::FirstResponderUpdate), at(DAY + HOUR));
    assert!(matches!(event.kind, EventKind::ReportRecorded { report: ReportKind::FirstResponderUpdate, .. }));
    let update = case.all(DeadlineRule::FirstResponderUpdate)[0];
    assert_eq!((update.state, update.closed_at), (DeadlineState::Met, Some(at(DAY + HOUR))));
    assert!(owner_event(&event).is_none(), "an internal report");

    // Or the service centre tells them, whoever took the call.
    let mut by_front_desk = ordinary().first_responder(SEC_HANDLER).receive().resolved();
    by_front_desk.act(FRONT_DESK_2, report(ReportKind::FirstResponderUpdate), at(DAY + HOUR));
    assert_eq!(by_front_desk.all(DeadlineRule::FirstResponderUpdate)[0].state, DeadlineState::Met);

    // Untold after 2 h: a breach.
    let mut untold = ordinary().first_responder(SEC_HANDLER).receive().resolved();
    let breach = untold.tick(at(DAY + 2 * HOUR)).expect("the first responder was not told");
    assert_eq!(breached(&breach).0, [DeadlineRule::FirstResponderUpdate]);
}

#[test]
fn a_report_can_be_recorded_only_when_one_of_its_kind_is_owed() {
    let case = ordinary().receive().in_progress();
    let err = case.refused(FRONT_DESK, report(ReportKind::FirstResponderUpdate), at(5 * HOUR));
    assert_eq!(err, DomainError::NotAllowedInState { action: "record_report", status: Status::InProgress });

    let case = ordinary().receive().resolved();
    for kind in [ReportKind::WrittenReport, ReportKind::Verification] {
        let err = case.refused(FRONT_DESK, report(kind), at(DAY + HOUR));
        assert_eq!(err.field(), Some("report"), "{kind:?} is not owed");
    }
    let blank = Action::RecordReport { report: ReportKind::FirstResponderUpdate, text: " ".to_string() };
    assert_eq!(case.refused(FRONT_DESK, blank, at(DAY + HOUR)).field(), Some("text"));
}

// ---------------------------------------------------------------------------
// The answer.
// ---------------------------------------------------------------------------

#[test]
fn the_answer_is_owed_in_3_days_for_one_department_and_is_what_the_owner_is_told() {
    let case = ordinary().receive().dispatched();
    let answer = case.open(DeadlineRule::Answer);
    assert_eq!(answer.due_at, at(3 * DAY));
    assert!(answer.committed);
    assert_eq!(committed_time(&case.complaint), Some(at(3 * DAY)));
    assert!(!case.complaint.multi_department);
}

#[test]
fn with_cooperating_departments_the_answer_is_owed_in_7_working_days_counted_from_receipt() {
    let mut case = ordinary().receive();
    case.act(FRONT_DESK, confirm(), at(10 * MIN));
    case.act(FRONT_DESK, assess(Severity::General), at(20 * MIN));
    case.act(ENG_HEAD, investigate(), at(HOUR));
    // Dispatched on Monday at 11:00; received Monday 09:00. Seven working days
    // from Monday 23 November end on Wednesday 2 December.
    case.act(FRONT_DESK, dispatch_to("engineering", &["security", "engineering", "security"]), at(2 * HOUR));
    assert!(case.complaint.multi_department);
    assert_eq!(case.complaint.cooperating.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["security"]);
    let answers = case.all(DeadlineRule::Answer);
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].state, DeadlineState::Cancelled, "the one-department answer is replaced");
    assert_eq!(answers[1].due_at, end_of_local_day(2026, 12, 2));
    assert!(answers[1].committed);
    assert_eq!(committed_time(&case.complaint), Some(end_of_local_day(2026, 12, 2)));

    // Only the dispatched department itself: still one department.
    let mut alone = ordinary().receive();
    alone.act(FRONT_DESK, confirm(), at(10 * MIN));
    alone.act(FRONT_DESK, assess(Severity::General), at(20 * MIN));
    alone.act(ENG_HEAD, investigate(), at(HOUR));
    alone.act(FRONT_DESK, dispatch_to("engineering", &["engineering"]), at(2 * HOUR));
    assert!(!alone.complaint.multi_department);
    assert_eq!(alone.open(DeadlineRule::Answer).due_at, at(3 * DAY));

    let mut unknown = ordinary().receive();
    unknown.act(FRONT_DESK, confirm(), at(10 * MIN));
    unknown.act(FRONT_DESK, assess(Severity::General), at(20 * MIN));
    unknown.act(ENG_HEAD, investigate(), at(HOUR));
    let err = unknown.refused(FRONT_DESK, dispatch_to("engineering", &["plumbing"]), at(2 * HOUR));
    assert_eq!(err.field(), Some("cooperating"));
}

#[test]
fn working_days_come_from_the_calendar_so_a_holiday_delays_and_a_make_up_saturday_advances_the_answer() {
    let multi = |days: TinyCalendar| {
        let mut case = ordinary().days(days).receive();
        case.act(FRONT_DESK, confirm(), at(10 * MIN));
        case.act(FRONT_DESK, assess(Severity::General), at(20 * MIN));
        case.act(ENG_HEAD, investigate(), at(HOUR));
        case.act(FRONT_DESK, dispatch_to("engineering", &["security"]), at(2 * HOUR));
        case.open(DeadlineRule::Answer).due_at
    };
    let plain = multi(TinyCalendar { holidays: vec![], make_up_days: vec![] });
    assert_eq!(plain, end_of_local_day(2026, 12, 2));
    let holiday = multi(TinyCalendar { holidays: vec![date(11, 27)], make_up_days: vec![] });
    assert_eq!(holiday, end_of_local_day(2026, 12, 3), "Friday 27 November is a holiday");
    let make_up = multi(TinyCalendar { holidays: vec![date(11, 27)], make_up_days: vec![date(11, 28)] });
    assert_eq!(make_up, end_of_local_day(2026, 12, 2), "Saturday 28 November is worked instead");
}

#[test]
fn a_commitment_for_the_service_type_replaces_the_answer_limit() {
    let policy = TimePolicy {
        commitments: vec![Commitment::new("lift", "电梯故障", Span::Hours(24))],
        ..TimePolicy::default()
    };
    let mut lift = ordinary().service("lift").policy(policy.clone()).receive();
    let answer = lift.open(DeadlineRule::Answer);
    assert_eq!((answer.due_at, answer.committed), (at(DAY), true));
    assert_eq!(committed_time(&lift.complaint), Some(at(DAY)), "the owner is told the committed time");
    // Even with cooperating departments the commitment stands.
    lift.act(FRONT_DESK, confirm(), at(10 * MIN));
    lift.act(FRONT_DESK, assess(Severity::General), at(20 * MIN));
    lift.act(ENG_HEAD, investigate(), at(HOUR));
    lift.act(FRONT_DESK, dispatch_to("engineering", &["security"]), at(2 * HOUR));
    assert_eq!(lift.open(DeadlineRule::Answer).due_at, at(DAY));

    let fees = ordinary().service("fees").policy(policy).receive();
    assert_eq!(fees.open(DeadlineRule::Answer).due_at, at(3 * DAY), "no commitment for fees: the default");
}

#[test]
fn a_rejected_result_owes_a_new_answer_from_the_rejection() {
    let mut case = ordinary().receive().resolved();
    case.act(FRONT_DESK, reject_result(), at(DAY + 3 * HOUR));
    assert_eq!(case.open(DeadlineRule::Answer).due_at, at(4 * DAY + 3 * HOUR));
    case.act(ENG_HANDLER, resolve(), at(2 * DAY));
    let updates = case.all(DeadlineRule::FirstResponderUpdate);
    assert_eq!(updates.len(), 2);
    assert_eq!(
        case.complaint.open_deadlines().filter(|d| d.rule == DeadlineRule::FirstResponderUpdate).count(),
        1,
        "one update owed, about the latest outcome"
    );
}

// ---------------------------------------------------------------------------
// The callback.
// ---------------------------------------------------------------------------

#[test]
fn the_callback_is_owed_within_2_working_days_and_never_later_than_7_days_after_closure() {
    let mut case = ordinary().receive().resolved();
    case.act(FRONT_DESK, accept_result(), at(2 * DAY));
    // Closed on Friday 27 November 09:00: 2 working days end on Tuesday 1 December.
    case.act(ENG_HEAD, close(), at(4 * DAY));
    let owed = case.open(DeadlineRule::Callback);
    assert_eq!(owed.due_at, end_of_local_day(2026, 12, 1));
    assert_eq!(case.open(DeadlineRule::CallbackLatest).due_at, at(11 * DAY));

    let mut missed = ordinary().receive().resolved();
    missed.act(FRONT_DESK, accept_result(), at(2 * DAY));
    missed.act(ENG_HEAD, close(), at(4 * DAY));
    missed.act(FRONT_DESK, report(ReportKind::FirstResponderUpdate), at(4 * DAY + 1));
    let breach = missed.tick(end_of_local_day(2026, 12, 1)).expect("no callback by Tuesday");
    assert_eq!(breached(&breach).0, [DeadlineRule::Callback]);

    // One callback meets both.
    case.act(FRONT_DESK, callback(9, 8), at(5 * DAY));
    for rule in [DeadlineRule::Callback, DeadlineRule::CallbackLatest] {
        let d = case.all(rule)[0];
        assert_eq!((d.state, d.closed_at), (DeadlineState::Met, Some(at(5 * DAY))), "{rule:?}");
    }
}

// ---------------------------------------------------------------------------
// Emergencies.
// ---------------------------------------------------------------------------

#[test]
fn an_emergency_must_reach_the_department_within_3_minutes_and_is_dispatched_straight_from_receipt() {
    let mut case = emergency().receive();
    assert_eq!(case.owed(), rules([DeadlineRule::NotifyDepartments, DeadlineRule::Answer]));
    assert_eq!(case.open(DeadlineRule::NotifyDepartments).due_at, at(3 * MIN));
    let received = case.events[0].clone();
    let notice = &case.notices_of(&received)[0];
    assert_eq!((notice.kind.as_str(), notice.level), ("emergency_received", Some(EscalationLevel::ServiceCentre)));
    assert!(!notice.body.contains("13812345678"), "the phone is masked: {}", notice.body);

    let event = case.act(FRONT_DESK, dispatch(), at(2 * MIN));
    assert_eq!(case.complaint.status, Status::Dispatched, "no confirm, assess or investigate first");
    let notify = case.all(DeadlineRule::NotifyDepartments)[0];
    assert_eq!((notify.state, notify.closed_at), (DeadlineState::Met, Some(at(2 * MIN))));
    assert_eq!(case.open(DeadlineRule::EmergencyHead).due_at, at(7 * MIN), "the head has 5 minutes");
    assert_eq!(case.notices_of(&event)[0].department.as_deref(), Some("engineering"));

    // Confirmed and assessed first is fine too; an ordinary complaint cannot skip ahead.
    let mut confirmed = emergency().receive();
    confirmed.act(FRONT_DESK, confirm(), at(MIN));
    confirmed.act(LEADER, dispatch(), at(2 * MIN));
    let ordinary_case = ordinary().receive();
    let err = ordinary_case.refused(FRONT_DESK, dispatch(), at(2 * MIN));
    assert_eq!(err, DomainError::NotAllowedInState { action: "dispatch", status: Status::Received });

    let mut late = emergency().receive();
    let breach = late.tick(at(3 * MIN)).expect("no department told in 3 minutes");
    assert_eq!(breached(&breach), (vec![DeadlineRule::NotifyDepartments], EscalationLevel::ServiceCentre, Some(EscalationLevel::DepartmentHead)));
}

#[test]
fn an_emergency_unsolved_goes_to_the_company_leaders_in_5_minutes_and_to_the_board_in_10_with_written_reports() {
    use EscalationLevel::*;
    let mut case = emergency().receive();
    case.act(FRONT_DESK, dispatch(), at(2 * MIN));

    assert_eq!(at_risk(&case.tick(at(6 * MIN)).expect("warned")), [DeadlineRule::EmergencyHead]);
    // 5 minutes after dispatch the head has not solved it: straight to the leaders.
    let breach = case.tick(at(7 * MIN)).expect("the head ran out of time");
    assert_eq!(breached(&breach), (vec![DeadlineRule::EmergencyHead], ServiceCentre, Some(CompanyLeader)));
    assert_eq!(case.level(), CompanyLeader);
    let written = case.open(DeadlineRule::WrittenReportLeader);
    assert_eq!((written.due_at, written.level), (at(7 * MIN + DAY), CompanyLeader), "written report in 24 h");
    assert_eq!(case.open(DeadlineRule::EmergencyLeader).due_at, at(17 * MIN), "the leaders have 10 minutes");
    let notice = &case.notices_of(&breach)[0];
    assert_eq!(notice.level, Some(CompanyLeader));
    assert_eq!(owner_event(&breach).map(|e| e.text), Some("您的投诉已升级至公司主管领导督办。".to_string()));

    let breach = case.tick(at(17 * MIN)).expect("the leaders ran out of time");
    assert_eq!(breached(&breach), (vec![DeadlineRule::EmergencyLeader], CompanyLeader, Some(Board)));
    assert_eq!(case.level(), Board);
    assert_eq!(case.open(DeadlineRule::WrittenReportBoard).due_at, at(17 * MIN + 2 * DAY), "written report in 48 h");
    assert_eq!(case.notices_of(&breach)[0].level, Some(Board));
    assert!(case.complaint.open_deadline(DeadlineRule::EmergencyLeader).is_none());

    // The department head files the written report to the leaders.
    let err = case.refused(ENG_HANDLER, report(ReportKind::WrittenReport), at(HOUR));
    assert_eq!(err.code(), "role_not_allowed");
    case.act(ENG_HEAD, report(ReportKind::WrittenReport), at(HOUR));
    assert_eq!(case.all(DeadlineRule::WrittenReportLeader)[0].state, DeadlineState::Met);
}

#[test]
fn a_head_who_escalates_an_emergency_within_5_minutes_has_met_that_limit() {
    use EscalationLevel::*;
    let mut case = emergency().receive();
    case.act(FRONT_DESK, dispatch(), at(2 * MIN));
    let event = case.act(ENG_HEAD, escalate(), at(4 * MIN));
    assert!(matches!(event.kind, EventKind::Escalated { from: ServiceCentre, to: CompanyLeader, .. }));
    let head = case.all(DeadlineRule::EmergencyHead)[0];
    assert_eq!((head.state, head.closed_at), (DeadlineState::Met, Some(at(4 * MIN))));
    assert_eq!(case.open(DeadlineRule::EmergencyLeader).due_at, at(14 * MIN));
    assert_eq!(case.open(DeadlineRule::WrittenReportLeader).due_at, at(4 * MIN + DAY));
    assert_eq!(case.notices_of(&event)[0].level, Some(CompanyLeader));

    let event = case.act(LEADER, escalate(), at(10 * MIN));
    assert!(matches!(event.kind, EventKind::Escalated { from: CompanyLeader, to: Board, .. }));
    assert_eq!(case.all(DeadlineRule::EmergencyLeader)[0].state, DeadlineState::Met);
    assert_eq!(case.open(DeadlineRule::WrittenReportBoard).due_at, at(10 * MIN + 2 * DAY));
    assert!(case.tick(at(20 * MIN)).is_none(), "nothing was missed");
    let err = case.refused(LEADER, escalate(), at(21 * MIN));
    assert_eq!(err, DomainError::NotAllowedInState { action: "escalate", status: Status::Dispatched });
}

#[test]
fn an_emergency_is_verified_within_8_hours_of_being_handled() {
    let mut case = emergency().receive();
    case.act(FRONT_DESK, dispatch(), at(2 * MIN));
    case.act(ENG_HANDLER, accept(), at(3 * MIN));
    case.act(ENG_HANDLER, resolve(), at(5 * MIN));
    assert_eq!(case.all(DeadlineRule::EmergencyHead)[0].state, DeadlineState::Met, "solved in time");
    assert_eq!(case.open(DeadlineRule::Verification).due_at, at(5 * MIN + 8 * HOUR));
    let err = case.refused(ENG_HANDLER, report(ReportKind::Verification), at(HOUR));
    assert_eq!(err.code(), "role_not_allowed");
    case.act(FRONT_DESK, report(ReportKind::Verification), at(HOUR));
    assert_eq!(case.all(DeadlineRule::Verification)[0].state, DeadlineState::Met);

    let mut unverified = emergency().receive();
    unverified.act(FRONT_DESK, dispatch(), at(2 * MIN));
    unverified.act(ENG_HANDLER, accept(), at(3 * MIN));
    unverified.act(ENG_HANDLER, resolve(), at(5 * MIN));
    unverified.act(FRONT_DESK, report(ReportKind::FirstResponderUpdate), at(6 * MIN));
    let breach = unverified.tick(at(5 * MIN + 8 * HOUR)).expect("not verified in 8 h");
    assert_eq!(breached(&breach).0, [DeadlineRule::Verification]);
}

// ---------------------------------------------------------------------------
// Severity and repeats start higher up the chain.
// ---------------------------------------------------------------------------

#[test]
fn a_major_assessment_starts_at_the_department_head_and_a_crisis_at_the_company_leaders_with_a_written_report() {
    let mut major = ordinary().receive();
    major.act(FRONT_DESK, confirm(), at(10 * MIN));
    let event = major.act(FRONT_DESK, assess(Severity::Major), at(20 * MIN));
    assert_eq!(major.level(), EscalationLevel::DepartmentHead);
    assert!(major.complaint.open_deadline(DeadlineRule::WrittenReportLeader).is_none());
    let notice = &major.notices_of(&event)[0];
    assert_eq!((notice.kind.as_str(), notice.level), ("severity_raised", Some(EscalationLevel::DepartmentHead)));

    let mut crisis = ordinary().receive();
    crisis.act(FRONT_DESK, confirm(), at(10 * MIN));
    crisis.act(FRONT_DESK, assess(Severity::Crisis), at(20 * MIN));
    assert_eq!(crisis.level(), EscalationLevel::CompanyLeader);
    let report = crisis.open(DeadlineRule::WrittenReportLeader);
    assert_eq!((report.due_at, report.level), (at(20 * MIN + DAY), EscalationLevel::CompanyLeader));
    // A missed limit from there goes to the board.
    let breach = crisis.tick(at(12 * HOUR)).expect("not dispatched in 12 h");
    assert_eq!(breached(&breach).2, Some(EscalationLevel::Board));
}

#[test]
fn a_first_repeat_is_major_and_starts_at_the_department_head() {
    let case = ordinary().repeat(1).receive();
    assert_eq!(case.complaint.severity, Some(Severity::Major));
    assert_eq!(case.level(), EscalationLevel::DepartmentHead);
    assert!(case.complaint.open_deadlines().all(|d| d.level == EscalationLevel::DepartmentHead));
    assert!(case.complaint.open_deadline(DeadlineRule::WrittenReportLeader).is_none());
    let notice = &case.notices_of(&case.events[0])[0];
    assert_eq!((notice.kind.as_str(), notice.level), ("repeat_complaint", Some(EscalationLevel::DepartmentHead)));
    assert!(notice.body.contains("第 1 次"), "{}", notice.body);
}

#[test]
fn a_second_repeat_is_a_crisis_at_the_company_leaders_owing_a_written_report_and_assessment_cannot_lower_it() {
    let mut case = ordinary().repeat(2).receive();
    assert_eq!(case.complaint.severity, Some(Severity::Crisis));
    assert_eq!(case.level(), EscalationLevel::CompanyLeader);
    assert_eq!(case.open(DeadlineRule::WrittenReportLeader).due_at, at(DAY), "as a crisis assessment owes");
    case.act(FRONT_DESK, confirm(), at(10 * MIN));
    case.act(FRONT_DESK, assess(Severity::General), at(20 * MIN));
    assert_eq!(case.complaint.severity, Some(Severity::Crisis), "each repeat is worse than the last");
    assert_eq!(case.level(), EscalationLevel::CompanyLeader);

    let third = ordinary().repeat(3).receive();
    assert_eq!(third.level(), EscalationLevel::Board);
    assert_eq!(third.open(DeadlineRule::WrittenReportBoard).due_at, at(2 * DAY));

    // An emergency repeated twice: the leaders have their 10 minutes from receipt.
    let urgent = emergency().repeat(2).receive();
    assert_eq!(urgent.open(DeadlineRule::EmergencyLeader).due_at, at(10 * MIN));
    assert_eq!(Complaint::replay(urgent.complaint.id, &urgent.events), Some(urgent.complaint.clone()));
}

// ---------------------------------------------------------------------------
// Extension (延期).
// ---------------------------------------------------------------------------

#[test]
fn an_approved_extension_moves_the_answer_deadline_and_the_time_the_owner_is_told() {
    let mut case = ordinary().receive().in_progress();
    let requested = case.act(ENG_HANDLER, request_extension(at(6 * DAY)), at(5 * HOUR));
    let pending = case.complaint.pending_extension.clone().expect("waiting for approval");
    assert_eq!((pending.due_at, pending.requested_by.map(|s| s.id)), (at(6 * DAY), Some(2)));
    assert_eq!(case.open(DeadlineRule::Answer).due_at, at(3 * DAY), "nothing moves before approval");
    assert_eq!(committed_time(&case.complaint), Some(at(3 * DAY)));
    let notice = &case.notices_of(&requested)[0];
    assert_eq!(notice.level, Some(EscalationLevel::DepartmentHead));
    assert!(owner_event(&requested).is_none(), "a request is internal");

    let approved = case.act(ENG_HEAD, decide_extension(true), at(6 * HOUR));
    let answer = case.open(DeadlineRule::Answer);
    assert_eq!((answer.due_at, answer.extensions), (at(6 * DAY), 1));
    assert_eq!(case.complaint.pending_extension, None);
    assert_eq!(committed_time(&case.complaint), Some(at(6 * DAY)), "the owner is told the new time");
    let shown = owner_event(&approved).expect("the owner sees an approved extension").text;
    assert!(shown.contains("2026-11-29 09:00"), "{shown}");
    assert!(case.tick(at(3 * DAY)).is_none(), "the old due time no longer fires");
    let breach = case.tick(at(6 * DAY)).expect("the new due time does");
    assert_eq!(breached(&breach).0, [DeadlineRule::Answer]);
}

#[test]
fn a_refused_extension_leaves_the_answer_deadline_as_it_was() {
    let mut case = ordinary().receive().in_progress();
    case.act(ENG_HANDLER, request_extension(at(6 * DAY)), at(5 * HOUR));
    let refused = case.act(ENG_HEAD, decide_extension(false), at(6 * HOUR));
    assert!(matches!(refused.kind, EventKind::ExtensionDecided { approved: false, .. }));
    assert_eq!(case.open(DeadlineRule::Answer).due_at, at(3 * DAY));
    assert_eq!(case.open(DeadlineRule::Answer).extensions, 0);
    assert_eq!(case.complaint.pending_extension, None);
    assert_eq!(committed_time(&case.complaint), Some(at(3 * DAY)));
    assert!(owner_event(&refused).is_none());
}

#[test]
fn when_the_policy_names_the_company_leaders_a_department_head_cannot_decide_an_extension() {
    let policy = TimePolicy {
        limits: Limits { extension_approver: ExtensionApprover::CompanyLeader, ..Limits::default() },
        ..TimePolicy::default()
    };
    let mut case = ordinary().policy(policy).receive().in_progress();
    case.act(ENG_HANDLER, request_extension(at(6 * DAY)), at(5 * HOUR));
    let err = case.refused(ENG_HEAD, decide_extension(true), at(6 * HOUR));
    assert_eq!(
        err,
        DomainError::RoleNotAllowed { action: "decide_extension", role: Some(Role::DepartmentHead), allowed: vec![Role::CompanyLeader] }
    );
    case.act(LEADER, decide_extension(true), at(6 * HOUR));
    assert_eq!(case.open(DeadlineRule::Answer).due_at, at(6 * DAY));
}

#[test]
fn an_extension_is_decided_by_the_head_of_the_department_that_has_the_complaint() {
    let mut case = ordinary().receive().in_progress();
    case.act(ENG_HANDLER, request_extension(at(6 * DAY)), at(5 * HOUR));
    assert_eq!(case.refused(SEC_HEAD, decide_extension(true), at(6 * HOUR)).code(), "not_your_department");
    assert_eq!(case.refused(ENG_HANDLER, decide_extension(true), at(6 * HOUR)).code(), "role_not_allowed");
    let err = case.refused(ENG_HANDLER, request_extension(at(7 * DAY)), at(6 * HOUR));
    assert_eq!(err, DomainError::NotAllowedInState { action: "request_extension", status: Status::InProgress }, "one request at a time");
    assert_eq!(case.refused(SEC_HANDLER, return_it(), at(6 * HOUR)).code(), "not_your_department");
}

#[test]
fn an_extension_must_ask_for_a_time_later_than_the_answer_owed_and_than_now() {
    let mut case = ordinary().receive().in_progress();
    for new_time in [at(2 * DAY), at(3 * DAY)] {
        let err = case.refused(ENG_HANDLER, request_extension(new_time), at(5 * HOUR));
        assert_eq!(err.field(), Some("new_time"));
    }
    let blank = Action::RequestExtension { reason: " ".to_string(), new_time: at(6 * DAY) };
    assert_eq!(case.refused(ENG_HANDLER, blank, at(5 * HOUR)).field(), Some("reason"));

    // The answer is overdue: a "new" time already past is no extension.
    case.tick(at(3 * DAY)).expect("breached");
    let err = case.refused(ENG_HANDLER, request_extension(at(4 * DAY)), at(5 * DAY));
    assert_eq!(err.field(), Some("new_time"));
    // One in the future is, and clears the breach so that the new time can fire.
    case.act(ENG_HANDLER, request_extension(at(7 * DAY)), at(5 * DAY));
    case.act(ENG_HEAD, decide_extension(true), at(5 * DAY + HOUR));
    let answer = case.open(DeadlineRule::Answer);
    assert_eq!((answer.due_at, answer.breached_at), (at(7 * DAY), None));
    assert!(case.tick(at(7 * DAY)).is_some());
}

#[test]
fn a_request_for_more_time_still_pending_at_resolution_lapses() {
    let mut case = ordinary().receive().in_progress();
    case.act(ENG_HANDLER, request_extension(at(5 * DAY)), at(5 * HOUR));
    case.act(ENG_HANDLER, resolve(), at(DAY));
    assert_eq!(case.complaint.pending_extension, None, "the answer was given");
    case.act(FRONT_DESK, reject_result(), at(DAY + HOUR));
    let err = case.refused(ENG_HEAD, decide_extension(true), at(DAY + 2 * HOUR));
    assert_eq!(err, DomainError::NotAllowedInState { action: "decide_extension", status: Status::InProgress });
    assert_eq!(case.open(DeadlineRule::Answer).due_at, at(4 * DAY + HOUR), "the new answer stands");
}

// ---------------------------------------------------------------------------
// Return (退单), urge (催办), pause.
// ---------------------------------------------------------------------------

#[test]
fn a_returned_complaint_goes_back_for_dispatch_and_the_answer_clock_runs_on() {
    let mut case = ordinary().receive().in_progress();
    let returned = case.act(ENG_HANDLER, return_it(), at(3 * HOUR));
    let c = &case.complaint;
    assert_eq!(c.status, Status::Investigating);
    assert_eq!((c.department.as_ref(), c.handler.as_ref(), c.returned_count), (None, None, 1));
    let answers = case.all(DeadlineRule::Answer);
    assert_eq!(answers.len(), 1, "the answer is not restarted");
    assert_eq!((answers[0].due_at, answers[0].state), (at(3 * DAY), DeadlineState::Open));
    let notice = &case.notices_of(&returned)[0];
    assert_eq!((notice.kind.as_str(), notice.level), ("returned", Some(EscalationLevel::ServiceCentre)));
    assert!(notice.body.contains("工程部"), "{}", notice.body);
    assert!(owner_event(&returned).is_none(), "returns between departments are internal");

    case.act(FRONT_DESK, dispatch_to("security", &[]), at(4 * HOUR));
    assert_eq!(case.complaint.department.as_ref().map(|d| d.code.as_str()), Some("security"));
    assert_eq!(case.open(DeadlineRule::DelayNotice).due_at, at(6 * HOUR), "security has its own 2 h");
    assert_eq!(case.open(DeadlineRule::Answer).due_at, at(3 * DAY), "still from receipt");
    assert_eq!(case.refused(ENG_HANDLER, accept(), at(5 * HOUR)).code(), "not_your_department");
    case.act(SEC_HANDLER, accept(), at(5 * HOUR));
}

#[test]
fn a_returned_emergency_no_longer_runs_the_heads_5_minutes() {
    let mut case = emergency().receive();
    case.act(FRONT_DESK, dispatch(), at(2 * MIN));
    case.act(ENG_HANDLER, return_it(), at(3 * MIN));
    assert_eq!(case.all(DeadlineRule::EmergencyHead)[0].state, DeadlineState::Cancelled);
    case.act(FRONT_DESK, dispatch_to("security", &[]), at(4 * MIN));
    assert_eq!(case.open(DeadlineRule::EmergencyHead).due_at, at(9 * MIN), "the right head's 5 minutes");
}

#[test]
fn urges_are_counted_and_each_is_sent_to_the_department() {
    let before = ordinary().receive();
    assert_eq!(before.refused(FRONT_DESK, urge(), at(HOUR)).code(), "transition_not_allowed", "nothing to urge yet");
    let mut case = ordinary().receive().dispatched();
    assert_eq!(case.refused(ENG_HANDLER, urge(), at(3 * HOUR)).code(), "role_not_allowed");
    let mut last = None;
    for (n, who) in [FRONT_DESK, LEADER, BOARD].into_iter().enumerate() {
        last = Some(case.act(who, urge(), at(3 * HOUR + n as i64)));
    }
    assert_eq!(case.complaint.urge_count, 3);
    let urged = last.expect("urged");
    let notice = &case.notices_of(&urged)[0];
    assert_eq!((notice.kind.as_str(), notice.department.as_deref()), ("urged", Some("engineering")));
    assert!(notice.body.contains("第 3 次"), "{}", notice.body);
    assert_eq!(owner_event(&urged).map(|e| e.text), Some("已督促责任部门加快处理。".to_string()));
}

#[test]
fn a_paused_answer_clock_does_not_fire_and_resuming_moves_it_by_the_pause() {
    let mut case = ordinary().receive().in_progress();
    let paused = case.act(FRONT_DESK, pause(), at(DAY));
    assert_eq!(case.open(DeadlineRule::Answer).paused_at, Some(at(DAY)));
    assert_eq!(owner_event(&paused).map(|e| e.text), Some("等待您的配合：业主出差，下周方可入户".to_string()));
    assert!(case.tick(at(4 * DAY)).is_none(), "past due, but paused");
    assert_eq!(next_check(&case.complaint), None);
    assert_eq!(case.refused(FRONT_DESK, pause(), at(4 * DAY)).code(), "transition_not_allowed", "already paused");

    case.act(ENG_HANDLER, resume(), at(5 * DAY));
    let answer = case.open(DeadlineRule::Answer);
    assert_eq!(answer.due_at, at(7 * DAY), "3 days + the 4 days paused");
    assert_eq!(answer.paused_at, None);
    assert_eq!(answer.at_risk_at, Some(at(57 * HOUR + 36 + 4 * DAY)));
    assert_eq!(at_risk(&case.tick(at(6 * DAY + 9 * HOUR + 36)).expect("warned")), [DeadlineRule::Answer]);
    assert_eq!(breached(&case.tick(at(7 * DAY)).expect("then due")).0, [DeadlineRule::Answer]);
}

#[test]
fn only_the_clocks_that_wait_on_the_customer_pause() {
    let mut case = ordinary().receive();
    case.act(FRONT_DESK, pause(), at(HOUR));
    assert!(case.open(DeadlineRule::Answer).paused_at.is_some());
    assert_eq!(case.open(DeadlineRule::Dispatch).paused_at, None, "dispatch is owed inside the company");
    assert_eq!(breached(&case.tick(at(12 * HOUR)).expect("dispatch still due")).0, [DeadlineRule::Dispatch]);
}

// ---------------------------------------------------------------------------
// What the owner sees.
// ---------------------------------------------------------------------------

#[test]
fn the_owner_sees_escalation_as_supervision_and_an_approved_extension_but_never_warnings_or_internal_reports() {
    let mut case = ordinary().receive();
    case.tick(at(9 * HOUR + 36)).expect("warning");
    case.tick(at(12 * HOUR)).expect("breach");
    case.act(FRONT_DESK, confirm(), at(13 * HOUR));
    case.act(FRONT_DESK, assess(Severity::General), at(13 * HOUR + 10));
    case.act(ENG_HEAD, investigate(), at(14 * HOUR));
    case.act(FRONT_DESK, dispatch(), at(15 * HOUR));
    case.act(ENG_HANDLER, return_it(), at(15 * HOUR + 30));
    case.act(FRONT_DESK, dispatch(), at(16 * HOUR));
    case.act(ENG_HANDLER, accept(), at(16 * HOUR + 30));
    case.act(ENG_HANDLER, request_extension(at(5 * DAY)), at(17 * HOUR));
    case.act(ENG_HEAD, decide_extension(true), at(18 * HOUR));
    case.act(FRONT_DESK, escalate(), at(19 * HOUR));
    case.act(ENG_HANDLER, resolve(), at(2 * DAY));
    case.act(FRONT_DESK, report(ReportKind::FirstResponderUpdate), at(2 * DAY + HOUR));
    case.act(ENG_HEAD, report(ReportKind::WrittenReport), at(2 * DAY + 2 * HOUR));

    let owner: Vec<_> = case.events.iter().filter_map(owner_event).collect();
    let kinds: Vec<&str> = owner.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            "received",
            "deadline_breached",
            "confirmed",
            "assessed",
            "investigated",
            "dispatched",
            "dispatched",
            "accepted",
            "extension_decided",
            "escalated",
            "resolved",
        ]
    );
    let texts: Vec<&str> = owner.iter().map(|e| e.text.as_str()).collect();
    assert!(texts.contains(&"您的投诉已升级至部门负责人督办。"), "{texts:?}");
    assert!(texts.contains(&"您的投诉已升级至公司主管领导督办。"), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("经审批延长") && t.contains("2026-11-28 09:00")), "{texts:?}");
    let shown = serde_json::to_string(&owner).expect("owner events serialise");
    for internal in ["即将到期", "派错部门", "需协调楼上业主入户", "书面情况说明", "赵敏", "李强"] {
        assert!(!shown.contains(internal), "the owner sees {internal}: {shown}");
    }
    assert_eq!(Complaint::replay(case.complaint.id, &case.events), Some(case.complaint));
}
