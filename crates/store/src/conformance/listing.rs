//! Listing complaints: filters and keyset pages (newest first).

use super::fixture::{Seeded, minutes, seed_company, seed_organisation, t0};
use crate::{ComplaintFilter, PageRequest, Store};
use std::collections::HashSet;
use std::sync::Arc;
use tousu_domain::{Action, Category, Complaint, Severity, Status};

async fn ids(store: &dyn Store, org: &Seeded, filter: ComplaintFilter) -> Vec<i64> {
    let page = store
        .list_complaints(org.company.id, &filter, PageRequest::newest_first(100))
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
            .list_complaints(org.company.id, filter, PageRequest { before_id, ..PageRequest::newest_first(limit) })
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
        st.list_complaints(org.company.id, &all(), PageRequest::newest_first(1)).await.expect("listed");
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

/// Every page of a listing oldest first, following `next_after_id`.
async fn pages_oldest_first(store: &dyn Store, org: &Seeded, filter: &ComplaintFilter, limit: u32) -> Vec<Vec<Complaint>> {
    let mut pages = Vec::new();
    let mut after_id = None;
    loop {
        let page = store
            .list_complaints(org.company.id, filter, PageRequest { after_id, ..PageRequest::oldest_first(limit) })
            .await
            .expect("a page is listed");
        assert_eq!(page.next_before_id, None, "oldest first continues with after_id");
        pages.push(page.items);
        match page.next_after_id {
            Some(id) => after_id = Some(id),
            None => return pages,
        }
        assert!(pages.len() <= 100, "paging does not end");
    }
}

pub async fn paging_oldest_first_and_back_again_visits_every_complaint_once(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let st = &*store;
    let mut recorded = Vec::new();
    for n in 0..6 {
        recorded.push(org.receive(st, org.new_complaint_in(n % 2, t0() + minutes(n as i64), n, None)).await);
    }
    let batch = (6..17).map(|n| org.new_complaint_in(n % 2, t0() + minutes(n as i64), n, None)).collect();
    recorded.extend(st.insert_complaints(batch).await.expect("a batch"));
    let invalidate = Action::Invalidate { explanation: "重复登记".into() };
    recorded[3] = org.must(st, &recorded[3], &org.staff.front_desk, invalidate, t0() + minutes(30)).await;
    let mut oldest_first = recorded.clone();
    oldest_first.sort_by_key(|c| c.id);

    let all = pages_oldest_first(st, &org, &ComplaintFilter::default(), 5).await;
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [5, 5, 5, 2]);
    assert_eq!(all.concat(), oldest_first, "every complaint once, oldest first, as it is now");
    let open = ComplaintFilter { open_only: true, ..Default::default() };
    let open_ids: Vec<i64> = pages_oldest_first(st, &org, &open, 4).await.concat().iter().map(|c| c.id).collect();
    let expected: Vec<i64> = oldest_first.iter().filter(|c| c.status.is_open()).map(|c| c.id).collect();
    assert_eq!(open_ids, expected);

    // Back again: the page before a newest-first page is the ids above its
    // first one, oldest first, turned round; and the other way round.
    for (filter, limit) in [(ComplaintFilter::default(), 5), (open, 4)] {
        let newest = pages(st, &org, &filter, limit).await;
        for k in 1..newest.len() {
            let first = newest[k][0].id;
            let back = st
                .list_complaints(org.company.id, &filter, PageRequest { after_id: Some(first), ..PageRequest::oldest_first(limit) })
                .await
                .expect("the page before");
            let mut items = back.items;
            items.reverse();
            assert_eq!(items, newest[k - 1], "the page before page {k}");
            assert_eq!(back.next_after_id.is_some(), k > 1, "more pages before page {k}");
        }
        let oldest = pages_oldest_first(st, &org, &filter, limit).await;
        for k in 1..oldest.len() {
            let first = oldest[k][0].id;
            let back = st
                .list_complaints(org.company.id, &filter, PageRequest { before_id: Some(first), ..PageRequest::newest_first(limit) })
                .await
                .expect("the page before");
            let mut items = back.items;
            items.reverse();
            assert_eq!(items, oldest[k - 1], "the page before page {k}, oldest first");
        }
        // Both bounds at once: the ids strictly between.
        let ids: Vec<i64> = oldest_first.iter().map(|c| c.id).collect();
        let between = st
            .list_complaints(
                org.company.id,
                &ComplaintFilter::default(),
                PageRequest { after_id: Some(ids[2]), before_id: Some(ids[6]), ..PageRequest::oldest_first(10) },
            )
            .await
            .expect("listed");
        assert_eq!(between.items.iter().map(|c| c.id).collect::<Vec<_>>(), ids[3..6]);
        assert_eq!(between.next_after_id, None);
    }
}

