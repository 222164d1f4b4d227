//! Kick drives the economy: [`KickStore`] on PostgreSQL.
//!
//! A delivery is one tenant transaction. Its id is inserted into `kick_deliveries` first, with
//! `ON CONFLICT DO NOTHING`: a redelivery finds the key taken and changes nothing
//! (`Duplicate`), and a concurrent one waits on the first's uncommitted key, then finds it
//! taken once the first commits (or takes it if the first rolled back). Then the effects run
//! (any error rolls the whole delivery back, id included), then the command inside a
//! savepoint (its first refusal rolls back to it and the delivery still commits its effects and
//! id), and last the delivery's events are recorded, so the event counter stays the last row a
//! write locks and a refused command records nothing.

use crate::convert::{get, json_text, ts};
use crate::kick_steps::{Refused, run_step};
use crate::lookups::require_streamer;
use crate::store::PgStore;
use crate::tx::Tx;
use crate::users::U_COLUMNS;
use crate::{duels, watch};
use async_trait::async_trait;
use datastore::{
    CommandOutcome, Delivery, DeliveryId, DeliveryOutcome, Duel, EconomyConfig, EventData,
    KickStore, Step, StoreError, StoreResult, StreamState, StreamerId, Timestamp, User, WatchAward,
    WatchMinute,
};

/// Records delivery `id` for streamer `s`, unless it is recorded already: whether this
/// transaction took it. A concurrent transaction holding the same id makes this wait until it
/// ends.
async fn take_delivery(
    tx: &Tx,
    s: StreamerId,
    id: &DeliveryId,
    now: Timestamp,
) -> StoreResult<bool> {
    let taken = tx
        .execute(
            "INSERT INTO kick_deliveries (streamer_id, delivery_id, received_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&s.0, &id.0, &now.as_millis()],
        )
        .await?;
    Ok(taken == 1)
}

/// Runs a delivery's command steps inside a savepoint: all of them, or (at the first refusal)
/// none, the savepoint rolled back and the command's events dropped from `events`.
async fn run_command(
    tx: &Tx,
    s: StreamerId,
    steps: &[Step],
    now: Timestamp,
    events: &mut Vec<EventData>,
) -> StoreResult<CommandOutcome> {
    tx.execute("SAVEPOINT command", &[]).await?;
    let before = events.len();
    let mut results = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        match run_step(tx, s, step, now, events).await {
            Ok(r) => results.push(r),
            Err(Refused::Failed(e)) => return Err(e),
            Err(Refused::Refusal(refusal)) => {
                tx.execute("ROLLBACK TO SAVEPOINT command", &[]).await?;
                events.truncate(before);
                return Ok(CommandOutcome::Refused { step: i, refusal });
            }
        }
    }
    tx.execute("RELEASE SAVEPOINT command", &[]).await?;
    Ok(CommandOutcome::Done { results })
}

