//! Recording complaints: ids, tracking numbers, history, restarts.

use super::Backend;
use super::fixture::{local_date, minutes, seed_company, seed_organisation, seeded, sequence, t0};
use crate::{ComplaintFilter, ConflictKind, PageRequest, Store, StoreError};
use chrono::{TimeZone, Utc};
use std::collections::HashSet;
use std::sync::Arc;
use tousu_domain::intake::{Reception, receive};
use tousu_domain::{Action, Category, Complaint, EventKind, Status, TrackingNo};

pub async fn a_received_complaint_is_found_by_id_with_one_received_event(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let new = org.new_complaint(t0());
    let c = org.receive(&*store, new.clone()).await;

    assert_eq!(c.tracking_no.as_str(), "TS20261123-0001");
    // Storage only allots the id and number; the complaint is the domain's.
    let (expected, first) = receive(Reception {
        id: c.id,
        company_id: new.company_id,
        tracking_no: c.tracking_no.clone(),
        project: new.project,
        first_responder: new.first_responder,
        intake: new.intake,
        actor: new.actor,
        now: new.now,
        policy: new.policy,
        repeat: None,
    }, new.days.0.as_ref());
    assert_eq!(c, expected);
    assert_eq!((c.status, c.version, c.received_at), (Status::Received, 1, t0()));

    let found = store.find_complaint(org.company.id, c.id).await.expect("the complaint is found");
    assert_eq!(found, c);
    let events = store.list_events(c.id).await.expect("the history is listed");
    assert_eq!(events, vec![first]);
    assert!(matches!(events[0].kind, EventKind::Received(_)));
}

pub async fn a_complaint_is_not_found_through_another_company(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let c = org.receive(&*store, org.new_complaint(t0())).await;

    let err = store.find_complaint(other.company.id, c.id).await.expect_err("another company's complaint");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let err = store.find_complaint(org.company.id, c.id + 1000).await.expect_err("an unknown id");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

pub async fn tracking_numbers_count_from_0001_per_company_and_local_day(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    // 23:30 and 00:30 in Shanghai: the same UTC day, two local days.
    let late = Utc.with_ymd_and_hms(2026, 11, 23, 15, 30, 0).unwrap();
    let after_midnight = late + minutes(60);
    assert_ne!(local_date(late), local_date(after_midnight));

    let mut numbers = Vec::new();
    for (who, at) in [(&org, late), (&org, late), (&org, after_midnight), (&other, late), (&org, late)] {
        let c = who.receive(&*store, who.new_complaint(at)).await;
        numbers.push(c.tracking_no.to_string());
    }
    assert_eq!(
        numbers,
        ["TS20261123-0001", "TS20261123-0002", "TS20261124-0001", "OT20261123-0001", "TS20261123-0003"]
    );
}

/// Tracking numbers and ids are allotted from what is on disk, not from a
/// process's memory: a restart neither repeats nor loses them.
pub async fn tracking_numbers_and_ids_continue_after_the_store_is_reopened<B: Backend>(backend: &B) {
    let db = backend.create().await;
    let store = backend.open(&db).await;
    let org = seed_organisation(&*store).await;
    let mut before = Vec::new();
    for _ in 0..3 {
        before.push(org.receive(&*store, org.new_complaint(t0())).await);
    }
    let handled = org.must(&*store, &before[0], &org.staff.front_desk, Action::Confirm { note: None }, t0()).await;
    drop(store);

    let store = backend.open(&db).await;
    let org = seeded(&*store, "tsz").await;
    for c in &before[1..] {
        assert_eq!(&store.find_complaint(org.company.id, c.id).await.expect("kept across the restart"), c);
    }
    assert_eq!(store.find_complaint(org.company.id, handled.id).await.expect("kept"), handled);
    assert_eq!(store.list_events(handled.id).await.expect("history").len(), 2);
    let fourth = org.receive(&*store, org.new_complaint(t0() + minutes(5))).await;
    let batch =
        store.insert_complaints(vec![org.new_complaint(t0() + minutes(6))]).await.expect("a batch after the restart");
    drop(store);

    let store = backend.open(&db).await;
    let sixth = org.receive(&*store, org.new_complaint(t0() + minutes(7))).await;
    let after = [&fourth, &batch[0], &sixth];
    let numbers: Vec<&str> = after.iter().map(|c| c.tracking_no.as_str()).collect();
    assert_eq!(numbers, ["TS20261123-0004", "TS20261123-0005", "TS20261123-0006"]);
    let last_before = before.iter().map(|c| c.id).max().unwrap();
    assert!(after.iter().all(|c| c.id > last_before), "ids are not reused after a restart");
    assert!(fourth.id < batch[0].id && batch[0].id < sixth.id);
    drop(store);
    drop(db);
}

pub async fn concurrent_inserts_all_succeed_with_distinct_ids_and_tracking_numbers(store: Arc<dyn Store>) {
    const TASKS: usize = 50;
    const EACH: usize = 4;
    let org = Arc::new(seed_organisation(&*store).await);
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (store, org) = (store.clone(), org.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for i in 0..EACH {
                let at = t0() + minutes((task * EACH + i) as i64 % 90);
                let new = org.new_complaint_in(task % 2, at, task * EACH + i, Some(Category::Service));
                mine.push(store.insert_complaint(new).await.expect("a concurrent insert succeeds"));
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("the task finished").into_iter().map(super::fixture::expect_new));
    }
    assert_eq!(all.len(), TASKS * EACH);
    let ids: HashSet<i64> = all.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), all.len(), "ids are distinct");
    let numbers: HashSet<&TrackingNo> = all.iter().map(|c| &c.tracking_no).collect();
    assert_eq!(numbers.len(), all.len(), "tracking numbers are distinct");
    // Nothing failed, so nothing was skipped: the day's first 200 numbers.
    let mut seqs: Vec<u64> = all.iter().map(sequence).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=(TASKS * EACH) as u64).collect::<Vec<_>>());
    for c in all.iter().step_by(17) {
        assert_eq!(&store.find_complaint(org.company.id, c.id).await.expect("found"), c);
    }
}

