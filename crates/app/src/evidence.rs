//! Evidence files (证据): photos, recordings and documents attached to a
//! complaint. The type is decided by the content, never by the name or the
//! declared type, and only formats that are not executable are kept.

use crate::{AppError, AppResult, Principal, Services};
use sha2::{Digest, Sha256};
use tousu_domain::event::EvidenceFile;
use tousu_domain::lifecycle::{decide_attach_evidence, may_perform};
use tousu_store::{NewFile, StoredFile};

/// Content types accepted, as detected from the bytes.
const ACCEPTED: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/heic",
    "image/heif",
    "image/webp",
    "image/gif",
    "application/pdf",
    "audio/mpeg",
    "audio/amr",
    "audio/x-m4a",
    "audio/m4a",
    "video/mp4",
];

impl Services {
    /// Stores an uploaded file and records it in the complaint's history.
    #[tracing::instrument(level = "debug", skip_all, fields(complaint_id, size = bytes.len()))]
    pub async fn attach_evidence(&self, who: &Principal, complaint_id: i64, name: &str, bytes: Vec<u8>) -> AppResult<EvidenceFile> {
        if bytes.is_empty() {
            return Err(AppError::Unsupported { zh: "文件为空".into(), en: "the file is empty".into() });
        }
        if bytes.len() > self.config.max_file_bytes {
            return Err(AppError::TooLarge {
                zh: format!("文件过大，最大 {} MB", self.config.max_file_bytes / 1024 / 1024),
                en: format!("file too large; at most {} bytes", self.config.max_file_bytes),
            });
        }
        let content_type = infer::get(&bytes).map(|t| t.mime_type()).filter(|m| ACCEPTED.contains(m)).ok_or_else(|| {
            AppError::Unsupported {
                zh: "只接受图片（JPEG/PNG/HEIC/WebP/GIF）、PDF、录音和 MP4 视频".into(),
                en: "only images (JPEG/PNG/HEIC/WebP/GIF), PDF, audio recordings and MP4 video are accepted".into(),
            }
        })?;
        // Refuse before storing anything if the caller may not attach.
        let c = self.store.find_complaint(who.company_id, complaint_id).await?;
        may_perform("attach_evidence", &c, &who.actor())?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        let name = clean_name(name);
        let id = self
            .store
            .insert_file(NewFile {
                company_id: who.company_id,
                complaint_id,
                name: name.clone(),
                content_type: content_type.to_string(),
                sha256: sha256.clone(),
                bytes,
                uploaded_by: Some(who.staff_id),
                uploaded_at: self.now(),
            })
            .await?;
        let file = EvidenceFile { id, name, content_type: content_type.to_string(), size, sha256 };
        let actor = who.actor();
        self.apply_decision(who.company_id, complaint_id, &actor, |c, _| decide_attach_evidence(c, &actor, file.clone()))
            .await?;
        Ok(file)
    }

    /// A stored file, for staff of the complaint's company.
    pub async fn find_evidence(&self, who: &Principal, file_id: i64) -> AppResult<StoredFile> {
        Ok(self.store.find_file(who.company_id, file_id).await?)
    }
}

/// A display name without path parts or control characters.
pub(crate) fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() { "evidence".to_string() } else { cleaned.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_in_a_file_name_is_dropped() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\照片\\漏水.jpg"), "漏水.jpg");
        assert_eq!(clean_name(""), "evidence");
    }
}
