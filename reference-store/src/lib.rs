//! The SQLite [`DataStore`](datastore::DataStore): the embedded default backend.
//!
//! One SQLite file holds every streamer. Isolation rests on three things, each tested:
//!
//! * **The schema** (`migrations/`): every tenant table has `streamer_id NOT NULL` cascading
//!   from `streamers`; rows that hang off a user reference it through the composite key
//!   `(streamer_id, user_id) → users(streamer_id, id)`, so no row can point at another
//!   streamer's user whatever a query does; every uniqueness rule is per streamer.
//! * **The statements**: every statement that reads or writes a tenant table constrains
//!   `streamer_id` (a test traces every statement the whole conformance suite runs), and each
//!   operation's tenant predicates are load-bearing (`scripts/tenant-mutants` weakens them one at
//!   a time and the suite must fail each time).
//! * **The contract's suite**: `cargo test -p conformance` runs every conformance case,
//!   sweep and property test against this store.
//!
//! # Opening
//!
//! [`SqliteStore::open`] creates the file if needed, then applies the pending migrations in
//! [`migrations`] (each in one transaction, recorded in `PRAGMA user_version`). A file of another
//! application, a database written by a newer version, or a corrupt file is refused with an
//! [`OpenError`] that says which.
//!
//! # For tools that work on a file no server has open
//!
//! The legacy migration (the `legacy-migration` crate) builds and upgrades the schema inside its
//! own transaction, so this crate exposes that much: [`migrations`] (`create_all`,
//! `apply_pending`, `refuse_unknown`, [`migrations::APPLICATION_ID`], [`migrations::LATEST`]),
//! [`insert_powerup_config`] (a powerup's configuration, as a new streamer gets it) and
//! [`BUSY_TIMEOUT`]. Everything else goes through [`SqliteStore`].
//!
//! # Connections, pooling and locking
//!
//! * **One writer, group commit.** All writes go through a single connection, each inside a
//!   `BEGIN IMMEDIATE` transaction: the write lock is taken before the first read, so a
//!   read-then-write (a spend checking the balance) can neither lose an update nor fail half way
//!   with `SQLITE_BUSY`. Two spends of one user are serialised; neither can overdraw. Writes
//!   that arrive while the writer is busy wait in a queue, and the next batch (up to
//!   [`MAX_BATCH`] of them) runs in one transaction, each write in its own savepoint: a write
//!   that fails undoes only its own changes, and every caller is answered only after the
//!   batch's `COMMIT` (a failed `BEGIN` or `COMMIT` is every write's error, and none is kept).
//!   One commit then serves many writes, which is what lets the server take more writes a
//!   second than SQLite can commit transactions.
//! * **Checkpoints off the commit path.** A background thread with its own connection runs a
//!   passive checkpoint after commits (at most one every 10 ms), copying committed pages from
//!   the WAL into the file while writes go on; the writer keeps SQLite's automatic checkpoint at
//!   4,096 pages as the bound on the WAL, and by then most pages are already copied.
//! * **A pool of readers.** Reads run on separate connections (at most [`MAX_IDLE_READERS`]
//!   kept idle, more opened on demand), each multi-statement read in one deferred
//!   transaction, so it sees one consistent snapshot (a single statement is its own). In WAL
//!   mode readers never block the writer and the writer never blocks readers.
//! * **Where the work runs.** A short operation (a point read, a bounded page, a single-row
//!   write) costs a few microseconds of SQLite, less than handing it to another thread, so it
//!   runs on the calling task's thread: a read directly, a write by running one batch of the
//!   queue when the writer is free (more batches behind it go to one drain on tokio's blocking
//!   pool). An operation whose size grows with the data (a bulk award, an export, analytics,
//!   deleting a streamer or a user, purges, counts) runs on tokio's blocking pool
//!   ([`tokio::task::spawn_blocking`]), so it never stalls the async runtime, and is answered
//!   as it commits (what queued behind it goes to a drain). A panic inside an
//!   operation is caught and answered as a backend error.
//! * **A leaderboard cache.** Each streamer's last leaderboard is kept (at most
//!   [`OpenOptions::leaderboard_cache_rows`] rows in all) and served until a write of that
//!   streamer commits: every write bumps its streamer's generation after its `COMMIT` and before
//!   its caller is answered, and a board is served only while the generation it was read at is
//!   current. The cache relies on the store being the file's only writer, like the rest.

//! # Kick deliveries
//!
//! A delivery ([`datastore::KickStore::apply_delivery`]) is one write like any other: its id is
//! looked up first, then its effects, its command and the record of its id run inside a
//! savepoint of the delivery's own (nested in the write's savepoint of a group commit), the
//! command inside a second, nested one, so that a refused command undoes its own steps only and
//! a failed effect undoes the whole delivery. Each step calls the internal function of the
//! matching single operation, so a step and that operation cannot drift apart.

//! # Every connection
//!
//! Each connection, the writer and every pooled reader alike, is configured by one function
//! before it is used ([`SqliteStore::connection_settings`] reports them, and a test checks every
//! connection the store hands out):
//!
//! * `foreign_keys = ON` (SQLite's default is off, per connection): cascades and composite keys
//!   hold.
//! * `journal_mode = WAL`, and a `busy_timeout` of [`BUSY_TIMEOUT`], for other processes that
//!   open the same file (a backup, an admin shell).
//! * `synchronous = NORMAL`. In WAL mode this means: a committed write survives a crash of the
//!   process (the WAL is written before commit returns); after a power loss or OS crash the
//!   database is always consistent, but the last transactions committed before it may be rolled
//!   back (they were in the WAL, not yet fsynced). `FULL` would close that window at the cost of
//!   an fsync per commit; a lost watch-time tick is an acceptable trade for KickOverlay.
//!   Open with [`OpenOptions::durable`] to get `FULL`.
//! * Statements come from each connection's prepared-statement cache (`prepare_cached`).

#![warn(missing_docs)]

mod cache;
mod checkpoint;
mod convert;
mod cooldowns;
mod duels;
mod events;
mod expiry;
mod goals;
mod integrity;
mod kick;
mod kick_viewers;
mod lookups;
pub mod migrations;
mod open;
mod open_error;
mod overlay;
mod points;
mod pool;
mod powerups;
mod reports;
mod sessions;
mod steps;
mod store;
mod stream_state;
mod streamers;
mod tips;
mod tokens;
mod users;
mod verification;
mod watch;

pub use cache::LEADERBOARD_CACHE_ROWS;
pub use open::{BUSY_TIMEOUT, ConnectionSettings, OpenOptions, StatementTrace};
pub use open_error::OpenError;
pub use pool::{MAX_BATCH, MAX_IDLE_READERS};
pub use powerups::insert_config as insert_powerup_config;
pub use store::SqliteStore;
