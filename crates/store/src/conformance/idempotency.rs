//! Idempotency keys: a retried request records nothing twice.

use super::fixture::{Seeded, expect_new, key, minutes, seed_organisation, sequence, t0};
use crate::{ComplaintFilter, ConflictKind, Inserted, NewComplaint, PageRequest, Store, StoreError, StoreResult};
use std::sync::Arc;
use tousu_domain::{Action, Complaint};

async fn count(store: &dyn Store, org: &Seeded) -> usize {
    let page = PageRequest::newest_first(1000);
    store.list_complaints(org.company.id, &ComplaintFilter::default(), page).await.expect("listed").items.len()
}

/// Sends `requests` at once, so that a batching backend sees them together.
async fn race(store: &Arc<dyn Store>, requests: Vec<NewComplaint>) -> Vec<StoreResult<Inserted>> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|new| {
            let store = store.clone();
            tokio::spawn(async move { store.insert_complaint(new).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("the task finished"));
    }
    answers
}

/// Keeps the writer busy with unrelated complaints, so that the requests
/// sent right after queue up behind them and land in one group.
fn busy(store: &Arc<dyn Store>, org: &Seeded, n: usize) -> Vec<tokio::task::JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let (store, new) = (store.clone(), org.new_complaint_in(1, t0(), 100 + i, None));
            tokio::spawn(async move {
                expect_new(store.insert_complaint(new).await.expect("a filler complaint"));
            })
        })
        .collect()
}

pub async fn a_repeated_idempotency_key_answers_the_complaint_as_first_recorded(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let first = NewComplaint { idempotency: key("staff:1", "retry-1", "fp-a"), ..org.new_complaint(t0()) };
    let recorded = expect_new(store.insert_complaint(first.clone()).await.expect("recorded"));
    // Handled meanwhile: the replay is still the complaint as first recorded.
    org.must(&*store, &recorded, &org.staff.front_desk, Action::Confirm { note: None }, t0() + minutes(1)).await;

    let retry = NewComplaint { now: t0() + minutes(2), ..first };
    match store.insert_complaint(retry).await.expect("answered") {
        Inserted::Replayed(c) => assert_eq!(c, recorded),
        Inserted::New(c) => panic!("the retry recorded a second complaint {}", c.tracking_no),
    }
    assert_eq!(count(&*store, &org).await, 1);
    // The retry used no tracking number.
    let next = org.receive(&*store, org.new_complaint(t0() + minutes(3))).await;
    assert_eq!(sequence(&next), 2);
}

pub async fn racing_requests_with_one_idempotency_key_record_one_complaint(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let mut fillers = 0;
    for round in 0..8 {
        let copies = 2 + round % 3;
        let filler = busy(&store, &org, 16);
        fillers += filler.len();
        let new =
            NewComplaint { idempotency: key("staff:1", &format!("race-{round}"), "fp"), ..org.new_complaint(t0()) };
        let answers = race(&store, vec![new; copies]).await;
        for f in filler {
            f.await.expect("the filler finished");
        }

        let mut recorded: Vec<Complaint> = Vec::new();
        let mut replayed: Vec<Complaint> = Vec::new();
        for a in answers {
            match a.expect("every copy is answered") {
                Inserted::New(c) => recorded.push(c),
                Inserted::Replayed(c) => replayed.push(c),
            }
        }
        assert_eq!(recorded.len(), 1, "round {round}: exactly one copy records the complaint");
        assert_eq!(replayed.len(), copies - 1);
        assert!(replayed.iter().all(|c| *c == recorded[0]), "round {round}: the others replay it");
    }
    assert_eq!(count(&*store, &org).await, 8 + fillers);
}

pub async fn an_idempotency_key_reused_for_another_request_is_a_conflict(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let first = NewComplaint { idempotency: key("staff:1", "k", "fp-a"), ..org.new_complaint(t0()) };
    let recorded = expect_new(store.insert_complaint(first.clone()).await.expect("recorded"));
    let other = NewComplaint { idempotency: key("staff:1", "k", "fp-b"), ..org.new_complaint_in(1, t0(), 7, None) };
    let err = store.insert_complaint(other).await.expect_err("another request under the same key");
    assert!(matches!(err, StoreError::Conflict(ConflictKind::IdempotencyKey)), "{err:?}");
    assert_eq!(count(&*store, &org).await, 1);
    assert!(matches!(store.insert_complaint(first).await, Ok(Inserted::Replayed(c)) if c == recorded));

    // The same when the two requests race.
    let filler = busy(&store, &org, 16);
    let a = NewComplaint { idempotency: key("staff:1", "k2", "fp-a"), ..org.new_complaint(t0()) };
    let b = NewComplaint { idempotency: key("staff:1", "k2", "fp-b"), ..org.new_complaint_in(1, t0(), 8, None) };
    let answers = race(&store, vec![a, b]).await;
    for f in filler {
        f.await.expect("the filler finished");
    }
    let won = answers.iter().filter(|a| matches!(a, Ok(Inserted::New(_)))).count();
    let refused =
        answers.iter().filter(|a| matches!(a, Err(StoreError::Conflict(ConflictKind::IdempotencyKey)))).count();
    assert_eq!((won, refused), (1, 1), "one records, the other is refused: {answers:?}");
    assert_eq!(count(&*store, &org).await, 1 + 16 + 1);
}

pub async fn one_idempotency_key_in_two_scopes_records_two_complaints(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let mine = NewComplaint { idempotency: key("staff:1", "same", "fp"), ..org.new_complaint(t0()) };
    let yours = NewComplaint { idempotency: key("staff:2", "same", "fp"), ..org.new_complaint(t0()) };
    let a = expect_new(store.insert_complaint(mine.clone()).await.expect("recorded"));
    let b = expect_new(store.insert_complaint(yours.clone()).await.expect("recorded"));
    assert_ne!(a.id, b.id);
    assert_ne!(a.tracking_no, b.tracking_no);

    // Racing, in two more scopes.
    let answers = race(
        &store,
        vec![
            NewComplaint { idempotency: key("token:7", "same", "fp"), ..mine.clone() },
            NewComplaint { idempotency: key("token:8", "same", "fp"), ..mine.clone() },
        ],
    )
    .await;
    assert!(answers.iter().all(|a| matches!(a, Ok(Inserted::New(_)))), "{answers:?}");
    assert_eq!(count(&*store, &org).await, 4);
    // Each scope still replays its own.
    assert!(matches!(store.insert_complaint(yours).await, Ok(Inserted::Replayed(c)) if c == b));
    assert!(matches!(store.insert_complaint(mine).await, Ok(Inserted::Replayed(c)) if c == a));
}
