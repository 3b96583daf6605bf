//! The figures kept as events are written are exactly the sum of every
//! event's deltas: dashboards read them instead of the complaints.

use super::fixture::*;
use crate::Store;
use std::collections::BTreeMap;
use std::sync::Arc;
use tousu_domain::stats::{Before, Period, deltas};
use tousu_domain::{Action, Category, Complaint, Severity};

/// Walks some complaints through the lifecycle (one to a dissatisfied
/// callback, one recategorised, one invalid, one left open).
async fn histories(store: &dyn Store, org: &Seeded) {
    let s = &org.staff;
    let mut c = org.receive(store, org.new_complaint_in(0, t0(), 1, Some(Category::Service))).await;
    for (who, action) in [
        (&s.front_desk, Action::Confirm { note: None }),
        (&s.front_desk, Action::Assess { severity: Severity::Major, category: Some(Category::Facilities), note: None }),
        (
            &s.front_desk,
            Action::Investigate {
                department: "engineering".into(),
                post: "水电维修岗".into(),
                person: "李强".into(),
                root_cause: "防水层老化".into(),
                evidence: vec![],
                report: None,
            },
        ),
        (&s.front_desk, Action::Dispatch { department: None, handler: None, cooperating: vec![], note: None }),
        (&s.handler, Action::Accept { note: None }),
        (&s.handler, Action::Resolve { resolution: "已修复".into(), finished_at: None }),
        (&s.front_desk, Action::AcceptResult { note: None }),
        (&s.department_head, Action::Close { note: None }),
        (&s.front_desk, Action::Callback { perceived: 4, expected: 8, comment: None, method: None }),
    ] {
        c = org.must(store, &c, who, action, c.updated_at + minutes(30)).await;
    }
    let invalid = org.receive(store, org.new_complaint_in(1, t0(), 2, None)).await;
    org.must(store, &invalid, &s.front_desk, Action::Invalidate { explanation: "咨询".into() }, t0() + minutes(5)).await;
    org.receive(store, org.new_complaint_in(0, t0() + minutes(9), 3, Some(Category::Fees))).await;
}

pub async fn figures_are_the_sum_of_every_events_deltas(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    histories(&*store, &org).await;
    let mut daily: BTreeMap<(chrono::NaiveDate, i64, String), i64> = BTreeMap::new();
    let mut now: BTreeMap<(i64, String), i64> = BTreeMap::new();
    let page = store
        .list_complaints(org.company.id, &Default::default(), crate::PageRequest::newest_first(100))
        .await
        .expect("listed");
    for listed in page.items {
        let events = store.list_events(listed.id).await.expect("events");
        let mut c: Option<Complaint> = None;
        for e in &events {
            let before = c.as_ref().map(Before::from);
            let after = match c.take() {
                None => Complaint::from_first_event(listed.id, e).expect("a first event"),
                Some(mut c) => {
                    c.apply(e);
                    c
                }
            };
            for d in deltas(before, &after, e) {
                match d.period {
                    Period::Day(day) => *daily.entry((day, d.project_id, d.key)).or_default() += d.delta,
                    Period::Now => *now.entry((d.project_id, d.key)).or_default() += d.delta,
                }
            }
            c = Some(after);
        }
    }
    daily.retain(|_, v| *v != 0);
    now.retain(|_, v| *v != 0);
    let from = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
    let to = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).expect("a date");
    let stored_daily: BTreeMap<_, _> = store
        .list_daily_figures(org.company.id, from, to, "")
        .await
        .expect("daily figures")
        .into_iter()
        .map(|(d, p, k, v)| ((d, p, k), v))
        .collect();
    let stored_now: BTreeMap<_, _> = store
        .list_current_figures(org.company.id, "")
        .await
        .expect("current figures")
        .into_iter()
        .map(|(p, k, v)| ((p, k), v))
        .collect();
    assert_eq!(stored_daily, daily);
    assert_eq!(stored_now, now);
    // And a few facts, so the test means something on its own.
    let count = |key: &str| stored_now.iter().filter(|((_, k), _)| k == key).map(|(_, v)| v).sum::<i64>();
    assert_eq!(count("status:dispatched"), 1, "the dissatisfied callback sent one back");
    assert_eq!(count("status:closed_invalid"), 1);
    assert_eq!(count("status:received"), 1);
    let day_sum = |key: &str| stored_daily.iter().filter(|((_, _, k), _)| k == key).map(|(_, v)| v).sum::<i64>();
    assert_eq!(day_sum("received:facilities"), 1, "recategorised from service to facilities");
    assert_eq!(day_sum("received:service"), 0);
    assert_eq!(day_sum("dissatisfied"), 1);
    assert_eq!(day_sum("index_milli"), 500);
    // Only the figures of the company asked for.
    let prefixed = store.list_current_figures(org.company.id, "status:").await.expect("figures");
    assert!(prefixed.iter().all(|(_, k, _)| k.starts_with("status:")));
}
