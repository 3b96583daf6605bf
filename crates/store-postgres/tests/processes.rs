//! Several server processes on one database, simulated by several stores
//! (each with its own pool and its own intake task, sharing nothing but the
//! database): tracking numbers stay distinct and without gaps, an
//! idempotency key records one complaint, and of racing appends one wins.

mod common;

use common::Postgres;
use std::collections::HashSet;
use std::sync::Arc;
use tousu_store::conformance::Backend;
use tousu_store::conformance::fixture::{expect_new, key, minutes, seed_organisation, sequence, t0};
use tousu_store::{ConflictKind, Inserted, NewComplaint, Store, StoreError};
use tousu_domain::{Action, Complaint};

const STORES: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_stores_on_one_database_share_tracking_numbers_idempotency_keys_and_versions() {
    if !Postgres.available() {
        return;
    }
    let schema = Postgres.create().await;
    let mut stores: Vec<Arc<dyn Store>> = Vec::new();
    for _ in 0..STORES {
        stores.push(Postgres.open(&schema).await);
    }
    let org = Arc::new(seed_organisation(&*stores[0]).await);

    // 60 concurrent requests of 4 complaints each, spread over the stores.
    let mut tasks = Vec::new();
    for task in 0..60 {
        let (store, org) = (stores[task % STORES].clone(), org.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for i in 0..4 {
                let new = org.new_complaint_in(task % 2, t0() + minutes(i), task * 4 + i as usize, None);
                mine.push(expect_new(store.insert_complaint(new).await.expect("recorded")));
            }
            mine
        }));
    }
    let mut all: Vec<Complaint> = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("the task finished"));
    }
    let ids: HashSet<i64> = all.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), 240, "ids are distinct across stores");
    let mut seqs: Vec<u64> = all.iter().map(sequence).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=240).collect::<Vec<_>>(), "one sequence across stores, without gaps");

    // One key sent through every store at once records one complaint.
    for round in 0..6 {
        let new = NewComplaint { idempotency: key("staff:1", &format!("multi-{round}"), "fp"), ..org.new_complaint(t0()) };
        let racing: Vec<_> = stores
            .iter()
            .map(|s| {
                let (s, new) = (s.clone(), new.clone());
                tokio::spawn(async move { s.insert_complaint(new).await })
            })
            .collect();
        let mut recorded = Vec::new();
        let mut replayed = Vec::new();
        for r in racing {
            match r.await.expect("finished").expect("answered") {
                Inserted::New(c) => recorded.push(c),
                Inserted::Replayed(c) => replayed.push(c),
            }
        }
        assert_eq!(recorded.len(), 1, "round {round}: one store records it");
        assert!(replayed.iter().all(|c| *c == recorded[0]), "round {round}: the others replay it");
    }

    // Appends at one version through different stores: exactly one wins.
    for c in all.iter().take(5) {
        let racing: Vec<_> = stores
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (s, org, c) = (s.clone(), org.clone(), c.clone());
                tokio::spawn(async move {
                    let (event, state) = {
                        let actor = org.actor(&org.staff.front_desk);
                        let action = Action::Confirm { note: Some(format!("第{i}台服务器")) };
                        let context = tousu_domain::lifecycle::Context {
                            now: t0(),
                            policy: &org.limits,
                            days: &tousu_domain::deadline::WeekendsOnly(tousu_domain::calendar::DEFAULT_TZ),
                            dir: &org.org,
                        };
                        let decision = tousu_domain::lifecycle::decide(&c, &actor, &action, &context).expect("allowed");
                        let event = decision.into_event(&c, actor, t0() + minutes(1));
                        let mut state = c.clone();
                        state.apply(&event);
                        (event, state)
                    };
                    s.append_event(&event, &state).await.map(|()| state)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for r in racing {
            match r.await.expect("finished") {
                Ok(state) => winners.push(state),
                Err(StoreError::Conflict(ConflictKind::Version)) => {}
                Err(e) => panic!("an append failed otherwise than by a version conflict: {e:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one store's append wins");
        let stored = stores[1].find_complaint(org.company.id, c.id).await.expect("found");
        assert_eq!(stored, winners[0]);
        assert_eq!(stores[2].list_events(c.id).await.expect("history").len(), 2);
    }
    drop(stores);
    drop(schema);
}
