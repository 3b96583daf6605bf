//! The owners' portal: owners submit complaints from a project's page
//! (with photos), follow them, accept or reject the result and answer the
//! callback survey, without an account. They are identified by the
//! tracking number and the phone they gave; every action is rate-limited.

use crate::views::OwnerTrackingView;
use crate::{AppError, AppResult, Services};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use tousu_domain::intake::{CustomerDraft, IntakeDraft};
use tousu_domain::lifecycle::{decide, decide_attach_evidence};
use tousu_domain::{Action, Actor, Channel, DomainError};
use tousu_store::{Company, NewFile, Project};

/// Content types owners may upload (photos only; checked by content).
const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png", "image/heic", "image/heif", "image/webp"];

/// A photo as uploaded.
pub struct Photo {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What an owner fills in on a project's page.
pub struct OwnerSubmission {
    pub company: String,
    pub project: String,
    pub building: String,
    pub unit: String,
    pub name: String,
    pub phone: String,
    pub description: String,
    pub subject: Option<String>,
    pub remedy_sought: Option<String>,
    pub channel: Channel,
    pub photos: Vec<Photo>,
}

/// What the owner is told once it is recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OwnerReceipt {
    pub tracking_no: String,
    pub committed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub photos: usize,
}

impl Services {
    /// The company and project a portal page is for.
    pub async fn portal_project(&self, company: &str, project: &str) -> AppResult<(Company, Project)> {
        let company = self
            .store
            .list_companies()
            .await?
            .into_iter()
            .find(|c| c.code == company)
            .ok_or(AppError::NotFound { zh: "项目", en: "project" })?;
        let org = self.org(company.id).await?;
        let project = org.snapshot.project(project).cloned().ok_or(AppError::NotFound { zh: "项目", en: "project" })?;
        Ok((company, project))
    }

    /// The services of a company published to every owner (服务承诺 shown
    /// on the portal): group-only and unannounced ones are left out.
    pub fn published_services(&self, company_code: &str) -> Vec<tousu_domain::deadline::Commitment> {
        self.company_commitments(company_code).into_iter().filter(|c| c.published_to.is_public()).collect()
    }

    /// Records an owner's complaint and its photos.
    pub async fn owner_submit(&self, client: Option<IpAddr>, s: OwnerSubmission) -> AppResult<OwnerReceipt> {
        self.check_submission_rate(client)?;
        let (company, project) = self.portal_project(&s.company, &s.project).await?;
        if s.photos.len() > self.config.portal_max_photos {
            return Err(AppError::Domain(DomainError::invalid(
                "photos",
                format!("最多上传 {} 张照片", self.config.portal_max_photos),
                format!("at most {} photos", self.config.portal_max_photos),
            )));
        }
        // Every photo is checked before anything is recorded.
        let mut photos = Vec::with_capacity(s.photos.len());
        for p in s.photos.into_iter().filter(|p| !p.bytes.is_empty()) {
            if p.bytes.len() > self.config.max_file_bytes {
                return Err(AppError::TooLarge {
                    zh: format!("照片过大，每张最大 {} MB", self.config.max_file_bytes / 1024 / 1024),
                    en: format!("a photo is too large; at most {} bytes", self.config.max_file_bytes),
                });
            }
            let kind = infer::get(&p.bytes).map(|t| t.mime_type()).filter(|m| PHOTO_TYPES.contains(m)).ok_or_else(|| {
                AppError::Unsupported {
                    zh: "只能上传照片（JPEG、PNG、HEIC、WebP）".into(),
                    en: "only photos (JPEG, PNG, HEIC, WebP) may be uploaded".into(),
                }
            })?;
            photos.push((p, kind));
        }
        let draft = IntakeDraft {
            channel: s.channel,
            customer: CustomerDraft { name: s.name, phone: s.phone },
            project: project.code.clone(),
            building: s.building,
            unit: s.unit,
            description: s.description,
            subject: s.subject,
            remedy_sought: s.remedy_sought,
            remedies: vec![],
            first_responder: None,
            category: None,
            emergency: false,
            service: None,
        };
        let intake = draft.validate()?;
        let org = self.org(company.id).await?;
        let place = org.place(&intake.project_code, &intake.building, &intake.unit)?;
        let complaint = match self.receive(company.id, &org, place, None, intake, Actor::Owner, None).await? {
            tousu_store::Inserted::New(c) | tousu_store::Inserted::Replayed(c) => c,
        };
        let count = photos.len();
        for (p, kind) in photos {
            let sha256 = hex::encode(Sha256::digest(&p.bytes));
            let size = p.bytes.len() as u64;
            let name = crate::evidence::clean_name(&p.name);
            let id = self
                .store
                .insert_file(NewFile {
                    company_id: company.id,
                    complaint_id: complaint.id,
                    name: name.clone(),
                    content_type: kind.to_string(),
                    sha256: sha256.clone(),
                    bytes: p.bytes,
                    uploaded_by: None,
                    uploaded_at: self.now(),
                })
                .await?;
            let file = tousu_domain::event::EvidenceFile { id, name, content_type: kind.to_string(), size, sha256 };
            self.apply_decision(company.id, complaint.id, &Actor::Owner, |c, _| {
                decide_attach_evidence(c, &Actor::Owner, file.clone())
            })
            .await?;
        }
        Ok(OwnerReceipt {
            tracking_no: complaint.tracking_no.to_string(),
            committed_at: tousu_domain::owner_view::committed_time(&complaint),
            photos: count,
        })
    }

    /// An owner's own action: accept or reject the result, answer the callback.
    pub async fn owner_act(&self, client: Option<IpAddr>, tracking_no: &str, phone: &str, action: Action) -> AppResult<OwnerTrackingView> {
        if !matches!(action, Action::AcceptResult { .. } | Action::RejectResult { .. } | Action::Callback { .. }) {
            return Err(AppError::forbidden("业主不能执行此操作", "owners may not do this"));
        }
        let c = self.find_owned(client, tracking_no, phone).await?;
        let c = self
            .apply_decision(c.company_id, c.id, &Actor::Owner, |c, env| decide(c, &Actor::Owner, &action, &env.context()))
            .await?;
        self.owner_view(c).await
    }
}