pub async fn a_received_time_range_is_exact_across_days_and_receipts_out_of_order(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let st = &*store;
    let day = |d: i64| minutes(24 * 60 * d);
    // Recorded in this order (ids grow), received at these times: across
    // days, months and years, and not in id order.
    let times = [
        t0() + day(3),
        t0(),
        t0() + day(2) - minutes(1),
        t0() - day(2),
        t0() + day(10),
        t0() + day(200),
        t0() - day(400),
        t0() + day(1),
        t0() + day(2),
    ];
    let mut ids = Vec::new();
    for (n, at) in times.iter().enumerate() {
        ids.push(org.receive(st, org.new_complaint_in(n % 2, *at, n, Some(Category::Facilities))).await.id);
    }
    other.receive(st, other.new_complaint(t0())).await;
    // The ids received in [from, to), newest (highest id) first.
    let expect = |from: Option<tousu_domain::Timestamp>, to: Option<tousu_domain::Timestamp>, project: Option<usize>| {
        let mut v: Vec<i64> = ids
            .iter()
            .zip(times.iter())
            .enumerate()
            .filter(|(n, (_, at))| {
                from.is_none_or(|f| **at >= f) && to.is_none_or(|t| **at < t) && project.is_none_or(|p| n % 2 == p)
            })
            .map(|(_, (id, _))| *id)
            .collect();
        v.sort_by_key(|id| std::cmp::Reverse(*id));
        v
    };
    let ranges = [
        (Some(t0()), Some(t0() + day(2))),
        (Some(t0() + minutes(1)), Some(t0() + day(2))),
        (Some(t0()), Some(t0() + day(2) - minutes(1))),
        (Some(t0() - day(2)), None),
        (None, Some(t0() + day(1))),
        (Some(t0() - day(400)), Some(t0() + day(200))),
        (Some(t0() - day(400)), Some(t0() + day(200) + minutes(1))),
        (Some(t0() - day(401)), None),
        (None, Some(t0() - day(400))),
        (Some(t0() + day(201)), None),
        (Some(t0() + day(2)), Some(t0() + day(2))),
        (Some(t0() + day(3)), Some(t0())),
        (Some(t0() - day(20_000)), Some(t0() + day(20_000))),
    ];
    for (from, to) in ranges {
        let filter = ComplaintFilter { received_from: from, received_to: to, ..Default::default() };
        assert_eq!(ids_of(st, &org, filter.clone()).await, expect(from, to, None), "{from:?}..{to:?}");
        // With another filter, which may then lead the walk.
        for (p, code) in [(0, "P01"), (1, "P02")] {
            let filter = ComplaintFilter { project_code: Some(code.into()), ..filter.clone() };
            assert_eq!(ids_of(st, &org, filter).await, expect(from, to, Some(p)), "{code} {from:?}..{to:?}");
        }
        let open = ComplaintFilter { open_only: true, category: Some(Category::Facilities), ..filter.clone() };
        assert_eq!(ids_of(st, &org, open).await, expect(from, to, None), "open {from:?}..{to:?}");
        // Paged two at a time, each way.
        let newest: Vec<i64> = pages(st, &org, &filter, 2).await.concat().iter().map(|c| c.id).collect();
        assert_eq!(newest, expect(from, to, None));
        let mut oldest: Vec<i64> = pages_oldest_first(st, &org, &filter, 2).await.concat().iter().map(|c| c.id).collect();
        oldest.reverse();
        assert_eq!(oldest, expect(from, to, None));
    }
    // Another company's range holds only its own complaint.
    let filter = ComplaintFilter { received_from: Some(t0() - day(1)), received_to: Some(t0() + day(1)), ..Default::default() };
    assert_eq!(ids_of(st, &other, filter).await.len(), 1);
}

