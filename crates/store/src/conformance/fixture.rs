//! A small property company to test against, and helpers to record and
//! handle its complaints the way the application does.

use crate::{
    Building, Company, CompanySeed, Department, IdempotencyKey, Inserted, NewComplaint, OrgSeed, OrgSnapshot,
    ProjectSeed, StaffRecord, StaffSeed, Store,
};
use chrono::{Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use tousu_domain::classification::Remedy;
use tousu_domain::complaint::{ProjectRef, StaffRef};
use tousu_domain::intake::{CustomerDraft, Intake, IntakeDraft};
use tousu_domain::lifecycle::decide;
use tousu_domain::{Action, Actor, Category, Channel, Complaint, DomainError, Event, Role, TimePolicy, Timestamp};

/// The seeded company's tracking prefix.
pub const PREFIX: &str = "TS";
pub const TIMEZONE: &str = "Asia/Shanghai";

/// 2026-11-23 10:00 in Shanghai: a working morning.
pub fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap()
}

pub fn minutes(n: i64) -> Duration {
    Duration::minutes(n)
}

/// The local date in Shanghai (UTC+8 all year; China has no summer time),
/// as the application computes it from the company's time zone.
pub fn local_date(at: Timestamp) -> NaiveDate {
    let shanghai = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    at.with_timezone(&shanghai).date_naive()
}

/// The seeded staff: one per role, plus a second handler in another
/// department so that work dispatched there can be accepted.
#[derive(Debug, Clone)]
pub struct Staff {
    /// 客服, service_centre.
    pub front_desk: StaffRecord,
    /// engineering.
    pub handler: StaffRecord,
    /// engineering.
    pub department_head: StaffRecord,
    pub company_leader: StaffRecord,
    pub board: StaffRecord,
    pub analyst: StaffRecord,
    pub admin: StaffRecord,
    /// security.
    pub security_handler: StaffRecord,
}

impl Staff {
    pub fn all(&self) -> [&StaffRecord; 8] {
        [
            &self.front_desk,
            &self.handler,
            &self.department_head,
            &self.company_leader,
            &self.board,
            &self.analyst,
            &self.admin,
            &self.security_handler,
        ]
    }
}

/// What a case needs to know about the company it seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub company: Company,
    /// The two projects, in seed order.
    pub projects: [ProjectRef; 2],
    pub staff: Staff,
    /// The organisation as the store answered it (a [`Directory`] for
    /// `decide`).
    ///
    /// [`Directory`]: tousu_domain::lifecycle::Directory
    pub org: OrgSnapshot,
    pub limits: TimePolicy,
}

/// The seed of one company: departments service_centre/客服中心,
/// engineering/工程部, security/秩序部; projects `P01` (two buildings) and
/// `P02` (one building); the staff of [`Staff`]. Usernames start with the
/// company code, so several companies can share a database.
pub fn company_seed(code: &str, name: &str, prefix: &str) -> CompanySeed {
    let department = |code: &str, name: &str| Department { code: code.into(), name: name.into() };
    let building = |name: &str, units: &[&str]| Building {
        name: name.into(),
        units: units.iter().map(|u| u.to_string()).collect(),
    };
    let staff = |who: &str, name: &str, role: Role, dept: Option<&str>| StaffSeed {
        username: format!("{code}.{who}"),
        display_name: name.into(),
        role,
        department: dept.map(str::to_string),
        password_hash: Some(format!("$argon2id$v=19$fake${who}")),
    };
    CompanySeed {
        code: code.into(),
        name: name.into(),
        tracking_prefix: prefix.into(),
        timezone: TIMEZONE.into(),
        departments: vec![
            department("service_centre", "客服中心"),
            department("engineering", "工程部"),
            department("security", "秩序部"),
        ],
        projects: vec![
            ProjectSeed {
                code: "P01".into(),
                name: "翠湖花园".into(),
                buildings: vec![building("1栋", &["101", "102", "1801"]), building("2栋", &["201"])],
            },
            ProjectSeed {
                code: "P02".into(),
                name: "云山小区".into(),
                buildings: vec![building("3栋", &["0301", "1802"])],
            },
        ],
        staff: vec![
            staff("front_desk", "王芳", Role::FrontDesk, Some("service_centre")),
            staff("handler", "李强", Role::Handler, Some("engineering")),
            staff("department_head", "赵敏", Role::DepartmentHead, Some("engineering")),
            staff("company_leader", "周华", Role::CompanyLeader, None),
            staff("board", "吴刚", Role::Board, None),
            staff("analyst", "郑宇", Role::Analyst, None),
            staff("admin", "冯磊", Role::Admin, None),
            staff("security_handler", "孙丽", Role::Handler, Some("security")),
        ],
    }
}

