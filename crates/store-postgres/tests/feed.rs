//! The search index's feed on PostgreSQL, where event ids are taken at
//! insert and not at commit: a transaction that commits late with a lower
//! event id than ones already visible must still be handed out, after
//! the feed has listed everything visible — never skipped.

mod common;

use common::{Postgres, admin};
use sqlx::Connection;
use std::time::{Duration, Instant};
use tousu_store::conformance::Backend;
use tousu_store::conformance::fixture::{minutes, seed_organisation, t0};
use tousu_store::{Change, FeedPosition, Store};

/// Everything the feed hands out after `from`, page by page.
async fn follow(store: &dyn Store, from: FeedPosition) -> Vec<Change> {
    let (mut at, mut out) = (from, Vec::new());
    loop {
        let page = store.list_changes_after(at, 2).await.expect("listed");
        let Some(last) = page.last() else { return out };
        at = last.at;
        out.extend(page);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_committed_late_below_visible_ids_is_listed_not_skipped() {
    if !Postgres.available() {
        return;
    }
    let schema = Postgres.create().await;
    let store = Postgres.open(&schema).await;
    let org = seed_organisation(&*store).await;
    let first = org.receive(&*store, org.new_complaint(t0())).await;

    // A writer that takes its event id now and commits later.
    let (options, name) = schema.inner.clone().expect("a schema");
    let mut late = admin(&options.options([("search_path", name.as_str())])).await;
    let mut tx = late.begin().await.expect("begun");
    let late_id: i64 = sqlx::query_scalar(
        "INSERT INTO complaint_events (complaint_id, seq, kind, at, payload) \
         VALUES ($1, 1000, 'late', now(), '{}') RETURNING id",
    )
    .bind(first.id)
    .fetch_one(&mut *tx)
    .await
    .expect("inserted, not committed");

    // Meanwhile another complaint commits, with higher event ids.
    let second = org.receive(&*store, org.new_complaint(t0() + minutes(1))).await;
    let seen = follow(&*store, FeedPosition::default()).await;
    assert!(seen.iter().all(|c| c.complaint_id != second.id), "nothing after a transaction still in flight: {seen:?}");
    let cursor = seen.last().map(|c| c.at).unwrap_or_default();

    tx.commit().await.expect("committed late");
    // Other tests' transactions on the server may hold the horizon a moment.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut rest = Vec::new();
    while !rest.iter().any(|c: &Change| c.complaint_id == second.id) {
        assert!(Instant::now() < deadline, "the feed never reached the second complaint: {rest:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        rest.extend(follow(&*store, rest.last().map_or(cursor, |c| c.at)).await);
    }
    let late_at = rest.iter().position(|c| c.at.event == late_id).expect("the late event is listed after the cursor");
    let second_at = rest.iter().position(|c| c.complaint_id == second.id).expect("listed");
    assert!(late_at < second_at, "in commit order: the late writer's transaction began first");
    let mut all: Vec<i64> = seen.iter().chain(&rest).map(|c| c.at.event).collect();
    let listed = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), listed, "each event once");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM complaint_events").fetch_one(&mut late).await.expect("counted");
    assert_eq!(all.len() as i64, stored, "every event of the history, none skipped");
    late.close().await.ok();
}
