//! The `kick-overlay` command line.

use api::server::Backend;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand};
use legacy_migration::console::{ImportArgs, MigrateArgs, RollbackArgs};
use pg_store::PgOptions;
use std::path::PathBuf;

/// KickOverlay: stream overlays and a chat economy for many Kick streamers.
///
/// Without a command, serves the HTTP API (the same as `kick-overlay serve`).
#[derive(Debug, Parser)]
#[command(name = "kick-overlay", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do; serves the API when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Server options, when no command is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The database of the server, which it creates on first use.
#[derive(Debug, Clone, Args)]
pub struct NewOrExistingDb {
    /// The SQLite database file (created and migrated on first use); unused with
    /// --database-url.
    #[arg(long, env = "KICKOVERLAY_DB", default_value = "data/kick-overlay.db")]
    pub db: PathBuf,
    /// PostgreSQL instead of the SQLite file.
    #[command(flatten)]
    pub pg: PgArgs,
}

/// The database of the server, which must exist already.
#[derive(Debug, Clone, Args)]
pub struct ExistingDb {
    /// The server's SQLite database file (it must exist already); unused with --database-url.
    #[arg(long, env = "KICKOVERLAY_DB", default_value = "data/kick-overlay.db")]
    pub db: PathBuf,
    /// PostgreSQL instead of the SQLite file.
    #[command(flatten)]
    pub pg: PgArgs,
}

/// A PostgreSQL database instead of the embedded SQLite file.
#[derive(Debug, Clone, Args)]
pub struct PgArgs {
    /// Use PostgreSQL: the server's login, a role that owns nothing and cannot bypass row-level
    /// security (postgres://kickoverlay_app:PASSWORD@HOST:5432/DB).
    #[arg(
        long,
        env = "KICKOVERLAY_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// The database owner's login, to set up or upgrade the schema on start (needed on first
    /// start and after an upgrade).
    #[arg(
        long,
        env = "KICKOVERLAY_DATABASE_OWNER_URL",
        value_name = "URL",
        hide_env_values = true,
        requires = "database_url"
    )]
    pub database_owner_url: Option<String>,
    /// The PostgreSQL schema that holds KickOverlay's tables.
    #[arg(long, env = "KICKOVERLAY_DATABASE_SCHEMA", default_value = pg_store::DEFAULT_SCHEMA,
          value_name = "NAME")]
    pub database_schema: String,
    /// Most connections to PostgreSQL.
    #[arg(long, env = "KICKOVERLAY_DATABASE_POOL", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=1000), value_name = "N")]
    pub database_pool: u16,
}

impl PgArgs {
    /// PostgreSQL's options when --database-url is given, else the SQLite file `db`.
    pub fn backend(&self, db: &std::path::Path) -> Backend {
        match &self.database_url {
            None => Backend::Sqlite(db.to_path_buf()),
            Some(url) => {
                let mut options =
                    pg_store::PgOptions::new(url.clone()).with_schema(self.database_schema.clone());
                options.owner_url = self.database_owner_url.clone();
                options.max_connections = usize::from(self.database_pool);
                Backend::Postgres(options)
            }
        }
    }
}

impl CopyArgs {
    /// The PostgreSQL database to copy into, or why the command line does not name one.
    pub fn target(&self) -> Result<PgOptions, &'static str> {
        match self.pg.backend(&self.db) {
            Backend::Postgres(options) if options.owner_url.is_some() => Ok(options),
            _ => Err(
                "copy-to-postgres needs --database-url (the server's login) and \
                 --database-owner-url (the owner's, which creates the schema and loads it)",
            ),
        }
    }
}

impl NewOrExistingDb {
    /// Where this command's data is.
    pub fn backend(&self) -> Backend {
        self.pg.backend(&self.db)
    }
}

impl ExistingDb {
    /// Where this command's data is.
    pub fn backend(&self) -> Backend {
        self.pg.backend(&self.db)
    }
}

