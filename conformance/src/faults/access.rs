//! Faulty token, session, verification, cooldown and report operations.

use super::{Fault as F, Faulty};
use async_trait::async_trait;
use datastore::*;
use std::time::Duration;

#[async_trait]
impl TokenStore for Faulty {
    async fn get_oauth_token(&self, s: StreamerId, p: &str) -> StoreResult<Option<OAuthToken>> {
        self.note("get_oauth_token");
        if self.is(F::DeletedNamesakeInherits)
            && let Ok(Some(me)) = self.inner.get_streamer(s).await
        {
            let name = me.username.to_ascii_lowercase();
            let inherited = self
                .graveyard
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .filter(|(n, _)| *n == name)
                .flat_map(|(_, tokens)| tokens.iter().filter(|t| t.provider == p).cloned())
                .next_back();
            if inherited.is_some() && self.inner.get_oauth_token(s, p).await?.is_none() {
                return Ok(inherited);
            }
        }
        let own = self.inner.get_oauth_token(s, p).await?;
        if own.is_none() && self.is(F::OAuthTokenAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(t)) = self.inner.get_oauth_token(o, p).await {
                    return Ok(Some(t));
                }
            }
        }
        Ok(own)
    }
    async fn upsert_oauth_token(
        &self,
        s: StreamerId,
        t: OAuthTokenInput,
    ) -> StoreResult<OAuthToken> {
        self.note("upsert_oauth_token");
        if self.is(F::OAuthUpsertGlobal) {
            for o in self.others(s).await {
                if matches!(
                    self.inner.get_oauth_token(o, &t.provider).await,
                    Ok(Some(_))
                ) {
                    let _ = self.inner.upsert_oauth_token(o, t.clone()).await;
                }
            }
        }
        self.inner.upsert_oauth_token(s, t).await
    }
    async fn delete_oauth_token(&self, s: StreamerId, p: &str) -> StoreResult<()> {
        self.note("delete_oauth_token");
        let own = self.inner.delete_oauth_token(s, p).await;
        if self.is(F::OAuthDeleteGlobal) {
            for o in self.others(s).await {
                let _ = self.inner.delete_oauth_token(o, p).await;
            }
        }
        own
    }
}

