//! The key property: every change is an event appended in the same
//! transaction as the current-state row it updates, so replaying a
//! complaint's events rebuilds that row exactly, whatever happened to it.
//!
//! Proptest drives random sequences of actions by random staff (every role,
//! every department) through `decide` → `into_event` → `apply` →
//! `append_event`, as the application does; refused actions record nothing.
//! After every step the stored row, the stored history and the replay of
//! that history must agree with the state the domain computed.

use super::files::{ABC, HELLO};
use super::fixture::{Seeded, actor, minutes, seed_organisation, t0};
use crate::{NewFile, StaffRecord, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::sync::Arc;
use tousu_domain::action::ACTION_NAMES;
use tousu_domain::event::ReportKind;
use tousu_domain::classification::CallbackMethod;
use tousu_domain::event::EvidenceFile;
use tousu_domain::lifecycle::{decide, decide_attach_evidence, decide_reveal, may_perform};
use tousu_domain::masking::PersonalField;
use tousu_domain::{Action, Category, Complaint, Severity, Timestamp};

/// Cases per run (`PROPTEST_CASES` overrides): each is one complaint with up
/// to [`MAX_STEPS`] attempted actions, a few seconds in all.
const CASES: u32 = 32;
const MAX_STEPS: usize = 40;

/// One attempted action. `flavor` picks what kind: mostly an action someone
/// may take now (so histories go deep: rejections, delays, re-handling after
/// a dissatisfied callback), sometimes anyone trying anything (refused
/// actions must change nothing), evidence uploads and personal-data reveals.
#[derive(Debug, Clone)]
struct Step {
    flavor: u8,
    who: u16,
    pick: u16,
    minutes: i64,
    knob: u8,
    perceived: u8,
    expected: u8,
    note: bool,
}

fn step() -> impl Strategy<Value = Step> {
    (0u8..20, any::<u16>(), any::<u16>(), 1i64..=600, any::<u8>(), 1u8..=10, 1u8..=10, any::<bool>()).prop_map(
        |(flavor, who, pick, minutes, knob, perceived, expected, note)| Step {
            flavor,
            who,
            pick,
            minutes,
            knob,
            perceived,
            expected,
            note,
        },
    )
}

fn history() -> impl Strategy<Value = (Option<Category>, Vec<Step>)> {
    (prop::option::of(prop::sample::select(Category::ALL)), prop::collection::vec(step(), 0..=MAX_STEPS))
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    Config { cases, failure_persistence: None, max_shrink_iters: 256, ..Config::default() }
}

pub async fn replaying_the_events_rebuilds_the_stored_complaint(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let handle = tokio::runtime::Handle::current();
    // Proptest is synchronous: run it on a blocking thread that drives the
    // store's futures on this test's runtime.
    let run = tokio::task::spawn_blocking(move || {
        let mut runner = TestRunner::new(config());
        let result = runner.run(&history(), |(category, steps)| handle.block_on(check(&*store, &org, category, steps)));
        if let Err(e) = result {
            panic!("replaying a complaint's events did not rebuild it: {e}");
        }
    });
    if let Err(e) = run.await {
        std::panic::resume_unwind(e.into_panic());
    }
}

async fn check(
    store: &dyn Store,
    org: &Seeded,
    category: Option<Category>,
    steps: Vec<Step>,
) -> Result<(), TestCaseError> {
    let fail = |what: &str, e: &dyn std::fmt::Debug| TestCaseError::fail(format!("{what}: {e:?}"));
    let mut now = t0();
    let mut c = org.receive(store, org.new_complaint_in(0, now, 0, category)).await;
    let mut expected = store.list_events(c.id).await.map_err(|e| fail("list_events", &e))?;
    let mut log: Vec<String> = Vec::new();
    for step in steps {
        now += minutes(step.minutes);
        let (who, name) = choose(org, &c, &step);
        let by = actor(who);
        let decision = match name {
            "attach_evidence" => {
                let file = upload(store, org, &c, &step, now).await.map_err(|e| fail("insert_file", &e))?;
                decide_attach_evidence(&c, &by, file)
            }
            "reveal" => decide_reveal(&c, &by, &fields(step.knob)),
            _ => decide(&c, &by, &action(name, &step, org, &c, now), &tousu_domain::lifecycle::Context { now: now, policy: &org.limits, days: &tousu_domain::deadline::WeekendsOnly(tousu_domain::calendar::DEFAULT_TZ), dir: &org.org }),
        };
        let Ok(decision) = decision else {
            log.push(format!("{}:{name} (refused)", who.role));
            continue;
        };
        log.push(format!("{}:{name}", who.role));
        let event = decision.into_event(&c, by, now);
        let mut next = c.clone();
        next.apply(&event);
        store.append_event(&event, &next).await.map_err(|e| fail(&format!("append after {log:?}"), &e))?;
        expected.push(event);
        c = next;

        let stored = store.find_complaint(org.company.id, c.id).await.map_err(|e| fail("find_complaint", &e))?;
        let history = store.list_events(c.id).await.map_err(|e| fail("list_events", &e))?;
        prop_assert_eq!(&history, &expected, "the stored history after {:?}", log);
        let replayed = Complaint::replay(c.id, &history);
        prop_assert_eq!(replayed.as_ref(), Some(&stored), "replay ≠ row after {:?}", log);
        prop_assert_eq!(&stored, &c, "the stored row ≠ the state written after {:?}", log);
    }
    let stored = store.find_complaint(org.company.id, c.id).await.map_err(|e| fail("find_complaint", &e))?;
    let history = store.list_events(c.id).await.map_err(|e| fail("list_events", &e))?;
    prop_assert_eq!(history.len() as u32, stored.version);
    prop_assert_eq!(Complaint::replay(c.id, &history), Some(stored), "replay ≠ row after {:?}", log);
    Ok(())
}

/// Who attempts what.
fn choose<'o>(org: &'o Seeded, c: &Complaint, step: &Step) -> (&'o StaffRecord, &'static str) {
    let staff = org.staff.all();
    let anyone = staff[step.who as usize % staff.len()];
    match step.flavor {
        0 => (anyone, ACTION_NAMES[step.pick as usize % ACTION_NAMES.len()]),
        1 => (anyone, "reveal"),
        2 => (anyone, "attach_evidence"),
        _ => {
            let may = |s: &StaffRecord, a: &'static str| may_perform(a, c, &actor(s)).is_ok();
            // Any action someone may take now, then someone who may; an
            // invalidation ends the story, so it comes less often.
            let names: Vec<&'static str> = ACTION_NAMES
                .into_iter()
                .filter(|a| staff.iter().any(|s| may(s, a)))
                .flat_map(|a| std::iter::repeat_n(a, if a == "invalidate" { 1 } else { 6 }))
                .collect();
            let Some(&name) = names.get(step.pick as usize % names.len().max(1)) else {
                return (anyone, "attach_evidence");
            };
            let able: Vec<&StaffRecord> = staff.into_iter().filter(|s| may(s, name)).collect();
            (able[step.who as usize % able.len()], name)
        }
    }
}

