//! Staff authentication: argon2id passwords, session cookies and API tokens.
//!
//! A credential is a random secret (`tsu_…`, 256 bits) given once to its
//! holder; storage keeps only its SHA-256, so a leaked database does not
//! leak live sessions. Lookups are cached briefly because every API request
//! carries one.

use crate::config::AppConfig;
use crate::{AppError, AppResult, Principal, Services};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};
use std::num::NonZeroU32;
use std::time::Duration;
use tousu_domain::{Role, Timestamp};
use tousu_store::{CredentialKind, NewCredential, StaffRecord};

/// How long a credential lookup is trusted before asking storage again.
const CACHE_TTL: Duration = Duration::from_secs(30);
const SECRET_PREFIX: &str = "tsu_";

pub struct AuthState {
    cache: moka::sync::Cache<String, Principal>,
    logins: DefaultKeyedRateLimiter<String>,
}

impl AuthState {
    pub(crate) fn new(config: &AppConfig) -> AuthState {
        let per_minute = NonZeroU32::new(config.login_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        AuthState {
            cache: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(CACHE_TTL).build(),
            logins: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }
}

/// A new random secret for a session or a token.
fn new_secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{SECRET_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id (default parameters) off the async threads.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("cannot hash password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        // Unknown users are checked against a fixed hash so that a wrong
        // username costs as much time as a wrong password.
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// argon2id of a random string nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dWTQwMaeQ0ALtwRDd4xyoPUmz7nSVZdbB+G7jN5+0Lk";

/// A new random password for a seeded account: 16 characters, unambiguous.
pub fn new_password() -> AppResult<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect())
}

/// A started session: the secret goes into the cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub secret: String,
    pub principal: Principal,
    pub expires_at: Timestamp,
}

impl Services {
    /// Checks a username and password and opens a session.
    #[tracing::instrument(level = "debug", skip_all, fields(username))]
    pub async fn login(&self, username: &str, password: &str) -> AppResult<Session> {
        let username = username.trim();
        if let Err(not_until) = self.auth.logins.check_key(&username.to_string()) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
            return Err(AppError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
        }
        let staff = self.store.find_staff_by_username(username).await?;
        let hash = staff.as_ref().and_then(|s| s.password_hash.clone());
        if !verify_password(password.to_string(), hash.clone()).await || hash.is_none() {
            return Err(AppError::InvalidCredentials);
        }
        let staff = staff.ok_or(AppError::InvalidCredentials)?;
        let now = self.now();
        let expires_at = now + chrono::Duration::hours(self.config.session_hours);
        let secret = self.store_credential(&staff, CredentialKind::Session, None, Some(expires_at)).await?;
        Ok(Session { secret, principal: staff.into(), expires_at })
    }

    /// Ends a session (the credential is revoked, not deleted).
    pub async fn logout(&self, secret: &str) -> AppResult<()> {
        let hash = secret_hash(secret);
        self.auth.cache.invalidate(&hash);
        self.store.revoke_credential(&hash, self.now()).await?;
        Ok(())
    }

    /// The staff member a session or token secret belongs to.
    pub async fn authenticate(&self, secret: &str) -> AppResult<Principal> {
        if !secret.starts_with(SECRET_PREFIX) || secret.len() > 100 {
            return Err(AppError::Unauthenticated);
        }
        let hash = secret_hash(secret);
        if let Some(p) = self.auth.cache.get(&hash) {
            return Ok(p);
        }
        let staff = self.store.find_credential(&hash, self.now()).await?.ok_or(AppError::Unauthenticated)?;
        let principal = Principal::from(staff);
        self.auth.cache.insert(hash, principal.clone());
        Ok(principal)
    }

    /// Creates an API token for a staff member with `role`: the one named by
    /// `username`, or else the first active one holding that role.
    pub async fn create_api_token(&self, role: Role, username: Option<&str>, label: Option<String>) -> AppResult<(String, StaffRecord)> {
        let staff = match username {
            Some(name) => {
                let s = self.store.find_staff_by_username(name).await?.ok_or(AppError::NotFound {
                    zh: "员工",
                    en: "staff member",
                })?;
                if s.role != role {
                    return Err(AppError::Conflict {
                        zh: format!("{name} 的角色是 {}，不是 {}", s.role.label_zh(), role.label_zh()),
                        en: format!("{name} has role {}, not {role}", s.role),
                    });
                }
                s
            }
            None => self.store.list_staff_by_role(role).await?.into_iter().next().ok_or_else(|| AppError::NotFound {
                zh: "该角色的员工（请先用 --demo 启动或创建员工）",
                en: "staff member with that role (start once with --demo, or create one)",
            })?,
        };
        let secret = self.store_credential(&staff, CredentialKind::ApiToken, label, None).await?;
        Ok((secret, staff))
    }

    /// Sets a new password for a staff member (administration, CLI).
    pub async fn reset_password(&self, username: &str) -> AppResult<String> {
        let staff = self.store.find_staff_by_username(username).await?.ok_or(AppError::NotFound {
            zh: "员工",
            en: "staff member",
        })?;
        let password = new_password()?;
        let hash = hash_password(password.clone()).await?;
        self.store.update_staff_password(staff.id, &hash).await?;
        Ok(password)
    }

    async fn store_credential(
        &self,
        staff: &StaffRecord,
        kind: CredentialKind,
        label: Option<String>,
        expires_at: Option<Timestamp>,
    ) -> AppResult<String> {
        let secret = new_secret()?;
        self.store
            .insert_credential(NewCredential {
                secret_hash: secret_hash(&secret),
                staff_id: staff.id,
                kind,
                label,
                created_at: self.now(),
                expires_at,
            })
            .await?;
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_prefixed() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert!(a.starts_with("tsu_") && a.len() > 40);
        assert_ne!(a, b);
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_users_cost_a_real_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("正确的密码".into()).await.unwrap();
        assert!(verify_password("正确的密码".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong".into(), Some(hash)).await);
    }
}
