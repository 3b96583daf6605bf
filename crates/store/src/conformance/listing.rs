//! Listing complaints: filters and keyset pages (newest first).

use super::fixture::{Seeded, minutes, seed_company, seed_organisation, t0};
use crate::{ComplaintFilter, PageRequest, Store};
use std::collections::HashSet;
use std::sync::Arc;
use tousu_domain::{Action, Category, Complaint, Severity, Status};

async fn ids(store: &dyn Store, org: &Seeded, filter: ComplaintFilter) -> Vec<i64> {
    let page = store
        .list_complaints(org.company.id, &filter, PageRequest { limit: 100, before_id: None })
        .await
        .expect("listed");
    assert_eq!(page.next_before_id, None, "one page holds them all");
    page.items.iter().map(|c| c.id).collect()
}

/// Every page of a listing, following `next_before_id`.
async fn pages(store: &dyn Store, org: &Seeded, filter: &ComplaintFilter, limit: u32) -> Vec<Vec<Complaint>> {
    let mut pages = Vec::new();
    let mut before_id = None;
    loop {
        let page = store
            .list_complaints(org.company.id, filter, PageRequest { limit, before_id })
            .await
            .expect("a page is listed");
        assert!(page.items.len() <= limit as usize);
        pages.push(page.items);
        match page.next_before_id {
            Some(id) => before_id = Some(id),
            None => return pages,
        }
        assert!(pages.len() <= 100, "paging does not end");
    }
}

pub async fn listing_filters_by_status_project_category_severity_department_and_time(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let s = &org.staff;
    let st = &*store;
    let hour = |h: i64| t0() + minutes(60 * h);
    let new = |project, h, n, category| org.new_complaint_in(project, hour(h), n, category);

    // c1 dispatched to engineering; c2 assessed major, recategorised as fees;
    // c3 invalid; c4 just received; c5 closed after security handled it.
    let c1 = org.receive(st, new(0, 0, 1, Some(Category::Facilities))).await;
    let c1 = org.dispatch(st, &c1, "engineering", hour(0)).await;
    let c2 = org.receive(st, new(1, 1, 2, Some(Category::Service))).await;
    let c2 = org.must(st, &c2, &s.front_desk, Action::Confirm { note: None }, hour(1)).await;
    let assess = Action::Assess { severity: Severity::Major, category: Some(Category::Fees), note: None };
    let c2 = org.must(st, &c2, &s.company_leader, assess, hour(1)).await;
    let c3 = org.receive(st, new(0, 2, 3, None)).await;
    let invalidate = Action::Invalidate { explanation: "业主咨询物业费标准，已解释".into() };
    let c3 = org.must(st, &c3, &s.front_desk, invalidate, hour(2)).await;
    let c4 = org.receive(st, new(1, 3, 4, Some(Category::Emergency))).await;
    let c5 = org.receive(st, new(0, 4, 5, Some(Category::Facilities))).await;
    let c5 = org.dispatch(st, &c5, "security", hour(4)).await;
    let c5 = org.must(st, &c5, &s.security_handler, Action::Accept { note: None }, hour(5)).await;
    let c5 = org.must(st, &c5, &s.security_handler, Action::Resolve { resolution: "已处理".into(), finished_at: None }, hour(6)).await;
    let c5 = org.must(st, &c5, &s.front_desk, Action::AcceptResult { note: None }, hour(7)).await;
    let c5 = org.must(st, &c5, &s.company_leader, Action::Close { note: None }, hour(8)).await;
    assert_eq!(
        [c1.status, c2.status, c3.status, c4.status, c5.status],
        [Status::Dispatched, Status::Assessed, Status::ClosedInvalid, Status::Received, Status::Closed]
    );
    // Another company's complaint never shows.
    other.receive(st, other.new_complaint(hour(2))).await;

    let [c1, c2, c3, c4, c5] = [c1.id, c2.id, c3.id, c4.id, c5.id];
    let all = ComplaintFilter::default;
    let p = |code: &str| Some(code.to_string());
    assert_eq!(ids(st, &org, all()).await, [c5, c4, c3, c2, c1], "newest first");
    assert_eq!(ids(st, &org, ComplaintFilter { statuses: vec![Status::Received], ..all() }).await, [c4]);
    let statuses = vec![Status::Assessed, Status::Dispatched];
    assert_eq!(ids(st, &org, ComplaintFilter { statuses, ..all() }).await, [c2, c1]);
    assert_eq!(ids(st, &org, ComplaintFilter { open_only: true, ..all() }).await, [c4, c2, c1]);
    let closed_and_open = ComplaintFilter { open_only: true, statuses: vec![Status::Closed], ..all() };
    assert_eq!(ids(st, &org, closed_and_open).await, [0i64; 0]);
    assert_eq!(ids(st, &org, ComplaintFilter { project_code: p("P02"), ..all() }).await, [c4, c2]);
    assert_eq!(ids(st, &org, ComplaintFilter { project_code: p("P99"), ..all() }).await, [0i64; 0]);
    assert_eq!(ids(st, &org, ComplaintFilter { category: Some(Category::Fees), ..all() }).await, [c2]);
    assert_eq!(ids(st, &org, ComplaintFilter { category: Some(Category::Facilities), ..all() }).await, [c5, c1]);
    assert_eq!(ids(st, &org, ComplaintFilter { category: Some(Category::Consultation), ..all() }).await, [c3]);
    assert_eq!(ids(st, &org, ComplaintFilter { severity: Some(Severity::General), ..all() }).await, [c5, c1]);
    assert_eq!(ids(st, &org, ComplaintFilter { severity: Some(Severity::Major), ..all() }).await, [c2]);
    assert_eq!(ids(st, &org, ComplaintFilter { department: p("engineering"), ..all() }).await, [c1]);
    assert_eq!(ids(st, &org, ComplaintFilter { department: p("security"), ..all() }).await, [c5]);
    // received_from is inclusive, received_to exclusive.
    assert_eq!(ids(st, &org, ComplaintFilter { received_from: Some(hour(1)), ..all() }).await, [c5, c4, c3, c2]);
    assert_eq!(ids(st, &org, ComplaintFilter { received_to: Some(hour(1)), ..all() }).await, [c1]);
    let window = ComplaintFilter { received_from: Some(hour(1)), received_to: Some(hour(3)), ..all() };
    assert_eq!(ids(st, &org, window).await, [c3, c2]);
    let combined = ComplaintFilter { project_code: p("P01"), open_only: true, ..all() };
    assert_eq!(ids(st, &org, combined).await, [c1]);
    let combined = ComplaintFilter { category: Some(Category::Facilities), department: p("security"), ..all() };
    assert_eq!(ids(st, &org, combined).await, [c5]);

    // Listed complaints are the current state.
    let page =
        st.list_complaints(org.company.id, &all(), PageRequest { limit: 1, before_id: None }).await.expect("listed");
    assert_eq!(page.items, vec![st.find_complaint(org.company.id, c5).await.expect("found")]);
    assert_eq!(page.next_before_id, Some(c5));
}

