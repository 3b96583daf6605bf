//! Complaint services: intake, transitions, reading, listing, reveal.

use crate::views::{ComplaintPage, ComplaintView, RevealedView};
use crate::{AppError, AppResult, Principal, Services};
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use crate::calendar::CalendarDays;
use std::sync::Arc;
use tousu_domain::complaint::StaffRef;
use tousu_domain::deadline::schedule::Clock;
use tousu_domain::intake::{Intake, IntakeDraft, RepeatLink};
use tousu_domain::lifecycle::{Context, Decision, Directory, decide, decide_reveal};
use tousu_domain::{Actor, TimePolicy};
use tousu_store::Days;
use tousu_domain::masking::PersonalField;
use tousu_domain::{Action, Category, Complaint, DomainError, Severity, Status, Timestamp};
use tousu_store::{ComplaintFilter, IdempotencyKey, Inserted, NewComplaint, PageRequest, StoreError, ConflictKind};

/// How many of a customer's recent complaints are compared for a repeat.
const REPEAT_CANDIDATES: u32 = 20;

/// What deciding needs for one complaint: the time, the policy of its
/// company and project, the calendar and the organisation.
pub struct Env {
    pub now: Timestamp,
    pub policy: TimePolicy,
    pub days: Arc<CalendarDays>,
    pub org: Arc<crate::org::OrgIndex>,
}

impl Env {
    pub fn context(&self) -> Context<'_> {
        Context { now: self.now, policy: &self.policy, days: self.days.as_ref(), dir: self.org.as_ref() as &dyn Directory }
    }

    pub fn clock(&self) -> Clock<'_> {
        Clock { now: self.now, policy: &self.policy, days: self.days.as_ref() }
    }
}

/// How many times a transition is retried when the complaint changed
/// between reading and writing it.
const MAX_ATTEMPTS: usize = 5;
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;
/// Longest `Idempotency-Key` accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// The result of recording a complaint.
pub struct Recorded {
    pub view: ComplaintView,
    /// True when an `Idempotency-Key` matched an earlier request.
    pub replayed: bool,
}

/// List filters as a caller gives them (query string or form).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListRequest {
    /// A status, several separated by commas, or `open` for all not closed.
    pub status: Option<String>,
    /// Project code.
    pub project: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    /// Assigned department code.
    pub department: Option<String>,
    /// Received at or after (RFC 3339).
    pub received_from: Option<String>,
    /// Received before (RFC 3339).
    pub received_to: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page (or `prev_cursor` of the next one).
    pub cursor: Option<String>,
    /// `newest` first (the default) or `oldest` first.
    pub sort: Option<String>,
}

impl Services {
    /// Step 1: records a complaint from any channel. On disk before it answers.
    #[tracing::instrument(level = "debug", skip_all, fields(staff_id = who.staff_id, channel = %draft.channel))]
    pub async fn record_complaint(
        &self,
        who: &Principal,
        draft: IntakeDraft,
        idempotency_key: Option<&str>,
    ) -> AppResult<Recorded> {
        if !who.role.may_record_complaints() {
            return Err(AppError::forbidden(
                format!("{}不能登记投诉", who.role.label_zh()),
                format!("{} may not record complaints", who.role),
            ));
        }
        let idempotency = match idempotency_key {
            None => None,
            Some(key) => Some(IdempotencyKey {
                scope: who.idempotency_scope(),
                key: valid_idempotency_key(key)?,
                // Re-serialised, so that whitespace and key order do not matter.
                fingerprint: hex::encode(Sha256::digest(serde_json::to_vec(&draft).unwrap_or_default())),
            }),
        };
        let intake = draft.validate()?;
        let org = self.org(who.company_id).await?;
        let project = org.place(&intake.project_code, &intake.building, &intake.unit)?;
        let first_responder = match &intake.first_responder {
            None => StaffRef { id: who.staff_id, name: who.name.clone() },
            Some(username) => org
                .snapshot
                .staff
                .iter()
                .find(|s| &s.username == username)
                .map(|s| StaffRef { id: s.id, name: s.display_name.clone() })
                .ok_or_else(|| {
                    DomainError::invalid(
                        "first_responder",
                        format!("没有用户名为 {username} 的员工"),
                        format!("no staff member with username {username}"),
                    )
                })?,
        };
        let actor = who.actor();
        let c = self
            .receive(who.company_id, &org, project, Some(first_responder), intake, actor.clone(), idempotency)
            .await?;
        Ok(match c {
            Inserted::New(c) => Recorded { view: ComplaintView::of(&c, Some(&actor)), replayed: false },
            Inserted::Replayed(c) => Recorded { view: ComplaintView::of(&c, Some(&actor)), replayed: true },
        })
    }

