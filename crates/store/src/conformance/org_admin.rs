//! Administration of the organisation after the first seed: projects,
//! buildings and departments added one at a time, each in one transaction.

use super::fixture::seed_organisation;
use crate::{Building, ConflictKind, Department, ProjectSeed, Store, StoreError};
use std::sync::Arc;

fn building(name: &str, units: &[&str]) -> Building {
    Building { name: name.into(), units: units.iter().map(|u| u.to_string()).collect() }
}

fn is_duplicate(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(ConflictKind::Duplicate(_)))
}

pub async fn a_project_is_added_with_its_buildings_and_units_and_a_taken_code_is_refused(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let company = org.company.id;
    let new = ProjectSeed {
        code: "P03".into(),
        name: "星河湾".into(),
        buildings: vec![building("A座", &["101", "102"]), building("B座", &["201"])],
    };
    let id = store.insert_project(company, new.clone()).await.expect("added");
    let snapshot = store.find_org_snapshot(company).await.expect("found");
    let p = snapshot.project("P03").expect("the new project is in the snapshot");
    assert_eq!((p.id, p.name.as_str(), &p.buildings), (id, "星河湾", &new.buildings), "buildings and units in order");
    assert_eq!(snapshot.projects.len(), 3, "added after the seeded two");
    assert_eq!(snapshot.projects[2].code, "P03");

    // A taken code is refused and changes nothing.
    let taken = ProjectSeed { code: "P01".into(), name: "同码".into(), buildings: vec![building("9栋", &["901"])] };
    let err = store.insert_project(company, taken).await.expect_err("a taken code");
    assert!(is_duplicate(&err), "{err:?}");
    // A unit named twice is refused whole: not even the project is written.
    let twice = ProjectSeed { code: "P04".into(), name: "重号".into(), buildings: vec![building("1栋", &["101", "101"])] };
    let err = store.insert_project(company, twice).await.expect_err("a unit twice");
    assert!(is_duplicate(&err), "{err:?}");
    let after = store.find_org_snapshot(company).await.expect("found");
    assert_eq!(after.projects, snapshot.projects, "nothing written by the refused inserts");

    // Codes are per company; an unknown company is not found.
    let other = super::fixture::seed_company(&*store, "oth", "OT").await;
    store
        .insert_project(other.company.id, ProjectSeed { code: "P03".into(), name: "别家".into(), buildings: vec![] })
        .await
        .expect("codes are per company");
    let err = store
        .insert_project(other.company.id + 1000, ProjectSeed { code: "X".into(), name: "无".into(), buildings: vec![] })
        .await
        .expect_err("no such company");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

pub async fn a_building_is_added_to_a_project_and_a_taken_name_is_refused_whole(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let company = org.company.id;
    store.insert_building(company, "P02", building("5栋", &["501", "502", "601"])).await.expect("added");
    let snapshot = store.find_org_snapshot(company).await.expect("found");
    let p02 = snapshot.project("P02").expect("P02");
    assert_eq!(p02.buildings.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["3栋", "5栋"]);
    assert_eq!(p02.buildings[1].units, ["501", "502", "601"]);

    let err = store.insert_building(company, "P02", building("3栋", &["999"])).await.expect_err("taken name");
    assert!(is_duplicate(&err), "{err:?}");
    let err = store.insert_building(company, "P02", building("6栋", &["601", "601"])).await.expect_err("unit twice");
    assert!(is_duplicate(&err), "{err:?}");
    let err = store.insert_building(company, "P99", building("1栋", &["101"])).await.expect_err("no such project");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(store.find_org_snapshot(company).await.expect("found").projects, snapshot.projects, "nothing written");
    // Project codes are per company: the other company's P02 gets the building, ours does not.
    let other = super::fixture::seed_company(&*store, "oth", "OT").await;
    store.insert_building(other.company.id, "P02", building("7栋", &["701"])).await.expect("the other company's P02");
    assert_eq!(store.find_org_snapshot(company).await.expect("found").projects, snapshot.projects, "ours unchanged");
    let theirs = store.find_org_snapshot(other.company.id).await.expect("found");
    assert_eq!(theirs.project("P02").map(|p| p.buildings.len()), Some(2));
    let err = store.insert_building(other.company.id + 1000, "P02", building("8栋", &["801"])).await.expect_err("no company");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

pub async fn a_department_is_added_and_a_taken_code_is_refused(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let company = org.company.id;
    store
        .insert_department(company, Department { code: "finance".into(), name: "财务部".into() })
        .await
        .expect("added");
    let snapshot = store.find_org_snapshot(company).await.expect("found");
    assert_eq!(snapshot.departments.last(), Some(&Department { code: "finance".into(), name: "财务部".into() }));
    let err = store
        .insert_department(company, Department { code: "security".into(), name: "保安部".into() })
        .await
        .expect_err("taken");
    assert!(is_duplicate(&err), "{err:?}");
    assert_eq!(store.find_org_snapshot(company).await.expect("found").departments, snapshot.departments);
    let err = store
        .insert_department(company + 1000, Department { code: "x".into(), name: "无".into() })
        .await
        .expect_err("no such company");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}