pub async fn paging_with_before_id_visits_every_complaint_once_newest_first(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let st = &*store;
    let mut recorded = Vec::new();
    for n in 0..12 {
        recorded.push(org.receive(st, org.new_complaint_in(n % 2, t0() + minutes(n as i64), n, None)).await);
    }
    let batch = (12..30).map(|n| org.new_complaint_in(n % 2, t0() + minutes(n as i64), n, None)).collect();
    recorded.extend(st.insert_complaints(batch).await.expect("a batch"));
    for i in [4, 13] {
        let invalidate = Action::Invalidate { explanation: "重复登记".into() };
        recorded[i] = org.must(st, &recorded[i], &org.staff.front_desk, invalidate, t0() + minutes(40)).await;
    }
    let mut newest_first = recorded.clone();
    newest_first.sort_by_key(|c| std::cmp::Reverse(c.id));

    let all = pages(st, &org, &ComplaintFilter::default(), 7).await;
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 7, 7, 2]);
    assert_eq!(all.concat(), newest_first, "every complaint once, newest first, as it is now");

    // 28 open complaints: four full pages, and the fourth says it is the last.
    let open = ComplaintFilter { open_only: true, ..Default::default() };
    let open_pages = pages(st, &org, &open, 7).await;
    assert_eq!(open_pages.iter().map(Vec::len).collect::<Vec<_>>(), [7, 7, 7, 7]);
    let open_ids: Vec<i64> = open_pages.concat().iter().map(|c| c.id).collect();
    let expected: Vec<i64> = newest_first.iter().filter(|c| c.status.is_open()).map(|c| c.id).collect();
    assert_eq!(open_ids, expected);

    let p02 = ComplaintFilter { project_code: Some("P02".into()), ..Default::default() };
    let p02_ids: Vec<i64> = pages(st, &org, &p02, 4).await.concat().iter().map(|c| c.id).collect();
    let unique: HashSet<i64> = p02_ids.iter().copied().collect();
    assert_eq!((p02_ids.len(), unique.len()), (15, 15));
    assert!(p02_ids.windows(2).all(|w| w[0] > w[1]));
}