/// `serve`: where the server keeps its data and where it listens.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The database.
    #[command(flatten)]
    pub db: NewOrExistingDb,
    /// The address to listen on.
    #[arg(long, env = "KICKOVERLAY_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// The port to listen on.
    #[arg(long, env = "KICKOVERLAY_PORT", default_value_t = 5050)]
    pub port: u16,
    /// Seconds a client may take to send a request's head; also how long an idle keep-alive
    /// connection stays open.
    #[arg(long, env = "KICKOVERLAY_HEADER_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600), value_name = "SECONDS")]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request's body (408 after that).
    #[arg(long, env = "KICKOVERLAY_BODY_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600), value_name = "SECONDS")]
    pub body_timeout: u64,
    /// The most client connections open at once (lowered to fit the open-file limit).
    #[arg(long, env = "KICKOVERLAY_MAX_CONNECTIONS", default_value_t = 4096,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000), value_name = "N")]
    pub max_connections: u64,
    /// Seconds requests in progress may run on after Ctrl-C or SIGTERM before their
    /// connections are closed.
    #[arg(long, env = "KICKOVERLAY_SHUTDOWN_GRACE", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=3600), value_name = "SECONDS")]
    pub shutdown_grace: u64,
    /// Verification codes one client address may ask for per minute (0: no limit).
    #[arg(
        long,
        env = "KICKOVERLAY_CODES_PER_ADDRESS",
        default_value_t = 10,
        value_name = "N"
    )]
    pub codes_per_address: u32,
    /// Verification codes one streamer's page may hand out per minute, to all clients
    /// together (0: no limit).
    #[arg(
        long,
        env = "KICKOVERLAY_CODES_PER_STREAMER",
        default_value_t = 600,
        value_name = "N"
    )]
    pub codes_per_streamer: u32,
    /// Seconds between two purges of expired codes, sessions and cooldowns.
    #[arg(long, env = "KICKOVERLAY_PURGE_INTERVAL", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=86_400), value_name = "SECONDS")]
    pub purge_interval: u64,
    /// The most event streams (`GET /{streamer}/api/events`) open at once; each holds a
    /// connection, so keep it well below --max-connections (default: half of it).
    #[arg(long, env = "KICKOVERLAY_MAX_STREAMS",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000), value_name = "N")]
    pub max_streams: Option<u64>,
    /// The most event streams one client address may hold open (a browser source holds one).
    #[arg(long, env = "KICKOVERLAY_MAX_STREAMS_PER_ADDRESS", default_value_t = 32,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000), value_name = "N")]
    pub max_streams_per_address: u64,
    /// Hours each streamer's events are kept for overlays that reconnect (one that was away
    /// longer reloads its data); purged with the expired rows.
    #[arg(long, env = "KICKOVERLAY_EVENTS_KEEP_HOURS", default_value_t = 24,
          value_parser = clap::value_parser!(u64).range(1..=8760), value_name = "HOURS")]
    pub events_keep_hours: u64,
    /// The most events kept per streamer (the newest).
    #[arg(long, env = "KICKOVERLAY_EVENTS_KEEP_COUNT", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000), value_name = "N")]
    pub events_keep_count: u32,
    /// An origin (scheme://host or scheme://host:port) whose web pages may call the admin,
    /// viewer, operator and overlay-key routes; repeat it for more (the variable takes a
    /// comma-separated list). Public routes answer pages of any origin.
    #[arg(
        long = "cors-origin",
        env = "KICKOVERLAY_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub cors_origins: Vec<String>,
    /// Kick's public key, which every webhook delivery's signature is checked with: a PEM
    /// file's path, or the PEM text itself ("-----BEGIN PUBLIC KEY-----" as Kick publishes it,
    /// or "-----BEGIN RSA PUBLIC KEY-----"). Without it `POST /api/kick/webhook` answers 503.
    #[arg(long, env = "KICKOVERLAY_KICK_PUBLIC_KEY", value_name = "PEM_OR_PATH")]
    pub kick_public_key: Option<String>,
    /// How far a webhook delivery's Kick-Event-Message-Timestamp may be from the server's
    /// clock, either way, before it is refused as stale or replayed (401).
    #[arg(long, env = "KICKOVERLAY_KICK_REPLAY_WINDOW_SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=86_400), value_name = "SECONDS")]
    pub kick_replay_window_secs: u64,
    /// Kick's API, which the bot's chat replies are posted to (`/public/v1/chat`).
    #[arg(
        long,
        env = "KICKOVERLAY_KICK_API_URL",
        default_value = "https://api.kick.com",
        value_name = "URL"
    )]
    pub kick_api_url: String,
    /// Seconds between two runs of the watch-time award (each awards the current minute once,
    /// whichever server runs it first). For tests; the default suits production.
    #[arg(long, env = "KICKOVERLAY_WATCH_INTERVAL_SECS", default_value_t = 60, hide = true,
          value_parser = clap::value_parser!(u64).range(1..=3600), value_name = "SECONDS")]
    pub watch_interval_secs: u64,
    /// FOR TESTS ONLY: predictable dice for gambles, coin flips and duels, from this seed and
    /// each delivery's id, so a recorded script of deliveries plays out the same every time.
    /// Anyone who knows the seed knows every roll: never set it on a real stream.
    #[arg(
        long,
        env = "KICKOVERLAY_KICK_DICE_SEED",
        hide = true,
        value_name = "N"
    )]
    pub kick_dice_seed: Option<u64>,
    /// Start without checking the database file for damage (SQLite's quick_check, which reads
    /// the whole file: about 3 s for 230 MB).
    #[arg(long, env = "KICKOVERLAY_NO_INTEGRITY_CHECK")]
    pub no_integrity_check: bool,
}

