//! Staff roles. Each lifecycle action names the roles that may perform it
//! (see [`crate::lifecycle`]); a role is never inferred from a department.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A staff member's role. The seven roles of DOMAIN.md "Who uses it".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 客服 — front desk / call agent of the service centre.
    FrontDesk,
    /// 部门处理人 — a handler in a department; acts only for their department.
    Handler,
    /// 部门负责人 — head of a department.
    DepartmentHead,
    /// 公司主管领导 — a company leader.
    CompanyLeader,
    /// 董事领导 — the board.
    Board,
    /// 品质部分析员 — quality / analyst: reads figures, never personal data.
    Analyst,
    /// 系统管理员 — administrator of the organisation.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::FrontDesk,
        Role::Handler,
        Role::DepartmentHead,
        Role::CompanyLeader,
        Role::Board,
        Role::Analyst,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::FrontDesk => "front_desk",
            Role::Handler => "handler",
            Role::DepartmentHead => "department_head",
            Role::CompanyLeader => "company_leader",
            Role::Board => "board",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// The Chinese name shown to users (and to owners, in place of staff names).
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::FrontDesk => "客服",
            Role::Handler => "处理人员",
            Role::DepartmentHead => "部门负责人",
            Role::CompanyLeader => "公司主管领导",
            Role::Board => "董事领导",
            Role::Analyst => "品质分析员",
            Role::Admin => "系统管理员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::FrontDesk => "front desk",
            Role::Handler => "handler",
            Role::DepartmentHead => "department head",
            Role::CompanyLeader => "company leader",
            Role::Board => "board",
            Role::Analyst => "analyst",
            Role::Admin => "administrator",
        }
    }

    /// Whether this role may ask to see a customer's name, phone and unit in
    /// clear. Analysts and administrators work on figures and the organisation,
    /// never on a person (DOMAIN.md "Confidentiality").
    pub fn may_reveal_personal_data(self) -> bool {
        matches!(
            self,
            Role::FrontDesk | Role::Handler | Role::DepartmentHead | Role::CompanyLeader | Role::Board
        )
    }

    /// Whether this role may record complaints (intake).
    pub fn may_record_complaints(self) -> bool {
        matches!(
            self,
            Role::FrontDesk | Role::Handler | Role::DepartmentHead | Role::CompanyLeader
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role `{0}`; expected one of front_desk, handler, department_head, company_leader, board, analyst, admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn an_unknown_role_is_rejected_with_the_list_of_roles() {
        let err = "janitor".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("front_desk"));
    }

    #[test]
    fn analysts_and_admins_never_see_personal_data() {
        assert!(!Role::Analyst.may_reveal_personal_data());
        assert!(!Role::Admin.may_reveal_personal_data());
        assert!(Role::FrontDesk.may_reveal_personal_data());
    }
}
