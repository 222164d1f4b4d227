use super::{ModelStore, next};
use async_trait::async_trait;
use datastore::{
    AdminSetPoints, BulkAward, DropId, DropRecord, EventData, HistoryRequest, LeaderboardEntry,
    NewDrop, PointDelta, PointSource, PointStore, PointTransaction, Points, Resource,
    SourceSummary, StoreError, StoreResult, StreamerId, User, UserId, ViewerBalances, validate,
};

/// The `PointsChanged` of one ledger row, given the viewer's balances after the write.
pub(super) fn points_changed(
    amount: i64,
    source: PointSource,
    description: Option<String>,
) -> impl FnOnce(ViewerBalances) -> EventData {
    move |viewer| EventData::PointsChanged {
        viewer,
        amount,
        source,
        description,
    }
}
use std::collections::BTreeMap;

#[async_trait]
impl PointStore for ModelStore {
    async fn get_points(&self, streamer: StreamerId, user: UserId) -> StoreResult<Option<Points>> {
        Ok(self
            .state()
            .user_tenant_ref(streamer, user)
            .map(|t| t.points_of(user)))
    }

    async fn earn_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        earn: PointDelta,
    ) -> StoreResult<Points> {
        earn.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let current = st
            .user_tenant(streamer, user)?
            .points_of(user)
            .channel_points;
        let balance = validate::add_to_balance("amount", current, earn.amount)?;
        let event = points_changed(earn.amount, earn.source, earn.description.clone());
        st.move_points(
            streamer,
            user,
            balance,
            earn.amount,
            earn.source,
            earn.description,
            now,
        );
        st.record_for(streamer, user, now, [event])
    }

    async fn spend_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        spend: PointDelta,
    ) -> StoreResult<Points> {
        spend.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let current = st
            .user_tenant(streamer, user)?
            .points_of(user)
            .channel_points;
        if current < spend.amount {
            return Err(StoreError::InsufficientPoints {
                balance: current,
                required: spend.amount,
            });
        }
        let event = points_changed(-spend.amount, spend.source, spend.description.clone());
        st.move_points(
            streamer,
            user,
            current - spend.amount,
            -spend.amount,
            spend.source,
            spend.description,
            now,
        );
        st.record_for(streamer, user, now, [event])
    }

    async fn set_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        set: AdminSetPoints,
    ) -> StoreResult<Points> {
        set.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let current = st
            .user_tenant(streamer, user)?
            .points_of(user)
            .channel_points;
        let description = Some(set.ledger_description());
        let amount = set.channel_points - current;
        let event = points_changed(amount, PointSource::Admin, description.clone());
        st.move_points(
            streamer,
            user,
            set.channel_points,
            amount,
            PointSource::Admin,
            description,
            now,
        );
        let t = st.user_tenant(streamer, user)?;
        if let Some(d) = set.drop_points {
            t.points_row(user, now).drop_points = d;
        }
        // The balances after the whole write, drop points included.
        st.record_for(streamer, user, now, [event])
    }

    async fn add_drop_points(
        &self,
        streamer: StreamerId,
        user: UserId,
        drop: NewDrop,
    ) -> StoreResult<Points> {
        drop.validate()?;
        let now = self.clock.now();
        let mut st = self.state();
        let before = st.user_tenant(streamer, user)?.points_of(user);
        let drop_points = validate::add_to_balance("score", before.drop_points, drop.score)?;
        let id = DropId(next(&mut st.ids.drop));
        let t = st.user_tenant(streamer, user)?;
        let row = t.points_row(user, now);
        row.drop_points = drop_points;
        row.total_drops += 1;
        row.last_updated = now;
        t.drops.push(DropRecord {
            id,
            user_id: user,
            score: drop.score,
            is_perfect: drop.is_perfect,
            powerup_used: drop.powerup_used,
            created_at: now,
        });
        // No ledger row (drop points are not channel points), so no PointsChanged.
        let event = move |viewer| EventData::DropRecorded {
            viewer,
            score: drop.score,
            is_perfect: drop.is_perfect,
            powerup_used: drop.powerup_used,
        };
        st.record_for(streamer, user, now, [event])
    }

    async fn leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        validate::limit(limit)?;
        let st = self.state();
        let Some(t) = st.tenant(streamer) else {
            return Ok(vec![]);
        };
        let mut rows: Vec<_> = t
            .points
            .values()
            .filter(|p| p.channel_points + p.drop_points > 0)
            .collect();
        rows.sort_by_key(|p| (-(p.channel_points + p.drop_points), p.user_id));
        Ok(rows
            .into_iter()
            .take(limit as usize)
            .zip(1..)
            .map(|(p, rank)| LeaderboardEntry {
                rank,
                user_id: p.user_id,
                username: t.users[&p.user_id].username.clone(),
                channel_points: p.channel_points,
                drop_points: p.drop_points,
                total_points: p.channel_points + p.drop_points,
                total_drops: p.total_drops,
            })
            .collect())
    }

    async fn drop_leaderboard(
        &self,
        streamer: StreamerId,
        limit: u32,
    ) -> StoreResult<Vec<LeaderboardEntry>> {
        validate::limit(limit)?;
        let st = self.state();
        let Some(t) = st.tenant(streamer) else {
            return Ok(vec![]);
        };
        // A balance row always has its user; one without would simply not be shown.
        let mut rows: Vec<_> = t
            .points
            .values()
            .filter(|p| p.drop_points > 0)
            .filter_map(|p| Some((p, t.users.get(&p.user_id)?)))
            .collect();
        rows.sort_by_key(|(p, _)| (-p.drop_points, p.user_id));
        Ok(rows
            .into_iter()
            .take(limit as usize)
            .zip(1..)
            .map(|((p, u), rank)| LeaderboardEntry {
                rank,
                user_id: p.user_id,
                username: u.username.clone(),
                channel_points: p.channel_points,
                drop_points: p.drop_points,
                total_points: p.channel_points + p.drop_points,
                total_drops: p.total_drops,
            })
            .collect())
    }

    async fn points_summary(
        &self,
        streamer: StreamerId,
        user: UserId,
    ) -> StoreResult<Option<Vec<SourceSummary>>> {
        let st = self.state();
        let Some(t) = st.user_tenant_ref(streamer, user) else {
            return Ok(None);
        };
        let mut by_source: BTreeMap<PointSource, SourceSummary> = BTreeMap::new();
        for r in t.ledger.values().filter(|r| r.user_id == user) {
            let e = by_source.entry(r.source).or_insert(SourceSummary {
                source: r.source,
                total: 0,
                transactions: 0,
            });
            e.total += r.amount;
            e.transactions += 1;
        }
        Ok(Some(by_source.into_values().collect()))
    }

    async fn transaction_history(
        &self,
        streamer: StreamerId,
        user: UserId,
        page: HistoryRequest,
    ) -> StoreResult<Option<Vec<PointTransaction>>> {
        validate::limit(page.limit)?;
        let st = self.state();
        let Some(t) = st.user_tenant_ref(streamer, user) else {
            return Ok(None);
        };
        Ok(Some(
            t.ledger
                .values()
                .rev()
                .filter(|r| r.user_id == user && page.before.is_none_or(|b| r.id < b))
                .take(page.limit as usize)
                .cloned()
                .collect(),
        ))
    }

    async fn bulk_award(
        &self,
        streamer: StreamerId,
        usernames: &[String],
        award: PointDelta,
    ) -> StoreResult<BulkAward> {
        award.validate()?;
        if usernames.len() > validate::MAX_BULK_USERS {
            return Err(StoreError::invalid(
                "usernames",
                format!("at most {} per award", validate::MAX_BULK_USERS),
            ));
        }
        for name in usernames {
            validate::username(name)?;
        }
        let now = self.clock.now();
        let mut st = self.state();
        let t = st.owner(streamer)?;
        // One entry per distinct user, in the order of first mention.
        let mut targets: Vec<(&str, Option<UserId>)> = Vec::new();
        for name in usernames {
            if targets.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            let existing = t.user_by_name(name).map(|u| u.id);
            let balance = existing.map_or(0, |u| t.points_of(u).channel_points);
            validate::add_to_balance("amount", balance, award.amount)?;
            targets.push((name, existing));
        }
        let mut created = 0;
        let mut awarded = Vec::with_capacity(targets.len());
        for (name, existing) in &targets {
            let user = match existing {
                Some(u) => *u,
                None => {
                    let id = UserId(next(&mut st.ids.user));
                    st.owner(streamer)?.users.insert(
                        id,
                        User {
                            id,
                            streamer_id: streamer,
                            username: (*name).to_owned(),
                            voice_id: None,
                            drop_image: None,
                            country: None,
                            created_at: now,
                            updated_at: now,
                        },
                    );
                    created += 1;
                    id
                }
            };
            let current = st
                .tenant(streamer)
                .ok_or(StoreError::not_found(Resource::Streamer))?
                .points_of(user)
                .channel_points;
            st.move_points(
                streamer,
                user,
                current + award.amount,
                award.amount,
                award.source,
                award.description.clone(),
                now,
            );
            awarded.push(user);
        }
        // One PointsChanged per awarded viewer, in the order of first mention, each with the
        // balances after the whole award.
        let t = st.owner(streamer)?;
        let events: Vec<EventData> = awarded
            .iter()
            .map(|&u| EventData::PointsChanged {
                viewer: t.balances(u),
                amount: award.amount,
                source: award.source,
                description: award.description.clone(),
            })
            .collect();
        t.record(now, events);
        Ok(BulkAward {
            awarded: targets.len() as u64,
            created,
        })
    }
}
