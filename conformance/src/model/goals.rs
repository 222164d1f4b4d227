use super::ModelStore;
use async_trait::async_trait;
use datastore::visible_change;
use datastore::{
    EventData, Goal, GoalId, GoalInput, GoalStore, Resource, StoreError, StoreResult, StreamerId,
    validate,
};

/// The `GoalChanged` of a write that left `after` (`None`: deleted), when the public list
/// shows the goal before or after it.
pub(super) fn goal_changed(
    id: &GoalId,
    enabled_before: bool,
    after: Option<&Goal>,
) -> Option<EventData> {
    visible_change(
        enabled_before,
        after.cloned(),
        |g| g.enabled,
        |goal| EventData::GoalChanged {
            id: id.clone(),
            goal,
        },
    )
}

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
        let t = st.owner(streamer)?;
        let enabled_before = t.goals.get(goal).is_some_and(|g| g.enabled);
        t.goals.insert(goal.clone(), g.clone());
        t.record(now, goal_changed(goal, enabled_before, Some(&g)));
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
        let t = st.tenant_for(streamer, Resource::Goal)?;
        let g = t
            .goals
            .get_mut(goal)
            .ok_or(StoreError::not_found(Resource::Goal))?;
        let enabled_before = g.enabled;
        g.current_value = current_value;
        g.updated_at = now;
        let g = g.clone();
        t.record(now, goal_changed(goal, enabled_before, Some(&g)));
        Ok(g)
    }

    async fn delete_goal(&self, streamer: StreamerId, goal: &GoalId) -> StoreResult<()> {
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.tenant_for(streamer, Resource::Goal)?;
        let gone = t
            .goals
            .remove(goal)
            .ok_or(StoreError::not_found(Resource::Goal))?;
        t.record(now, goal_changed(goal, gone.enabled, None));
        Ok(())
    }
}
