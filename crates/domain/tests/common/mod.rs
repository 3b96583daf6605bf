//! The organisation the domain's tests act in: one small property company
//! with its departments and one or more staff members per role. Shared by
//! `lifecycle.rs`, `time_limits.rs` and `replay.rs` (each uses a part).
#![allow(dead_code)]

use tousu_domain::complaint::DepartmentRef;
use tousu_domain::lifecycle::{Directory, StaffEntry};
use tousu_domain::{Actor, Role};

pub const DEPARTMENTS: [(&str, &str); 5] = [
    ("engineering", "工程部"),
    ("service_centre", "客服中心"),
    ("security", "秩序部"),
    ("environment", "环境部"),
    ("quality", "品质部"),
];

/// username, id, name, role, department
pub const STAFF: [(&str, i64, &str, Role, Option<&str>); 13] = [
    ("wang.fang", 1, "王芳", Role::FrontDesk, Some("service_centre")),
    ("li.qiang", 2, "李强", Role::Handler, Some("engineering")),
    ("zhao.min", 3, "赵敏", Role::DepartmentHead, Some("engineering")),
    ("sun.li", 4, "孙丽", Role::Handler, Some("security")),
    ("qian.jun", 5, "钱军", Role::DepartmentHead, Some("security")),
    ("zhou.hua", 6, "周华", Role::CompanyLeader, None),
    ("wu.gang", 7, "吴刚", Role::Board, None),
    ("zheng.yu", 8, "郑宇", Role::Analyst, Some("quality")),
    ("feng.lei", 9, "冯磊", Role::Admin, None),
    ("chen.jing", 10, "陈静", Role::Handler, Some("engineering")),
    ("he.ping", 11, "何平", Role::Handler, Some("environment")),
    ("lin.xue", 12, "林雪", Role::FrontDesk, Some("service_centre")),
    ("xu.bo", 13, "徐波", Role::Handler, None),
];

pub struct Org;

impl Directory for Org {
    fn department(&self, code: &str) -> Option<DepartmentRef> {
        DEPARTMENTS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(c, n)| DepartmentRef { code: c.to_string(), name: n.to_string() })
    }

    fn staff(&self, username: &str) -> Option<StaffEntry> {
        STAFF.iter().find(|s| s.0 == username).map(|&(_, id, name, role, dept)| StaffEntry {
            id,
            name: name.to_string(),
            role,
            department: dept.map(str::to_string),
        })
    }
}

/// The staff member `username` as an actor.
pub fn staff(username: &str) -> Actor {
    let s = Org.staff(username).unwrap_or_else(|| panic!("test setup: no staff member {username}"));
    Actor::Staff { id: s.id, name: s.name, role: s.role, department: s.department }
}

/// Everyone who might act: each staff member, then the owner and tousu itself.
pub fn actors() -> Vec<Actor> {
    STAFF
        .iter()
        .map(|&(_, id, name, role, dept)| Actor::Staff { id, name: name.to_string(), role, department: dept.map(str::to_string) })
        .chain([Actor::Owner, Actor::System])
        .collect()
}
