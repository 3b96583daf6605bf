//! Group complaints (群诉) as they arrive: each new complaint is shown to
//! the detector (MinHash over character n-grams and cause keywords, bucketed
//! by project and time: it costs the same whatever the history). When
//! different households of one project complain of one cause within a short
//! window, an incident opens: its members are linked in their histories, the
//! company's leaders are told, and its severity rises as it grows.
//!
//! The detector lives in memory; at start it is rebuilt from the complaints
//! of the last window, so a restart neither forgets a group that was
//! forming nor opens an incident twice.

use crate::{AppResult, Services};
use std::collections::HashMap;
use std::sync::Mutex;
use tousu_domain::event::GroupLink;
use tousu_domain::lifecycle::decide_group_link;
use tousu_domain::{Actor, Complaint, Severity};
use tousu_store::GroupIncident;
use tousu_triage::{Finding, GroupConfig, GroupDetector, Observation};

pub struct GroupsState {
    detector: Mutex<GroupDetector>,
    /// The detector's incident numbers → the stored incidents, with what a
    /// new member's link repeats (so that joining reads nothing).
    ids: Mutex<HashMap<u64, Known>>,
    config: GroupConfig,
}

/// A stored incident as members join it.
#[derive(Debug, Clone)]
struct Known {
    id: i64,
    severity: Severity,
    cause: String,
}

impl GroupsState {
    fn known(&self, incident: u64) -> Option<Known> {
        self.ids.lock().ok().and_then(|ids| ids.get(&incident).cloned())
    }

    fn remember(&self, incident: u64, known: Known) {
        if let Ok(mut ids) = self.ids.lock() {
            ids.insert(incident, known);
        }
    }

    pub(crate) fn new(config: GroupConfig, triage: std::sync::Arc<tousu_triage::Triage>) -> GroupsState {
        GroupsState {
            detector: Mutex::new(GroupDetector::with_triage(config.clone(), triage)),
            ids: Mutex::new(HashMap::new()),
            config,
        }
    }
}

fn observation(c: &Complaint) -> Observation {
    Observation {
        id: c.id.to_string(),
        // Project codes are unique per company only.
        project: format!("{}/{}", c.company_id, c.project.code),
        building: Some(c.building.clone()),
        unit: Some(c.unit.clone()),
        customer: Some(c.customer.phone.to_string()),
        text: match &c.subject {
            Some(s) => format!("{s}。{}", c.description),
            None => c.description.clone(),
        },
        at: c.received_at,
    }
}

fn severity(s: tousu_triage::Severity) -> Severity {
    Severity::parse(s.as_str()).unwrap_or(Severity::Major)
}

impl Services {
    /// Shows a new complaint to the detector and acts on what it finds.
    pub(crate) async fn observe_group(&self, c: &Complaint) -> AppResult<()> {
        let findings = match self.groups.detector.lock() {
            Ok(mut d) => d.observe(observation(c)),
            Err(e) => e.into_inner().observe(observation(c)),
        };
        self.act_on_findings(c.company_id, c.project.id, findings, true).await
    }