    /// Records a validated, placed intake from `actor` (staff or the owner).
    pub(crate) async fn receive(
        &self,
        company_id: i64,
        org: &crate::org::OrgIndex,
        project: tousu_domain::complaint::ProjectRef,
        first_responder: Option<StaffRef>,
        mut intake: Intake,
        actor: Actor,
        idempotency: Option<IdempotencyKey>,
    ) -> AppResult<Inserted> {
        self.triage_intake(&mut intake);
        let now = self.now();
        let repeat = self.find_repeat(company_id, &intake, now).await?;
        let policy = self.policy().resolve(&org.company.code, &project.code).clone();
        let inserted = self
            .store
            .insert_complaint(NewComplaint {
                company_id,
                tracking_prefix: org.company.tracking_prefix.clone(),
                local_date: local_date(now, &org.company.timezone),
                project,
                first_responder,
                intake,
                actor,
                now,
                policy,
                days: Days(self.working_days(&org.company.timezone)),
                repeat,
                idempotency,
            })
            .await?;
        if let (Inserted::New(c), true) = (&inserted, self.config.detect_groups) {
            // A complaint is recorded whatever group detection makes of it.
            if let Err(e) = self.observe_group(c).await {
                tracing::error!(complaint_id = c.id, error = %e, "group detection failed for a complaint");
            }
        }
        Ok(inserted)
    }

    /// Records many complaints in one write (imports, benchmarks). Each is
    /// validated like a single intake; the first invalid one stops the batch
    /// before anything is written.
    pub async fn record_complaints_bulk(&self, who: &Principal, drafts: Vec<IntakeDraft>) -> AppResult<usize> {
        Ok(self.record_complaints_bulk_returning(who, drafts).await?.len())
    }