/// Builds the action's fields from the step, sometimes invalid ones (an
/// unknown department, a handler of another department, a time in the past,
/// a blank explanation) that `decide` refuses.
fn action(name: &str, step: &Step, org: &Seeded, c: &Complaint, now: Timestamp) -> Action {
    let k = step.knob as usize;
    let note = step.note.then(|| format!("备注{k}"));
    let s = &org.staff;
    match name {
        "confirm" => Action::Confirm { note },
        "invalidate" => Action::Invalidate {
            explanation: if k.is_multiple_of(5) { " ".into() } else { "属于咨询，已解释".into() },
        },
        "assess" => Action::Assess {
            severity: Severity::ALL[k % Severity::ALL.len()],
            category: [None, Some(Category::ALL[k % Category::ALL.len()])][k / 8 % 2],
            note,
        },
        "investigate" => Action::Investigate {
            department: ["engineering", "engineering", "engineering", "security", "service_centre", "nowhere"][k % 6]
                .into(),
            post: "水电维修岗".into(),
            person: "李强".into(),
            root_cause: format!("原因{k}"),
            evidence: if k & 0x80 != 0 { c.evidence.iter().map(|f| f.id).collect() } else { Vec::new() },
            report: note,
        },
        "dispatch" => Action::Dispatch {
            department: [None, None, Some("engineering".to_string()), Some("security".to_string())][k % 4].clone(),
            handler: [
                None,
                None,
                Some(&s.handler),
                Some(&s.security_handler),
                Some(&s.department_head),
                Some(&s.front_desk),
            ][k / 4 % 6]
                .map(|h| h.username.clone()),
            cooperating: vec![],
            note,
        },
        "accept" => Action::Accept { note },
        "report_delay" => Action::ReportDelay {
            reason: "等待配件到货".into(),
            new_time: if k.is_multiple_of(7) { now } else { now + minutes(60 * (1 + k as i64 % 48)) },
        },
        "resolve" => Action::Resolve { resolution: format!("已处理{k}"), finished_at: None },
        "accept_result" => Action::AcceptResult { note },
        "reject_result" => Action::RejectResult { reason: "问题依旧".into() },
        "close" => Action::Close { note },
        "callback" => Action::Callback {
            perceived: step.perceived,
            expected: step.expected,
            comment: note,
            method: [None, Some(CallbackMethod::Phone), Some(CallbackMethod::Visit), Some(CallbackMethod::Message)]
                [k % 4],
        },
        "request_extension" => Action::RequestExtension {
            reason: "材料需要订货".into(),
            new_time: now + minutes(60 * (72 + k as i64 % 48)),
        },
        "decide_extension" => Action::DecideExtension { approve: k.is_multiple_of(2), note },
        "return" => Action::Return { reason: "不属于本部门职责".into() },
        "urge" => Action::Urge { note },
        "pause" => Action::Pause { reason: "业主出差，约定下周上门".into() },
        "resume" => Action::Resume { note },
        "record_report" => Action::RecordReport {
            report: [ReportKind::FirstResponderUpdate, ReportKind::WrittenReport, ReportKind::Verification][k % 3],
            text: "已书面报告".into(),
        },
        "escalate" => Action::Escalate { reason: "本级无法解决".into() },
        "correct_triage" => {
            let (field, value) = [
                ("category", "facilities"),
                ("severity", "major"),
                ("severity", "crisis"),
                ("emergency", "true"),
                ("psychology", "venting"),
                ("touchpoint", "repair"),
                ("compensation", "false"),
                ("colour", "blue"),
            ][k % 8];
            Action::CorrectTriage { field: field.into(), value: value.into(), note }
        }
        "record_defect" => {
            use tousu_domain::defects::Phase;
            let (component, phase, cost) =
                [("roof_leak", Phase::Construction, Some(120.0)), ("lifts", Phase::Operation, None), ("fees", Phase::Operation, Some(0.5))]
                    [k % 3];
            Action::RecordDefect { component: component.into(), phase, cost }
        }
        other => unreachable!("no action named {other}"),
    }
}

async fn upload(
    store: &dyn Store,
    org: &Seeded,
    c: &Complaint,
    step: &Step,
    now: Timestamp,
) -> crate::StoreResult<EvidenceFile> {
    let (bytes, sha256) = if step.knob.is_multiple_of(2) { ABC } else { HELLO };
    let name = format!("现场照片{}.jpg", step.knob);
    let id = store
        .insert_file(NewFile {
            company_id: org.company.id,
            complaint_id: c.id,
            name: name.clone(),
            content_type: "image/jpeg".into(),
            sha256: sha256.into(),
            bytes: bytes.to_vec(),
            uploaded_by: None,
            uploaded_at: now,
        })
        .await?;
    Ok(EvidenceFile { id, name, content_type: "image/jpeg".into(), size: bytes.len() as u64, sha256: sha256.into() })
}

/// The fields a reveal asks for: any subset, the empty one refused.
fn fields(knob: u8) -> Vec<PersonalField> {
    PersonalField::ALL.into_iter().enumerate().filter(|(i, _)| knob & (1 << i) != 0).map(|(_, f)| f).collect()
}