pub async fn a_batch_is_recorded_with_consecutive_tracking_numbers(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let first = org.receive(&*store, org.new_complaint(t0())).await;
    let batch: Vec<_> = (0..10).map(|n| org.new_complaint_in(n % 2, t0() + minutes(n as i64), n, None)).collect();
    let recorded = store.insert_complaints(batch.clone()).await.expect("the batch is recorded");
    let last = org.receive(&*store, org.new_complaint(t0() + minutes(30))).await;

    assert_eq!(recorded.len(), 10);
    let seqs: Vec<u64> = recorded.iter().map(sequence).collect();
    assert_eq!(seqs, (2..=11).collect::<Vec<_>>(), "in batch order, after the complaint before");
    assert_eq!(sequence(&last), 12);
    assert!(recorded.windows(2).all(|w| w[0].id < w[1].id) && first.id < recorded[0].id);
    for (c, new) in recorded.iter().zip(&batch) {
        assert_eq!((c.project.id, c.received_at, c.version), (new.project.id, new.now, 1));
        assert_eq!(&store.find_complaint(org.company.id, c.id).await.expect("found"), c);
        let events = store.list_events(c.id).await.expect("history");
        assert_eq!(Complaint::replay(c.id, &events).as_ref(), Some(c));
    }
}

pub async fn complaints_are_found_by_tracking_number_in_any_company(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    // Another company that also numbers its complaints TS….
    let twin = seed_company(&*store, "twn", "TS").await;
    let ours = org.receive(&*store, org.new_complaint(t0())).await;
    let theirs = twin.receive(&*store, twin.new_complaint(t0())).await;
    let second = org.receive(&*store, org.new_complaint(t0())).await;
    let ours = org.must(&*store, &ours, &org.staff.front_desk, Action::Confirm { note: None }, t0()).await;
    assert_eq!(ours.tracking_no, theirs.tracking_no);

    let mut found = store.find_complaints_by_tracking_no(&ours.tracking_no).await.expect("found");
    found.sort_by_key(|c| c.id);
    assert_eq!(found, vec![ours, theirs], "both companies' complaints, as they are now");
    let found = store.find_complaints_by_tracking_no(&second.tracking_no).await.expect("found");
    assert_eq!(found, vec![second]);
    let unknown = TrackingNo::parse("TS20261123-0999").unwrap();
    assert!(store.find_complaints_by_tracking_no(&unknown).await.expect("answered").is_empty());
}

