use super::ModelStore;
use async_trait::async_trait;
use datastore::{
    OAuthToken, OAuthTokenInput, Resource, StoreError, StoreResult, StreamerId, TokenStore,
};

#[async_trait]
impl TokenStore for ModelStore {
    async fn get_oauth_token(
        &self,
        streamer: StreamerId,
        provider: &str,
    ) -> StoreResult<Option<OAuthToken>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.oauth.get(provider).cloned()))
    }

    async fn upsert_oauth_token(
        &self,
        streamer: StreamerId,
        token: OAuthTokenInput,
    ) -> StoreResult<OAuthToken> {
        token.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.owner(streamer)?;
        let created_at = t.oauth.get(&token.provider).map_or(now, |o| o.created_at);
        let o = OAuthToken {
            provider: token.provider,
            access_token: token.access_token,
            refresh_token: token.refresh_token,
            expires_at: token.expires_at,
            scope: token.scope,
            created_at,
            updated_at: now,
        };
        t.oauth.insert(o.provider.clone(), o.clone());
        Ok(o)
    }

    async fn delete_oauth_token(&self, streamer: StreamerId, provider: &str) -> StoreResult<()> {
        let mut st = self.state();
        st.tenant_for(streamer, Resource::OAuthToken)?
            .oauth
            .remove(provider)
            .map(|_| ())
            .ok_or(StoreError::not_found(Resource::OAuthToken))
    }
}