/// Seeds the company `tsz` (prefix `TS`, Asia/Shanghai) in its own group.
pub async fn seed_organisation(store: &dyn Store) -> Seeded {
    seed_company(store, "tsz", PREFIX).await
}

/// Seeds another company, `code`, with `prefix`, in its own group.
pub async fn seed_company(store: &dyn Store, code: &str, prefix: &str) -> Seeded {
    let seed = OrgSeed {
        group_name: format!("{code} 集团"),
        companies: vec![company_seed(code, &format!("{code} 物业服务有限公司"), prefix)],
    };
    store.insert_organisation(seed).await.expect("the organisation is inserted");
    seeded(store, code).await
}

/// Reads back a seeded company.
pub async fn seeded(store: &dyn Store, code: &str) -> Seeded {
    let companies = store.list_companies().await.expect("companies are listed");
    let company = companies.into_iter().find(|c| c.code == code).expect("the seeded company is listed");
    let org = store.find_org_snapshot(company.id).await.expect("the org snapshot is found");
    let project = |code: &str| {
        let p = org.project(code).expect("a seeded project");
        ProjectRef { id: p.id, code: p.code.clone(), name: p.name.clone() }
    };
    let person = |who: &str| {
        let username = format!("{}.{who}", company.code);
        org.staff.iter().find(|s| s.username == username).cloned().expect("a seeded staff member")
    };
    Seeded {
        projects: [project("P01"), project("P02")],
        staff: Staff {
            front_desk: person("front_desk"),
            handler: person("handler"),
            department_head: person("department_head"),
            company_leader: person("company_leader"),
            board: person("board"),
            analyst: person("analyst"),
            admin: person("admin"),
            security_handler: person("security_handler"),
        },
        limits: TimePolicy::default(),
        company,
        org,
    }
}

/// A staff member as the author of an event.
pub fn actor(s: &StaffRecord) -> Actor {
    Actor::Staff { id: s.id, name: s.display_name.clone(), role: s.role, department: s.department.clone() }
}

/// A valid intake in a project (0 or 1), told apart by `n`.
pub fn intake(project: &ProjectRef, n: usize, category: Option<Category>) -> Intake {
    let (building, unit) = if project.code == "P01" { ("1栋", "1801") } else { ("3栋", "0301") };
    IntakeDraft {
        channel: Channel::ALL[n % Channel::ALL.len()],
        customer: CustomerDraft { name: "张伟".into(), phone: "138 0013 8000".into() },
        project: project.code.clone(),
        building: building.into(),
        unit: unit.into(),
        description: format!("卫生间天花板漏水，已经第{n}次反映了"),
        subject: Some("漏水".into()),
        remedy_sought: Some("尽快维修并赔偿损失".into()),
        remedies: vec![Remedy::Repair, Remedy::Apology],
        first_responder: None,
        category,
        emergency: false,
        service: None,
    }
    .validate()
    .expect("the test intake is valid")
}

impl Seeded {
    pub fn actor(&self, s: &StaffRecord) -> Actor {
        actor(s)
    }

    /// A complaint about project P01, recorded by the front desk at `now`.
    pub fn new_complaint(&self, now: Timestamp) -> NewComplaint {
        self.new_complaint_in(0, now, 1, Some(Category::Facilities))
    }