pub async fn appended_events_are_listed_in_order(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let c = org.receive(&*store, org.new_complaint(t0())).await;
    let mut expected = store.list_events(c.id).await.expect("history");
    let s = &org.staff;
    let steps = [
        (&s.front_desk, Action::Confirm { note: Some("已电话确认".into()) }),
        (&s.front_desk, Action::Assess { severity: tousu_domain::Severity::Major, category: None, note: None }),
        (&s.department_head, super::fixture::investigate("engineering")),
        (&s.front_desk, Action::Dispatch { department: None, handler: Some(s.handler.username.clone()), cooperating: vec![], note: None }),
        (&s.handler, Action::Accept { note: None }),
        (&s.handler, Action::ReportDelay { reason: "等待配件".into(), new_time: t0() + minutes(60 * 30) }),
        (&s.handler, Action::Resolve { resolution: "已重做防水层".into(), finished_at: None }),
        (&s.front_desk, Action::RejectResult { reason: "仍有渗水".into() }),
        (&s.handler, Action::Resolve { resolution: "补做防水，闭水试验通过".into(), finished_at: None }),
        (&s.front_desk, Action::AcceptResult { note: None }),
        (&s.department_head, Action::Close { note: None }),
    ];
    let mut c = c;
    for (i, (who, action)) in steps.into_iter().enumerate() {
        let (next, event) =
            org.act(&*store, &c, who, action, t0() + minutes(10 * (i as i64 + 1))).await.expect("allowed");
        expected.push(event);
        c = next;
    }
    let events = store.list_events(c.id).await.expect("history");
    assert_eq!(events, expected);
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=12).collect::<Vec<_>>());
    let stored = store.find_complaint(org.company.id, c.id).await.expect("found");
    assert_eq!((stored.status, stored.version), (Status::Closed, 12));
    assert_eq!(stored, c);
    assert_eq!(Complaint::replay(c.id, &events), Some(stored));
}

pub async fn appending_with_a_stale_version_is_a_conflict_and_changes_nothing(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let desk = &org.staff.front_desk;
    let stale = org.receive(&*store, org.new_complaint(t0())).await;
    let current = org.must(&*store, &stale, desk, Action::Confirm { note: None }, t0() + minutes(1)).await;

    // Another user, still looking at version 1, invalidates it.
    let decision = tousu_domain::lifecycle::decide(&stale, &org.actor(desk), &Action::Invalidate { explanation: "属于咨询".into() }, &tousu_domain::lifecycle::Context { now: t0() + minutes(2), policy: &org.limits, days: &tousu_domain::deadline::WeekendsOnly(tousu_domain::calendar::DEFAULT_TZ), dir: &org.org })
    .expect("allowed on the stale state");
    let event = decision.into_event(&stale, org.actor(desk), t0() + minutes(2));
    let mut state = stale.clone();
    state.apply(&event);
    let err = store.append_event(&event, &state).await.expect_err("a stale append");
    assert!(matches!(err, StoreError::Conflict(ConflictKind::Version)), "{err:?}");

    assert_eq!(store.find_complaint(org.company.id, stale.id).await.expect("found"), current);
    let events = store.list_events(stale.id).await.expect("history");
    assert_eq!(events.len(), 2);
    assert!(matches!(events[1].kind, EventKind::Confirmed { .. }));
    // Nor did the refused state reach the listing columns.
    let invalid = ComplaintFilter { statuses: vec![Status::ClosedInvalid], ..Default::default() };
    let page = PageRequest::newest_first(10);
    assert!(store.list_complaints(org.company.id, &invalid, page).await.expect("listed").items.is_empty());
}

/// The version checked is the state's: an event numbered for another
/// version cannot slip a state past the check.
pub async fn an_event_that_does_not_follow_its_state_is_a_conflict_and_changes_nothing(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let desk = &org.staff.front_desk;
    let c = org.receive(&*store, org.new_complaint(t0())).await;
    let confirmed = org.must(&*store, &c, desk, Action::Confirm { note: None }, t0()).await;
    let events = store.list_events(c.id).await.expect("history");

    // The event follows the stored version (2 → 3) but the state claims version 4.
    let decision = tousu_domain::lifecycle::decide(&confirmed, &org.actor(desk), &Action::Assess { severity: tousu_domain::Severity::Crisis, category: None, note: None }, &tousu_domain::lifecycle::Context { now: t0(), policy: &org.limits, days: &tousu_domain::deadline::WeekendsOnly(tousu_domain::calendar::DEFAULT_TZ), dir: &org.org })
    .expect("allowed");
    let event = decision.into_event(&confirmed, org.actor(desk), t0());
    let mut state = confirmed.clone();
    state.apply(&event);
    state.version += 1;
    let err = store.append_event(&event, &state).await.expect_err("a mismatched append");
    assert!(matches!(err, StoreError::Conflict(ConflictKind::Version)), "{err:?}");

    assert_eq!(store.find_complaint(org.company.id, c.id).await.expect("found"), confirmed);
    assert_eq!(store.list_events(c.id).await.expect("history"), events);
    // The stored version is untouched: the well-formed append still fits.
    let assess = Action::Assess { severity: tousu_domain::Severity::Crisis, category: None, note: None };
    let assessed = org.must(&*store, &confirmed, desk, assess, t0()).await;
    assert_eq!(store.find_complaint(org.company.id, c.id).await.expect("found"), assessed);
}