/// Like [`ids`] without asking for one page to hold them all.
async fn ids_of(store: &dyn Store, org: &Seeded, filter: ComplaintFilter) -> Vec<i64> {
    pages(store, org, &filter, 100).await.concat().iter().map(|c| c.id).collect()
}

pub async fn a_units_complaints_are_listed_newest_first(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let st = &*store;
    // The fixture's P01 complaints are about 1栋 1801, P02's about 3栋 0301.
    let mut p01 = Vec::new();
    for n in 0..3 {
        p01.push(org.receive(st, org.new_complaint_in(0, t0() + minutes(n as i64), n, None)).await);
    }
    let p02 = org.receive(st, org.new_complaint_in(1, t0() + minutes(5), 5, None)).await;
    let batch = vec![org.new_complaint_in(0, t0() + minutes(6), 6, None)];
    p01.extend(st.insert_complaints(batch).await.expect("a batch"));
    other.receive(st, other.new_complaint(t0())).await;
    // A dispatched complaint is still found at its unit.
    p01[1] = org.dispatch(st, &p01[1], "engineering", t0() + minutes(10)).await;
    let mut newest_first = p01.clone();
    newest_first.reverse();

    let at = |project: &'static str, building: &'static str, unit: &'static str, limit: u32| {
        st.list_complaints_at_unit(org.company.id, project, building, unit, limit)
    };
    assert_eq!(at("P01", "1栋", "1801", 10).await.expect("listed"), newest_first, "as they are now, newest first");
    assert_eq!(at("P01", "1栋", "1801", 2).await.expect("listed"), newest_first[..2]);
    assert_eq!(at("P02", "3栋", "0301", 10).await.expect("listed"), vec![p02]);
    assert!(at("P01", "1栋", "101", 10).await.expect("listed").is_empty());
    assert!(at("P01", "2栋", "1801", 10).await.expect("listed").is_empty());
    assert!(at("P99", "1栋", "1801", 10).await.expect("listed").is_empty());
    let theirs = st.list_complaints_at_unit(other.company.id, "P01", "1栋", "1801", 10).await.expect("listed");
    assert_eq!(theirs.len(), 1, "each company sees its own");
}

/// Intake's repeat lookup: a customer's complaints of a window, newest
/// first; asked by many requests at once (a backend may answer them
/// together), each gets its own.
pub async fn a_customers_recent_complaints_are_found_by_phone_even_when_asked_together(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let st = &*store;
    let phone = |n: usize| format!("1390000{n:04}");
    let from = |n: usize, mut new: crate::NewComplaint| {
        new.intake.customer.phone =
            tousu_domain::PhoneNumber::parse("customer.phone", &phone(n)).expect("a valid phone");
        new
    };
    // Customer i has i complaints, one a minute; customer 0 none. Customer
    // 3's first is older than the window.
    let mut theirs: Vec<Vec<tousu_domain::Complaint>> = vec![Vec::new(); 6];
    for (i, mine) in theirs.iter_mut().enumerate() {
        for k in 0..i {
            let at = t0() + minutes((10 * i + k) as i64);
            mine.push(org.receive(st, from(i, org.new_complaint_in(k % 2, at, k, None))).await);
        }
        mine.reverse();
    }
    other.receive(st, from(2, other.new_complaint(t0()))).await;
    // Customer 2's first complaint (minute 20) is older than the window.
    let since = t0() + minutes(21);

    let asked: Vec<(usize, u32)> = (0..6).flat_map(|i| [(i, 10), (i, 1)]).collect();
    let mut tasks = Vec::new();
    for &(i, limit) in &asked {
        let (store, company, phone) = (store.clone(), org.company.id, phone(i));
        tasks.push(tokio::spawn(async move { store.list_complaints_by_customer(company, &phone, since, limit).await }));
    }
    for (&(i, limit), task) in asked.iter().zip(tasks) {
        let expected: Vec<_> =
            theirs[i].iter().filter(|c| c.received_at >= since).take(limit as usize).cloned().collect();
        assert_eq!(task.await.expect("the task ran").expect("looked up"), expected, "customer {i}, limit {limit}");
    }
    let two = st.list_complaints_by_customer(org.company.id, &phone(2), since, 10).await.expect("looked up");
    assert_eq!(two.len(), 1, "the window leaves out the older complaint");
    assert_eq!(
        st.list_complaints_by_customer(org.company.id, &phone(5), since, 10).await.expect("looked up").len(),
        5
    );
    let elsewhere = st.list_complaints_by_customer(other.company.id, &phone(2), t0(), 10).await.expect("looked up");
    assert_eq!(elsewhere.len(), 1, "each company sees its own");
}