/// A command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default). The operator key comes from KICKOVERLAY_OPERATOR_KEY.
    Serve(ServeArgs),
    /// Manage streamers.
    #[command(subcommand)]
    Streamer(StreamerCommand),
    /// Turn a legacy single-streamer database into a multi-tenant one, in place: the legacy
    /// data becomes the first streamer's. Backs the file up first; running it again is a
    /// no-op.
    MigrateLegacy(MigrateArgs),
    /// Restore the legacy database a migration started from, from its backup.
    Rollback(RollbackArgs),
    /// Add a legacy single-streamer database (read, never changed) as a new streamer of an
    /// existing multi-tenant database.
    ImportLegacy(ImportArgs),
    /// Copy a whole SQLite deployment (every streamer, with ids, keys, ledgers and times) into
    /// an empty PostgreSQL schema, check the copy row for row, and commit it. The SQLite file
    /// is only read; no server may serve it meanwhile.
    CopyToPostgres(CopyArgs),
}

/// `copy-to-postgres`: the file to copy, and where to.
#[derive(Debug, Clone, Args)]
pub struct CopyArgs {
    /// The SQLite database file to copy (read, never written).
    #[arg(long, env = "KICKOVERLAY_DB", default_value = "data/kick-overlay.db")]
    pub db: PathBuf,
    /// The PostgreSQL database to copy into (--database-url and --database-owner-url are
    /// both needed).
    #[command(flatten)]
    pub pg: PgArgs,
}

/// A streamer command.
#[derive(Debug, Subcommand)]
pub enum StreamerCommand {
    /// Create a streamer and print its admin key (shown once).
    Add {
        /// The database.
        #[command(flatten)]
        db: NewOrExistingDb,
        /// The Kick username: the first segment of the streamer's URLs.
        username: String,
        /// The display name (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        /// The Kick user id.
        #[arg(long)]
        kick_user_id: Option<i64>,
        /// The avatar's URL.
        #[arg(long)]
        avatar_url: Option<String>,
    },
    /// List streamers.
    List {
        /// The database.
        #[command(flatten)]
        db: ExistingDb,
    },
    /// Delete a streamer and all of its data (viewers, points, settings, keys). Without
    /// --yes, only says what would go.
    Remove {
        /// The database.
        #[command(flatten)]
        db: ExistingDb,
        /// The streamer's username.
        username: String,
        /// Delete for real.
        #[arg(long)]
        yes: bool,
    },
    /// Issue a new admin key for a streamer (the old one stops working) and print it.
    RotateKey {
        /// The database.
        #[command(flatten)]
        db: ExistingDb,
        /// The streamer's username.
        username: String,
    },
    /// Issue a new overlay key for a streamer's browser sources (the old one stops working)
    /// and print it: it opens only what an overlay writes (drop results, using a viewer's
    /// powerup, finding a viewer), never the admin routes.
    OverlayKey {
        /// The database.
        #[command(flatten)]
        db: ExistingDb,
        /// The streamer's username.
        username: String,
    },
}

/// A hint for a command line clap refused because an option stands where it does not belong:
/// `--db` before its command (`kick-overlay --db FILE streamer list`), or `--host`/`--port`
/// on a command that does not serve. `None` for any other mistake, which clap's own message
/// explains.
pub fn misplaced_option_hint(args: &[String], error: &clap::Error) -> Option<&'static str> {
    const COMMANDS: [&str; 7] = [
        "serve",
        "streamer",
        "migrate-legacy",
        "rollback",
        "import-legacy",
        "copy-to-postgres",
        "help",
    ];
    let is = |arg: &str, name: &str| arg == name || arg.starts_with(&format!("{name}="));
    let server_option = |arg: &str| is(arg, "--host") || is(arg, "--port");
    let command_at = args.iter().position(|a| COMMANDS.contains(&a.as_str()));
    let before_command = command_at.map_or(&args[..0], |at| &args[..at]);
    let invalid = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => arg.split_whitespace().next().unwrap_or(""),
        _ => "",
    };
    const SERVER: &str = "--host and --port are the server's: `kick-overlay --port 8080` or \
                          `kick-overlay serve --port 8080`";
    const DB: &str =
        "--db follows the command it belongs to, as in `kick-overlay streamer list --db FILE`";
    match error.kind() {
        ErrorKind::ArgumentConflict if before_command.iter().any(|a| is(a, "--db")) => Some(DB),
        ErrorKind::ArgumentConflict if before_command.iter().any(|a| server_option(a)) => {
            Some(SERVER)
        }
        ErrorKind::UnknownArgument if server_option(invalid) => Some(SERVER),
        ErrorKind::UnknownArgument if is(invalid, "--db") => Some(DB),
        _ => None,
    }
}