#[async_trait]
impl SessionStore for Faulty {
    async fn create_user_session(
        &self,
        s: StreamerId,
        n: NewUserSession,
    ) -> StoreResult<UserSession> {
        self.note("create_user_session");
        let s = if self.is(F::SessionCreateLandsInOwner) {
            self.owner_of(s, n.user_id).await
        } else {
            s
        };
        self.inner.create_user_session(s, n).await
    }
    async fn get_user_session(
        &self,
        s: StreamerId,
        h: &TokenHash,
    ) -> StoreResult<Option<UserSession>> {
        self.note("get_user_session");
        let own = self.inner.get_user_session(s, h).await?;
        if own.is_none() && self.is(F::UserSessionAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_user_session(o, h).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn delete_user_session(&self, s: StreamerId, h: &TokenHash) -> StoreResult<()> {
        self.note("delete_user_session");
        let own = self.inner.delete_user_session(s, h).await;
        if own.is_err() && self.is(F::SessionDeleteAnyTenant) {
            for o in self.others(s).await {
                if self.inner.delete_user_session(o, h).await.is_ok() {
                    return Ok(());
                }
            }
        }
        own
    }
    async fn purge_expired_user_sessions(&self, s: StreamerId) -> StoreResult<u64> {
        self.note("purge_expired_user_sessions");
        let mut n = self.inner.purge_expired_user_sessions(s).await?;
        if self.is(F::PurgeAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_expired_user_sessions(o).await?;
            }
        }
        Ok(n)
    }
    async fn create_streamer_session(
        &self,
        s: StreamerId,
        h: &TokenHash,
        e: Timestamp,
    ) -> StoreResult<StreamerSession> {
        self.note("create_streamer_session");
        if self.is(F::SessionHashGlobal) {
            for o in self.others(s).await {
                let exported = self.inner.export_streamer(o).await.ok().flatten();
                if exported.is_some_and(|x| x.streamer_sessions.iter().any(|y| y.token_hash == *h))
                {
                    return Err(StoreError::conflict(ConflictKind::SessionToken));
                }
            }
        }
        self.inner.create_streamer_session(s, h, e).await
    }
    async fn get_streamer_session(
        &self,
        s: StreamerId,
        h: &TokenHash,
    ) -> StoreResult<Option<StreamerSession>> {
        self.note("get_streamer_session");
        let own = self.inner.get_streamer_session(s, h).await?;
        if own.is_none() && self.is(F::StreamerSessionAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_streamer_session(o, h).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn delete_streamer_session(&self, s: StreamerId, h: &TokenHash) -> StoreResult<()> {
        self.note("delete_streamer_session");
        let own = self.inner.delete_streamer_session(s, h).await;
        if own.is_err() && self.is(F::SessionDeleteAnyTenant) {
            for o in self.others(s).await {
                if self.inner.delete_streamer_session(o, h).await.is_ok() {
                    return Ok(());
                }
            }
        }
        own
    }
    async fn purge_expired_streamer_sessions(&self, s: StreamerId) -> StoreResult<u64> {
        self.note("purge_expired_streamer_sessions");
        let mut n = self.inner.purge_expired_streamer_sessions(s).await?;
        if self.is(F::PurgeAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_expired_streamer_sessions(o).await?;
            }
        }
        Ok(n)
    }
    async fn set_admin_key(&self, s: StreamerId, h: &TokenHash) -> StoreResult<AdminKey> {
        self.note("set_admin_key");
        let own = self.inner.set_admin_key(s, h).await;
        if own.is_ok() && self.is(F::AdminKeySetAll) {
            // `UPDATE admin_keys SET key_hash = ?2` without its streamer predicate: every
            // streamer that has a key gets this one.
            for o in self.others(s).await {
                let exported = self.inner.export_streamer(o).await.ok().flatten();
                if exported.is_some_and(|x| x.admin_key.is_some()) {
                    let _ = self.inner.set_admin_key(o, h).await;
                }
            }
        }
        own
    }
    async fn check_admin_key(&self, s: StreamerId, h: &TokenHash) -> StoreResult<bool> {
        self.note("check_admin_key");
        let own = self.inner.check_admin_key(s, h).await?;
        if !own && self.is(F::AdminKeyAnyTenant) {
            for o in self.others(s).await {
                if let Ok(true) = self.inner.check_admin_key(o, h).await {
                    return Ok(true);
                }
            }
        }
        Ok(own)
    }
    async fn set_overlay_key(&self, s: StreamerId, h: &TokenHash) -> StoreResult<OverlayKey> {
        self.note("set_overlay_key");
        let own = self.inner.set_overlay_key(s, h).await;
        if own.is_ok() && self.is(F::OverlayKeySetAll) {
            // `UPDATE overlay_keys SET key_hash = ?2` without its streamer predicate.
            for o in self.others(s).await {
                let _ = self.inner.set_overlay_key(o, h).await;
            }
        }
        own
    }
    async fn check_overlay_key(&self, s: StreamerId, h: &TokenHash) -> StoreResult<bool> {
        self.note("check_overlay_key");
        let own = self.inner.check_overlay_key(s, h).await?;
        if !own && self.is(F::OverlayKeyAnyTenant) {
            for o in self.others(s).await {
                if let Ok(true) = self.inner.check_overlay_key(o, h).await {
                    return Ok(true);
                }
            }
        }
        Ok(own)
    }
}

#[async_trait]
impl VerificationStore for Faulty {
    async fn create_verification_code(
        &self,
        s: StreamerId,
        c: NewVerificationCode,
    ) -> StoreResult<VerificationCode> {
        self.note("create_verification_code");
        if self.is(F::CodeRefreshGlobal) {
            for o in self.others(s).await {
                let theirs = self
                    .inner
                    .get_verification_code(o, &c.username, &c.code)
                    .await;
                if matches!(theirs, Ok(Some(_))) {
                    let _ = self.inner.create_verification_code(o, c.clone()).await;
                }
            }
        }
        self.inner.create_verification_code(s, c).await
    }
    async fn get_verification_code(
        &self,
        s: StreamerId,
        u: &str,
        c: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        self.note("get_verification_code");
        let own = self.inner.get_verification_code(s, u, c).await?;
        if own.is_none() && self.is(F::CodeReadAnyTenant) {
            for o in self.others(s).await {
                if let Ok(Some(x)) = self.inner.get_verification_code(o, u, c).await {
                    return Ok(Some(x));
                }
            }
        }
        Ok(own)
    }
    async fn latest_verification_code(
        &self,
        s: StreamerId,
        u: &str,
    ) -> StoreResult<Option<VerificationCode>> {
        self.note("latest_verification_code");
        let own = self.inner.latest_verification_code(s, u).await?;
        if self.is(F::LatestCodeAcrossTenants) {
            // `ORDER BY id DESC LIMIT 1` without the streamer: later streamers' rows are newer.
            let mut newest = own;
            for o in self.all_streamers().await {
                if let Ok(Some(x)) = self.inner.latest_verification_code(o, u).await
                    && newest.as_ref().is_none_or(|n| x.created_at >= n.created_at)
                {
                    newest = Some(x);
                }
            }
            return Ok(newest);
        }
        Ok(own)
    }
    async fn mark_verification_code_verified(
        &self,
        s: StreamerId,
        u: &str,
        c: &str,
    ) -> StoreResult<VerificationCode> {
        self.note("mark_verification_code_verified");
        let own = self.inner.mark_verification_code_verified(s, u, c).await;
        if own.is_err() && self.is(F::MarkVerifiedAnyTenant) {
            for o in self.others(s).await {
                if let Ok(x) = self.inner.mark_verification_code_verified(o, u, c).await {
                    return Ok(x);
                }
            }
        }
        own
    }
    async fn delete_verification_codes(&self, s: StreamerId, u: &str) -> StoreResult<u64> {
        self.note("delete_verification_codes");
        let mut n = self.inner.delete_verification_codes(s, u).await?;
        if self.is(F::DeleteCodesGlobal) {
            for o in self.others(s).await {
                n += self.inner.delete_verification_codes(o, u).await?;
            }
        }
        Ok(n)
    }
    async fn redeem_verification_code(
        &self,
        s: StreamerId,
        u: &str,
        c: &str,
        h: &TokenHash,
    ) -> StoreResult<Redemption> {
        self.note("redeem_verification_code");
        let own = self.inner.redeem_verification_code(s, u, c, h).await;
        if own.is_err() && self.is(F::RedeemAnyTenant) {
            for o in self.others(s).await {
                if let Ok(x) = self.inner.redeem_verification_code(o, u, c, h).await {
                    return Ok(x);
                }
            }
        }
        own
    }
    async fn purge_expired_verification_codes(&self, s: StreamerId) -> StoreResult<u64> {
        self.note("purge_expired_verification_codes");
        let mut n = self.inner.purge_expired_verification_codes(s).await?;
        if self.is(F::PurgeCodesAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_expired_verification_codes(o).await?;
            }
        }
        Ok(n)
    }
}

#[async_trait]
impl CooldownStore for Faulty {
    async fn check_cooldown(
        &self,
        s: StreamerId,
        u: UserId,
        c: &str,
        d: Duration,
    ) -> StoreResult<CooldownCheck> {
        self.note("check_cooldown");
        let s = if self.is(F::CooldownLandsInOwner) {
            self.owner_of(s, u).await
        } else {
            s
        };
        self.inner.check_cooldown(s, u, c, d).await
    }
    async fn purge_expired_cooldowns(&self, s: StreamerId) -> StoreResult<u64> {
        self.note("purge_expired_cooldowns");
        let mut n = self.inner.purge_expired_cooldowns(s).await?;
        if self.is(F::PurgeCooldownsAllTenants) {
            for o in self.others(s).await {
                n += self.inner.purge_expired_cooldowns(o).await?;
            }
        }
        Ok(n)
    }
}

#[async_trait]
impl ReportStore for Faulty {
    async fn analytics(&self, s: StreamerId) -> StoreResult<Analytics> {
        self.note("analytics");
        let mut a = self.inner.analytics(s).await?;
        if self.is(F::AnalyticsAllTenants) {
            for o in self.others(s).await {
                let b = self.inner.analytics(o).await?;
                a.users += b.users;
                a.channel_points += b.channel_points;
            }
        }
        Ok(a)
    }
    async fn export_streamer(&self, s: StreamerId) -> StoreResult<Option<StreamerExport>> {
        self.note("export_streamer");
        self.export_with_faults(s).await
    }
    async fn stream_export(&self, s: StreamerId, sink: Box<dyn ExportSink>) -> StoreResult<bool> {
        self.note("stream_export");
        if !self.is(F::ExportIncludesOthers) {
            return self.inner.stream_export(s, sink).await;
        }
        crate::held_export::send_parts(self.export_with_faults(s).await?, sink).await
    }
}

impl Faulty {
    /// The inner store's export, with other streamers' tips when the fault says so.
    async fn export_with_faults(&self, s: StreamerId) -> StoreResult<Option<StreamerExport>> {
        let mut e = self.inner.export_streamer(s).await?;
        if self.is(F::ExportIncludesOthers)
            && let Some(e) = e.as_mut()
        {
            for o in self.others(s).await {
                e.tips.extend(self.inner.list_tips(o).await?);
            }
        }
        Ok(e)
    }
}