    /// Like [`Services::record_complaints_bulk`], answering the complaints recorded.
    pub async fn record_complaints_bulk_returning(
        &self,
        who: &Principal,
        drafts: Vec<IntakeDraft>,
    ) -> AppResult<Vec<Complaint>> {
        if !who.role.may_record_complaints() {
            return Err(AppError::forbidden("无权登记投诉", "may not record complaints"));
        }
        let org = self.org(who.company_id).await?;
        let now = self.now();
        let day = local_date(now, &org.company.timezone);
        let days = Days(self.working_days(&org.company.timezone));
        let book = self.policy();
        let mut batch = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let intake = draft.validate()?;
            let project = org.place(&intake.project_code, &intake.building, &intake.unit)?;
            let policy = book.resolve(&org.company.code, &project.code).clone();
            batch.push(NewComplaint {
                company_id: who.company_id,
                tracking_prefix: org.company.tracking_prefix.clone(),
                local_date: day,
                project,
                first_responder: Some(StaffRef { id: who.staff_id, name: who.name.clone() }),
                intake,
                actor: who.actor(),
                now,
                policy,
                days: days.clone(),
                repeat: None,
                idempotency: None,
            });
        }
        Ok(self.store.insert_complaints(batch).await?)
    }

    /// Reads a complaint with its whole history.
    #[tracing::instrument(level = "debug", skip_all, fields(complaint_id = id))]
    pub async fn show_complaint(&self, who: &Principal, id: i64) -> AppResult<ComplaintView> {
        let c = self.store.find_complaint(who.company_id, id).await?;
        let events = self.store.list_events(id).await?;
        let c = c.with_triage_from(&events);
        Ok(ComplaintView::of(&c, Some(&who.actor())).with_history(&events))
    }

    /// A complaint's deadlines and the event stream of each.
    pub async fn show_deadlines(&self, who: &Principal, id: i64) -> AppResult<crate::views::DeadlinesView> {
        let c = self.store.find_complaint(who.company_id, id).await?;
        let events = self.store.list_events(id).await?;
        Ok(crate::views::DeadlinesView {
            complaint_id: c.id,
            escalation_level: c.escalation_level,
            deadlines: c.deadlines.clone(),
            events: tousu_domain::deadline::stream::stream(&events),
        })
    }

    /// Steps 2–7: performs an action if the state, the role and the fields allow.
    #[tracing::instrument(level = "debug", skip_all, fields(complaint_id = id, action = action.name()))]
    pub async fn transition(&self, who: &Principal, id: i64, action: Action) -> AppResult<ComplaintView> {
        let actor = who.actor();
        let c = self
            .apply_decision(who.company_id, id, &actor, |c, env| decide(c, &actor, &action, &env.context()))
            .await?;
        Ok(ComplaintView::of(&c, Some(&actor)))
    }

    /// Shows personal data in clear to a role that may see it, recording the
    /// reveal in the complaint's history first.
    #[tracing::instrument(level = "debug", skip_all, fields(complaint_id = id, staff_id = who.staff_id))]
    pub async fn reveal(&self, who: &Principal, id: i64, fields: &[PersonalField]) -> AppResult<RevealedView> {
        let actor = who.actor();
        let c = self.apply_decision(who.company_id, id, &actor, |c, _| decide_reveal(c, &actor, fields)).await?;
        let has = |f| fields.contains(&f);
        Ok(RevealedView {
            complaint_id: c.id,
            name: has(PersonalField::Name).then(|| c.customer.name.clone()),
            phone: has(PersonalField::Phone).then(|| c.customer.phone.to_string()),
            unit: has(PersonalField::Unit).then(|| c.unit.clone()),
            description: has(PersonalField::Phone).then(|| c.description.clone()),
            recorded_as_seq: c.version,
        })
    }

    /// Reads, decides and appends, retrying when someone else appended first.
    pub(crate) async fn apply_decision(
        &self,
        company_id: i64,
        id: i64,
        actor: &Actor,
        decide: impl Fn(&Complaint, &Env) -> Result<Decision, DomainError>,
    ) -> AppResult<Complaint> {
        let now = self.now();
        self.apply_if(company_id, id, actor, now, |c, env| decide(c, env).map(Some))
            .await?
            .ok_or_else(|| AppError::Internal("a decision vanished".into()))
    }

    /// Like [`Services::apply_decision`] at a chosen time, for decisions that
    /// may find nothing to record (`Ok(None)`: nothing is written).
    pub(crate) async fn apply_if(
        &self,
        company_id: i64,
        id: i64,
        actor: &Actor,
        now: Timestamp,
        decide: impl Fn(&Complaint, &Env) -> Result<Option<Decision>, DomainError>,
    ) -> AppResult<Option<Complaint>> {
        let org = self.org(company_id).await?;
        let book = self.policy();
        let days = self.working_days(&org.company.timezone);
        for _ in 0..MAX_ATTEMPTS {
            let mut c = self.store.find_complaint(company_id, id).await?;
            // People see and may correct triage's reading: rebuild it from
            // the history (the stored state does not keep it). The worker and
            // the system's own links do without.
            if !matches!(actor, Actor::System) {
                c = c.with_triage_from(&self.store.list_events(id).await?);
            }
            let env = Env {
                now: now.max(c.updated_at),
                policy: book.resolve(&org.company.code, &c.project.code).clone(),
                days: days.clone(),
                org: org.clone(),
            };
            let Some(mut decision) = decide(&c, &env)? else { return Ok(None) };
            self.complete_decision(&c, &mut decision, env.now).await?;
            let event = decision.into_event(&c, actor.clone(), env.now);
            c.apply(&event);
            match self.store.append_event(&event, &c).await {
                Ok(()) => return Ok(Some(c)),
                Err(StoreError::Conflict(ConflictKind::Version)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Busy)
    }

    /// Completes a decided event with what only storage knows, before it
    /// is written: whether a callback's household had an extra service
    /// (惊喜服务, so the figures can compare the two), and the defect
    /// library's root cause against the tree in force (缺陷库).
    pub(crate) async fn complete_decision(&self, c: &Complaint, decision: &mut Decision, now: Timestamp) -> AppResult<()> {
        if let tousu_domain::EventKind::CallbackRecorded(s) = &mut decision.kind {
            s.extra_service = self.store.household_had_extra_service(c.project.id, &c.building, &c.unit, now).await?;
        }
        self.complete_defect(c, &mut decision.kind).await
    }

    /// The earlier complaint a new one repeats: the same customer and unit,
    /// a similar text, within the repeat window.
    async fn find_repeat(&self, company_id: i64, intake: &Intake, now: Timestamp) -> AppResult<Option<RepeatLink>> {
        let since = now - chrono::Duration::days(self.config.repeat_window_days);
        let earlier = self
            .store
            .list_complaints_by_customer(company_id, intake.customer.phone.as_str(), since, REPEAT_CANDIDATES)
            .await?;
        Ok(earlier
            .into_iter()
            .find(|c| {
                c.project.code == intake.project_code
                    && c.building == intake.building
                    && c.unit == intake.unit
                    && tousu_domain::repeat::similarity(&c.description, &intake.description) >= tousu_domain::repeat::SAME_ISSUE
            })
            .map(|c| RepeatLink {
                of: c.id,
                tracking_no: c.tracking_no.clone(),
                count: c.repeat.as_ref().map_or(0, |r| r.count) + 1,
            }))
    }

    /// Lists the caller's company's complaints, newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_complaints(&self, who: &Principal, req: ListRequest) -> AppResult<ComplaintPage> {
        let (filter, page, back) = parse_list_paged(req)?;
        let result = self.store.list_complaints(who.company_id, &filter, page).await?;
        let actor = who.actor();
        let more = result.next_before_id.is_some() || result.next_after_id.is_some();
        let mut items: Vec<ComplaintView> = result.items.iter().map(|c| ComplaintView::of(c, Some(&actor))).collect();
        // A page walked backwards was read in the other order.
        if back {
            items.reverse();
        }
        let (first, last) = (items.first().map(|c| c.id), items.last().map(|c| c.id));
        let came_from_elsewhere = page.before_id.is_some() || page.after_id.is_some();
        let (next_cursor, prev_cursor) = if back {
            (last.map(encode_cursor), if more { first.map(encode_back_cursor) } else { None })
        } else {
            (if more { last.map(encode_cursor) } else { None }, if came_from_elsewhere { first.map(encode_back_cursor) } else { None })
        };
        Ok(ComplaintPage { items, next_cursor, prev_cursor })
    }
}

