//! What triage read is kept with the complaint; a person's correction is an
//! event and wins over the machine.

use chrono::{TimeZone, Utc};
use tousu_domain::classification::Channel;
use tousu_domain::complaint::{DepartmentRef, ProjectRef, StaffRef};
use tousu_domain::deadline::WeekendsOnly;
use tousu_domain::intake::{CustomerDraft, IntakeDraft, Reception, receive};
use tousu_domain::lifecycle::{Context, Directory, StaffEntry, decide};
use tousu_domain::triage::{Script, Suggested, TriageResult};
use tousu_domain::{
    Action, Actor, Category, Complaint, DeadlineRule, EscalationLevel, Role, Severity, TimePolicy, Timestamp, TrackingNo,
};

struct Org;

impl Directory for Org {
    fn department(&self, code: &str) -> Option<DepartmentRef> {
        (code == "engineering").then(|| DepartmentRef { code: code.into(), name: "工程部".into() })
    }
    fn staff(&self, _: &str) -> Option<StaffEntry> {
        None
    }
}

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
}

fn triage(category: Category, severity: Severity, confidence: f32) -> TriageResult {
    let s = |v: &str| Suggested::new(v.to_string(), confidence, vec!["词".into()]);
    TriageResult {
        category: Suggested::new(category, confidence, vec!["漏水".into()]),
        service_aspect: Suggested::new(None, confidence, vec![]),
        severity: Suggested::new(severity, confidence, vec![]),
        emergency: Suggested::new(false, confidence, vec![]),
        psychology: s("venting"),
        touchpoint: s("repair"),
        stage: s("handover"),
        repeat_claimed: Suggested::new(false, confidence, vec![]),
        compensation: Suggested::new(false, confidence, vec![]),
        building: Suggested::new(Some("3栋".into()), confidence, vec![]),
        unit: Suggested::new(Some("1801".into()), confidence, vec![]),
        language: "zh_hans".into(),
        script: Script { key: "venting/facilities".into(), feelings: "非常理解您的心情".into(), facts: "我们马上安排".into(), avoid: String::new() },
    }
}

fn received(t: TriageResult, severity: Option<Severity>) -> Complaint {
    let mut intake = IntakeDraft {
        channel: Channel::Phone,
        customer: CustomerDraft { name: "张三".into(), phone: "13812345678".into() },
        project: "HY01".into(),
        building: "3栋".into(),
        unit: "1801".into(),
        description: "卫生间漏水".into(),
        subject: None,
        remedy_sought: None,
        remedies: vec![],
        first_responder: None,
        category: Some(t.category.value),
        emergency: false,
        service: None,
    }
    .validate()
    .expect("valid");
    intake.severity = severity;
    intake.triage = Some(t);
    receive(
        Reception {
            id: 1,
            company_id: 1,
            tracking_no: TrackingNo::new("TS", t0().date_naive(), 1),
            project: ProjectRef { id: 1, code: "HY01".into(), name: "华苑".into() },
            first_responder: None,
            intake,
            repeat: None,
            actor: Actor::Owner,
            now: t0(),
            policy: TimePolicy::default(),
        },
        &WeekendsOnly(chrono_tz::Asia::Shanghai),
    )
    .0
}

fn staff(role: Role) -> Actor {
    Actor::Staff { id: 7, name: "孙敏".into(), role, department: None }
}

fn correct(c: &Complaint, by: &Actor, field: &str, value: &str) -> Result<Complaint, tousu_domain::DomainError> {
    let ctx = Context { now: t0() + chrono::Duration::minutes(10), policy: &TimePolicy::default(), days: &WeekendsOnly(chrono_tz::Asia::Shanghai), dir: &Org };
    let d = decide(c, by, &Action::CorrectTriage { field: field.into(), value: value.into(), note: None }, &ctx)?;
    let e = d.into_event(c, by.clone(), ctx.now);
    let mut next = c.clone();
    next.apply(&e);
    assert_eq!(Complaint::replay(1, &[received_event(c), e.clone()]).map(|r| r.triage), Some(next.triage.clone()));
    Ok(next)
}

