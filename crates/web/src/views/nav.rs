//! The console's navigation: each role sees what it works with.

use serde::Serialize;
use tousu_domain::Role;

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub href: &'static str,
    /// Catalogue key of the label.
    pub label: &'static str,
}

pub fn for_role(role: Role) -> Vec<NavItem> {
    let item = |href, label| NavItem { href, label };
    let mut items = vec![item("/", "nav.home"), item("/complaints", "nav.complaints")];
    if role.may_record_complaints() {
        items.push(item("/complaints/new", "nav.new_complaint"));
    }
    if matches!(role, Role::CompanyLeader | Role::Board | Role::Analyst | Role::DepartmentHead | Role::Admin) {
        items.push(item("/dashboard", "nav.dashboard"));
        items.push(item("/figures", "nav.figures"));
    }
    if role == Role::Admin {
        items.push(item("/admin", "nav.admin"));
    }
    items
}
