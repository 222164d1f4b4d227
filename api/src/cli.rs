//! The `kick-overlay` command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// KickOverlay: stream overlays and a chat economy for many Kick streamers.
#[derive(Debug, Parser)]
#[command(name = "kick-overlay", version, about)]
pub struct Cli {
    /// The SQLite database file (created and migrated on first use).
    #[arg(
        long,
        global = true,
        env = "KICKOVERLAY_DB",
        default_value = "data/kick-overlay.db"
    )]
    pub db: PathBuf,

    /// What to do; serves the API when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Server options (for `serve`, the default command).
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Where the server listens.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(
        long,
        global = true,
        env = "KICKOVERLAY_HOST",
        default_value = "127.0.0.1"
    )]
    pub host: String,
    /// The port to listen on.
    #[arg(long, global = true, env = "KICKOVERLAY_PORT", default_value_t = 5050)]
    pub port: u16,
}

/// A command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default). The operator key comes from KICKOVERLAY_OPERATOR_KEY.
    Serve,
    /// Manage streamers.
    #[command(subcommand)]
    Streamer(StreamerCommand),
    /// Turn a legacy single-streamer database (--db) into a multi-tenant one, in place: the
    /// legacy data becomes the first streamer's. Backs the file up first; running it again is
    /// a no-op.
    MigrateLegacy(MigrateArgs),
    /// Restore the legacy database a migration started from, from its backup.
    Rollback(RollbackArgs),
    /// Add a legacy single-streamer database (read, never changed) as a new streamer of an
    /// existing multi-tenant database.
    ImportLegacy(ImportArgs),
}

/// `migrate-legacy`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The streamer that gets the legacy data.
    #[arg(long, default_value = "codingbutter")]
    pub streamer: String,
    /// Its display name (the streamer's username if not given).
    #[arg(long)]
    pub display_name: Option<String>,
    /// Run every step and check, then roll back: no backup, nothing written.
    #[arg(long)]
    pub dry_run: bool,
    /// After the migration, compact the file (VACUUM): without it, the space the legacy tables
    /// held stays in the file as free pages, about doubling its size.
    #[arg(long, conflicts_with = "dry_run")]
    pub vacuum: bool,
}

/// `rollback`.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The backup to restore (default: the one the migration recorded in migration_audit, or
    /// the newest pre-migration backup in backups/ beside the database).
    #[arg(long)]
    pub backup: Option<PathBuf>,
    /// Roll back even though the migrated database was written to since (those writes are
    /// lost; the current file is still saved to backups/ first), or from a backup whose row
    /// counts are not the ones the migration moved.
    #[arg(long)]
    pub force: bool,
}

/// `import-legacy`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The multi-tenant database to add the streamer to.
    #[arg(long)]
    pub into: PathBuf,
    /// The new streamer's username.
    #[arg(long)]
    pub streamer: String,
    /// Its display name (the username if not given).
    #[arg(long)]
    pub display_name: Option<String>,
    /// The legacy database file.
    pub legacy: PathBuf,
}

/// A streamer command.
#[derive(Debug, Subcommand)]
pub enum StreamerCommand {
    /// Create a streamer and print its admin key (shown once).
    Add {
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
    List,
    /// Issue a new admin key for a streamer (the old one stops working) and print it.
    RotateKey {
        /// The streamer's username.
        username: String,
    },
}