/// The design-review checklist's examples: complaints found by their
/// defect (`component:phase`), newest first, following a correction.
pub async fn complaints_are_found_by_their_defect_newest_first_and_follow_a_correction(store: Arc<dyn Store>) {
    use tousu_domain::defects::Phase;
    let org = seed_organisation(&*store).await;
    let st = &*store;
    let record = |component: &str, phase| Action::RecordDefect { component: component.into(), phase, cost: Some(80.0) };
    let mut filed = Vec::new();
    for (n, (component, phase)) in
        [("roof_leak", Phase::Construction), ("lifts", Phase::Operation), ("roof_leak", Phase::Construction)].into_iter().enumerate()
    {
        let c = org.receive(st, org.new_complaint(t0() + minutes(n as i64))).await;
        let c = org.dispatch(st, &c, "engineering", t0() + minutes(10)).await;
        filed.push(org.must(st, &c, &org.staff.handler, record(component, phase), t0() + minutes(20)).await);
    }
    let found = |key: &'static str| st.list_complaints_with_defect(org.company.id, key, 10);
    let roof = found("roof_leak:construction").await.expect("listed");
    assert_eq!(roof, vec![filed[2].clone(), filed[0].clone()], "newest first, whole");
    assert_eq!(roof[0].defect.as_ref().and_then(|d| d.cost_fen), Some(8_000));
    assert_eq!(found("lifts:operation").await.expect("listed").len(), 1);
    assert!(found("lifts:design").await.expect("listed").is_empty(), "another phase");
    // Re-filed: it moves to the other defect.
    let moved = org.must(st, &filed[1], &org.staff.handler, record("roof_leak", Phase::Construction), t0() + minutes(30)).await;
    let roof = found("roof_leak:construction").await.expect("listed");
    assert_eq!(roof.iter().map(|c| c.id).collect::<Vec<_>>(), [filed[2].id, moved.id, filed[0].id]);
    assert!(found("lifts:operation").await.expect("listed").is_empty());
    assert_eq!(st.list_complaints_with_defect(org.company.id, "roof_leak:construction", 1).await.expect("listed").len(), 1);
}

/// A closing complaint asks whether its household already had the defect.
pub async fn a_households_closed_defect_is_found_by_project_building_unit_and_defect(store: Arc<dyn Store>) {
    use tousu_domain::defects::Phase;
    let org = seed_organisation(&*store).await;
    let st = &*store;
    let (desk, handler, head) = (&org.staff.front_desk, &org.staff.handler, &org.staff.department_head);
    let c = org.receive(st, org.new_complaint(t0())).await;
    let c = org.dispatch(st, &c, "engineering", t0() + minutes(10)).await;
    let record = Action::RecordDefect { component: "roof_leak".into(), phase: Phase::Construction, cost: None };
    let c = org.must(st, &c, handler, record.clone(), t0() + minutes(20)).await;
    let (p, building, unit) = (c.project.id, c.building.clone(), c.unit.clone());
    let has = |key: &'static str, unit: String, except: i64| {
        let building = building.clone();
        async move { st.household_has_closed_defect(p, &building, &unit, key, except).await.expect("asked") }
    };
    assert!(!has("roof_leak:construction", unit.clone(), 0).await, "filed but not closed yet");
    let c = org.must(st, &c, handler, Action::Accept { note: None }, t0() + minutes(30)).await;
    let c = org.must(st, &c, handler, Action::Resolve { resolution: "已修复".into(), finished_at: None }, t0() + minutes(40)).await;
    let c = org.must(st, &c, desk, Action::AcceptResult { note: None }, t0() + minutes(50)).await;
    let c = org.must(st, &c, head, Action::Close { note: None }, t0() + minutes(60)).await;
    assert_eq!(c.status, Status::Closed);
    assert!(has("roof_leak:construction", unit.clone(), 0).await, "closed with the defect");
    assert!(!has("roof_leak:construction", unit.clone(), c.id).await, "itself is not another");
    assert!(!has("roof_leak:design", unit.clone(), 0).await, "another phase");
    assert!(!has("roof_leak:construction", "0101".into(), 0).await, "another unit");
}

