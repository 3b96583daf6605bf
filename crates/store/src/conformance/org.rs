//! The organisation, staff and credentials.

use super::fixture::{TIMEZONE, company_seed, minutes, seed_organisation, t0};
use crate::{Building, ConflictKind, CredentialKind, Department, NewCredential, OrgSeed, StaffSeed, Store, StoreError};
use std::sync::Arc;
use tousu_domain::Role;
use tousu_domain::lifecycle::Directory;

pub async fn the_org_snapshot_has_projects_with_buildings_and_units_departments_and_staff(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let seed = company_seed("tsz", "tsz 物业服务有限公司", "TS");

    let companies = store.list_companies().await.expect("listed");
    assert_eq!(companies.len(), 1);
    let company = &companies[0];
    assert_eq!(
        (company.group_name.as_str(), company.code.as_str(), company.name.as_str()),
        ("tsz 集团", "tsz", "tsz 物业服务有限公司")
    );
    assert_eq!((company.tracking_prefix.as_str(), company.timezone.as_str()), ("TS", TIMEZONE));

    let snapshot = store.find_org_snapshot(company.id).await.expect("found");
    assert_eq!(snapshot.departments, seed.departments, "departments in seed order");
    let projects: Vec<_> = snapshot.projects.iter().map(|p| (&p.code, &p.name, &p.buildings)).collect();
    let seeded: Vec<_> = seed.projects.iter().map(|p| (&p.code, &p.name, &p.buildings)).collect();
    assert_eq!(projects, seeded, "projects, buildings and units in seed order");
    assert_ne!(snapshot.projects[0].id, snapshot.projects[1].id);
    assert_eq!(
        snapshot.project("P02").map(|p| &p.buildings[0]),
        Some(&Building { name: "3栋".into(), units: vec!["0301".into(), "1802".into()] })
    );

    assert_eq!(snapshot.staff.len(), seed.staff.len());
    for (record, seed) in snapshot.staff.iter().zip(&seed.staff) {
        assert_eq!(
            (&record.username, &record.display_name, record.role, &record.department, &record.password_hash),
            (&seed.username, &seed.display_name, seed.role, &seed.department, &seed.password_hash)
        );
        assert_eq!(record.company_id, company.id);
    }
    // The snapshot serves `decide` as its directory.
    assert_eq!(snapshot.department("engineering").map(|d| d.name), Some("工程部".to_string()));
    let handler = snapshot.staff("tsz.handler").expect("the handler is in the directory");
    assert_eq!((handler.id, handler.role), (org.staff.handler.id, Role::Handler));
    assert!(snapshot.department("finance").is_none());
}

