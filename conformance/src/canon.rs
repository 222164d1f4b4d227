//! Comparing what two stores returned, whatever numbers each gave its rows.
//!
//! Two backends (or one backend in two worlds) may number rows differently. Before outputs are
//! compared, every numeric id in them is replaced by a *canonical* id: the order in which that
//! id was first seen in its table's id space (1, 2, …), or a label given in advance (the
//! sweep labels the other streamer's ids -1, -2, …). Two stores that behave the same produce
//! the same canonical outputs.

use datastore::*;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The id spaces (one per numbered table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// [`StreamerId`].
    Streamer,
    /// [`UserId`].
    User,
    /// [`TransactionId`].
    Transaction,
    /// [`PurchaseId`].
    Purchase,
    /// [`DropId`].
    Drop,
    /// [`TipId`].
    Tip,
}

/// Values whose numeric ids can be rewritten.
pub trait VisitIds {
    /// Calls `f` on every id in the value.
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64));
}

macro_rules! no_ids {
    ($($t:ty),* $(,)?) => {
        $(impl VisitIds for $t {
            fn visit_ids(&mut self, _: &mut dyn FnMut(IdKind, &mut i64)) {}
        })*
    };
}

no_ids!(
    (),
    u64,
    bool,
    Points,
    SourceSummary,
    BulkAward,
    PowerupConfig,
    InventoryItem,
    OverlaySetting,
    OverlayLayout,
    Theme,
    Goal,
    OAuthToken,
    StreamerSession,
    AdminKey,
    OverlayKey,
    VerificationCode,
    CooldownCheck,
    Redemption,
    Analytics,
    StreamState,
    EconomyConfig,
);

macro_rules! ids {
    ($t:ty { $($field:ident: $kind:ident),* $(; $($nested:ident),*)? }) => {
        impl VisitIds for $t {
            fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
                $(f(IdKind::$kind, &mut self.$field.0);)*
                $($(self.$nested.visit_ids(f);)*)?
            }
        }
    };
}

ids!(Streamer { id: Streamer });
ids!(User {
    id: User,
    streamer_id: Streamer
});
ids!(UserLookup { ; user });
ids!(UserWithPoints { ; user });
ids!(UserPoints { user_id: User });
ids!(PointTransaction {
    id: Transaction,
    user_id: User
});
ids!(DropRecord {
    id: Drop,
    user_id: User
});
ids!(LeaderboardEntry { user_id: User });
ids!(InventoryRow { user_id: User });
ids!(PowerupPurchase {
    id: Purchase,
    user_id: User
});
ids!(PurchaseReceipt { ; purchase });
ids!(Tip { id: Tip });
ids!(UserSession { user_id: User });
ids!(Cooldown { user_id: User });
ids!(Page<UserWithPoints> { ; items });

ids!(ViewerBalances { user_id: User });
ids!(Duel {
    challenger: User,
    opponent: User
});

impl VisitIds for StreamerId {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        f(IdKind::Streamer, &mut self.0);
    }
}

impl VisitIds for StepResult {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        match self {
            StepResult::Balances(b) => b.visit_ids(f),
            StepResult::Viewer(u) => f(IdKind::User, &mut u.0),
            StepResult::Purchase(r) => r.visit_ids(f),
            StepResult::Duel(d) => d.visit_ids(f),
            StepResult::DuelSettled {
                duel,
                winner,
                challenger,
                opponent,
            } => {
                duel.visit_ids(f);
                f(IdKind::User, &mut winner.0);
                challenger.visit_ids(f);
                opponent.visit_ids(f);
            }
            StepResult::Live(_)
            | StepResult::Goal(_)
            | StepResult::Inventory(_)
            | StepResult::Done => {}
        }
    }
}

impl VisitIds for CommandOutcome {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        if let CommandOutcome::Done { results } = self {
            results.visit_ids(f);
        }
    }
}

impl VisitIds for DeliveryOutcome {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        if let DeliveryOutcome::Applied { effects, command } = self {
            effects.visit_ids(f);
            command.visit_ids(f);
        }
    }
}

impl VisitIds for WatchAward {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        if let WatchAward::Awarded { viewers } = self {
            viewers.visit_ids(f);
        }
    }
}
ids!(EventPage { ; events });
ids!(Event { ; data });

impl VisitIds for EventData {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        match self {
            EventData::PointsChanged { viewer, .. } | EventData::DropRecorded { viewer, .. } => {
                viewer.visit_ids(f)
            }
            EventData::PowerupPurchased { user_id, .. }
            | EventData::PowerupAdded { user_id, .. }
            | EventData::PowerupUsed { user_id, .. }
            | EventData::ViewerRemoved { user_id }
            | EventData::SpeechQueued { user_id, .. } => f(IdKind::User, &mut user_id.0),
            EventData::Alert { user_id, .. } => {
                if let Some(u) = user_id {
                    f(IdKind::User, &mut u.0);
                }
            }
            EventData::TipChanged { id, tip } => {
                f(IdKind::Tip, &mut id.0);
                tip.visit_ids(f);
            }
            EventData::ViewerChanged { user } => user.visit_ids(f),
            EventData::PowerupChanged { .. }
            | EventData::GoalChanged { .. }
            | EventData::SettingChanged { .. }
            | EventData::LayoutChanged { .. }
            | EventData::ThemeChanged { .. }
            | EventData::LiveChanged { .. } => {}
        }
    }
}

impl<T: VisitIds> VisitIds for Vec<T> {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        for v in self {
            v.visit_ids(f);
        }
    }
}

