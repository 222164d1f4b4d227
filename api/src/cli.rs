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
