//! The PostgreSQL [`DataStore`](datastore::DataStore): every streamer in one database.
//!
//! Isolation rests on two walls, each tested on its own:
//!
//! * **The statements.** Every statement that reads or writes a tenant table constrains
//!   `streamer_id` to the operation's streamer, written one way (`streamer_id = $N`) so that
//!   tools can find each predicate: the tenant-predicate mutants weaken them one at a time with
//!   row-level security switched off, and the conformance suite must fail each time.
//! * **Row-level security.** Every tenant table has `ENABLE` and `FORCE ROW LEVEL SECURITY`
//!   and one policy: a row is visible and writable only when its `streamer_id` is the
//!   transaction's `kickoverlay.streamer_id` setting. Each tenant operation sets it with
//!   `set_config(…, true)`, local to its transaction; without it the policies match nothing
//!   (they fail closed). The server logs in as a role that owns nothing and cannot bypass row
//!   security ([`PgStore::connect`] refuses one that can). Operator operations (creating,
//!   listing and finding streamers by name or Kick id) set `kickoverlay.operator` instead,
//!   which lets them read and insert into the `streamers` table and nothing else; updating or
//!   deleting a streamer runs as that streamer, behind both walls. Listing the live streamers
//!   lists the streamers as the operator, then reads each one's stream state as that streamer
//!   (switching the transaction's setting in turn), so the operator never reads a tenant's
//!   row.
//!
//! The schema (`migrations/`) puts `streamer_id` first in every primary key, unique key,
//! foreign key and index of every tenant table, and rows that hang off a user reference it
//! through `(streamer_id, user_id) → users (streamer_id, id)`, so no row can point at another
//! streamer's user whatever a statement does.
//!
//! # Connecting
//!
//! [`PgStore::connect`] takes [`PgOptions`]: the server's login (`url`), and optionally the
//! owner's (`owner_url`), with which pending [`migrations`] are applied on connect, in one
//! transaction under an advisory lock (a no-op the second time; a newer schema is refused).
//! The owner then grants the server's login `SELECT, INSERT, UPDATE, DELETE` on the tables
//! and nothing else. Set up once, as the database's owner:
//!
//! ```sql
//! CREATE ROLE kickoverlay_app LOGIN PASSWORD '…';  -- owns nothing, no BYPASSRLS
//! ```
//!
//! # Transactions, locks and the pool
//!
//! Every operation runs in one transaction on one pooled connection (`deadpool-postgres`,
//! statements prepared once per connection and cached): `READ COMMITTED` for writes and
//! `REPEATABLE READ READ ONLY` for reads of several statements that must agree (exports,
//! analytics, a page with its total). A write that reads state and then changes it first locks
//! the row it depends on, in a statement of its own, and only then reads: a balance change
//! locks the user's row (`FOR NO KEY UPDATE`), so two spends of one user queue and neither can
//! overdraw; a redemption locks its code; issuing codes takes an advisory lock per username.
//! (Locking and reading in one statement would not do: a statement that waits for a lock still
//! sees the other tables as they were before it waited.) Checks that are one statement stay
//! one statement: a cooldown is one `INSERT … ON CONFLICT … DO UPDATE … WHERE expired`.
//!
//! A Kick delivery is one transaction that inserts its id first (`ON CONFLICT DO NOTHING`): a
//! concurrent delivery of the same id waits on that key until the first ends, then finds it
//! taken and changes nothing. Its command runs inside a savepoint, rolled back at the first
//! refusal. Resolving a Kick user to a viewer takes turns per Kick user (an advisory lock), so
//! two deliveries meeting a new one create them once; a duel step locks both parties' rows in
//! id order before it reads their duels or balances; the watch award inserts the minute's row
//! first, as a delivery does its id, so two servers award a minute once.
//!
//! A connection goes back to the pool only after PostgreSQL confirmed its transaction ended;
//! an operation cancelled half way (a client hung up) drops its connection instead, so no later
//! operation can inherit an open transaction or a tenant setting.
//!
//! # Events and the doorbell
//!
//! Every write that changes what an overlay shows records its events in its own transaction, as
//! its last step (`datastore::events` says which write records what). The streamer's counter
//! row in `event_sequences` hands out the ids, with one upsert, and stays locked until the
//! write commits: the writes of one streamer take their ids in turn and commit in id order, so
//! a reader of "after `n`" never misses a smaller id that commits later. The counter is the
//! last row a write locks, so writes waiting for it never wait for each other in a cycle. A
//! write that must know whether a goal, tip or powerup configuration was shown before it (to
//! decide its event) locks that row first, and the upserts that may create a goal or a
//! configuration take turns on an advisory lock, so that two never both find it missing.
//!
//! Once the write has committed (never when it rolls back) it rings the deployment's doorbell:
//! `pg_notify` on a channel named after the schema, naming the streamer, sent on the same
//! connection as a transaction of its own with `synchronous_commit` off.
//! [`PgStore::event_doorbell`] listens on a connection of its own and yields a [`Doorbell`] per
//! committed write, and [`Doorbell::Everyone`] whenever rings may have been missed (it
//! reconnects by itself). Any process serving the schema hears every other's writes; another
//! schema's are never heard.
//!
//! The ring stays out of the write's transaction because a notifying commit is expensive:
//! PostgreSQL queues notifications in commit order by holding one database-wide lock from just
//! before a notifying transaction commits until its commit is flushed, so writes that notified
//! inside their transactions would commit one at a time, across all streamers, instead of
//! sharing flushes (group commit). The ring's own transaction still takes that lock, but it
//! does not wait for a flush while holding it. The price: a ring can be lost (the process stops
//! between the commit and the ring, or the ring fails, which is logged and never fails the
//! write), so listeners also read on a timer.
//!
//! # Distribution by tenant (Citus)
//!
//! The schema is ready to be distributed by `streamer_id`:
//!
//! * **Distributed tables**, by `streamer_id` and co-located: `users`, `user_points`,
//!   `point_transactions`, `powerup_inventory`, `powerup_purchases`, `drop_history`,
//!   `command_cooldowns`, `user_sessions`, `streamer_sessions`, `verification_codes`,
//!   `api_tokens`, `powerup_config`, `overlay_settings`, `overlay_layouts`, `theme_settings`,
//!   `tips`, `goals`, `admin_keys`, `overlay_keys`, `events`, `event_sequences`,
//!   `kick_deliveries`, `kick_viewers`, `stream_states`, `chatters`, `watch_minutes`, `duels`,
//!   `economy_configs`. Every key and index leads with `streamer_id`, and every
//!   statement constrains it, so each operation routes to one shard and its joins and foreign
//!   keys stay on that shard.
//! * **Reference table**: `streamers`, replicated to every node. Its usernames and Kick ids are
//!   unique across the deployment, which a distributed table could not enforce, and it is
//!   small and rarely written.
//! * **Local to the coordinator**: `schema_migrations`.
//!
//! What would change, as far as Citus documents it (none of this has been run on Citus yet): the
//! identity columns become sequences handed out per node, so ids would stay unique but no longer
//! increase with creation across nodes (the contract asks for both; the ids would need one
//! shared sequence or a per-streamer order); `ON DELETE CASCADE` from a reference table to
//! distributed tables is supported, so deleting a streamer stays one statement; and the tenant
//! setting must reach the workers that run each statement. A `set_config` in the coordinator's
//! transaction is not forwarded by default, so the policies would see no tenant there and
//! match nothing (safe, but every operation would fail): the store would set it with
//! `SET LOCAL` and `citus.propagate_set_commands = 'local'`, or the policies would move to the
//! coordinator. Every statement constrains `streamer_id` itself, so routing needs nothing else.
//! The doorbell's `pg_notify` is already a transaction of its own, with no table in it, so
//! Citus would run it on the coordinator, where the servers listen.
//!
//! # Finding a streamer by name
//!
//! Every HTTP request names its streamer in the URL, so finding a streamer by username (or Kick
//! id) runs before any tenant is known, as the operator: the operator's policy lets it read the
//! `streamers` table (names, display names, Kick ids and times: what the public profile pages
//! show) and nothing of any tenant's rows.

#![warn(missing_docs)]

#[cfg(feature = "wall-tests")]
pub mod audit;
mod connect_error;
mod convert;
mod cooldowns;
mod doorbell;
mod duels;
mod events;
mod goals;
mod kick;
mod kick_steps;
mod kick_viewers;
mod lookups;
pub mod migrations;
mod options;
mod overlay;
mod points;
mod powerups;
mod reports;
mod rings;
mod sessions;
mod store;
mod stream_state;
mod streamers;
mod strip;
mod tips;
mod tokens;
mod tx;
mod users;
mod verification;
mod watch;

pub use connect_error::ConnectError;
pub use doorbell::{Doorbell, EventDoorbell};
pub use options::{DEFAULT_SCHEMA, PgOptions};
pub use store::{ConnectionState, PgStore};
