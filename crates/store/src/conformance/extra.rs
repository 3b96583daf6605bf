//! The extra-services ledger (惊喜服务).

use super::fixture::{minutes, seed_company, seed_organisation, t0};
use crate::{ExtraService, Store};
use std::sync::Arc;

pub async fn extra_services_are_listed_newest_first_per_company_and_found_by_household_and_time(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let st = &*store;
    let given = |n: i64, project: i64, unit: &str| ExtraService {
        id: 0,
        company_id: org.company.id,
        project_id: project,
        building: "1栋".into(),
        unit: unit.into(),
        service: (n == 0).then(|| "birthday_flowers".to_string()),
        description: format!("第{n}次：雨天为老人送伞到家"),
        given_by: "王芳".into(),
        given_at: t0() + minutes(10 * n),
        recorded_by: Some(org.staff.front_desk.id),
        recorded_at: t0() + minutes(10 * n + 1),
    };
    let p0 = org.projects[0].id;
    let mut ids = Vec::new();
    for (n, unit) in [(0, "1801"), (1, "1802"), (2, "1801")] {
        ids.push(st.insert_extra_service(given(n, p0, unit)).await.expect("recorded"));
    }
    let mut theirs = given(3, other.projects[0].id, "1801");
    theirs.company_id = other.company.id;
    st.insert_extra_service(theirs).await.expect("recorded");

    let listed = st.list_extra_services(org.company.id, None, 10).await.expect("listed");
    let expected: Vec<ExtraService> = [2, 1, 0]
        .into_iter()
        .map(|n| ExtraService { id: ids[n as usize], ..given(n, p0, if n == 1 { "1802" } else { "1801" }) })
        .collect();
    assert_eq!(listed, expected, "newest first, each as recorded, the other company's left out");
    let page = st.list_extra_services(org.company.id, Some(ids[2]), 1).await.expect("listed");
    assert_eq!(page.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[1]]);

    let had = |unit: &'static str, at| st.household_had_extra_service(p0, "1栋", unit, at);
    assert!(!had("1801", t0() - minutes(1)).await.expect("asked"), "before the first");
    assert!(had("1801", t0()).await.expect("asked"), "at the moment it was given");
    assert!(!had("1802", t0() + minutes(5)).await.expect("asked"));
    assert!(had("1802", t0() + minutes(10)).await.expect("asked"));
    assert!(!had("0301", t0() + minutes(100)).await.expect("asked"), "another household");
    let elsewhere = st.household_had_extra_service(org.projects[1].id, "1栋", "1801", t0() + minutes(100));
    assert!(!elsewhere.await.expect("asked"), "the same unit in another project");
}

fn a_case(title: &str) -> tousu_domain::training::TrainingCase {
    tousu_domain::training::TrainingCase {
        title: title.into(),
        project: "P01".into(),
        building: "1栋".into(),
        category: Some("facilities".into()),
        severity: None,
        complaint: "[房号]卫生间漏水".into(),
        root_cause: Some("防水层破损".into()),
        resolution: None,
        satisfaction: vec![1.125],
        reopened: 1,
        rehandled: 0,
        account: "当天上门".into(),
        went_right: None,
        went_wrong: Some("第一次没找到漏点".into()),
        lesson: "先做闭水试验".into(),
        tags: vec!["漏水".into(), "防水".into()],
    }
}

pub async fn training_cases_are_one_per_complaint_listed_newest_first_and_found_only_in_their_company(
    store: Arc<dyn Store>,
) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let st = &*store;
    let first = org.receive(st, org.new_complaint(t0())).await;
    let second = org.receive(st, org.new_complaint_in(1, t0() + minutes(1), 2, None)).await;
    let stored = |complaint_id: i64, title: &str, n: i64| crate::StoredTrainingCase {
        id: 0,
        company_id: org.company.id,
        complaint_id,
        case: a_case(title),
        created_by: Some(org.staff.front_desk.id),
        created_at: t0() + minutes(n),
    };
    let a = st.insert_training_case(stored(first.id, "漏水", 10)).await.expect("recorded");
    let b = st.insert_training_case(stored(second.id, "电梯", 11)).await.expect("recorded");
    let again = st.insert_training_case(stored(first.id, "漏水又一次", 12)).await.expect_err("one case per complaint");
    assert!(matches!(again, crate::StoreError::Conflict(crate::ConflictKind::Duplicate(_))), "{again:?}");

    let listed = st.list_training_cases(org.company.id, 10).await.expect("listed");
    assert_eq!(
        listed,
        vec![
            crate::StoredTrainingCase { id: b, ..stored(second.id, "电梯", 11) },
            crate::StoredTrainingCase { id: a, ..stored(first.id, "漏水", 10) }
        ]
    );
    assert_eq!(st.list_training_cases(org.company.id, 1).await.expect("listed").len(), 1);
    assert_eq!(st.find_training_case(org.company.id, a).await.expect("found").case, a_case("漏水"));
    let elsewhere = st.find_training_case(other.company.id, a).await.expect_err("another company's");
    assert!(matches!(elsewhere, crate::StoreError::NotFound(_)), "{elsewhere:?}");
    assert!(st.list_training_cases(other.company.id, 10).await.expect("listed").is_empty());
}
