//! `ModelStore`: the in-memory oracle.
//!
//! Written to be obviously right rather than fast: one mutex over plain ordered maps, each
//! streamer's rows in its own `Tenant`, so isolation is structural (a method reaches another
//! streamer's rows only by naming its id). Every write checks everything first and changes
//! state last, so an error never leaves a half-written change. Lookups are linear scans where
//! that is the plainest code.

mod cooldowns;
mod events;
mod goals;
mod kick;
mod kick_steps;
mod kick_viewers;
mod overlay;
mod points;
mod powerups;
mod reports;
mod sessions;
mod streamers;
mod tips;
mod tokens;
mod users;
mod verification;

use datastore::{
    AdminKey, Clock, Cooldown, DeliveryId, DropRecord, EconomyConfig, Event, Goal, GoalId,
    InventoryRow, LayoutId, OAuthToken, OverlayKey, OverlayLayout, OverlaySetting, PointSource,
    PointTransaction, Points, PowerupConfig, PowerupPurchase, PowerupType, Resource, StoreError,
    StoreResult, StreamState, Streamer, StreamerId, StreamerSession, Theme, Timestamp, Tip, TipId,
    TokenHash, TransactionId, User, UserId, UserPoints, UserSession, VerificationCode,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// The in-memory reference implementation of [`datastore::DataStore`].
#[derive(Debug)]
pub struct ModelStore {
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl ModelStore {
    /// An empty store reading time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        ModelStore {
            clock,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written change (writes mutate
        // last), so a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Next id of each numbered table. Ids are global, start at 1, and are used only by a write
/// that succeeds.
#[derive(Debug, Default, Clone)]
struct Counters {
    streamer: i64,
    user: i64,
    transaction: i64,
    purchase: i64,
    drop: i64,
    tip: i64,
    verification: u64,
}

fn next(counter: &mut i64) -> i64 {
    *counter += 1;
    *counter
}

/// Everything the store holds. Cloned by a Kick delivery, which runs its steps on the copy and
/// keeps it only when the delivery commits (the model's transaction and savepoint).
#[derive(Debug, Default, Clone)]
struct State {
    ids: Counters,
    tenants: BTreeMap<StreamerId, Tenant>,
}

/// An open duel, as stored (names are read from the users when shown).
#[derive(Debug, Clone)]
struct DuelRow {
    challenger: UserId,
    opponent: UserId,
    stake: i64,
    expires_at: Timestamp,
}

/// Everything one streamer owns.
#[derive(Debug, Clone)]
struct Tenant {
    streamer: Streamer,
    users: BTreeMap<UserId, User>,
    points: BTreeMap<UserId, UserPoints>,
    ledger: BTreeMap<TransactionId, PointTransaction>,
    inventory: BTreeMap<(UserId, PowerupType), InventoryRow>,
    purchases: Vec<PowerupPurchase>,
    drops: Vec<DropRecord>,
    cooldowns: BTreeMap<(UserId, String), Cooldown>,
    user_sessions: BTreeMap<TokenHash, UserSession>,
    streamer_sessions: BTreeMap<TokenHash, StreamerSession>,
    /// The admin key, when set (at most one: setting replaces it).
    admin_key: Option<AdminKey>,
    /// The overlay key, when set (a slot of its own: never the admin key).
    overlay_key: Option<OverlayKey>,
    /// In issue order, with the issue sequence number.
    verification: Vec<(u64, VerificationCode)>,
    /// Per issued code (by sequence number): the secret hash and the failed redemptions.
    code_secrets: BTreeMap<u64, (TokenHash, u32)>,
    oauth: BTreeMap<String, OAuthToken>,
    powerups: BTreeMap<PowerupType, PowerupConfig>,
    settings: BTreeMap<String, OverlaySetting>,
    layouts: BTreeMap<LayoutId, OverlayLayout>,
    theme: Option<Theme>,
    tips: BTreeMap<TipId, Tip>,
    goals: BTreeMap<GoalId, Goal>,
    /// The events still kept, in id order.
    events: Vec<Event>,
    /// The id of the latest event ever recorded (0 for none); a purge never lowers it.
    last_event: i64,
    /// Recorded delivery ids, with when each was applied.
    deliveries: BTreeMap<DeliveryId, Timestamp>,
    /// Kick user id → the viewer linked to it (a viewer is linked to at most one).
    kick_links: BTreeMap<i64, UserId>,
    /// When each viewer last chatted (the watch award's recent chatters).
    chatters: BTreeMap<UserId, Timestamp>,
    /// The live flag and the stamp of the change that set it.
    stream: StreamState,
    /// The minutes already awarded.
    watch_minutes: BTreeSet<i64>,
    /// Duels in the order they were opened; expired ones count as absent.
    duels: Vec<DuelRow>,
    /// The economy's configuration, once set.
    economy: Option<EconomyConfig>,
}

impl Tenant {
    fn new(streamer: Streamer) -> Self {
        Tenant {
            streamer,
            users: BTreeMap::new(),
            points: BTreeMap::new(),
            ledger: BTreeMap::new(),
            inventory: BTreeMap::new(),
            purchases: Vec::new(),
            drops: Vec::new(),
            cooldowns: BTreeMap::new(),
            user_sessions: BTreeMap::new(),
            streamer_sessions: BTreeMap::new(),
            admin_key: None,
            overlay_key: None,
            verification: Vec::new(),
            code_secrets: BTreeMap::new(),
            oauth: BTreeMap::new(),
            powerups: BTreeMap::new(),
            settings: BTreeMap::new(),
            layouts: BTreeMap::new(),
            theme: None,
            tips: BTreeMap::new(),
            goals: BTreeMap::new(),
            events: Vec::new(),
            last_event: 0,
            deliveries: BTreeMap::new(),
            kick_links: BTreeMap::new(),
            chatters: BTreeMap::new(),
            stream: StreamState {
                live: false,
                changed_at: None,
            },
            watch_minutes: BTreeSet::new(),
            duels: Vec::new(),
            economy: None,
        }
    }

    /// A user's balances, zeros when they have no balance row.
    fn points_of(&self, u: UserId) -> Points {
        self.points.get(&u).map_or(Points::ZERO, |p| Points {
            channel_points: p.channel_points,
            drop_points: p.drop_points,
            total_drops: p.total_drops,
            last_updated: Some(p.last_updated),
        })
    }

    /// The balance row of a user, created (zeros) when missing.
    fn points_row(&mut self, u: UserId, now: Timestamp) -> &mut UserPoints {
        self.points.entry(u).or_insert(UserPoints {
            user_id: u,
            channel_points: 0,
            drop_points: 0,
            total_drops: 0,
            last_updated: now,
        })
    }

    fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users
            .values()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }
}

impl State {
    /// Sets a user's channel points to `balance` and writes the ledger row of `amount`.
    /// Everything must have been checked already.
    #[allow(clippy::too_many_arguments)]
    fn move_points(
        &mut self,
        s: StreamerId,
        u: UserId,
        balance: i64,
        amount: i64,
        source: PointSource,
        description: Option<String>,
        now: Timestamp,
    ) -> Points {
        let id = TransactionId(next(&mut self.ids.transaction));
        let t = self.tenants.get_mut(&s).expect("checked by the caller");
        let row = t.points_row(u, now);
        row.channel_points = balance;
        row.last_updated = now;
        t.ledger.insert(
            id,
            PointTransaction {
                id,
                user_id: u,
                amount,
                source,
                description,
                created_at: now,
            },
        );
        t.points_of(u)
    }

    fn tenant(&self, s: StreamerId) -> Option<&Tenant> {
        self.tenants.get(&s)
    }

    /// The tenant, for a write that creates a row it owns.
    fn owner(&mut self, s: StreamerId) -> StoreResult<&mut Tenant> {
        self.tenants
            .get_mut(&s)
            .ok_or(StoreError::not_found(Resource::Streamer))
    }

    /// The tenant, for a write that addresses one of its rows (`missing` when there is none).
    fn tenant_for(&mut self, s: StreamerId, missing: Resource) -> StoreResult<&mut Tenant> {
        self.tenants
            .get_mut(&s)
            .ok_or(StoreError::not_found(missing))
    }

    /// The tenant and the existence of one of its users, for a write aimed at that user.
    fn user_tenant(&mut self, s: StreamerId, u: UserId) -> StoreResult<&mut Tenant> {
        match self.tenants.get_mut(&s) {
            Some(t) if t.users.contains_key(&u) => Ok(t),
            _ => Err(StoreError::not_found(Resource::User)),
        }
    }

    /// The tenant, for a read of one of its users; `None` when either is missing.
    fn user_tenant_ref(&self, s: StreamerId, u: UserId) -> Option<&Tenant> {
        self.tenant(s).filter(|t| t.users.contains_key(&u))
    }
}