/// How many earlier complaints a customer lookup shows.
pub const LOOKUP_LIMIT: u32 = 20;

/// Whether a role may look a customer up by phone or unit and see their
/// earlier complaints: the service centre, which receives and calls back,
/// and the leaders complaints escalate to. Departments see what is
/// dispatched to them; analysts and administrators never look for a person.
pub fn may_look_up_customers(role: tousu_domain::Role) -> bool {
    use tousu_domain::Role::*;
    matches!(role, FrontDesk | CompanyLeader | Board)
}

/// A customer's earlier complaints, found by phone or by unit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CustomerHistory {
    /// Newest first, masked, at most [`LOOKUP_LIMIT`].
    pub items: Vec<ComplaintView>,
    /// How many times the latest complaint repeats an earlier one
    /// (`repeat.count`; 0 when it repeats none).
    pub repeat_count: u32,
    /// More complaints than shown.
    pub more: bool,
}

impl CustomerHistory {
    fn of(found: Vec<Complaint>, viewer: &Actor) -> CustomerHistory {
        let more = found.len() > LOOKUP_LIMIT as usize;
        let items: Vec<ComplaintView> =
            found.iter().take(LOOKUP_LIMIT as usize).map(|c| ComplaintView::of(c, Some(viewer))).collect();
        let repeat_count = items.first().and_then(|c| c.repeat.as_ref()).map_or(0, |r| r.count);
        CustomerHistory { items, repeat_count, more }
    }
}