fn received_event(c: &Complaint) -> tousu_domain::Event {
    // The first event rebuilt from the complaint as received.
    tousu_domain::Event {
        seq: 1,
        at: c.received_at,
        actor: Actor::Owner,
        kind: tousu_domain::EventKind::Received(Box::new(tousu_domain::intake::Received {
            company_id: 1,
            tracking_no: c.tracking_no.clone(),
            channel: c.channel,
            customer: c.customer.clone(),
            project: c.project.clone(),
            building: c.building.clone(),
            unit: c.unit.clone(),
            description: c.description.clone(),
            subject: None,
            remedy_sought: None,
            remedies: vec![],
            first_responder: None,
            category: c.category,
            emergency: c.emergency,
            service: None,
            repeat: None,
            severity: c.severity,
            triage: c.triage.clone().map(Box::new),
        })),
        deadlines: Default::default(),
    }
}

#[test]
fn a_confident_crisis_starts_at_the_company_leaders() {
    let c = received(triage(Category::Emergency, Severity::Crisis, 0.9), Some(Severity::Crisis));
    assert_eq!(c.severity, Some(Severity::Crisis));
    assert_eq!(c.escalation_level, EscalationLevel::CompanyLeader);
    assert!(c.open_deadline(DeadlineRule::WrittenReportLeader).is_some(), "a crisis owes the leaders a written report");
}

#[test]
fn a_correction_wins_over_the_machine_and_names_who_made_it() {
    let c = received(triage(Category::Service, Severity::General, 0.7), None);
    let c = correct(&c, &staff(Role::Analyst), "category", "fees").expect("an analyst corrects the category");
    assert_eq!(c.category, Some(Category::Fees));
    let t = c.triage.as_ref().expect("triage kept");
    assert_eq!(t.category.value, Category::Fees);
    assert_eq!(t.category.confidence, 1.0);
    assert_eq!(t.category.corrected_by, Some(StaffRef { id: 7, name: "孙敏".into() }));
}

#[test]
fn a_severity_raised_by_a_person_raises_the_level() {
    let c = received(triage(Category::Facilities, Severity::General, 0.7), None);
    let c = correct(&c, &staff(Role::FrontDesk), "severity", "major").expect("corrected");
    assert_eq!(c.severity, Some(Severity::Major));
    assert_eq!(c.escalation_level, EscalationLevel::DepartmentHead);
}

#[test]
fn an_emergency_recognised_by_a_person_before_dispatch_starts_the_emergency_clock() {
    let c = received(triage(Category::Facilities, Severity::General, 0.7), None);
    let c = correct(&c, &staff(Role::FrontDesk), "emergency", "true").expect("corrected");
    assert!(c.emergency);
    assert!(c.open_deadline(DeadlineRule::Dispatch).is_none());
    let notify = c.open_deadline(DeadlineRule::NotifyDepartments).expect("departments must be told");
    assert_eq!(notify.due_at, t0() + chrono::Duration::minutes(13));
}

#[test]
fn a_bad_value_or_field_is_refused_naming_it() {
    let c = received(triage(Category::Facilities, Severity::General, 0.7), None);
    let err = correct(&c, &staff(Role::FrontDesk), "psychology", "angry").expect_err("not a psychology");
    assert_eq!(err.field(), Some("value"));
    let err = correct(&c, &staff(Role::FrontDesk), "tracking_no", "X").expect_err("not correctable");
    assert_eq!(err.field(), Some("field"));
}

#[test]
fn handlers_and_the_board_do_not_correct_triage() {
    let c = received(triage(Category::Facilities, Severity::General, 0.7), None);
    for role in [Role::Handler, Role::Board, Role::Admin] {
        let err = correct(&c, &staff(role), "category", "fees").expect_err("not theirs");
        assert_eq!(err.code(), "role_not_allowed");
    }
}