#[async_trait]
impl KickStore for PgStore {
    async fn apply_delivery(
        &self,
        streamer: StreamerId,
        delivery: Delivery,
    ) -> StoreResult<DeliveryOutcome> {
        delivery.validate()?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            require_streamer(&tx, streamer).await?;
            if !take_delivery(&tx, streamer, &delivery.id, now).await? {
                return Ok(DeliveryOutcome::Duplicate);
            }
            let mut events = Vec::new();
            let mut effects = Vec::with_capacity(delivery.effects.len());
            for step in &delivery.effects {
                let result = run_step(&tx, streamer, step, now, &mut events)
                    .await
                    .map_err(Refused::into_error)?;
                effects.push(result);
            }
            let command = if delivery.command.is_empty() {
                None
            } else {
                Some(run_command(&tx, streamer, &delivery.command, now, &mut events).await?)
            };
            self.record(&tx, streamer, now, events).await?;
            Ok(DeliveryOutcome::Applied { effects, command })
        }
        .await;
        tx.finish(out).await
    }

    async fn delivery_seen(&self, streamer: StreamerId, id: &DeliveryId) -> StoreResult<bool> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                "SELECT 1 FROM kick_deliveries WHERE streamer_id = $1 AND delivery_id = $2",
                &[&streamer.0, &id.0],
            )
            .await;
        Ok(tx.finish(row).await?.is_some())
    }

    async fn purge_deliveries(&self, streamer: StreamerId, before: Timestamp) -> StoreResult<u64> {
        let horizon = WatchMinute::purge_horizon(before, self.now());
        let tx = self.tenant(streamer).await?;
        let n = async {
            tx.execute(
                "DELETE FROM watch_minutes WHERE streamer_id = $1 AND minute < $2", // equivalent mutant: only minutes out of every award's reach go, and nothing else reads them
                &[&streamer.0, &horizon],
            )
            .await?;
            tx.execute(
                "DELETE FROM kick_deliveries WHERE streamer_id = $1 AND received_at < $2",
                &[&streamer.0, &before.as_millis()],
            )
            .await
        }
        .await;
        tx.finish(n).await
    }

    async fn get_stream_state(&self, streamer: StreamerId) -> StoreResult<StreamState> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                "SELECT live, changed_at FROM stream_states WHERE streamer_id = $1",
                &[&streamer.0],
            )
            .await;
        match tx.finish(row).await? {
            Some(r) => Ok(StreamState {
                live: get(&r, "live")?,
                changed_at: Some(ts(&r, "changed_at")?),
            }),
            None => Ok(StreamState {
                live: false,
                changed_at: None,
            }),
        }
    }

    async fn award_watch_minute(
        &self,
        streamer: StreamerId,
        minute: WatchMinute,
    ) -> StoreResult<WatchAward> {
        let now = self.now();
        minute.validate(now)?;
        let tx = self.tenant(streamer).await?;
        let out = async {
            require_streamer(&tx, streamer).await?;
            let mut events = Vec::new();
            let award = watch::award(
                &tx,
                streamer,
                minute.minute,
                minute.amount,
                minute.window,
                now,
                &mut events,
            )
            .await?;
            self.record(&tx, streamer, now, events).await?;
            Ok(award)
        }
        .await;
        tx.finish(out).await
    }

    async fn list_duels(&self, streamer: StreamerId) -> StoreResult<Vec<Duel>> {
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let duels = duels::list(&tx, streamer, now).await;
        tx.finish(duels).await
    }

    async fn get_kick_viewer(
        &self,
        streamer: StreamerId,
        kick_user_id: i64,
    ) -> StoreResult<Option<User>> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {U_COLUMNS} FROM kick_viewers k JOIN users u \
                     ON u.streamer_id = k.streamer_id AND u.id = k.user_id \
                     WHERE k.streamer_id = $1 AND k.kick_user_id = $2"
                ),
                &[&streamer.0, &kick_user_id],
            )
            .await;
        let row = tx.finish(row).await?;
        row.as_ref().map(crate::users::from_row).transpose()
    }

    async fn get_economy_config(&self, streamer: StreamerId) -> StoreResult<EconomyConfig> {
        let tx = self.tenant(streamer).await?;
        let row = tx
            .query_opt(
                "SELECT document FROM economy_configs WHERE streamer_id = $1",
                &[&streamer.0],
            )
            .await;
        let Some(row) = tx.finish(row).await? else {
            return Ok(EconomyConfig::default());
        };
        let text: &str = get(&row, "document")?;
        serde_json::from_str(text).map_err(|e| {
            tracing::error!(error = %e, "a stored economy configuration is invalid");
            StoreError::backend(format!("the stored economy configuration is invalid: {e}"))
        })
    }

    async fn set_economy_config(
        &self,
        streamer: StreamerId,
        config: EconomyConfig,
    ) -> StoreResult<EconomyConfig> {
        config.validate()?;
        let document = serde_json::to_value(&config)
            .map_err(|e| StoreError::backend(format!("an economy configuration: {e}")))?;
        let now = self.now();
        let tx = self.tenant(streamer).await?;
        let out = async {
            require_streamer(&tx, streamer).await?;
            tx.execute(
                "INSERT INTO economy_configs (streamer_id, document, updated_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (streamer_id) DO UPDATE \
                 SET document = excluded.document, updated_at = excluded.updated_at",
                &[&streamer.0, &json_text(&document), &now.as_millis()],
            )
            .await?;
            Ok(config)
        }
        .await;
        tx.finish(out).await
    }
}