impl Services {
    fn check_lookup(&self, who: &Principal) -> AppResult<()> {
        if may_look_up_customers(who.role) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                format!("{}不能按电话或房号查询投诉人", who.role.label_zh()),
                format!("{} may not look customers up by phone or unit", who.role.label_en()),
            ))
        }
    }

    /// A customer's complaints by their phone number (any way it is typed).
    pub async fn customer_history_by_phone(&self, who: &Principal, phone: &str) -> AppResult<CustomerHistory> {
        self.check_lookup(who)?;
        let phone = tousu_domain::phone::PhoneNumber::parse("phone", phone)?;
        let since = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let found = self
            .store
            .list_complaints_by_customer(who.company_id, phone.as_str(), since, LOOKUP_LIMIT + 1)
            .await?;
        Ok(CustomerHistory::of(found, &who.actor()))
    }

    /// The complaints about a unit (project code, building, unit).
    pub async fn customer_history_at_unit(
        &self,
        who: &Principal,
        project: &str,
        building: &str,
        unit: &str,
    ) -> AppResult<CustomerHistory> {
        self.check_lookup(who)?;
        let org = self.org(who.company_id).await?;
        org.place(project.trim(), building.trim(), unit.trim())?;
        let found = self
            .store
            .list_complaints_at_unit(who.company_id, project.trim(), building.trim(), unit.trim(), LOOKUP_LIMIT + 1)
            .await?;
        Ok(CustomerHistory::of(found, &who.actor()))
    }

    /// The caller's company's complaint with a tracking number, if any.
    pub async fn find_by_tracking_no(&self, who: &Principal, tracking_no: &str) -> AppResult<Option<i64>> {
        let no = tousu_domain::TrackingNo::parse(tracking_no)?;
        let found = self.store.find_complaints_by_tracking_no(&no).await?;
        Ok(found.into_iter().find(|c| c.company_id == who.company_id).map(|c| c.id))
    }
}

fn valid_idempotency_key(key: &str) -> Result<String, DomainError> {
    let key = key.trim();
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(DomainError::invalid(
            "Idempotency-Key",
            "幂等键应为 1 到 255 个可见 ASCII 字符",
            "an Idempotency-Key is 1 to 255 visible ASCII characters",
        ));
    }
    Ok(key.to_string())
}

/// The company's local date (tracking numbers count per local day).
pub fn local_date(now: Timestamp, timezone: &str) -> chrono::NaiveDate {
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    now.with_timezone(&tz).date_naive()
}

/// The page after the one ending at `id`, in the listed order.
fn encode_cursor(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("v1:{id}"))
}

/// The page before the one starting at `id`, in the listed order.
fn encode_back_cursor(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("p1:{id}"))
}

/// A cursor: the id it continues from, and whether it walks back.
fn decode_cursor(cursor: &str) -> Result<(i64, bool), DomainError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let (back, n) = match s.split_once(':')? {
                ("v1", n) => (false, n),
                ("p1", n) => (true, n),
                _ => return None,
            };
            n.parse().ok().map(|id| (id, back))
        })
        .ok_or_else(|| DomainError::invalid("cursor", "分页游标无效", "invalid cursor; pass next_cursor unchanged"))
}

pub(crate) fn parse_time(field: &str, v: &str) -> Result<Timestamp, DomainError> {
    chrono::DateTime::parse_from_rfc3339(v.trim()).map(|t| t.to_utc()).map_err(|_| {
        DomainError::invalid(field, "时间格式应为 RFC 3339，例如 2026-11-23T08:00:00+08:00", "expected an RFC 3339 time, e.g. 2026-11-23T08:00:00+08:00")
    })
}

