//! Kick drives the economy: deliveries applied exactly once (`kick_deliveries`), the watch
//! award, duels, the Kick viewer link and the streamer's economy configuration
//! (`economy_configs`).
//!
//! A delivery is one write: its id is looked up first (a recorded id is `Duplicate`, nothing
//! done); then, inside a savepoint of its own, the effects run (any error undoes the delivery),
//! the command runs inside a nested savepoint (its first refusal undoes the command only), and
//! the id is recorded last. The writer is SQLite's only one, so the lookup decides; an insert
//! of the id that still collides undoes the delivery's savepoint and answers `Duplicate`.

use crate::convert::{Db, DbOptional, bad_value, json_text};
use crate::duels;
use crate::events::record;
use crate::expiry::purge;
use crate::kick_viewers::linked;
use crate::lookups::require_streamer;
use crate::steps::{self, Stop};
use crate::store::SqliteStore;
use crate::stream_state::stream_state;
use crate::watch;
use async_trait::async_trait;
use datastore::{
    CommandOutcome, Delivery, DeliveryId, DeliveryOutcome, Duel, EconomyConfig, KickStore, Refusal,
    Step, StoreError, StoreResult, StreamState, StreamerId, Timestamp, User, WatchAward,
    WatchMinute,
};
use rusqlite::{Connection, params};

/// Whether the streamer recorded a delivery with this id.
fn seen(conn: &Connection, s: StreamerId, id: &DeliveryId) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM kick_deliveries WHERE streamer_id = ?1 AND delivery_id = ?2")
        .db()?
        .query_row(params![s.0, id.0], |_| Ok(()))
        .db_optional()?
        .is_some())
}

/// Records a delivery's id; `false` when the streamer already has it (the key refused it).
fn record_id(
    conn: &Connection,
    s: StreamerId,
    id: &DeliveryId,
    now: Timestamp,
) -> StoreResult<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO kick_deliveries (streamer_id, delivery_id, received_at) \
             VALUES (?1, ?2, ?3)",
        )
        .db()?
        .execute(params![s.0, id.0, now.as_millis()]);
    match inserted {
        Ok(_) => Ok(true),
        Err(rusqlite::Error::SqliteFailure(f, _))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            Ok(false)
        }
        Err(e) => Err(e).db(),
    }
}

/// One savepoint-control statement.
fn statement(conn: &Connection, sql: &str) -> StoreResult<()> {
    conn.prepare_cached(sql).db()?.execute([]).db()?;
    Ok(())
}

/// Runs `f` inside the savepoint `name`: kept when it answers `Ok(true)`, undone when it
/// answers `Ok(false)` or fails. Either way the savepoint is gone afterwards.
fn savepoint<T>(
    conn: &Connection,
    name: &str,
    f: impl FnOnce() -> StoreResult<(T, bool)>,
) -> StoreResult<T> {
    statement(conn, &format!("SAVEPOINT {name}"))?;
    let out = f();
    if !matches!(out, Ok((_, true))) {
        statement(conn, &format!("ROLLBACK TO {name}"))?;
    }
    statement(conn, &format!("RELEASE {name}"))?;
    out.map(|(v, _)| v)
}

/// Runs a command's steps inside the savepoint `kick_command`: all of them, or (at the first
/// refusal, a store error other than a storage failure included) none.
fn run_command(
    conn: &Connection,
    s: StreamerId,
    command: &[Step],
    now: Timestamp,
) -> StoreResult<CommandOutcome> {
    savepoint(conn, "kick_command", || {
        let mut events = Vec::new();
        let mut results = Vec::with_capacity(command.len());
        for (i, step) in command.iter().enumerate() {
            let refusal = match steps::run(conn, s, step, now, &mut events) {
                Ok(result) => {
                    results.push(result);
                    continue;
                }
                Err(Stop::Failed(e @ StoreError::Backend { .. })) => return Err(e),
                Err(Stop::Failed(e)) => Refusal::Store(e),
                Err(Stop::Refused(r)) => r,
            };
            let refused = CommandOutcome::Refused { step: i, refusal };
            return Ok((refused, false));
        }
        record(conn, s, now, &events)?;
        Ok((CommandOutcome::Done { results }, true))
    })
}