impl<T: VisitIds> VisitIds for Option<T> {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        if let Some(v) = self {
            v.visit_ids(f);
        }
    }
}

impl VisitIds for StreamerExport {
    fn visit_ids(&mut self, f: &mut dyn FnMut(IdKind, &mut i64)) {
        self.streamer.visit_ids(f);
        self.users.visit_ids(f);
        self.points.visit_ids(f);
        self.transactions.visit_ids(f);
        self.inventory.visit_ids(f);
        self.purchases.visit_ids(f);
        self.drops.visit_ids(f);
        self.cooldowns.visit_ids(f);
        self.user_sessions.visit_ids(f);
        self.tips.visit_ids(f);
    }
}

/// Raw ids ↔ canonical ids, per id space.
#[derive(Debug, Clone, Default)]
pub struct Canon {
    to_canon: HashMap<(IdKind, i64), i64>,
    to_raw: HashMap<(IdKind, i64), i64>,
    next: HashMap<IdKind, i64>,
}

impl Canon {
    /// The canonical id of `raw`, assigning the next one on first sight.
    pub fn canonical(&mut self, kind: IdKind, raw: i64) -> i64 {
        if let Some(c) = self.to_canon.get(&(kind, raw)) {
            return *c;
        }
        let n = self.next.entry(kind).or_insert(0);
        *n += 1;
        let c = *n;
        self.to_canon.insert((kind, raw), c);
        self.to_raw.insert((kind, c), raw);
        c
    }

    /// Gives `raw` the canonical id `label` (used for ids that must not be confused with the
    /// first-seen numbering, such as another streamer's).
    pub fn label(&mut self, kind: IdKind, raw: i64, label: i64) {
        self.to_canon.insert((kind, raw), label);
        self.to_raw.insert((kind, label), raw);
    }

    /// Whether `raw` has a canonical id yet.
    pub fn knows(&self, kind: IdKind, raw: i64) -> bool {
        self.to_canon.contains_key(&(kind, raw))
    }

    /// The raw id behind a canonical one.
    pub fn raw(&self, kind: IdKind, canonical: i64) -> Option<i64> {
        self.to_raw.get(&(kind, canonical)).copied()
    }

    /// How many canonical ids of this kind were assigned by first sight.
    pub fn count(&self, kind: IdKind) -> i64 {
        self.next.get(&kind).copied().unwrap_or(0)
    }

    /// Rewrites every id in `v` to its canonical id.
    pub fn apply<T: VisitIds>(&mut self, v: &mut T) {
        v.visit_ids(&mut |kind, id| *id = self.canonical(kind, *id));
    }
}

/// A store result as comparable JSON, ids made canonical. An error keeps its variant and its
/// text, so two errors are equal only if a caller could not tell them apart. A value serde
/// cannot write as JSON is compared by its debug form instead (whole, ids canonical), never by
/// the serializer's error, which would make every such value look alike.
pub fn observe<T: VisitIds + Serialize + std::fmt::Debug>(
    canon: &mut Canon,
    result: StoreResult<T>,
) -> Value {
    match result {
        Ok(mut v) => {
            canon.apply(&mut v);
            let value =
                serde_json::to_value(&v).unwrap_or_else(|_| json!({ "debug": format!("{v:?}") }));
            json!({ "ok": value })
        }
        Err(e) => json!({ "err": { "error": e, "text": e.to_string() } }),
    }
}

/// Where two JSON values differ: up to `max` paths with both sides, for failure messages.
pub fn diff(a: &Value, b: &Value, max: usize) -> Vec<String> {
    fn walk(a: &Value, b: &Value, path: &mut String, out: &mut Vec<String>, max: usize) {
        if out.len() >= max || a == b {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    walk(
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        path,
                        out,
                        max,
                    );
                    path.truncate(len);
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(p, q, path, out, max);
                    path.truncate(len);
                }
            }
            _ => out.push(format!(
                "at {}: {} vs {}",
                if path.is_empty() { "." } else { path },
                short(a),
                short(b)
            )),
        }
    }
    let mut out = Vec::new();
    walk(a, b, &mut String::new(), &mut out, max);
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ids_follow_first_sight_and_labels() {
        let mut c = Canon::default();
        c.label(IdKind::User, 7, -1);
        assert_eq!(c.canonical(IdKind::User, 40), 1);
        assert_eq!(c.canonical(IdKind::User, 7), -1);
        assert_eq!(c.canonical(IdKind::User, 41), 2);
        assert_eq!(c.canonical(IdKind::Tip, 41), 1);
        assert_eq!(c.raw(IdKind::User, 2), Some(41));
    }

    #[test]
    fn values_serde_cannot_write_are_still_compared_whole() {
        let mut c = Canon::default();
        let live = |on| {
            Ok(DeliveryOutcome::Applied {
                effects: vec![StepResult::Live(on), StepResult::Viewer(UserId(7))],
                command: None,
            })
        };
        let (on, off) = (observe(&mut c, live(true)), observe(&mut c, live(false)));
        assert_ne!(on, off);
        assert_eq!(on, observe(&mut c, live(true)));
    }

    #[test]
    fn diff_names_the_differing_paths() {
        let d = diff(
            &json!({"a": [1, 2], "b": 1}),
            &json!({"a": [1, 3], "b": 1}),
            5,
        );
        assert_eq!(d, vec!["at .a[1]: 2 vs 3".to_owned()]);
    }
}