pub(crate) fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_list_paged(req: ListRequest) -> Result<(ComplaintFilter, PageRequest, bool), DomainError> {
    let mut filter = ComplaintFilter::default();
    if let Some(status) = non_empty(req.status) {
        for s in status.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if s == "open" {
                filter.open_only = true;
            } else {
                filter.statuses.push(Status::parse(s).ok_or_else(|| {
                    DomainError::invalid(
                        "status",
                        format!("未知状态「{s}」"),
                        format!("unknown status `{s}`; expected open or one of {}", Status::ALL.map(|s| s.as_str()).join(", ")),
                    )
                })?);
            }
        }
    }
    filter.project_code = non_empty(req.project);
    filter.category = non_empty(req.category).map(|c| Category::parse(&c)).transpose()?;
    filter.severity = non_empty(req.severity).map(|s| Severity::parse(&s)).transpose()?;
    filter.department = non_empty(req.department);
    filter.received_from = non_empty(req.received_from).map(|t| parse_time("received_from", &t)).transpose()?;
    filter.received_to = non_empty(req.received_to).map(|t| parse_time("received_to", &t)).transpose()?;
    let limit = req.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(DomainError::invalid("limit", "每页条数应为 1 到 200", "limit must be from 1 to 200"));
    }
    let oldest_first = match non_empty(req.sort).as_deref() {
        None | Some("newest") => false,
        Some("oldest") => true,
        Some(other) => {
            return Err(DomainError::invalid(
                "sort",
                format!("未知排序「{other}」，可选 newest（最新在前）或 oldest（最早在前）"),
                format!("unknown sort `{other}`; expected newest or oldest"),
            ));
        }
    };
    let cursor = non_empty(req.cursor).map(|c| decode_cursor(&c)).transpose()?;
    let page = match cursor {
        None => PageRequest { limit, before_id: None, after_id: None, oldest_first },
        // Onwards in the listed order.
        Some((id, false)) if oldest_first => PageRequest { limit, before_id: None, after_id: Some(id), oldest_first },
        Some((id, false)) => PageRequest { limit, before_id: Some(id), after_id: None, oldest_first },
        // Back: the other way from the page's first item, read in the other order.
        Some((id, true)) if oldest_first => PageRequest { limit, before_id: Some(id), after_id: None, oldest_first: false },
        Some((id, true)) => PageRequest { limit, before_id: None, after_id: Some(id), oldest_first: true },
    };
    Ok((filter, page, cursor.is_some_and(|(_, back)| back)))
}

/// The filter and the page of a list request (a page walked back is read
/// in the opposite order: turn it round).
pub fn parse_list(req: ListRequest) -> Result<(ComplaintFilter, PageRequest), DomainError> {
    parse_list_paged(req).map(|(filter, page, _)| (filter, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_a_forged_one_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)).unwrap(), (42, false));
        assert_eq!(decode_cursor(&encode_back_cursor(42)).unwrap(), (42, true));
        assert_eq!(decode_cursor("garbage!").unwrap_err().field(), Some("cursor"));
    }

    #[test]
    fn open_and_statuses_combine() {
        let (f, _) = parse_list(ListRequest { status: Some("open,dispatched".into()), ..Default::default() }).unwrap();
        assert!(f.open_only);
        assert_eq!(f.statuses, vec![Status::Dispatched]);
    }

    #[test]
    fn an_unknown_status_names_the_field() {
        let err = parse_list(ListRequest { status: Some("lost".into()), ..Default::default() }).unwrap_err();
        assert_eq!(err.field(), Some("status"));
    }

    #[test]
    fn the_local_date_is_shanghai_by_default() {
        let late_utc = chrono::DateTime::parse_from_rfc3339("2026-11-23T17:00:00Z").unwrap().to_utc();
        assert_eq!(local_date(late_utc, "Asia/Shanghai").to_string(), "2026-11-24");
    }
}
