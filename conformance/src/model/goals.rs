use super::ModelStore;
use async_trait::async_trait;
use datastore::{
    Goal, GoalId, GoalInput, GoalStore, Resource, StoreError, StoreResult, StreamerId, validate,
};

#[async_trait]
impl GoalStore for ModelStore {
    async fn list_enabled_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>> {
        Ok(self.state().tenant(streamer).map_or(vec![], |t| {
            t.goals.values().filter(|g| g.enabled).cloned().collect()
        }))
    }

    async fn list_goals(&self, streamer: StreamerId) -> StoreResult<Vec<Goal>> {
        Ok(self
            .state()
            .tenant(streamer)
            .map_or(vec![], |t| t.goals.values().cloned().collect()))
    }

    async fn get_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<Option<Goal>> {
        Ok(self
            .state()
            .tenant(streamer)
            .and_then(|t| t.goals.get(goal).cloned()))
    }

    async fn upsert_goal(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        input: GoalInput,
    ) -> StoreResult<Goal> {
        validate::key("id", goal.as_str())?;
        input.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let g = Goal {
            id: goal.clone(),
            label: input.label,
            current_value: input.current_value,
            target_value: input.target_value,
            enabled: input.enabled,
            updated_at: now,
        };
        st.owner(streamer)?.goals.insert(goal.clone(), g.clone());
        Ok(g)
    }

    async fn set_goal_progress(
        &self,
        streamer: StreamerId,
        goal: &GoalId,
        current_value: i64,
    ) -> StoreResult<Goal> {
        validate::in_range("current_value", current_value, 0, validate::MAX_BALANCE)?;
        let now = self.clock.now();
        let mut st = self.state();
        let g = st
            .tenant_for(streamer, Resource::Goal)?
            .goals
            .get_mut(goal)
            .ok_or(StoreError::not_found(Resource::Goal))?;
        g.current_value = current_value;
        g.updated_at = now;
        Ok(g.clone())
    }

    async fn delete_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<()> {
        let mut st = self.state();
        st.tenant_for(streamer, Resource::Goal)?
            .goals
            .remove(goal)
            .map(|_| ())
            .ok_or(StoreError::not_found(Resource::Goal))
    }
}
