//! The dashboard's summed reads of the daily figures agree with the figures
//! themselves: per day and key over projects, per project and key over days.

use super::fixture::*;
use crate::Store;
use std::collections::BTreeMap;
use std::sync::Arc;
use tousu_domain::{Action, Category};

/// Complaints in both projects over three days; one walked to a callback.
async fn history(store: &dyn Store, org: &Seeded) {
    let s = &org.staff;
    let day = |d: i64| t0() + chrono::Duration::days(d);
    let mut n = 0;
    for (project, d, category) in
        [(0, 0, Category::Facilities), (1, 0, Category::Facilities), (1, 0, Category::Fees), (0, 1, Category::Service), (1, 2, Category::Facilities)]
    {
        n += 1;
        org.receive(store, org.new_complaint_in(project, day(d) + minutes(n), n as usize, Some(category))).await;
    }
    let c = org.receive(store, org.new_complaint_in(0, day(2), 99, Some(Category::Facilities))).await;
    let c = org.dispatch(store, &c, "engineering", day(2) + minutes(10)).await;
    let mut c = c;
    for (who, action) in [
        (&s.handler, Action::Accept { note: None }),
        (&s.handler, Action::Resolve { resolution: "已修复".into(), finished_at: None }),
        (&s.front_desk, Action::AcceptResult { note: None }),
        (&s.department_head, Action::Close { note: None }),
        (&s.front_desk, Action::Callback { perceived: 9, expected: 8, comment: None, method: None }),
    ] {
        c = org.must(store, &c, who, action, c.updated_at + minutes(30)).await;
    }
}

pub async fn the_dashboards_sums_agree_with_the_daily_figures(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    history(&*store, &org).await;
    let company = org.company.id;
    let from = local_date(t0());
    let to = from + chrono::Duration::days(2);
    let all = store.list_daily_figures(company, from, to, "").await.expect("listed");
    assert!(!all.is_empty());

    // Per day and key, over projects, for the keys asked only.
    let keys = ["received:facilities", "received:fees", "callbacks", "index_milli", "met"];
    let mut expected: BTreeMap<(String, chrono::NaiveDate), i64> = BTreeMap::new();
    for (day, _, key, value) in &all {
        if keys.contains(&key.as_str()) {
            *expected.entry((key.clone(), *day)).or_default() += value;
        }
    }
    expected.retain(|_, v| *v != 0);
    let summed = store.sum_daily_figures(company, from, to, &keys).await.expect("summed");
    let got: Vec<((String, chrono::NaiveDate), i64)> = summed.iter().map(|(d, k, v)| ((k.clone(), *d), *v)).collect();
    assert_eq!(got, expected.into_iter().collect::<Vec<_>>(), "by key then day");
    assert!(summed.iter().any(|(d, k, v)| k == "received:facilities" && *d == from && *v == 2), "both projects on day one: {summed:?}");
    assert!(summed.iter().any(|(_, k, v)| k == "index_milli" && *v == 1125), "{summed:?}");
    // A narrower range, a key nobody has, no keys.
    let day_two = store.sum_daily_figures(company, to, to, &["received:facilities"]).await.expect("summed");
    assert_eq!(day_two, vec![(to, "received:facilities".to_string(), 2)]);
    assert!(store.sum_daily_figures(company, from, to, &["received:unknown"]).await.expect("summed").is_empty());
    assert!(store.sum_daily_figures(company, from, to, &[]).await.expect("summed").is_empty());

    // Per project and key, over days, for a key prefix.
    let mut expected: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for (_, project, key, value) in &all {
        if key.starts_with("received:") {
            *expected.entry((*project, key.clone())).or_default() += value;
        }
    }
    expected.retain(|_, v| *v != 0);
    let by_project = store.sum_figures_by_project(company, from, to, "received:").await.expect("summed");
    let got: Vec<((i64, String), i64)> = by_project.iter().map(|(p, k, v)| ((*p, k.clone()), *v)).collect();
    assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
    let p01 = org.projects[0].id;
    assert!(by_project.contains(&(p01, "received:facilities".to_string(), 2)), "{by_project:?}");

    // Another company's figures are not summed in.
    let other = seed_company(&*store, "oth", "OT").await;
    other.receive(&*store, other.new_complaint_in(0, t0(), 1, Some(Category::Facilities))).await;
    assert_eq!(store.sum_daily_figures(company, from, to, &keys).await.expect("summed"), summed);
    assert_eq!(store.sum_figures_by_project(company, from, to, "received:").await.expect("summed"), by_project);
}