/// Applies a delivery whose id the streamer has not recorded: effects, command, then the id,
/// inside the savepoint `kick_delivery`. `Duplicate`, with everything undone, when recording
/// the id collides after all.
fn apply(
    conn: &Connection,
    s: StreamerId,
    delivery: &Delivery,
    now: Timestamp,
) -> StoreResult<DeliveryOutcome> {
    savepoint(conn, "kick_delivery", || {
        let mut events = Vec::new();
        let mut effects = Vec::with_capacity(delivery.effects.len());
        for step in &delivery.effects {
            match steps::run(conn, s, step, now, &mut events) {
                Ok(result) => effects.push(result),
                Err(Stop::Failed(e)) => return Err(e),
                Err(Stop::Refused(r)) => return Err(r.into_effect_error()),
            }
        }
        record(conn, s, now, &events)?;
        let command = match delivery.command.is_empty() {
            true => None,
            false => Some(run_command(conn, s, &delivery.command, now)?),
        };
        if !record_id(conn, s, &delivery.id, now)? {
            return Ok((DeliveryOutcome::Duplicate, false));
        }
        Ok((DeliveryOutcome::Applied { effects, command }, true))
    })
}

#[async_trait]
impl KickStore for SqliteStore {
    async fn apply_delivery(
        &self,
        streamer: StreamerId,
        delivery: Delivery,
    ) -> StoreResult<DeliveryOutcome> {
        delivery.validate()?;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            if seen(tx, streamer, &delivery.id)? {
                return Ok(DeliveryOutcome::Duplicate);
            }
            apply(tx, streamer, &delivery, now)
        })
        .await
    }

    async fn delivery_seen(&self, streamer: StreamerId, id: &DeliveryId) -> StoreResult<bool> {
        let id = id.clone();
        self.read_one(move |c, _| seen(c, streamer, &id)).await
    }

    async fn purge_deliveries(&self, streamer: StreamerId, before: Timestamp) -> StoreResult<u64> {
        self.write_long(streamer, move |tx, now| {
            let purged = purge(
                tx,
                "DELETE FROM kick_deliveries WHERE streamer_id = ?1 AND received_at < ?2",
                streamer,
                before,
            )?;
            tx.prepare_cached(
                "DELETE FROM watch_minutes WHERE streamer_id = ?1 AND minute < ?2", // equivalent mutant: only minutes out of every award's reach go, and nothing else reads them
            )
            .db()?
            .execute([streamer.0, WatchMinute::purge_horizon(before, now)])
            .db()?;
            Ok(purged)
        })
        .await
    }

    async fn get_stream_state(&self, streamer: StreamerId) -> StoreResult<StreamState> {
        self.read_one(move |c, _| stream_state(c, streamer)).await
    }

    async fn award_watch_minute(
        &self,
        streamer: StreamerId,
        minute: WatchMinute,
    ) -> StoreResult<WatchAward> {
        // Its size grows with the chatters: on the blocking pool, in one transaction.
        self.write_long(streamer, move |tx, now| {
            minute.validate(now)?;
            require_streamer(tx, streamer)?;
            watch::award(tx, streamer, &minute, now)
        })
        .await
    }

    async fn list_duels(&self, streamer: StreamerId) -> StoreResult<Vec<Duel>> {
        self.read_one(move |c, now| duels::list(c, streamer, now))
            .await
    }

    async fn get_kick_viewer(
        &self,
        streamer: StreamerId,
        kick_user_id: i64,
    ) -> StoreResult<Option<User>> {
        self.read_one(move |c, _| linked(c, streamer, kick_user_id))
            .await
    }

    async fn get_economy_config(&self, streamer: StreamerId) -> StoreResult<EconomyConfig> {
        self.read_one(move |c, _| {
            let stored: Option<String> = c
                .prepare_cached("SELECT document FROM economy_configs WHERE streamer_id = ?1")
                .db()?
                .query_row([streamer.0], |r| r.get(0))
                .db_optional()?;
            match stored {
                None => Ok(EconomyConfig::default()),
                Some(text) => serde_json::from_str(&text)
                    .map_err(|e| bad_value("document", e))
                    .db(),
            }
        })
        .await
    }

    async fn set_economy_config(
        &self,
        streamer: StreamerId,
        config: EconomyConfig,
    ) -> StoreResult<EconomyConfig> {
        config.validate()?;
        let document = serde_json::to_value(&config).map_err(StoreError::backend)?;
        self.write(streamer, move |tx, now| {
            require_streamer(tx, streamer)?;
            tx.prepare_cached(
                "INSERT INTO economy_configs (streamer_id, document, updated_at) \
                 VALUES (?1, ?2, ?3) ON CONFLICT (streamer_id) DO UPDATE SET \
                 document = excluded.document, updated_at = excluded.updated_at",
            )
            .db()?
            .execute(params![streamer.0, json_text(&document), now.as_millis()])
            .db()?;
            Ok(config)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datastore::{KickViewer, PointSource};
    use std::path::Path;
    use std::time::Duration;

    /// A migrated in-memory database with one streamer, as the writer holds it.
    fn database() -> (Connection, StreamerId) {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrations::migrate(&mut conn, Path::new(":memory:"), crate::migrations::LATEST)
            .unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             INSERT INTO streamers (username, display_name, created_at, updated_at)
                 VALUES ('chan', 'chan', 0, 0);",
        )
        .unwrap();
        (conn, StreamerId(1))
    }

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    fn earning(id: &str) -> Delivery {
        Delivery {
            id: DeliveryId(id.into()),
            effects: vec![Step::Earn {
                viewer: KickViewer::new(1, "viewer"),
                amount: 10,
                source: PointSource::Chat,
                description: None,
            }],
            command: vec![],
        }
    }

    #[test]
    fn a_delivery_whose_id_is_recorded_meanwhile_is_a_duplicate_and_changes_nothing() {
        let (conn, s) = database();
        let now = Timestamp::saturating_from_millis(1_000);
        // Another writer recorded the id after this one looked it up.
        assert!(record_id(&conn, s, &DeliveryId("raced".into()), now).unwrap());
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        let out = apply(&conn, s, &earning("raced"), now).unwrap();
        conn.execute_batch("COMMIT").unwrap();
        assert_eq!(out, DeliveryOutcome::Duplicate);
        for table in [
            "users",
            "kick_viewers",
            "user_points",
            "point_transactions",
            "events",
        ] {
            assert_eq!(count(&conn, table), 0, "{table}");
        }
        // Its savepoint is gone: the connection is back outside any transaction.
        assert!(conn.is_autocommit());
        // A new id applies.
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        let out = apply(&conn, s, &earning("fresh"), now).unwrap();
        conn.execute_batch("COMMIT").unwrap();
        assert!(matches!(out, DeliveryOutcome::Applied { .. }));
        assert_eq!(count(&conn, "point_transactions"), 1);
        assert_eq!(count(&conn, "kick_deliveries"), 2);
    }

    #[test]
    fn an_effect_that_is_refused_fails_the_delivery_and_leaves_nothing() {
        let (conn, s) = database();
        let now = Timestamp::saturating_from_millis(1_000);
        let cooldown = Step::Cooldown {
            viewer: KickViewer::new(1, "viewer"),
            command: "points".into(),
            cooldown: Duration::from_secs(10),
        };
        let mut d = earning("first");
        d.effects.push(cooldown.clone());
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        assert!(matches!(
            apply(&conn, s, &d, now).unwrap(),
            DeliveryOutcome::Applied { .. }
        ));
        let mut again = earning("second");
        again.effects.push(cooldown);
        let err = apply(&conn, s, &again, now).unwrap_err();
        conn.execute_batch("COMMIT").unwrap();
        assert!(
            matches!(&err, StoreError::InvalidInput { field, .. } if field == "effects"),
            "{err}"
        );
        assert_eq!(count(&conn, "point_transactions"), 1);
        assert_eq!(count(&conn, "kick_deliveries"), 1);
    }
}