    async fn act_on_findings(&self, company_id: i64, project_id: i64, findings: Vec<Finding>, live: bool) -> AppResult<()> {
        for f in findings {
            match f {
                Finding::GroupOpened { incident, members, flagged_at, households, severity: s, cause, .. } => {
                    let members: Vec<i64> = members.iter().filter_map(|m| m.parse().ok()).collect();
                    let flagged: i64 = flagged_at.parse().unwrap_or_default();
                    // After a restart the incident may already be stored.
                    let stored = match self.store.find_group_incident_of(flagged).await? {
                        Some(g) => Known { id: g.id, severity: g.severity, cause: g.cause },
                        None => {
                            let now = self.now();
                            let id = self
                                .store
                                .insert_group_incident(GroupIncident {
                                    id: 0,
                                    company_id,
                                    project_id,
                                    cause: cause.clone(),
                                    severity: severity(s),
                                    households: households as u32,
                                    flagged_complaint_id: flagged,
                                    members: members.clone(),
                                    opened_at: now,
                                    updated_at: now,
                                })
                                .await?;
                            let link = |opened| GroupLink { incident: id, households: households as u32, severity: severity(s), cause: cause.clone(), opened, raised: false };
                            for m in &members {
                                self.link(company_id, *m, link(*m == flagged)).await;
                            }
                            Known { id, severity: severity(s), cause: cause.clone() }
                        }
                    };
                    self.groups.remember(incident, stored);
                }
                Finding::GroupJoined { incident, id, households } if live => {
                    let Some(known) = self.groups.known(incident) else { continue };
                    let Ok(member) = id.parse::<i64>() else { continue };
                    self.store.update_group_incident(known.id, known.severity, households as u32, &[member], self.now()).await?;
                    let link = GroupLink {
                        incident: known.id,
                        households: households as u32,
                        severity: known.severity,
                        cause: known.cause,
                        opened: false,
                        raised: false,
                    };
                    self.link(company_id, member, link).await;
                }
                Finding::SeverityRaised { incident, severity: s, households, .. } if live => {
                    let Some(known) = self.groups.known(incident) else { continue };
                    let stored = known.id;
                    self.groups.remember(incident, Known { severity: severity(s), ..known });
                    // Rare (once per threshold): the members are read whole.
                    let Some(g) = self.incident(company_id, stored).await? else { continue };
                    self.store.update_group_incident(stored, severity(s), households as u32, &[], self.now()).await?;
                    for m in &g.members {
                        let link = GroupLink {
                            incident: stored,
                            households: households as u32,
                            severity: severity(s),
                            cause: g.cause.clone(),
                            opened: false,
                            raised: *m == *g.members.last().unwrap_or(m),
                        };
                        self.link(company_id, *m, link).await;
                    }
                }
                // Repeats are linked at intake by the customer's own history.
                _ => {}
            }
        }
        Ok(())
    }

    async fn incident(&self, company_id: i64, id: i64) -> AppResult<Option<GroupIncident>> {
        Ok(self.store.list_group_incidents(company_id, 200).await?.into_iter().find(|g| g.id == id))
    }

    /// Records a member's link in its history; a failure is logged, the
    /// incident stands.
    async fn link(&self, company_id: i64, complaint_id: i64, link: GroupLink) {
        let r = self
            .apply_decision(company_id, complaint_id, &Actor::System, |c, env| Ok(decide_group_link(c, link.clone(), &env.clock())))
            .await;
        if let Err(e) = r {
            tracing::error!(complaint_id, error = %e, "could not link a complaint to its group incident");
        }
    }

    /// Rebuilds the detector from the complaints of the last window (at start).
    pub async fn rebuild_groups(&self) -> AppResult<()> {
        if !self.config.detect_groups {
            return Ok(());
        }
        let since = self.now() - chrono::Duration::minutes((self.groups.config.window_hours * 60.0) as i64);
        for company in self.store.list_companies().await? {
            let filter = tousu_store::ComplaintFilter { received_from: Some(since), ..Default::default() };
            let mut page_request = tousu_store::PageRequest::oldest_first(200);
            loop {
                let page = self.store.list_complaints(company.id, &filter, page_request).await?;
                for c in &page.items {
                    let findings = match self.groups.detector.lock() {
                        Ok(mut d) => d.observe(observation(c)),
                        Err(e) => e.into_inner().observe(observation(c)),
                    };
                    self.act_on_findings(c.company_id, c.project.id, findings, false).await?;
                }
                match page.next_after_id {
                    Some(a) => page_request.after_id = Some(a),
                    None => break,
                }
            }
        }
        Ok(())
    }

    /// The other complaints of the group incident a complaint belongs to
    /// (ids, oldest first, at most `limit`), for links between them.
    pub async fn group_members_of(&self, who: &crate::Principal, complaint_id: i64, limit: usize) -> AppResult<Vec<i64>> {
        Ok(match self.store.find_group_incident_of(complaint_id).await? {
            Some(g) if g.company_id == who.company_id => {
                g.members.into_iter().filter(|m| *m != complaint_id).take(limit).collect()
            }
            _ => Vec::new(),
        })
    }

    /// A company's group incidents, newest first.
    pub async fn list_group_incidents(&self, who: &crate::Principal, limit: u32) -> AppResult<Vec<GroupIncident>> {
        Ok(self.store.list_group_incidents(who.company_id, limit.clamp(1, 500)).await?)
    }
}
