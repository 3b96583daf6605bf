//! Leases: how several server processes on one database share the
//! background work. A due deadline or delivery is claimed by one worker;
//! nobody else gets it while the claim lives; when it expires (the worker
//! died) another worker gets it; recording the work ends the claim.

use super::fixture::{Seeded, minutes, seed_organisation, t0};
use crate::{DeliveryOutcome, DeliveryStatus, Lease, Store};
use std::collections::HashSet;
use std::sync::Arc;
use tousu_domain::Timestamp;

fn lease(worker: &str, now: Timestamp, seconds: i64) -> Lease {
    Lease { worker: worker.into(), now, until: now + chrono::Duration::seconds(seconds) }
}

/// Long after `t0`: every deadline of a complaint received then is due.
fn much_later() -> Timestamp {
    t0() + chrono::Duration::days(40)
}

async fn receive_many(org: &Seeded, store: &dyn Store, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let new = org.new_complaint_in(i % 2, t0() + minutes(i as i64), i, None);
        ids.push(org.receive(store, new).await.id);
    }
    ids
}

pub async fn a_due_deadline_is_claimed_by_one_worker_until_the_claim_expires_or_the_deadline_is_written(
    store: Arc<dyn Store>,
) {
    let org = seed_organisation(&*store).await;
    let ids = receive_many(&org, &*store, 6).await;
    let now = much_later();

    let first = store.claim_due_complaints(&lease("a", now, 60), 1000).await.expect("claimed");
    let claimed: HashSet<i64> = first.iter().map(|(_, id)| *id).collect();
    assert_eq!(claimed, ids.iter().copied().collect(), "every due complaint is claimed, each once");
    assert_eq!(first.len(), ids.len(), "a complaint with several due deadlines is answered once");
    assert!(first.iter().all(|(company, _)| *company == org.company.id), "with its company");

    assert!(
        store.claim_due_complaints(&lease("b", now, 60), 1000).await.expect("answered").is_empty(),
        "a live claim is not handed to another worker"
    );
    assert_eq!(
        store.find_next_deadline_check().await.expect("answered"),
        Some(now + chrono::Duration::seconds(60)),
        "while everything due is claimed, the next look is when the claims end"
    );

    // The first complaint's deadlines are written (as its firing would):
    // its claim ends, and it may be claimed again at once. (Dispatched
    // back then, so the deadline dispatching opens is due too.)
    let c = store.find_complaint(org.company.id, ids[0]).await.expect("found");
    org.dispatch(&*store, &c, "engineering", t0() + minutes(30)).await;
    let again = store.claim_due_complaints(&lease("b", now, 600), 1000).await.expect("claimed");
    assert_eq!(again, vec![(org.company.id, ids[0])], "a written deadline is free again; the others are still held");

    // Worker a died: its claims expire and pass to c.
    let later = now + chrono::Duration::seconds(61);
    let taken: HashSet<i64> = store
        .claim_due_complaints(&lease("c", later, 60), 1000)
        .await
        .expect("claimed")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(taken, ids[1..].iter().copied().collect(), "expired claims are taken over");
}

pub async fn workers_claiming_at_once_get_disjoint_shares_of_the_due_deadlines(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let ids = receive_many(&org, &*store, 40).await;
    let now = much_later();
    let claims: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = store.claim_due_complaints(&lease(&format!("w{w}"), now, 60), 5).await.expect("claimed");
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got.into_iter().map(|(_, id)| id));
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for c in claims {
        for id in c.await.expect("the worker finished") {
            assert!(seen.insert(id), "complaint {id} was claimed by two workers");
        }
    }
    assert_eq!(seen, ids.into_iter().collect(), "together the workers claimed every due complaint");
}

pub async fn a_due_delivery_is_leased_to_one_worker_and_its_outcome_ends_the_lease(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let c = org.receive(&*store, org.new_complaint(t0())).await;
    org.dispatch(&*store, &c, "engineering", t0()).await;
    let unrouted = store.list_unrouted_notifications(100).await.expect("listed");
    let dispatched = unrouted.iter().find(|n| n.kind == "dispatched").expect("dispatching calls for a notice");
    let now = t0() + minutes(1);
    store
        .route_notification(dispatched.id, &["wecom".into(), "mail".into(), "hook".into()], now)
        .await
        .expect("routed");

    let a = store.claim_due_deliveries(&lease("a", now, 60), 2).await.expect("claimed");
    let b = store.claim_due_deliveries(&lease("b", now, 60), 10).await.expect("claimed");
    assert_eq!((a.len(), b.len()), (2, 1), "the limit holds, and b gets what a did not");
    assert!(a.iter().all(|d| b.iter().all(|e| e.id != d.id)), "no delivery is leased twice");
    assert!(store.claim_due_deliveries(&lease("c", now, 60), 10).await.expect("answered").is_empty());
    assert_eq!(a[0].notification.id, dispatched.id, "a delivery carries its notification");

    // a delivers one and must retry the other: both leases end.
    store.update_delivery(a[0].id, DeliveryOutcome::Delivered { at: now }).await.expect("recorded");
    let retry_at = now + minutes(2);
    let outcome = DeliveryOutcome::Retry { error: "503".into(), next_attempt_at: retry_at };
    store.update_delivery(a[1].id, outcome).await.expect("recorded");
    let delivered = store.list_deliveries(Some(DeliveryStatus::Delivered), 10).await.expect("listed");
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].attempted_by.as_deref(), Some("a"), "the worker that sent it is kept");

    // b died holding its lease; at the retry time c gets both the retry
    // (due again, lease ended) and b's delivery (lease expired).
    let later = retry_at + chrono::Duration::seconds(1);
    let c_got: HashSet<i64> =
        store.claim_due_deliveries(&lease("c", later, 60), 10).await.expect("claimed").iter().map(|d| d.id).collect();
    assert_eq!(c_got, [a[1].id, b[0].id].into_iter().collect(), "a retry and an expired lease are due again");
    assert!(store.claim_due_deliveries(&lease("a", later, 60), 10).await.expect("answered").is_empty());
}