pub async fn staff_are_found_by_username_and_role_and_their_password_changes(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let handler = &org.staff.handler;
    assert_eq!(store.find_staff_by_username("tsz.handler").await.expect("answered").as_ref(), Some(handler));
    assert_eq!(store.find_staff_by_username("nobody").await.expect("answered"), None);

    let handlers = store.list_staff_by_role(Role::Handler).await.expect("listed");
    assert_eq!(handlers, vec![handler.clone(), org.staff.security_handler.clone()], "oldest first");
    assert_eq!(store.list_staff_by_role(Role::Board).await.expect("listed"), vec![org.staff.board.clone()]);

    store.update_staff_password(handler.id, "$argon2id$new").await.expect("updated");
    let found = store.find_staff_by_username("tsz.handler").await.expect("answered").expect("found");
    assert_eq!(found.password_hash.as_deref(), Some("$argon2id$new"));
    let err = store.update_staff_password(handler.id + 1000, "x").await.expect_err("unknown staff");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

/// A seed is one transaction: refused whole on a taken code or username,
/// even when the duplicate comes last.
pub async fn a_duplicate_code_or_username_is_refused_and_nothing_of_the_seed_is_written(store: Arc<dyn Store>) {
    seed_organisation(&*store).await;
    let companies = store.list_companies().await.expect("listed");

    let mut twice_p01 = company_seed("new1", "新一物业", "NA");
    twice_p01.projects.push(twice_p01.projects[0].clone());
    let mut twice_security = company_seed("new2", "新二物业", "NB");
    twice_security.departments.push(Department { code: "security".into(), name: "保安部".into() });
    let mut taken_username = company_seed("new3", "新三物业", "NC");
    taken_username.staff.push(StaffSeed {
        username: "tsz.handler".into(),
        display_name: "重名".into(),
        role: Role::Handler,
        department: Some("engineering".into()),
        password_hash: None,
    });
    let taken_code = company_seed("tsz", "同码物业", "ND");
    let second_company_taken = company_seed("new5", "新五物业", "NE");
    let cases = [
        ("a project code twice", vec![twice_p01]),
        ("a department code twice", vec![twice_security]),
        ("a taken username", vec![taken_username]),
        ("a taken company code", vec![taken_code]),
        ("a good company then a taken code", vec![second_company_taken, company_seed("tsz", "同码", "NF")]),
    ];
    for (what, seeds) in cases {
        let usernames: Vec<String> = seeds.iter().flat_map(|c| &c.staff).map(|s| s.username.clone()).collect();
        let seed = OrgSeed { group_name: format!("{what} 集团"), companies: seeds };
        let err = store.insert_organisation(seed).await.expect_err(what);
        assert!(matches!(err, StoreError::Conflict(ConflictKind::Duplicate(_))), "{what}: {err:?}");
        assert_eq!(store.list_companies().await.expect("listed"), companies, "{what}: no company written");
        for u in usernames.iter().filter(|u| !u.starts_with("tsz.")) {
            assert_eq!(store.find_staff_by_username(u).await.expect("answered"), None, "{what}: {u} not written");
        }
    }
    // The same project and department codes are fine in another company.
    let fine =
        OrgSeed { group_name: "另一集团".into(), companies: vec![company_seed("new9", "新九物业", "NG")] };
    store.insert_organisation(fine).await.expect("codes are per company");
    assert_eq!(store.list_companies().await.expect("listed").len(), 2);
}

pub async fn a_session_is_found_until_it_expires_or_is_revoked(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let desk = &org.staff.front_desk;
    let session = NewCredential {
        secret_hash: "a".repeat(64),
        staff_id: desk.id,
        kind: CredentialKind::Session,
        label: None,
        created_at: t0(),
        expires_at: Some(t0() + minutes(60)),
    };
    store.insert_credential(session.clone()).await.expect("stored");
    let found = |hash: String, at| {
        let store = store.clone();
        async move { store.find_credential(&hash, at).await.expect("answered") }
    };
    assert_eq!(found(session.secret_hash.clone(), t0()).await.as_ref(), Some(desk));
    assert_eq!(found(session.secret_hash.clone(), t0() + minutes(59)).await.as_ref(), Some(desk));
    assert_eq!(found(session.secret_hash.clone(), t0() + minutes(61)).await, None, "expired");
    assert_eq!(found("b".repeat(64), t0()).await, None, "unknown");

    let token = NewCredential {
        secret_hash: "c".repeat(64),
        staff_id: org.staff.handler.id,
        kind: CredentialKind::ApiToken,
        label: Some("工单系统对接".into()),
        expires_at: None,
        ..session.clone()
    };
    store.insert_credential(token.clone()).await.expect("stored");
    let far = t0() + minutes(60 * 24 * 365);
    assert_eq!(found(token.secret_hash.clone(), far).await.as_ref(), Some(&org.staff.handler), "never expires");

    store.revoke_credential(&session.secret_hash, t0() + minutes(1)).await.expect("revoked");
    store.revoke_credential(&token.secret_hash, t0() + minutes(1)).await.expect("revoked");
    store.revoke_credential(&token.secret_hash, t0() + minutes(2)).await.expect("revoking twice is harmless");
    assert_eq!(found(session.secret_hash.clone(), t0() + minutes(2)).await, None, "revoked session");
    assert_eq!(found(token.secret_hash.clone(), t0() + minutes(2)).await, None, "revoked token");
}

pub async fn a_staff_member_added_later_is_found_and_a_taken_username_is_refused(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let newcomer = StaffSeed {
        username: "tsz.new.handler".into(),
        display_name: "陈静".into(),
        role: Role::Handler,
        department: Some("security".into()),
        password_hash: None,
    };
    let id = store.insert_staff(org.company.id, newcomer.clone()).await.expect("added");
    let found = store.find_staff_by_username("tsz.new.handler").await.expect("answered").expect("found");
    assert_eq!(
        (found.id, found.company_id, found.display_name.as_str(), found.role, found.department.as_deref()),
        (id, org.company.id, "陈静", Role::Handler, Some("security"))
    );
    let snapshot = store.find_org_snapshot(org.company.id).await.expect("found");
    assert_eq!(snapshot.staff.last(), Some(&found), "in the company's snapshot");

    let taken = StaffSeed { username: org.staff.handler.username.clone(), ..newcomer };
    let err = store.insert_staff(org.company.id, taken).await.expect_err("a taken username");
    assert!(matches!(err, StoreError::Conflict(ConflictKind::Duplicate(_))), "{err:?}");
    let handlers = store.list_staff_by_role(Role::Handler).await.expect("listed");
    assert_eq!(handlers.len(), 3, "the refused staff member was not written");
}
