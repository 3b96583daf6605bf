//! Evidence files: content-addressed bytes, per-company access.

use super::fixture::{Seeded, seed_company, seed_organisation, t0};
use crate::{NewFile, Store, StoreError};
use std::sync::Arc;
use tousu_domain::Complaint;

/// SHA-256 of `abc` and of `hello world` (the store trusts the caller's hash).
pub const ABC: (&[u8], &str) = (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
pub const HELLO: (&[u8], &str) = (b"hello world", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");

pub fn new_file(org: &Seeded, c: &Complaint, name: &str, (bytes, sha256): (&[u8], &str)) -> NewFile {
    NewFile {
        company_id: org.company.id,
        complaint_id: c.id,
        name: name.into(),
        content_type: "image/jpeg".into(),
        sha256: sha256.into(),
        bytes: bytes.to_vec(),
        uploaded_by: Some(org.staff.front_desk.id),
        uploaded_at: t0(),
    }
}

pub async fn the_same_bytes_stored_twice_are_two_files_sharing_their_content(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let c = org.receive(&*store, org.new_complaint(t0())).await;
    let other = org.receive(&*store, org.new_complaint(t0())).await;

    let first = store.insert_file(new_file(&org, &c, "漏水1.jpg", ABC)).await.expect("stored");
    let second = store.insert_file(new_file(&org, &other, "漏水2.jpg", ABC)).await.expect("stored");
    let third = store.insert_file(new_file(&org, &c, "现场.jpg", HELLO)).await.expect("stored");
    assert!(first != second && second != third && first != third, "each upload is its own file");

    let a = store.find_file(org.company.id, first).await.expect("found");
    let b = store.find_file(org.company.id, second).await.expect("found");
    let h = store.find_file(org.company.id, third).await.expect("found");
    assert_eq!(
        (a.id, a.complaint_id, a.name.as_str(), a.content_type.as_str()),
        (first, c.id, "漏水1.jpg", "image/jpeg")
    );
    assert_eq!((b.id, b.complaint_id, b.name.as_str()), (second, other.id, "漏水2.jpg"));
    assert_eq!((a.bytes.as_slice(), a.sha256.as_str()), ABC);
    assert_eq!((b.bytes.as_slice(), b.sha256.as_str()), ABC);
    assert_eq!((h.bytes.as_slice(), h.sha256.as_str()), HELLO);
}

pub async fn a_file_is_not_found_through_another_company(store: Arc<dyn Store>) {
    let org = seed_organisation(&*store).await;
    let other = seed_company(&*store, "oth", "OT").await;
    let c = org.receive(&*store, org.new_complaint(t0())).await;
    let id = store.insert_file(new_file(&org, &c, "合同.pdf", HELLO)).await.expect("stored");

    let err = store.find_file(other.company.id, id).await.expect_err("another company's file");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let err = store.find_file(org.company.id, id + 1000).await.expect_err("an unknown file");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(store.find_file(org.company.id, id).await.expect("found").bytes, HELLO.0);
}