    /// A complaint about `self.projects[project]`, recorded at `now`.
    pub fn new_complaint_in(
        &self,
        project: usize,
        now: Timestamp,
        n: usize,
        category: Option<Category>,
    ) -> NewComplaint {
        let desk = &self.staff.front_desk;
        NewComplaint {
            company_id: self.company.id,
            tracking_prefix: self.company.tracking_prefix.clone(),
            local_date: local_date(now),
            project: self.projects[project].clone(),
            first_responder: Some(StaffRef { id: desk.id, name: desk.display_name.clone() }),
            intake: intake(&self.projects[project], n, category),
            actor: actor(desk),
            now,
            policy: self.limits.clone(),
            days: tousu_store_days(),
            repeat: None,
            idempotency: None,
        }
    }

    /// Records a complaint that must be new.
    pub async fn receive(&self, store: &dyn Store, new: NewComplaint) -> Complaint {
        expect_new(store.insert_complaint(new).await.expect("the complaint is recorded"))
    }

    /// Decides `action` by `who` at `at` and appends the event, as the
    /// application does; answers the new state and the event, or the refusal.
    pub async fn act(
        &self,
        store: &dyn Store,
        c: &Complaint,
        who: &StaffRecord,
        action: Action,
        at: Timestamp,
    ) -> Result<(Complaint, Event), DomainError> {
        let actor = actor(who);
        let decision = decide(c, &actor, &action, &tousu_domain::lifecycle::Context { now: at, policy: &self.limits, days: &tousu_domain::deadline::WeekendsOnly(tousu_domain::calendar::DEFAULT_TZ), dir: &self.org })?;
        let event = decision.into_event(c, actor, at);
        let mut next = c.clone();
        next.apply(&event);
        store.append_event(&event, &next).await.expect("the event is appended");
        Ok((next, event))
    }

    /// Like [`Seeded::act`], for an action the test knows is allowed.
    pub async fn must(
        &self,
        store: &dyn Store,
        c: &Complaint,
        who: &StaffRecord,
        action: Action,
        at: Timestamp,
    ) -> Complaint {
        let name = action.name();
        match self.act(store, c, who, action, at).await {
            Ok((next, _)) => next,
            Err(e) => panic!("test setup: {name} by {} was refused: {e:?}", who.username),
        }
    }

    /// Walks a complaint through confirm, assess and investigate to dispatch
    /// to `department`.
    pub async fn dispatch(&self, store: &dyn Store, c: &Complaint, department: &str, at: Timestamp) -> Complaint {
        let desk = &self.staff.front_desk;
        let c = self.must(store, c, desk, Action::Confirm { note: None }, at).await;
        let c = self
            .must(
                store,
                &c,
                desk,
                Action::Assess { severity: tousu_domain::Severity::General, category: None, note: None },
                at,
            )
            .await;
        let c = self.must(store, &c, desk, investigate(department), at).await;
        self.must(store, &c, desk, Action::Dispatch { department: None, handler: None, cooperating: vec![], note: None }, at).await
    }
}

pub fn investigate(department: &str) -> Action {
    Action::Investigate {
        department: department.into(),
        post: "水电维修岗".into(),
        person: "李强".into(),
        root_cause: "楼上住户防水层老化".into(),
        evidence: Vec::new(),
        report: Some("现场查看，确认渗水点在楼板".into()),
    }
}

/// An idempotency key.
pub fn key(scope: &str, key: &str, fingerprint: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey { scope: scope.into(), key: key.into(), fingerprint: fingerprint.into() })
}

pub fn expect_new(inserted: Inserted) -> Complaint {
    match inserted {
        Inserted::New(c) => c,
        Inserted::Replayed(c) => panic!("expected a new complaint, got a replay of {}", c.tracking_no),
    }
}

/// The sequence part of a tracking number (`TS20261123-0042` → 42).
pub fn sequence(c: &Complaint) -> u64 {
    let (_, seq) = c.tracking_no.as_str().rsplit_once('-').expect("a tracking number has a dash");
    seq.parse().expect("a tracking sequence is digits")
}

/// Weekends-only working days in Shanghai: the conformance suite does not
/// depend on a holiday calendar.
pub fn tousu_store_days() -> crate::Days {
    crate::Days(std::sync::Arc::new(tousu_domain::deadline::WeekendsOnly(tousu_domain::calendar::DEFAULT_TZ)))
}