pub async fn concurrent_appends_at_one_version_let_exactly_one_win(store: Arc<dyn Store>) {
    let org = Arc::new(seed_organisation(&*store).await);
    for round in 0..5 {
        let c = org.receive(&*store, org.new_complaint(t0() + minutes(round))).await;
        let mut tasks = Vec::new();
        for i in 0..4 {
            let (store, org, c) = (store.clone(), org.clone(), c.clone());
            tasks.push(tokio::spawn(async move {
                let action = if i % 2 == 0 {
                    Action::Confirm { note: Some(format!("第{i}位客服确认")) }
                } else {
                    Action::Invalidate { explanation: format!("第{i}位客服判定为咨询") }
                };
                let actor = org.actor(&org.staff.front_desk);
                let decision =
                    tousu_domain::lifecycle::decide(&c, &actor, &action, &tousu_domain::lifecycle::Context { now: t0(), policy: &org.limits, days: &tousu_domain::deadline::WeekendsOnly(tousu_domain::calendar::DEFAULT_TZ), dir: &org.org }).expect("allowed");
                let event = decision.into_event(&c, actor, t0() + minutes(i));
                let mut state = c.clone();
                state.apply(&event);
                store.append_event(&event, &state).await.map(|()| (state, event))
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.expect("the task finished") {
                Ok(won) => winners.push(won),
                Err(StoreError::Conflict(ConflictKind::Version)) => {}
                Err(e) => panic!("an append failed otherwise than by a version conflict: {e:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one of the racing appends wins");
        let (state, event) = winners.pop().unwrap();
        assert_eq!(store.find_complaint(org.company.id, c.id).await.expect("found"), state);
        let events = store.list_events(c.id).await.expect("history");
        assert_eq!(events.len(), 2);
        assert_eq!(events[1], event);
    }
}

/// A request that cannot be recorded (here: about a project that does not
/// exist) fails alone: the requests sent with it are recorded, and the
/// store goes on working.
pub async fn an_insert_that_fails_does_not_fail_the_writes_sent_with_it(store: Arc<dyn Store>) {
    let org = Arc::new(seed_organisation(&*store).await);
    let handled = org.receive(&*store, org.new_complaint(t0())).await;
    let mut inserts = Vec::new();
    for n in 0..30 {
        let mut new = org.new_complaint_in(n % 2, t0(), n, None);
        if n % 10 == 5 {
            new.project.id = 999_999;
        }
        let store = store.clone();
        inserts.push((n % 10 == 5, tokio::spawn(async move { store.insert_complaint(new).await })));
    }
    let append = {
        let (store, org, c) = (store.clone(), org.clone(), handled.clone());
        tokio::spawn(async move {
            let by = &org.staff.front_desk;
            org.act(&*store, &c, by, Action::Confirm { note: None }, t0() + minutes(1)).await.expect("allowed").0
        })
    };
    let mut recorded = vec![handled.clone()];
    for (bad, task) in inserts {
        match (bad, task.await.expect("the task finished")) {
            (true, Err(_)) => {}
            (true, Ok(_)) => panic!("a complaint about a project that does not exist was recorded"),
            (false, Ok(inserted)) => recorded.push(super::fixture::expect_new(inserted)),
            (false, Err(e)) => panic!("a good insert failed with its neighbour: {e:?}"),
        }
    }
    let confirmed = append.await.expect("the append finished");
    recorded.push(org.receive(&*store, org.new_complaint(t0() + minutes(2))).await);

    assert_eq!(recorded.len(), 1 + 27 + 1);
    let numbers: HashSet<&TrackingNo> = recorded.iter().map(|c| &c.tracking_no).collect();
    assert_eq!(numbers.len(), recorded.len(), "tracking numbers stay distinct");
    assert_eq!(store.find_complaint(org.company.id, handled.id).await.expect("found"), confirmed);
    for c in &recorded[1..] {
        assert_eq!(&store.find_complaint(org.company.id, c.id).await.expect("found"), c);
    }
    let page = PageRequest::newest_first(100);
    let listed = store.list_complaints(org.company.id, &Default::default(), page).await.expect("listed");
    assert_eq!(listed.items.len(), recorded.len(), "nothing of the failed request was written");
}