/// The search index's feed: every event after a cursor, in the history's
/// order, with its complaint and company; a complaint found by id alone.
pub async fn changes_are_listed_after_a_cursor_in_order_and_a_complaint_is_found_by_id(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let st = &*store;
    let a = org.receive(st, org.new_complaint(t0())).await;
    let b = other.receive(st, other.new_complaint(t0() + minutes(1))).await;
    let a = org.must(st, &a, &org.staff.front_desk, Action::Confirm { note: None }, t0() + minutes(2)).await;
    let start = crate::FeedPosition::default();
    // On PostgreSQL the feed waits for transactions in flight on the whole
    // server (other tests' too) to end: a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let all = loop {
        let all = st.list_changes_after(start, 100).await.expect("listed");
        if all.len() >= 3 || std::time::Instant::now() > deadline {
            break all;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let ours: Vec<(i64, i64)> = all.iter().map(|c| (c.complaint_id, c.company_id)).collect();
    assert_eq!(ours, vec![(a.id, org.company.id), (b.id, other.company.id), (a.id, org.company.id)]);
    assert!(all.windows(2).all(|w| w[0].at < w[1].at), "in the feed's order");
    assert!(all.windows(2).all(|w| w[0].at.event < w[1].at.event), "one writer after another: in the history's order");
    let after_first = st.list_changes_after(all[0].at, 100).await.expect("listed");
    assert_eq!(after_first, all[1..].to_vec());
    assert_eq!(st.list_changes_after(all[0].at, 1).await.expect("listed"), all[1..2].to_vec(), "at most the limit");
    assert!(st.list_changes_after(all[2].at, 100).await.expect("listed").is_empty());
    assert_eq!(crate::FeedPosition::decode(&all[2].at.encode()), all[2].at, "kept in the index's commits as text");
    assert_eq!(crate::FeedPosition::decode("1234"), start, "an earlier version's cursor starts again");
    let head = st.feed_head().await.expect("the head");
    assert_eq!(head.at, all[2].at, "the feed ends at its last event");
    assert_eq!(head.complaints, 2);
    let everything = st.list_complaints_with_history(0, 10).await.expect("listed");
    let shape: Vec<(i64, usize)> = everything.iter().map(|(c, h)| (c.id, h.len())).collect();
    assert_eq!(shape, vec![(a.id, 2), (b.id, 1)], "each complaint in id order with its whole history");
    assert_eq!(everything[0].1, st.list_events(a.id).await.expect("its history"));
    assert_eq!(everything[0].0, a);
    let rest = st.list_complaints_with_history(a.id, 1).await.expect("listed");
    assert_eq!(rest.iter().map(|(c, _)| c.id).collect::<Vec<_>>(), vec![b.id], "after an id, at most the limit");
    assert!(st.list_complaints_with_history(b.id, 10).await.expect("listed").is_empty());
    assert_eq!(st.find_complaint_by_id(a.id).await.expect("found"), a, "whole, whatever the company");
    assert!(matches!(st.find_complaint_by_id(a.id + 1000).await, Err(crate::StoreError::NotFound(_))));
}
